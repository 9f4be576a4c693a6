//! The REST API stage's settings that Serverless applies through the API Gateway API after the stack
//! update, not through CloudFormation (its compiler leaves the stage to the deployment resource):
//! X-Ray tracing (`provider.tracing.apiGateway`), CloudWatch metrics (`provider.apiGateway.metrics`),
//! execution and access logs (`provider.logs.restApi`) and the stage's tags (`tags` + `stackTags`).
//! Without access logs, the access log group is deleted so enabling them again does not collide.

use std::collections::HashMap;

use aws_sdk_apigateway::operation::get_stage::GetStageOutput;
use aws_sdk_apigateway::types::{Op, PatchOperation};
use serde_json::Value;

use crate::aws::errors::OrAws;
use crate::aws::{errors, AwsContext};
use crate::compile::truthy;
use crate::config::Service;
use crate::error::Result;

const DEFAULT_LOG_FORMAT: &str = "requestId: $context.requestId, ip: $context.identity.sourceIp, caller: $context.identity.caller, user: $context.identity.user, requestTime: $context.requestTime, httpMethod: $context.httpMethod, resourcePath: $context.resourcePath, status: $context.status, protocol: $context.protocol, responseLength: $context.responseLength";

/// The patch operations for the stage, as `(op, path, value)`.
pub fn patch_operations(
    service: &Service,
    partition: &str,
    account: &str,
) -> Vec<(Op, String, Option<String>)> {
    let api = &service.provider.settings.api;
    let mut ops = Vec::new();
    let replace = |path: &str, value: String| (Op::Replace, path.to_string(), Some(value));
    if let Some(t) = &api.rest_api_tracing {
        ops.push(replace("/tracingEnabled", truthy(t).to_string()));
    }
    if let Some(m) = metrics(service) {
        ops.push(replace("/*/*/metrics/enabled", truthy(m).to_string()));
    }
    if let Some(logs) = &api.rest_api_logs {
        if !truthy(logs) {
            ops.push(replace("/*/*/logging/dataTrace", "false".into()));
            ops.push(replace("/*/*/logging/loglevel", "OFF".into()));
        } else {
            let flag = |k: &str| logs.get(k).filter(|v| !v.is_null()).is_none_or(truthy);
            let level = if !flag("executionLogging") {
                "OFF".to_string()
            } else {
                logs.get("level")
                    .and_then(Value::as_str)
                    .unwrap_or("INFO")
                    .to_string()
            };
            if flag("accessLogging") {
                let group = log_group_name(service);
                ops.push(replace(
                    "/accessLogSettings/destinationArn",
                    format!(
                        "arn:{partition}:logs:{}:{account}:log-group:{group}",
                        service.region
                    ),
                ));
                let format = logs
                    .get("format")
                    .and_then(Value::as_str)
                    .unwrap_or(DEFAULT_LOG_FORMAT);
                ops.push(replace("/accessLogSettings/format", format.to_string()));
            } else {
                ops.push((Op::Remove, "/accessLogSettings".into(), None));
            }
            ops.push(replace(
                "/*/*/logging/dataTrace",
                flag("fullExecutionData").to_string(),
            ));
            ops.push(replace("/*/*/logging/loglevel", level));
        }
    }
    ops
}

/// `provider.apiGateway.metrics` when set.
fn metrics(service: &Service) -> Option<&Value> {
    let api_gateway = &service.provider.settings.api.api_gateway;
    api_gateway.get("metrics").filter(|v| !v.is_null())
}

fn stage_name(service: &Service) -> String {
    let api_gateway = &service.provider.settings.api.api_gateway;
    api_gateway
        .get("stage")
        .and_then(Value::as_str)
        .map_or_else(|| service.stage.clone(), str::to_string)
}

fn log_group_name(service: &Service) -> String {
    format!("/aws/api-gateway/{}-{}", service.name, stage_name(service))
}

/// Applies the stage settings to the REST API the stack created. `rest_api_id` comes from the
/// `ServiceEndpoint` output; `stack_id` gives the partition and account.
pub async fn update(
    ctx: &AwsContext,
    service: &Service,
    rest_api_id: &str,
    stack_id: &str,
) -> Result<()> {
    let api = &service.provider.settings.api;
    if api
        .api_gateway
        .get("restApiId")
        .is_some_and(|v| !v.is_null())
    {
        return Ok(());
    }
    let tracing = api.rest_api_tracing.is_some();
    let metrics = metrics(service).is_some();
    let logs = api.rest_api_logs.is_some();
    let tags_configured = api.tags.is_some() || api.stack_tags.is_some();
    if !tracing && !metrics && !logs && !tags_configured {
        return Ok(());
    }
    let mut arn = stack_id.split(':');
    let (partition, account) = (
        arn.nth(1).unwrap_or("aws").to_string(),
        arn.nth(2).unwrap_or_default().to_string(),
    );
    let stage = Stage {
        api: ctx.apigateway(),
        rest_api_id,
        name: stage_name(service),
    };
    let current = stage.current().await?;
    if current.is_none() && !stage.create().await? {
        return Ok(());
    }
    stage
        .patch(patch_operations(service, &partition, &account))
        .await?;
    if tags_configured {
        let have = current
            .as_ref()
            .and_then(|s| s.tags())
            .cloned()
            .unwrap_or_default();
        let resource = format!(
            "arn:{partition}:apigateway:{}::/restapis/{rest_api_id}/stages/{}",
            service.region, stage.name
        );
        stage.tag(&resource, wanted_tags(service), have).await?;
    }
    let access_logging = api
        .rest_api_logs
        .as_ref()
        .filter(|v| truthy(v))
        .is_some_and(|l| {
            l.get("accessLogging")
                .filter(|v| !v.is_null())
                .is_none_or(truthy)
        });
    if !access_logging {
        // Best effort, as Serverless: the group may well not exist.
        let _ = ctx
            .logs()
            .delete_log_group()
            .log_group_name(log_group_name(service))
            .send()
            .await;
    }
    Ok(())
}

/// `stackTags` then `tags` (a key in both takes the value of `tags`), in order.
fn wanted_tags(service: &Service) -> Vec<(String, String)> {
    let api = &service.provider.settings.api;
    let mut wanted: Vec<(String, String)> = Vec::new();
    let stack_tags = api.stack_tags.as_ref().and_then(Value::as_object);
    for source in [stack_tags, api.tags.as_ref()] {
        for (k, v) in source.into_iter().flatten() {
            let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
            match wanted.iter_mut().find(|(key, _)| key == k) {
                Some(slot) => slot.1 = v,
                None => wanted.push((k.clone(), v)),
            }
        }
    }
    wanted
}

/// The stage of the REST API, through the API Gateway API.
struct Stage<'a> {
    api: aws_sdk_apigateway::Client,
    rest_api_id: &'a str,
    name: String,
}

impl Stage<'_> {
    /// The stage as it is, or None when the deployment has not created it.
    async fn current(&self) -> Result<Option<GetStageOutput>> {
        let (stage, rest_api_id) = (&self.name, self.rest_api_id);
        match self
            .api
            .get_stage()
            .rest_api_id(rest_api_id)
            .stage_name(stage)
            .send()
            .await
        {
            Ok(s) => Ok(Some(s)),
            Err(e) if errors::has_code(&e, "NotFoundException") => Ok(None),
            Err(e) => Err(errors::wrap(
                "API_GATEWAY",
                "GET_STAGE",
                format!("read stage {stage} of REST API {rest_api_id}"),
                e,
            )),
        }
    }

    /// Creates the stage on the API's newest deployment; false when the API has no deployment.
    async fn create(&self) -> Result<bool> {
        let (stage, rest_api_id) = (&self.name, self.rest_api_id);
        let deployments = self
            .api
            .get_deployments()
            .rest_api_id(rest_api_id)
            .limit(500)
            .send()
            .await
            .or_aws("API_GATEWAY", "GET_DEPLOYMENTS", || {
                format!("list deployments of REST API {rest_api_id}")
            })?;
        let Some(id) = deployments.items().first().and_then(|d| d.id()) else {
            return Ok(false);
        };
        self.api
            .create_stage()
            .rest_api_id(rest_api_id)
            .stage_name(stage)
            .deployment_id(id)
            .send()
            .await
            .or_aws("API_GATEWAY", "CREATE_STAGE", || {
                format!("create stage {stage} of REST API {rest_api_id}")
            })?;
        Ok(true)
    }

    async fn patch(&self, operations: Vec<(Op, String, Option<String>)>) -> Result<()> {
        let (stage, rest_api_id) = (&self.name, self.rest_api_id);
        let ops: Vec<PatchOperation> = operations
            .into_iter()
            .map(|(op, path, value)| {
                PatchOperation::builder()
                    .op(op)
                    .path(path)
                    .set_value(value)
                    .build()
            })
            .collect();
        if ops.is_empty() {
            return Ok(());
        }
        self.api
            .update_stage()
            .rest_api_id(rest_api_id)
            .stage_name(stage)
            .set_patch_operations(Some(ops))
            .send()
            .await
            .map(|_| ())
            .or_aws("API_GATEWAY", "UPDATE_STAGE", || {
                format!("update stage {stage} of REST API {rest_api_id}")
            })
    }

    /// Tags the stage (`resource`) with `wanted` unless it has exactly those already (`have`), and
    /// removes the tags it has beyond them (AWS's own `aws:` tags stay).
    async fn tag(
        &self,
        resource: &str,
        wanted: Vec<(String, String)>,
        have: HashMap<String, String>,
    ) -> Result<()> {
        let (stage, rest_api_id) = (&self.name, self.rest_api_id);
        let stale: Vec<String> = have
            .keys()
            .filter(|k| !k.starts_with("aws:") && !wanted.iter().any(|(w, _)| w == *k))
            .cloned()
            .collect();
        let same = have.len() == wanted.len() && wanted.iter().all(|(k, v)| have.get(k) == Some(v));
        if !wanted.is_empty() && !same {
            self.api
                .tag_resource()
                .resource_arn(resource)
                .set_tags(Some(wanted.into_iter().collect()))
                .send()
                .await
                .or_aws("API_GATEWAY", "TAG_RESOURCE", || {
                    format!("tag stage {stage} of REST API {rest_api_id}")
                })?;
        }
        if !stale.is_empty() {
            self.api
                .untag_resource()
                .resource_arn(resource)
                .set_tag_keys(Some(stale))
                .send()
                .await
                .or_aws("API_GATEWAY", "UNTAG_RESOURCE", || {
                    format!("untag stage {stage} of REST API {rest_api_id}")
                })?;
        }
        Ok(())
    }
}

/// The REST API id in a `ServiceEndpoint` output (`https://<id>.execute-api.<region>.<suffix>/<stage>`).
pub fn rest_api_id(outputs: &[(String, String)]) -> Option<String> {
    let (_, url) = outputs.iter().find(|(k, _)| k == "ServiceEndpoint")?;
    let host = url.strip_prefix("https://")?;
    let (id, rest) = host.split_once('.')?;
    rest.starts_with("execute-api.").then(|| id.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_the_rest_api_id_from_the_endpoint() {
        let outputs = vec![(
            "ServiceEndpoint".to_string(),
            "https://abc123.execute-api.us-east-1.amazonaws.com/dev".to_string(),
        )];
        assert_eq!(super::rest_api_id(&outputs).as_deref(), Some("abc123"));
        assert_eq!(super::rest_api_id(&[]), None);
    }
}

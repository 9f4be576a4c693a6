//! What makes the API callable: the `AWS::ApiGateway::Deployment` of the stage and the
//! `ServiceEndpoint` output, the permissions letting API Gateway invoke the functions and Lambda
//! authorizers, and the access log group of `provider.logs.restApi`. (The stage's tracing, log and
//! tag settings are applied after the stack update, by `deploy/rest_stage.rs`.)

use serde_json::{json, Map, Value};

use super::super::{alias_logical_id, put};
use super::{authorizers, permission_logical_id, Endpoint};
use crate::compile::targets::{lambda_target, target_alias, truthy};
use crate::config::events::http::text;
use crate::config::Service;

/// The deployment (waiting for every method) and the `ServiceEndpoint` output; the deployment's
/// logical ID. `api` is `provider.apiGateway`.
pub(super) fn deployment(
    service: &Service,
    api: &Map<String, Value>,
    rest_api_id: &Value,
    method_ids: &[String],
    resources: &mut Map<String, Value>,
    outputs: &mut Map<String, Value>,
) -> String {
    let deployment_id = format!(
        "ApiGatewayDeployment{}",
        deployment_instance(resources, method_ids)
    );
    let get = |k: &str| api.get(k).filter(|v| !v.is_null());
    let stage = get("stage")
        .map(text)
        .unwrap_or_else(|| service.stage.clone());
    let mut deployment = Map::new();
    deployment.insert("RestApiId".into(), rest_api_id.clone());
    deployment.insert("StageName".into(), json!(stage));
    put(&mut deployment, "Description", get("description").cloned());
    resources.insert(deployment_id.clone(), json!({ "Type": "AWS::ApiGateway::Deployment", "Properties": deployment, "DependsOn": method_ids }));
    outputs.insert(
        "ServiceEndpoint".into(),
        json!({
            "Description": "URL of the service endpoint",
            "Value": { "Fn::Join": ["", ["https://", rest_api_id, ".execute-api.", { "Ref": "AWS::Region" }, ".", { "Ref": "AWS::URLSuffix" }, format!("/{}", service.stage)]] }
        }),
    );
    deployment_id
}

/// The deployment's instance number. osls uses a random one, so every deploy redeploys the API;
/// slsx derives it from the API's resources, so an unchanged API is not redeployed and a changed
/// one always is.
fn deployment_instance(resources: &Map<String, Value>, method_ids: &[String]) -> u64 {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for (id, r) in resources {
        let kind = r.get("Type").and_then(Value::as_str).unwrap_or_default();
        if kind.starts_with("AWS::ApiGateway::") {
            hasher.update(id.as_bytes());
            hasher.update(crate::compile::collate::deep_sort(r).to_string().as_bytes());
        }
    }
    for id in method_ids {
        hasher.update(id.as_bytes());
    }
    let digest = hasher.finalize();
    let mut n = [0u8; 8];
    n.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(n) % 10_000_000_000_000
}

/// Per function an invoke permission for API Gateway, and one per Lambda authorizer (unless it is
/// managed outside the stack).
pub(super) fn permissions(
    service: &Service,
    endpoints: &[Endpoint],
    rest_api_id: &Value,
    resources: &mut Map<String, Value>,
) {
    for e in endpoints {
        let alias = target_alias(e.function);
        let mut permission =
            invoke_permission(lambda_target(&e.function.key, alias.as_ref()), rest_api_id);
        if let Some((id, _)) = &alias {
            permission["DependsOn"] = json!(id);
        }
        resources.insert(permission_logical_id(&e.function.key), permission);
        let Some(a) = e.event.authorizer.as_ref().filter(|a| a.target.is_some()) else {
            continue;
        };
        let id = permission_logical_id(a.name.as_deref().unwrap_or("undefined"));
        if a.is_cognito() || resources.contains_key(&id) || a.managed_externally {
            continue;
        }
        let function_name = match authorizers::function(service, a).and_then(alias_logical_id) {
            Some(l) => json!({ "Ref": l }),
            None => authorizers::arn(service, a),
        };
        resources.insert(id, invoke_permission(function_name, rest_api_id));
    }
}

fn invoke_permission(function_name: Value, rest_api_id: &Value) -> Value {
    json!({
        "Type": "AWS::Lambda::Permission",
        "Properties": {
            "FunctionName": function_name,
            "Action": "lambda:InvokeFunction",
            "Principal": "apigateway.amazonaws.com",
            "SourceArn": { "Fn::Join": ["", ["arn:", { "Ref": "AWS::Partition" }, ":execute-api:", { "Ref": "AWS::Region" }, ":", { "Ref": "AWS::AccountId" }, ":", rest_api_id, "/*/*"]] }
        }
    })
}

/// `provider.logs.restApi`: the access log group and the custom resource that gives API Gateway
/// its CloudWatch role.
pub(super) fn log_group(service: &Service, resources: &mut Map<String, Value>) {
    let api = &service.provider.settings.api;
    let Some(logs) = api.rest_api_logs.as_ref().filter(|v| truthy(v)) else {
        return;
    };
    if logs
        .get("accessLogging")
        .is_some_and(|v| !v.is_null() && !truthy(v))
    {
        return;
    }
    let name = format!("/aws/api-gateway/{}-{}", service.name, service.stage);
    resources.insert(
        "ApiGatewayLogGroup".into(),
        super::super::api_log_group(service, name),
    );
    crate::compile::custom_resources::add_api_gateway_cloudwatch_role(service, resources, logs);
}

//! Creating and updating the stack through the change set `<stack>-change-set`.

use aws_sdk_cloudformation::types::{Capability, ChangeSetStatus, ChangeSetType, Stack, Tag};

use super::monitor::{self, Action, Tracker};
use crate::aws::{errors, AwsContext};
use crate::compile::naming::change_set_name;
use crate::config::Service;
use crate::error::{Error, Result};
use crate::progress::{ProgressEvent, Reporter};

/// The stack as it is now, or None when it does not exist.
pub async fn describe(ctx: &AwsContext, stack_name: &str) -> Result<Option<Stack>> {
    match ctx
        .cloudformation()
        .describe_stacks()
        .stack_name(stack_name)
        .send()
        .await
    {
        Ok(out) => Ok(out.stacks().first().cloned()),
        Err(e) if errors::is_stack_missing(&e) => Ok(None),
        Err(e) => Err(errors::wrap(
            "CLOUD_FORMATION",
            "DESCRIBE_STACKS",
            format!("describe stack {stack_name}"),
            e,
        )),
    }
}

/// Rejects stacks that another operation owns right now.
pub fn ensure_usable(stack: &Stack) -> Result<()> {
    let status = stack.stack_status().map(|s| s.as_str()).unwrap_or_default();
    let name = stack.stack_name().unwrap_or_default();
    if status == "REVIEW_IN_PROGRESS" {
        return Err(Error::Stack {
            code: "AWS_CLOUDFORMATION_INACTIVE_STACK".into(),
            message: format!(
                "Stack {name} is in REVIEW_IN_PROGRESS: a change set created it but was never executed. \
                 Execute or delete that change set (or delete the stack), then deploy again."
            ),
        });
    }
    if status.ends_with("_IN_PROGRESS") {
        return Err(Error::Stack {
            code: "AWS_CLOUDFORMATION_STACK_BUSY".into(),
            message: format!(
                "Stack {name} is in {status}: another operation is running. Wait for it to finish, then deploy again."
            ),
        });
    }
    Ok(())
}

pub enum TemplateSource<'a> {
    Body(&'a str),
    Url(&'a str),
}

pub struct Outcome {
    /// The change set had nothing to do; it was deleted.
    pub empty: bool,
    pub stack: Option<Stack>,
}

/// The settings every stack operation carries: parameters, notification ARNs, the deployment role and
/// the stack tags (the request builders of CreateChangeSet, CreateStack and UpdateStack share no trait).
macro_rules! stack_settings {
    ($req:expr, $service:expr) => {
        $req.set_parameters(Some(stack_parameters($service)))
            .set_notification_arns(Some(notification_arns($service)))
            .set_role_arn(deployment_role($service))
            .set_tags(Some(stack_tags($service)))
    };
}

/// The id of the newest event of `stack` (its id or name; `stack_name` for messages): where the events
/// of the operation about to start begin.
async fn newest_event(
    cfn: &aws_sdk_cloudformation::Client,
    stack: &str,
    stack_name: &str,
) -> Result<Option<String>> {
    let out = cfn
        .describe_stack_events()
        .stack_name(stack)
        .send()
        .await
        .map_err(|e| {
            errors::wrap(
                "CLOUD_FORMATION",
                "DESCRIBE_STACK_EVENTS",
                format!("read the events of stack {stack_name}"),
                e,
            )
        })?;
    Ok(out
        .stack_events()
        .first()
        .and_then(|e| e.event_id().map(str::to_string)))
}

/// `provider.deploymentMethod: direct`: stacks are created and updated without change sets.
pub fn is_direct(service: &Service) -> bool {
    service
        .provider
        .raw
        .get("deploymentMethod")
        .and_then(|m| m.as_str())
        == Some("direct")
}

/// Creates or updates the stack with `template` the way the service asks (`is_direct`).
pub async fn deploy(
    ctx: &AwsContext,
    service: &Service,
    template: TemplateSource<'_>,
    transform: bool,
    action: Action,
    reporter: &dyn Reporter,
) -> Result<Outcome> {
    if is_direct(service) {
        deploy_direct(ctx, service, template, transform, action, reporter).await
    } else {
        deploy_change_set(ctx, service, template, transform, action, reporter).await
    }
}

/// Creates (CREATE) or updates (UPDATE) the stack through its change set and follows it to the end.
async fn deploy_change_set(
    ctx: &AwsContext,
    service: &Service,
    template: TemplateSource<'_>,
    transform: bool,
    action: Action,
    reporter: &dyn Reporter,
) -> Result<Outcome> {
    let cfn = ctx.cloudformation();
    let stack_name = service.stack_name();
    let cs_name = change_set_name(&stack_name);

    let created = match create_change_set(ctx, service, &template, action, transform).await {
        Err(e) if e.aws_code() == Some("AlreadyExistsException") => {
            // A change set left by an interrupted deploy: remove it and try once more.
            delete_change_set(ctx, &stack_name, &cs_name).await?;
            create_change_set(ctx, service, &template, action, transform).await?
        }
        other => other?,
    };
    let change_set_id = created.id().unwrap_or(&cs_name).to_string();
    let stack_id = created.stack_id().unwrap_or(&stack_name).to_string();

    // Wait for the change set.
    let mut delays = monitor::poll_delays();
    let changes = loop {
        let cs = cfn
            .describe_change_set()
            .change_set_name(&change_set_id)
            .stack_name(&stack_id)
            .send()
            .await
            .map_err(|e| {
                errors::wrap(
                    "CLOUD_FORMATION",
                    "DESCRIBE_CHANGE_SET",
                    format!("describe change set {cs_name}"),
                    e,
                )
            })?;
        match cs.status() {
            Some(ChangeSetStatus::CreateComplete) => break cs.changes().len() as u32,
            Some(ChangeSetStatus::CreatePending | ChangeSetStatus::CreateInProgress) | None => {
                tokio::time::sleep(delays.next().unwrap_or_default()).await;
            }
            Some(status) => {
                let reason = cs.status_reason().unwrap_or_default();
                if is_without_changes(reason) {
                    delete_change_set(ctx, &stack_id, &change_set_id).await?;
                    return Ok(Outcome {
                        empty: true,
                        stack: None,
                    });
                }
                return Err(Error::Stack {
                    code: "AWS_CLOUD_FORMATION_CHANGE_SET_CREATION_FAILED".into(),
                    message: format!(
                        "Could not create change set {cs_name} ({}): {reason}",
                        status.as_str()
                    ),
                });
            }
        }
    };

    // The newest event before executing marks where this operation's events begin.
    let boundary = match action {
        Action::Create => None,
        Action::Update => newest_event(&cfn, &stack_id, &stack_name).await?,
    };

    cfn.execute_change_set()
        .change_set_name(&change_set_id)
        .stack_name(&stack_id)
        .set_disable_rollback(disable_rollback(service))
        .send()
        .await
        .map_err(|e| {
            errors::wrap(
                "CLOUD_FORMATION",
                "EXECUTE_CHANGE_SET",
                format!("execute change set {cs_name}"),
                e,
            )
        })?;

    let tracker = Tracker::new(&stack_name, action, boundary, Some(changes));
    let tracker = monitor::follow(&cfn, &stack_id, tracker, reporter).await?;
    if let Some(err) = tracker.error(ctx.region(), &stack_id) {
        return Err(err);
    }
    if let Some(f) = &tracker.failure {
        // Completed although a resource reported a failure (e.g. a cleanup step): say so.
        reporter.report(ProgressEvent::Warning {
            message: format!("{} - {}: {}", f.logical_id, f.status, f.reason),
        });
    }
    // Applied after execution, so it can name the resources the update created.
    if let Some(policy) = stack_policy(service) {
        cfn.set_stack_policy()
            .stack_name(&stack_id)
            .stack_policy_body(policy)
            .send()
            .await
            .map_err(|e| {
                errors::wrap(
                    "CLOUD_FORMATION",
                    "SET_STACK_POLICY",
                    format!("set the policy of stack {stack_name}"),
                    e,
                )
            })?;
    }
    let stack = describe(ctx, &stack_id).await?;
    Ok(Outcome {
        empty: false,
        stack,
    })
}

/// `deploymentMethod: direct`: CreateStack / UpdateStack, followed to the end. "No updates are to be
/// performed" is an empty update.
async fn deploy_direct(
    ctx: &AwsContext,
    service: &Service,
    template: TemplateSource<'_>,
    transform: bool,
    action: Action,
    reporter: &dyn Reporter,
) -> Result<Outcome> {
    let cfn = ctx.cloudformation();
    let stack_name = service.stack_name();
    let mut capabilities = vec![Capability::CapabilityIam, Capability::CapabilityNamedIam];
    if transform {
        capabilities.push(Capability::CapabilityAutoExpand);
    }
    let (stack_id, boundary) = match action {
        Action::Create => {
            let mut req = stack_settings!(
                cfn.create_stack()
                    .stack_name(&stack_name)
                    .set_capabilities(Some(capabilities)),
                service
            );
            req = if disable_rollback(service) == Some(true) {
                req.disable_rollback(true)
            } else {
                req.on_failure(aws_sdk_cloudformation::types::OnFailure::Delete)
            };
            req = match template {
                TemplateSource::Body(b) => req.template_body(b),
                TemplateSource::Url(u) => req.template_url(u),
            };
            let out = req.send().await.map_err(|e| {
                errors::wrap(
                    "CLOUD_FORMATION",
                    "CREATE_STACK",
                    format!("create stack {stack_name}"),
                    e,
                )
            })?;
            (out.stack_id().unwrap_or(&stack_name).to_string(), None)
        }
        Action::Update => {
            let boundary = newest_event(&cfn, &stack_name, &stack_name).await?;
            let mut req = stack_settings!(
                cfn.update_stack()
                    .stack_name(&stack_name)
                    .set_capabilities(Some(capabilities)),
                service
            )
            .set_rollback_configuration(rollback_configuration(service))
            .set_disable_rollback(disable_rollback(service))
            .set_stack_policy_body(stack_policy(service));
            req = match template {
                TemplateSource::Body(b) => req.template_body(b),
                TemplateSource::Url(u) => req.template_url(u),
            };
            match req.send().await {
                Ok(out) => (out.stack_id().unwrap_or(&stack_name).to_string(), boundary),
                Err(e) if errors::is_no_updates(&e) => {
                    return Ok(Outcome {
                        empty: true,
                        stack: None,
                    });
                }
                Err(e) => {
                    return Err(errors::wrap(
                        "CLOUD_FORMATION",
                        "UPDATE_STACK",
                        format!("update stack {stack_name}"),
                        e,
                    ))
                }
            }
        }
    };
    let tracker = monitor::follow(
        &cfn,
        &stack_id,
        Tracker::new(&stack_name, action, boundary, None),
        reporter,
    )
    .await?;
    if let Some(err) = tracker.error(ctx.region(), &stack_id) {
        return Err(err);
    }
    Ok(Outcome {
        empty: false,
        stack: describe(ctx, &stack_id).await?,
    })
}

async fn create_change_set(
    ctx: &AwsContext,
    service: &Service,
    template: &TemplateSource<'_>,
    action: Action,
    transform: bool,
) -> Result<aws_sdk_cloudformation::operation::create_change_set::CreateChangeSetOutput> {
    let stack_name = service.stack_name();
    let mut req = ctx
        .cloudformation()
        .create_change_set()
        .stack_name(&stack_name)
        .change_set_name(change_set_name(&stack_name))
        .change_set_type(match action {
            Action::Create => ChangeSetType::Create,
            Action::Update => ChangeSetType::Update,
        })
        .capabilities(Capability::CapabilityIam)
        .capabilities(Capability::CapabilityNamedIam)
        .set_rollback_configuration(rollback_configuration(service));
    req = stack_settings!(req, service);
    if transform {
        req = req.capabilities(Capability::CapabilityAutoExpand);
    }
    req = match template {
        TemplateSource::Body(body) => req.template_body(*body),
        TemplateSource::Url(url) => req.template_url(*url),
    };
    req.send().await.map_err(|e| {
        errors::wrap(
            "CLOUD_FORMATION",
            "CREATE_CHANGE_SET",
            format!("create change set for stack {stack_name}"),
            e,
        )
    })
}

async fn delete_change_set(ctx: &AwsContext, stack: &str, change_set: &str) -> Result<()> {
    ctx.cloudformation()
        .delete_change_set()
        .stack_name(stack)
        .change_set_name(change_set)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            errors::wrap(
                "CLOUD_FORMATION",
                "DELETE_CHANGE_SET",
                format!("delete change set {change_set}"),
                e,
            )
        })
}

/// `STAGE=<stage>` merged with `provider.stackTags` (a stackTags key spelled `stage` in any case
/// replaces it).
pub fn stack_tags(service: &Service) -> Vec<Tag> {
    let mut tags: Vec<(String, String)> = vec![("STAGE".into(), service.stage.clone())];
    if let Some(serde_json::Value::Object(extra)) = service.provider.raw.get("stackTags") {
        for (k, v) in extra {
            if k.eq_ignore_ascii_case("STAGE") {
                tags.retain(|(key, _)| key != "STAGE");
            }
            let value = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            tags.push((k.clone(), value));
        }
    }
    tags.into_iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

/// `provider.stackParameters` (`[{ ParameterKey, ParameterValue, UsePreviousValue, ResolvedValue }]`).
fn stack_parameters(service: &Service) -> Vec<aws_sdk_cloudformation::types::Parameter> {
    let Some(serde_json::Value::Array(list)) = service.provider.raw.get("stackParameters") else {
        return Vec::new();
    };
    list.iter()
        .map(|p| {
            let text = |k: &str| {
                p.get(k)
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            };
            aws_sdk_cloudformation::types::Parameter::builder()
                .set_parameter_key(text("ParameterKey"))
                .set_parameter_value(text("ParameterValue"))
                .set_use_previous_value(p.get("UsePreviousValue").and_then(|v| v.as_bool()))
                .set_resolved_value(text("ResolvedValue"))
                .build()
        })
        .collect()
}

/// `provider.notificationArns`, always sent (an empty list clears ARNs set elsewhere, as Serverless does).
fn notification_arns(service: &Service) -> Vec<String> {
    match service.provider.raw.get("notificationArns") {
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// `provider.disableRollback`.
fn disable_rollback(service: &Service) -> Option<bool> {
    service
        .provider
        .raw
        .get("disableRollback")
        .and_then(|v| v.as_bool())
}

/// `provider.stackPolicy` (a list of statements) as a policy document.
fn stack_policy(service: &Service) -> Option<String> {
    match service.provider.raw.get("stackPolicy") {
        Some(serde_json::Value::Array(statements)) if !statements.is_empty() => {
            Some(serde_json::json!({ "Statement": statements }).to_string())
        }
        _ => None,
    }
}

/// `provider.rollbackConfiguration`: `{ RollbackTriggers: [{ Arn, Type }], MonitoringTimeInMinutes }`.
fn rollback_configuration(
    service: &Service,
) -> Option<aws_sdk_cloudformation::types::RollbackConfiguration> {
    let config = service.provider.raw.get("rollbackConfiguration")?;
    let triggers = config
        .get("RollbackTriggers")
        .and_then(|t| t.as_array())
        .map(|list| {
            list.iter()
                .filter_map(|t| {
                    Some(
                        aws_sdk_cloudformation::types::RollbackTrigger::builder()
                            .arn(t.get("Arn")?.as_str()?)
                            .r#type(t.get("Type")?.as_str()?)
                            .build(),
                    )
                })
                .collect()
        });
    Some(
        aws_sdk_cloudformation::types::RollbackConfiguration::builder()
            .set_rollback_triggers(triggers)
            .set_monitoring_time_in_minutes(
                config
                    .get("MonitoringTimeInMinutes")
                    .and_then(|m| m.as_i64())
                    .map(|m| m as i32),
            )
            .build(),
    )
}

/// `provider.iam.deploymentRole` (legacy `provider.cfnRole`): the role CloudFormation acts as.
fn deployment_role(service: &Service) -> Option<String> {
    let raw = &service.provider.raw;
    raw.get("iam")
        .and_then(|i| i.get("deploymentRole"))
        .or_else(|| raw.get("cfnRole"))
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

/// CloudFormation's two ways of saying a change set is empty. A failed change set carries no error
/// code, only this status reason: the texts are `aws::errors`'s, where every such match lives.
pub fn is_without_changes(reason: &str) -> bool {
    reason.contains(errors::NO_UPDATES) || reason.contains(errors::NO_CHANGES)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Service, ServiceOptions};

    fn service(yaml: &str) -> Service {
        let dir =
            std::env::temp_dir().join(format!("slsx-stack-{}-{}", std::process::id(), yaml.len()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("serverless.yml"), yaml).unwrap();
        Service::load(&ServiceOptions {
            service_path: dir,
            ..Default::default()
        })
        .unwrap()
    }

    #[test]
    fn stack_tags_merge_stage_and_stack_tags() {
        let s = service(
            "service: svc-a\nprovider:\n  name: aws\n  stackTags:\n    team: core\n    n: 1\n",
        );
        let tags: Vec<(String, String)> = stack_tags(&s)
            .iter()
            .map(|t| (t.key().unwrap().into(), t.value().unwrap().into()))
            .collect();
        assert_eq!(
            tags,
            [
                ("STAGE".into(), "dev".into()),
                ("team".into(), "core".into()),
                ("n".into(), "1".into())
            ]
        );
        let s =
            service("service: svc-a\nprovider:\n  name: aws\n  stackTags:\n    stage: custom\n");
        let tags: Vec<(String, String)> = stack_tags(&s)
            .iter()
            .map(|t| (t.key().unwrap().into(), t.value().unwrap().into()))
            .collect();
        assert_eq!(tags, [("stage".into(), "custom".into())]);
    }

    #[test]
    fn parameters_notifications_and_deployment_role() {
        let s = service("service: svc-b\nprovider:\n  name: aws\n  stackParameters:\n    - ParameterKey: P\n      ParameterValue: v\n  notificationArns: [arn:aws:sns:us-east-1:1:t]\n  iam:\n    deploymentRole: arn:aws:iam::1:role/cfn\n");
        let p = stack_parameters(&s);
        assert_eq!(
            (p[0].parameter_key(), p[0].parameter_value()),
            (Some("P"), Some("v"))
        );
        assert_eq!(notification_arns(&s), ["arn:aws:sns:us-east-1:1:t"]);
        assert_eq!(
            deployment_role(&s).as_deref(),
            Some("arn:aws:iam::1:role/cfn")
        );
    }
}

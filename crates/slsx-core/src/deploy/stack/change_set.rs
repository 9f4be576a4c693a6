//! Creating (CREATE) or updating (UPDATE) the stack through its change set `<stack>-change-set`:
//! created (a leftover of an interrupted deploy removed first), waited for, executed and followed.

use aws_sdk_cloudformation::operation::create_change_set::CreateChangeSetOutput;
use aws_sdk_cloudformation::types::{Capability, ChangeSetStatus, ChangeSetType};

use super::settings::{rollback_configuration, stack_settings};
use super::{describe, is_without_changes, newest_event, Outcome, Request, TemplateSource};
use crate::aws::errors::OrAws;
use crate::aws::AwsContext;
use crate::compile::naming::change_set_name;
use crate::config::Service;
use crate::deploy::monitor::{self, Action, Tracker};
use crate::error::{Error, Result};
use crate::progress::{ProgressEvent, Reporter};

/// Creates (CREATE) or updates (UPDATE) the stack through its change set and follows it to the end.
pub(super) async fn deploy_change_set(
    ctx: &AwsContext,
    request: Request<'_>,
    reporter: &dyn Reporter,
) -> Result<Outcome> {
    let service = request.service;
    let cfn = ctx.cloudformation();
    let stack_name = service.stack_name();
    let cs_name = change_set_name(&stack_name);

    let created = match create_change_set(
        ctx,
        service,
        &request.template,
        request.action,
        request.transform,
    )
    .await
    {
        Err(e) if e.aws_code() == Some("AlreadyExistsException") => {
            // A change set left by an interrupted deploy: remove it and try once more.
            delete_change_set(ctx, &stack_name, &cs_name).await?;
            create_change_set(
                ctx,
                service,
                &request.template,
                request.action,
                request.transform,
            )
            .await?
        }
        other => other?,
    };
    let change_set = ChangeSet {
        id: created.id().unwrap_or(&cs_name).to_string(),
        stack_id: created.stack_id().unwrap_or(&stack_name).to_string(),
        name: cs_name,
    };
    let Some(changes) = wait_for(ctx, &change_set).await? else {
        return Ok(Outcome {
            empty: true,
            stack: None,
        });
    };

    // The newest event before executing marks where this operation's events begin.
    let boundary = match request.action {
        Action::Create => None,
        Action::Update => newest_event(&cfn, &change_set.stack_id, &stack_name).await?,
    };
    execute(ctx, service, &change_set).await?;

    let stack_id = &change_set.stack_id;
    let tracker = Tracker::new(&stack_name, request.action, boundary, Some(changes));
    let tracker = monitor::follow(&cfn, stack_id, tracker, reporter).await?;
    if let Some(err) = tracker.error(ctx.region(), stack_id) {
        return Err(err);
    }
    if let Some(f) = &tracker.failure {
        // Completed although a resource reported a failure (e.g. a cleanup step): say so.
        reporter.report(ProgressEvent::Warning {
            message: format!("{} - {}: {}", f.logical_id, f.status, f.reason),
        });
    }
    // Applied after execution, so it can name the resources the update created.
    if let Some(policy) = service.provider.settings.stack.policy.clone() {
        cfn.set_stack_policy()
            .stack_name(stack_id)
            .stack_policy_body(policy)
            .send()
            .await
            .or_aws("CLOUD_FORMATION", "SET_STACK_POLICY", || {
                format!("set the policy of stack {stack_name}")
            })?;
    }
    Ok(Outcome {
        empty: false,
        stack: describe(ctx, stack_id).await?,
    })
}

/// The change set created: its id, its stack's id and its name (for messages).
struct ChangeSet {
    id: String,
    stack_id: String,
    name: String,
}

/// Waits until the change set is created; the number of its changes, or None when it has nothing to do
/// (then it is deleted).
async fn wait_for(ctx: &AwsContext, cs: &ChangeSet) -> Result<Option<u32>> {
    let cfn = ctx.cloudformation();
    let mut delays = monitor::poll_delays();
    loop {
        let out = cfn
            .describe_change_set()
            .change_set_name(&cs.id)
            .stack_name(&cs.stack_id)
            .send()
            .await
            .or_aws("CLOUD_FORMATION", "DESCRIBE_CHANGE_SET", || {
                format!("describe change set {}", cs.name)
            })?;
        match out.status() {
            Some(ChangeSetStatus::CreateComplete) => return Ok(Some(out.changes().len() as u32)),
            Some(ChangeSetStatus::CreatePending | ChangeSetStatus::CreateInProgress) | None => {
                tokio::time::sleep(delays.next().unwrap_or_default()).await;
            }
            Some(status) => {
                let reason = out.status_reason().unwrap_or_default();
                if is_without_changes(reason) {
                    delete_change_set(ctx, &cs.stack_id, &cs.id).await?;
                    return Ok(None);
                }
                return Err(Error::Stack {
                    code: "AWS_CLOUD_FORMATION_CHANGE_SET_CREATION_FAILED".into(),
                    message: format!(
                        "Could not create change set {} ({}): {reason}",
                        cs.name,
                        status.as_str()
                    ),
                });
            }
        }
    }
}

async fn execute(ctx: &AwsContext, service: &Service, cs: &ChangeSet) -> Result<()> {
    ctx.cloudformation()
        .execute_change_set()
        .change_set_name(&cs.id)
        .stack_name(&cs.stack_id)
        .set_disable_rollback(service.provider.settings.stack.disable_rollback)
        .send()
        .await
        .map(|_| ())
        .or_aws("CLOUD_FORMATION", "EXECUTE_CHANGE_SET", || {
            format!("execute change set {}", cs.name)
        })
}

async fn create_change_set(
    ctx: &AwsContext,
    service: &Service,
    template: &TemplateSource<'_>,
    action: Action,
    transform: bool,
) -> Result<CreateChangeSetOutput> {
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
    req.send()
        .await
        .or_aws("CLOUD_FORMATION", "CREATE_CHANGE_SET", || {
            format!("create change set for stack {stack_name}")
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
        .or_aws("CLOUD_FORMATION", "DELETE_CHANGE_SET", || {
            format!("delete change set {change_set}")
        })
}

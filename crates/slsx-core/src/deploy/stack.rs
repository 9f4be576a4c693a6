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
    match ctx.cloudformation().describe_stacks().stack_name(stack_name).send().await {
        Ok(out) => Ok(out.stacks().first().cloned()),
        Err(e) if errors::is_stack_missing(&e) => Ok(None),
        Err(e) => Err(errors::wrap("CLOUD_FORMATION", "DESCRIBE_STACKS", format!("describe stack {stack_name}"), e)),
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

/// Creates (CREATE) or updates (UPDATE) the stack through its change set and follows it to the end.
pub async fn deploy_change_set(
    ctx: &AwsContext,
    service: &Service,
    template: TemplateSource<'_>,
    action: Action,
    reporter: &dyn Reporter,
) -> Result<Outcome> {
    let cfn = ctx.cloudformation();
    let stack_name = service.stack_name();
    let cs_name = change_set_name(&stack_name);

    let created = match create_change_set(ctx, service, &template, action).await {
        Err(e) if e.code().ends_with("ALREADY_EXISTS_EXCEPTION") => {
            // A change set left by an interrupted deploy: remove it and try once more.
            delete_change_set(ctx, &stack_name, &cs_name).await?;
            create_change_set(ctx, service, &template, action).await?
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
            .map_err(|e| errors::wrap("CLOUD_FORMATION", "DESCRIBE_CHANGE_SET", format!("describe change set {cs_name}"), e))?;
        match cs.status() {
            Some(ChangeSetStatus::CreateComplete) => break cs.changes().len() as u32,
            Some(ChangeSetStatus::CreatePending | ChangeSetStatus::CreateInProgress) | None => {
                tokio::time::sleep(delays.next().unwrap_or_default()).await;
            }
            Some(status) => {
                let reason = cs.status_reason().unwrap_or_default();
                if is_without_changes(reason) {
                    delete_change_set(ctx, &stack_id, &change_set_id).await?;
                    return Ok(Outcome { empty: true, stack: None });
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
        Action::Update => cfn
            .describe_stack_events()
            .stack_name(&stack_id)
            .send()
            .await
            .map_err(|e| errors::wrap("CLOUD_FORMATION", "DESCRIBE_STACK_EVENTS", format!("read the events of stack {stack_name}"), e))?
            .stack_events()
            .first()
            .and_then(|e| e.event_id().map(str::to_string)),
    };

    cfn.execute_change_set()
        .change_set_name(&change_set_id)
        .stack_name(&stack_id)
        .send()
        .await
        .map_err(|e| errors::wrap("CLOUD_FORMATION", "EXECUTE_CHANGE_SET", format!("execute change set {cs_name}"), e))?;

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
    let stack = describe(ctx, &stack_id).await?;
    Ok(Outcome { empty: false, stack })
}

async fn create_change_set(
    ctx: &AwsContext,
    service: &Service,
    template: &TemplateSource<'_>,
    action: Action,
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
        .set_parameters(Some(Vec::new()))
        .set_notification_arns(Some(Vec::new()))
        .set_tags(Some(stack_tags(service)));
    req = match template {
        TemplateSource::Body(body) => req.template_body(*body),
        TemplateSource::Url(url) => req.template_url(*url),
    };
    req.send().await.map_err(|e| {
        errors::wrap("CLOUD_FORMATION", "CREATE_CHANGE_SET", format!("create change set for stack {stack_name}"), e)
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
        .map_err(|e| errors::wrap("CLOUD_FORMATION", "DELETE_CHANGE_SET", format!("delete change set {change_set}"), e))
}

/// `STAGE=<stage>` (later: merged with `provider.stackTags`).
fn stack_tags(service: &Service) -> Vec<Tag> {
    vec![Tag::builder().key("STAGE").value(&service.stage).build()]
}

/// CloudFormation's two ways of saying a change set is empty.
pub fn is_without_changes(reason: &str) -> bool {
    reason.contains("No updates are to be performed")
        || reason.contains("The submitted information didn't contain changes")
}

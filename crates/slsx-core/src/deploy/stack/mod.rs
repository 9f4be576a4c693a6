//! The stack: described, checked for another operation in progress, and created or updated — through
//! its change set (`change_set`) or, with `deploymentMethod: direct`, without one (`direct`) — with
//! the settings `settings` reads from `provider`.

mod change_set;
mod direct;
mod settings;
#[cfg(test)]
mod tests;

use aws_sdk_cloudformation::types::Stack;

use crate::aws::errors::OrAws;
use crate::aws::{errors, AwsContext};
use crate::config::Service;
use crate::deploy::monitor::Action;
use crate::error::{Error, Result};
use crate::progress::Reporter;

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
        .or_aws("CLOUD_FORMATION", "DESCRIBE_STACK_EVENTS", || {
            format!("read the events of stack {stack_name}")
        })?;
    Ok(out
        .stack_events()
        .first()
        .and_then(|e| e.event_id().map(str::to_string)))
}

/// `provider.deploymentMethod: direct`: stacks are created and updated without change sets.
pub fn is_direct(service: &Service) -> bool {
    service.provider.settings.stack.direct
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
    let request = Request {
        service,
        template,
        transform,
        action,
    };
    if is_direct(service) {
        direct::deploy_direct(ctx, request, reporter).await
    } else {
        change_set::deploy_change_set(ctx, request, reporter).await
    }
}

/// One stack deployment: the service, its template, whether the template needs
/// `CAPABILITY_AUTO_EXPAND` (a transform), create or update.
struct Request<'a> {
    service: &'a Service,
    template: TemplateSource<'a>,
    transform: bool,
    action: Action,
}

/// CloudFormation's two ways of saying a change set is empty. A failed change set carries no error
/// code, only this status reason: the texts are `aws::errors`'s, where every such match lives.
pub fn is_without_changes(reason: &str) -> bool {
    reason.contains(errors::NO_UPDATES) || reason.contains(errors::NO_CHANGES)
}

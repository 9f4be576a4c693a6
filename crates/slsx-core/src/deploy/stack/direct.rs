//! `provider.deploymentMethod: direct`: the stack created and updated without change sets
//! (CreateStack / UpdateStack), followed to the end.

use aws_sdk_cloudformation::types::{Capability, OnFailure};

use super::settings::{rollback_configuration, stack_settings};
use super::{describe, newest_event, Outcome, Request, TemplateSource};
use crate::aws::errors::OrAws;
use crate::aws::{errors, AwsContext};
use crate::config::Service;
use crate::deploy::monitor::{self, Action, Tracker};
use crate::error::Result;
use crate::progress::Reporter;

/// CreateStack / UpdateStack with `template`, followed to the end. "No updates are to be performed"
/// is an empty update.
pub(super) async fn deploy_direct(
    ctx: &AwsContext,
    request: Request<'_>,
    reporter: &dyn Reporter,
) -> Result<Outcome> {
    let service = request.service;
    let stack_name = service.stack_name();
    let mut capabilities = vec![Capability::CapabilityIam, Capability::CapabilityNamedIam];
    if request.transform {
        capabilities.push(Capability::CapabilityAutoExpand);
    }
    let started = match request.action {
        Action::Create => Some(create(ctx, service, request.template, capabilities).await?),
        Action::Update => update(ctx, service, request.template, capabilities).await?,
    };
    let Some((stack_id, boundary)) = started else {
        return Ok(Outcome {
            empty: true,
            stack: None,
        });
    };
    let tracker = monitor::follow(
        &ctx.cloudformation(),
        &stack_id,
        Tracker::new(&stack_name, request.action, boundary, None),
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

/// CreateStack; the stack's id, and no event boundary (the stack has no older events).
async fn create(
    ctx: &AwsContext,
    service: &Service,
    template: TemplateSource<'_>,
    capabilities: Vec<Capability>,
) -> Result<(String, Option<String>)> {
    let stack_name = service.stack_name();
    let mut req = stack_settings!(
        ctx.cloudformation()
            .create_stack()
            .stack_name(&stack_name)
            .set_capabilities(Some(capabilities)),
        service
    );
    req = if service.provider.settings.stack.disable_rollback == Some(true) {
        req.disable_rollback(true)
    } else {
        req.on_failure(OnFailure::Delete)
    };
    req = match template {
        TemplateSource::Body(b) => req.template_body(b),
        TemplateSource::Url(u) => req.template_url(u),
    };
    let out = req
        .send()
        .await
        .or_aws("CLOUD_FORMATION", "CREATE_STACK", || {
            format!("create stack {stack_name}")
        })?;
    Ok((out.stack_id().unwrap_or(&stack_name).to_string(), None))
}

/// UpdateStack; the stack's id and where this operation's events begin, or None when CloudFormation
/// answered that there is nothing to update.
async fn update(
    ctx: &AwsContext,
    service: &Service,
    template: TemplateSource<'_>,
    capabilities: Vec<Capability>,
) -> Result<Option<(String, Option<String>)>> {
    let cfn = ctx.cloudformation();
    let stack_name = service.stack_name();
    let boundary = newest_event(&cfn, &stack_name, &stack_name).await?;
    let mut req = stack_settings!(
        cfn.update_stack()
            .stack_name(&stack_name)
            .set_capabilities(Some(capabilities)),
        service
    )
    .set_rollback_configuration(rollback_configuration(service))
    .set_disable_rollback(service.provider.settings.stack.disable_rollback)
    .set_stack_policy_body(service.provider.settings.stack.policy.clone());
    req = match template {
        TemplateSource::Body(b) => req.template_body(b),
        TemplateSource::Url(u) => req.template_url(u),
    };
    match req.send().await {
        Ok(out) => Ok(Some((
            out.stack_id().unwrap_or(&stack_name).to_string(),
            boundary,
        ))),
        Err(e) if errors::is_no_updates(&e) => Ok(None),
        Err(e) => Err(errors::wrap(
            "CLOUD_FORMATION",
            "UPDATE_STACK",
            format!("update stack {stack_name}"),
            e,
        )),
    }
}

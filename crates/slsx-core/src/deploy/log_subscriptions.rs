//! Before the stack update, the subscription filters of the `cloudwatchLog` log groups that this stack
//! made for an event the service no longer has are deleted, as osls 4.3.1's `checkForChanges` does.
//! CloudWatch Logs allows two filters per log group and CloudFormation creates a replacement filter
//! before it deletes the old one, so an event moved to another function (or reordered) would otherwise
//! fail the update. Filters made outside the stack are never deleted: when they leave no room for the
//! service's own, the deploy stops before anything changes.

use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures::{StreamExt, TryStreamExt};

use crate::aws::{errors, AwsContext};
use crate::compile::naming::normalized_name;
use crate::compile::target_alias;
use crate::config::events::events_of_type;
use crate::config::{error_at, Service};
use crate::error::Result;

/// CloudWatch Logs' limit of subscription filters per log group.
const FILTERS_PER_LOG_GROUP: usize = 2;

/// One `cloudwatchLog` event: the filter the template will hold for it.
struct Wanted {
    /// Where the event is written, for an error.
    path: String,
    logical_id: String,
    destination_arn: String,
}

/// `stack_exists`: false on a first deploy to a custom bucket (no stack yet, so no filter is the
/// stack's own; osls asks CloudFormation anyway and fails on the missing stack).
pub async fn clean(ctx: &AwsContext, service: &Service, stack_exists: bool) -> Result<()> {
    let mut groups: Vec<(String, Vec<Wanted>)> = Vec::new();
    let mut events = Vec::new();
    for f in &service.functions {
        // Numbered as the compiler numbers the filters (`compile::events::cloudwatch_log`).
        for (serial, (index, log)) in (1..).zip(events_of_type!(f, CloudwatchLog)) {
            let Some(group) = log.log_group.clone().filter(|g| !g.is_empty()) else {
                continue;
            };
            events.push((f, index, serial, group));
        }
    }
    if events.is_empty() {
        return Ok(());
    }
    let (account, partition) = ctx.caller_account().await?;
    for (f, index, serial, group) in events {
        // The template targets the function's alias when it has one (provisioned concurrency,
        // SnapStart), so its filters name the alias ARN. osls compares with the bare ARN and so
        // deletes such a filter on every update, which CloudFormation does not put back.
        let qualifier = target_alias(f).map(|(_, name)| format!(":{name}"));
        let wanted = Wanted {
            path: format!("functions.{}.events.{index}.cloudwatchLog", f.key),
            logical_id: format!(
                "{}LogsSubscriptionFilterCloudWatchLog{serial}",
                normalized_name(&f.key)
            ),
            destination_arn: format!(
                "arn:{partition}:lambda:{}:{account}:function:{}{}",
                service.region,
                f.name,
                qualifier.unwrap_or_default()
            ),
        };
        match groups.iter_mut().find(|(g, _)| *g == group) {
            Some((_, list)) => list.push(wanted),
            None => groups.push((group, vec![wanted])),
        }
    }
    futures::stream::iter(groups)
        .map(|(group, wanted)| fix_group(ctx, service, stack_exists, group, wanted))
        .buffer_unordered(2)
        .try_collect::<Vec<()>>()
        .await?;
    Ok(())
}

/// A filter CloudFormation named: `<stack>-<logical id>-<suffix>` (the stack name may hold dashes).
fn logical_id_of(filter_name: &str) -> Option<&str> {
    let parts: Vec<&str> = filter_name.split('-').collect();
    if parts.len() < 3 {
        return None;
    }
    let id = parts[parts.len() - 2];
    let mut chars = id.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric());
    valid.then_some(id)
}

async fn fix_group(
    ctx: &AwsContext,
    service: &Service,
    stack_exists: bool,
    group: String,
    wanted: Vec<Wanted>,
) -> Result<()> {
    let logs = ctx.logs();
    let existing = match logs
        .describe_subscription_filters()
        .log_group_name(&group)
        .send()
        .await
    {
        Ok(out) => out.subscription_filters().to_vec(),
        Err(e)
            if e.code() == Some("ResourceNotFoundException")
                || e.raw_response().is_some_and(|r| r.status().as_u16() == 404) =>
        {
            Vec::new()
        }
        Err(e) => {
            let op = format!("describe the subscription filters of log group {group}");
            return Err(errors::wrap(
                "CLOUD_WATCH_LOGS",
                "DESCRIBE_SUBSCRIPTION_FILTERS",
                op,
                e,
            ));
        }
    };
    if existing.is_empty() {
        return Ok(());
    }
    let stack = service.stack_name();
    let stack = stack.as_str();
    let owned = futures::future::try_join_all(existing.iter().map(|f| {
        let name = f.filter_name().unwrap_or_default();
        let logical = logical_id_of(name).filter(|_| stack_exists);
        async move {
            match logical {
                Some(id) => made_by_stack(ctx, stack, id, name).await,
                None => Ok(false),
            }
        }
    }))
    .await?;
    let external = owned.iter().filter(|o| !**o).count();
    if external + wanted.len() > FILTERS_PER_LOG_GROUP {
        return Err(error_at(
            service,
            wanted[0].path.clone(),
            "CLOUDWATCHLOG_LOG_GROUP_EVENT_PER_FUNCTION_LIMIT_EXCEEDED",
            format!(
                "Only {FILTERS_PER_LOG_GROUP} subscription filters can be configured per log group. There are subscription filters defined outside of the service definition for \"{group}\" that have to be deleted manually."
            ),
        ));
    }
    let stale = existing.iter().zip(&owned).filter(|(f, own)| {
        let name = f.filter_name().unwrap_or_default();
        **own
            && !wanted.iter().any(|w| {
                Some(w.destination_arn.as_str()) == f.destination_arn()
                    && logical_id_of(name) == Some(w.logical_id.as_str())
            })
    });
    futures::future::try_join_all(stale.map(|(f, _)| {
        let name = f.filter_name().unwrap_or_default().to_string();
        let logs = logs.clone();
        let group = group.clone();
        async move {
            logs.delete_subscription_filter()
                .log_group_name(&group)
                .filter_name(&name)
                .send()
                .await
                .map_err(|e| {
                    let op = format!("delete subscription filter {name} of log group {group}");
                    errors::wrap("CLOUD_WATCH_LOGS", "DELETE_SUBSCRIPTION_FILTER", op, e)
                })
        }
    }))
    .await?;
    Ok(())
}

/// Whether the stack's resource `logical_id` is this filter (osls: a resource the stack does not have
/// means no).
async fn made_by_stack(
    ctx: &AwsContext,
    stack: &str,
    logical_id: &str,
    filter: &str,
) -> Result<bool> {
    match ctx
        .cloudformation()
        .describe_stack_resource()
        .stack_name(stack)
        .logical_resource_id(logical_id)
        .send()
        .await
    {
        Ok(out) => Ok(out
            .stack_resource_detail()
            .and_then(|d| d.physical_resource_id())
            == Some(filter)),
        Err(e) if is_missing_resource(e.code(), e.message()) => Ok(false),
        Err(e) => {
            let op = format!("describe resource {logical_id} of stack {stack}");
            Err(errors::wrap(
                "CLOUD_FORMATION",
                "DESCRIBE_STACK_RESOURCE",
                op,
                e,
            ))
        }
    }
}

/// osls's `isCloudFormationMissingResourceError`.
fn is_missing_resource(code: Option<&str>, message: Option<&str>) -> bool {
    code == Some("ValidationError")
        && message.is_some_and(|m| {
            m.contains("does not exist for stack")
                || m == "Resource does not exist"
                || (m.starts_with("Resource ") && m.contains(" does not exist"))
        })
}

#[cfg(test)]
#[path = "log_subscriptions_tests.rs"]
mod tests;

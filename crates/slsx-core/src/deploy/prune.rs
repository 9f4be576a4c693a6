//! `provider.pruneFunctionVersions`: after a deploy (skipped or not, as osls 4.3.1's
//! `after:deploy:deploy` hook), delete all but the newest N versions of every versioned function —
//! never one an alias points at — and all but the newest N versions of every layer.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::aws::errors::OrAws;
use crate::aws::{errors, AwsContext};
use crate::config::{error_at, Checked, Function, Service};
use crate::error::Result;
use crate::progress::{ProgressEvent, Reporter};

/// How many versions to keep, None when pruning is off. Checked before anything is deployed, as
/// osls's `before:deploy:deploy` does.
pub fn setting(service: &Service) -> Result<Option<u64>> {
    let keep = match service.provider.settings.stack.prune_versions {
        Checked::Valid(None) => return Ok(None),
        Checked::Valid(Some(keep)) => keep,
        Checked::Invalid => return Err(invalid(service)),
    };
    let provider_versions_off = !service.provider.version_functions;
    let durable = service.functions.iter().any(is_durable);
    let prunable = service.functions.iter().any(is_versioned);
    if provider_versions_off && (!durable || prunable) {
        return Err(error_at(
            service,
            "provider.pruneFunctionVersions".into(),
            "PRUNE_INCOMPATIBLE_WITH_VERSION_FUNCTIONS",
            "provider.pruneFunctionVersions cannot be used when provider.versionFunctions is false unless only durable functions force versioning".into(),
        ));
    }
    Ok(Some(keep))
}

fn invalid(service: &Service) -> crate::error::Error {
    error_at(
        service,
        "provider.pruneFunctionVersions".into(),
        "INVALID_PRUNE_FUNCTION_VERSIONS_CONFIG",
        "provider.pruneFunctionVersions must be true or an object with a positive number property"
            .into(),
    )
}

fn is_durable(f: &Function) -> bool {
    f.settings.durable.is_some()
}

/// Durable functions' versions are never pruned (durable executions replay on them).
fn is_versioned(f: &Function) -> bool {
    if is_durable(f) {
        return false;
    }
    f.settings.version_function
}

/// Prunes the functions and the layers concurrently (each one after the other within).
pub async fn prune(
    ctx: &AwsContext,
    service: &Service,
    keep: Option<u64>,
    reporter: &dyn Reporter,
) -> Result<()> {
    let Some(keep) = keep else {
        return Ok(());
    };
    futures::try_join!(
        prune_functions(ctx, service, keep, reporter),
        prune_layers(ctx, service, keep, reporter)
    )?;
    Ok(())
}

async fn prune_functions(
    ctx: &AwsContext,
    service: &Service,
    keep: u64,
    reporter: &dyn Reporter,
) -> Result<()> {
    let lambda = ctx.lambda();
    let (mut pruned, mut durable) = (0usize, 0usize);
    for f in &service.functions {
        if !is_versioned(f) {
            durable += usize::from(is_durable(f));
            continue;
        }
        let (versions, aliased) = futures::try_join!(
            list_versions(&lambda, &f.name),
            list_aliased(&lambda, &f.name)
        )?;
        let candidates = versions
            .into_iter()
            .filter(|v| v != "$LATEST" && !aliased.contains(v));
        for version in beyond_newest(candidates, keep) {
            reporter.report(ProgressEvent::Info {
                message: format!("Deleting function version {}:{version}.", f.name),
            });
            let sent = lambda
                .delete_function()
                .function_name(&f.name)
                .qualifier(&version)
                .send()
                .await;
            match sent {
                Ok(_) => pruned += 1,
                Err(e) if is_replicated(&e) => reporter.report(ProgressEvent::Warning {
                    message: format!(
                        "Unable to delete replicated Lambda@Edge function version {}:{version}.",
                        f.name
                    ),
                }),
                Err(e) => {
                    return Err(errors::wrap(
                        "LAMBDA",
                        "DELETE_FUNCTION",
                        format!("delete function version {}:{version}", f.name),
                        e,
                    ))
                }
            }
        }
    }
    if durable > 0 {
        reporter.report(ProgressEvent::Info {
            message: format!(
                "Skipped pruning {durable} durable function{}; retained versions may be needed for durable execution replay.",
                plural(durable)
            ),
        });
    }
    if pruned > 0 {
        reporter.report(ProgressEvent::Success {
            message: format!("Pruned {pruned} function version{}", plural(pruned)),
        });
    }
    Ok(())
}

async fn prune_layers(
    ctx: &AwsContext,
    service: &Service,
    keep: u64,
    reporter: &dyn Reporter,
) -> Result<()> {
    let lambda = ctx.lambda();
    let mut pruned = 0usize;
    for layer in &service.layers {
        let name = layer
            .name
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| layer.key.clone());
        for version in beyond_newest(list_layer_versions(&lambda, &name).await?, keep) {
            reporter.report(ProgressEvent::Info {
                message: format!("Deleting layer version {name}:{version}."),
            });
            let number = version.parse::<i64>().unwrap_or_default();
            lambda
                .delete_layer_version()
                .layer_name(&name)
                .version_number(number)
                .send()
                .await
                .or_aws("LAMBDA", "DELETE_LAYER_VERSION", || {
                    format!("delete layer version {name}:{version}")
                })?;
            pruned += 1;
        }
    }
    if pruned > 0 {
        reporter.report(ProgressEvent::Success {
            message: format!("Pruned {pruned} layer version{}", plural(pruned)),
        });
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The versions after the newest `keep`, newest first (the order osls deletes them in).
fn beyond_newest(versions: impl IntoIterator<Item = String>, keep: u64) -> Vec<String> {
    let mut versions: Vec<String> = versions.into_iter().collect();
    // Numbers sort numerically; anything else (Lambda sends none) after them.
    versions.sort_by_key(|v| std::cmp::Reverse(v.parse::<u64>().ok()));
    versions
        .into_iter()
        .skip(usize::try_from(keep).unwrap_or(usize::MAX))
        .collect()
}

/// Lambda@Edge replicas keep their version until CloudFront lets go: osls warns and goes on.
fn is_replicated<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> bool {
    matches!(err, SdkError::ServiceError(se)
        if se.raw().status().as_u16() == 400
            && se.err().message().is_some_and(|m| m.starts_with("Lambda was unable to delete")
                && m.contains("because it is a replicated function.")))
}

fn is_not_found<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> bool {
    matches!(err, SdkError::ServiceError(se) if se.err().code() == Some("ResourceNotFoundException"))
}

/// Every version of the function (a function not deployed has none).
async fn list_versions(lambda: &aws_sdk_lambda::Client, name: &str) -> Result<Vec<String>> {
    let op = || format!("list the versions of function {name}");
    list_all(("LIST_VERSIONS_BY_FUNCTION", op), |marker| async move {
        let page = lambda
            .list_versions_by_function()
            .function_name(name)
            .set_marker(marker)
            .send()
            .await;
        page.map(|p| {
            let versions = p.versions().iter();
            let items = versions.filter_map(|v| v.version().map(str::to_string));
            (items.collect(), p.next_marker().map(str::to_string))
        })
    })
    .await
}

/// The versions the function's aliases point at.
async fn list_aliased(lambda: &aws_sdk_lambda::Client, name: &str) -> Result<Vec<String>> {
    let op = || format!("list the aliases of function {name}");
    list_all(("LIST_ALIASES", op), |marker| async move {
        let page = lambda
            .list_aliases()
            .function_name(name)
            .set_marker(marker)
            .send()
            .await;
        page.map(|p| {
            let aliases = p.aliases().iter();
            let items = aliases.filter_map(|a| a.function_version().map(str::to_string));
            (items.collect(), p.next_marker().map(str::to_string))
        })
    })
    .await
}

async fn list_layer_versions(lambda: &aws_sdk_lambda::Client, name: &str) -> Result<Vec<String>> {
    let op = || format!("list the versions of layer {name}");
    list_all(("LIST_LAYER_VERSIONS", op), |marker| async move {
        let page = lambda
            .list_layer_versions()
            .layer_name(name)
            .set_marker(marker)
            .send()
            .await;
        page.map(|p| {
            let versions = p.layer_versions().iter();
            let items = versions.map(|v| v.version().to_string());
            (items.collect(), p.next_marker().map(str::to_string))
        })
    })
    .await
}

/// Follows a Lambda listing's markers to its last page; a resource not found lists nothing (it was
/// never deployed). `call` is (the operation's code, what it does in words).
async fn list_all<E, F, Fut>(
    call: (&str, impl FnOnce() -> String),
    mut page: F,
) -> Result<Vec<String>>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<
        Output = std::result::Result<(Vec<String>, Option<String>), SdkError<E, HttpResponse>>,
    >,
{
    let mut out = Vec::new();
    let mut marker = None;
    loop {
        match page(marker).await {
            Ok((items, next)) => {
                out.extend(items);
                marker = next;
            }
            Err(e) if is_not_found(&e) => return Ok(Vec::new()),
            Err(e) => return Err(errors::wrap("LAMBDA", call.0, call.1(), e)),
        }
        if marker.is_none() {
            return Ok(out);
        }
    }
}

#[cfg(test)]
#[path = "prune_tests.rs"]
mod tests;

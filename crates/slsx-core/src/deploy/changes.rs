//! "Nothing changed": the hashes of the last deployment's template and state (S3 `filesha256`
//! metadata) equal the local ones, and that deployment succeeded.
//!
//! slsx uploads a deployment's `serverless-state.json` only after the stack update succeeded, so a
//! directory whose state file is missing belongs to a deploy that failed, and is never skipped over.

use aws_sdk_cloudformation::types::Stack;

use super::plan::{Plan, STATE_FILE, TEMPLATE_FILE};
use crate::aws::{errors, AwsContext};
use crate::error::Result;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Skip { deployment_dir: String },
    Deploy { reason: String },
}

/// Costs one ListObjectsV2 (per 1000 deployment directories) and two concurrent HeadObject calls.
pub async fn check(ctx: &AwsContext, bucket: &str, plan: &Plan, stack: &Stack) -> Result<Decision> {
    let status = stack.stack_status().map(|s| s.as_str()).unwrap_or_default();
    if !matches!(status, "CREATE_COMPLETE" | "UPDATE_COMPLETE") {
        return Ok(Decision::Deploy {
            reason: format!("the stack is in {status}, not a successful state"),
        });
    }
    let Some(latest) = latest_deployment_dir(ctx, bucket, &plan.service.s3_stage_prefix()).await?
    else {
        return Ok(Decision::Deploy {
            reason: "no previous deployment".into(),
        });
    };
    let s3 = ctx.s3();
    let head = |file: &'static str| {
        let key = format!("{latest}/{file}");
        let s3 = s3.clone();
        async move {
            match s3.head_object().bucket(bucket).key(&key).send().await {
                Ok(o) => Ok(Some(
                    o.metadata().and_then(|m| m.get("filesha256")).cloned(),
                )),
                Err(e) if e.as_service_error().is_some_and(|se| se.is_not_found()) => Ok(None),
                Err(e) => Err(errors::wrap(
                    "S3",
                    "HEAD_OBJECT",
                    format!("read s3://{bucket}/{key}"),
                    e,
                )),
            }
        }
    };
    let (template, state) = tokio::try_join!(head(TEMPLATE_FILE), head(STATE_FILE))?;
    let Some(Some(remote_state)) = state else {
        return Ok(Decision::Deploy {
            reason: "the last deployment did not finish".into(),
        });
    };
    let Some(Some(remote_template)) = template else {
        return Ok(Decision::Deploy {
            reason: "the last deployment has no recorded hashes".into(),
        });
    };
    if remote_template != plan.template_hash || remote_state != plan.state_hash {
        return Ok(Decision::Deploy {
            reason: "the service changed".into(),
        });
    }
    Ok(Decision::Skip {
        deployment_dir: latest,
    })
}

/// The newest `<prefix>/<service>/<stage>/<epochms>-<ISO>` directory, by its numeric timestamp.
pub async fn latest_deployment_dir(
    ctx: &AwsContext,
    bucket: &str,
    stage_prefix: &str,
) -> Result<Option<String>> {
    let prefix = format!("{stage_prefix}/");
    let (_, dirs) = super::listing::list(ctx, bucket, &prefix, Some("/")).await?;
    Ok(dirs
        .iter()
        .filter_map(|dir| {
            let name = dir[prefix.len()..].trim_end_matches('/');
            deployment_timestamp(name).map(|ms| (ms, dir.trim_end_matches('/').to_string()))
        })
        .max_by_key(|(ms, _)| *ms)
        .map(|(_, d)| d))
}

/// `1795749631966-2026-11-27T03:20:31.966Z` -> 1795749631966; other names -> None.
pub fn deployment_timestamp(dir_name: &str) -> Option<u64> {
    let (ms, iso) = dir_name.split_once('-')?;
    let looks_iso = iso.len() >= 19 && iso.as_bytes()[4] == b'-' && iso.as_bytes()[10] == b'T';
    if !looks_iso || ms.is_empty() || !ms.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    ms.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognizes_deployment_directories_only() {
        assert_eq!(
            deployment_timestamp("1795749631966-2026-11-27T03:20:31.966Z"),
            Some(1_795_749_631_966)
        );
        assert_eq!(deployment_timestamp("code-artifacts"), None);
        assert_eq!(deployment_timestamp("12-nope"), None);
    }
}

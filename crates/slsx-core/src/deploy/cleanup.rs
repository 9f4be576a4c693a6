//! After a successful deploy: keep the newest `maxPreviousDeploymentArtifacts` (default 5) deployment
//! directories and every code artifact their templates (nested stacks' too) reference; delete the rest. Never after a
//! failed deploy, so CloudFormation can always roll back to code that is still there.

use std::collections::{BTreeMap, HashSet};

use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use serde_json::Value;

use super::changes::deployment_timestamp;
use super::plan::Plan;
use crate::aws::errors::OrAws;
use crate::aws::AwsContext;
use crate::error::Result;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Cleaned {
    pub deleted: Vec<String>,
}

/// How many deployment directories to keep (`deploymentBucket.maxPreviousDeploymentArtifacts`).
pub fn keep_count(plan: &Plan) -> usize {
    plan.service.provider.settings.stack.keep_deployments
}

pub async fn cleanup(ctx: &AwsContext, bucket: &str, plan: &Plan) -> Result<Cleaned> {
    let s3 = ctx.s3();
    let prefix = format!("{}/", plan.service.s3_stage_prefix());
    let (keys, _) = super::listing::list(ctx, bucket, &prefix, None).await?;
    // Deployment directories, newest first.
    let mut dirs: BTreeMap<u64, String> = BTreeMap::new();
    for key in &keys {
        let rest = &key[prefix.len()..];
        if let Some((dir, _)) = rest.split_once('/') {
            if let Some(ms) = deployment_timestamp(dir) {
                dirs.insert(ms, format!("{prefix}{dir}/"));
            }
        }
    }
    let ordered: Vec<&String> = dirs.values().rev().collect();
    let keep = keep_count(plan);
    let kept: Vec<&String> = ordered.iter().take(keep).copied().collect();
    let old: HashSet<&String> = ordered.iter().skip(keep).copied().collect();

    // Code artifacts stay while a kept template references them — the compiled template or a nested
    // stack's template a plugin uploaded beside it (serverless-plugin-split-stacks moves the functions
    // there) — and everything this deployment uploaded stays in any case.
    let code_prefix = format!("{prefix}code-artifacts/");
    let mut referenced: HashSet<String> = code_keys(&plan.templates.update);
    referenced.extend(plan.artifact_keys.iter().cloned());
    let unreferenced_now = keys
        .iter()
        .any(|k| k.starts_with(&code_prefix) && !referenced.contains(k));
    if unreferenced_now {
        let current = format!("{}/", plan.deployment_dir);
        let templates = keys.iter().filter(|k| {
            kept.iter().any(|d| k.starts_with(d.as_str()))
                && (!k.starts_with(&current) || k.ends_with("-nested-stack.json"))
                && k.ends_with(".json")
                && !k.ends_with(super::plan::STATE_FILE)
        });
        for key in templates {
            if let Ok(out) = s3.get_object().bucket(bucket).key(key).send().await {
                if let Ok(body) = out.body.collect().await {
                    if let Ok(template) = serde_json::from_slice::<Value>(&body.into_bytes()) {
                        referenced.extend(code_keys(&template));
                    }
                }
            }
        }
    }
    let doomed: Vec<String> = keys
        .into_iter()
        .filter(|k| {
            if k.starts_with(&code_prefix) {
                return !referenced.contains(k);
            }
            old.iter().any(|d| k.starts_with(d.as_str()))
        })
        .collect();
    for chunk in doomed.chunks(1000) {
        let objects: Vec<ObjectIdentifier> = chunk
            .iter()
            .filter_map(|k| ObjectIdentifier::builder().key(k).build().ok())
            .collect();
        let delete = Delete::builder()
            .set_objects(Some(objects))
            .quiet(true)
            .build()
            .map_err(|e| crate::Error::Internal {
                message: format!("cannot build the delete request: {e}"),
            })?;
        s3.delete_objects()
            .bucket(bucket)
            .delete(delete)
            .send()
            .await
            .or_aws("S3", "DELETE_OBJECTS", || {
                format!("remove old deployments from s3://{bucket}")
            })?;
    }
    Ok(Cleaned { deleted: doomed })
}

/// The S3 keys of the code (functions and layers) a template deploys.
fn code_keys(template: &Value) -> HashSet<String> {
    let mut out = HashSet::new();
    for r in template
        .get("Resources")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.values())
    {
        for pointer in ["/Properties/Code/S3Key", "/Properties/Content/S3Key"] {
            if let Some(k) = r.pointer(pointer).and_then(Value::as_str) {
                out.insert(k.to_string());
            }
        }
    }
    out
}

//! Uploads: the template into this deployment's directory and the code artifacts content-addressed
//! under `code-artifacts/` (sent only when not already there), all concurrently; the state file once
//! the stack accepted the deployment (see `changes`).
//!
//! The uploads themselves are here; `object` holds the single-object requests, `multipart` sends
//! large artifacts in parts, `encryption` is the deployment bucket's encryption every request carries.

mod encryption;
mod multipart;
mod object;

use std::sync::Arc;

use aws_sdk_s3::primitives::ByteStream;
use tokio::sync::Semaphore;

use self::encryption::Encryption;
use self::multipart::{multipart, multipart_threshold};
use self::object::{exists, put};
use super::plan::{Plan, STATE_FILE, TEMPLATE_FILE};
use crate::aws::AwsContext;
use crate::error::{Error, Result};
use crate::progress::{ProgressEvent, Reporter};

/// At most this many uploads in flight.
const CONCURRENCY: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uploaded {
    pub key: String,
    pub size: u64,
    /// false: the object was already in the bucket.
    pub uploaded: bool,
}

pub async fn upload_all(
    ctx: &AwsContext,
    bucket: &str,
    plan: &Plan,
    reporter: &dyn Reporter,
) -> Result<Vec<Uploaded>> {
    let s3 = ctx.s3();
    let limit = Arc::new(Semaphore::new(CONCURRENCY));
    let template = serde_json::to_vec(&plan.templates.update).map_err(|e| Error::Internal {
        message: format!("cannot serialize the template: {e}"),
    })?;
    let enc = encryption::of(plan);
    let mut tasks = Vec::new();
    {
        let key = format!("{}/{TEMPLATE_FILE}", plan.deployment_dir);
        let (s3, sha, enc) = (s3.clone(), plan.template_hash.clone(), enc.clone());
        let bucket = bucket.to_string();
        tasks.push(tokio::spawn(async move {
            let size = template.len() as u64;
            put(
                &s3,
                &bucket,
                &key,
                ByteStream::from(template),
                &sha,
                "application/json",
                &enc,
            )
            .await?;
            Ok::<_, Error>(Uploaded {
                key,
                size,
                uploaded: true,
            })
        }));
    }
    for (artifact, key) in plan.artifacts.iter().zip(&plan.artifact_keys) {
        let (s3, limit) = (s3.clone(), limit.clone());
        let bucket = bucket.to_string();
        let key = key.clone();
        let artifact = artifact.clone();
        let enc = enc.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = limit.acquire_owned().await;
            let uploaded = send_artifact(&s3, &bucket, &key, &artifact, &enc).await?;
            Ok(Uploaded {
                key,
                size: artifact.size,
                uploaded,
            })
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        let u = t.await.map_err(|e| Error::Internal {
            message: format!("upload task failed: {e}"),
        })??;
        reporter.report(ProgressEvent::ArtifactUploaded {
            key: u.key.clone(),
            size: u.size,
            uploaded: u.uploaded,
        });
        out.push(u);
    }
    Ok(out)
}

/// A deployment bucket deleted by hand: say so, with what to do.
pub(super) fn bucket_gone(bucket: &str, err: Error) -> Error {
    if err.aws_code() == Some("NoSuchBucket") {
        return Error::Stack {
            code: "DEPLOYMENT_BUCKET_REMOVED_MANUALLY".into(),
            message: format!(
                "The deployment bucket \"{bucket}\" was removed manually. Remove the stack, or restore the bucket, then deploy again"
            ),
        };
    }
    err
}

/// One code artifact to its key, unless it is there already (`deploy function` of a large zip).
pub async fn upload_artifact(
    ctx: &AwsContext,
    bucket: &str,
    key: &str,
    artifact: &crate::package::Artifact,
) -> Result<bool> {
    send_artifact(&ctx.s3(), bucket, key, artifact, &Encryption::default()).await
}

/// Uploads `artifact` to `key` unless an object is there already (keys are content-addressed), in
/// parts from the multipart threshold on. Returns whether it uploaded.
async fn send_artifact(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    artifact: &crate::package::Artifact,
    enc: &Encryption,
) -> Result<bool> {
    if exists(s3, bucket, key, enc).await? {
        return Ok(false);
    }
    if artifact.size >= multipart_threshold() {
        multipart(
            s3,
            bucket,
            key,
            &artifact.path,
            artifact.size,
            &artifact.sha256_base64,
            enc,
        )
        .await?;
    } else {
        let body = ByteStream::from_path(&artifact.path).await.map_err(|e| {
            Error::io(
                format!("cannot read \"{}\"", artifact.path.display()),
                std::io::Error::other(e.to_string()),
            )
        })?;
        put(
            s3,
            bucket,
            key,
            body,
            &artifact.sha256_base64,
            "application/zip",
            enc,
        )
        .await?;
    }
    Ok(true)
}

/// Uploads `serverless-state.json`, which marks the deployment as one the stack accepted.
pub async fn upload_state(ctx: &AwsContext, bucket: &str, plan: &Plan) -> Result<Uploaded> {
    let path = plan.out_dir.join(STATE_FILE);
    let body = tokio::fs::read(&path)
        .await
        .map_err(|e| Error::io(format!("cannot read \"{}\"", path.display()), e))?;
    let key = format!("{}/{STATE_FILE}", plan.deployment_dir);
    let size = body.len() as u64;
    put(
        &ctx.s3(),
        bucket,
        &key,
        ByteStream::from(body),
        &plan.state_hash,
        "application/json",
        &encryption::of(plan),
    )
    .await?;
    Ok(Uploaded {
        key,
        size,
        uploaded: true,
    })
}

//! Uploads: the template into this deployment's directory and the code artifacts content-addressed
//! under `code-artifacts/` (sent only when not already there), all concurrently; the state file once
//! the stack accepted the deployment (see `changes`).

use std::sync::Arc;

use aws_sdk_s3::primitives::ByteStream;
use tokio::sync::Semaphore;

use super::plan::{Plan, STATE_FILE, TEMPLATE_FILE};
use crate::aws::{errors, AwsContext};
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
    let enc = Encryption::of(plan);
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

/// The encryption settings of `provider.deploymentBucket`, sent with every upload (and with the
/// existence checks, which SSE-C objects need).
#[derive(Debug, Clone, Default)]
pub struct Encryption {
    pub server_side: Option<String>,
    pub kms_key_id: Option<String>,
    pub customer_algorithm: Option<String>,
    pub customer_key: Option<String>,
    pub customer_key_md5: Option<String>,
}

impl Encryption {
    pub fn of(plan: &Plan) -> Encryption {
        let b = plan.service.provider.raw.get("deploymentBucket");
        let get = |k: &str| {
            b.and_then(|b| b.get(k))
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        Encryption {
            server_side: get("serverSideEncryption"),
            kms_key_id: get("sseKMSKeyId"),
            // Serverless's spelling.
            customer_algorithm: get("sseCustomerAlgorithim")
                .or_else(|| get("sseCustomerAlgorithm")),
            customer_key: get("sseCustomerKey"),
            customer_key_md5: get("sseCustomerKeyMD5"),
        }
    }
}

/// Server-side encryption on a request that writes an object (the S3 request builders share no trait).
macro_rules! with_encryption {
    ($req:expr, $enc:expr) => {
        with_customer_key!(
            $req.set_server_side_encryption(
                $enc.server_side
                    .as_deref()
                    .map(aws_sdk_s3::types::ServerSideEncryption::from)
            )
            .set_ssekms_key_id($enc.kms_key_id.clone()),
            $enc
        )
    };
}

/// The SSE-C key, which every request touching such an object must carry.
macro_rules! with_customer_key {
    ($req:expr, $enc:expr) => {
        $req.set_sse_customer_algorithm($enc.customer_algorithm.clone())
            .set_sse_customer_key($enc.customer_key.clone())
            .set_sse_customer_key_md5($enc.customer_key_md5.clone())
    };
}

async fn put(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    body: ByteStream,
    sha256_base64: &str,
    content_type: &str,
    enc: &Encryption,
) -> Result<()> {
    with_encryption!(
        s3.put_object()
            .bucket(bucket)
            .key(key)
            .body(body)
            .content_type(content_type)
            .metadata("filesha256", sha256_base64),
        enc
    )
    .send()
    .await
    .map(|_| ())
    .map_err(|e| {
        bucket_gone(
            bucket,
            errors::wrap("S3", "PUT_OBJECT", format!("upload s3://{bucket}/{key}"), e),
        )
    })
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

/// Artifacts from this size on are sent in parts (`SLSX_MULTIPART_THRESHOLD`, bytes; default 64 MiB).
fn multipart_threshold() -> u64 {
    std::env::var("SLSX_MULTIPART_THRESHOLD")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64 * 1024 * 1024)
}

/// Part size (`SLSX_MULTIPART_PART_SIZE`, bytes; default 16 MiB, at least S3's 5 MiB).
fn part_size() -> u64 {
    std::env::var("SLSX_MULTIPART_PART_SIZE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16 * 1024 * 1024)
        .max(5 * 1024 * 1024)
}

/// A multipart upload: parts read from the file as they are sent, four at a time, each retried by the
/// SDK; aborted on failure so no orphaned parts stay behind.
async fn multipart(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    path: &std::path::Path,
    size: u64,
    sha256_base64: &str,
    enc: &Encryption,
) -> Result<()> {
    use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
    let created = with_encryption!(
        s3.create_multipart_upload()
            .bucket(bucket)
            .key(key)
            .content_type("application/zip")
            .metadata("filesha256", sha256_base64),
        enc
    )
    .send()
    .await
    .map_err(|e| {
        errors::wrap(
            "S3",
            "CREATE_MULTIPART_UPLOAD",
            format!("upload s3://{bucket}/{key}"),
            e,
        )
    })?;
    let upload_id = created.upload_id().unwrap_or_default().to_string();
    let part = part_size();
    let count = size.div_ceil(part);
    let limit = Arc::new(Semaphore::new(4));
    let mut tasks = Vec::new();
    for n in 0..count {
        let (s3, limit, enc) = (s3.clone(), limit.clone(), enc.clone());
        let (bucket, key, upload_id, path) = (
            bucket.to_string(),
            key.to_string(),
            upload_id.clone(),
            path.to_path_buf(),
        );
        tasks.push(tokio::spawn(async move {
            let _permit = limit.acquire_owned().await;
            let offset = n * part;
            let length = part.min(size - offset);
            let body = ByteStream::read_from()
                .path(&path)
                .offset(offset)
                .length(aws_smithy_types::byte_stream::Length::Exact(length))
                .build()
                .await
                .map_err(|e| {
                    Error::io(
                        format!("cannot read \"{}\"", path.display()),
                        std::io::Error::other(e.to_string()),
                    )
                })?;
            let out = with_customer_key!(
                s3.upload_part()
                    .bucket(&bucket)
                    .key(&key)
                    .upload_id(&upload_id)
                    .part_number((n + 1) as i32)
                    .body(body),
                enc
            )
            .send()
            .await
            .map_err(|e| {
                errors::wrap(
                    "S3",
                    "UPLOAD_PART",
                    format!("upload s3://{bucket}/{key}"),
                    e,
                )
            })?;
            Ok::<_, Error>(
                CompletedPart::builder()
                    .part_number((n + 1) as i32)
                    .set_e_tag(out.e_tag().map(str::to_string))
                    .build(),
            )
        }));
    }
    let mut parts = Vec::new();
    let mut failure = None;
    for t in tasks {
        match t.await {
            Ok(Ok(p)) => parts.push(p),
            Ok(Err(e)) => failure = failure.or(Some(e)),
            Err(e) => {
                failure = failure.or(Some(Error::Internal {
                    message: format!("upload task failed: {e}"),
                }))
            }
        }
    }
    if let Some(e) = failure {
        let _ = s3
            .abort_multipart_upload()
            .bucket(bucket)
            .key(key)
            .upload_id(&upload_id)
            .send()
            .await;
        return Err(e);
    }
    s3.complete_multipart_upload()
        .bucket(bucket)
        .key(key)
        .upload_id(&upload_id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(parts))
                .build(),
        )
        .send()
        .await
        .map_err(|e| {
            errors::wrap(
                "S3",
                "COMPLETE_MULTIPART_UPLOAD",
                format!("upload s3://{bucket}/{key}"),
                e,
            )
        })?;
    Ok(())
}

async fn exists(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    enc: &Encryption,
) -> Result<bool> {
    let req = with_customer_key!(s3.head_object().bucket(bucket).key(key), enc);
    match req.send().await {
        Ok(_) => Ok(true),
        Err(e) if e.as_service_error().is_some_and(|se| se.is_not_found()) => Ok(false),
        Err(e) => Err(bucket_gone(
            bucket,
            errors::wrap("S3", "HEAD_OBJECT", format!("read s3://{bucket}/{key}"), e),
        )),
    }
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
        &Encryption::of(plan),
    )
    .await?;
    Ok(Uploaded {
        key,
        size,
        uploaded: true,
    })
}

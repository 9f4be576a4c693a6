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

pub async fn upload_all(ctx: &AwsContext, bucket: &str, plan: &Plan, reporter: &dyn Reporter) -> Result<Vec<Uploaded>> {
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
            put(&s3, &bucket, &key, ByteStream::from(template), &sha, "application/json", &enc).await?;
            Ok::<_, Error>(Uploaded { key, size, uploaded: true })
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
            if exists(&s3, &bucket, &key, &enc).await? {
                return Ok(Uploaded { key, size: artifact.size, uploaded: false });
            }
            let body = ByteStream::from_path(&artifact.path)
                .await
                .map_err(|e| Error::io(format!("cannot read \"{}\": {e}", artifact.path.display()), std::io::Error::other(e.to_string())))?;
            put(&s3, &bucket, &key, body, &artifact.sha256_base64, "application/zip", &enc).await?;
            Ok(Uploaded { key, size: artifact.size, uploaded: true })
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        let u = t.await.map_err(|e| Error::Internal { message: format!("upload task failed: {e}") })??;
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
        let get = |k: &str| b.and_then(|b| b.get(k)).and_then(|v| v.as_str()).map(str::to_string);
        Encryption {
            server_side: get("serverSideEncryption"),
            kms_key_id: get("sseKMSKeyId"),
            // Serverless's spelling.
            customer_algorithm: get("sseCustomerAlgorithim").or_else(|| get("sseCustomerAlgorithm")),
            customer_key: get("sseCustomerKey"),
            customer_key_md5: get("sseCustomerKeyMD5"),
        }
    }
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
    s3.put_object()
        .bucket(bucket)
        .key(key)
        .body(body)
        .content_type(content_type)
        .metadata("filesha256", sha256_base64)
        .set_server_side_encryption(enc.server_side.as_deref().map(aws_sdk_s3::types::ServerSideEncryption::from))
        .set_ssekms_key_id(enc.kms_key_id.clone())
        .set_sse_customer_algorithm(enc.customer_algorithm.clone())
        .set_sse_customer_key(enc.customer_key.clone())
        .set_sse_customer_key_md5(enc.customer_key_md5.clone())
        .send()
        .await
        .map(|_| ())
        .map_err(|e| errors::wrap("S3", "PUT_OBJECT", format!("upload s3://{bucket}/{key}"), e))
}

async fn exists(s3: &aws_sdk_s3::Client, bucket: &str, key: &str, enc: &Encryption) -> Result<bool> {
    let req = s3
        .head_object()
        .bucket(bucket)
        .key(key)
        .set_sse_customer_algorithm(enc.customer_algorithm.clone())
        .set_sse_customer_key(enc.customer_key.clone())
        .set_sse_customer_key_md5(enc.customer_key_md5.clone());
    match req.send().await {
        Ok(_) => Ok(true),
        Err(e) if e.as_service_error().is_some_and(|se| se.is_not_found()) => Ok(false),
        Err(e) => Err(errors::wrap("S3", "HEAD_OBJECT", format!("read s3://{bucket}/{key}"), e)),
    }
}

/// Uploads `serverless-state.json`, which marks the deployment as one the stack accepted.
pub async fn upload_state(ctx: &AwsContext, bucket: &str, plan: &Plan) -> Result<Uploaded> {
    let path = plan.out_dir.join(STATE_FILE);
    let body = tokio::fs::read(&path)
        .await
        .map_err(|e| Error::io(format!("cannot read \"{}\"", path.display()), e))?;
    let key = format!("{}/{STATE_FILE}", plan.deployment_dir);
    let size = body.len() as u64;
    put(&ctx.s3(), bucket, &key, ByteStream::from(body), &plan.state_hash, "application/json", &Encryption::of(plan)).await?;
    Ok(Uploaded { key, size, uploaded: true })
}

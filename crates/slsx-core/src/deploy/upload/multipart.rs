//! Large artifacts in parts: read from the file as they are sent, four at a time, each retried by the
//! SDK; the upload aborted on failure so no orphaned parts stay behind.

use std::path::Path;
use std::sync::Arc;

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use tokio::sync::Semaphore;

use super::encryption::{with_customer_key, with_encryption, Encryption};
use crate::aws::errors::OrAws;
use crate::error::{Error, Result};

/// Artifacts from this size on are sent in parts (`SLSX_MULTIPART_THRESHOLD`, bytes; default 64 MiB).
pub(super) fn multipart_threshold() -> u64 {
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

/// One multipart upload of an object: where it goes and its upload id.
struct Upload<'a> {
    s3: &'a aws_sdk_s3::Client,
    bucket: &'a str,
    key: &'a str,
    id: String,
}

/// Sends the file at `path` (`size` bytes) to `key` in parts.
pub(super) async fn multipart(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    path: &Path,
    size: u64,
    sha256_base64: &str,
    enc: &Encryption,
) -> Result<()> {
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
    .or_aws("S3", "CREATE_MULTIPART_UPLOAD", || {
        format!("upload s3://{bucket}/{key}")
    })?;
    let upload = Upload {
        s3,
        bucket,
        key,
        id: created.upload_id().unwrap_or_default().to_string(),
    };
    match send_parts(&upload, path, size, enc).await {
        Ok(parts) => complete(&upload, parts).await,
        Err(e) => {
            let _ = s3
                .abort_multipart_upload()
                .bucket(bucket)
                .key(key)
                .upload_id(&upload.id)
                .send()
                .await;
            Err(e)
        }
    }
}

/// Sends every part, four at a time; the parts in order, or the first failure once all have ended.
async fn send_parts(
    upload: &Upload<'_>,
    path: &Path,
    size: u64,
    enc: &Encryption,
) -> Result<Vec<CompletedPart>> {
    let part = part_size();
    let count = size.div_ceil(part);
    let limit = Arc::new(Semaphore::new(4));
    let mut tasks = Vec::new();
    for n in 0..count {
        let (s3, limit, enc) = (upload.s3.clone(), limit.clone(), enc.clone());
        let (bucket, key, upload_id, path) = (
            upload.bucket.to_string(),
            upload.key.to_string(),
            upload.id.clone(),
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
            .or_aws("S3", "UPLOAD_PART", || {
                format!("upload s3://{bucket}/{key}")
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
    match failure {
        Some(e) => Err(e),
        None => Ok(parts),
    }
}

async fn complete(upload: &Upload<'_>, parts: Vec<CompletedPart>) -> Result<()> {
    let (bucket, key) = (upload.bucket, upload.key);
    upload
        .s3
        .complete_multipart_upload()
        .bucket(bucket)
        .key(key)
        .upload_id(&upload.id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(parts))
                .build(),
        )
        .send()
        .await
        .map(|_| ())
        .or_aws("S3", "COMPLETE_MULTIPART_UPLOAD", || {
            format!("upload s3://{bucket}/{key}")
        })
}

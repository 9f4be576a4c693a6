//! Single S3 requests on one object: a PUT with its `filesha256` metadata, and the existence check
//! that keeps content-addressed artifacts from being sent twice.

use aws_sdk_s3::primitives::ByteStream;

use super::bucket_gone;
use super::encryption::{with_customer_key, with_encryption, Encryption};
use crate::aws::errors;
use crate::error::Result;

pub(super) async fn put(
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

pub(super) async fn exists(
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

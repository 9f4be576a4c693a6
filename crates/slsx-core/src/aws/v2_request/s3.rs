//! S3: objects as text. `Body` goes in and comes out as a UTF-8 string (v2 takes a string and gives a
//! Buffer, which plugins turn into text); an object that is not UTF-8 text is refused, not mangled.

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use serde_json::Value;

use super::{failure, Failure, Out, Params};
use crate::aws::AwsContext;
use crate::error::Error;

pub async fn call(ctx: &AwsContext, method: &str, p: &Params<'_>) -> Result<Value, Failure> {
    match method {
        "putObject" => put_object(ctx, p).await,
        "getObject" => get_object(ctx, p).await,
        "headObject" => head_object(ctx, p).await,
        "listObjectsV2" => list_objects_v2(ctx, p).await,
        "deleteObjects" => delete_objects(ctx, p).await,
        _ => Err(super::unlisted(p)),
    }
}

/// The members GetObject and HeadObject answer alike (their outputs share no trait).
macro_rules! object_head {
    ($r:expr) => {
        Out::new()
            .s("ETag", $r.e_tag())
            .s("VersionId", $r.version_id())
            .t("LastModified", $r.last_modified())
            .n("ContentLength", $r.content_length())
            .s("ContentType", $r.content_type())
            .s("ContentEncoding", $r.content_encoding())
            .s("CacheControl", $r.cache_control())
            .map("Metadata", $r.metadata())
    };
}

/// `{ Bucket, Key, Body, ContentType }`.
async fn put_object(ctx: &AwsContext, p: &Params<'_>) -> Result<Value, Failure> {
    p.only(&["Bucket", "Key", "Body", "ContentType"])?;
    let body = p.text_blob("Body")?.unwrap_or_default();
    let r = ctx
        .s3()
        .put_object()
        .bucket(p.req_str("Bucket")?)
        .key(p.req_str("Key")?)
        .body(ByteStream::from(body))
        .set_content_type(p.str("ContentType")?)
        .send()
        .await
        .map_err(|e| failure(p, e))?;
    Ok(Out::new()
        .s("ETag", r.e_tag())
        .s("VersionId", r.version_id())
        .s(
            "ServerSideEncryption",
            r.server_side_encryption().map(|s| s.as_str()),
        )
        .done())
}

/// `{ Bucket, Key, VersionId }`; the body as text.
async fn get_object(ctx: &AwsContext, p: &Params<'_>) -> Result<Value, Failure> {
    p.only(&["Bucket", "Key", "VersionId"])?;
    let key = p.req_str("Key")?;
    let r = ctx
        .s3()
        .get_object()
        .bucket(p.req_str("Bucket")?)
        .key(&key)
        .set_version_id(p.str("VersionId")?)
        .send()
        .await
        .map_err(|e| failure(p, e))?;
    let head = object_head!(r);
    let bytes = r
        .body
        .collect()
        .await
        .map_err(|e| aws_error(p, "NetworkError", format!("reading the body: {e}")))?
        .into_bytes();
    let text = String::from_utf8(bytes.to_vec()).map_err(|_| {
        aws_error(
            p,
            "AWS_REQUEST_BODY_NOT_TEXT",
            format!(
                "the object \"{key}\" is not UTF-8 text; slsx gives S3.getObject's Body as \
                 a string, so it serves text objects only"
            ),
        )
    })?;
    Ok(head.v("Body", Some(Value::from(text))).done())
}

/// `{ Bucket, Key, VersionId }`.
async fn head_object(ctx: &AwsContext, p: &Params<'_>) -> Result<Value, Failure> {
    p.only(&["Bucket", "Key", "VersionId"])?;
    let r = ctx
        .s3()
        .head_object()
        .bucket(p.req_str("Bucket")?)
        .key(p.req_str("Key")?)
        .set_version_id(p.str("VersionId")?)
        .send()
        .await
        .map_err(|e| failure(p, e))?;
    Ok(object_head!(r).done())
}

/// `{ Bucket, Prefix, ContinuationToken, MaxKeys, Delimiter, StartAfter }`.
async fn list_objects_v2(ctx: &AwsContext, p: &Params<'_>) -> Result<Value, Failure> {
    p.only(&[
        "Bucket",
        "Prefix",
        "ContinuationToken",
        "MaxKeys",
        "Delimiter",
        "StartAfter",
    ])?;
    let r = ctx
        .s3()
        .list_objects_v2()
        .bucket(p.req_str("Bucket")?)
        .set_prefix(p.str("Prefix")?)
        .set_continuation_token(p.str("ContinuationToken")?)
        .set_max_keys(p.int32("MaxKeys")?)
        .set_delimiter(p.str("Delimiter")?)
        .set_start_after(p.str("StartAfter")?)
        .send()
        .await
        .map_err(|e| failure(p, e))?;
    Ok(Out::new()
        .b("IsTruncated", r.is_truncated())
        .list("Contents", r.contents(), |o| {
            Out::new()
                .s("Key", o.key())
                .t("LastModified", o.last_modified())
                .s("ETag", o.e_tag())
                .n("Size", o.size())
                .s("StorageClass", o.storage_class().map(|s| s.as_str()))
                .done()
        })
        .s("Name", r.name())
        .s("Prefix", r.prefix())
        .s("Delimiter", r.delimiter())
        .n("MaxKeys", r.max_keys())
        .list("CommonPrefixes", r.common_prefixes(), |c| {
            Out::new().s("Prefix", c.prefix()).done()
        })
        .n("KeyCount", r.key_count())
        .s("ContinuationToken", r.continuation_token())
        .s("NextContinuationToken", r.next_continuation_token())
        .s("StartAfter", r.start_after())
        .done())
}

/// `{ Bucket, Delete: { Objects: [{ Key, VersionId }], Quiet } }`.
async fn delete_objects(ctx: &AwsContext, p: &Params<'_>) -> Result<Value, Failure> {
    p.only(&["Bucket", "Delete"])?;
    let bucket = p.req_str("Bucket")?;
    let spec = p.req_struct("Delete")?;
    spec.only(&["Objects", "Quiet"])?;
    let mut objects = Vec::new();
    for (i, item) in spec.req_list("Objects")?.iter().enumerate() {
        let o = spec.nested(&format!("Objects[{i}]"), item)?;
        o.only(&["Key", "VersionId"])?;
        let id = ObjectIdentifier::builder()
            .key(o.req_str("Key")?)
            .set_version_id(o.str("VersionId")?)
            .build()
            .map_err(|e| aws_error(p, "InvalidParameterValue", e.to_string()))?;
        objects.push(id);
    }
    let delete = Delete::builder()
        .set_objects(Some(objects))
        .set_quiet(spec.bool("Quiet")?)
        .build()
        .map_err(|e| aws_error(p, "InvalidParameterValue", e.to_string()))?;
    let r = ctx
        .s3()
        .delete_objects()
        .bucket(bucket)
        .delete(delete)
        .send()
        .await
        .map_err(|e| failure(p, e))?;
    Ok(Out::new()
        .list("Deleted", r.deleted(), |d| {
            Out::new()
                .s("Key", d.key())
                .s("VersionId", d.version_id())
                .b("DeleteMarker", d.delete_marker())
                .s("DeleteMarkerVersionId", d.delete_marker_version_id())
                .done()
        })
        .list("Errors", r.errors(), |e| {
            Out::new()
                .s("Key", e.key())
                .s("VersionId", e.version_id())
                .s("Code", e.code())
                .s("Message", e.message())
                .done()
        })
        .done())
}

fn aws_error(p: &Params<'_>, code: &str, message: String) -> Failure {
    Error::aws(code, format!("call {}", p.operation()), message).into()
}

//! Downloading `s3://` package artifacts (`package.artifact: s3://bucket/key`) while packaging.

use std::future::Future;
use std::path::Path;

use tokio::io::AsyncWriteExt;

use crate::aws::errors::OrAws;
use crate::aws::AwsContext;
use crate::error::{Error, Result};

/// A `package::Fetch` that downloads with `ctx`. Packaging runs on a blocking thread, so this blocks
/// on the runtime it was created in.
pub fn fetcher(ctx: AwsContext) -> impl Fn(&str, &Path) -> Result<()> + Send + Sync + 'static {
    fetcher_awaiting(std::future::ready(ctx))
}

/// A `fetcher` on a context that may still be in the making (packaging starts without waiting for it).
pub fn fetcher_awaiting<F>(ctx: F) -> impl Fn(&str, &Path) -> Result<()> + Send + Sync + 'static
where
    F: Future<Output = AwsContext> + Clone + Send + Sync + 'static,
{
    let handle = tokio::runtime::Handle::current();
    move |uri, dest| handle.block_on(async { download(&ctx.clone().await, uri, dest).await })
}

async fn download(ctx: &AwsContext, uri: &str, dest: &Path) -> Result<()> {
    let (bucket, key) = uri
        .strip_prefix("s3://")
        .and_then(|r| r.split_once('/'))
        .ok_or_else(|| Error::Package {
            code: "INVALID_PACKAGE_ARTIFACT_PATH",
            message: format!("{uri} is not s3://<bucket>/<key>"),
        })?;
    let mut object = ctx
        .s3()
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .or_aws("S3", "GET_OBJECT", || format!("download {uri}"))?;
    let tmp = dest.with_extension("download");
    let io = |e| Error::io(format!("cannot write \"{}\"", dest.display()), e);
    let mut file = tokio::fs::File::create(&tmp).await.map_err(io)?;
    while let Some(chunk) = (object.body.try_next().await).map_err(|e| {
        Error::aws(
            "AWS_S3_GET_OBJECT_STREAM",
            format!("download {uri}"),
            e.to_string(),
        )
    })? {
        file.write_all(&chunk).await.map_err(io)?;
    }
    file.flush().await.map_err(io)?;
    drop(file);
    tokio::fs::rename(&tmp, dest).await.map_err(io)
}

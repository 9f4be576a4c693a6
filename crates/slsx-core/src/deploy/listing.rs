//! Listing the deployment bucket under a prefix, every page.

use crate::aws::{errors, AwsContext};
use crate::error::Result;

/// Keys and (with a delimiter) common prefixes under `prefix`, all pages.
pub async fn list(
    ctx: &AwsContext,
    bucket: &str,
    prefix: &str,
    delimiter: Option<&str>,
) -> Result<(Vec<String>, Vec<String>)> {
    let s3 = ctx.s3();
    let (mut keys, mut prefixes) = (Vec::new(), Vec::new());
    let mut token = None;
    loop {
        let page = s3
            .list_objects_v2()
            .bucket(bucket)
            .prefix(prefix)
            .set_delimiter(delimiter.map(str::to_string))
            .set_continuation_token(token)
            .send()
            .await
            .map_err(|e| {
                super::upload::bucket_gone(
                    bucket,
                    errors::wrap(
                        "S3",
                        "LIST_OBJECTS_V2",
                        format!("list s3://{bucket}/{prefix}"),
                        e,
                    ),
                )
            })?;
        keys.extend(
            page.contents()
                .iter()
                .filter_map(|o| o.key().map(str::to_string)),
        );
        prefixes.extend(
            page.common_prefixes()
                .iter()
                .filter_map(|p| p.prefix().map(str::to_string)),
        );
        token = page.next_continuation_token().map(str::to_string);
        if token.is_none() {
            return Ok((keys, prefixes));
        }
    }
}

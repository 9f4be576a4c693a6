//! One function's Lambda updates in `deploy function`: its code (an image, or a zip inline or through
//! the deployment bucket), then its configuration and `publish` (a version and the alias moved).

use aws_sdk_lambda::primitives::Blob;

use super::{DeployFunctionOptions, FunctionDeployed};
use crate::aws::{errors, AwsContext};
use crate::config::Function;
use crate::deploy::function_settings as settings;
use crate::deploy::function_update::{
    update_configuration, upload_through_bucket, wait_until_updated,
};
use crate::error::{Error, Result};

/// Zips from this size on go through the deployment bucket (`SLSX_INLINE_ZIP_LIMIT`, bytes; Lambda
/// accepts about 50 MB inline).
fn inline_limit() -> u64 {
    std::env::var("SLSX_INLINE_ZIP_LIMIT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50 * 1024 * 1024)
}

/// What a function runs: a zip, or an image pinned by digest.
pub(super) enum Code {
    Zip(crate::package::Artifact),
    Image(crate::deploy::images::ResolvedImage),
}

/// One function's code (unless `update_config`, or unchanged without `force`), then its
/// configuration and `publish`.
pub(super) async fn deploy_one(
    ctx: &AwsContext,
    service: &crate::config::Service,
    f: &Function,
    config: aws_sdk_lambda::types::FunctionConfiguration,
    role: Option<String>,
    code: &Code,
    options: &DeployFunctionOptions,
) -> Result<FunctionDeployed> {
    let lambda = ctx.lambda();
    let mut result = FunctionDeployed {
        key: f.key.clone(),
        name: f.name.clone(),
        ..Default::default()
    };
    let artifact = match code {
        Code::Zip(a) => a,
        Code::Image(image) => {
            // Lambda reports an image function's digest (hex) as its CodeSha256.
            result.sha256 = image.digest_hex.clone();
            result.code = if options.update_config {
                "skipped".into()
            } else if !options.force && config.code_sha256() == Some(image.digest_hex.as_str()) {
                "unchanged".into()
            } else {
                lambda
                    .update_function_code()
                    .function_name(&f.name)
                    .image_uri(&image.uri)
                    .send()
                    .await
                    .map_err(errors::lambda(
                        "UPDATE_FUNCTION_CODE",
                        format!("update the image of {}", f.name),
                    ))?;
                wait_until_updated(ctx, &f.name).await?;
                "updated".into()
            };
            return finish(ctx, service, f, &config, role, options, result).await;
        }
    };
    result.sha256 = artifact.sha256_base64.clone();
    result.size = artifact.size;
    result.code = if options.update_config {
        "skipped".into()
    } else if !options.force && config.code_sha256() == Some(artifact.sha256_base64.as_str()) {
        "unchanged".into()
    } else {
        let req = lambda.update_function_code().function_name(&f.name);
        let req = if artifact.size < inline_limit() {
            let bytes = tokio::fs::read(&artifact.path).await.map_err(|e| {
                Error::io(format!("cannot read \"{}\"", artifact.path.display()), e)
            })?;
            req.zip_file(Blob::new(bytes))
        } else {
            let (bucket_name, key) = upload_through_bucket(ctx, service, artifact).await?;
            req.s3_bucket(bucket_name).s3_key(key)
        };
        req.send().await.map_err(errors::lambda(
            "UPDATE_FUNCTION_CODE",
            format!("update the code of {}", f.name),
        ))?;
        wait_until_updated(ctx, &f.name).await?;
        "updated".into()
    };
    finish(ctx, service, f, &config, role, options, result).await
}

/// The configuration update and `publish`, after the code.
async fn finish(
    ctx: &AwsContext,
    service: &crate::config::Service,
    f: &Function,
    config: &aws_sdk_lambda::types::FunctionConfiguration,
    role: Option<String>,
    options: &DeployFunctionOptions,
    mut result: FunctionDeployed,
) -> Result<FunctionDeployed> {
    let lambda = ctx.lambda();
    let updated = update_configuration(ctx, service, f, config, role).await?;
    if updated {
        wait_until_updated(ctx, &f.name).await?;
    }
    let recursion = settings::update_recursive_loop(ctx, f).await?;
    result.configuration = if updated || recursion {
        "updated".into()
    } else {
        "unchanged".into()
    };
    if options.publish {
        let version = lambda
            .publish_version()
            .function_name(&f.name)
            .send()
            .await
            .map_err(errors::lambda(
                "PUBLISH_VERSION",
                format!("publish a version of {}", f.name),
            ))?
            .version()
            .map(str::to_string);
        if let (Some(v), Some((_, alias))) = (&version, crate::compile::target_alias(f)) {
            lambda
                .update_alias()
                .function_name(&f.name)
                .name(alias)
                .function_version(v)
                .send()
                .await
                .map_err(errors::lambda(
                    "UPDATE_ALIAS",
                    format!("move the alias of {}", f.name),
                ))?;
        }
        result.version = version;
    }
    Ok(result)
}

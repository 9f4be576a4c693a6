//! `deploy function`: one function's code (and configuration) straight to Lambda, without
//! CloudFormation. Packaged alone, compared with the deployed `CodeSha256`, sent inline up to 50 MB
//! and through the deployment bucket above, then waited for; `publish` makes a version and moves the
//! function's alias, so versioned functions do not drift.

use aws_sdk_lambda::primitives::Blob;
use futures::FutureExt;

use crate::deploy::function_role as role;
use crate::deploy::function_settings as settings;
use crate::deploy::function_update::{
    deployed_configuration, update_configuration, upload_through_bucket, wait_until_updated,
};
use crate::deploy::hook_state::ServiceState;

use crate::aws::{errors, AwsContext};
use crate::config::Function;
use crate::error::{Error, Result};
use crate::lifecycle::{self, Hooks};
use crate::load::ServiceOptions;
use crate::progress::{ProgressEvent, SharedReporter};

#[derive(Debug, Clone, Default)]
pub struct DeployFunctionOptions {
    pub service: ServiceOptions,
    /// Function keys; several are deployed concurrently.
    pub functions: Vec<String>,
    /// Send the code even when it did not change.
    pub force: bool,
    /// Only the configuration, no code.
    pub update_config: bool,
    /// Publish a version afterwards and point the function's alias (`provisioned`, `snapstart`) at it.
    pub publish: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FunctionDeployed {
    pub key: String,
    pub name: String,
    /// `updated`, `unchanged` (same CodeSha256) or `skipped` (`update_config`).
    pub code: String,
    /// `updated` or `unchanged`.
    pub configuration: String,
    pub sha256: String,
    pub size: u64,
    /// The version published with `publish`.
    pub version: Option<String>,
}

/// Zips from this size on go through the deployment bucket (`SLSX_INLINE_ZIP_LIMIT`, bytes; Lambda
/// accepts about 50 MB inline).
fn inline_limit() -> u64 {
    std::env::var("SLSX_INLINE_ZIP_LIMIT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50 * 1024 * 1024)
}

pub async fn deploy_function(
    options: DeployFunctionOptions,
    reporter: SharedReporter,
) -> Result<Vec<FunctionDeployed>> {
    // `initialize`, `deploy:function:initialize` (the functions checked), `packageFunction` (its
    // handler spawns `package:function:package`), `deploy` (spawns the temp-dir cleanup), `finalize`.
    let service_options = options.service.clone();
    super::run(&service_options, |service, hooks| async move {
        let h = hooks.as_ref();
        let mut st = ServiceState::new(service);
        lifecycle::hook(h, "initialize", &mut st).await?;
        lifecycle::before(h, "deploy:function:initialize", &mut st).await?;
        check_targets(&st.service, &options)?;
        lifecycle::after(h, "deploy:function:initialize", &mut st).await?;
        lifecycle::before(h, "deploy:function:packageFunction", &mut st).await?;
        lifecycle::before(h, "package:function:package", &mut st).await?;
        let out = deploy_targets(&mut st, &options, reporter, h).await?;
        lifecycle::after(h, "deploy:function:deploy", &mut st).await?;
        lifecycle::hook(h, "finalize", &mut st).await?;
        Ok(out)
    })
    .await
}

/// The functions asked for, each in the service (and not durable).
fn check_targets(
    service: &crate::config::Service,
    options: &DeployFunctionOptions,
) -> Result<Vec<Function>> {
    if options.functions.is_empty() {
        return Err(Error::InvalidOption {
            message: "deploy function needs a function: -f NAME".into(),
        });
    }
    let mut targets = Vec::new();
    for key in &options.functions {
        let f = service
            .functions
            .iter()
            .find(|f| &f.key == key)
            .ok_or_else(|| Error::InvalidOption {
                message: format!("Function \"{key}\" doesn't exist in this Service"),
            })?;
        settings::reject_durable(f, None)?;
        targets.push(f.clone());
    }
    Ok(targets)
}

/// Packages the functions, sends them, updates their configuration — with the hooks of the events
/// between packaging and deploying.
async fn deploy_targets(
    st: &mut ServiceState,
    options: &DeployFunctionOptions,
    reporter: SharedReporter,
    h: &dyn Hooks,
) -> Result<Vec<FunctionDeployed>> {
    let service = st.service.clone();
    let targets = check_targets(&service, options)?;
    // The roles are checked against the template before anything is deployed.
    let role_refs = targets
        .iter()
        .map(|f| role::role_ref(&service, f))
        .collect::<Result<Vec<_>>>()?;
    reporter.report(ProgressEvent::PhaseStarted {
        phase: "deploy",
        message: format!(
            "Deploying function{} {} to stage {} ({})",
            if targets.len() > 1 { "s" } else { "" },
            options.functions.join(", "),
            service.stage,
            service.region
        ),
    });
    // The AWS context is made while packaging starts (it only needs it for `s3://` artifacts).
    let settings = service.aws_settings(options.service.profile.as_deref());
    let ctx_later = async move { AwsContext::new(&settings).await }
        .boxed()
        .shared();

    // Packaging (of the zip functions) runs while each function's deployed configuration is read.
    // Into a folder of its own inside the service's package directory, whose zips (from the last
    // deploy or package) are reused when a function's files did not change: no compression then.
    let mut only = service.clone();
    only.functions = targets
        .iter()
        .filter(|f| f.image.is_none())
        .cloned()
        .map(|mut f| {
            f.package.individually = true;
            f
        })
        .collect();
    only.layers.clear();
    let package_dir = crate::package::package_path::write_dir(&service, None);
    let out_dir = package_dir.join(".slsx-function");
    let r = reporter.clone();
    let ctx_fetch = ctx_later.clone();
    let packaging = tokio::task::spawn_blocking(move || {
        if only.functions.is_empty() {
            return Ok(crate::package::Packaged::default());
        }
        let _ = std::fs::remove_dir_all(&out_dir);
        std::fs::create_dir_all(&out_dir)
            .map_err(|e| Error::io(format!("cannot create \"{}\"", out_dir.display()), e))?;
        let fetch = crate::deploy::download::fetcher_awaiting(ctx_fetch);
        crate::package::package_service(&only, &out_dir, Some(&package_dir), &fetch, r.as_ref())
    });

    let ctx = ctx_later.await;
    crate::deploy::report_credentials(&ctx, reporter.as_ref());
    // Every function must exist already; its deployed configuration is what the update compares with.
    let lambda = ctx.lambda();
    let deployed =
        futures::future::try_join_all(targets.iter().map(|f| deployed_configuration(&lambda, f)))
            .await?;
    for (f, config) in targets.iter().zip(&deployed) {
        settings::reject_durable(f, Some(config))?;
    }
    let roles = futures::future::try_join_all(targets.iter().zip(&deployed).zip(&role_refs).map(
        |((_, config), role_ref)| async {
            match role_ref {
                Some(r) => role::resolve(&ctx, &service, r, config).await.map(Some),
                None => Ok(None),
            }
        },
    ))
    .await?;

    // Images of image functions: built and pushed, or resolved to a digest.
    let mut with_images = service.clone();
    with_images
        .functions
        .retain(|f| targets.iter().any(|t| t.key == f.key && t.image.is_some()));
    let images = crate::deploy::images::resolve(&ctx, &with_images, reporter.as_ref()).await?;

    let packaged = packaging.await.map_err(|e| Error::Internal {
        message: format!("packaging task failed: {e}"),
    })??;
    // What the hooks after packaging see and may change (a plugin's own zip, a rewritten one).
    st.packaged = Some(packaged);
    lifecycle::after(h, "package:function:package", st).await?;
    lifecycle::after(h, "deploy:function:packageFunction", st).await?;
    lifecycle::before(h, "deploy:function:deploy", st).await?;
    let cleanup = "aws:common:cleanupTempDir:cleanup";
    lifecycle::before(h, cleanup, st).await?;
    lifecycle::after(h, cleanup, st).await?;
    let mut packaged = st.packaged.take().unwrap_or_default();
    if std::mem::take(&mut st.touched) {
        let mut artifacts = std::mem::take(&mut packaged.artifacts);
        artifacts = tokio::task::spawn_blocking(move || {
            crate::package::rehash(&mut artifacts).map(|()| artifacts)
        })
        .await
        .map_err(|e| Error::Internal {
            message: format!("hashing task failed: {e}"),
        })??;
        packaged.artifacts = artifacts;
    }
    // The functions as the hooks left them (same keys, same order).
    let service = st.service.clone();
    let targets = check_targets(&service, options)?;

    let mut tasks = Vec::new();
    for ((f, config), role) in targets.iter().zip(deployed).zip(roles) {
        let code = match images.get(&f.key) {
            Some(image) => Code::Image(image.clone()),
            None => {
                let Some(crate::package::Code::Zip(i)) = packaged
                    .functions
                    .iter()
                    .find(|(key, _)| key == &f.key)
                    .map(|(_, code)| code)
                else {
                    continue;
                };
                Code::Zip(packaged.artifacts[*i].clone())
            }
        };
        let (ctx, service, f, options) = (ctx.clone(), service.clone(), f.clone(), options.clone());
        tasks.push(tokio::spawn(async move {
            deploy_one(&ctx, &service, &f, config, role, &code, &options).await
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.map_err(|e| Error::Internal {
            message: format!("deploy task failed: {e}"),
        })??);
    }
    Ok(out)
}

/// What a function runs: a zip, or an image pinned by digest.
enum Code {
    Zip(crate::package::Artifact),
    Image(crate::config::ResolvedImage),
}

async fn deploy_one(
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

//! `deploy function`: one function's code (and configuration) straight to Lambda, without
//! CloudFormation. Packaged alone, compared with the deployed `CodeSha256`, sent inline up to 50 MB
//! and through the deployment bucket above, then waited for; `publish` makes a version and moves the
//! function's alias, so versioned functions do not drift.

mod lambda;

use aws_sdk_lambda::types::FunctionConfiguration;
use futures::FutureExt;
use lambda::{deploy_one, Code};

use crate::deploy::function_role as role;
use crate::deploy::function_settings as settings;
use crate::deploy::function_update::deployed_configuration;
use crate::deploy::hook_state::ServiceState;

use crate::aws::AwsContext;
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
    let packaging = spawn_packaging(&service, &targets, reporter.clone(), ctx_later.clone());

    let ctx = ctx_later.await;
    crate::deploy::report_credentials(&ctx, reporter.as_ref());
    let (deployed, roles) = deployed_and_roles(&ctx, &service, &targets, &role_refs).await?;

    // Images of image functions: built and pushed, or resolved to a digest.
    let mut with_images = service.clone();
    with_images
        .functions
        .retain(|f| targets.iter().any(|t| t.key == f.key && t.image.is_some()));
    let images = crate::deploy::images::resolve(&ctx, &with_images, reporter.as_ref()).await?;

    let packaged = packaging.await.map_err(|e| Error::Internal {
        message: format!("packaging task failed: {e}"),
    })??;
    let packaged = hooks_after_packaging(st, h, packaged).await?;
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

/// Packaging of the zip functions, started in the background while each function's deployed
/// configuration is read. Into a folder of its own inside the service's package directory, whose
/// zips (from the last deploy or package) are reused when a function's files did not change: no
/// compression then.
fn spawn_packaging(
    service: &crate::config::Service,
    targets: &[Function],
    reporter: SharedReporter,
    ctx: impl std::future::Future<Output = AwsContext> + Clone + Send + Sync + 'static,
) -> tokio::task::JoinHandle<Result<crate::package::Packaged>> {
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
    let package_dir = crate::package::package_path::write_dir(service, None);
    let out_dir = package_dir.join(".slsx-function");
    tokio::task::spawn_blocking(move || {
        if only.functions.is_empty() {
            return Ok(crate::package::Packaged::default());
        }
        let _ = std::fs::remove_dir_all(&out_dir);
        std::fs::create_dir_all(&out_dir)
            .map_err(|e| Error::io(format!("cannot create \"{}\"", out_dir.display()), e))?;
        let fetch = crate::deploy::download::fetcher_awaiting(ctx);
        crate::package::package_service(
            &only,
            &out_dir,
            Some(&package_dir),
            &fetch,
            reporter.as_ref(),
        )
    })
}

/// Each function's deployed configuration (every function must exist already; the update compares
/// with it; durable ones are refused) and its role, resolved.
async fn deployed_and_roles(
    ctx: &AwsContext,
    service: &crate::config::Service,
    targets: &[Function],
    role_refs: &[Option<role::RoleRef>],
) -> Result<(Vec<FunctionConfiguration>, Vec<Option<String>>)> {
    let lambda = ctx.lambda();
    let deployed =
        futures::future::try_join_all(targets.iter().map(|f| deployed_configuration(&lambda, f)))
            .await?;
    for (f, config) in targets.iter().zip(&deployed) {
        settings::reject_durable(f, Some(config))?;
    }
    let roles = futures::future::try_join_all(targets.iter().zip(&deployed).zip(role_refs).map(
        |((_, config), role_ref)| async {
            match role_ref {
                Some(r) => role::resolve(ctx, service, r, config).await.map(Some),
                None => Ok(None),
            }
        },
    ))
    .await?;
    Ok((deployed, roles))
}

/// The hooks after packaging and before deploying, which see and may change the packages (a plugin's
/// own zip, a rewritten one); the artifacts are hashed again when they touched them.
async fn hooks_after_packaging(
    st: &mut ServiceState,
    h: &dyn Hooks,
    packaged: crate::package::Packaged,
) -> Result<crate::package::Packaged> {
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
    Ok(packaged)
}

//! The commands on the lifecycle spine — `deploy` (`run.rs`), `package` (here, on `build.rs`),
//! `deploy function` (`function.rs`), `info` (`info.rs`), `print` — what plugins see of their state
//! (`hook_state.rs`), and the AWS steps they use (stack, bucket, upload, changes, cleanup, images …).

mod bucket;
mod build;
mod changes;
mod cleanup;
mod download;
mod function;
mod hook_state;
mod images;
mod info;
mod listing;
mod log_subscriptions;
pub mod monitor;
pub mod plan;
mod protection;
mod prune;
mod rest_stage;
mod run;
#[cfg(test)]
mod scripted_sdk;
mod stack;
mod upload;

use std::time::Instant;

use crate::aws::AwsContext;
use crate::config::ServiceOptions;
use crate::error::Result;
use crate::lifecycle::{self, Hooks};
use crate::progress::{ProgressEvent, SharedReporter};

pub use changes::{deployment_timestamp, Decision};
pub use function::{deploy_function, DeployFunctionOptions, FunctionDeployed};
pub use info::{info, InfoResult};
pub use plan::Plan;
pub use run::deploy;

#[derive(Debug, Clone, Default)]
pub struct DeployOptions {
    pub service: ServiceOptions,
    /// Deploy even when nothing changed.
    pub force: bool,
    /// `--package DIR`: deploy a directory made by `package` (slsx or osls) without packaging again.
    pub package: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Default)]
pub struct PackageOptions {
    pub service: ServiceOptions,
    /// `--package DIR`: write the package there instead of `.serverless/`.
    pub package: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Default)]
pub struct PackageResult {
    pub service: String,
    pub stage: String,
    pub region: String,
    /// Where the templates, state and zips were written.
    pub package_dir: String,
    pub artifacts: Vec<ArtifactResult>,
    pub functions: Vec<FunctionResult>,
    pub warnings: Vec<String>,
    pub timings: Vec<(String, u64)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactResult {
    pub name: String,
    pub path: String,
    pub size: u64,
    pub sha256: String,
    pub s3_key: String,
    pub uploaded: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionResult {
    pub key: String,
    pub name: String,
    pub artifact: String,
    pub size: u64,
}

#[derive(Debug, Clone, Default)]
pub struct DeployResult {
    pub service: String,
    pub stage: String,
    pub region: String,
    pub stack_name: String,
    /// Nothing changed since the last successful deployment: no upload, no stack update.
    pub skipped: bool,
    /// The change set held no changes; it and this deployment's uploads were removed.
    pub empty_change_set: bool,
    pub stack_created: bool,
    pub change_set: Option<String>,
    pub stack_status: Option<String>,
    pub bucket: String,
    /// `<prefix>/<service>/<stage>/<epochms>-<ISO>` of this deployment (or of the one skipped to).
    pub deployment_dir: String,
    pub artifacts: Vec<ArtifactResult>,
    pub functions: Vec<FunctionResult>,
    pub outputs: Vec<(String, String)>,
    /// Milliseconds per phase, in order.
    pub timings: Vec<(String, u64)>,
    /// HTTP requests made to AWS (retries included).
    pub aws_requests: u64,
    /// S3 keys removed by the cleanup of old deployments.
    pub deleted: Vec<String>,
    /// REST / HTTP API, websocket and CloudFront endpoints, function URLs (`<function>: <url>`).
    pub endpoints: Vec<String>,
    /// `<layer key>: <version ARN>`.
    pub layers: Vec<(String, String)>,
}

struct Phases {
    reporter: SharedReporter,
    timings: Vec<(String, u64)>,
}

impl Phases {
    fn start(&self, phase: &'static str, message: impl Into<String>) -> (&'static str, Instant) {
        self.reporter.report(ProgressEvent::PhaseStarted {
            phase,
            message: message.into(),
        });
        (phase, Instant::now())
    }
    fn finish(&mut self, (phase, started): (&'static str, Instant)) {
        let millis = started.elapsed().as_millis() as u64;
        self.timings.push((phase.to_string(), millis));
        self.reporter
            .report(ProgressEvent::PhaseFinished { phase, millis });
    }
}

/// What plugins are constructed with: the service loaded (variables resolved, values converted,
/// not yet refused by the schema, which plugins extend) as osls's `serverless.service`, and the
/// values slsx added to it (`{ service, injected: [[pointer, value]…] }`).
pub async fn plugin_service_state(options: &ServiceOptions) -> Result<serde_json::Value> {
    let opts = ServiceOptions {
        skip_schema: true,
        hooks: None,
        ..options.clone()
    };
    let service = crate::load::load_with_aws(&opts).await?;
    Ok(hook_state::service_state(&service))
}

/// `print`: the configuration with every variable resolved, and the defaults Serverless fills in
/// before printing (`provider.stage` `dev` when absent — the CLI's `--stage` does not show there,
/// its `--region` does — `versionFunctions`, each function's `name` and `events`).
pub async fn print_config(options: &ServiceOptions) -> Result<serde_json::Value> {
    let service = crate::load::load_with_aws(options).await?;
    let mut config = service.raw.clone();
    if let Some(provider) = config.get_mut("provider").and_then(|p| p.as_object_mut()) {
        provider
            .entry("stage")
            .or_insert(crate::defaults::STAGE.into());
        provider.insert("region".into(), service.region.clone().into());
        provider
            .entry("versionFunctions")
            .or_insert(service.provider.version_functions.into());
        // osls's `initialize`: a bucket given as an object (a list too, for JavaScript) moves to
        // `deploymentBucketObject`, and `deploymentBucket` becomes its name, or null without one.
        if let Some(bucket @ (serde_json::Value::Object(_) | serde_json::Value::Array(_))) =
            provider.get("deploymentBucket").cloned()
        {
            let name = bucket
                .get("name")
                .filter(|n| crate::config::js_truthy(n))
                .cloned()
                .unwrap_or_default();
            provider.insert("deploymentBucketObject".into(), bucket);
            provider.insert("deploymentBucket".into(), name);
        }
    }
    // osls's package plugin (`initialize`) names the code artifacts' S3 directory in the user's own
    // `package` object (there is none to print when the service has no `package`).
    if let Some(package) = config.get_mut("package").and_then(|p| p.as_object_mut()) {
        let dir = format!(
            "{}/{}/{}/code-artifacts",
            service.provider.deployment_prefix, service.name, service.stage
        );
        package.insert("artifactsS3KeyDirname".into(), dir.into());
    }
    if let Some(functions) = config.get_mut("functions").and_then(|f| f.as_object_mut()) {
        for f in &service.functions {
            if let Some(fo) = functions.get_mut(&f.key).and_then(|v| v.as_object_mut()) {
                fo.entry("events").or_insert_with(|| serde_json::json!([]));
                fo.insert("name".into(), f.name.clone().into());
            }
        }
    }
    Ok(config)
}

/// `--verbose` says where the credentials come from (never a key); osls warns of an
/// `AWS_DEFAULT_PROFILE` no file has.
pub(crate) fn report_credentials(ctx: &AwsContext, reporter: &dyn crate::progress::Reporter) {
    let source = ctx.credentials();
    if let Some(message) = source.warning() {
        reporter.report(ProgressEvent::Warning { message });
    }
    reporter.report(ProgressEvent::Credentials {
        source: source.to_string(),
    });
}

/// The `package` lifecycle: images first (a build or push that fails stops the deploy before any
/// upload or stack change), then the steps and the plugins' hooks (`build::run`).
async fn build_plan(
    mut b: build::Build,
    ctx: AwsContext,
    reporter: SharedReporter,
    hooks: &dyn Hooks,
) -> Result<Plan> {
    b.service.images = images::resolve(&ctx, &b.service, reporter.as_ref()).await?;
    let fetch = std::sync::Arc::new(download::fetcher(ctx));
    build::run(b, fetch, reporter, hooks).await
}

/// `package`: package and compile into `.serverless/` (or `--package DIR`); no stack change.
pub async fn package(options: PackageOptions, reporter: SharedReporter) -> Result<PackageResult> {
    let hooks = options.service.hooks();
    let mut phases = Phases {
        reporter: reporter.clone(),
        timings: Vec::new(),
    };
    let service = crate::load::load_with_aws(&options.service).await?;
    reporter.report(ProgressEvent::PhaseStarted {
        phase: "deploy",
        message: format!(
            "Packaging {} for stage {} ({})",
            service.name, service.stage, service.region
        ),
    });
    for w in &service.warnings {
        reporter.report(ProgressEvent::Warning { message: w.clone() });
    }
    let config_warnings = service.warnings.clone();
    let out_dir = crate::package::package_path::write_dir(&service, options.package.as_deref());
    let ctx = AwsContext::new(&service.aws_settings(options.service.profile.as_deref())).await;
    let outcome = async {
        let mut b = build::Build::new(service, out_dir, crate::clock::now_ms());
        lifecycle::hook(hooks.as_ref(), "initialize", &mut b).await?;
        let p = phases.start("package", "Packaging");
        let mut plan = build_plan(b, ctx, reporter.clone(), hooks.as_ref()).await?;
        phases.finish(p);
        lifecycle::hook(hooks.as_ref(), "finalize", &mut plan).await?;
        Ok(plan)
    }
    .await;
    let plan = match outcome {
        Ok(plan) => plan,
        Err(e) => return Err(lifecycle::on_error(hooks.as_ref(), e).await),
    };
    Ok(PackageResult {
        service: plan.service.name.clone(),
        stage: plan.service.stage.clone(),
        region: plan.service.region.clone(),
        package_dir: plan.out_dir.display().to_string(),
        artifacts: artifact_results(&plan, None),
        functions: function_results(&plan),
        warnings: config_warnings
            .into_iter()
            .chain(plan.packaged.warnings.iter().cloned())
            .collect(),
        timings: phases.timings,
    })
}

pub(crate) fn outputs(stack: &aws_sdk_cloudformation::types::Stack) -> Vec<(String, String)> {
    stack
        .outputs()
        .iter()
        .filter_map(|o| {
            Some((
                o.output_key()?.to_string(),
                o.output_value().unwrap_or_default().to_string(),
            ))
        })
        .collect()
}

fn artifact_results(plan: &Plan, uploaded: Option<&[upload::Uploaded]>) -> Vec<ArtifactResult> {
    plan.artifacts
        .iter()
        .zip(&plan.artifact_keys)
        .map(|(a, key)| ArtifactResult {
            name: a.file_name.clone(),
            path: a.path.display().to_string(),
            size: a.size,
            sha256: a.sha256_base64.clone(),
            s3_key: key.clone(),
            uploaded: uploaded
                .and_then(|u| u.iter().find(|u| &u.key == key))
                .is_some_and(|u| u.uploaded),
        })
        .collect()
}

fn function_results(plan: &Plan) -> Vec<FunctionResult> {
    plan.packaged
        .functions
        .iter()
        .map(|(key, code)| {
            let f = plan
                .service
                .functions
                .iter()
                .find(|f| &f.key == key)
                .expect("function of the service");
            let artifact = match code {
                crate::package::Code::Zip(i) => Some(&plan.artifacts[*i]),
                crate::package::Code::Image => None,
            };
            FunctionResult {
                key: key.clone(),
                name: f.name.clone(),
                artifact: artifact.map(|a| a.file_name.clone()).unwrap_or_default(),
                size: artifact.map_or(0, |a| a.size),
            }
        })
        .collect()
}

//! The commands, each on the lifecycle spine (`docs/lifecycle.md`): `deploy`, `package`,
//! `deploy function`, `info`, `print` — and what they share: loading the service with its plugins'
//! hooks and running the plugins' `error` hooks when a command fails. The AWS steps they run are in
//! `deploy/`, the stages before them in `load/`, `package/` and `compile/`.

mod deploy;
mod deploy_function;
mod info;
mod package;
mod print;

use std::time::Instant;

use crate::config::Service;
use crate::error::Result;
use crate::lifecycle::{self, Hooks};
use crate::load::ServiceOptions;
use crate::progress::{ProgressEvent, Reporter, SharedReporter};

pub use deploy::deploy;
pub use deploy_function::{deploy_function, DeployFunctionOptions, FunctionDeployed};
pub use info::{info, InfoResult};
pub use package::package;
pub use print::{plugin_service_state, print_config};

/// The preamble and ending every command shares: the service loaded (AWS variable sources fetched,
/// plugins' hooks attached), `body` run on it, and on failure the plugins' `error` hooks.
async fn run<T, Fut>(
    options: &ServiceOptions,
    body: impl FnOnce(crate::config::Service, std::sync::Arc<dyn Hooks>) -> Fut,
) -> Result<T>
where
    Fut: std::future::Future<Output = Result<T>>,
{
    let hooks = options.hooks();
    let service = crate::load::load_with_aws(options).await?;
    match body(service, hooks.clone()).await {
        Ok(out) => Ok(out),
        Err(e) => Err(lifecycle::on_error(hooks.as_ref(), e).await),
    }
}

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

/// The command's opening line (`Deploying svc to stage dev (us-east-1)`), then the configuration's
/// warnings.
fn announce(reporter: &dyn Reporter, (verb, to): (&str, &str), service: &Service) {
    let (name, stage, region) = (&service.name, &service.stage, &service.region);
    reporter.report(ProgressEvent::PhaseStarted {
        phase: "deploy",
        message: format!("{verb} {name} {to} stage {stage} ({region})"),
    });
    for w in &service.warnings {
        reporter.report(ProgressEvent::Warning { message: w.clone() });
    }
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

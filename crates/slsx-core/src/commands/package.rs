//! The `package` command: `initialize`, the `package` lifecycle (package and compile into
//! `.serverless/` or `--package DIR`), `finalize`; no stack change.

use super::{run, ArtifactResult, FunctionResult, PackageOptions, PackageResult, Phases};
use crate::aws::AwsContext;
use crate::deploy::plan::Plan;
use crate::deploy::{build, download, images, upload};
use crate::error::Result;
use crate::lifecycle::{self, Hooks};
use crate::progress::SharedReporter;

/// The `package` lifecycle: images first (a build or push that fails stops the deploy before any
/// upload or stack change), then the steps and the plugins' hooks (`build::run`).
pub(super) async fn build_plan(
    mut b: build::Build,
    ctx: AwsContext,
    reporter: SharedReporter,
    hooks: &dyn Hooks,
) -> Result<Plan> {
    b.images = images::resolve(&ctx, &b.service, reporter.as_ref()).await?;
    let fetch = std::sync::Arc::new(download::fetcher(ctx));
    build::run(b, fetch, reporter, hooks).await
}

/// `package`: package and compile into `.serverless/` (or `--package DIR`); no stack change.
pub async fn package(options: PackageOptions, reporter: SharedReporter) -> Result<PackageResult> {
    let service_options = options.service.clone();
    run(&service_options, |service, hooks| async move {
        let mut phases = Phases {
            reporter: reporter.clone(),
            timings: Vec::new(),
        };
        super::announce(reporter.as_ref(), ("Packaging", "for"), &service);
        let config_warnings = service.warnings.clone();
        let out_dir = crate::package::package_path::write_dir(&service, options.package.as_deref());
        let ctx = AwsContext::new(&service.aws_settings(options.service.profile.as_deref())).await;
        let mut b = build::Build::new(service, out_dir, crate::clock::now_ms());
        lifecycle::hook(hooks.as_ref(), "initialize", &mut b).await?;
        let p = phases.start("package", "Packaging");
        let mut plan = build_plan(b, ctx, reporter.clone(), hooks.as_ref()).await?;
        phases.finish(p);
        lifecycle::hook(hooks.as_ref(), "finalize", &mut plan).await?;
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
    })
    .await
}

pub(super) fn artifact_results(
    plan: &Plan,
    uploaded: Option<&[upload::Uploaded]>,
) -> Vec<ArtifactResult> {
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

pub(super) fn function_results(plan: &Plan) -> Vec<FunctionResult> {
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

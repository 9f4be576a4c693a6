//! The `deploy` command on the spine: `initialize`, the `package` lifecycle, `deploy:deploy` (which
//! spawns `aws:deploy:deploy`: create the stack, check for changes, upload, update the stack),
//! `deploy:finalize` (the cleanup), `finalize` — slsx's steps as the built-in handlers, the plugins'
//! hooks between them.

mod aws_deploy;

use super::package::{build_plan, function_results};
use super::{info, DeployOptions, DeployResult, Phases};
use crate::aws::AwsContext;
use crate::config::Service;
use crate::deploy::plan::Plan;
use crate::deploy::{build, cleanup, protection, prune, report_credentials, rest_stage, stack};
use crate::error::{Error, Result};
use crate::lifecycle::{self, Hooks};
use crate::progress::{ProgressEvent, SharedReporter};

/// `deploy`: the lifecycle `initialize`, `deploy:deploy` (its `before:` packages, its handler spawns
/// `aws:deploy:deploy`), `deploy:finalize` (spawns `aws:deploy:finalize`), `finalize`. A failure runs
/// the plugins' `error` hooks.
pub async fn deploy(options: DeployOptions, reporter: SharedReporter) -> Result<DeployResult> {
    // Everything local first: a bad config or an empty package changes nothing in AWS.
    let service_options = options.service.clone();
    super::run(&service_options, |service, hooks| async move {
        let mut run = DeployRun::new(service, options, reporter).await?;
        let mut plan = run.package(hooks.as_ref()).await?;
        run.deploy(&mut plan, hooks.as_ref()).await?;
        lifecycle::hook(hooks.as_ref(), "finalize", &mut plan).await?;
        run.result.timings = run.phases.timings;
        run.result.aws_requests = run.ctx.request_count();
        Ok(run.result)
    })
    .await
}

/// A deploy under way: what the steps of the lifecycle share.
struct DeployRun {
    options: DeployOptions,
    reporter: SharedReporter,
    phases: Phases,
    ctx: AwsContext,
    service: Option<Service>,
    result: DeployResult,
}

/// What `aws:deploy:deploy` found and decided, from one event to the next.
struct Deploying {
    current: Option<aws_sdk_cloudformation::types::Stack>,
    bucket: String,
    skip: bool,
    protect: Option<bool>,
    keep: Option<u64>,
}

impl DeployRun {
    async fn new(
        service: Service,
        options: DeployOptions,
        reporter: SharedReporter,
    ) -> Result<DeployRun> {
        if options.service.aws_s3_accelerate == Some(true)
            && crate::compile::custom_bucket(&service).is_some()
        {
            return Err(Error::InvalidOption {
                message: "It is not possible to enable S3 Transfer Acceleration on a user provided bucket: stop using --aws-s3-accelerate".into(),
            });
        }
        reporter.report(ProgressEvent::ServiceLoaded {
            service: service.name.clone(),
            stage: service.stage.clone(),
            region: service.region.clone(),
            stack: service.stack_name(),
        });
        super::announce(reporter.as_ref(), ("Deploying", "to"), &service);
        let ctx = AwsContext::new(&service.aws_settings(options.service.profile.as_deref())).await;
        report_credentials(&ctx, reporter.as_ref());
        Ok(DeployRun {
            phases: Phases {
                reporter: reporter.clone(),
                timings: Vec::new(),
            },
            options,
            reporter,
            ctx,
            service: Some(service),
            result: DeployResult::default(),
        })
    }

    /// `initialize`, then `before:deploy:deploy`'s built-in handler: the `package` lifecycle — or,
    /// with `--package` / `package.path`, the package as it is (osls does not package then).
    async fn package(&mut self, hooks: &dyn Hooks) -> Result<Plan> {
        let service = self.service.take().expect("packaged once");
        let plan =
            match crate::package::package_path::read_dir(&service, self.options.package.as_deref())
            {
                Some(dir) => {
                    let mut plan =
                        tokio::task::spawn_blocking(move || Plan::from_package_dir(service, &dir))
                            .await
                            .map_err(|e| Error::Internal {
                                message: format!("reading the package failed: {e}"),
                            })??;
                    lifecycle::hook(hooks, "initialize", &mut plan).await?;
                    plan
                }
                None => {
                    let out_dir = crate::package::output_dir(&service);
                    let mut b = build::Build::new(service, out_dir, crate::clock::now_ms());
                    b.accelerate = self.options.service.aws_s3_accelerate;
                    lifecycle::hook(hooks, "initialize", &mut b).await?;
                    let p = self.phases.start("package", "Packaging");
                    let plan =
                        build_plan(b, self.ctx.clone(), self.reporter.clone(), hooks).await?;
                    self.phases.finish(p);
                    plan
                }
            };
        let service = &plan.service;
        self.result = DeployResult {
            service: service.name.clone(),
            stage: service.stage.clone(),
            region: service.region.clone(),
            stack_name: service.stack_name(),
            deployment_dir: plan.deployment_dir.clone(),
            functions: function_results(&plan),
            ..Default::default()
        };
        Ok(plan)
    }

    /// `deploy:deploy` (spawning `aws:deploy:deploy`) and `deploy:finalize` (spawning
    /// `aws:deploy:finalize`), with their hooks.
    async fn deploy(&mut self, plan: &mut Plan, hooks: &dyn Hooks) -> Result<()> {
        // osls's deploy plugin validates once packaged, before the plugins' `before:` hooks.
        let validate = "aws:common:validate:validate";
        lifecycle::before(hooks, validate, plan).await?;
        lifecycle::after(hooks, validate, plan).await?;
        lifecycle::before(hooks, "deploy:deploy", plan).await?;
        let [create, check, upload, validate, update] = lifecycle::AWS_DEPLOY_DEPLOY else {
            unreachable!("five events")
        };
        lifecycle::before(hooks, create, plan).await?;
        let mut d = self.create_stack(plan).await?;
        lifecycle::after(hooks, create, plan).await?;
        lifecycle::before(hooks, check, plan).await?;
        self.check_for_changes(plan, &mut d).await?;
        lifecycle::after(hooks, check, plan).await?;
        lifecycle::before(hooks, upload, plan).await?;
        if !d.skip {
            self.upload(plan, &d).await?;
        }
        lifecycle::after(hooks, upload, plan).await?;
        // slsx validates the template before anything is uploaded (cfn rules at compile time);
        // CloudFormation validates it again in the change set.
        lifecycle::before(hooks, validate, plan).await?;
        lifecycle::after(hooks, validate, plan).await?;
        lifecycle::before(hooks, update, plan).await?;
        if !d.skip {
            self.update_stack(plan, &mut d).await?;
        }
        lifecycle::after(hooks, update, plan).await?;
        self.after_deploy(plan, &d).await?;
        // osls's info plugin shows the deployed service from its own `deploy:deploy` hook.
        info::spawn_info_events(hooks, plan).await?;
        lifecycle::hook(hooks, "deploy:deploy", plan).await?;
        lifecycle::hook(hooks, "after:deploy:deploy", plan).await?;

        lifecycle::before(hooks, "deploy:finalize", plan).await?;
        let cleanup = "aws:deploy:finalize:cleanup";
        lifecycle::before(hooks, cleanup, plan).await?;
        if !d.skip {
            let p = self
                .phases
                .start("cleanup", "Removing old service artifacts");
            self.result.deleted = cleanup::cleanup(&self.ctx, &d.bucket, plan).await?.deleted;
            self.phases.finish(p);
        }
        lifecycle::after(hooks, cleanup, plan).await?;
        lifecycle::after(hooks, "deploy:finalize", plan).await
    }

    /// The built-in `deploy:deploy` work once the stack is updated (or the deploy skipped):
    /// deletion protection, version pruning, the REST API stage settings.
    async fn after_deploy(&mut self, plan: &Plan, d: &Deploying) -> Result<()> {
        let (ctx, reporter) = (&self.ctx, self.reporter.as_ref());
        let service = &plan.service;
        let r = &self.result;
        let not_created =
            !d.skip && r.stack_created && r.empty_change_set && !stack::is_direct(service);
        protection::apply(ctx, service, d.protect, not_created, reporter).await?;
        prune::prune(ctx, service, d.keep, reporter).await?;
        if d.skip {
            return Ok(());
        }
        if let (Some(api), Some(stack_id)) = (
            rest_stage::rest_api_id(&r.outputs),
            d.current.as_ref().and_then(|s| s.stack_id()),
        ) {
            rest_stage::update(ctx, service, &api, stack_id).await?;
        }
        Ok(())
    }
}

//! The `deploy` command on the spine: `initialize`, the `package` lifecycle, `deploy:deploy` (which
//! spawns `aws:deploy:deploy`: create the stack, check for changes, upload, update the stack),
//! `deploy:finalize` (the cleanup), `finalize` — slsx's steps as the built-in handlers, the plugins'
//! hooks between them.

use super::package::{artifact_results, build_plan, function_results};
use super::{info, DeployOptions, DeployResult, Phases};
use crate::aws::AwsContext;
use crate::compile::naming::change_set_name;
use crate::config::Service;
use crate::deploy::changes::Decision;
use crate::deploy::plan::{self, Plan};
use crate::deploy::{
    bucket, build, changes, cleanup, log_subscriptions, monitor, outputs, protection, prune,
    report_credentials, rest_stage, stack, upload,
};
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
        reporter.report(ProgressEvent::PhaseStarted {
            phase: "deploy",
            message: format!(
                "Deploying {} to stage {} ({})",
                service.name, service.stage, service.region
            ),
        });
        for w in &service.warnings {
            reporter.report(ProgressEvent::Warning { message: w.clone() });
        }
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

    /// `aws:deploy:deploy:createStack`: the stack found, or created with the deployment bucket.
    async fn create_stack(&mut self, plan: &Plan) -> Result<Deploying> {
        let (ctx, reporter) = (&self.ctx, self.reporter.as_ref());
        let service = &plan.service;
        let stack_name = service.stack_name();
        // osls checks these before it deploys anything and applies them after the update (or the skip).
        let (protect, keep) = (protection::setting(service)?, prune::setting(service)?);
        let p = self
            .phases
            .start("retrieveStack", "Retrieving CloudFormation stack");
        let existing = stack::describe(ctx, &stack_name).await?;
        self.phases.finish(p);
        let custom_bucket = crate::compile::custom_bucket(service);
        let mut current = match existing {
            Some(s) => {
                stack::ensure_usable(&s)?;
                Some(s)
            }
            // With its own bucket the stack is created from the whole template, after the upload.
            None if custom_bucket.is_some() => None,
            None => {
                let p = self
                    .phases
                    .start("createStack", "Creating CloudFormation stack");
                let body =
                    serde_json::to_string(&plan.templates.create).map_err(|e| Error::Internal {
                        message: format!("cannot serialize the create template: {e}"),
                    })?;
                let source = stack::TemplateSource::Body(&body);
                let outcome = stack::deploy(
                    ctx,
                    service,
                    source,
                    false,
                    monitor::Action::Create,
                    reporter,
                )
                .await?;
                self.phases.finish(p);
                self.result.stack_created = true;
                Some(outcome.stack.ok_or_else(|| Error::Stack {
                    code: "AWS_CLOUD_FORMATION_CREATE_STACK_FAILED".into(),
                    message: format!("Stack {stack_name} was not found after it was created"),
                })?)
            }
        };
        let bucket = match (&custom_bucket, &current) {
            (Some(name), _) => {
                bucket::check_custom(ctx, name).await?;
                name.clone()
            }
            (None, Some(stack)) => match bucket::resolve(ctx, stack).await {
                Err(e) if e.code() == bucket::BUCKET_MISSING_FROM_STACK => {
                    let p = self.phases.start(
                        "createStack",
                        "Adding the deployment bucket to the CloudFormation stack",
                    );
                    let restored =
                        bucket::restore(ctx, service, &plan.templates.create, reporter).await?;
                    self.phases.finish(p);
                    let name = bucket::resolve(ctx, &restored).await?;
                    current = Some(restored);
                    name
                }
                other => other?,
            },
            (None, None) => unreachable!("a stack without a custom bucket was created above"),
        };
        self.result.bucket = bucket.clone();
        Ok(Deploying {
            current,
            bucket,
            skip: false,
            protect,
            keep,
        })
    }

    /// `aws:deploy:deploy:checkForChanges`: nothing changed since the last deployment that
    /// succeeded → the rest of the deploy is skipped.
    async fn check_for_changes(&mut self, plan: &Plan, d: &mut Deploying) -> Result<()> {
        let (false, false, Some(stack)) =
            (self.options.force, self.result.stack_created, &d.current)
        else {
            return Ok(());
        };
        let p = self.phases.start("checkForChanges", "Checking for changes");
        let decision = changes::check(&self.ctx, &d.bucket, plan, stack).await?;
        self.phases.finish(p);
        if let Decision::Skip { deployment_dir } = decision {
            let service = &plan.service;
            let r = &mut self.result;
            d.skip = true;
            r.skipped = true;
            r.deployment_dir = deployment_dir;
            r.stack_status = stack.stack_status().map(|s| s.as_str().to_string());
            r.outputs = outputs(stack);
            r.endpoints = info::endpoints(service, &r.outputs);
            r.layers = info::layers(service, &r.outputs);
            r.artifacts = artifact_results(plan, None);
        }
        Ok(())
    }

    /// `aws:deploy:deploy:uploadArtifacts`.
    async fn upload(&mut self, plan: &Plan, d: &Deploying) -> Result<()> {
        let service = &plan.service;
        // The accelerate endpoint only once the bucket is accelerated (a stack whose template
        // enabled it), and never with an emulator's endpoint.
        let accelerated = self.options.service.aws_s3_accelerate == Some(true)
            && self.ctx.endpoint_url().is_none()
            && d.current.as_ref().is_some_and(|s| {
                s.outputs()
                    .iter()
                    .any(|o| o.output_key() == Some("ServerlessDeploymentBucketAccelerated"))
            });
        let upload_ctx = if accelerated {
            self.ctx.with_s3_accelerate()
        } else {
            self.ctx.clone()
        };
        log_subscriptions::clean(&self.ctx, service, d.current.is_some()).await?;
        let p = self.phases.start("upload", "Uploading");
        let uploaded =
            upload::upload_all(&upload_ctx, &d.bucket, plan, self.reporter.as_ref()).await?;
        self.phases.finish(p);
        self.result.artifacts = artifact_results(plan, Some(&uploaded));
        Ok(())
    }

    /// `aws:deploy:deploy:updateStack`: the change set (or the stack created from the whole
    /// template), then the state file that marks the deployment as done.
    async fn update_stack(&mut self, plan: &Plan, d: &mut Deploying) -> Result<()> {
        let (ctx, reporter) = (&self.ctx, self.reporter.as_ref());
        let service = &plan.service;
        let action = if d.current.is_some() {
            monitor::Action::Update
        } else {
            monitor::Action::Create
        };
        let p = self.phases.start(
            "updateStack",
            if d.current.is_some() {
                "Updating CloudFormation stack"
            } else {
                "Creating CloudFormation stack"
            },
        );
        let url = ctx.s3_object_url(
            &d.bucket,
            &format!("{}/{}", plan.deployment_dir, plan::TEMPLATE_FILE),
        );
        let transform = plan
            .templates
            .update
            .get("Transform")
            .is_some_and(|t| !t.is_null());
        let source = stack::TemplateSource::Url(&url);
        let outcome = stack::deploy(ctx, service, source, transform, action, reporter).await?;
        self.phases.finish(p);
        let r = &mut self.result;
        r.stack_created |= d.current.is_none();
        if !stack::is_direct(service) {
            r.change_set = Some(change_set_name(&service.stack_name()));
        }
        // The stack now runs exactly this template (an empty change set says it already did).
        let state = upload::upload_state(ctx, &d.bucket, plan).await?;
        reporter.report(ProgressEvent::ArtifactUploaded {
            key: state.key,
            size: state.size,
            uploaded: true,
        });
        r.empty_change_set = outcome.empty;
        if !outcome.empty {
            d.current = outcome.stack;
        }
        if let Some(s) = &d.current {
            r.stack_status = s.stack_status().map(|s| s.as_str().to_string());
            r.outputs = outputs(s);
            r.endpoints = info::endpoints(service, &r.outputs);
            r.layers = info::layers(service, &r.outputs);
        }
        Ok(())
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

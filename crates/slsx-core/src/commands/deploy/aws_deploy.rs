//! The steps of `aws:deploy:deploy` in `deploy`: the stack created (or found) with its bucket, the
//! check for changes, the upload, the stack update.

use super::{DeployRun, Deploying};
use crate::commands::info;
use crate::commands::package::artifact_results;
use crate::compile::naming::change_set_name;
use crate::deploy::changes::Decision;
use crate::deploy::plan::{self, Plan};
use crate::deploy::{
    bucket, changes, log_subscriptions, monitor, protection, prune, stack, upload,
};
use crate::error::{Error, Result};
use crate::progress::ProgressEvent;

impl DeployRun {
    /// `aws:deploy:deploy:createStack`: the stack found, or created with the deployment bucket.
    pub(super) async fn create_stack(&mut self, plan: &Plan) -> Result<Deploying> {
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
    pub(super) async fn check_for_changes(&mut self, plan: &Plan, d: &mut Deploying) -> Result<()> {
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
            r.outputs = crate::aws::stack_outputs(stack);
            r.endpoints = info::endpoints(service, &r.outputs);
            r.layers = info::layers(service, &r.outputs);
            r.artifacts = artifact_results(plan, None);
        }
        Ok(())
    }

    /// `aws:deploy:deploy:uploadArtifacts`.
    pub(super) async fn upload(&mut self, plan: &Plan, d: &Deploying) -> Result<()> {
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
    pub(super) async fn update_stack(&mut self, plan: &Plan, d: &mut Deploying) -> Result<()> {
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
            r.outputs = crate::aws::stack_outputs(s);
            r.endpoints = info::endpoints(service, &r.outputs);
            r.layers = info::layers(service, &r.outputs);
        }
        Ok(())
    }
}

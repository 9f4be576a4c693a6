//! Resolving the deployment bucket of the stack.

use aws_sdk_cloudformation::types::Stack;

use crate::aws::errors::OrAws;
use crate::aws::{errors, AwsContext};
use crate::compile::naming::{DEPLOYMENT_BUCKET, DEPLOYMENT_BUCKET_OUTPUT};
use crate::error::{Error, Result};

/// The bucket's name from the stack's `ServerlessDeploymentBucketName` output (already in hand from
/// DescribeStacks) when it is a name CloudFormation generated for the stack's bucket, else from the
/// stack resource (the output of a stack deployed with its own bucket names that bucket instead).
pub async fn resolve(ctx: &AwsContext, stack: &Stack) -> Result<String> {
    if let Some(name) = stack
        .outputs()
        .iter()
        .find(|o| o.output_key() == Some(DEPLOYMENT_BUCKET_OUTPUT))
        .and_then(|o| o.output_value())
        .filter(|v| v.contains("serverlessdeploymentbucket"))
    {
        return Ok(name.to_string());
    }
    let stack_name = stack.stack_name().unwrap_or_default();
    let out = ctx
        .cloudformation()
        .describe_stack_resource()
        .stack_name(stack_name)
        .logical_resource_id(DEPLOYMENT_BUCKET)
        .send()
        .await;
    let missing = || Error::Stack {
        code: BUCKET_MISSING_FROM_STACK.into(),
        message: format!("Stack {stack_name} has no {DEPLOYMENT_BUCKET} resource"),
    };
    match out {
        Ok(out) => out
            .stack_resource_detail()
            .and_then(|d| d.physical_resource_id())
            .filter(|id| !id.is_empty())
            .map(str::to_string)
            .ok_or_else(missing),
        Err(e) if errors::is_stack_missing(&e) => Err(missing()),
        Err(e) => Err(errors::wrap(
            "CLOUD_FORMATION",
            "DESCRIBE_STACK_RESOURCE",
            format!("find the deployment bucket of stack {stack_name}"),
            e,
        )),
    }
}

/// The stack has no deployment bucket (a `provider.deploymentBucket` was removed from the service).
pub const BUCKET_MISSING_FROM_STACK: &str = "DEPLOYMENT_BUCKET_NOT_IN_STACK";

/// Adds the deployment bucket back to a stack that lost it: the deployed template plus the core
/// template's resources and outputs, through the usual change set.
pub async fn restore(
    ctx: &AwsContext,
    service: &crate::config::Service,
    core: &serde_json::Value,
    reporter: &dyn crate::progress::Reporter,
) -> Result<Stack> {
    let stack_name = service.stack_name();
    let out = ctx
        .cloudformation()
        .get_template()
        .stack_name(&stack_name)
        .template_stage(aws_sdk_cloudformation::types::TemplateStage::Original)
        .send()
        .await
        .or_aws("CLOUD_FORMATION", "GET_TEMPLATE", || {
            format!("read the template of stack {stack_name}")
        })?;
    let mut template: serde_json::Value = serde_json::from_str(out.template_body().unwrap_or("{}")).map_err(|e| Error::Stack {
        code: "AWS_CLOUD_FORMATION_GET_TEMPLATE_INVALID".into(),
        message: format!("The deployed template of stack {stack_name} is not JSON ({e}); deploy it once with Serverless"),
    })?;
    for section in ["Resources", "Outputs"] {
        let target = template
            .as_object_mut()
            .map(|t| t.entry(section).or_insert_with(|| serde_json::json!({})))
            .and_then(|v| v.as_object_mut());
        if let (Some(target), Some(add)) = (target, core.get(section).and_then(|v| v.as_object())) {
            target.extend(add.clone());
        }
    }
    let body = template.to_string();
    let transform = template.get("Transform").is_some();
    let source = super::stack::TemplateSource::Body(&body);
    let outcome = super::stack::deploy(
        ctx,
        service,
        source,
        transform,
        super::monitor::Action::Update,
        reporter,
    )
    .await?;
    outcome.stack.ok_or_else(|| Error::Stack {
        code: "AWS_CLOUD_FORMATION_UPDATE_STACK_FAILED".into(),
        message: format!(
            "Stack {stack_name} was not found after its deployment bucket was added back"
        ),
    })
}

/// A custom `deploymentBucket` must exist and be in the service's region.
pub async fn check_custom(ctx: &AwsContext, name: &str) -> Result<()> {
    match ctx.s3().head_bucket().bucket(name).send().await {
        Ok(out) => {
            let region = match out.bucket_region() {
                Some("EU") => Some("eu-west-1"),
                other => other,
            };
            if let Some(region) = region.filter(|r| *r != ctx.region()) {
                return Err(Error::Stack {
                    code: "DEPLOYMENT_BUCKET_INVALID_REGION".into(),
                    message: format!(
                        "Deployment bucket \"{name}\" is in region \"{region}\", not in the service's region \"{}\"",
                        ctx.region()
                    ),
                });
            }
            Ok(())
        }
        Err(e) if e.as_service_error().is_some_and(|se| se.is_not_found()) || e.raw_response().is_some_and(|r| r.status().as_u16() == 404) => {
            Err(Error::Stack {
                code: "DEPLOYMENT_BUCKET_DOES_NOT_EXIST".into(),
                message: format!("Could not locate deployment bucket: \"{name}\". Create it first, or remove provider.deploymentBucket"),
            })
        }
        Err(e) => Err(errors::wrap("S3", "HEAD_BUCKET", format!("check deployment bucket {name}"), e)),
    }
}

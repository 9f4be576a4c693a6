//! Resolving the deployment bucket of the stack.

use aws_sdk_cloudformation::types::Stack;

use crate::aws::{errors, AwsContext};
use crate::compile::naming::{DEPLOYMENT_BUCKET, DEPLOYMENT_BUCKET_OUTPUT};
use crate::error::{Error, Result};

/// The bucket's name from the stack's `ServerlessDeploymentBucketName` output (already in hand from
/// DescribeStacks), else from the stack resource.
pub async fn resolve(ctx: &AwsContext, stack: &Stack) -> Result<String> {
    if let Some(name) = stack
        .outputs()
        .iter()
        .find(|o| o.output_key() == Some(DEPLOYMENT_BUCKET_OUTPUT))
        .and_then(|o| o.output_value())
        .filter(|v| !v.is_empty())
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
        .await
        .map_err(|e| errors::wrap("CLOUD_FORMATION", "DESCRIBE_STACK_RESOURCE", format!("find the deployment bucket of stack {stack_name}"), e))?;
    out.stack_resource_detail()
        .and_then(|d| d.physical_resource_id())
        .map(str::to_string)
        .ok_or_else(|| Error::Stack {
            code: "DEPLOYMENT_BUCKET_NOT_FOUND".into(),
            message: format!("Stack {stack_name} has no {DEPLOYMENT_BUCKET} resource"),
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

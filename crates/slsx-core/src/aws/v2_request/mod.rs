//! `provider.request(service, method, params)` as Serverless v3 plugins still call it (osls 4 removed
//! it): the AWS SDK for JavaScript v2 call surface, served by the engine's aws-sdk-rust clients.
//!
//! Parameters and answers have v2's shapes: members PascalCase as in the AWS API, timestamps as ISO
//! strings (what `JSON.stringify` makes of v2's `Date`s), blobs as UTF-8 strings (a plugin that
//! `JSON.parse`s v2's Buffer works the same on a string). Only the operations listed in `SERVED` are
//! served, and each only with the parameters slsx passes on: anything else is refused by name rather
//! than dropped, since a parameter silently ignored would make a different call than the plugin asked.

mod cloudformation;
mod lambda;
mod out;
mod params;
mod s3;
#[cfg(test)]
mod tests;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde_json::Value;

use self::out::Out;
use self::params::Params;
use super::AwsContext;
use crate::error::{Error, Result};

/// Every operation served, as `<Service>.<method>` (v2's spelling).
pub const SERVED: &[&str] = &[
    "CloudFormation.describeStacks",
    "CloudFormation.describeStackResource",
    "CloudFormation.describeStackResources",
    "CloudFormation.listStackResources",
    "Lambda.listVersionsByFunction",
    "Lambda.listAliases",
    "Lambda.deleteFunction",
    "Lambda.listLayerVersions",
    "Lambda.deleteLayerVersion",
    "Lambda.invoke",
    "Lambda.getFunction",
    "Lambda.listFunctions",
    "S3.putObject",
    "S3.getObject",
    "S3.headObject",
    "S3.listObjectsV2",
    "S3.deleteObjects",
    "STS.getCallerIdentity",
];

/// A failed call: the error, and the HTTP status of AWS's answer when there was one (v2 gives plugins
/// `statusCode`; serverless-prune-plugin tells "not deployed" from other failures by a 404).
#[derive(Debug)]
pub struct Failure {
    pub error: Error,
    pub status_code: Option<u16>,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure {
            error,
            status_code: None,
        }
    }
}

/// Makes the call; an AWS error is `Error::Aws` with AWS's own code (`ValidationError`,
/// `ResourceNotFoundException` …) and message.
pub async fn request(
    ctx: &AwsContext,
    service: &str,
    method: &str,
    params: &Value,
) -> Result<Value> {
    request_with_status(ctx, service, method, params)
        .await
        .map_err(|f| f.error)
}

/// `request`, keeping the HTTP status of a failed call.
pub async fn request_with_status(
    ctx: &AwsContext,
    service: &str,
    method: &str,
    params: &Value,
) -> Result<Value, Failure> {
    let name = format!("{service}.{method}");
    if !SERVED.contains(&name.as_str()) {
        return Err(Error::aws(
            "AWS_REQUEST_NOT_SUPPORTED",
            format!("call {name}"),
            format!(
                "slsx does not serve provider.request(\"{service}\", \"{method}\"); it serves {}",
                SERVED.join(", ")
            ),
        )
        .into());
    }
    let p = Params::new(&name, params)?;
    match service {
        "CloudFormation" => cloudformation::call(ctx, method, &p).await,
        "Lambda" => lambda::call(ctx, method, &p).await,
        "S3" => s3::call(ctx, method, &p).await,
        _ => sts_get_caller_identity(ctx, &p).await,
    }
}

async fn sts_get_caller_identity(ctx: &AwsContext, p: &Params<'_>) -> Result<Value, Failure> {
    p.only(&[])?;
    let r = ctx
        .sts()
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| failure(p, e))?;
    Ok(Out::new()
        .s("UserId", r.user_id())
        .s("Account", r.account())
        .s("Arn", r.arn())
        .done())
}

/// A method a service module was dispatched but does not have: `SERVED` and the modules disagree.
fn unlisted(p: &Params<'_>) -> Failure {
    Error::Internal {
        message: format!(
            "{} is listed as served but has no implementation",
            p.operation()
        ),
    }
    .into()
}

/// An SDK error as plugins see v2's: AWS's code (or a transport/credentials code) and message.
fn failure<E>(p: &Params<'_>, err: SdkError<E, HttpResponse>) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let status_code = err.raw_response().map(|r| r.status().as_u16());
    let code = super::errors::describe(&err)
        .0
        .unwrap_or_else(|| "AWS_REQUEST_ERROR".into());
    Failure {
        error: super::errors::with_source(code, format!("call {}", p.operation()), err),
        status_code,
    }
}

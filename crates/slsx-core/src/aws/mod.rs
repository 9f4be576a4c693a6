//! The one place AWS clients are built: credentials, region, profile, endpoint, retries and request
//! counting. Used by deploy and the AWS variable sources.

mod context;
pub mod credentials;
pub mod errors;
pub mod v2_request;

pub use context::{AwsContext, AwsSettings};
pub use credentials::{CredentialSource, ExtraEnv};

/// A stack's outputs as (key, value), in CloudFormation's order (a missing value as "").
pub fn stack_outputs(stack: &aws_sdk_cloudformation::types::Stack) -> Vec<(String, String)> {
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

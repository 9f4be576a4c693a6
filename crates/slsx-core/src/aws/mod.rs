//! The one place AWS clients are built: credentials, region, profile, endpoint, retries and request
//! counting. Used by deploy and the AWS variable sources.

mod context;
pub mod credentials;
pub mod errors;
pub mod v2_request;

pub use context::{AwsContext, AwsSettings};
pub use credentials::{CredentialSource, ExtraEnv};

//! The one place AWS clients are built: credentials, region, profile, endpoint, retries and request
//! counting. Used by deploy (and, later, the AWS variable sources).

mod context;
pub mod errors;

pub use context::{AwsContext, AwsSettings};

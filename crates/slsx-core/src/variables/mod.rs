//! Serverless v3's variables: `${source:address, fallback}` in any value of the configuration,
//! resolved against `self`, `opt`, `env`, `sls`, `param`, `file`, `strToBool`, `aws`, `cf`, `s3` and
//! `ssm`, with fallbacks, literal defaults, nesting, embedded strings, escaping, re-resolution of
//! resolved strings (10 levels deep at most) and cycle detection.
//!
//! Resolution is synchronous; the AWS sources go through `AwsLookups`, which batches and de-duplicates
//! the requests (SSM `GetParameters` ten names a call) and runs them concurrently ahead of resolution.

mod context;
pub mod dotenv;
pub mod parse;
mod resolve;
pub mod sources;

pub use context::{Context, JsFileEvent, JsFiles};
pub use resolve::{resolve_config, resolve_paths};
pub use sources::aws::{AwsLookups, AwsSource};

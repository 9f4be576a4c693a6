//! slsx-core: everything that deploys a `serverless.yml` service, with no Node.js in sight.
//!
//! Data flows one way: `config` → `package` → `compile` → `deploy`. Only `deploy` talks to AWS, through
//! the `AwsContext` of `aws`.

pub mod aws;
pub mod compile;
pub mod config;
pub mod defaults;
pub mod deploy;
pub mod error;
pub mod lifecycle;
pub mod package;
pub mod progress;
pub mod variables;

pub use error::{Error, Result};

//! slsx-core: everything that deploys a `serverless.yml` service, with no Node.js in sight.
//!
//! Data flows one way: `config` (with `variables`) → `package` → `compile` → `deploy`, each command a
//! sequence of lifecycle events (`lifecycle`) whose built-in handlers are those steps. AWS is reached
//! through the `AwsContext` of `aws`: by `deploy`, and by the AWS variable sources while loading.
//! `docs/architecture.md` draws it.

pub mod aws;
pub mod clock;
pub mod commands;
pub mod compile;
pub mod config;
pub mod defaults;
pub mod deploy;
pub mod error;
pub mod lifecycle;
pub mod load;
pub mod package;
pub mod progress;
pub mod source;
pub mod variables;

pub use error::{Error, Result};

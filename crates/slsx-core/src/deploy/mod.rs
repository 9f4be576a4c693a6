//! The steps the commands (`commands/`) run: the `package` lifecycle's handlers (`build.rs`), what
//! plugins see of the state between them (`hook_state.rs`), and the AWS steps — the deployment bucket,
//! images, uploads, the change decision, the stack and its monitor, cleanup and pruning, the
//! REST stage, and `deploy function`'s Lambda updates.

pub(crate) mod bucket;
pub(crate) mod build;
pub(crate) mod changes;
pub(crate) mod cleanup;
pub(crate) mod download;
pub(crate) mod function_role;
pub(crate) mod function_settings;
pub(crate) mod function_update;
pub(crate) mod hook_state;
pub(crate) mod images;
mod listing;
pub(crate) mod log_subscriptions;
pub mod monitor;
pub mod plan;
pub(crate) mod protection;
pub(crate) mod prune;
pub(crate) mod rest_stage;
#[cfg(test)]
mod scripted_sdk;
pub(crate) mod stack;
pub(crate) mod upload;

use crate::aws::AwsContext;
use crate::progress::ProgressEvent;

pub use changes::{deployment_timestamp, Decision};
pub use plan::Plan;

/// `--verbose` says where the credentials come from (never a key); osls warns of an
/// `AWS_DEFAULT_PROFILE` no file has.
pub(crate) fn report_credentials(ctx: &AwsContext, reporter: &dyn crate::progress::Reporter) {
    let source = ctx.credentials();
    if let Some(message) = source.warning() {
        reporter.report(ProgressEvent::Warning { message });
    }
    reporter.report(ProgressEvent::Credentials {
        source: source.to_string(),
    });
}

//! `provider.deletionProtection`: the stack's termination protection, set after every deploy (osls
//! 4.3.1's `after:deploy:deploy` hook, which also runs when the deploy was skipped: a change of this
//! setting alone changes no template).

use crate::aws::{errors, AwsContext};
use crate::config::{Checked, Service};
use crate::error::{Error, Result};
use crate::progress::{ProgressEvent, Reporter};

/// Whether the stack must be protected at this stage; None when the setting is absent (the stack is
/// then left as it is). Checked before anything is deployed, as osls's `before:deploy:deploy` does.
pub fn setting(service: &Service) -> Result<Option<bool>> {
    match service.provider.settings.stack.deletion_protection {
        Checked::Valid(protect) => Ok(protect),
        Checked::Invalid => Err(invalid(service)),
    }
}

fn invalid(service: &Service) -> Error {
    crate::config::error_at(
        service,
        "provider.deletionProtection".into(),
        "INVALID_DELETION_PROTECTION_CONFIG",
        "provider.deletionProtection must be a boolean or an object with a non-empty stages list"
            .into(),
    )
}

/// Turns termination protection on or off, as `setting` decided. `not_created`: a first deploy whose
/// change set was empty left no stack to protect (osls skips it then, so that `remove` still works).
pub async fn apply(
    ctx: &AwsContext,
    service: &Service,
    enabled: Option<bool>,
    not_created: bool,
    reporter: &dyn Reporter,
) -> Result<()> {
    let Some(enabled) = enabled else {
        return Ok(());
    };
    if not_created {
        reporter.report(ProgressEvent::Info {
            message: "Skipping deletion protection update as the stack has not been created".into(),
        });
        return Ok(());
    }
    let stack = service.stack_name();
    ctx.cloudformation()
        .update_termination_protection()
        .stack_name(&stack)
        .enable_termination_protection(enabled)
        .send()
        .await
        .map_err(|e| Error::Stack {
            code: "AWS_CLOUDFORMATION_DELETION_PROTECTION_UPDATE_FAILED".into(),
            message: format!(
                "Could not {} deletion protection for stack \"{stack}\" (the stack itself was deployed): {}",
                if enabled { "enable" } else { "disable" },
                errors::describe(&e).1
            ),
        })?;
    reporter.report(ProgressEvent::Info {
        message: format!(
            "{} deletion protection for stack \"{stack}\"",
            if enabled { "Enabled" } else { "Disabled" }
        ),
    });
    Ok(())
}

#[cfg(test)]
#[path = "protection_tests.rs"]
mod tests;

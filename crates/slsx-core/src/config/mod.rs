//! Finding and reading `serverless.yml`, and the typed model of the parts slsx uses.

mod api_settings;
pub mod events;
mod function_checks;
mod function_settings;
pub(crate) mod merge;
mod model;
pub(crate) mod osls_setup;
mod provider_settings;
pub mod schema;
mod stack_settings;

pub use api_settings::ApiSettings;
pub use events::{event_error, Event, FunctionEvent};
pub use function_settings::{FunctionSettings, Vpc};
pub use model::{is_name, Function, Layer, ModelOptions, PackageConfig, Provider, Service};
pub use osls_setup::truthy as js_truthy;
pub use provider_settings::ProviderSettings;
pub use stack_settings::{
    BucketEncryption, Checked, EcrSettings, RollbackSettings, StackParameter, StackSettings,
};

/// The position of a key path in the service's config file, for error messages.
pub fn locate(service: &Service, path: &str) -> Option<Box<crate::error::SourceLocation>> {
    crate::source::locate_in(&service.config_file, &service.source, path)
}

/// A configuration error at a key path of the service's config file, with its position.
pub fn error_at(
    service: &Service,
    path: String,
    code: &'static str,
    message: String,
) -> crate::error::Error {
    crate::error::Error::Config {
        code,
        message,
        location: locate(service, &path),
        path: Some(path),
    }
}

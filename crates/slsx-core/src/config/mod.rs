//! Finding and reading `serverless.yml`, and the typed model of the parts slsx uses.

pub mod events;
mod function_checks;
mod function_settings;
mod load;
pub(crate) mod merge;
mod model;
pub(crate) mod osls_setup;
mod provider_settings;
pub mod schema;
pub mod yaml;

pub use events::{event_error, Event, FunctionEvent};
pub use function_settings::{FunctionSettings, Vpc};
pub use load::{find_config_file, load_config, LoadedConfig};
pub use model::{
    is_name, Function, Layer, PackageConfig, Provider, ResolvedImage, Service, ServiceOptions,
};
pub use osls_setup::truthy as js_truthy;
pub use provider_settings::ProviderSettings;

/// The position of a key path in the service's config file, for error messages.
pub fn locate(service: &Service, path: &str) -> Option<Box<crate::error::SourceLocation>> {
    locate_in(&service.config_file, &service.source, path)
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

/// The position of a key path in a config file's text.
pub fn locate_in(
    file: &std::path::Path,
    source: &str,
    path: &str,
) -> Option<Box<crate::error::SourceLocation>> {
    load::locate_path(source, path).map(|(line, column)| load::location(file, source, line, column))
}

//! Finding and reading `serverless.yml`, and the typed model of the parts slsx uses.

mod load;
mod model;
mod tags;

pub use load::{find_config_file, load_config, LoadedConfig};
pub use model::{Function, Layer, PackageConfig, Provider, Service, ServiceOptions};

/// The position of a key path in the service's config file, for error messages.
pub fn locate(service: &Service, path: &str) -> Option<crate::error::SourceLocation> {
    load::locate_path(&service.source, path)
        .map(|(line, column)| load::location(&service.config_file, &service.source, line, column))
}

//! The configuration's text: finding and reading `serverless.yml` / `.yaml` / `.json`, the YAML loader
//! (js-yaml's behaviour), and the position of a key path for errors. Below `config` and `variables`,
//! which both read configuration files; it imports neither.

mod file;
pub mod yaml;

pub use file::{find_config_file, load_config, LoadedConfig};
pub(crate) use file::{locate_path, location};

/// The position of a key path in a config file's text.
pub fn locate_in(
    file: &std::path::Path,
    source: &str,
    path: &str,
) -> Option<Box<crate::error::SourceLocation>> {
    file::locate_path(source, path).map(|(line, column)| file::location(file, source, line, column))
}

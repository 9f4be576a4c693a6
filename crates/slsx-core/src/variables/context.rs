//! What variables may read besides the configuration itself: the CLI's options and params, the
//! environment, the AWS sources and the JavaScript host.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::sources::AwsSource;

/// Everything variables may read besides the configuration itself.
pub struct Context<'a> {
    pub service_dir: PathBuf,
    /// The config file (for error positions) and its text.
    pub config_file: PathBuf,
    pub source: String,
    /// CLI options, for `opt:` (`stage`, `region`, and any other).
    pub options: Map<String, Value>,
    /// `--param key=value`, in order.
    pub params: Vec<(String, String)>,
    /// The process environment (and, with `useDotenv`, the `.env` files), for `env:`.
    pub env: HashMap<String, String>,
    /// `sls:instanceId`: the start time in ms.
    pub instance_id: String,
    /// The AWS sources, when AWS may be reached.
    pub aws: Option<&'a dyn AwsSource>,
    /// Evaluates JavaScript files for `file(x.js)`, when running under Node.js.
    pub js: Option<&'a dyn JsFiles>,
    /// Loading for the plugins' constructors: a source slsx does not know (a plugin's, whose plugin
    /// is not constructed yet) stays as written, as osls leaves it until the plugins are loaded.
    pub tolerate_unknown_sources: bool,
}

/// A message from a JavaScript file being evaluated: it asks for a variable (`resolveVariable`), or it
/// is done.
pub enum JsFileEvent {
    Resolve {
        expression: String,
        reply: std::sync::mpsc::Sender<std::result::Result<Value, String>>,
    },
    Done(std::result::Result<Value, String>),
}

/// Evaluates a JavaScript file (its export, or the value its exported function returns).
pub trait JsFiles: Sync {
    /// `address`: the dotted path to take from the export (a function found there is called).
    fn load(&self, path: &Path, address: Option<&str>) -> std::sync::mpsc::Receiver<JsFileEvent>;
    /// Whether a plugin provides the variable source `name` (`configurationVariablesSources`).
    fn has_source(&self, _name: &str) -> bool {
        false
    }
    /// Resolves `${name(params):address}` with the plugin's resolver.
    fn source(
        &self,
        name: &str,
        _params: &[Value],
        _address: Option<&str>,
    ) -> std::sync::mpsc::Receiver<JsFileEvent> {
        let (tx, rx) = std::sync::mpsc::channel();
        let _ = tx.send(JsFileEvent::Done(Err(format!(
            "no plugin provides \"{name}\""
        ))));
        rx
    }
}

//! What the caller chose on the command line / in the JS options: the loading stage's input.

use std::path::PathBuf;

use serde_json::{Map, Value};

use crate::config::ModelOptions;

/// What the caller chose on the command line / in the JS options.
#[derive(Debug, Clone, Default)]
pub struct ServiceOptions {
    pub service_path: PathBuf,
    pub config: Option<String>,
    pub stage: Option<String>,
    pub region: Option<String>,
    pub profile: Option<String>,
    /// `--param key=value`, in order.
    pub params: Vec<(String, String)>,
    /// Every CLI option, for `${opt:…}` (`stage` and `region` are added from the fields above).
    pub options: Map<String, Value>,
    /// A configuration already loaded by the caller (the JS side loads serverless.js / .ts): the file
    /// it came from (relative to the service) and its value.
    pub preloaded: Option<(String, Value)>,
    /// Evaluates JavaScript files for `${file(x.js)}` (the Node.js binding provides it).
    pub js_files: Option<std::sync::Arc<dyn crate::variables::JsFiles + Send>>,
    /// `--aws-s3-accelerate` (Some(true)) / `--no-aws-s3-accelerate` (Some(false)).
    pub aws_s3_accelerate: Option<bool>,
    /// Load for the plugins' constructors: the schema converts values but its problems are not
    /// raised yet (plugins extend the schema once they are constructed).
    pub skip_schema: bool,
    /// Load for `print`: the checks osls makes only while compiling (functions' settings, events)
    /// are not made — osls prints configurations its compiler refuses.
    pub skip_compile_checks: bool,
    /// The plugins' hooks (the Node.js host provides them when the service lists plugins).
    pub hooks: Option<std::sync::Arc<dyn crate::lifecycle::Hooks>>,
}

impl std::fmt::Debug for dyn crate::lifecycle::Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hooks")
    }
}

impl std::fmt::Debug for dyn crate::variables::JsFiles + Send {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JsFiles")
    }
}

impl ServiceOptions {
    /// The plugins' hooks, or none.
    pub fn hooks(&self) -> std::sync::Arc<dyn crate::lifecycle::Hooks> {
        self.hooks
            .clone()
            .unwrap_or_else(|| std::sync::Arc::new(crate::lifecycle::NoHooks))
    }

    /// What `${opt:…}` sees.
    pub fn cli_options(&self) -> Map<String, Value> {
        let mut o = self.options.clone();
        if let Some(s) = &self.stage {
            o.insert("stage".into(), Value::String(s.clone()));
        }
        if let Some(r) = &self.region {
            o.insert("region".into(), Value::String(r.clone()));
        }
        o
    }

    /// What the typed model takes of these options.
    pub fn model(&self) -> ModelOptions<'_> {
        ModelOptions {
            stage: self.stage.as_deref(),
            region: self.region.as_deref(),
            skip_schema: self.skip_schema,
            skip_compile_checks: self.skip_compile_checks,
        }
    }
}

//! The plugins' hooks, run by the Node.js host (`lib/plugins/`): the engine calls `run(hook, state)`
//! for each hook name a plugin registered, with the state as JSON text, and continues with the state
//! the promise resolves to. A hook that throws rejects with `{ plugin, hook, message, code }` as JSON.

use std::collections::HashSet;
use std::sync::Arc;

use napi::bindgen_prelude::{Promise, Status};
use napi::threadsafe_function::ThreadsafeFunction;
use napi_derive::napi;
use serde_json::Value;
use slsx_core::lifecycle::{plugin_error, BoxFuture, Hooks};

/// One call of the host's hook runner.
#[napi(object)]
pub struct HookCall {
    /// `before:package:compileFunctions`, `initialize` …
    pub hook: String,
    /// The state plugins see, as JSON text.
    pub state: String,
}

pub type HookRunner = ThreadsafeFunction<HookCall, Promise<String>, HookCall, Status, false, true>;

/// What the package entry passes when the service lists plugins.
#[napi(object, object_to_js = false)]
pub struct JsPlugins {
    /// Every hook name a loaded plugin registered.
    pub hooks: Vec<String>,
    /// Runs the hooks of one name over a state and resolves to the state they left.
    pub run: HookRunner,
    /// The plugins' `configSchemaHandler` definitions, in order.
    pub schema: Option<Vec<Value>>,
    /// The names of the plugins' variable sources (`configurationVariablesSources`).
    pub sources: Option<Vec<String>>,
}

struct JsHooks {
    names: HashSet<String>,
    run: Arc<HookRunner>,
    schema: Vec<Value>,
}

impl JsPlugins {
    pub fn into_hooks(self) -> Arc<dyn Hooks> {
        Arc::new(JsHooks {
            names: self.hooks.into_iter().collect(),
            run: Arc::new(self.run),
            schema: self.schema.unwrap_or_default(),
        })
    }
}

impl Hooks for JsHooks {
    fn hooked(&self, hook: &str) -> bool {
        self.names.contains(hook)
    }

    fn run<'a>(&'a self, hook: &'a str, state: Value) -> BoxFuture<'a, slsx_core::Result<Value>> {
        let run = self.run.clone();
        Box::pin(async move {
            let call = HookCall {
                hook: hook.to_string(),
                state: state.to_string(),
            };
            let text = match run.call_async_catch(call).await {
                Ok(promise) => promise.await.map_err(|e| plugin_error(&e.reason))?,
                Err(e) => return Err(plugin_error(&e.reason)),
            };
            serde_json::from_str(&text).map_err(|e| slsx_core::Error::Internal {
                message: format!("the plugins' state after \"{hook}\" is not JSON: {e}"),
            })
        })
    }

    fn schema_definitions(&self) -> &[Value] {
        &self.schema
    }
}

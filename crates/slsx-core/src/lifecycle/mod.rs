//! The spine: every command is Serverless v3's sequence of lifecycle events, and slsx's own steps are
//! the built-in handlers of those events. Plugins (run by the Node.js host, `lib/plugins/`) hook the
//! same events; between their hooks and the engine's steps travels the state they see and change (the
//! service, the compiled templates, the artifacts: `deploy/hook_state.rs`).
//!
//! For an event `E`, in order: the built-in `before:E` step, the plugins' `before:E` hooks, the
//! built-in `E` step, the plugins' `E` hooks, the built-in `after:E` step, the plugins' `after:E`
//! hooks — built-in plugins come first in osls's plugin order. Without plugins the hooks are
//! `NoHooks`: nothing is serialized and nothing crosses to JavaScript. `docs/lifecycle.md` lists the
//! events of every command and what slsx does at each.

use std::future::Future;
use std::pin::Pin;

use serde_json::Value;

use crate::error::{Error, Result};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// `package`'s events (`package:finalize` spawns `aws:package:finalize`, whose events follow it).
pub const PACKAGE: &[&str] = &[
    "package:cleanup",
    "package:initialize",
    "package:setupProviderConfiguration",
    "package:createDeploymentArtifacts",
    "package:compileLayers",
    "package:compileFunctions",
    "package:compileEvents",
    "package:finalize",
];

/// Spawned by `package:finalize`.
pub const AWS_PACKAGE_FINALIZE: &[&str] = &[
    "aws:package:finalize:addExportNameForOutputs",
    "aws:package:finalize:mergeCustomProviderResources",
    "aws:package:finalize:stripNullPropsFromTemplateResources",
    "aws:package:finalize:saveServiceState",
];

/// Spawned by `deploy:deploy`.
pub const AWS_DEPLOY_DEPLOY: &[&str] = &[
    "aws:deploy:deploy:createStack",
    "aws:deploy:deploy:checkForChanges",
    "aws:deploy:deploy:uploadArtifacts",
    "aws:deploy:deploy:validateTemplate",
    "aws:deploy:deploy:updateStack",
];

/// Spawned by `info:info` (and by `deploy:deploy`, after the stack update).
pub const AWS_INFO: &[&str] = &[
    "aws:info:validate",
    "aws:info:gatherData",
    "aws:info:displayServiceInfo",
    "aws:info:displayApiKeys",
    "aws:info:displayEndpoints",
    "aws:info:displayFunctions",
    "aws:info:displayLayers",
    "aws:info:displayStackOutputs",
];

/// The plugins a command runs with: which hooks they registered, and how to run them.
pub trait Hooks: Send + Sync {
    /// Whether any plugin registered `hook` (`before:package:compileFunctions`, `initialize` …).
    fn hooked(&self, hook: &str) -> bool;
    /// Runs every plugin hook registered for `hook`, in plugin order, on `state` (the JSON of
    /// `state::to_js`); resolves to the state the hooks left.
    fn run<'a>(&'a self, hook: &'a str, state: Value) -> BoxFuture<'a, Result<Value>>;
    /// The plugins' `configSchemaHandler` definitions, in order (`Schema::extended`).
    fn schema_definitions(&self) -> &[Value] {
        &[]
    }
}

/// No plugins: nothing is hooked.
pub struct NoHooks;

impl Hooks for NoHooks {
    fn hooked(&self, _hook: &str) -> bool {
        false
    }
    fn run<'a>(&'a self, _hook: &'a str, state: Value) -> BoxFuture<'a, Result<Value>> {
        Box::pin(async move { Ok(state) })
    }
}

/// What a hook's state looks like to the spine: it is turned into the JSON plugins see and back.
pub trait HookState {
    fn to_js(&self) -> Value;
    /// Takes what the hooks left (only called when it differs from what `to_js` gave).
    fn apply_js(&mut self, state: Value) -> Result<()>;
    /// Hooks ran, whatever they left in the JSON: files they may have rewritten (a zip) are read again.
    fn hooks_ran(&mut self) {}
}

/// Runs the plugins' hooks of one hook name on a state, when any plugin registered it.
pub async fn hook(hooks: &dyn Hooks, name: &str, state: &mut dyn HookStateSend) -> Result<()> {
    if !hooks.hooked(name) {
        return Ok(());
    }
    let sent = state.to_js();
    let back = hooks.run(name, sent.clone()).await?;
    state.hooks_ran();
    if back != sent {
        state.apply_js(back)?;
    }
    Ok(())
}

/// `HookState` that may cross an await point.
pub trait HookStateSend: HookState + Send {}
impl<T: HookState + Send> HookStateSend for T {}

/// The `E` and `after:E` hooks: what runs once the built-in step of `E` is done.
pub async fn after(hooks: &dyn Hooks, event: &str, state: &mut dyn HookStateSend) -> Result<()> {
    hook(hooks, event, state).await?;
    hook(hooks, &format!("after:{event}"), state).await
}

/// The `before:E` hooks.
pub async fn before(hooks: &dyn Hooks, event: &str, state: &mut dyn HookStateSend) -> Result<()> {
    hook(hooks, &format!("before:{event}"), state).await
}

/// The `error` hooks of a failed command: they get the failure (the service they hold is the one of
/// their last hook), and their own failure is not allowed to hide it.
pub async fn on_error(hooks: &dyn Hooks, error: Error) -> Error {
    if hooks.hooked("error") {
        let failure = serde_json::json!({
            "error": { "message": error.to_string(), "code": error.code() }
        });
        let _ = hooks.run("error", failure).await;
    }
    error
}

/// The error a hook's failure becomes: the JS host sends `{ plugin, hook, message, code }`.
pub fn plugin_error(reason: &str) -> Error {
    let parsed: Option<Value> = serde_json::from_str(reason).ok();
    let field = |k: &str| {
        parsed
            .as_ref()
            .and_then(|v| v.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    match field("message") {
        Some(message) => Error::Plugin {
            plugin: field("plugin").unwrap_or_default(),
            hook: field("hook").unwrap_or_default(),
            code: field("code").unwrap_or_else(|| "PLUGIN_ERROR".into()),
            message,
        },
        None => Error::Plugin {
            plugin: String::new(),
            hook: String::new(),
            code: "PLUGIN_ERROR".into(),
            message: reason.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Records the hooks run and adds a key to the state at `after:b`.
    struct Recorder(Mutex<Vec<String>>);
    impl Hooks for Recorder {
        fn hooked(&self, hook: &str) -> bool {
            hook != "before:b"
        }
        fn run<'a>(&'a self, hook: &'a str, mut state: Value) -> BoxFuture<'a, Result<Value>> {
            self.0.lock().unwrap().push(hook.to_string());
            if hook == "after:b" {
                state["added"] = Value::Bool(true);
            }
            Box::pin(async move { Ok(state) })
        }
    }

    struct S(Value, usize);
    impl HookState for S {
        fn to_js(&self) -> Value {
            self.0.clone()
        }
        fn apply_js(&mut self, state: Value) -> Result<()> {
            self.0 = state;
            self.1 += 1;
            Ok(())
        }
    }

    #[tokio::test]
    async fn hooks_run_in_order_and_only_changes_are_applied() {
        let r = Recorder(Mutex::new(Vec::new()));
        let mut s = S(serde_json::json!({}), 0);
        for e in ["a", "b"] {
            before(&r, e, &mut s).await.unwrap();
            after(&r, e, &mut s).await.unwrap();
        }
        assert_eq!(
            *r.0.lock().unwrap(),
            ["before:a", "a", "after:a", "b", "after:b"]
        );
        assert_eq!(s.1, 1, "only the hook that changed the state is applied");
        assert_eq!(s.0["added"], true);
    }

    #[test]
    fn hook_failures_keep_the_plugin_its_message_and_code() {
        let e =
            plugin_error(r#"{"plugin":"P","hook":"before:x","message":"boom","code":"MY_CODE"}"#);
        assert_eq!(e.code(), "MY_CODE");
        assert!(e.to_string().contains("boom"));
        assert!(e.to_string().contains("\"P\""));
        assert_eq!(plugin_error("plain").code(), "PLUGIN_ERROR");
    }
}

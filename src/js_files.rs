//! `${file(x.js)}`: the engine asks JavaScript to evaluate the file (the package entry passes a loader
//! function), and answers the file's `resolveVariable(...)` calls while it waits for the result.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Mutex, OnceLock};

use napi::bindgen_prelude::{Promise, Status};
use napi::threadsafe_function::ThreadsafeFunction;
use napi_derive::napi;
use slsx_core::variables::{JsFileEvent, JsFiles};

/// What the loader is called with.
#[napi(object)]
pub struct JsFileRequest {
    pub path: String,
    /// Dotted path into the export; a function found there is called.
    pub address: Option<String>,
    /// Identifies the evaluation for `resolveVariableForJs`.
    pub token: u32,
    /// Set for a plugin's variable source (`${source(params):address}`) instead of a file.
    pub source: Option<String>,
    pub params: Option<Vec<serde_json::Value>>,
}

pub type JsFileLoader = ThreadsafeFunction<
    JsFileRequest,
    Promise<serde_json::Value>,
    JsFileRequest,
    Status,
    false,
    true,
>;

/// Evaluations in progress: token -> the engine thread waiting for their events.
fn pending() -> &'static Mutex<HashMap<u32, Sender<JsFileEvent>>> {
    static PENDING: OnceLock<Mutex<HashMap<u32, Sender<JsFileEvent>>>> = OnceLock::new();
    PENDING.get_or_init(Default::default)
}

pub struct JsFileBridge {
    loader: std::sync::Arc<JsFileLoader>,
    handle: tokio::runtime::Handle,
    /// The plugins' variable sources (`configurationVariablesSources`).
    sources: Vec<String>,
}

impl JsFileBridge {
    pub fn new(loader: JsFileLoader, sources: Vec<String>) -> JsFileBridge {
        JsFileBridge {
            loader: std::sync::Arc::new(loader),
            handle: tokio::runtime::Handle::current(),
            sources,
        }
    }

    fn call(&self, request: JsFileRequest, tx: Sender<JsFileEvent>) {
        let loader = self.loader.clone();
        let token = request.token;
        self.handle.spawn(async move {
            let result = match loader.call_async_catch(request).await {
                Ok(promise) => promise.await.map_err(|e| e.reason.clone()),
                Err(e) => Err(e.reason.clone()),
            };
            if let Ok(mut p) = pending().lock() {
                p.remove(&token);
            }
            let _ = tx.send(JsFileEvent::Done(result));
        });
    }

    fn register() -> (u32, Sender<JsFileEvent>, Receiver<JsFileEvent>) {
        static NEXT: AtomicU32 = AtomicU32::new(1);
        let token = NEXT.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = channel();
        if let Ok(mut p) = pending().lock() {
            p.insert(token, tx.clone());
        }
        (token, tx, rx)
    }
}

impl JsFiles for JsFileBridge {
    fn has_source(&self, name: &str) -> bool {
        self.sources.iter().any(|s| s == name)
    }

    fn source(
        &self,
        name: &str,
        params: &[serde_json::Value],
        address: Option<&str>,
    ) -> Receiver<JsFileEvent> {
        let (token, tx, rx) = Self::register();
        let request = JsFileRequest {
            path: String::new(),
            address: address.map(str::to_string),
            token,
            source: Some(name.to_string()),
            params: Some(params.to_vec()),
        };
        self.call(request, tx);
        rx
    }

    fn load(&self, path: &Path, address: Option<&str>) -> Receiver<JsFileEvent> {
        let (token, tx, rx) = Self::register();
        let request = JsFileRequest {
            path: path.display().to_string(),
            address: address.map(str::to_string),
            token,
            source: None,
            params: None,
        };
        self.call(request, tx);
        rx
    }
}

/// Resolves `expression` (as in `${expression}`) for the JavaScript file evaluated under `token`.
#[napi]
pub async fn resolve_variable_for_js(
    token: u32,
    expression: String,
) -> napi::Result<serde_json::Value> {
    let sender = pending()
        .lock()
        .ok()
        .and_then(|p| p.get(&token).cloned())
        .ok_or_else(|| {
            napi::Error::from_reason("resolveVariable was called after the file's evaluation ended")
        })?;
    let (reply_tx, reply_rx) = channel();
    sender
        .send(JsFileEvent::Resolve {
            expression,
            reply: reply_tx,
        })
        .map_err(|_| napi::Error::from_reason("the configuration is no longer being resolved"))?;
    let answer = tokio::task::spawn_blocking(move || reply_rx.recv())
        .await
        .map_err(|e| napi::Error::from_reason(e.to_string()))?
        .map_err(|_| napi::Error::from_reason("the configuration is no longer being resolved"))?;
    answer.map_err(napi::Error::from_reason)
}

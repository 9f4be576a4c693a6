//! Progress events to a JS callback through a weak, non-callee-handled ThreadsafeFunction: calls never
//! block the engine, and the callback alone does not keep Node's event loop alive.

use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use slsx_core::progress::{ProgressEvent as CoreEvent, Reporter};

pub type JsProgressCallback =
    ThreadsafeFunction<ProgressEvent, (), ProgressEvent, Status, false, true>;

/// One progress event. `kind` says which fields are set.
#[napi(object)]
#[derive(Default)]
pub struct ProgressEvent {
    /// `serviceLoaded` (name: the service, `stage`, `region`, `stack`) | `phaseStarted` |
    /// `phaseFinished` | `artifactPackaged` | `artifactUploaded` | `stackEvent` | `warning` |
    /// `info` (a detail shown with `--verbose`) | `success` (a step done, shown as a ✔ line) |
    /// `credentials` (message: where the AWS credentials come from)
    pub kind: String,
    pub phase: Option<String>,
    pub message: Option<String>,
    pub millis: Option<f64>,
    pub name: Option<String>,
    pub size: Option<f64>,
    pub sha256: Option<String>,
    pub key: Option<String>,
    pub uploaded: Option<bool>,
    pub logical_id: Option<String>,
    pub resource_type: Option<String>,
    pub status: Option<String>,
    pub reason: Option<String>,
    pub done: Option<u32>,
    pub total: Option<u32>,
    /// `serviceLoaded`: the stage, the region and the stack deployed to.
    pub stage: Option<String>,
    pub region: Option<String>,
    pub stack: Option<String>,
}

pub struct JsReporter(JsProgressCallback);

impl JsReporter {
    pub fn new(callback: JsProgressCallback) -> Self {
        JsReporter(callback)
    }
}

impl Reporter for JsReporter {
    fn report(&self, event: CoreEvent) {
        self.0
            .call(to_js(event), ThreadsafeFunctionCallMode::NonBlocking);
    }
}

fn to_js(event: CoreEvent) -> ProgressEvent {
    let mut e = ProgressEvent {
        kind: event.kind().to_string(),
        ..Default::default()
    };
    match event {
        CoreEvent::ServiceLoaded {
            service,
            stage,
            region,
            stack,
        } => {
            e.name = Some(service);
            e.stage = Some(stage);
            e.region = Some(region);
            e.stack = Some(stack);
        }
        CoreEvent::PhaseStarted { phase, message } => {
            e.phase = Some(phase.into());
            e.message = Some(message);
        }
        CoreEvent::PhaseFinished { phase, millis } => {
            e.phase = Some(phase.into());
            e.millis = Some(millis as f64);
        }
        CoreEvent::ArtifactPackaged { name, size, sha256 } => {
            e.name = Some(name);
            e.size = Some(size as f64);
            e.sha256 = Some(sha256);
        }
        CoreEvent::ArtifactUploaded {
            key,
            size,
            uploaded,
        } => {
            e.key = Some(key);
            e.size = Some(size as f64);
            e.uploaded = Some(uploaded);
        }
        CoreEvent::StackEvent {
            logical_id,
            resource_type,
            status,
            reason,
            done,
            total,
        } => {
            e.logical_id = Some(logical_id);
            e.resource_type = Some(resource_type);
            e.status = Some(status);
            e.reason = reason;
            e.done = done;
            e.total = total;
        }
        CoreEvent::Warning { message }
        | CoreEvent::Info { message }
        | CoreEvent::Success { message } => e.message = Some(message),
        CoreEvent::Credentials { source } => e.message = Some(source),
    }
    e
}

//! Typed progress events. The core never prints: it reports, and the caller (the CLI, a JS callback, a
//! test) decides what a person sees.

use std::sync::Arc;

#[derive(Debug, Clone, PartialEq)]
pub enum ProgressEvent {
    /// The service is loaded: what is being deployed, and where.
    ServiceLoaded {
        service: String,
        stage: String,
        region: String,
        stack: String,
    },
    /// A phase started: "package", "compile", "createStack", "checkForChanges", "upload", "updateStack".
    PhaseStarted {
        phase: &'static str,
        message: String,
    },
    PhaseFinished {
        phase: &'static str,
        millis: u64,
    },
    ArtifactPackaged {
        name: String,
        size: u64,
        sha256: String,
    },
    ArtifactUploaded {
        key: String,
        size: u64,
        /// false when the object was already there (content-addressed) and nothing was sent.
        uploaded: bool,
    },
    /// One CloudFormation stack event, oldest first.
    StackEvent {
        logical_id: String,
        resource_type: String,
        status: String,
        reason: Option<String>,
        /// Resources done / total in the change set, when known.
        done: Option<u32>,
        total: Option<u32>,
    },
    Warning {
        message: String,
    },
    /// A detail osls logs at its `info` level (shown with `--verbose`).
    Info {
        message: String,
    },
    /// A step done, which osls shows as a `✔` line (e.g. "Pruned 3 function versions").
    Success {
        message: String,
    },
    /// Where the AWS credentials come from, e.g. `profile "prod" from provider.profile` (never a key).
    Credentials {
        source: String,
    },
}

impl ProgressEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            ProgressEvent::ServiceLoaded { .. } => "serviceLoaded",
            ProgressEvent::PhaseStarted { .. } => "phaseStarted",
            ProgressEvent::PhaseFinished { .. } => "phaseFinished",
            ProgressEvent::ArtifactPackaged { .. } => "artifactPackaged",
            ProgressEvent::ArtifactUploaded { .. } => "artifactUploaded",
            ProgressEvent::StackEvent { .. } => "stackEvent",
            ProgressEvent::Warning { .. } => "warning",
            ProgressEvent::Info { .. } => "info",
            ProgressEvent::Success { .. } => "success",
            ProgressEvent::Credentials { .. } => "credentials",
        }
    }
}

/// Receives progress events. Implementations must be cheap and must not block.
pub trait Reporter: Send + Sync {
    fn report(&self, event: ProgressEvent);
}

/// Drops every event.
pub struct Silent;

impl Reporter for Silent {
    fn report(&self, _event: ProgressEvent) {}
}

pub type SharedReporter = Arc<dyn Reporter>;

/// Collects events in memory (tests, and callers that want the whole list).
#[derive(Default)]
pub struct Collect(pub std::sync::Mutex<Vec<ProgressEvent>>);

impl Reporter for Collect {
    fn report(&self, event: ProgressEvent) {
        if let Ok(mut events) = self.0.lock() {
            events.push(event);
        }
    }
}

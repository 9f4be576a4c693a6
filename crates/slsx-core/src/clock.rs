//! The one clock of the pipeline: deployment directory names, variables' instance IDs and custom
//! resources' `ForceDeploy` all read it.

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

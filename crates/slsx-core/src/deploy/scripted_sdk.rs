//! Tests on the SDK's own test HTTP client (`infallible_client_fn`) for AWS answers the local emulator
//! cannot give: every request is summarized as one line (`<method> <path and query> <X-Amz-Target>
//! <body>`), recorded in order, and answered by the test's script.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_smithy_http_client::test_util::infallible_client_fn;
use aws_smithy_types::body::SdkBody;

use crate::aws::{AwsContext, AwsSettings, ExtraEnv};
use crate::config::Service;
use crate::load::ServiceOptions;

pub type Log = Arc<Mutex<Vec<String>>>;

/// A context whose every request goes to `script` (status and body for a request line).
pub async fn context(
    script: impl Fn(&str) -> (u16, String) + Send + Sync + 'static,
) -> (AwsContext, Log) {
    let log: Log = Arc::default();
    let seen = log.clone();
    let http = infallible_client_fn(move |req| {
        let body = std::str::from_utf8(req.body().bytes().unwrap_or_default())
            .unwrap_or_default()
            .to_string();
        let target = req
            .headers()
            .get("x-amz-target")
            .and_then(|t| t.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let path = req.uri().path_and_query().map_or("/", |p| p.as_str());
        let line = format!("{} {path} {target} {body}", req.method());
        seen.lock().unwrap().push(line.clone());
        let (status, text) = script(&line);
        http::Response::builder()
            .status(status)
            .body(SdkBody::from(text))
            .unwrap()
    });
    // Keys through `AWS_<STAGE>_*` in the settings: no process-wide variable to race other tests on.
    let env = HashMap::from([
        (
            "AWS_SCRIPTED_ACCESS_KEY_ID".to_string(),
            "AKIDSCRIPTED".to_string(),
        ),
        (
            "AWS_SCRIPTED_SECRET_ACCESS_KEY".to_string(),
            "secret".to_string(),
        ),
    ]);
    let settings = AwsSettings {
        region: "us-east-1".into(),
        stage: Some("scripted".into()),
        extra_env: ExtraEnv(env),
        ..Default::default()
    };
    (AwsContext::with_http_client(&settings, http).await, log)
}

/// A service from `yaml`, loaded without AWS, at `stage` (in a directory of its own per call: tests
/// run in parallel, and two with the same service must not write one file while the other reads it).
pub fn service(yaml: &str, stage: &str) -> Service {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("slsx-scripted-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("serverless.yml"), yaml).unwrap();
    std::fs::write(dir.join("handler.js"), "exports.h = async () => 1\n").unwrap();
    Service::load(&ServiceOptions {
        service_path: dir,
        stage: Some(stage.into()),
        ..Default::default()
    })
    .unwrap()
}

/// The requests whose line contains `needle`.
pub fn matching(log: &Log, needle: &str) -> Vec<String> {
    log.lock()
        .unwrap()
        .iter()
        .filter(|l| l.contains(needle))
        .cloned()
        .collect()
}

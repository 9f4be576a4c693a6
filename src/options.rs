//! JS options (`#[napi(object)]`, every field optional) and their conversion to core options.

use std::path::PathBuf;

use napi_derive::napi;

use napi::bindgen_prelude::Status;
use napi::threadsafe_function::ThreadsafeFunction;

use crate::progress::{ProgressEvent, JsReporter};

#[napi(object, object_to_js = false, js_name = "DeployOptions")]
pub struct JsDeployOptions {
    /// Directory of the service.
    /// @default process.cwd()
    pub service_path: Option<String>,
    /// Config file name relative to the service directory (`--config`).
    /// @default "serverless.yml", then ".yaml", then ".json"
    pub config: Option<String>,
    /// `--stage`; else `provider.stage`.
    /// @default "dev"
    pub stage: Option<String>,
    /// `--region`; else `provider.region`.
    /// @default "us-east-1"
    pub region: Option<String>,
    /// `--aws-profile`: the AWS profile to take credentials from.
    /// @default the standard AWS credential chain
    pub profile: Option<String>,
    /// Deploy even when nothing changed since the last successful deployment (`--force`).
    /// @default false
    pub force: Option<bool>,
    /// Report every stack event (the CLI's `--verbose`); events are always sent to `onProgress`.
    /// @default false
    pub verbose: Option<bool>,
    /// Called with each progress event. It never keeps Node running on its own.
    pub on_progress: Option<ThreadsafeFunction<ProgressEvent, (), ProgressEvent, Status, false, true>>,
}

impl JsDeployOptions {
    pub fn into_core(self) -> slsx_core::Result<(slsx_core::deploy::DeployOptions, Option<JsReporter>)> {
        let service = slsx_core::config::ServiceOptions {
            service_path: self.service_path.map(PathBuf::from).unwrap_or_default(),
            config: non_empty(self.config, "config")?,
            stage: non_empty(self.stage, "stage")?,
            region: non_empty(self.region, "region")?,
            profile: non_empty(self.profile, "profile")?,
        };
        let reporter = self.on_progress.map(JsReporter::new);
        Ok((
            slsx_core::deploy::DeployOptions {
                service,
                force: self.force.unwrap_or(false),
            },
            reporter,
        ))
    }
}

fn non_empty(value: Option<String>, name: &str) -> slsx_core::Result<Option<String>> {
    match value {
        Some(v) if v.trim().is_empty() => Err(slsx_core::Error::InvalidOption {
            message: format!("option \"{name}\" must not be empty"),
        }),
        other => Ok(other),
    }
}

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
    /// `--package DIR`: deploy a directory made by `packageService` (or by `serverless package`)
    /// without packaging again. Relative to `servicePath`.
    pub package: Option<String>,
    /// Called with each progress event. It never keeps Node running on its own.
    pub on_progress: Option<ThreadsafeFunction<ProgressEvent, (), ProgressEvent, Status, false, true>>,
}

impl JsDeployOptions {
    pub fn into_core(self) -> slsx_core::Result<(slsx_core::deploy::DeployOptions, Option<JsReporter>)> {
        let service = service_options(self.service_path, self.config, self.stage, self.region, self.profile)?;
        let reporter = self.on_progress.map(JsReporter::new);
        Ok((
            slsx_core::deploy::DeployOptions {
                service,
                force: self.force.unwrap_or(false),
                package: non_empty(self.package, "package")?.map(PathBuf::from),
            },
            reporter,
        ))
    }
}

#[napi(object, object_to_js = false, js_name = "PackageOptions")]
pub struct JsPackageOptions {
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
    /// `--aws-profile` (only used to download `s3://` artifacts).
    /// @default the standard AWS credential chain
    pub profile: Option<String>,
    /// `--package DIR`: write the package there instead of `.serverless/`. Relative to `servicePath`.
    /// @default ".serverless"
    pub package: Option<String>,
    /// Called with each progress event. It never keeps Node running on its own.
    pub on_progress: Option<ThreadsafeFunction<ProgressEvent, (), ProgressEvent, Status, false, true>>,
}

impl JsPackageOptions {
    pub fn into_core(self) -> slsx_core::Result<(slsx_core::deploy::PackageOptions, Option<JsReporter>)> {
        let service = service_options(self.service_path, self.config, self.stage, self.region, self.profile)?;
        Ok((
            slsx_core::deploy::PackageOptions {
                service,
                package: non_empty(self.package, "package")?.map(PathBuf::from),
            },
            self.on_progress.map(JsReporter::new),
        ))
    }
}

fn service_options(
    service_path: Option<String>,
    config: Option<String>,
    stage: Option<String>,
    region: Option<String>,
    profile: Option<String>,
) -> slsx_core::Result<slsx_core::config::ServiceOptions> {
    Ok(slsx_core::config::ServiceOptions {
        service_path: service_path.map(PathBuf::from).unwrap_or_default(),
        config: non_empty(config, "config")?,
        stage: non_empty(stage, "stage")?,
        region: non_empty(region, "region")?,
        profile: non_empty(profile, "profile")?,
    })
}

fn non_empty(value: Option<String>, name: &str) -> slsx_core::Result<Option<String>> {
    match value {
        Some(v) if v.trim().is_empty() => Err(slsx_core::Error::InvalidOption {
            message: format!("option \"{name}\" must not be empty"),
        }),
        other => Ok(other),
    }
}

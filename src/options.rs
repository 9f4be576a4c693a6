//! JS options (`#[napi(object)]`, every field optional) and their conversion to core options.

use std::collections::HashMap;
use std::path::PathBuf;

use napi_derive::napi;

use napi::bindgen_prelude::Status;
use napi::threadsafe_function::ThreadsafeFunction;

use crate::progress::{JsReporter, ProgressEvent};

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
    /// `--param key=value` pairs, for `${param:key}`.
    pub params: Option<HashMap<String, String>>,
    /// Every other CLI option, for `${opt:name}`.
    pub options: Option<serde_json::Map<String, serde_json::Value>>,
    /// A configuration already loaded in JavaScript (serverless.js / .ts): set by the package entry.
    pub config_object: Option<serde_json::Value>,
    /// Evaluates JavaScript files for `${file(x.js)}`: set by the package entry.
    pub js_file_loader: Option<crate::js_files::JsFileLoader>,
    /// The service's plugins (hooks, schema definitions): set by the package entry.
    pub plugins: Option<crate::plugins::JsPlugins>,
    /// `--aws-s3-accelerate` (true) / `--no-aws-s3-accelerate` (false): S3 transfer acceleration of the
    /// deployment bucket; uploads use it once the bucket is accelerated.
    pub aws_s3_accelerate: Option<bool>,
    /// `--package DIR`: deploy a directory made by `packageService` (or by `serverless package`)
    /// without packaging again. Relative to `servicePath`.
    pub package: Option<String>,
    /// Called with each progress event. It never keeps Node running on its own.
    pub on_progress:
        Option<ThreadsafeFunction<ProgressEvent, (), ProgressEvent, Status, false, true>>,
}

impl JsDeployOptions {
    pub fn into_core(
        self,
    ) -> slsx_core::Result<(slsx_core::deploy::DeployOptions, Option<JsReporter>)> {
        let service = ServiceFields {
            service_path: self.service_path,
            config: self.config,
            stage: self.stage,
            region: self.region,
            profile: self.profile,
            params: self.params,
            options: self.options,
            config_object: self.config_object,
            js_file_loader: self.js_file_loader,
            plugins: self.plugins,
            aws_s3_accelerate: self.aws_s3_accelerate,
        }
        .into_core()?;
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
    /// `--param key=value` pairs, for `${param:key}`.
    pub params: Option<HashMap<String, String>>,
    /// Every other CLI option, for `${opt:name}`.
    pub options: Option<serde_json::Map<String, serde_json::Value>>,
    /// A configuration already loaded in JavaScript (serverless.js / .ts): set by the package entry.
    pub config_object: Option<serde_json::Value>,
    /// Evaluates JavaScript files for `${file(x.js)}`: set by the package entry.
    pub js_file_loader: Option<crate::js_files::JsFileLoader>,
    /// The service's plugins (hooks, schema definitions): set by the package entry.
    pub plugins: Option<crate::plugins::JsPlugins>,
    /// `--package DIR`: write the package there instead of `.serverless/`. Relative to `servicePath`.
    /// @default ".serverless"
    pub package: Option<String>,
    /// Called with each progress event. It never keeps Node running on its own.
    pub on_progress:
        Option<ThreadsafeFunction<ProgressEvent, (), ProgressEvent, Status, false, true>>,
}

impl JsPackageOptions {
    pub fn into_core(
        self,
    ) -> slsx_core::Result<(slsx_core::deploy::PackageOptions, Option<JsReporter>)> {
        let service = ServiceFields {
            service_path: self.service_path,
            config: self.config,
            stage: self.stage,
            region: self.region,
            profile: self.profile,
            params: self.params,
            options: self.options,
            config_object: self.config_object,
            js_file_loader: self.js_file_loader,
            plugins: self.plugins,
            aws_s3_accelerate: None,
        }
        .into_core()?;
        Ok((
            slsx_core::deploy::PackageOptions {
                service,
                package: non_empty(self.package, "package")?.map(PathBuf::from),
            },
            self.on_progress.map(JsReporter::new),
        ))
    }
}

#[napi(object, object_to_js = false, js_name = "DeployFunctionOptions")]
pub struct JsDeployFunctionOptions {
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
    /// `-f`: the function keys (as in `functions:`) to deploy; several are deployed concurrently.
    pub functions: Vec<String>,
    /// `--force`: send the code even when the deployed `CodeSha256` is the same.
    /// @default false
    pub force: Option<bool>,
    /// `--update-config`: only the configuration, no code.
    /// @default false
    pub update_config: Option<bool>,
    /// Publish a version afterwards and move the function's alias (provisioned concurrency, SnapStart).
    /// @default false
    pub publish: Option<bool>,
    /// `--param key=value` pairs, for `${param:key}`.
    pub params: Option<HashMap<String, String>>,
    /// Every other CLI option, for `${opt:name}`.
    pub options: Option<serde_json::Map<String, serde_json::Value>>,
    /// A configuration already loaded in JavaScript (serverless.js / .ts): set by the package entry.
    pub config_object: Option<serde_json::Value>,
    /// Evaluates JavaScript files for `${file(x.js)}`: set by the package entry.
    pub js_file_loader: Option<crate::js_files::JsFileLoader>,
    /// The service's plugins (hooks, schema definitions): set by the package entry.
    pub plugins: Option<crate::plugins::JsPlugins>,
    /// Called with each progress event. It never keeps Node running on its own.
    pub on_progress:
        Option<ThreadsafeFunction<ProgressEvent, (), ProgressEvent, Status, false, true>>,
}

impl JsDeployFunctionOptions {
    pub fn into_core(
        self,
    ) -> slsx_core::Result<(slsx_core::deploy::DeployFunctionOptions, Option<JsReporter>)> {
        let service = ServiceFields {
            service_path: self.service_path,
            config: self.config,
            stage: self.stage,
            region: self.region,
            profile: self.profile,
            params: self.params,
            options: self.options,
            config_object: self.config_object,
            js_file_loader: self.js_file_loader,
            plugins: self.plugins,
            aws_s3_accelerate: None,
        }
        .into_core()?;
        Ok((
            slsx_core::deploy::DeployFunctionOptions {
                service,
                functions: self.functions,
                force: self.force.unwrap_or(false),
                update_config: self.update_config.unwrap_or(false),
                publish: self.publish.unwrap_or(false),
            },
            self.on_progress.map(JsReporter::new),
        ))
    }
}

/// The service fields every command shares.
pub struct ServiceFields {
    pub service_path: Option<String>,
    pub config: Option<String>,
    pub stage: Option<String>,
    pub region: Option<String>,
    pub profile: Option<String>,
    pub params: Option<HashMap<String, String>>,
    pub options: Option<serde_json::Map<String, serde_json::Value>>,
    pub config_object: Option<serde_json::Value>,
    pub js_file_loader: Option<crate::js_files::JsFileLoader>,
    /// The service's plugins (hooks, schema definitions): set by the package entry.
    pub plugins: Option<crate::plugins::JsPlugins>,
    pub aws_s3_accelerate: Option<bool>,
}

impl ServiceFields {
    pub fn into_core(self) -> slsx_core::Result<slsx_core::config::ServiceOptions> {
        let config = non_empty(self.config, "config")?;
        let preloaded = match (self.config_object, &config) {
            (Some(value), Some(name)) => Some((name.clone(), value)),
            (Some(_), None) => {
                return Err(slsx_core::Error::InvalidOption {
                    message:
                        "option \"configObject\" needs \"config\", the file it was loaded from"
                            .into(),
                })
            }
            (None, _) => None,
        };
        let mut params: Vec<(String, String)> =
            self.params.unwrap_or_default().into_iter().collect();
        params.sort();
        Ok(slsx_core::config::ServiceOptions {
            service_path: self.service_path.map(PathBuf::from).unwrap_or_default(),
            config,
            stage: non_empty(self.stage, "stage")?,
            region: non_empty(self.region, "region")?,
            profile: non_empty(self.profile, "profile")?,
            params,
            options: self.options.unwrap_or_default(),
            preloaded,
            aws_s3_accelerate: self.aws_s3_accelerate,
            skip_schema: false,
            js_files: self.js_file_loader.map(|l| {
                let sources = self
                    .plugins
                    .as_ref()
                    .and_then(|p| p.sources.clone())
                    .unwrap_or_default();
                std::sync::Arc::new(crate::js_files::JsFileBridge::new(l, sources))
                    as std::sync::Arc<dyn slsx_core::variables::JsFiles + Send>
            }),
            hooks: self.plugins.map(crate::plugins::JsPlugins::into_hooks),
        })
    }
}

#[napi(object, object_to_js = false, js_name = "ServiceOptions")]
pub struct JsServiceOptions {
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
    /// `--aws-profile`: credentials for the AWS variable sources.
    /// @default the standard AWS credential chain
    pub profile: Option<String>,
    /// `--param key=value` pairs, for `${param:key}`.
    pub params: Option<HashMap<String, String>>,
    /// Every other CLI option, for `${opt:name}`.
    pub options: Option<serde_json::Map<String, serde_json::Value>>,
    /// A configuration already loaded in JavaScript (serverless.js / .ts): set by the package entry.
    pub config_object: Option<serde_json::Value>,
    /// Evaluates JavaScript files for `${file(x.js)}`: set by the package entry.
    pub js_file_loader: Option<crate::js_files::JsFileLoader>,
    /// The service's plugins (hooks, schema definitions): set by the package entry.
    pub plugins: Option<crate::plugins::JsPlugins>,
}

impl JsServiceOptions {
    pub fn into_core(self) -> slsx_core::Result<slsx_core::config::ServiceOptions> {
        ServiceFields {
            service_path: self.service_path,
            config: self.config,
            stage: self.stage,
            region: self.region,
            profile: self.profile,
            params: self.params,
            options: self.options,
            config_object: self.config_object,
            js_file_loader: self.js_file_loader,
            plugins: self.plugins,
            aws_s3_accelerate: None,
        }
        .into_core()
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

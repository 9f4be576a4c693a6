//! JS options (`#[napi(object)]`, every field optional) and their conversion to core options.

use std::collections::HashMap;
use std::path::PathBuf;

use napi_derive::napi;

use napi::bindgen_prelude::Status;
use napi::threadsafe_function::ThreadsafeFunction;

use crate::progress::{JsReporter, ProgressEvent};

/// Declares a JS options object: the service fields every command shares (written once here), then
/// the command's own fields. `service_fields(self)` gathers the shared ones for `ServiceFields`.
/// napi's derive reads the fields' tokens, so what passes through this macro stays plain tokens: the
/// command's field types are written in `[…]` (a `ty` fragment would hide `Option<…>` from napi, which
/// then makes the field required) and their docs as `#[doc = "…"]` (`///` comments passed through a
/// macro reach napi's type generator as raw-string tokens).
macro_rules! js_options {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            profile: $profile_doc:literal,
            $($(#[$($field_meta:tt)*])* pub $field:ident: [$($ty:tt)*],)*
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
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
            #[doc = $profile_doc]
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
            $($(#[$($field_meta)*])* pub $field: $($ty)*,)*
        }

        impl $name {
            /// The shared fields, taken out; the command's own fields stay.
            fn service_fields(&mut self, aws_s3_accelerate: Option<bool>) -> ServiceFields {
                ServiceFields {
                    service_path: self.service_path.take(),
                    config: self.config.take(),
                    stage: self.stage.take(),
                    region: self.region.take(),
                    profile: self.profile.take(),
                    params: self.params.take(),
                    options: self.options.take(),
                    config_object: self.config_object.take(),
                    js_file_loader: self.js_file_loader.take(),
                    plugins: self.plugins.take(),
                    aws_s3_accelerate,
                }
            }
        }
    };
}

js_options! {
    #[napi(object, object_to_js = false, js_name = "DeployOptions")]
    pub struct JsDeployOptions {
        profile: " `--aws-profile`: the AWS profile to take credentials from.",
        #[doc = " Deploy even when nothing changed since the last successful deployment (`--force`)."]
        #[doc = " @default false"]
        pub force: [Option<bool>],
        #[doc = " `--aws-s3-accelerate` (true) / `--no-aws-s3-accelerate` (false): S3 transfer acceleration of the"]
        #[doc = " deployment bucket; uploads use it once the bucket is accelerated."]
        pub aws_s3_accelerate: [Option<bool>],
        #[doc = " `--package DIR`: deploy a directory made by `packageService` (or by `serverless package`)"]
        #[doc = " without packaging again. Relative to `servicePath`."]
        pub package: [Option<String>],
        #[doc = " Called with each progress event. It never keeps Node running on its own."]
        pub on_progress: [Option<ThreadsafeFunction<ProgressEvent, (), ProgressEvent, Status, false, true>>],
    }
}

impl JsDeployOptions {
    pub fn into_core(
        mut self,
    ) -> slsx_core::Result<(slsx_core::commands::DeployOptions, Option<JsReporter>)> {
        let service = self.service_fields(self.aws_s3_accelerate).into_core()?;
        Ok((
            slsx_core::commands::DeployOptions {
                service,
                force: self.force.unwrap_or(false),
                package: non_empty(self.package, "package")?.map(PathBuf::from),
            },
            self.on_progress.map(JsReporter::new),
        ))
    }
}

js_options! {
    #[napi(object, object_to_js = false, js_name = "PackageOptions")]
    pub struct JsPackageOptions {
        profile: " `--aws-profile` (only used to download `s3://` artifacts).",
        #[doc = " `--package DIR`: write the package there instead of `.serverless/`. Relative to `servicePath`."]
        #[doc = " @default \".serverless\""]
        pub package: [Option<String>],
        #[doc = " Called with each progress event. It never keeps Node running on its own."]
        pub on_progress: [Option<ThreadsafeFunction<ProgressEvent, (), ProgressEvent, Status, false, true>>],
    }
}

impl JsPackageOptions {
    pub fn into_core(
        mut self,
    ) -> slsx_core::Result<(slsx_core::commands::PackageOptions, Option<JsReporter>)> {
        let service = self.service_fields(None).into_core()?;
        Ok((
            slsx_core::commands::PackageOptions {
                service,
                package: non_empty(self.package, "package")?.map(PathBuf::from),
            },
            self.on_progress.map(JsReporter::new),
        ))
    }
}

js_options! {
    #[napi(object, object_to_js = false, js_name = "DeployFunctionOptions")]
    pub struct JsDeployFunctionOptions {
        profile: " `--aws-profile`: the AWS profile to take credentials from.",
        #[doc = " `-f`: the function keys (as in `functions:`) to deploy; several are deployed concurrently."]
        pub functions: [Vec<String>],
        #[doc = " `--force`: send the code even when the deployed `CodeSha256` is the same."]
        #[doc = " @default false"]
        pub force: [Option<bool>],
        #[doc = " `--update-config`: only the configuration, no code."]
        #[doc = " @default false"]
        pub update_config: [Option<bool>],
        #[doc = " Publish a version afterwards and move the function's alias (provisioned concurrency, SnapStart)."]
        #[doc = " @default false"]
        pub publish: [Option<bool>],
        #[doc = " Called with each progress event. It never keeps Node running on its own."]
        pub on_progress: [Option<ThreadsafeFunction<ProgressEvent, (), ProgressEvent, Status, false, true>>],
    }
}

impl JsDeployFunctionOptions {
    pub fn into_core(
        mut self,
    ) -> slsx_core::Result<(
        slsx_core::commands::DeployFunctionOptions,
        Option<JsReporter>,
    )> {
        let service = self.service_fields(None).into_core()?;
        Ok((
            slsx_core::commands::DeployFunctionOptions {
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
    pub fn into_core(self) -> slsx_core::Result<slsx_core::load::ServiceOptions> {
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
        Ok(slsx_core::load::ServiceOptions {
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
            skip_compile_checks: false,
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

js_options! {
    #[napi(object, object_to_js = false, js_name = "ServiceOptions")]
    pub struct JsServiceOptions {
        profile: " `--aws-profile`: credentials for the AWS variable sources.",
    }
}

impl JsServiceOptions {
    pub fn into_core(mut self) -> slsx_core::Result<slsx_core::load::ServiceOptions> {
        self.service_fields(None).into_core()
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

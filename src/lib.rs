//! The Node.js binding of slsx: converts JS options in, results and errors out. Nothing else happens
//! here; the engine is `slsx-core`.

#![allow(clippy::needless_pass_by_value)] // napi passes owned values by design

mod error;
mod js_files;
mod options;
mod plugins;
mod progress;
mod results;

use std::sync::Arc;

use napi_derive::napi;

use crate::error::to_js_error;
use crate::options::{
    JsDeployFunctionOptions, JsDeployOptions, JsPackageOptions, JsServiceOptions,
};
use crate::results::{JsDeployResult, JsFunctionDeployed, JsInfoResult, JsPackageResult};

/// Deploys the service: package, compile, create the stack when missing, skip when nothing changed,
/// upload, and update the stack through its change set.
#[napi]
pub async fn deploy(options: JsDeployOptions) -> napi::Result<JsDeployResult> {
    let (core_options, reporter) = options.into_core().map_err(to_js_error)?;
    let reporter = shared(reporter);
    run(slsx_core::commands::deploy(core_options, reporter))
        .await
        .map(JsDeployResult::from)
}

/// `serverless deploy function`: sends one or more functions' code (and configuration) straight to
/// Lambda, without CloudFormation. Code whose SHA-256 matches the deployed one is not sent again.
#[napi]
pub async fn deploy_function(
    options: JsDeployFunctionOptions,
) -> napi::Result<Vec<JsFunctionDeployed>> {
    let (core_options, reporter) = options.into_core().map_err(to_js_error)?;
    run(slsx_core::commands::deploy_function(
        core_options,
        shared(reporter),
    ))
    .await
    .map(|v| v.into_iter().map(JsFunctionDeployed::from).collect())
}

/// Packages the service like `serverless package`: zips, both templates and `serverless-state.json` in
/// `.serverless/` (or `package`), without touching AWS (except to download `s3://` artifacts).
#[napi]
pub async fn package_service(options: JsPackageOptions) -> napi::Result<JsPackageResult> {
    let (core_options, reporter) = options.into_core().map_err(to_js_error)?;
    run(slsx_core::commands::package(core_options, shared(reporter)))
        .await
        .map(JsPackageResult::from)
}

/// The configuration with every variable resolved, like `serverless print`.
#[napi]
pub async fn print_config(options: JsServiceOptions) -> napi::Result<serde_json::Value> {
    let core_options = options.into_core().map_err(to_js_error)?;
    run(async move { slsx_core::commands::print_config(&core_options).await }).await
}

/// The deployed stack: status, functions, endpoints, layers and outputs, like `serverless info`.
#[napi]
pub async fn info(options: JsServiceOptions) -> napi::Result<JsInfoResult> {
    let core_options = options.into_core().map_err(to_js_error)?;
    run(async move { slsx_core::commands::info(&core_options).await })
        .await
        .map(JsInfoResult::from)
}

/// The service's `plugins:` section (null without one), for the package entry's plugin host.
#[napi]
pub async fn plugins_section(options: JsServiceOptions) -> napi::Result<serde_json::Value> {
    let core_options = options.into_core().map_err(to_js_error)?;
    run(async move { slsx_core::load::plugins_section(&core_options).await }).await
}

/// The service as plugins are constructed with it (`serverless.service`), and what slsx added.
#[napi]
pub async fn plugin_service_state(options: JsServiceOptions) -> napi::Result<serde_json::Value> {
    let core_options = options.into_core().map_err(to_js_error)?;
    run(async move { slsx_core::commands::plugin_service_state(&core_options).await }).await
}

/// `provider.naming.<method>(...args)` for plugins: the engine's own naming rules.
#[napi]
pub fn naming_rule(
    method: String,
    args: Vec<serde_json::Value>,
    context: serde_json::Value,
) -> napi::Result<serde_json::Value> {
    slsx_core::compile::plugin_naming::rule(&method, &args, &context).ok_or_else(|| {
        napi::Error::from_reason(format!(
            "provider.naming.{method} is not provided by slsx (the rules plugins call are listed in docs/lifecycle.md)"
        ))
    })
}

/// YAML as osls's `utils.readFileSync` reads it for plugins (js-yaml with CloudFormation's tags).
#[napi]
pub fn parse_yaml(text: String, file: String) -> napi::Result<serde_json::Value> {
    slsx_core::source::yaml::load(&text)
        .map(Option::unwrap_or_default)
        .map_err(|e| {
            napi::Error::from_reason(format!("{file}:{}:{}: {}", e.line, e.column, e.reason))
        })
}

fn shared(reporter: Option<progress::JsReporter>) -> slsx_core::progress::SharedReporter {
    match reporter {
        Some(r) => Arc::new(r),
        None => Arc::new(slsx_core::progress::Silent),
    }
}

/// Runs an engine future on its own task: a panic inside the engine becomes a rejected promise, not a
/// crashed process.
async fn run<T: Send + 'static>(
    future: impl std::future::Future<Output = slsx_core::Result<T>> + Send + 'static,
) -> napi::Result<T> {
    match tokio::spawn(future).await {
        Ok(result) => result.map_err(to_js_error),
        Err(join) => Err(to_js_error(slsx_core::Error::Internal {
            message: panic_message(join),
        })),
    }
}

fn panic_message(join: tokio::task::JoinError) -> String {
    match join.try_into_panic() {
        Ok(payload) => payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".to_string()),
        Err(e) => e.to_string(),
    }
}

/// The AWS contexts of `aws_request`, one per choice of credentials: a plugin's repeated calls
/// (prune's pages, one deletion per version) resolve credentials once.
type ContextKey = (String, Option<String>, Option<String>, Option<String>);
static AWS_CONTEXTS: std::sync::OnceLock<
    std::sync::Mutex<std::collections::HashMap<ContextKey, slsx_core::aws::AwsContext>>,
> = std::sync::OnceLock::new();

/// Plugins' v2-style `provider.request(service, method, params)`, made by the engine's AWS SDK:
/// `params` and the answer are JSON text in the AWS SDK for JavaScript v2 shapes. Credentials are
/// chosen as for a deploy: `profile` is `--aws-profile`, `stage` reads `AWS_<STAGE>_PROFILE` /
/// `AWS_<STAGE>_ACCESS_KEY_ID`, `provider_profile` is `provider.profile`. A failure's details carry
/// AWS's own `code`, and `statusCode` and `awsMessage` when AWS answered (v2's `providerError`).
#[napi]
pub async fn aws_request(
    region: String,
    profile: Option<String>,
    service: String,
    method: String,
    params: String,
    stage: Option<String>,
    provider_profile: Option<String>,
) -> napi::Result<String> {
    let outcome = run(async move {
        let params: serde_json::Value =
            serde_json::from_str(&params).map_err(|e| slsx_core::Error::InvalidOption {
                message: format!(
                    "provider.request(\"{service}\", \"{method}\"): params are not JSON: {e}"
                ),
            })?;
        let ctx = cached_context((region, profile, stage, provider_profile)).await;
        Ok(slsx_core::aws::v2_request::request_with_status(&ctx, &service, &method, &params).await)
    })
    .await?;
    match outcome {
        Ok(answer) => Ok(answer.to_string()),
        Err(failure) => Err(with_provider_details(failure)),
    }
}

/// One AWS context per credentials choice `(region, --aws-profile, stage, provider.profile)`, kept
/// for the process: plugins' repeated calls do not resolve credentials again.
async fn cached_context(
    key: (String, Option<String>, Option<String>, Option<String>),
) -> slsx_core::aws::AwsContext {
    let contexts = AWS_CONTEXTS.get_or_init(Default::default);
    if let Some(ctx) = contexts.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return ctx;
    }
    let settings = slsx_core::aws::AwsSettings {
        region: key.0.clone(),
        profile: key.1.clone(),
        stage: key.2.clone(),
        provider_profile: key.3.clone(),
        ..Default::default()
    };
    let ctx = slsx_core::aws::AwsContext::new(&settings).await;
    if let Ok(mut m) = contexts.lock() {
        m.entry(key).or_insert_with(|| ctx.clone());
    }
    ctx
}

/// The credentials a plugin's own AWS SDK v3 clients use (`getAwsSdkV3Config`), chosen as for a
/// deploy (`--aws-profile`, `AWS_<STAGE>_*`, `provider.profile` …). They stay in memory, unprinted.
#[napi(object)]
pub struct JsCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
    /// Milliseconds since the epoch, when they expire.
    pub expiration: Option<f64>,
}

#[napi]
pub async fn aws_credentials(
    region: String,
    profile: Option<String>,
    stage: Option<String>,
    provider_profile: Option<String>,
) -> napi::Result<JsCredentials> {
    run(async move {
        let ctx = cached_context((region, profile, stage, provider_profile)).await;
        let (access_key_id, secret_access_key, session_token, expiry) =
            ctx.resolved_credentials().await?;
        Ok(JsCredentials {
            access_key_id,
            secret_access_key,
            session_token,
            expiration: expiry.map(|e| e as f64),
        })
    })
    .await
}

/// `to_js_error` with what v2 put on `providerError`: the HTTP status and AWS's message as it was.
fn with_provider_details(failure: slsx_core::aws::v2_request::Failure) -> napi::Error {
    let aws_message = match &failure.error {
        slsx_core::Error::Aws { message, .. } if failure.status_code.is_some() => {
            Some(message.clone())
        }
        _ => None,
    };
    let mut err = to_js_error(failure.error);
    if let Some((text, details)) = err.reason.split_once(crate::error::DETAILS_MARKER) {
        if let Ok(serde_json::Value::Object(mut map)) = serde_json::from_str(details) {
            if let Some(status) = failure.status_code {
                map.insert("statusCode".into(), status.into());
            }
            if let Some(m) = aws_message {
                map.insert("awsMessage".into(), m.into());
            }
            err.reason = format!(
                "{text}{}{}",
                crate::error::DETAILS_MARKER,
                serde_json::Value::Object(map)
            );
        }
    }
    err
}

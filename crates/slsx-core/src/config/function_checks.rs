//! Checks of a function's settings osls makes while compiling, made here while loading: a function
//! the compiler could not build is an error of the configuration, at its line.

use serde_json::{Map, Value};

use super::osls_setup::truthy;
use super::{error_at, Function, Service};
use crate::defaults::DEFAULT_RUNTIME;
use crate::error::{Error, Result};

/// Every check of one function, in the order osls's compiler meets them.
pub(super) fn check(service: &Service, f: &Function) -> Result<()> {
    durable(service, f)?;
    if f.settings.file_system_config.is_some() && f.settings.vpc.is_none() {
        return Err(Error::Config {
            code: "LAMBDA_FILE_SYSTEM_CONFIG_MISSING_VPC",
            message: format!("Function \"{}\": when using fileSystemConfig, ensure that function has vpc configured on function or provider level", f.key),
            path: Some(format!("functions.{}.fileSystemConfig", f.key)),
            location: super::locate(service, &format!("functions.{}.fileSystemConfig", f.key)),
        });
    }
    if f.settings.provisioned_concurrency.is_some() && f.settings.snap_start {
        return Err(Error::Config {
            code: "FUNCTION_BOTH_PROVISIONED_CONCURRENCY_AND_SNAPSTART_ENABLED_ERROR",
            message: format!("Functions with enabled SnapStart does not support provisioned concurrency. Please remove at least one of the settings on function \"{}\".", f.key),
            path: Some(format!("functions.{}", f.key)),
            location: super::locate(service, &format!("functions.{}", f.key)),
        });
    }
    Ok(())
}

/// Event keys that compile to an `AWS::Lambda::EventSourceMapping`: those invoke durable functions
/// synchronously, so the execution timeout is capped at 900 s for them.
const ESM_EVENTS: [&str; 6] = ["sqs", "stream", "msk", "kafka", "activemq", "rabbitmq"];
const ESM_MAX_EXECUTION_TIMEOUT: f64 = 900.0;

const RUNTIMES: [&str; 7] = [
    "nodejs22.x",
    "nodejs24.x",
    "python3.13",
    "python3.14",
    "java17",
    "java21",
    "java25",
];
const SNAPSTART_RUNTIMES: [&str; 5] = ["python3.13", "python3.14", "java17", "java21", "java25"];

/// osls's `validateDurableFunctionConfig`: what a durable function cannot be combined with.
fn durable(service: &Service, f: &Function) -> Result<()> {
    let Some(durable) = &f.settings.durable else {
        return Ok(());
    };
    let at = |key: &str| format!("functions.{}.{key}", f.key);
    let name = &f.key;
    let runtime = f
        .runtime
        .as_deref()
        .or(service.provider.runtime.as_deref())
        .unwrap_or(DEFAULT_RUNTIME);
    if f.image.is_none() && !RUNTIMES.contains(&runtime) {
        return Err(error_at(service, at("durableConfig"), "DURABLE_FUNCTION_UNSUPPORTED_RUNTIME", format!("Function \"{name}\" cannot configure \"durableConfig\" with unsupported runtime \"{runtime}\". AWS Lambda Durable Functions support nodejs22.x, nodejs24.x, python3.13, python3.14, java17, java21, and java25 managed runtimes, or compatible container images.")));
    }
    if f.settings.snap_start {
        let refused = |message: String| {
            Err(error_at(
                service,
                at("snapStart"),
                "DURABLE_FUNCTION_SNAPSTART_UNSUPPORTED",
                message,
            ))
        };
        if f.image.is_some() {
            return refused(format!("Function \"{name}\" cannot configure both \"durableConfig\" and \"snapStart\" when packaged as a container image. AWS Lambda SnapStart does not support container images."));
        }
        if !SNAPSTART_RUNTIMES.contains(&runtime) {
            return refused(format!("Function \"{name}\" cannot configure both \"durableConfig\" and \"snapStart\" with runtime \"{runtime}\". Supported durable SnapStart runtimes are python3.13, python3.14, java17, java21, and java25."));
        }
        if f.settings.file_system_config.is_some() {
            return refused(format!("Function \"{name}\" cannot configure both \"durableConfig\" and \"snapStart\" with \"fileSystemConfig\". AWS Lambda SnapStart does not support EFS."));
        }
        if f.settings
            .ephemeral_storage_size
            .as_ref()
            .and_then(Value::as_f64)
            .is_some_and(|s| s > 512.0)
        {
            return refused(format!("Function \"{name}\" cannot configure both \"durableConfig\" and \"snapStart\" with ephemeralStorageSize greater than 512 MB."));
        }
    }
    if f.settings.destinations.as_ref().is_some_and(truthy) {
        return Err(error_at(service, at("destinations"), "DURABLE_FUNCTION_DESTINATIONS_UNSUPPORTED", format!("Function \"{name}\" cannot configure \"destinations\" with \"durableConfig\". AWS Lambda Durable Functions do not support Lambda destinations.")));
    }
    let events: Vec<&Map<String, Value>> = f
        .raw
        .get("events")
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(Value::as_object).collect())
        .unwrap_or_default();
    let has_mapping = events
        .iter()
        .any(|e| e.keys().any(|k| ESM_EVENTS.contains(&k.as_str())));
    let timeout = durable.get("executionTimeout").and_then(Value::as_f64);
    if has_mapping && timeout.is_some_and(|t| t > ESM_MAX_EXECUTION_TIMEOUT) {
        return Err(error_at(service, at("durableConfig.executionTimeout"), "DURABLE_FUNCTION_ESM_TIMEOUT_UNSUPPORTED", format!("Function \"{name}\" uses an event source mapping with \"durableConfig.executionTimeout\" greater than 900 seconds. AWS Lambda event source mappings invoke durable functions synchronously and require durable execution timeout to be 15 minutes or less.")));
    }
    if events
        .iter()
        .any(|e| e.get("cloudFront").is_some_and(truthy))
    {
        return Err(error_at(service, at("events"), "DURABLE_FUNCTION_LAMBDA_EDGE_UNSUPPORTED", format!("Function \"{name}\" cannot configure \"durableConfig\" with a \"cloudFront\" event. AWS Lambda@Edge does not support durable functions.")));
    }
    if f.settings.maximum_retry_attempts.is_some() {
        return Err(error_at(service, at("maximumRetryAttempts"), "DURABLE_FUNCTION_MAXIMUM_RETRY_ATTEMPTS_UNSUPPORTED", format!("Function \"{name}\" cannot configure \"maximumRetryAttempts\" with \"durableConfig\". AWS Lambda asynchronous retry attempts do not apply to durable executions.")));
    }
    Ok(())
}

//! The Lambda steps of `deploy function`: the deployed configuration read, code sent through the
//! deployment bucket, the wait for an update to finish, and the configuration update (each field only
//! when it differs from the deployed one).

use std::time::{Duration, Instant};

use aws_sdk_lambda::operation::update_function_configuration::builders::UpdateFunctionConfigurationFluentBuilder as UpdateRequest;
use aws_sdk_lambda::types::{DeadLetterConfig, Environment, FunctionConfiguration, ImageConfig};
use serde_json::Value;

use super::function_settings as settings;
use super::{bucket, stack, upload};
use crate::aws::{errors, AwsContext};
use crate::config::Function;
use crate::error::{Error, Result};

/// The deployed configuration of `f`: `FUNCTION_NOT_YET_DEPLOYED` when there is none, and a switch
/// between zip and image is refused (only `deploy` can make it).
pub(crate) async fn deployed_configuration(
    lambda: &aws_sdk_lambda::Client,
    f: &Function,
) -> Result<aws_sdk_lambda::types::FunctionConfiguration> {
    match lambda.get_function().function_name(&f.name).send().await {
        Ok(remote) => {
            let config = remote.configuration().cloned().unwrap_or_else(|| aws_sdk_lambda::types::FunctionConfiguration::builder().build());
            let remote_image = config.package_type().is_some_and(|t| t.as_str() == "Image");
            if remote_image != f.image.is_some() {
                let (now, before) = if remote_image { ("handler", "an image") } else { ("image", "zip file") };
                return Err(Error::Stack {
                    code: "DEPLOY_FUNCTION_CHANGE_BETWEEN_HANDLER_AND_IMAGE_ERROR".into(),
                    message: format!("The function \"{}\" you want to update with {now} was previously packaged as {before}. Run slsx deploy to switch it.", f.key),
                });
            }
            Ok(config)
        }
        Err(e) if e.as_service_error().is_some_and(|se| se.is_resource_not_found_exception()) => Err(Error::Stack {
            code: "FUNCTION_NOT_YET_DEPLOYED".into(),
            message: format!("The function \"{}\" you want to update is not yet deployed: run slsx deploy first", f.key),
        }),
        Err(e) => Err(errors::wrap("LAMBDA", "GET_FUNCTION", format!("read function {}", f.name), e)),
    }
}

/// A large zip goes to the deployment bucket, content-addressed like a deploy's.
pub(crate) async fn upload_through_bucket(
    ctx: &AwsContext,
    service: &crate::config::Service,
    artifact: &crate::package::Artifact,
) -> Result<(String, String)> {
    let bucket_name = match crate::compile::custom_bucket(service) {
        Some(name) => name,
        None => {
            let s = stack::describe(ctx, &service.stack_name())
                .await?
                .ok_or_else(|| Error::Stack {
                    code: "FUNCTION_NOT_YET_DEPLOYED".into(),
                    message: format!(
                        "Stack {} does not exist: run slsx deploy first",
                        service.stack_name()
                    ),
                })?;
            bucket::resolve(ctx, &s).await?
        }
    };
    let key = crate::compile::code_artifact_key(service, &artifact.sha256_hex);
    upload::upload_artifact(ctx, &bucket_name, &key, artifact).await?;
    Ok((bucket_name, key))
}

/// Waits for `State=Active` and `LastUpdateStatus=Successful` (60 s at most).
pub(crate) async fn wait_until_updated(ctx: &AwsContext, name: &str) -> Result<()> {
    let started = Instant::now();
    loop {
        let c = ctx
            .lambda()
            .get_function_configuration()
            .function_name(name)
            .send()
            .await
            .map_err(errors::lambda(
                "GET_FUNCTION_CONFIGURATION",
                format!("read function {name}"),
            ))?;
        let active = c.state().is_none_or(|s| s.as_str() == "Active");
        let done = c
            .last_update_status()
            .is_none_or(|s| s.as_str() == "Successful");
        if c.last_update_status()
            .is_some_and(|s| s.as_str() == "Failed")
        {
            return Err(Error::Stack {
                code: "DEPLOY_FUNCTION_UPDATE_FAILED".into(),
                message: format!(
                    "The update of {name} failed: {}",
                    c.last_update_status_reason().unwrap_or("no reason given")
                ),
            });
        }
        if active && done {
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(60) {
            return Err(Error::Stack {
                code: "DEPLOY_FUNCTION_ENSURE_STATE_TIMED_OUT".into(),
                message: format!(
                    "{name} did not become Active with a successful update within 60 s"
                ),
            });
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// The configuration Serverless's `deploy function` sends, each field only when it differs from the
/// deployed one. Returns whether an update was made.
pub(crate) async fn update_configuration(
    ctx: &AwsContext,
    service: &crate::config::Service,
    f: &Function,
    remote: &aws_sdk_lambda::types::FunctionConfiguration,
    role: Option<String>,
) -> Result<bool> {
    let req = ctx
        .lambda()
        .update_function_configuration()
        .function_name(&f.name);
    let (mut req, mut changed) = with_changed_scalars(req, service, f, remote);
    if let Some(config) = image_config(f, remote) {
        req = req.image_config(config);
        changed = true;
    }
    if let Some(environment) = environment(service, f, remote) {
        req = req.environment(environment);
        changed = true;
    }
    if let Some(layers) = layers(f, remote) {
        req = req.set_layers(Some(layers));
        changed = true;
    }
    if let Some(vpc) = settings::vpc(f, remote) {
        req = req.vpc_config(vpc);
        changed = true;
    }
    if let Some(snap_start) = settings::snap_start(f, remote) {
        req = req.snap_start(snap_start);
        changed = true;
    }
    if let Some(role) = role.filter(|r| Some(r.as_str()) != remote.role()) {
        req = req.role(role);
        changed = true;
    }
    if !changed {
        return Ok(false);
    }
    send_retrying_conflicts(req, f).await?;
    Ok(true)
}

/// The request with the description, handler, memory size, timeout, KMS key and dead-letter target
/// that differ from the deployed ones, and whether any does.
fn with_changed_scalars(
    mut req: UpdateRequest,
    service: &crate::config::Service,
    f: &Function,
    remote: &FunctionConfiguration,
) -> (UpdateRequest, bool) {
    let mut changed = false;
    if let Some(d) = f
        .description
        .as_deref()
        .filter(|d| Some(*d) != remote.description())
    {
        req = req.description(d);
        changed = true;
    }
    if f.image.is_none() && Some(f.handler.as_str()) != remote.handler() {
        req = req.handler(&f.handler);
        changed = true;
    }
    if let Some(m) = f
        .memory_size
        .or(service.provider.memory_size)
        .filter(|m| Some(*m as i32) != remote.memory_size())
    {
        req = req.memory_size(m as i32);
        changed = true;
    }
    if let Some(t) = f
        .timeout
        .or(service.provider.timeout)
        .filter(|t| Some(*t as i32) != remote.timeout())
    {
        req = req.timeout(t as i32);
        changed = true;
    }
    if let Some(kms) = f
        .settings
        .kms_key_arn
        .as_ref()
        .and_then(Value::as_str)
        .filter(|k| Some(*k) != remote.kms_key_arn())
    {
        req = req.kms_key_arn(kms);
        changed = true;
    }
    if let Some(dlq) = f.settings.on_error.as_ref().and_then(Value::as_str) {
        if remote.dead_letter_config().and_then(|d| d.target_arn()) != Some(dlq) {
            req = req.dead_letter_config(DeadLetterConfig::builder().target_arn(dlq).build());
            changed = true;
        }
    }
    (req, changed)
}

/// An image's command, entry point and working directory, when they differ from the deployed ones.
fn image_config(f: &Function, remote: &FunctionConfiguration) -> Option<ImageConfig> {
    let Some(Value::Object(image)) = &f.image else {
        return None;
    };
    let list = |k: &str| {
        image.get(k).and_then(Value::as_array).map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect::<Vec<_>>()
        })
    };
    let command = list("command");
    let entry_point = list("entryPoint");
    let working_dir = image
        .get("workingDirectory")
        .and_then(Value::as_str)
        .map(str::to_string);
    let have = remote
        .image_config_response()
        .and_then(|r| r.image_config());
    let same = have.map(|c| c.command().to_vec()) == command.clone().or(have.map(|_| Vec::new()))
        && have.map(|c| c.entry_point().to_vec())
            == entry_point.clone().or(have.map(|_| Vec::new()))
        && have.and_then(|c| c.working_directory().map(str::to_string)) == working_dir;
    let wanted_any = command.is_some() || entry_point.is_some() || working_dir.is_some();
    (!same && (wanted_any || have.is_some())).then(|| {
        ImageConfig::builder()
            .set_command(command)
            .set_entry_point(entry_point)
            .set_working_directory(working_dir)
            .build()
    })
}

/// The environment (the provider's, then the function's), when it differs from the deployed one and no
/// value is a CloudFormation intrinsic only a stack can resolve.
fn environment(
    service: &crate::config::Service,
    f: &Function,
    remote: &FunctionConfiguration,
) -> Option<Environment> {
    let mut env = service.provider.environment.clone();
    env.extend(f.environment.clone());
    if !env.values().all(|v| !v.is_object() && !v.is_array()) {
        return None;
    }
    let vars: std::collections::HashMap<String, String> = env
        .into_iter()
        .map(|(k, v)| (k, v.as_str().map_or_else(|| v.to_string(), str::to_string)))
        .collect();
    let current = remote
        .environment()
        .and_then(|e| e.variables())
        .cloned()
        .unwrap_or_default();
    (vars != current).then(|| Environment::builder().set_variables(Some(vars)).build())
}

/// The layers' ARNs, when they differ from the deployed ones (in any order) and none is a reference
/// only a stack can resolve.
fn layers(f: &Function, remote: &FunctionConfiguration) -> Option<Vec<String>> {
    let Some(Value::Array(layers)) = &f.settings.layers else {
        return None;
    };
    if !layers.iter().all(Value::is_string) {
        return None;
    }
    let wanted: Vec<String> = layers
        .iter()
        .filter_map(|l| l.as_str().map(str::to_string))
        .collect();
    let mut have: Vec<String> = remote
        .layers()
        .iter()
        .filter_map(|l| l.arn().map(str::to_string))
        .collect();
    let mut sorted = wanted.clone();
    sorted.sort();
    have.sort();
    (sorted != have).then_some(wanted)
}

/// Sends the update; a code update may still be in progress, so conflicts are retried for up to 60 s.
async fn send_retrying_conflicts(req: UpdateRequest, f: &Function) -> Result<()> {
    let started = Instant::now();
    loop {
        match req.clone().send().await {
            Ok(_) => return Ok(()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|se| se.is_resource_conflict_exception())
                    && started.elapsed() < Duration::from_secs(60) =>
            {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Err(e) => {
                return Err(errors::wrap(
                    "LAMBDA",
                    "UPDATE_FUNCTION_CONFIGURATION",
                    format!("update the configuration of {}", f.name),
                    e,
                ))
            }
        }
    }
}

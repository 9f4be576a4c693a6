//! `{F}LambdaFunction` and its `{F}LambdaVersion<hash>` for zip functions.

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::collate::deep_sort;
use super::iam::{custom_execution_role, push_statement};
use super::layers::CompiledLayer;
use super::naming::{
    function_logical_id, log_group_logical_id, version_logical_id, ROLE_LAMBDA_EXECUTION,
};
use super::targets::{target_alias, truthy, with_condition};
use super::FunctionCode;
use crate::config::{Function, Service};
use crate::defaults::{DEFAULT_MEMORY_SIZE, DEFAULT_RUNTIME, DEFAULT_TIMEOUT};
use crate::error::{Error, Result};
use crate::package::hash;

/// Adds every function, then every version (the order Serverless writes them in). Returns the version
/// logical ID of each function key, in function order.
pub fn add_functions(
    service: &Service,
    code: &[(String, FunctionCode)],
    layers: &[CompiledLayer],
    resources: &mut Map<String, Value>,
    outputs: &mut Map<String, Value>,
) -> Result<Vec<(String, Option<String>)>> {
    let mut ids = Vec::new();
    let mut seen_destinations: Vec<String> = Vec::new();
    for f in &service.functions {
        let code = code
            .iter()
            .find(|(key, _)| key == &f.key)
            .map(|(_, c)| c)
            .ok_or_else(|| Error::Internal {
                message: format!("no code for function {}", f.key),
            })?;
        let (mut resource, mut properties) = function_resource(service, f, code, resources)?;
        super::durable::add_property(f, &mut properties);
        let condition = f.settings.condition.clone();
        let alias = target_alias(f);
        // Lambda@Edge and durable functions need a published version, whatever versionFunction says.
        let should_version =
            f.is_edge() || super::durable::config(f).is_some() || f.settings.version_function;
        let provisioned = f.settings.provisioned_concurrency.clone();
        let snap_start = f.settings.snap_start;
        let mut version_id = None;
        if should_version || provisioned.is_some() || snap_start {
            let (code_sha, digest) = match code {
                FunctionCode::Zip { sha256_base64, .. } => (
                    sha256_base64.clone(),
                    version_digest(Some(sha256_base64), &properties, layers),
                ),
                FunctionCode::Image { digest_hex, .. } => (
                    digest_hex.clone(),
                    version_digest(None, &properties, layers),
                ),
            };
            let id = version_logical_id(&f.key, &digest);
            let mut version = json!({ "Type": "AWS::Lambda::Version", "DeletionPolicy": "Retain", "Properties": {
                "FunctionName": { "Ref": function_logical_id(&f.key) },
                "CodeSha256": code_sha,
            }});
            if !should_version {
                version
                    .as_object_mut()
                    .expect("object")
                    .remove("DeletionPolicy");
            }
            if let Some(d) = &f.description {
                version["Properties"]["Description"] = json!(d);
            }
            with_condition(&mut version, &condition);
            resources.insert(id.clone(), version);
            let mut output =
                json!({ "Description": "Current Lambda function version", "Value": { "Ref": id } });
            with_condition(&mut output, &condition);
            outputs.insert(super::naming::qualified_arn_output_id(&f.key), output);
            if let Some((alias_id, alias_name)) = &alias {
                let mut a = json!({
                    "Type": "AWS::Lambda::Alias",
                    "Properties": {
                        "FunctionName": { "Ref": function_logical_id(&f.key) },
                        "FunctionVersion": { "Fn::GetAtt": [id, "Version"] },
                        "Name": alias_name,
                    },
                    "DependsOn": function_logical_id(&f.key),
                });
                if let Some(pc) = &provisioned {
                    a["Properties"]["ProvisionedConcurrencyConfig"] =
                        json!({ "ProvisionedConcurrentExecutions": pc });
                }
                with_condition(&mut a, &condition);
                resources.insert(alias_id.clone(), a);
            }
            version_id = Some(id);
        }
        // Logging configuration is not part of the version hash (Serverless adds it afterwards).
        if let Some(logs) = &f.settings.logs {
            let mut config = Map::new();
            for (from, to) in [
                ("applicationLogLevel", "ApplicationLogLevel"),
                ("logFormat", "LogFormat"),
                ("logGroup", "LogGroup"),
                ("systemLogLevel", "SystemLogLevel"),
            ] {
                if let Some(v) = logs.get(from).filter(|v| truthy(v)) {
                    config.insert(to.into(), v.clone());
                }
            }
            if !config.is_empty() {
                properties.insert("LoggingConfig".into(), Value::Object(config));
            }
        }
        resource["Properties"] = Value::Object(properties);
        resources.insert(function_logical_id(&f.key), resource);
        super::url::add_function_url(service, f, alias.as_ref(), &condition, resources, outputs);
        super::invoke_config::add_event_invoke_config(
            service,
            f,
            alias.as_ref(),
            &condition,
            resources,
            &mut seen_destinations,
        )?;
        ids.push((f.key.clone(), version_id));
    }
    Ok(ids)
}

/// The function resource (without `Properties`) and its properties, in Serverless's order. Statements
/// the function needs go into the execution role.
fn function_resource(
    service: &Service,
    f: &Function,
    code: &FunctionCode,
    resources: &mut Map<String, Value>,
) -> Result<(Value, Map<String, Value>)> {
    let settings = &f.settings;
    let mut p = Map::new();
    let mut depends_on: Vec<Value> = Vec::new();
    match code {
        FunctionCode::Zip { s3_key, .. } => {
            if let Some(rm) = &settings.runtime_management {
                let (mode, arn) = match rm {
                    Value::String(m) => (m.as_str(), None),
                    Value::Object(o) => (
                        o.get("mode").and_then(Value::as_str).unwrap_or("auto"),
                        o.get("arn"),
                    ),
                    _ => ("auto", None),
                };
                let update = match mode {
                    "onFunctionUpdate" => Some("FunctionUpdate"),
                    "manual" => Some("Manual"),
                    _ => None,
                };
                if let Some(update) = update {
                    let mut config = json!({ "UpdateRuntimeOn": update });
                    if mode == "manual" {
                        if let Some(arn) = arn {
                            config["RuntimeVersionArn"] = arn.clone();
                        }
                    }
                    p.insert("RuntimeManagementConfig".into(), config);
                }
            }
            p.insert(
                "Code".into(),
                json!({ "S3Bucket": super::bucket_ref(service), "S3Key": s3_key }),
            );
            p.insert("Handler".into(), json!(f.handler));
            let runtime = f
                .runtime
                .as_deref()
                .or(service.provider.runtime.as_deref())
                .unwrap_or(DEFAULT_RUNTIME);
            p.insert("Runtime".into(), json!(runtime));
        }
        FunctionCode::Image { uri, .. } => {
            p.insert("Code".into(), json!({ "ImageUri": uri }));
            if let Some(Value::Object(image)) = &f.image {
                let mut config = Map::new();
                for (from, to) in [
                    ("command", "Command"),
                    ("entryPoint", "EntryPoint"),
                    ("workingDirectory", "WorkingDirectory"),
                ] {
                    if let Some(v) = image.get(from).filter(|v| truthy(v)) {
                        config.insert(to.into(), v.clone());
                    }
                }
                if !config.is_empty() {
                    p.insert("ImageConfig".into(), Value::Object(config));
                }
            }
            p.insert("PackageType".into(), json!("Image"));
        }
    }
    p.insert("FunctionName".into(), json!(f.name));
    // Lambda@Edge functions default to its limits (128 MB, 5 s) before the provider's settings.
    let edge = f.is_edge();
    p.insert(
        "MemorySize".into(),
        json!(f
            .memory_size
            .or(edge.then_some(128))
            .or(service.provider.memory_size)
            .unwrap_or(DEFAULT_MEMORY_SIZE)),
    );
    p.insert(
        "Timeout".into(),
        json!(f
            .timeout
            .or(edge.then_some(5))
            .or(service.provider.timeout)
            .unwrap_or(DEFAULT_TIMEOUT)),
    );
    if let Some(a) = &settings.architecture {
        p.insert("Architectures".into(), json!([a]));
    }
    if let Some(d) = &f.description {
        p.insert("Description".into(), json!(d));
    }
    if settings.snap_start {
        p.insert(
            "SnapStart".into(),
            json!({ "ApplyOn": "PublishedVersions" }),
        );
    }
    depends_on.extend(settings.depends_on.iter().cloned());
    if let Some(tags) = &settings.tags {
        p.insert(
            "Tags".into(),
            tags.iter()
                .map(|(k, v)| json!({ "Key": k, "Value": v }))
                .collect(),
        );
    }
    if let Some(size) = &settings.ephemeral_storage_size {
        p.insert("EphemeralStorage".into(), json!({ "Size": size }));
    }
    if let Some(r) = &settings.recursive_loop {
        p.insert("RecursiveLoop".into(), r.clone());
    }
    if let Some(target) = &settings.on_error {
        p.insert("DeadLetterConfig".into(), json!({ "TargetArn": target }));
        if target.is_string() {
            push_statement(
                resources,
                json!({ "Effect": "Allow", "Action": ["sns:Publish"], "Resource": [target] }),
                false,
            );
        }
    }
    if let Some(kms) = &settings.kms_key_arn {
        p.insert("KmsKeyArn".into(), kms.clone());
        if kms.is_string() {
            push_statement(
                resources,
                json!({ "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [kms] }),
                true,
            );
        }
    }
    if let Some(t) = &settings.tracing {
        let mode = if t.is_boolean() {
            json!("Active")
        } else {
            t.clone()
        };
        p.insert("TracingConfig".into(), json!({ "Mode": mode }));
        push_statement(
            resources,
            json!({ "Effect": "Allow", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Resource": ["*"] }),
            true,
        );
    }
    if settings.has_environment {
        let mut env = service.provider.environment.clone();
        env.extend(f.environment.clone());
        p.insert("Environment".into(), json!({ "Variables": env }));
    }
    match custom_execution_role(service, f) {
        Some(Value::String(role)) if role.starts_with("arn:") => {
            p.insert("Role".into(), json!(role));
        }
        Some(Value::String(role)) => {
            p.insert("Role".into(), json!({ "Fn::GetAtt": [role, "Arn"] }));
            if role != ROLE_LAMBDA_EXECUTION {
                depends_on.push(json!(role));
            }
        }
        Some(role @ Value::Object(_)) if role.get("Fn::GetAtt").is_some() => {
            if let Some(target) = role["Fn::GetAtt"].get(0) {
                depends_on.push(target.clone());
            }
            p.insert("Role".into(), role);
        }
        Some(role) => {
            p.insert("Role".into(), role);
        }
        None => {
            p.insert(
                "Role".into(),
                json!({ "Fn::GetAtt": [ROLE_LAMBDA_EXECUTION, "Arn"] }),
            );
        }
    }
    if let Some(vpc) = &settings.vpc {
        let mut config = Map::new();
        if let Some(ipv6) = &vpc.ipv6_allowed_for_dual_stack {
            config.insert("Ipv6AllowedForDualStack".into(), ipv6.clone());
        }
        config.insert("SecurityGroupIds".into(), vpc.security_group_ids.clone());
        config.insert("SubnetIds".into(), vpc.subnet_ids.clone());
        p.insert("VpcConfig".into(), Value::Object(config));
    }
    if let Some(fs) = &settings.file_system_config {
        push_statement(
            resources,
            json!({ "Effect": "Allow", "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"], "Resource": [fs.get("arn")] }),
            false,
        );
        p.insert(
            "FileSystemConfigs".into(),
            json!([{ "Arn": fs.get("arn"), "LocalMountPath": fs.get("localMountPath") }]),
        );
    }
    if let Some(rc) = &settings.reserved_concurrency {
        p.insert("ReservedConcurrentExecutions".into(), rc.clone());
    }
    if !settings.disable_logs {
        depends_on.insert(0, json!(log_group_logical_id(&f.key)));
    }
    if let Some(layers) = &settings.layers {
        p.insert("Layers".into(), layers.clone());
    }
    let mut resource = json!({ "Type": "AWS::Lambda::Function" });
    if let Some(c) = &settings.condition {
        resource["Condition"] = c.clone();
    }
    if !depends_on.is_empty() {
        resource["DependsOn"] = Value::Array(depends_on);
    }
    Ok((resource, p))
}

/// The version hash (Serverless's "20201221" algorithm): the code's base64 SHA-256, then the function's
/// properties without `Code`, `ReservedConcurrentExecutions` and `Tags`, plus the local layer
/// configurations, keys deep-sorted the way `localeCompare` sorts them, as compact JSON.
fn version_digest(
    code_sha256_base64: Option<&str>,
    properties: &Map<String, Value>,
    layers: &[CompiledLayer],
) -> String {
    let mut hashed = properties.clone();
    if code_sha256_base64.is_some() {
        hashed.remove("Code"); // an image's URI stays: it is the code
    }
    for key in ["ReservedConcurrentExecutions", "Tags"] {
        hashed.remove(key);
    }
    // Local layers the function references: their zips' hashes, and their properties.
    let referenced: Vec<&CompiledLayer> = properties
        .get("Layers")
        .and_then(Value::as_array)
        .map(|refs| {
            refs.iter()
                .filter_map(|r| r.get("Ref").and_then(Value::as_str))
                .filter_map(|id| layers.iter().find(|l| l.logical_id == id))
                .collect()
        })
        .unwrap_or_default();
    let configurations: Vec<Value> = referenced
        .iter()
        .map(|l| json!({ "name": l.key, "ref": { "Ref": l.logical_id }, "properties": l.properties_for_hash }))
        .collect();
    hashed.insert("layerConfigurations".into(), Value::Array(configurations));
    let mut sha = Sha256::new();
    if let Some(code) = code_sha256_base64 {
        sha.update(code.as_bytes());
    }
    let mut layer_hashes: Vec<(&str, &str)> = referenced
        .iter()
        .map(|l| (l.key.as_str(), l.sha256_base64.as_str()))
        .collect();
    layer_hashes.sort();
    for (_, h) in layer_hashes {
        sha.update(h.as_bytes());
    }
    sha.update(serde_json::to_string(&deep_sort(&Value::Object(hashed))).unwrap_or_default());
    hash::base64(&sha.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_changes_with_properties_but_not_with_tags_or_code_key() {
        let mut p = Map::new();
        p.insert("Handler".into(), json!("h.main"));
        p.insert("Code".into(), json!({ "S3Key": "a" }));
        let base = version_digest(Some("c29kYQ=="), &p, &[]);
        let mut tagged = p.clone();
        tagged.insert("Tags".into(), json!([{ "Key": "a", "Value": "b" }]));
        tagged.insert("Code".into(), json!({ "S3Key": "b" }));
        assert_eq!(version_digest(Some("c29kYQ=="), &tagged, &[]), base);
        let mut bigger = p.clone();
        bigger.insert("MemorySize".into(), json!(512));
        assert_ne!(version_digest(Some("c29kYQ=="), &bigger, &[]), base);
        assert_ne!(version_digest(Some("b3RoZXI="), &p, &[]), base);
    }
}

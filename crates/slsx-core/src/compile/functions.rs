//! `{F}LambdaFunction` (zip or image) with its logging configuration, URL and invoke configuration;
//! `versions.rs` adds its version.

use serde_json::{json, Map, Value};

use super::iam::{custom_execution_role, push_statement};
use super::layers::CompiledLayer;
use super::naming::{function_logical_id, log_group_logical_id, ROLE_LAMBDA_EXECUTION};
use super::targets::{target_alias, truthy};
use super::versions::add_version;
use super::FunctionCode;
use crate::config::{Function, FunctionSettings, Service};
use crate::defaults::{DEFAULT_MEMORY_SIZE, DEFAULT_RUNTIME, DEFAULT_TIMEOUT};
use crate::error::{Error, Result};

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
        let version_id = add_version(f, code, &properties, layers, resources, outputs);
        // Logging configuration is not part of the version hash (Serverless adds it afterwards).
        if let Some(config) = f.settings.logs.as_ref().and_then(logging_config) {
            properties.insert("LoggingConfig".into(), config);
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

/// `LoggingConfig` from the function's `logs` settings, when any of them is set.
fn logging_config(logs: &Value) -> Option<Value> {
    copy_truthy(
        logs,
        &[
            ("applicationLogLevel", "ApplicationLogLevel"),
            ("logFormat", "LogFormat"),
            ("logGroup", "LogGroup"),
            ("systemLogLevel", "SystemLogLevel"),
        ],
    )
}

/// The truthy settings of `from` renamed to their CloudFormation names, or `None` when there is none.
fn copy_truthy(from: &Value, names: &[(&str, &str)]) -> Option<Value> {
    let mut config = Map::new();
    for (from_name, to) in names {
        if let Some(v) = from.get(from_name).filter(|v| truthy(v)) {
            config.insert((*to).into(), v.clone());
        }
    }
    (!config.is_empty()).then_some(Value::Object(config))
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
    code_properties(service, f, code, &mut p);
    p.insert("FunctionName".into(), json!(f.name));
    limit_properties(service, f, &mut p);
    plain_properties(settings, f, &mut p);
    let mut depends_on: Vec<Value> = settings.depends_on.clone();
    permission_properties(settings, &mut p, resources);
    if settings.has_environment {
        let mut env = service.provider.environment.clone();
        env.extend(f.environment.clone());
        p.insert("Environment".into(), json!({ "Variables": env }));
    }
    role_property(service, f, &mut p, &mut depends_on);
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

/// The code's properties: `RuntimeManagementConfig`, `Code`, `Handler` and `Runtime` for a zip;
/// `Code`, `ImageConfig` and `PackageType` for an image.
fn code_properties(
    service: &Service,
    f: &Function,
    code: &FunctionCode,
    p: &mut Map<String, Value>,
) {
    match code {
        FunctionCode::Zip { s3_key, .. } => {
            if let Some(config) = f
                .settings
                .runtime_management
                .as_ref()
                .and_then(runtime_management_config)
            {
                p.insert("RuntimeManagementConfig".into(), config);
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
            let image_config = f
                .image
                .as_ref()
                .filter(|i| i.is_object())
                .and_then(|image| {
                    copy_truthy(
                        image,
                        &[
                            ("command", "Command"),
                            ("entryPoint", "EntryPoint"),
                            ("workingDirectory", "WorkingDirectory"),
                        ],
                    )
                });
            if let Some(config) = image_config {
                p.insert("ImageConfig".into(), config);
            }
            p.insert("PackageType".into(), json!("Image"));
        }
    }
}

/// `RuntimeManagementConfig` from `runtimeManagement` (a mode, or `{ mode, arn }`); `None` for `auto`.
fn runtime_management_config(rm: &Value) -> Option<Value> {
    let (mode, arn) = match rm {
        Value::String(m) => (m.as_str(), None),
        Value::Object(o) => (
            o.get("mode").and_then(Value::as_str).unwrap_or("auto"),
            o.get("arn"),
        ),
        _ => ("auto", None),
    };
    let update = match mode {
        "onFunctionUpdate" => "FunctionUpdate",
        "manual" => "Manual",
        _ => return None,
    };
    let mut config = json!({ "UpdateRuntimeOn": update });
    if mode == "manual" {
        if let Some(arn) = arn {
            config["RuntimeVersionArn"] = arn.clone();
        }
    }
    Some(config)
}

/// `MemorySize` and `Timeout`: the function's, else Lambda@Edge's limits (128 MB, 5 s), else the
/// provider's, else the defaults.
fn limit_properties(service: &Service, f: &Function, p: &mut Map<String, Value>) {
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
}

/// The settings copied without IAM statements: `Architectures`, `Description`, `SnapStart`, `Tags`,
/// `EphemeralStorage` and `RecursiveLoop`.
fn plain_properties(settings: &FunctionSettings, f: &Function, p: &mut Map<String, Value>) {
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
}

/// `DeadLetterConfig`, `KmsKeyArn` and `TracingConfig`, each with the statement it needs in the
/// execution role.
fn permission_properties(
    settings: &FunctionSettings,
    p: &mut Map<String, Value>,
    resources: &mut Map<String, Value>,
) {
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
}

/// `Role`: the custom role (an ARN, a logical ID or an intrinsic), else `IamRoleLambdaExecution`; a
/// role of the stack goes into `depends_on` (but the default one).
fn role_property(
    service: &Service,
    f: &Function,
    p: &mut Map<String, Value>,
    depends_on: &mut Vec<Value>,
) {
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
}

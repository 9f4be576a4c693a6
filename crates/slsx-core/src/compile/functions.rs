//! `{F}LambdaFunction` and its `{F}LambdaVersion<hash>` for zip functions.

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::collate::deep_sort;
use super::naming::{
    function_logical_id, log_group_logical_id, version_logical_id, DEPLOYMENT_BUCKET,
    ROLE_LAMBDA_EXECUTION,
};
use super::CodeLocation;
use crate::config::{Function, Service};
use crate::error::{Error, Result};
use crate::package::hash;

/// Serverless's defaults when neither the function nor the provider sets a value (osls 4.3.1).
pub const DEFAULT_RUNTIME: &str = "nodejs24.x";
pub const DEFAULT_MEMORY_SIZE: u64 = 1024;
pub const DEFAULT_TIMEOUT: u64 = 6;

/// Adds every function, then every version (the order Serverless writes them in). Returns the version
/// logical ID of each function key, in function order.
pub fn add_functions(
    service: &Service,
    code: &[(String, CodeLocation<'_>)],
    resources: &mut Map<String, Value>,
) -> Result<Vec<(String, Option<String>)>> {
    let mut version_resources = Vec::new();
    let mut ids = Vec::new();
    for f in &service.functions {
        let location = code
            .iter()
            .find(|(key, _)| key == &f.key)
            .map(|(_, c)| c)
            .ok_or_else(|| Error::Internal {
                message: format!("no artifact for function {}", f.key),
            })?;
        let properties = function_properties(service, f, location);
        let version_id = versioned(service, f).then(|| {
            let code_sha = &location.artifact.sha256_base64;
            let id = version_logical_id(&f.key, &version_digest(code_sha, &properties));
            let mut props = Map::new();
            props.insert("FunctionName".into(), json!({ "Ref": function_logical_id(&f.key) }));
            props.insert("CodeSha256".into(), json!(code_sha));
            if let Some(d) = &f.description {
                props.insert("Description".into(), json!(d));
            }
            version_resources.push((
                id.clone(),
                json!({ "Type": "AWS::Lambda::Version", "DeletionPolicy": "Retain", "Properties": props }),
            ));
            id
        });
        resources.insert(
            function_logical_id(&f.key),
            json!({
                "Type": "AWS::Lambda::Function",
                "Properties": properties,
                "DependsOn": [log_group_logical_id(&f.key)],
            }),
        );
        ids.push((f.key.clone(), version_id));
    }
    resources.extend(version_resources);
    Ok(ids)
}

fn versioned(service: &Service, f: &Function) -> bool {
    match f.raw.get("versionFunction") {
        Some(Value::Bool(b)) => *b,
        _ => service.provider.version_functions,
    }
}

fn function_properties(service: &Service, f: &Function, code: &CodeLocation<'_>) -> Map<String, Value> {
    let mut p = Map::new();
    p.insert(
        "Code".into(),
        json!({ "S3Bucket": { "Ref": DEPLOYMENT_BUCKET }, "S3Key": code.s3_key }),
    );
    p.insert("Handler".into(), json!(f.handler));
    let runtime = f
        .runtime
        .as_deref()
        .or(service.provider.runtime.as_deref())
        .unwrap_or(DEFAULT_RUNTIME);
    p.insert("Runtime".into(), json!(runtime));
    p.insert("FunctionName".into(), json!(f.name));
    p.insert(
        "MemorySize".into(),
        json!(f.memory_size.or(service.provider.memory_size).unwrap_or(DEFAULT_MEMORY_SIZE)),
    );
    p.insert(
        "Timeout".into(),
        json!(f.timeout.or(service.provider.timeout).unwrap_or(DEFAULT_TIMEOUT)),
    );
    if let Some(d) = &f.description {
        p.insert("Description".into(), json!(d));
    }
    let mut env = service.provider.environment.clone();
    env.extend(f.environment.clone());
    if !env.is_empty() {
        p.insert("Environment".into(), json!({ "Variables": env }));
    }
    p.insert(
        "Role".into(),
        json!({ "Fn::GetAtt": [ROLE_LAMBDA_EXECUTION, "Arn"] }),
    );
    p
}

/// The version hash (Serverless's "20201221" algorithm): the code's base64 SHA-256, then the function's
/// properties without `Code`, `ReservedConcurrentExecutions` and `Tags`, plus the local layer
/// configurations, keys deep-sorted the way `localeCompare` sorts them, as compact JSON.
fn version_digest(code_sha256_base64: &str, properties: &Map<String, Value>) -> String {
    let mut hashed = properties.clone();
    for key in ["Code", "ReservedConcurrentExecutions", "Tags"] {
        hashed.remove(key);
    }
    hashed.insert("layerConfigurations".into(), json!([]));
    let mut sha = Sha256::new();
    sha.update(code_sha256_base64.as_bytes());
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
        let base = version_digest("c29kYQ==", &p);
        let mut tagged = p.clone();
        tagged.insert("Tags".into(), json!([{ "Key": "a", "Value": "b" }]));
        tagged.insert("Code".into(), json!({ "S3Key": "b" }));
        assert_eq!(version_digest("c29kYQ==", &tagged), base);
        let mut bigger = p.clone();
        bigger.insert("MemorySize".into(), json!(512));
        assert_ne!(version_digest("c29kYQ==", &bigger), base);
        assert_ne!(version_digest("b3RoZXI=", &p), base);
    }
}

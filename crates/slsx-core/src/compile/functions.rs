//! `{F}LambdaFunction` and its `{F}LambdaVersion<hash>` for zip functions.

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::collate::deep_sort;
use super::naming::{
    function_logical_id, log_group_logical_id, version_logical_id, DEPLOYMENT_BUCKET,
    ROLE_LAMBDA_EXECUTION,
};
use super::layers::CompiledLayer;
use super::FunctionCode;
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
    code: &[(String, FunctionCode)],
    layers: &[CompiledLayer],
    resources: &mut Map<String, Value>,
) -> Result<Vec<(String, Option<String>)>> {
    let mut version_resources = Vec::new();
    let mut ids = Vec::new();
    for f in &service.functions {
        let code = code
            .iter()
            .find(|(key, _)| key == &f.key)
            .map(|(_, c)| c)
            .ok_or_else(|| Error::Internal {
                message: format!("no code for function {}", f.key),
            })?;
        let properties = function_properties(service, f, code);
        let version_id = versioned(service, f).then(|| {
            let (code_sha, digest) = match code {
                FunctionCode::Zip { sha256_base64, .. } => {
                    (sha256_base64.clone(), version_digest(Some(sha256_base64), &properties, layers))
                }
                FunctionCode::Image { digest_hex, .. } => (digest_hex.clone(), version_digest(None, &properties, layers)),
            };
            let id = version_logical_id(&f.key, &digest);
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

fn function_properties(service: &Service, f: &Function, code: &FunctionCode) -> Map<String, Value> {
    let mut p = Map::new();
    match code {
        FunctionCode::Zip { s3_key, .. } => {
            p.insert("Code".into(), json!({ "S3Bucket": { "Ref": DEPLOYMENT_BUCKET }, "S3Key": s3_key }));
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
            p.insert("PackageType".into(), json!("Image"));
        }
    }
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
    let layers = f.raw.get("layers").or_else(|| service.provider.raw.get("layers"));
    if let Some(layers) = layers.filter(|l| !l.is_null()) {
        p.insert("Layers".into(), layers.clone());
    }
    p
}

/// The version hash (Serverless's "20201221" algorithm): the code's base64 SHA-256, then the function's
/// properties without `Code`, `ReservedConcurrentExecutions` and `Tags`, plus the local layer
/// configurations, keys deep-sorted the way `localeCompare` sorts them, as compact JSON.
fn version_digest(code_sha256_base64: Option<&str>, properties: &Map<String, Value>, layers: &[CompiledLayer]) -> String {
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
    let mut layer_hashes: Vec<(&str, &str)> = referenced.iter().map(|l| (l.key.as_str(), l.sha256_base64.as_str())).collect();
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

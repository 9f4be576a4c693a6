//! `{F}LambdaVersion<hash>` (its hash, Serverless's "20201221" algorithm), its `…QualifiedArn` output,
//! and the alias that points at it.

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::collate::deep_sort;
use super::layers::CompiledLayer;
use super::naming::{function_logical_id, version_logical_id};
use super::targets::{target_alias, with_condition};
use super::FunctionCode;
use crate::config::Function;
use crate::package::hash;

/// The function's version, its output and its alias, when the function is published (`versionFunction`,
/// Lambda@Edge, durable, provisioned concurrency or SnapStart). Returns the version's logical ID.
pub fn add_version(
    f: &Function,
    code: &FunctionCode,
    properties: &Map<String, Value>,
    layers: &[CompiledLayer],
    resources: &mut Map<String, Value>,
    outputs: &mut Map<String, Value>,
) -> Option<String> {
    let condition = f.settings.condition.clone();
    // Lambda@Edge and durable functions need a published version, whatever versionFunction says.
    let should_version =
        f.is_edge() || super::durable::config(f).is_some() || f.settings.version_function;
    if !(should_version || f.settings.provisioned_concurrency.is_some() || f.settings.snap_start) {
        return None;
    }
    let (code_sha, digest) = match code {
        FunctionCode::Zip { sha256_base64, .. } => (
            sha256_base64.clone(),
            version_digest(Some(sha256_base64), properties, layers),
        ),
        FunctionCode::Image { digest_hex, .. } => {
            (digest_hex.clone(), version_digest(None, properties, layers))
        }
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
    add_alias(f, &id, &condition, resources);
    Some(id)
}

/// The function's alias (durable, provisioned or snapstart) on the version `version_id`, when it has one.
fn add_alias(
    f: &Function,
    version_id: &str,
    condition: &Option<Value>,
    resources: &mut Map<String, Value>,
) {
    let Some((alias_id, alias_name)) = target_alias(f) else {
        return;
    };
    let mut a = json!({
        "Type": "AWS::Lambda::Alias",
        "Properties": {
            "FunctionName": { "Ref": function_logical_id(&f.key) },
            "FunctionVersion": { "Fn::GetAtt": [version_id, "Version"] },
            "Name": alias_name,
        },
        "DependsOn": function_logical_id(&f.key),
    });
    if let Some(pc) = &f.settings.provisioned_concurrency {
        a["Properties"]["ProvisionedConcurrencyConfig"] =
            json!({ "ProvisionedConcurrentExecutions": pc });
    }
    with_condition(&mut a, condition);
    resources.insert(alias_id, a);
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

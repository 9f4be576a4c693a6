//! `{L}LambdaLayer` (`AWS::Lambda::LayerVersion`) per layer, with its outputs: the qualified ARN, the
//! layer hash (SHA-1 of the resource without its S3 key, then the zip bytes) and the S3 key.

use serde_json::{json, Map, Value};
use sha1::{Digest, Sha1};

use super::naming::normalized_name;
use crate::config::{Layer, Service};
use crate::error::{Error, Result};

/// A compiled layer, for functions that reference it and for their version hashes.
#[derive(Debug, Clone)]
pub struct CompiledLayer {
    pub key: String,
    pub logical_id: String,
    /// The resource's properties without `Content.S3Key` (what the version hash takes).
    pub properties_for_hash: Value,
    /// Base64 SHA-256 of the layer's zip.
    pub sha256_base64: String,
}

pub fn layer_logical_id(key: &str) -> String {
    format!("{}LambdaLayer", normalized_name(key))
}

/// Adds the layers; `zips` gives each layer's artifact path, S3 key and base64 SHA-256.
pub fn add_layers(
    service: &Service,
    zips: &[(&str, &std::path::Path, String, String)],
    resources: &mut Map<String, Value>,
    outputs: &mut Map<String, Value>,
) -> Result<Vec<CompiledLayer>> {
    let mut compiled = Vec::new();
    for layer in &service.layers {
        let (_, zip_path, s3_key, sha256) = zips
            .iter()
            .find(|(k, ..)| *k == layer.key)
            .ok_or_else(|| Error::Internal {
                message: format!("no artifact for layer {}", layer.key),
            })?;
        let mut resource = json!({
            "Type": "AWS::Lambda::LayerVersion",
            "Properties": {
                "Content": { "S3Bucket": super::bucket_ref(service) },
                "LayerName": layer.name.as_deref().unwrap_or(&layer.key),
            }
        });
        copy_optional(layer, &mut resource["Properties"]);
        let sha1 = layer_hash(&resource, zip_path)?;
        let for_hash = resource["Properties"].clone();
        resource["Properties"]["Content"]["S3Key"] = json!(s3_key);
        let mut logical_id = layer_logical_id(&layer.key);
        if layer.retain {
            logical_id.push_str(&sha1);
            resource["DeletionPolicy"] = json!("Retain");
        }
        let retain = resource.get("DeletionPolicy").is_some();
        resources.insert(logical_id.clone(), resource);
        // `allowedAccounts`: a LayerVersionPermission per account (`*` is everyone).
        for account in &layer.allowed_accounts {
            let account = match account {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let mut id = format!(
                "{}{}LambdaLayerPermission",
                normalized_name(&layer.key),
                account.replacen('*', "Wild", 1)
            );
            let mut permission = json!({
                "Type": "AWS::Lambda::LayerVersionPermission",
                "Properties": { "Action": "lambda:GetLayerVersion", "LayerVersionArn": { "Ref": logical_id }, "Principal": account },
            });
            if retain {
                id.push_str(&sha1);
                permission["DeletionPolicy"] = json!("Retain");
            }
            resources.insert(id, permission);
        }
        let base = layer_logical_id(&layer.key);
        outputs.insert(
            format!("{base}QualifiedArn"),
            json!({ "Description": "Current Lambda layer version", "Value": { "Ref": logical_id } }),
        );
        outputs.insert(
            format!("{base}Hash"),
            json!({ "Description": "Current Lambda layer hash", "Value": sha1 }),
        );
        outputs.insert(
            format!("{base}S3Key"),
            json!({ "Description": "Current Lambda layer S3Key", "Value": s3_key }),
        );
        compiled.push(CompiledLayer {
            key: layer.key.clone(),
            logical_id,
            properties_for_hash: for_hash,
            sha256_base64: sha256.clone(),
        });
    }
    Ok(compiled)
}

fn copy_optional(layer: &Layer, props: &mut Value) {
    for (from, to) in [
        ("description", "Description"),
        ("licenseInfo", "LicenseInfo"),
        ("compatibleRuntimes", "CompatibleRuntimes"),
        ("compatibleArchitectures", "CompatibleArchitectures"),
    ] {
        if let Some(v) = layer.optional.get(from) {
            props[to] = v.clone();
        }
    }
}

/// SHA-1 (hex) of the resource JSON (without the S3 key) followed by the zip's bytes, as osls computes
/// it: an unchanged layer keeps its hash across tools only when its zip bytes are the same.
fn layer_hash(resource: &Value, zip: &std::path::Path) -> Result<String> {
    use std::io::Read;
    let mut sha = Sha1::new();
    sha.update(resource.to_string().as_bytes());
    let err = |e| Error::io(format!("cannot read \"{}\"", zip.display()), e);
    let mut file = std::fs::File::open(zip).map_err(err)?;
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf).map_err(err)?;
        if n == 0 {
            break;
        }
        sha.update(&buf[..n]);
    }
    Ok(hex::encode(sha.finalize()))
}

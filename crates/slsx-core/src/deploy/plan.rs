//! The local half of a deploy: package, compile, write `.serverless/`, and hash what will be compared
//! with the last deployment. No AWS call happens here.

use std::path::PathBuf;

use serde_json::{json, Map, Value};

use crate::compile::{self, code_artifact_key, collate::deep_sort, CodeLocation, Templates};
use crate::config::Service;
use crate::error::{Error, Result};
use crate::package::{self, hash, Artifact};
use crate::progress::Reporter;

pub const TEMPLATE_FILE: &str = "compiled-cloudformation-template.json";
pub const STATE_FILE: &str = "serverless-state.json";
pub const CREATE_TEMPLATE_FILE: &str = "cloudformation-template-create-stack.json";
pub const UPDATE_TEMPLATE_FILE: &str = "cloudformation-template-update-stack.json";

#[derive(Debug, Clone)]
pub struct Plan {
    pub service: Service,
    pub artifacts: Vec<Artifact>,
    /// S3 key of each artifact, parallel to `artifacts`.
    pub artifact_keys: Vec<String>,
    pub templates: Templates,
    /// `serverless-state.json` as written.
    pub state: Value,
    /// `<prefix>/<service>/<stage>/<epochms>-<ISO>`: where this deployment's template and state go.
    pub deployment_dir: String,
    /// Base64 SHA-256 of the normalized template and state: the `filesha256` compared on skip.
    pub template_hash: String,
    pub state_hash: String,
    pub out_dir: PathBuf,
}

impl Plan {
    /// Packages and compiles `service`, writing everything to `.serverless/` (which is emptied first,
    /// as Serverless does).
    pub fn build(service: Service, reporter: &dyn Reporter, now_ms: u64) -> Result<Plan> {
        let out_dir = package::output_dir(&service);
        if out_dir.exists() {
            std::fs::remove_dir_all(&out_dir)
                .map_err(|e| Error::io(format!("cannot clean \"{}\"", out_dir.display()), e))?;
        }
        let artifacts = package::package_service(&service, reporter)?;
        let artifact_keys: Vec<String> =
            artifacts.iter().map(|a| code_artifact_key(&service, a)).collect();
        // Every function shares the service artifact for now.
        let code: Vec<(String, CodeLocation<'_>)> = match artifacts.first() {
            Some(artifact) => service
                .functions
                .iter()
                .map(|f| {
                    (
                        f.key.clone(),
                        CodeLocation {
                            artifact,
                            s3_key: artifact_keys[0].clone(),
                        },
                    )
                })
                .collect(),
            None => Vec::new(),
        };
        let templates = compile::compile(&service, &code)?;
        let deployment_dir = format!("{}/{}", service.s3_stage_prefix(), deployment_dir_name(now_ms));
        let state = state_json(&service, &templates, &artifacts, &deployment_dir);

        write_json(&out_dir.join(CREATE_TEMPLATE_FILE), &templates.create)?;
        write_json(&out_dir.join(UPDATE_TEMPLATE_FILE), &templates.update)?;
        write_json(&out_dir.join(STATE_FILE), &state)?;

        let template_hash = template_hash(&templates.update);
        let state_hash = state_hash(&state);
        Ok(Plan {
            service,
            artifacts,
            artifact_keys,
            templates,
            state,
            deployment_dir,
            template_hash,
            state_hash,
            out_dir,
        })
    }
}

fn write_json(path: &std::path::Path, value: &Value) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value).map_err(|e| Error::Internal {
        message: format!("cannot serialize {}: {e}", path.display()),
    })?;
    text.push('\n');
    std::fs::write(path, text).map_err(|e| Error::io(format!("cannot write \"{}\"", path.display()), e))
}

/// `serverless-state.json` in the shape osls writes, without absolute paths: `deploy --package` and
/// plugins that read it keep working, and it hashes the same on every machine.
fn state_json(service: &Service, templates: &Templates, artifacts: &[Artifact], deployment_dir: &str) -> Value {
    let mut provider = service.provider.raw.clone();
    provider.insert("stage".into(), json!(service.stage));
    provider.insert("region".into(), json!(service.region));
    provider.insert("versionFunctions".into(), json!(service.provider.version_functions));
    provider.insert("compiledCloudFormationTemplate".into(), templates.update.clone());
    provider.insert("coreCloudFormationTemplate".into(), templates.create.clone());
    provider.entry("vpc").or_insert_with(|| json!({}));

    let mut functions = Map::new();
    for f in &service.functions {
        let mut fo = f.raw.clone();
        fo.entry("events").or_insert_with(|| json!([]));
        fo.insert("name".into(), json!(f.name));
        fo.entry("package").or_insert_with(|| json!({}));
        let p = &templates.update["Resources"][compile::naming::function_logical_id(&f.key)]["Properties"];
        fo.insert("memory".into(), p["MemorySize"].clone());
        fo.insert("timeout".into(), p["Timeout"].clone());
        fo.insert("runtime".into(), p["Runtime"].clone());
        fo.entry("vpc").or_insert_with(|| json!({}));
        if let Some((_, Some(v))) = templates.version_ids.iter().find(|(k, _)| k == &f.key) {
            fo.insert("versionLogicalId".into(), json!(v));
        }
        functions.insert(f.key.clone(), Value::Object(fo));
    }

    let artifact_name = artifacts.first().map(|a| a.file_name.clone());
    let mut svc = Map::new();
    svc.insert("service".into(), json!(service.name));
    svc.insert("serviceObject".into(), json!({ "name": service.name }));
    svc.insert("provider".into(), Value::Object(provider));
    svc.insert("pluginsData".into(), json!({}));
    svc.insert("functions".into(), Value::Object(functions));
    for key in ["resources", "custom", "plugins", "outputs"] {
        if let Some(v) = service.raw.get(key) {
            svc.insert(key.into(), v.clone());
        }
    }
    svc.insert("configValidationMode".into(), json!("warn"));
    svc.insert("serviceFilename".into(), json!(service.config_file_name()));
    svc.insert("initialServerlessConfig".into(), service.raw.clone());
    svc.insert("layers".into(), json!({}));
    if let Some(name) = &artifact_name {
        svc.insert("artifact".into(), json!(format!(".serverless/{name}")));
    }
    let mut pkg = Map::new();
    pkg.insert("artifactDirectoryName".into(), json!(deployment_dir));
    if let Some(name) = artifact_name {
        pkg.insert("artifact".into(), json!(name));
    }
    json!({ "service": svc, "package": pkg })
}

/// `<epochms>-<ISO 8601 UTC>`, e.g. `1795749631966-2026-11-27T03:20:31.966Z`.
pub fn deployment_dir_name(now_ms: u64) -> String {
    format!("{now_ms}-{}", iso8601(now_ms))
}

pub fn iso8601(ms: u64) -> String {
    let secs = ms / 1000;
    let (h, m, s) = ((secs / 3600) % 24, (secs / 60) % 60, secs % 60);
    // Civil date from days since the epoch (Howard Hinnant's algorithm).
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{:03}Z",
        ms % 1000
    )
}

/// The template's hash for "nothing changed": IDs that change on every run are renamed first (REST
/// deployments carry a timestamp). Code S3 keys are content-addressed, so they stay in: a code change
/// changes this hash.
pub fn template_hash(template: &Value) -> String {
    let mut t = template.clone();
    if let Some(resources) = t.get_mut("Resources").and_then(Value::as_object_mut) {
        let renamed: Vec<(String, Value)> = std::mem::take(resources)
            .into_iter()
            .map(|(k, v)| {
                if k.starts_with("ApiGatewayDeployment") {
                    ("ApiGatewayDeployment".to_string(), v)
                } else {
                    (k, v)
                }
            })
            .collect();
        resources.extend(renamed);
    }
    hash::sha256_base64(deep_sort(&t).to_string().as_bytes())
}

/// The state's hash: without the templates (hashed on their own), the raw config and the deployment
/// directory name (a timestamp).
pub fn state_hash(state: &Value) -> String {
    let mut s = state.clone();
    if let Some(svc) = s.get_mut("service").and_then(Value::as_object_mut) {
        svc.remove("initialServerlessConfig");
        if let Some(p) = svc.get_mut("provider").and_then(Value::as_object_mut) {
            p.remove("coreCloudFormationTemplate");
            p.remove("compiledCloudFormationTemplate");
        }
    }
    if let Some(p) = s.get_mut("package").and_then(Value::as_object_mut) {
        p.remove("artifactDirectoryName");
    }
    hash::sha256_base64(deep_sort(&s).to_string().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert_eq!(iso8601(1_795_749_631_966), "2026-11-27T03:20:31.966Z");
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }
}

//! A plan from a directory made by `package` — by slsx or by osls — without packaging again: the
//! templates, the state (and with it the deployment directory) and the zips come from the directory.

use std::path::Path;

use serde_json::Value;

use super::{
    deployment_dir_name, state_hash, template_hash, Plan, CREATE_TEMPLATE_FILE, STATE_FILE,
    UPDATE_TEMPLATE_FILE,
};
use crate::compile::{self, Templates};
use crate::config::Service;
use crate::error::{Error, Result};
use crate::package::{hash, Artifact, Code, Packaged};

impl Plan {
    /// A plan from a directory made by `package` — by slsx or by osls — without packaging again:
    /// the templates, the state (and with it the deployment directory) and the zips come from `dir`.
    /// Each code key in the template is matched to a zip in `dir`: a content-addressed key
    /// (`code-artifacts/<sha256>.zip`) by hash, any other key by file name.
    pub fn from_package_dir(service: Service, dir: &Path) -> Result<Plan> {
        let state = read_json(dir, STATE_FILE)?;
        // A service with its own deployment bucket has no create template.
        let create = if dir.join(CREATE_TEMPLATE_FILE).exists() {
            read_json(dir, CREATE_TEMPLATE_FILE)?
        } else {
            Value::Null
        };
        let update = read_json(dir, UPDATE_TEMPLATE_FILE)?;
        check_built_for(&service, &state, dir)?;
        let deployment_dir = state["package"]["artifactDirectoryName"]
            .as_str()
            .filter(|d| !d.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| {
                format!(
                    "{}/{}",
                    service.s3_stage_prefix(),
                    deployment_dir_name(crate::clock::now_ms())
                )
            });
        let code = match_code(&update, &hashed_zips(dir)?, dir)?;
        let functions = service
            .functions
            .iter()
            .map(|f| {
                let id = compile::naming::function_logical_id(&f.key);
                let code = code
                    .code_of
                    .iter()
                    .find(|(i, _)| *i == id)
                    .map_or(Code::Image, |(_, i)| Code::Zip(*i));
                (f.key.clone(), code)
            })
            .collect();
        let version_ids = service
            .functions
            .iter()
            .map(|f| {
                let id = state["service"]["functions"][&f.key]["versionLogicalId"]
                    .as_str()
                    .map(str::to_string);
                (f.key.clone(), id)
            })
            .collect();
        let template_hash = template_hash(&update);
        let state_hash = state_hash(&state);
        Ok(Plan {
            service,
            packaged: Packaged {
                artifacts: code.artifacts.clone(),
                functions,
                ..Default::default()
            },
            artifacts: code.artifacts,
            artifact_keys: code.artifact_keys,
            templates: Templates {
                create,
                update,
                version_ids,
            },
            state,
            deployment_dir,
            template_hash,
            state_hash,
            out_dir: dir.to_path_buf(),
        })
    }
}

/// A JSON file of the package directory `dir`.
fn read_json(dir: &Path, name: &str) -> Result<Value> {
    let path = dir.join(name);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::Package {
                code: if name == STATE_FILE {
                    "MISSING_SERVICE_STATE_FILE"
                } else {
                    "MISSING_PACKAGE_FILE"
                },
                message: format!(
                    "\"{}\" is not a package directory: {name} is missing",
                    dir.display()
                ),
            }
        } else {
            Error::io(format!("cannot read \"{}\"", path.display()), e)
        }
    })?;
    serde_json::from_str(&text).map_err(|e| Error::Package {
        code: "INVALID_PACKAGE_FILE",
        message: format!("\"{}\" is not valid JSON: {e}", path.display()),
    })
}

/// A package is deployed only to the stage and region it was built for.
fn check_built_for(service: &Service, state: &Value, dir: &Path) -> Result<()> {
    let provider = &state["service"]["provider"];
    for (what, packaged, wanted) in [
        ("stage", provider["stage"].as_str(), &service.stage),
        ("region", provider["region"].as_str(), &service.region),
    ] {
        if let Some(p) = packaged.filter(|p| p != wanted) {
            return Err(Error::Package {
                code: "PACKAGE_STAGE_MISMATCH",
                message: format!(
                    "The package in \"{}\" was built for {what} \"{p}\", not \"{wanted}\": package again for {wanted}",
                    dir.display()
                ),
            });
        }
    }
    Ok(())
}

/// The zips of the directory, hashed once, by file name.
fn hashed_zips(dir: &Path) -> Result<Vec<Artifact>> {
    let mut zips = Vec::new();
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::io(format!("cannot read \"{}\"", dir.display()), e))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "zip") && path.is_file() {
            let (sha, size) = hash::sha256_file(&path)?;
            zips.push(Artifact {
                file_name: entry.file_name().to_string_lossy().into_owned(),
                path,
                size,
                sha256_hex: hex::encode(sha),
                sha256_base64: hash::base64(&sha),
                entries: 0,
                prebuilt: false,
            });
        }
    }
    zips.sort_by(|a, b| a.file_name.cmp(&b.file_name));
    Ok(zips)
}

/// The template's code keys matched to zips: the artifacts (one per key), their keys, and the
/// artifact of each function and layer resource by logical ID.
struct CodeArtifacts {
    artifacts: Vec<Artifact>,
    artifact_keys: Vec<String>,
    code_of: Vec<(String, usize)>,
}

fn match_code(update: &Value, zips: &[Artifact], dir: &Path) -> Result<CodeArtifacts> {
    let mut out = CodeArtifacts {
        artifacts: Vec::new(),
        artifact_keys: Vec::new(),
        code_of: Vec::new(),
    };
    for (id, resource) in update["Resources"].as_object().into_iter().flatten() {
        let key = match resource["Type"].as_str() {
            Some("AWS::Lambda::Function") => resource["Properties"]["Code"]["S3Key"].as_str(),
            Some("AWS::Lambda::LayerVersion") => {
                resource["Properties"]["Content"]["S3Key"].as_str()
            }
            _ => None,
        };
        let Some(key) = key else { continue };
        let file = key.rsplit('/').next().unwrap_or(key);
        let by_hash = key
            .contains("/code-artifacts/")
            .then(|| file.trim_end_matches(".zip"));
        let zip = zips
            .iter()
            .find(|z| by_hash.map_or(z.file_name == file, |h| z.sha256_hex == h))
            .ok_or_else(|| Error::Package {
                code: "MISSING_ARTIFACT_FILE",
                message: format!(
                    "{id} needs \"{file}\", which is not in \"{}\"",
                    dir.display()
                ),
            })?;
        let index = match out.artifact_keys.iter().position(|k| k == key) {
            Some(i) => i,
            None => {
                out.artifacts.push(zip.clone());
                out.artifact_keys.push(key.to_string());
                out.artifacts.len() - 1
            }
        };
        out.code_of.push((id.clone(), index));
    }
    Ok(out)
}

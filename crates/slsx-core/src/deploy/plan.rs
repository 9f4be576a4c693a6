//! The local half of a deploy: package, compile, write `.serverless/`, and hash what will be compared
//! with the last deployment. No AWS call happens here.

use std::path::PathBuf;

use serde_json::{json, Map, Value};

use crate::compile::{self, collate::deep_sort, FunctionCode, Templates};
use crate::config::Service;
use crate::error::{Error, Result};
use crate::package::{self, hash, Artifact, Code, Packaged};
use crate::progress::Reporter;

pub const TEMPLATE_FILE: &str = "compiled-cloudformation-template.json";
pub const STATE_FILE: &str = "serverless-state.json";
pub const CREATE_TEMPLATE_FILE: &str = "cloudformation-template-create-stack.json";
pub const UPDATE_TEMPLATE_FILE: &str = "cloudformation-template-update-stack.json";

#[derive(Debug, Clone)]
pub struct Plan {
    pub service: Service,
    pub packaged: Packaged,
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
    /// Packages and compiles `service` into `out_dir` (emptied first, as Serverless does): the steps
    /// of the `package` lifecycle, without plugins. `fetch` downloads `s3://` artifacts.
    pub fn build(
        service: Service,
        out_dir: &std::path::Path,
        fetch: package::Fetch<'_>,
        reporter: &dyn Reporter,
        now_ms: u64,
    ) -> Result<Plan> {
        let mut b = super::build::Build::new(service, out_dir.to_path_buf(), now_ms);
        b.cleanup()?;
        b.initialize();
        b.setup_provider();
        b.create_artifacts(fetch, reporter)?;
        b.compile_layers()?;
        b.compile_functions()?;
        b.compile_events()?;
        b.add_export_names();
        b.merge_resources()?;
        b.strip_nulls();
        b.save_state()
    }

    /// The end of `aws:package:finalize:saveServiceState`: the state, the files of `.serverless/`
    /// and the hashes compared on the next deploy.
    pub(super) fn finish(
        service: Service,
        packaged: Packaged,
        artifacts: Vec<Artifact>,
        artifact_keys: Vec<String>,
        templates: Templates,
        deployment_dir: String,
        out_dir: PathBuf,
    ) -> Result<Plan> {
        let state = state_json(&service, &templates, &packaged, &deployment_dir);
        let mut plan = Plan {
            service,
            packaged,
            artifacts,
            artifact_keys,
            templates,
            state,
            deployment_dir,
            template_hash: String::new(),
            state_hash: String::new(),
            out_dir,
        };
        plan.write()?;
        Ok(plan)
    }

    /// Writes the templates and the state into the package directory and hashes them (again, when
    /// a plugin changed them after they were first saved).
    pub(super) fn write(&mut self) -> Result<()> {
        // With its own deployment bucket a service has no core stack to create (osls writes no file).
        if compile::custom_bucket(&self.service).is_none() {
            write_json(
                &self.out_dir.join(CREATE_TEMPLATE_FILE),
                &self.templates.create,
            )?;
        }
        write_json(
            &self.out_dir.join(UPDATE_TEMPLATE_FILE),
            &self.templates.update,
        )?;
        write_json(&self.out_dir.join(STATE_FILE), &self.state)?;
        self.template_hash = template_hash(&self.templates.update);
        self.state_hash = state_hash(&self.state);
        Ok(())
    }
}

impl Plan {
    /// A plan from a directory made by `package` — by slsx or by osls — without packaging again:
    /// the templates, the state (and with it the deployment directory) and the zips come from `dir`.
    /// Each code key in the template is matched to a zip in `dir`: a content-addressed key
    /// (`code-artifacts/<sha256>.zip`) by hash, any other key by file name.
    pub fn from_package_dir(service: Service, dir: &std::path::Path) -> Result<Plan> {
        let read = |name: &str| -> Result<Value> {
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
        };
        let state = read(STATE_FILE)?;
        // A service with its own deployment bucket has no create template.
        let create = if dir.join(CREATE_TEMPLATE_FILE).exists() {
            read(CREATE_TEMPLATE_FILE)?
        } else {
            Value::Null
        };
        let update = read(UPDATE_TEMPLATE_FILE)?;
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

        // The zips of the directory, hashed once.
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

        let mut artifacts: Vec<Artifact> = Vec::new();
        let mut artifact_keys: Vec<String> = Vec::new();
        let mut code_of: Vec<(String, usize)> = Vec::new();
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
            let index = match artifact_keys.iter().position(|k| k == key) {
                Some(i) => i,
                None => {
                    artifacts.push(zip.clone());
                    artifact_keys.push(key.to_string());
                    artifacts.len() - 1
                }
            };
            code_of.push((id.clone(), index));
        }
        let functions = service
            .functions
            .iter()
            .map(|f| {
                let id = compile::naming::function_logical_id(&f.key);
                let code = code_of
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
                artifacts: artifacts.clone(),
                functions,
                ..Default::default()
            },
            artifacts,
            artifact_keys,
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

/// An image function's code: an ECR URI pinned by digest (`<repository>@sha256:<hex>`).
pub(super) fn image_code(service: &Service, key: &str) -> Result<FunctionCode> {
    if let Some(image) = service.images.get(key) {
        return Ok(FunctionCode::Image {
            uri: image.uri.clone(),
            digest_hex: image.digest_hex.clone(),
        });
    }
    let f = service
        .functions
        .iter()
        .find(|f| f.key == key)
        .expect("function of the service");
    let uri = match &f.image {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(serde_json::Value::Object(o)) => {
            o.get("uri").and_then(|u| u.as_str()).map(str::to_string)
        }
        _ => None,
    };
    match uri
        .as_deref()
        .and_then(|u| u.split_once("@sha256:").map(|(_, d)| (u, d)))
    {
        Some((uri, digest))
            if digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            Ok(FunctionCode::Image {
                uri: uri.to_string(),
                digest_hex: digest.to_string(),
            })
        }
        _ => Err(Error::Config {
            code: "IMAGE_DIGEST_REQUIRED",
            message: format!(
                "functions.{key}.image: slsx needs the image as an ECR URI pinned by digest \
                 (<account>.dkr.ecr.<region>.amazonaws.com/<repository>@sha256:<digest>) \
                 when it packages without AWS access"
            ),
            location: crate::config::locate(service, &format!("functions.{key}.image")),
            path: Some(format!("functions.{key}.image")),
        }),
    }
}

/// Empties the package directory before packaging — `.serverless/` entirely (as Serverless does), a
/// `--package DIR` only of the files a package consists of, since it may hold other things. What was
/// there is moved into `<dir>/.slsx-previous/` (returned), so unchanged zips can be reused from it.
pub(super) fn clean_output(
    service: &Service,
    out_dir: &std::path::Path,
) -> Result<Option<PathBuf>> {
    if !out_dir.exists() {
        return Ok(None);
    }
    let err = |e| Error::io(format!("cannot clean \"{}\"", out_dir.display()), e);
    let whole = out_dir == package::output_dir(service);
    if !whole {
        let real = std::fs::canonicalize(out_dir).map_err(err)?;
        if service.service_dir.starts_with(&real) {
            return Err(Error::InvalidOption {
                message: format!("--package \"{}\" would overwrite the service itself: choose an empty directory", out_dir.display()),
            });
        }
    }
    let previous = out_dir.join(".slsx-previous");
    if previous.exists() {
        std::fs::remove_dir_all(&previous).map_err(err)?;
    }
    std::fs::create_dir(&previous).map_err(err)?;
    for entry in std::fs::read_dir(out_dir).map_err(err)?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == ".slsx-previous" {
            continue;
        }
        let ours = name.ends_with(".zip")
            || [
                ".slsx-cache.json",
                ".slsx-deflate.bin",
                ".slsx-deflate.idx",
                ".slsx-deflate.json",
                STATE_FILE,
                CREATE_TEMPLATE_FILE,
                UPDATE_TEMPLATE_FILE,
            ]
            .contains(&name.as_str());
        if whole || (ours && entry.path().is_file()) {
            std::fs::rename(entry.path(), previous.join(&name)).map_err(err)?;
        }
    }
    Ok(Some(previous))
}

fn write_json(path: &std::path::Path, value: &Value) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value).map_err(|e| Error::Internal {
        message: format!("cannot serialize {}: {e}", path.display()),
    })?;
    text.push('\n');
    std::fs::write(path, text)
        .map_err(|e| Error::io(format!("cannot write \"{}\"", path.display()), e))
}

/// `serverless-state.json` in the shape osls writes, with artifact paths relative to the package
/// directory: `deploy --package` and plugins that read it keep working, and it hashes the same on
/// every machine.
pub(super) fn state_json(
    service: &Service,
    templates: &Templates,
    packaged: &Packaged,
    deployment_dir: &str,
) -> Value {
    let mut provider = service.provider.raw.clone();
    provider.insert("stage".into(), json!(service.stage));
    provider.insert("region".into(), json!(service.region));
    provider.insert(
        "versionFunctions".into(),
        json!(service.provider.version_functions),
    );
    provider.insert(
        "compiledCloudFormationTemplate".into(),
        templates.update.clone(),
    );
    provider.insert(
        "coreCloudFormationTemplate".into(),
        templates.create.clone(),
    );
    provider.entry("vpc").or_insert_with(|| json!({}));

    let individually =
        |f: &crate::config::Function| f.package.individually || service.package.individually;
    let mut functions = Map::new();
    for (f, (_, code)) in service.functions.iter().zip(&packaged.functions) {
        let mut fo = f.raw.clone();
        if let Code::Zip(i) = code {
            if individually(f) || f.package.artifact.is_some() {
                let mut pkg = fo
                    .get("package")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                pkg.insert("artifact".into(), json!(packaged.artifacts[*i].file_name));
                fo.insert("package".into(), Value::Object(pkg));
            }
        }
        fo.entry("events").or_insert_with(|| json!([]));
        fo.insert("name".into(), json!(f.name));
        fo.entry("package").or_insert_with(|| json!({}));
        let p = &templates.update["Resources"][compile::naming::function_logical_id(&f.key)]
            ["Properties"];
        fo.insert("memory".into(), p["MemorySize"].clone());
        fo.insert("timeout".into(), p["Timeout"].clone());
        if p.get("Runtime").is_some() {
            fo.insert("runtime".into(), p["Runtime"].clone());
        }
        fo.entry("vpc").or_insert_with(|| json!({}));
        if let Some((_, Some(v))) = templates.version_ids.iter().find(|(k, _)| k == &f.key) {
            fo.insert("versionLogicalId".into(), json!(v));
        }
        functions.insert(f.key.clone(), Value::Object(fo));
    }
    let mut layers = Map::new();
    for (l, (_, i)) in service.layers.iter().zip(&packaged.layers) {
        let mut lo = l.raw.clone();
        lo.insert(
            "package".into(),
            json!({ "artifact": packaged.artifacts[*i].file_name }),
        );
        layers.insert(l.key.clone(), Value::Object(lo));
    }

    let service_artifact = packaged
        .service_artifact
        .map(|i| packaged.artifacts[i].file_name.clone());
    let mut svc = Map::new();
    svc.insert("service".into(), json!(service.name));
    svc.insert("serviceObject".into(), json!({ "name": service.name }));
    svc.insert("provider".into(), Value::Object(provider));
    svc.insert("pluginsData".into(), json!({}));
    svc.insert("functions".into(), Value::Object(functions));
    for key in ["resources", "custom", "plugins", "outputs", "package"] {
        if let Some(v) = service.raw.get(key) {
            svc.insert(key.into(), v.clone());
        }
    }
    svc.insert("configValidationMode".into(), json!("warn"));
    svc.insert("serviceFilename".into(), json!(service.config_file_name()));
    svc.insert("initialServerlessConfig".into(), service.raw.clone());
    svc.insert("layers".into(), Value::Object(layers));
    if let Some(name) = &service_artifact {
        svc.insert("artifact".into(), json!(name));
    }
    let mut pkg = Map::new();
    if service.package.individually {
        pkg.insert("individually".into(), json!(true));
    }
    pkg.insert("artifactDirectoryName".into(), json!(deployment_dir));
    pkg.insert(
        "artifact".into(),
        json!(service_artifact.unwrap_or_default()),
    );
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

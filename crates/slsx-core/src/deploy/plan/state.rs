//! `serverless-state.json` in the shape osls writes, and the hashes of the template and the state that
//! decide whether anything changed since the last deployment.

use serde_json::{json, Map, Value};

use crate::compile::{self, collate::deep_sort, Templates};
use crate::config::Service;
use crate::package::{hash, Code, Packaged};

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

//! What the hooks give back: the values slsx injected taken out again where a plugin left them, the
//! templates and artifact paths read out, and the typed service rebuilt from a changed configuration.

use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use super::view::unescape;
use super::Injected;
use crate::config::{ModelOptions, Service};
use crate::error::{Error, Result};
use crate::source::LoadedConfig;

/// Top-level keys of osls's service object that are not configuration.
const INTERNAL_KEYS: &[&str] = &[
    "serviceObject",
    "pluginsData",
    "serviceFilename",
    "initialServerlessConfig",
    "serverless",
    "isDashboardMonitoringPreconfigured",
];

/// Removes what slsx injected and the plugins left untouched; drops objects that became empty and
/// were created for an injected value.
pub(super) fn take_out(root: &mut Value, injected: &Injected, original: &Value) {
    for (pointer, value) in injected {
        if root.pointer(pointer) == Some(value) {
            // A value slsx replaced (the region) goes back to what the user wrote.
            if let Some(written) = original.pointer(pointer) {
                if let Some(slot) = root.pointer_mut(pointer) {
                    *slot = written.clone();
                }
                continue;
            }
            let (parent, name) = pointer.rsplit_once('/').expect("a pointer has a name");
            if let Some(o) = root.pointer_mut(parent).and_then(Value::as_object_mut) {
                o.remove(&unescape(name));
            }
            // `package: {}` made for an artifact: gone again when the user had none.
            let mut dir = parent;
            while !dir.is_empty() {
                let empty = root
                    .pointer(dir)
                    .is_some_and(|v| v.as_object().is_some_and(Map::is_empty));
                if !empty || original.pointer(dir).is_some() {
                    break;
                }
                let (up, name) = dir.rsplit_once('/').expect("a pointer has a name");
                if let Some(o) = root.pointer_mut(up).and_then(Value::as_object_mut) {
                    o.remove(&unescape(name));
                }
                dir = up;
            }
        }
    }
}

/// What the hooks left: the new configuration, the templates, the artifact paths.
pub(super) struct Returned {
    /// `serverless.config.servicePath` (serverless-plugin-typescript packages from its `.build/`).
    pub service_dir: Option<PathBuf>,
    pub config: Value,
    pub create: Option<Value>,
    pub update: Option<Value>,
    /// Per function key (and `""` for the service, `layer:<key>` for layers): the artifact path now.
    pub artifacts: Vec<(String, PathBuf)>,
}

/// The configuration, templates and artifact paths in `state`, with slsx's own values taken out.
pub(super) fn returned(
    mut state: Value,
    injected: &Injected,
    service: &Service,
) -> Result<Returned> {
    let service_dir = state
        .get("serviceDir")
        .and_then(Value::as_str)
        .map(PathBuf::from)
        .filter(|d| *d != service.service_dir);
    let Some(root) = state.get_mut("service").filter(|s| s.is_object()) else {
        return Err(Error::Internal {
            message: "a plugin hook gave back no service".into(),
        });
    };
    let artifacts = artifact_paths(root, &service.service_dir);
    let provider = root.get_mut("provider").and_then(Value::as_object_mut);
    let (update, create) = match provider {
        Some(p) => (
            p.remove("compiledCloudFormationTemplate"),
            p.remove("coreCloudFormationTemplate"),
        ),
        None => (None, None),
    };
    let injected: Injected = injected
        .iter()
        .filter(|(p, _)| !p.ends_with("CloudFormationTemplate"))
        .cloned()
        .collect();
    take_out(root, &injected, &service.raw);
    if let Some(o) = root.as_object_mut() {
        for k in INTERNAL_KEYS {
            o.remove(*k);
        }
        // The name as the user wrote it (`service: { name }` stays an object).
        if o.get("service") == Some(&json!(service.name)) {
            if let Some(original) = service.raw.get("service") {
                o.insert("service".into(), original.clone());
            }
        }
    }
    Ok(Returned {
        service_dir,
        config: root.take(),
        create,
        update,
        artifacts,
    })
}

/// Per function key (`""` for the service, `layer:<key>` for layers): the `package.artifact` path in
/// `root`, relative to `dir` (S3 URIs and empty paths left out).
fn artifact_paths(root: &Value, dir: &Path) -> Vec<(String, PathBuf)> {
    let path_at = |at: &Value| {
        at.pointer("/package/artifact")
            .and_then(Value::as_str)
            .filter(|p| !p.is_empty() && !p.starts_with("s3://"))
            .map(|p| dir.join(p))
    };
    let entries = |section: &str| {
        let each = root.get(section).and_then(Value::as_object).into_iter();
        each.flatten()
            .filter_map(|(key, v)| Some((key.clone(), path_at(v)?)))
            .collect::<Vec<_>>()
    };
    let mut artifacts = entries("functions");
    artifacts.extend(path_at(root).map(|p| (String::new(), p)));
    let layers = entries("layers").into_iter();
    artifacts.extend(layers.map(|(key, p)| (format!("layer:{key}"), p)));
    artifacts
}

/// The typed service again, from a configuration a plugin changed.
pub(super) fn rebuild(service: &Service, config: Value) -> Result<Service> {
    let options = ModelOptions {
        stage: Some(&service.stage),
        region: Some(&service.region),
        ..Default::default()
    };
    let loaded = LoadedConfig {
        path: service.config_file.clone(),
        source: service.source.clone(),
        value: config,
    };
    let mut rebuilt = Service::from_loaded(loaded, service.service_dir.clone(), &options)?;
    rebuilt.warnings = service.warnings.clone();
    Ok(rebuilt)
}

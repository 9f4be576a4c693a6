//! What plugins see of a package in the making (`Build`) or made (`Plan`), and how their changes come
//! back. The JSON is osls's `serverless.service` at the same event: the configuration with the
//! defaults osls fills in (`provider.stage`, `functions.*.name`, `events`), `serviceObject`,
//! `provider.compiledCloudFormationTemplate` / `coreCloudFormationTemplate` once they exist, each
//! function's `package.artifact` once it is packaged (absolute, as osls sets it) and
//! `package.artifactDirectoryName`.
//!
//! Coming back, the values slsx added are taken out again when a plugin left them as they were, the
//! rest becomes the service's configuration (the typed model is rebuilt from it), the templates replace
//! the engine's, and an artifact path a plugin changed is followed.

use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use super::build::Build;
use super::plan::Plan;
use crate::config::{ModelOptions, Service};
use crate::error::{Error, Result};
use crate::lifecycle::HookState;
use crate::package::{Artifact, Code, Packaged};
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

/// One value slsx put into the view (a JSON pointer and the value).
type Injected = Vec<(String, Value)>;

struct Parts<'a> {
    service: &'a Service,
    create: &'a Value,
    update: &'a Value,
    packaged: Option<&'a Packaged>,
    /// `package.artifactDirectoryName`, once the package names it.
    deployment_dir: Option<&'a str>,
}

fn view(p: &Parts<'_>) -> (Value, Injected) {
    let s = p.service;
    let mut root = s.raw.as_object().cloned().unwrap_or_default();
    let mut injected: Injected = Vec::new();
    let mut put = |root: &mut Map<String, Value>, pointer: &str, value: Value| {
        if set_pointer(root, pointer, value.clone(), true) {
            injected.push((pointer.to_string(), value));
        }
    };
    root.insert("service".into(), json!(s.name));
    put(&mut root, "/serviceObject", json!({ "name": s.name }));
    put(&mut root, "/pluginsData", json!({}));
    put(&mut root, "/serviceFilename", json!(s.config_file_name()));
    put(&mut root, "/provider/stage", json!(s.stage));
    put(
        &mut root,
        "/provider/versionFunctions",
        json!(s.provider.version_functions),
    );
    if !p.update.is_null() {
        put(
            &mut root,
            "/provider/compiledCloudFormationTemplate",
            p.update.clone(),
        );
        put(
            &mut root,
            "/provider/coreCloudFormationTemplate",
            p.create.clone(),
        );
    }
    if let Some(dir) = p.deployment_dir {
        put(&mut root, "/package/artifactDirectoryName", json!(dir));
    }
    for f in &s.functions {
        let base = format!("/functions/{}", escape(&f.key));
        put(&mut root, &format!("{base}/name"), json!(f.name));
        put(&mut root, &format!("{base}/events"), json!([]));
    }
    if let Some(packaged) = p.packaged {
        for (key, code) in &packaged.functions {
            let Code::Zip(i) = code else { continue };
            let f = s.functions.iter().find(|f| &f.key == key);
            let own = f.is_some_and(|f| {
                f.package.individually || s.package.individually || f.package.artifact.is_some()
            });
            if own {
                let path = packaged.artifacts[*i].path.display().to_string();
                put(
                    &mut root,
                    &format!("/functions/{}/package/artifact", escape(key)),
                    json!(path),
                );
            }
        }
        if let Some(i) = packaged.service_artifact {
            let path = packaged.artifacts[i].path.display().to_string();
            put(&mut root, "/package/artifact", json!(path));
        }
        for (key, i) in &packaged.layers {
            let path = packaged.artifacts[*i].path.display().to_string();
            put(
                &mut root,
                &format!("/layers/{}/package/artifact", escape(key)),
                json!(path),
            );
        }
    }
    // osls's AWS provider sets the region it deploys to (the CLI's first), whatever was configured.
    if set_pointer(&mut root, "/provider/region", json!(s.region), false) {
        injected.push(("/provider/region".to_string(), json!(s.region)));
    }
    let dir = s.service_dir.display().to_string();
    (json!({ "service": root, "serviceDir": dir }), injected)
}

/// Sets a value at a JSON pointer, creating objects on the way; with `only_new`, leaves an existing
/// value alone. Returns whether it set the value.
fn set_pointer(root: &mut Map<String, Value>, pointer: &str, value: Value, only_new: bool) -> bool {
    let parts: Vec<String> = pointer[1..].split('/').map(unescape).collect();
    let (last, dirs) = parts.split_last().expect("a pointer has a name");
    let mut at = root;
    for d in dirs {
        let next = at.entry(d.clone()).or_insert_with(|| json!({}));
        if next.is_null() {
            *next = json!({});
        }
        let Some(o) = next.as_object_mut() else {
            return false;
        };
        at = o;
    }
    if only_new && at.get(last).is_some_and(|v| !v.is_null()) {
        return false;
    }
    at.insert(last.clone(), value);
    true
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn unescape(part: &str) -> String {
    part.replace("~1", "/").replace("~0", "~")
}

/// Removes what slsx injected and the plugins left untouched; drops objects that became empty and
/// were created for an injected value.
fn take_out(root: &mut Value, injected: &Injected, original: &Value) {
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
struct Returned {
    /// `serverless.config.servicePath` (serverless-plugin-typescript packages from its `.build/`).
    service_dir: Option<PathBuf>,
    config: Value,
    create: Option<Value>,
    update: Option<Value>,
    /// Per function key (and `""` for the service, `layer:<key>` for layers): the artifact path now.
    artifacts: Vec<(String, PathBuf)>,
}

fn returned(mut state: Value, injected: &Injected, service: &Service) -> Result<Returned> {
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
    let mut artifacts = Vec::new();
    let dir = &service.service_dir;
    let path_at = |root: &Value, pointer: &str| {
        root.pointer(pointer)
            .and_then(Value::as_str)
            .filter(|p| !p.is_empty() && !p.starts_with("s3://"))
            .map(|p| dir.join(p))
    };
    for f in root
        .get("functions")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if let Some(p) = path_at(f.1, "/package/artifact") {
            artifacts.push((f.0.clone(), p));
        }
    }
    if let Some(p) = path_at(root, "/package/artifact") {
        artifacts.push((String::new(), p));
    }
    for l in root
        .get("layers")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if let Some(p) = path_at(l.1, "/package/artifact") {
            artifacts.push((format!("layer:{}", l.0), p));
        }
    }
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

/// The typed service again, from a configuration a plugin changed.
fn rebuild(service: &Service, config: Value) -> Result<Service> {
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
    rebuilt.images = service.images.clone();
    Ok(rebuilt)
}

/// Points each function (layer, the service) at the artifact a plugin named, when it differs.
fn follow_artifacts(packaged: &mut Packaged, paths: &[(String, PathBuf)]) {
    let index_of = |packaged: &mut Packaged, path: &Path| -> usize {
        if let Some(i) = packaged.artifacts.iter().position(|a| a.path == path) {
            return i;
        }
        packaged.artifacts.push(Artifact {
            file_name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            path: path.to_path_buf(),
            size: 0,
            sha256_hex: String::new(),
            sha256_base64: String::new(),
            entries: 0,
            prebuilt: true,
        });
        packaged.artifacts.len() - 1
    };
    for (key, path) in paths {
        if key.is_empty() {
            let i = index_of(packaged, path);
            // Functions on the service zip follow it.
            if let Some(old) = packaged.service_artifact.replace(i) {
                for (_, code) in &mut packaged.functions {
                    if *code == Code::Zip(old) {
                        *code = Code::Zip(i);
                    }
                }
            }
        } else if let Some(layer) = key.strip_prefix("layer:") {
            let i = index_of(packaged, path);
            if let Some(l) = packaged.layers.iter_mut().find(|(k, _)| k == layer) {
                l.1 = i;
            }
        } else {
            let i = index_of(packaged, path);
            if let Some((_, code @ Code::Zip(_))) =
                packaged.functions.iter_mut().find(|(k, _)| k == key)
            {
                *code = Code::Zip(i);
            }
        }
    }
    // Artifacts nothing points at any more are not uploaded.
    let used: Vec<usize> = packaged
        .functions
        .iter()
        .filter_map(|(_, c)| match c {
            Code::Zip(i) => Some(*i),
            Code::Image => None,
        })
        .chain(packaged.layers.iter().map(|(_, i)| *i))
        .chain(packaged.service_artifact)
        .collect();
    let mut map = vec![None; packaged.artifacts.len()];
    let mut kept = Vec::new();
    for (i, a) in std::mem::take(&mut packaged.artifacts)
        .into_iter()
        .enumerate()
    {
        if used.contains(&i) {
            map[i] = Some(kept.len());
            kept.push(a);
        }
    }
    packaged.artifacts = kept;
    let remap = |i: &mut usize| *i = map[*i].expect("a used artifact is kept");
    for (_, c) in &mut packaged.functions {
        if let Code::Zip(i) = c {
            remap(i);
        }
    }
    packaged.layers.iter_mut().for_each(|(_, i)| remap(i));
    if let Some(i) = &mut packaged.service_artifact {
        remap(i);
    }
}

/// The service alone (before any packaging), and what slsx added to it.
pub fn service_state(service: &Service) -> Value {
    let (mut view, injected) = view(&Parts {
        service,
        create: &Value::Null,
        update: &Value::Null,
        packaged: None,
        deployment_dir: None,
    });
    let injected: Vec<Value> = injected.into_iter().map(|(p, v)| json!([p, v])).collect();
    let mut service = view["service"].take();
    crate::variables::sources::restore_unresolved(&mut service);
    json!({ "service": service, "injected": injected })
}

/// The state of the commands without a template (`info`, `deploy function`): the service, and the
/// zips `deploy function` made once it has packaged.
pub struct ServiceState {
    pub service: Service,
    pub packaged: Option<Packaged>,
    /// A hook ran after packaging: the zips are hashed again.
    pub touched: bool,
}

impl ServiceState {
    pub fn new(service: Service) -> ServiceState {
        ServiceState {
            service,
            packaged: None,
            touched: false,
        }
    }

    fn parts(&self) -> (Value, Injected) {
        view(&Parts {
            service: &self.service,
            create: &Value::Null,
            update: &Value::Null,
            packaged: self.packaged.as_ref(),
            deployment_dir: None,
        })
    }
}

impl HookState for ServiceState {
    fn to_js(&self) -> Value {
        self.parts().0
    }

    fn apply_js(&mut self, state: Value) -> Result<()> {
        let (_, injected) = self.parts();
        let r = returned(state, &injected, &self.service)?;
        if r.config != self.service.raw {
            self.service = rebuild(&self.service, r.config)?;
        }
        if let Some(dir) = r.service_dir {
            self.service.service_dir = dir;
        }
        if let Some(p) = &mut self.packaged {
            follow_artifacts(p, &r.artifacts);
        }
        Ok(())
    }

    fn hooks_ran(&mut self) {
        self.touched |= self.packaged.is_some();
    }
}

impl HookState for Build {
    fn to_js(&self) -> Value {
        view(&Parts {
            service: &self.service,
            create: &self.create,
            update: &self.update,
            packaged: self.packaged.as_ref(),
            deployment_dir: Some(&self.deployment_dir),
        })
        .0
    }

    fn apply_js(&mut self, state: Value) -> Result<()> {
        let (_, injected) = view(&Parts {
            service: &self.service,
            create: &self.create,
            update: &self.update,
            packaged: self.packaged.as_ref(),
            deployment_dir: Some(&self.deployment_dir),
        });
        let r = returned(state, &injected, &self.service)?;
        if let Some(t) = r.update.filter(|_| !self.update.is_null()) {
            self.update = t;
        }
        if let Some(t) = r.create.filter(|_| !self.create.is_null()) {
            self.create = t;
        }
        if r.config != self.service.raw {
            self.service = rebuild(&self.service, r.config)?;
        }
        if let Some(dir) = r.service_dir {
            // The package directory moves with the service directory, unless it was given.
            if self.out_dir == crate::package::output_dir(&self.service) {
                self.out_dir = dir.join(".serverless");
            }
            self.service.service_dir = dir;
        }
        if let Some(p) = &mut self.packaged {
            follow_artifacts(p, &r.artifacts);
        }
        Ok(())
    }

    /// serverless-python-requirements adds to slsx's zips without a word in the service.
    fn hooks_ran(&mut self) {
        self.artifacts_touched |= self.packaged.is_some();
    }
}

impl HookState for Plan {
    fn to_js(&self) -> Value {
        view(&Parts {
            service: &self.service,
            create: &self.templates.create,
            update: &self.templates.update,
            packaged: Some(&self.packaged),
            deployment_dir: Some(&self.deployment_dir),
        })
        .0
    }

    fn apply_js(&mut self, state: Value) -> Result<()> {
        let (_, injected) = view(&Parts {
            service: &self.service,
            create: &self.templates.create,
            update: &self.templates.update,
            packaged: Some(&self.packaged),
            deployment_dir: Some(&self.deployment_dir),
        });
        let r = returned(state, &injected, &self.service)?;
        let mut changed = false;
        if let Some(t) = r.update.filter(|t| *t != self.templates.update) {
            self.templates.update = t;
            changed = true;
        }
        if let Some(t) = r.create.filter(|t| *t != self.templates.create) {
            self.templates.create = t;
            changed = true;
        }
        if r.config != self.service.raw {
            self.service = rebuild(&self.service, r.config)?;
        }
        if changed {
            let provider = self.state["service"]["provider"]
                .as_object_mut()
                .ok_or_else(|| Error::Internal {
                    message: "the saved state has no provider".into(),
                })?;
            provider.insert(
                "compiledCloudFormationTemplate".into(),
                self.templates.update.clone(),
            );
            provider.insert(
                "coreCloudFormationTemplate".into(),
                self.templates.create.clone(),
            );
            self.write()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injected_values_left_alone_go_back_out() {
        let original = json!({ "functions": { "a": { "handler": "h.h" } } });
        let mut root = original.as_object().cloned().unwrap();
        let mut injected = Injected::new();
        for (p, v) in [
            ("/functions/a/name", json!("svc-dev-a")),
            (
                "/functions/a/package/artifact",
                json!("/x/.serverless/a.zip"),
            ),
            ("/serviceObject", json!({ "name": "svc" })),
        ] {
            assert!(set_pointer(&mut root, p, v.clone(), true));
            injected.push((p.to_string(), v));
        }
        let mut back = Value::Object(root);
        back["functions"]["a"]["environment"] = json!({ "X": "1" });
        take_out(&mut back, &injected, &original);
        assert_eq!(
            back,
            json!({ "functions": { "a": { "handler": "h.h", "environment": { "X": "1" } } } })
        );
    }

    #[test]
    fn a_value_slsx_replaced_goes_back_to_what_the_user_wrote() {
        let original = json!({ "provider": { "region": "us-east-1" } });
        let mut root = original.as_object().cloned().unwrap();
        assert!(set_pointer(
            &mut root,
            "/provider/region",
            json!("eu-west-1"),
            false
        ));
        let injected = vec![("/provider/region".to_string(), json!("eu-west-1"))];
        let mut back = Value::Object(root);
        take_out(&mut back, &injected, &original);
        assert_eq!(back, original);
    }

    #[test]
    fn a_value_the_plugin_changed_stays() {
        let original = json!({ "functions": { "a": {} } });
        let mut root = original.as_object().cloned().unwrap();
        set_pointer(
            &mut root,
            "/functions/a/package/artifact",
            json!("/x/a.zip"),
            true,
        );
        let injected = vec![(
            "/functions/a/package/artifact".to_string(),
            json!("/x/a.zip"),
        )];
        let mut back = Value::Object(root);
        back["functions"]["a"]["package"]["artifact"] = json!(".esbuild/a.zip");
        take_out(&mut back, &injected, &original);
        assert_eq!(
            back["functions"]["a"]["package"]["artifact"],
            ".esbuild/a.zip"
        );
    }
}

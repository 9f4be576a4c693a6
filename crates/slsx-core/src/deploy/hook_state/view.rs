//! The JSON plugins see: the service's configuration with the values osls fills in, each one slsx
//! injects noted (as a JSON pointer) so it can be taken out again.

use serde_json::{json, Map, Value};

use super::{Injected, Parts};
use crate::package::Code;

/// The view (`{ service, serviceDir }`) of `p`, and what slsx injected into it.
pub(super) fn view(p: &Parts<'_>) -> (Value, Injected) {
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
pub(super) fn set_pointer(
    root: &mut Map<String, Value>,
    pointer: &str,
    value: Value,
    only_new: bool,
) -> bool {
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

/// A key as a JSON pointer segment.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// A JSON pointer segment as the key it names.
pub(super) fn unescape(part: &str) -> String {
    part.replace("~1", "/").replace("~0", "~")
}

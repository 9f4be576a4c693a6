//! Artifacts a plugin renamed or replaced: each function, layer and the service pointed at the path it
//! named, and the artifacts nothing uses any more dropped.

use std::path::{Path, PathBuf};

use crate::package::{Artifact, Code, Packaged};

/// Points each function (layer, the service) at the artifact a plugin named, when it differs.
pub(super) fn follow_artifacts(packaged: &mut Packaged, paths: &[(String, PathBuf)]) {
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

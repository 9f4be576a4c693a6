//! What each image function's `image` asks for, read from the configuration and validated as osls
//! does: a URI, or the name of an image in `provider.ecr.images` (itself a URI or a build).

use serde_json::{Map, Value};

use crate::config::error_at as config_error;
use crate::config::{Function, Service};
use crate::error::Result;

/// What a function's `image` asks for.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Source {
    Uri(String),
    Build(Build),
}

/// An image of `provider.ecr.images` built from a `path`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Build {
    pub name: String,
    pub path: String,
    pub file: String,
    pub build_args: Vec<(String, String)>,
    pub build_options: Vec<String>,
    pub cache_from: Vec<String>,
    pub platform: Option<String>,
    pub provenance: Option<String>,
}

/// `<account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag|@sha256:…]`, or anything pinned by digest.
pub(super) fn is_ecr_uri(s: &str) -> bool {
    let ecr = s.split_once('/').is_some_and(|(host, repo)| {
        let parts: Vec<&str> = host.split('.').collect();
        parts.len() >= 6
            && parts[0].chars().all(|c| c.is_ascii_digit())
            && parts[1] == "dkr"
            && parts[2] == "ecr"
            && !repo.is_empty()
    });
    ecr || s
        .split_once("@sha256:")
        .is_some_and(|(_, d)| d.len() == 64 && d.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
        .collect()
}

fn text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

/// What each image function needs, by function key (validating the configuration as osls does).
pub(super) fn sources(service: &Service) -> Result<Vec<(String, Source)>> {
    let images = service.provider.settings.stack.ecr.images.as_ref();
    let mut out = Vec::new();
    for f in &service.functions {
        let Some(image) = &f.image else { continue };
        out.push((f.key.clone(), function_source(service, f, image, images)?));
    }
    Ok(out)
}

/// A function's `image`: a URI (a string that is an ECR URI, or `{ uri }`), else the name of an image
/// of `provider.ecr.images` (any other string, or `{ name }`).
fn function_source(
    service: &Service,
    f: &Function,
    image: &Value,
    images: Option<&Map<String, Value>>,
) -> Result<Source> {
    let at = format!("functions.{}.image", f.key);
    let (uri, name) = match image {
        Value::Object(o) => {
            let uri = o.get("uri").filter(|v| !v.is_null()).map(text);
            let name = o.get("name").filter(|v| !v.is_null()).map(text);
            match (&uri, &name) {
                (None, None) => return Err(config_error(service, at, "FUNCTION_IMAGE_NEITHER_URI_NOR_NAME_DEFINED_ERROR", format!("Either \"uri\" or \"name\" property needs to be set on image for function: {}", f.key))),
                (Some(_), Some(_)) => return Err(config_error(service, at, "FUNCTION_IMAGE_BOTH_URI_AND_NAME_DEFINED_ERROR", format!("Either \"uri\" or \"name\" property (not both) needs to be set on image for function: {}", f.key))),
                _ => (uri, name),
            }
        }
        Value::String(s) if is_ecr_uri(s) => (Some(s.clone()), None),
        other => (None, Some(text(other))),
    };
    match uri {
        Some(uri) => Ok(Source::Uri(uri)),
        None => named_source(service, f, &name.unwrap_or_default(), images),
    }
}

/// The image `name` of `provider.ecr.images`: a URI, or a build of a `path`.
fn named_source(
    service: &Service,
    f: &Function,
    name: &str,
    images: Option<&Map<String, Value>>,
) -> Result<Source> {
    let at = format!("provider.ecr.images.{name}");
    let Some(def) = images.and_then(|i| i.get(name)).filter(|v| !v.is_null()) else {
        return Err(config_error(
            service,
            format!("functions.{}.image", f.key),
            "REFERENCED_FUNCTION_IMAGE_NOT_DEFINED_IN_PROVIDER",
            format!("Referenced \"{name}\" not defined in \"provider.ecr.images\""),
        ));
    };
    let (uri, path) = match def {
        Value::Object(o) => (
            o.get("uri").filter(|v| !v.is_null()).map(text),
            o.get("path").filter(|v| !v.is_null()).map(text),
        ),
        Value::String(s) => (None, Some(s.clone())),
        _ => (None, None),
    };
    match (&uri, &path) {
        (None, None) => return Err(config_error(service, at, "ECR_IMAGE_NEITHER_URI_NOR_PATH_DEFINED_ERROR", format!("Either \"uri\" or \"path\" property needs to be set on image \"{name}\""))),
        (Some(_), Some(_)) => return Err(config_error(service, at, "ECR_IMAGE_BOTH_URI_AND_PATH_DEFINED_ERROR", format!("Either \"uri\" or \"path\" property (not both) needs to be set on image \"{name}\""))),
        _ => {}
    }
    if let Some(uri) = uri {
        for (key, code) in [
            (
                "buildArgs",
                "ECR_IMAGE_BOTH_URI_AND_BUILDARGS_DEFINED_ERROR",
            ),
            (
                "buildOptions",
                "ECR_IMAGE_URI_AND_BUILDOPTIONS_DEFINED_ERROR",
            ),
            (
                "cacheFrom",
                "ECR_IMAGE_BOTH_URI_AND_CACHEFROM_DEFINED_ERROR",
            ),
            ("platform", "ECR_IMAGE_BOTH_URI_AND_PLATFORM_DEFINED_ERROR"),
            (
                "provenance",
                "ECR_IMAGE_BOTH_URI_AND_PROVENANCE_DEFINED_ERROR",
            ),
        ] {
            if def.get(key).is_some_and(|v| !v.is_null()) {
                return Err(config_error(
                    service,
                    format!("{at}.{key}"),
                    code,
                    format!(
                        "The \"{key}\" property cannot be used with \"uri\" property \"{name}\""
                    ),
                ));
            }
        }
        return Ok(Source::Uri(uri));
    }
    let get = |k: &str| def.get(k).filter(|v| !v.is_null());
    let build_args = get("buildArgs")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), text(v))).collect())
        .unwrap_or_default();
    Ok(Source::Build(Build {
        name: name.to_string(),
        path: path.unwrap_or_default(),
        file: get("file").map(text).unwrap_or_else(|| "Dockerfile".into()),
        build_args,
        build_options: strings(get("buildOptions")),
        cache_from: strings(get("cacheFrom")),
        platform: get("platform").map(text).filter(|s| !s.is_empty()),
        provenance: get("provenance").map(text).filter(|s| !s.is_empty()),
    }))
}

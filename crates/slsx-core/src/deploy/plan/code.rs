//! An image function's code as the compiler needs it: an ECR URI pinned by digest.

use std::collections::BTreeMap;

use crate::compile::FunctionCode;
use crate::config::Service;
use crate::deploy::images::ResolvedImage;
use crate::error::{Error, Result};

/// An image function's code: an ECR URI pinned by digest (`<repository>@sha256:<hex>`).
pub(in crate::deploy) fn image_code(
    service: &Service,
    images: &BTreeMap<String, ResolvedImage>,
    key: &str,
) -> Result<FunctionCode> {
    if let Some(image) = images.get(key) {
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

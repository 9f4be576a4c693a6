//! `cloudFront`: a Lambda@Edge association — the function's published version runs on an event
//! (`eventType`) of a cache behavior (`pathPattern`, `behavior`, `cachePolicy`) of an origin
//! (`origin`, a URL or CloudFront's object) of the service's one distribution.
//!
//! `mod.rs` parses one event (its origin, behavior and cache policy) and checks the function's
//! limits; `distribution.rs` merges every event into the distribution and checks what needs them all
//! (one default origin, one behavior a path pattern, one function an event type, the region).

use serde_json::{json, Map, Value};

use super::alphanumeric;
use crate::config::{error_at, js_truthy, Function, Service};
use crate::error::Result;

mod distribution;

pub(super) use distribution::check_service;
pub use distribution::Distribution;

#[derive(Debug, Clone)]
pub struct CloudFrontEvent {
    /// `eventType` as written (none: CloudFront's default, viewer-request).
    pub event_type: Option<Value>,
    pub include_body: Option<Value>,
    pub path_pattern: Option<String>,
    /// The origin, its `Id` included.
    pub origin: Map<String, Value>,
    pub origin_id: String,
    pub is_default_origin: bool,
    /// `ViewerProtocolPolicy: allow-all`, then the user's `behavior`.
    pub behavior: Map<String, Value>,
    pub cache_policy: CachePolicy,
}

/// Where a behavior's `CachePolicyId` comes from.
#[derive(Debug, Clone)]
pub enum CachePolicy {
    /// The user's `behavior` caches on its own (a `CachePolicyId`, `ForwardedValues` or TTLs).
    AsWritten,
    /// AWS's managed `CachingOptimized` policy, osls's default.
    ManagedDefault,
    /// `cachePolicy.id`: an existing policy.
    Id(Value),
    /// `cachePolicy.name`: one of `provider.cloudFront.cachePolicies` (`undefined` when unnamed, as
    /// osls's logical ID says).
    Named(String),
}

pub(super) fn parse(
    service: &Service,
    f: &Function,
    index: usize,
    body: &Value,
) -> Result<CloudFrontEvent> {
    let event_type = body.get("eventType").filter(|v| !v.is_null()).cloned();
    check_limits(service, f, event_type.as_ref().and_then(Value::as_str))?;
    let mut origin = match body.get("origin") {
        Some(Value::String(u)) => origin_from_url(u),
        Some(Value::Object(o)) => o.clone(),
        _ => Map::new(),
    };
    let origin_id = origin_id(&origin);
    origin.insert("Id".into(), json!(origin_id));
    let mut behavior = Map::new();
    behavior.insert("ViewerProtocolPolicy".into(), json!("allow-all"));
    let user = body.get("behavior").and_then(Value::as_object);
    let mut cache_policy = CachePolicy::ManagedDefault;
    if let Some(b) = user {
        behavior.extend(b.clone());
        let caches = b.get("CachePolicyId").is_some_and(js_truthy)
            || b.get("ForwardedValues").is_some_and(js_truthy)
            || ["MaxTTL", "MinTTL", "DefaultTTL"]
                .iter()
                .any(|k| b.get(*k).is_some_and(|v| !v.is_null()));
        if caches {
            cache_policy = CachePolicy::AsWritten;
        }
    }
    if let Some(policy) = body.get("cachePolicy").and_then(Value::as_object) {
        cache_policy = named_policy(service, f, index, policy)?;
    }
    Ok(CloudFrontEvent {
        include_body: body.get("includeBody").filter(|v| !v.is_null()).cloned(),
        path_pattern: body
            .get("pathPattern")
            .and_then(Value::as_str)
            .map(str::to_string),
        is_default_origin: body.get("isDefaultOrigin").is_some_and(js_truthy),
        event_type,
        origin,
        origin_id,
        behavior,
        cache_policy,
    })
}

/// Lambda@Edge's memory and timeout limits for the event type, against the function's settings.
fn check_limits(service: &Service, f: &Function, event_type: Option<&str>) -> Result<()> {
    let shown = event_type.unwrap_or("default");
    let (max_memory, max_timeout) = match shown {
        "origin-request" | "origin-response" => (10240, 30),
        _ => (128, 5),
    };
    if f.memory_size.is_some_and(|m| m > max_memory) {
        return Err(error_at(service, format!("functions.{}.memorySize", f.key), "LAMBDA_EDGE_UNSUPPORTED_MEMORY_SIZE", format!("\"{}\" memorySize is greater than {max_memory} which is not supported by Lambda@Edge functions of type \"{shown}\"", f.key)));
    }
    if f.timeout.is_some_and(|t| t > max_timeout) {
        return Err(error_at(service, format!("functions.{}.timeout", f.key), "LAMBDA_EDGE_UNSUPPORTED_TIMEOUT_VALUE", format!("\"{}\" timeout is greater than {max_timeout} which is not supported by Lambda@Edge functions of type \"{shown}\"", f.key)));
    }
    Ok(())
}

/// `cachePolicy`: by `id`, else by `name`, which `provider.cloudFront.cachePolicies` must declare.
fn named_policy(
    service: &Service,
    f: &Function,
    index: usize,
    policy: &Map<String, Value>,
) -> Result<CachePolicy> {
    let name = policy.get("name").and_then(Value::as_str);
    if let Some(n) = name {
        let declared = service
            .provider
            .raw
            .get("cloudFront")
            .and_then(|c| c.get("cachePolicies"))
            .and_then(Value::as_object)
            .is_some_and(|p| p.contains_key(n));
        if !declared {
            return Err(error_at(
                service,
                format!(
                    "functions.{}.events.{index}.cloudFront.cachePolicy.name",
                    f.key
                ),
                "UNRECOGNIZED_CLOUDFRONT_CACHE_POLICY",
                format!("Event references not configured cache policy '{n}'"),
            ));
        }
    }
    Ok(match policy.get("id").filter(|v| js_truthy(v)) {
        Some(id) => CachePolicy::Id(id.clone()),
        None => CachePolicy::Named(name.unwrap_or("undefined").to_string()),
    })
}

/// An origin given as a URL: its host, its path when there is one, S3 or custom.
fn origin_from_url(url: &str) -> Map<String, Value> {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let host = host.split(':').next().unwrap_or(host).to_lowercase();
    let tail = &rest[end..];
    let path = tail.split(['?', '#']).next().unwrap_or_default();
    let mut o = Map::new();
    o.insert("DomainName".into(), json!(host));
    if path.len() > 1 {
        o.insert("OriginPath".into(), json!(path));
    }
    if scheme.eq_ignore_ascii_case("s3") {
        o.insert("S3OriginConfig".into(), json!({}));
    } else {
        o.insert(
            "CustomOriginConfig".into(),
            json!({ "OriginProtocolPolicy": "match-viewer" }),
        );
    }
    o
}

/// osls's origin `Id`: `s3/` or `custom/`, the domain (an intrinsic as its alphanumeric text), the
/// path.
fn origin_id(o: &Map<String, Value>) -> String {
    let kind = if o.get("S3OriginConfig").is_some_and(js_truthy) {
        "s3"
    } else {
        "custom"
    };
    let domain = match o.get("DomainName") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => alphanumeric(&other.to_string()),
        None => alphanumeric("undefined"),
    };
    let path = o
        .get("OriginPath")
        .filter(|v| js_truthy(v))
        .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_string))
        .unwrap_or_default();
    format!("{kind}/{domain}{path}")
}

//! An `http` event's `cors`: `true` (osls's defaults) or an object of origins, methods, headers and
//! cache settings. The event's own method is always allowed, and so is `OPTIONS`.

use serde_json::Value;

use super::text;
use crate::config::js_truthy;

/// The headers osls allows when `cors` does not name any (the same for `provider.httpApi.cors`).
pub const DEFAULT_CORS_HEADERS: [&str; 7] = [
    "Content-Type",
    "X-Amz-Date",
    "Authorization",
    "X-Api-Key",
    "X-Amz-Security-Token",
    "X-Amz-User-Agent",
    "X-Amzn-Trace-Id",
];

#[derive(Debug, Clone, Default)]
pub struct Cors {
    pub origin: Option<String>,
    pub origins: Vec<String>,
    pub methods: Vec<String>,
    pub headers: Vec<String>,
    pub allow_credentials: bool,
    pub max_age: Option<Value>,
    pub cache_control: Option<String>,
}

/// `raw` is the (truthy) `cors` value; `method` the event's, lower case.
pub(super) fn parse(raw: &Value, method: &str) -> Cors {
    let defaults: Vec<String> = DEFAULT_CORS_HEADERS.iter().map(|h| h.to_string()).collect();
    let mut cors = Cors {
        origin: Some("*".into()),
        methods: vec!["OPTIONS".into()],
        headers: defaults.clone(),
        ..Default::default()
    };
    let upper = method.to_uppercase();
    let Value::Object(c) = raw else {
        cors.methods.push(upper);
        return cors;
    };
    let strings = |v: &Value| -> Vec<String> {
        match v {
            Value::Array(a) => a.iter().map(text).collect(),
            Value::String(s) => vec![s.clone()],
            _ => Vec::new(),
        }
    };
    if c.get("origins").is_some_and(js_truthy) {
        cors.origin = None;
    }
    if let Some(o) = c.get("origin") {
        cors.origin = (!o.is_null()).then(|| text(o));
    }
    if let Some(o) = c.get("origins").filter(|v| !v.is_null()) {
        cors.origins = strings(o);
    }
    cors.methods = c
        .get("methods")
        .filter(|v| js_truthy(v))
        .map(strings)
        .unwrap_or_default();
    cors.allow_credentials = c.get("allowCredentials").is_some_and(js_truthy);
    match c.get("headers") {
        Some(h) if js_truthy(h) => cors.headers = strings(h),
        Some(_) => cors.headers = defaults,
        None => {}
    }
    cors.max_age = c.get("maxAge").filter(|v| !v.is_null()).cloned();
    cors.cache_control = c.get("cacheControl").filter(|v| !v.is_null()).map(text);
    if !cors.methods.iter().any(|m| m == "OPTIONS") {
        cors.methods.push("OPTIONS".into());
    }
    if !cors.methods.contains(&upper) {
        cors.methods.push(upper);
    }
    cors
}

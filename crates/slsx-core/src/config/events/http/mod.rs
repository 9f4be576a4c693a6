//! `http`: one method of the service's REST API (API Gateway v1), checked and normalized while loading
//! the way osls 4.3.1's `validate()` leaves it — the `METHOD /path` shorthand expanded, the path
//! without its outer slashes, the integration type normalized, osls's defaults applied — so the
//! compiler (`compile/events/http/`) only builds resources.
//!
//! `mod.rs` reads the event itself (path, method, integration, the flags copied to the method);
//! `authorizer.rs` its `authorizer`; `cors.rs` its `cors`; `request.rs` its `request`, `response` and
//! status codes, which depend on the integration type; `service.rs` the checks of
//! `provider.apiGateway` that look at the whole service, run once every function's events are parsed.

use serde_json::{json, Map, Value};

use super::event_error;
use crate::config::{js_truthy, Function, Service};
use crate::error::{Error, Result};

mod authorizer;
mod cors;
mod request;
mod service;
#[cfg(test)]
mod tests;

pub use authorizer::{AuthorizerTarget, HttpAuthorizer};
pub use cors::{Cors, DEFAULT_CORS_HEADERS};
pub use request::{HttpRequest, HttpResponse, StatusCode};
pub(super) use service::check_service;

const METHODS: [&str; 8] = [
    "GET", "POST", "PUT", "PATCH", "OPTIONS", "HEAD", "DELETE", "ANY",
];

/// The integration type, as osls normalizes `integration` (`lambda` is `AWS`, `lambda-proxy`
/// `AWS_PROXY`, the default `AWS_PROXY`, or `AWS` for an `async` event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Integration {
    AwsProxy,
    Aws,
    Http,
    HttpProxy,
    Mock,
    /// A type osls does not know, written as given (upper-cased): only a lax `configValidationMode`
    /// lets one through, and osls then writes it into the template as it is.
    Other(String),
}

impl Integration {
    fn of(raw: &Map<String, Value>) -> Integration {
        match raw.get("integration").and_then(Value::as_str) {
            Some(i) => match i.to_uppercase().replacen('-', "_", 1).as_str() {
                "LAMBDA" | "AWS" => Integration::Aws,
                "LAMBDA_PROXY" | "AWS_PROXY" => Integration::AwsProxy,
                "HTTP" => Integration::Http,
                "HTTP_PROXY" => Integration::HttpProxy,
                "MOCK" => Integration::Mock,
                other => Integration::Other(other.to_string()),
            },
            None if raw.get("async").is_some_and(js_truthy) => Integration::Aws,
            None => Integration::AwsProxy,
        }
    }

    /// The CloudFormation `Integration.Type`.
    pub fn as_str(&self) -> &str {
        match self {
            Integration::AwsProxy => "AWS_PROXY",
            Integration::Aws => "AWS",
            Integration::Http => "HTTP",
            Integration::HttpProxy => "HTTP_PROXY",
            Integration::Mock => "MOCK",
            Integration::Other(s) => s,
        }
    }

    /// `AWS_PROXY` or `HTTP_PROXY`: the backend answers the client itself.
    pub fn is_proxy(&self) -> bool {
        matches!(self, Integration::AwsProxy | Integration::HttpProxy)
    }

    /// `AWS`, `HTTP` or `MOCK`: API Gateway maps the request and the responses (templates, status codes).
    pub fn maps_responses(&self) -> bool {
        matches!(
            self,
            Integration::Aws | Integration::Http | Integration::Mock
        )
    }
}

/// One `http` event, normalized.
#[derive(Debug, Clone)]
pub struct HttpEvent {
    /// Without leading and trailing `/` (empty for the root).
    pub path: String,
    /// Lower case.
    pub method: String,
    pub integration: Integration,
    pub authorizer: Option<HttpAuthorizer>,
    pub cors: Option<Cors>,
    pub request: HttpRequest,
    /// The settings of the integration responses, when the integration has them.
    pub response: Option<HttpResponse>,
    /// `response.transferMode` upper-cased (`BUFFERED` or `STREAM`; proxy integrations only).
    pub transfer_mode: Option<String>,
    /// The integration responses by status code, in ascending order (as JavaScript orders integer keys).
    pub status_codes: Vec<StatusCode>,
    /// `connectionType` upper-cased (`VPC_LINK`, `INTERNET`; `http` and `http-proxy` only).
    pub connection_type: Option<String>,
    pub connection_id: Option<Value>,
    pub operation_id: Option<Value>,
    /// `private`: the method needs an API key.
    pub private: bool,
    /// `async`: Lambda is invoked with the `Event` invocation type.
    pub is_async: bool,
    /// `timeoutInMillis`, set and truthy (the compiler falls back to `provider.apiGateway`'s).
    pub timeout_in_millis: Option<Value>,
}

/// Where an event's configuration errors point: `functions.<key>.events.<index>.http[.<sub-key>]`.
struct At<'a> {
    service: &'a Service,
    f: &'a Function,
    index: usize,
}

impl At<'_> {
    /// An error at `http` followed by `sub` (empty, or `.authorizer`, `.request.uri` …).
    fn error(&self, sub: &str, code: &'static str, message: String) -> Error {
        event_error(
            self.service,
            self.f,
            self.index,
            &format!("http{sub}"),
            code,
            message,
        )
    }
}

pub(super) fn parse(
    service: &Service,
    f: &Function,
    index: usize,
    body: &Value,
) -> Result<HttpEvent> {
    let at = At { service, f, index };
    let raw = expand(&at, body)?;
    let (Some(path), Some(method)) = (
        raw.get("path").filter(|v| !v.is_null()),
        raw.get("method").and_then(Value::as_str),
    ) else {
        return Err(at.error(
            "",
            "INVALID_HTTP_EVENT",
            format!(
                "The http event of function {} needs \"path\" and \"method\"",
                f.key
            ),
        ));
    };
    let path = strip_slashes(&text(path));
    let method = method.to_lowercase();
    let integration = Integration::of(&raw);
    let authorizer = match raw.get("authorizer").filter(|v| js_truthy(v)) {
        Some(a) => Some(authorizer::parse(&at, a, &integration)?),
        None => None,
    };
    let cors = raw
        .get("cors")
        .filter(|v| js_truthy(v))
        .map(|c| cors::parse(c, &method));
    let settings = request::parse(&at, &raw, &integration)?;
    // API Gateway's limit on stage names, which osls checks for every http event. (The model's own
    // stage rule, stricter, refuses such a stage first today; this keeps osls's check with the event.)
    if !crate::config::is_name(&service.stage) {
        return Err(crate::config::error_at(service, "provider.stage".into(), "API_GATEWAY_INVALID_STAGE_NAME", format!("Invalid stage name {}: it should contains only [-_a-zA-Z0-9] for AWS provider if http event are present according to API Gateway limitation.", service.stage)));
    }
    let get = |k: &str| raw.get(k).filter(|v| !v.is_null());
    Ok(HttpEvent {
        path,
        method,
        authorizer,
        cors,
        request: settings.request,
        response: settings.response,
        transfer_mode: settings.transfer_mode,
        status_codes: settings.status_codes,
        connection_type: settings.connection_type,
        connection_id: get("connectionId").cloned(),
        operation_id: get("operationId").cloned(),
        private: get("private").is_some_and(js_truthy),
        is_async: get("async").is_some_and(js_truthy),
        timeout_in_millis: get("timeoutInMillis").filter(|v| js_truthy(v)).cloned(),
        integration,
    })
}

/// The event as an object: as written, or `METHOD /path` (or `*`) expanded.
fn expand(at: &At, body: &Value) -> Result<Map<String, Value>> {
    match body {
        Value::Object(o) => Ok(o.clone()),
        Value::String(s) => {
            let (m, p) = s.split_once(' ').unwrap_or((s, ""));
            let ok = (s == "*")
                || (METHODS.contains(&m.to_uppercase().as_str())
                    && p.starts_with('/')
                    && !p.contains(char::is_whitespace));
            if !ok {
                return Err(at.error(
                    "",
                    "INVALID_HTTP_EVENT",
                    format!(
                        "Invalid http event \"{s}\" in function {}: write \"METHOD /path\"",
                        at.f.key
                    ),
                ));
            }
            Ok(Map::from_iter([
                ("method".to_string(), json!(m)),
                ("path".to_string(), json!(p)),
            ]))
        }
        other => Err(at.error(
            "",
            "INVALID_HTTP_EVENT",
            format!("Invalid http event {other} in function {}", at.f.key),
        )),
    }
}

/// A value as JavaScript's `String(v)` writes it (strings without quotes).
pub(crate) fn text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

/// A path without its leading and trailing `/`.
pub(crate) fn strip_slashes(p: &str) -> String {
    let p = p.strip_prefix('/').unwrap_or(p);
    p.strip_suffix('/').unwrap_or(p).to_string()
}

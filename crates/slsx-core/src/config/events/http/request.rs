//! An `http` event's `request` and `response`, which mean different things by integration type:
//! `lambda` and `http` map requests and responses (osls fills in `passThrough` and the status codes),
//! the proxy integrations keep only their parameters, schemas, endpoint and transfer mode, `mock`
//! takes them as written.

use serde_json::{json, Map, Value};

use super::{text, At, Integration};
use crate::config::js_truthy;
use crate::error::Result;

/// A request parameter the method declares.
#[derive(Debug, Clone)]
pub struct RequestParameter {
    /// `method.request.<querystring|path|header>.<name>` (for `mock`, the key as written).
    pub name: String,
    /// Whether the parameter is required: a boolean as given, an object's `required` (default true).
    pub required: Value,
    /// `mappedValue`, set and truthy: what the integration receives instead of the parameter.
    pub mapped_value: Option<Value>,
}

#[derive(Debug, Clone, Default)]
pub struct HttpRequest {
    pub parameters: Vec<RequestParameter>,
    /// Content type -> an inline schema, a model definition, or the name of one of
    /// `provider.apiGateway.request.schemas`.
    pub schemas: Option<Map<String, Value>>,
    /// The endpoint of an `http` or `http-proxy` integration.
    pub uri: Option<Value>,
    /// The endpoint's method (`http` only; the event's method otherwise).
    pub method: Option<String>,
    /// `passThrough` (`NEVER` by default for `lambda`).
    pub pass_through: Option<Value>,
    pub content_handling: Option<Value>,
    /// Content type -> mapping template; `null` removes one of osls's defaults.
    pub template: Option<Map<String, Value>>,
}

/// `response`, for the integrations that map responses.
#[derive(Debug, Clone, Default)]
pub struct HttpResponse {
    pub headers: Map<String, Value>,
    /// The `application/json` template of every status code (set and truthy).
    pub template: Option<Value>,
    pub content_handling: Option<Value>,
}

/// One integration response.
#[derive(Debug, Clone)]
pub struct StatusCode {
    pub code: String,
    /// `SelectionPattern`, set and truthy (the empty pattern otherwise).
    pub pattern: Option<Value>,
    pub headers: Map<String, Value>,
    /// Content type -> template (a string `template` is the `application/json` one).
    pub templates: Map<String, Value>,
}

/// What `request::parse` gives the event.
pub(super) struct Settings {
    pub request: HttpRequest,
    pub response: Option<HttpResponse>,
    pub transfer_mode: Option<String>,
    pub status_codes: Vec<StatusCode>,
    pub connection_type: Option<String>,
}

pub(super) fn parse(
    at: &At,
    raw: &Map<String, Value>,
    integration: &Integration,
) -> Result<Settings> {
    let request = raw.get("request").and_then(Value::as_object);
    let response = raw.get("response").and_then(Value::as_object);
    let transfer_mode = transfer_mode(at, response, integration)?;
    let connection_type = connection(at, raw, request, integration)?;
    let get = |k: &str| request.and_then(|r| r.get(k)).filter(|v| !v.is_null());
    let mut out = HttpRequest {
        schemas: get("schemas").and_then(Value::as_object).cloned(),
        ..Default::default()
    };
    if matches!(integration, Integration::Http | Integration::HttpProxy) {
        out.uri = get("uri").cloned();
    }
    if !integration.is_proxy() {
        out.content_handling = get("contentHandling").cloned();
        out.template = get("template").and_then(Value::as_object).cloned();
    }
    if *integration == Integration::Http {
        out.method = get("method").filter(|v| js_truthy(v)).map(text);
    }
    let (mut response_out, mut status_codes) = (None, Vec::new());
    match integration {
        Integration::Aws | Integration::Http => {
            out.parameters = mapped_parameters(get("parameters"));
            out.pass_through = get("passThrough").filter(|v| js_truthy(v)).cloned();
            if out.pass_through.is_none() && *integration == Integration::Aws {
                out.pass_through = Some(json!("NEVER"));
            }
            let given = raw.get("response").is_some_and(js_truthy);
            status_codes = mapped_status_codes(response, given, integration);
            response_out = Some(response_settings(response));
        }
        Integration::AwsProxy | Integration::HttpProxy => {
            out.parameters = mapped_parameters(get("parameters"));
        }
        Integration::Mock | Integration::Other(_) => {
            // osls leaves these as written: `parameters` keyed by location, not mapped.
            let parameters = get("parameters").and_then(Value::as_object);
            out.parameters = parameters.map(declared).unwrap_or_default();
            out.pass_through = get("passThrough").cloned();
            if let Some(r) = response {
                status_codes = sorted(r);
                response_out = Some(response_settings(Some(r)));
            }
        }
    }
    Ok(Settings {
        request: out,
        response: response_out,
        transfer_mode,
        status_codes: status_codes.into_iter().map(status_code).collect(),
        connection_type,
    })
}

/// `response.transferMode`: `BUFFERED` or `STREAM`, on a proxy integration only.
fn transfer_mode(
    at: &At,
    response: Option<&Map<String, Value>>,
    integration: &Integration,
) -> Result<Option<String>> {
    let Some(mode) = response
        .and_then(|r| r.get("transferMode"))
        .and_then(Value::as_str)
    else {
        return Ok(None);
    };
    let upper = mode.to_uppercase();
    let key = &at.f.key;
    if upper != "BUFFERED" && upper != "STREAM" {
        return Err(at.error(".response.transferMode", "API_GATEWAY_INVALID_TRANSFER_MODE", format!("Invalid transferMode \"{mode}\" in function \"{key}\". Valid values are: BUFFERED, STREAM.")));
    }
    if !integration.is_proxy() {
        return Err(at.error(".response.transferMode", "API_GATEWAY_TRANSFER_MODE_UNSUPPORTED_INTEGRATION", format!("transferMode can only be used with AWS_PROXY or HTTP_PROXY integrations. Function \"{key}\" is using {} integration.", integration.as_str())));
    }
    Ok(Some(upper))
}

/// An `http` or `http-proxy` integration: its `request.uri` (required) and `connectionType` (a VPC
/// link needs `connectionId`).
fn connection(
    at: &At,
    raw: &Map<String, Value>,
    request: Option<&Map<String, Value>>,
    integration: &Integration,
) -> Result<Option<String>> {
    if !matches!(integration, Integration::Http | Integration::HttpProxy) {
        return Ok(None);
    }
    if !request.and_then(|r| r.get("uri")).is_some_and(js_truthy) {
        return Err(at.error(
            ".request.uri",
            "API_GATEWAY_MISSING_REQUEST_URI",
            format!(
                "You need to set the request uri when using the {} integration.",
                integration.as_str()
            ),
        ));
    }
    let connection_type = raw
        .get("connectionType")
        .and_then(Value::as_str)
        .map(|c| c.to_uppercase().replacen('-', "_", 1));
    if connection_type.as_deref() == Some("VPC_LINK")
        && !raw.get("connectionId").is_some_and(js_truthy)
    {
        return Err(at.error(
            ".connectionId",
            "API_GATEWAY_MISSING_CONNECTION_ID",
            "You need to set connectionId when using VPC_LINK connectionType.".into(),
        ));
    }
    Ok(connection_type)
}

/// `request.parameters.{querystrings,paths,headers}` as `method.request.<location>.<name>` parameters.
fn mapped_parameters(parameters: Option<&Value>) -> Vec<RequestParameter> {
    let mut out = Map::new();
    for (location, singular) in [
        ("querystrings", "querystring"),
        ("paths", "path"),
        ("headers", "header"),
    ] {
        if let Some(Value::Object(p)) = parameters.and_then(|p| p.get(location)) {
            for (k, v) in p {
                out.insert(format!("method.request.{singular}.{k}"), v.clone());
            }
        }
    }
    declared(&out)
}

fn declared(parameters: &Map<String, Value>) -> Vec<RequestParameter> {
    parameters
        .iter()
        .map(|(name, v)| RequestParameter {
            name: name.clone(),
            required: match v {
                Value::Object(o) => o
                    .get("required")
                    .filter(|r| !r.is_null())
                    .cloned()
                    .unwrap_or(json!(true)),
                other => other.clone(),
            },
            mapped_value: v.get("mappedValue").filter(|m| js_truthy(m)).cloned(),
        })
        .collect()
}

fn response_settings(response: Option<&Map<String, Value>>) -> HttpResponse {
    let get = |k: &str| response.and_then(|r| r.get(k)).filter(|v| !v.is_null());
    HttpResponse {
        headers: get("headers")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
        template: get("template").filter(|v| js_truthy(v)).cloned(),
        content_handling: get("contentHandling").cloned(),
    }
}

/// The status codes of a `lambda` or `http` integration: osls's defaults when `response` names none
/// (always for `lambda`, with a `response` for `http`), and a `200` with the empty pattern when
/// none of those named has it.
fn mapped_status_codes(
    response: Option<&Map<String, Value>>,
    given: bool,
    integration: &Integration,
) -> Vec<(String, Map<String, Value>)> {
    if !given {
        return match integration {
            Integration::Aws => default_status_codes(),
            _ => Vec::new(),
        };
    }
    let empty = Map::new();
    let response = response.unwrap_or(&empty);
    let mut codes = sorted(response);
    if codes.is_empty() && !response.get("statusCodes").is_some_and(Value::is_object) {
        return default_status_codes();
    }
    if !codes
        .iter()
        .any(|(_, c)| c.get("pattern") == Some(&json!("")))
    {
        codes.retain(|(k, _)| k != "200");
        codes.push(("200".into(), default_status_codes().remove(0).1));
        sort(&mut codes);
    }
    codes
}

/// `response.statusCodes`, in ascending order.
fn sorted(response: &Map<String, Value>) -> Vec<(String, Map<String, Value>)> {
    let mut codes: Vec<(String, Map<String, Value>)> = match response.get("statusCodes") {
        Some(Value::Object(c)) => c
            .iter()
            .map(|(k, v)| (k.clone(), v.as_object().cloned().unwrap_or_default()))
            .collect(),
        _ => return Vec::new(),
    };
    sort(&mut codes);
    codes
}

/// JavaScript's order of integer keys: ascending.
fn sort(codes: &mut [(String, Map<String, Value>)]) {
    codes.sort_by_key(|(k, _)| k.parse::<u64>().unwrap_or(u64::MAX));
}

fn status_code((code, config): (String, Map<String, Value>)) -> StatusCode {
    let templates = match config.get("template") {
        Some(Value::String(t)) => Map::from_iter([("application/json".to_string(), json!(t))]),
        Some(Value::Object(t)) => t.clone(),
        _ => Map::new(),
    };
    StatusCode {
        code,
        pattern: config.get("pattern").filter(|p| js_truthy(p)).cloned(),
        headers: config
            .get("headers")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
        templates,
    }
}

/// The integration responses of a `lambda` integration without `response.statusCodes`.
fn default_status_codes() -> Vec<(String, Map<String, Value>)> {
    [
        ("200", ""),
        ("400", "[\\s\\S]*\\[400\\][\\s\\S]*"),
        ("401", "[\\s\\S]*\\[401\\][\\s\\S]*"),
        ("403", "[\\s\\S]*\\[403\\][\\s\\S]*"),
        ("404", "[\\s\\S]*\\[404\\][\\s\\S]*"),
        ("422", "[\\s\\S]*\\[422\\][\\s\\S]*"),
        (
            "500",
            "[\\s\\S]*(Process\\s?exited\\s?before\\s?completing\\s?request|\\[500\\])[\\s\\S]*",
        ),
        ("502", "[\\s\\S]*\\[502\\][\\s\\S]*"),
        (
            "504",
            "([\\s\\S]*\\[504\\][\\s\\S]*)|(.*Task timed out after \\d+\\.\\d+ seconds$)",
        ),
    ]
    .into_iter()
    .map(|(code, pattern)| {
        (
            code.to_string(),
            Map::from_iter([("pattern".to_string(), json!(pattern))]),
        )
    })
    .collect()
}

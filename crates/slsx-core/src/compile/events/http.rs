//! `http`: the service's REST API (API Gateway v1), or methods on an existing one
//! (`provider.apiGateway.restApiId`): resources for every path, a method per event with its
//! integration, CORS preflight methods, authorizers, request validators and models, API keys and
//! usage plans, the deployment, the invoke permissions, the access log group, and the
//! `ServiceEndpoint` output — osls@4.3.1's resources, logical IDs and properties.

use serde_json::{json, Map, Value};

use super::{alias_logical_id, put};
use crate::compile::functions::{lambda_target, target_alias, truthy};
use crate::compile::naming::{function_logical_id, normalized_name, upper_first};
use crate::config::error_at as config_error;
use crate::config::{Function, Service};
use crate::error::Result;

const REST_API: &str = "ApiGatewayRestApi";
const DEFAULT_CORS_HEADERS: [&str; 7] = [
    "Content-Type",
    "X-Amz-Date",
    "Authorization",
    "X-Api-Key",
    "X-Amz-Security-Token",
    "X-Amz-User-Agent",
    "X-Amzn-Trace-Id",
];
const METHODS: [&str; 8] = [
    "GET", "POST", "PUT", "PATCH", "OPTIONS", "HEAD", "DELETE", "ANY",
];

/// The mapping templates osls gives the `lambda` (non-proxy) integration.
const COMMON_TEMPLATE: &str = include_str!("http/common.vtl");
const FORM_BODY_TEMPLATE: &str = include_str!("http/form-body.vtl");
const JSON_BODY_TEMPLATE: &str = "\n    #set( $body = $input.json(\"$\") )\n\n    ";

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

#[derive(Debug, Clone, Default)]
struct Cors {
    origin: Option<String>,
    origins: Vec<String>,
    methods: Vec<String>,
    headers: Vec<String>,
    allow_credentials: bool,
    max_age: Option<Value>,
    cache_control: Option<String>,
}

#[derive(Debug, Clone, Default)]
struct Authorizer {
    kind: Option<String>,
    name: Option<String>,
    arn: Option<Value>,
    managed_externally: bool,
    authorizer_id: Option<Value>,
    /// The alias of an in-service authorizer function.
    logical_id: Option<String>,
    ttl: Option<i64>,
    identity_source: Option<Value>,
    identity_validation_expression: Option<Value>,
    claims: Vec<Value>,
    scopes: Option<Value>,
}

impl Authorizer {
    fn is_cognito(&self) -> bool {
        self.kind
            .as_deref()
            .is_some_and(|k| k.eq_ignore_ascii_case("COGNITO_USER_POOLS"))
            || self
                .arn
                .as_ref()
                .and_then(Value::as_str)
                .is_some_and(is_cognito_arn)
    }
}

fn is_cognito_arn(arn: &str) -> bool {
    arn.strip_prefix("arn:")
        .and_then(|r| r.split_once(':'))
        .is_some_and(|(partition, rest)| {
            partition
                .chars()
                .all(|c| c.is_ascii_alphabetic() || c == '-')
                && rest.starts_with("cognito-idp")
        })
}

/// One `http` event, normalized the way osls's `validate()` leaves it.
struct Event<'a> {
    function: &'a Function,
    raw: Map<String, Value>,
    /// Without leading and trailing `/`.
    path: String,
    /// Lower case.
    method: String,
    authorizer: Option<Authorizer>,
    cors: Option<Cors>,
    /// `AWS_PROXY`, `AWS`, `HTTP`, `HTTP_PROXY` or `MOCK`.
    integration: String,
    connection_type: Option<String>,
    request: Option<Map<String, Value>>,
    response: Option<Map<String, Value>>,
    /// `response.statusCodes`, in ascending order (JavaScript orders integer keys so).
    status_codes: Vec<(String, Map<String, Value>)>,
}

impl Event<'_> {
    fn get(&self, key: &str) -> Option<&Value> {
        self.raw.get(key).filter(|v| !v.is_null())
    }
    fn parameters(&self) -> Option<&Map<String, Value>> {
        self.request.as_ref()?.get("parameters")?.as_object()
    }
}

fn text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

/// A JS `Set` union: `left`'s items, then `right`'s new ones.
fn union(left: &[String], right: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in left.iter().chain(right) {
        if !out.contains(s) {
            out.push(s.clone());
        }
    }
    out
}

/// `integration` as osls normalizes it.
fn integration_of(raw: &Map<String, Value>) -> String {
    match raw.get("integration").and_then(Value::as_str) {
        Some(i) => match i.to_uppercase().replacen('-', "_", 1).as_str() {
            "LAMBDA" => "AWS".into(),
            "LAMBDA_PROXY" => "AWS_PROXY".into(),
            other => other.to_string(),
        },
        None if raw.get("async").is_some_and(truthy) => "AWS".into(),
        None => "AWS_PROXY".into(),
    }
}

/// `request.parameters.{querystrings,paths,headers}` as `method.request.<location>.<name>` keys.
fn request_parameters(parameters: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    for (location, singular) in [
        ("querystrings", "querystring"),
        ("paths", "path"),
        ("headers", "header"),
    ] {
        if let Some(Value::Object(p)) = parameters.get(location) {
            for (k, v) in p {
                out.insert(format!("method.request.{singular}.{k}"), v.clone());
            }
        }
    }
    out
}

/// Whether a request parameter is required: a boolean as given, an object's `required` (default true).
fn parameter_required(v: &Value) -> Value {
    match v {
        Value::Object(o) => o
            .get("required")
            .filter(|r| !r.is_null())
            .cloned()
            .unwrap_or(json!(true)),
        other => other.clone(),
    }
}

fn status_codes(response: &Map<String, Value>) -> Vec<(String, Map<String, Value>)> {
    let mut codes: Vec<(String, Map<String, Value>)> = match response.get("statusCodes") {
        Some(Value::Object(c)) => c
            .iter()
            .map(|(k, v)| (k.clone(), v.as_object().cloned().unwrap_or_default()))
            .collect(),
        _ => return Vec::new(),
    };
    codes.sort_by_key(|(k, _)| k.parse::<u64>().unwrap_or(u64::MAX));
    codes
}

fn get_cors(raw: &Value, method: &str) -> Cors {
    let defaults: Vec<String> = DEFAULT_CORS_HEADERS.iter().map(|h| h.to_string()).collect();
    let mut cors = Cors {
        origin: Some("*".into()),
        methods: vec!["OPTIONS".into()],
        headers: defaults.clone(),
        ..Default::default()
    };
    let upper = method.to_uppercase();
    if let Value::Object(c) = raw {
        let strings = |v: &Value| -> Vec<String> {
            match v {
                Value::Array(a) => a.iter().map(text).collect(),
                Value::String(s) => vec![s.clone()],
                _ => Vec::new(),
            }
        };
        if c.get("origins").is_some_and(truthy) {
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
            .filter(|v| truthy(v))
            .map(strings)
            .unwrap_or_default();
        cors.allow_credentials = c.get("allowCredentials").is_some_and(truthy);
        match c.get("headers") {
            Some(h) if truthy(h) => cors.headers = strings(h),
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
    } else {
        cors.methods.push(upper);
    }
    cors
}

fn get_authorizer(
    service: &Service,
    at: &str,
    raw: &Value,
    integration: &str,
) -> Result<Authorizer> {
    let mut a = Authorizer::default();
    let mut function_name: Option<String> = None;
    match raw {
        Value::String(s) => {
            if s.eq_ignore_ascii_case("AWS_IAM") {
                a.kind = Some("AWS_IAM".into());
            } else if !s.contains(':') {
                function_name = Some(s.clone());
                a.name = Some(s.clone());
            } else {
                a.arn = Some(json!(s));
                a.name = Some(name_from_arn(s));
            }
        }
        Value::Object(o) => {
            let get = |k: &str| o.get(k).filter(|v| !v.is_null());
            let kind = get("type").map(text);
            if let (Some(k), Some(id)) = (&kind, get("authorizerId")) {
                a.kind = Some(k.clone());
                a.authorizer_id = Some(id.clone());
            } else if kind
                .as_deref()
                .is_some_and(|k| k.eq_ignore_ascii_case("AWS_IAM"))
            {
                a.kind = Some("AWS_IAM".into());
            } else if let Some(arn) = get("arn") {
                a.arn = Some(arn.clone());
                if let Some(Value::String(n)) = get("name") {
                    a.name = Some(n.clone());
                } else if let Value::String(s) = arn {
                    a.name = Some(name_from_arn(s));
                } else {
                    return Err(config_error(
                        service,
                        format!("{at}.authorizer"),
                        "API_GATEWAY_MISSING_AUTHORIZER_NAME",
                        "Please provide an authorizer name for authorizers given by a CloudFormation reference".into(),
                    ));
                }
            } else if let Some(n) = get("name") {
                function_name = Some(text(n));
                a.name = Some(text(n));
            } else {
                return Err(config_error(
                    service,
                    format!("{at}.authorizer"),
                    "API_GATEWAY_MISSING_AUTHORIZER_NAME_OR_ARN",
                    "Please provide either an authorizer name or ARN".into(),
                ));
            }
            if a.kind.is_none() {
                a.kind = kind;
            }
            a.ttl = Some(match get("resultTtlInSeconds") {
                Some(Value::Number(n)) => n.as_f64().map_or(300, |f| f.trunc() as i64),
                Some(Value::String(s)) => leading_int(s).unwrap_or(300),
                _ => 300,
            });
            a.claims = get("claims")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            a.scopes = get("scopes").cloned();
            a.identity_source = get("identitySource").cloned();
            a.identity_validation_expression = get("identityValidationExpression").cloned();
            a.managed_externally = get("managedExternally").is_some_and(truthy);
        }
        _ => {}
    }
    if let Some(name) = function_name {
        let Some(f) = service.functions.iter().find(|f| f.key == name) else {
            return Err(config_error(
                service,
                format!("{at}.authorizer"),
                "FUNCTION_MISSING_IN_SERVICE",
                format!("Function \"{name}\" doesn't exist in this Service"),
            ));
        };
        a.arn = Some(lambda_target(&f.key, target_alias(f).as_ref()));
        a.logical_id = alias_logical_id(f);
    }
    let request_without_cache = a
        .kind
        .as_deref()
        .is_some_and(|k| k.eq_ignore_ascii_case("REQUEST"))
        && a.ttl == Some(0);
    if a.identity_source.is_none() && !request_without_cache {
        a.identity_source = Some(json!("method.request.header.Authorization"));
    }
    if integration == "AWS_PROXY"
        && a.arn
            .as_ref()
            .and_then(Value::as_str)
            .is_some_and(is_cognito_arn)
        && !a.claims.is_empty()
    {
        return Err(config_error(
            service,
            format!("{at}.authorizer.claims"),
            "API_GATEWAY_INVALID_COGNITO_CLAIMS",
            "Cognito claims can only be filtered when using the lambda integration type".into(),
        ));
    }
    Ok(a)
}

/// JavaScript `parseInt(s, 10)`.
fn leading_int(s: &str) -> Option<i64> {
    let t = s.trim_start();
    let (sign, digits) = match t.strip_prefix('-') {
        Some(r) => (-1, r),
        None => (1, t.strip_prefix('+').unwrap_or(t)),
    };
    let n: String = digits.chars().take_while(char::is_ascii_digit).collect();
    n.parse::<i64>().ok().map(|v| sign * v)
}

/// The function name osls guesses from an authorizer ARN: after the last `:`, after the last `-`.
fn name_from_arn(arn: &str) -> String {
    let last = arn.rsplit(':').next().unwrap_or(arn);
    last.rsplit('-').next().unwrap_or(last).to_string()
}

/// lodash's `words` for ASCII: runs of digits, and letters split where the case changes.
fn words(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for chunk in s
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|c| !c.is_empty())
    {
        let chars: Vec<char> = chunk.chars().collect();
        let mut start = 0;
        for i in 1..chars.len() {
            let (p, c) = (chars[i - 1], chars[i]);
            let next_lower = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
            let split = p.is_ascii_digit() != c.is_ascii_digit()
                || (p.is_ascii_lowercase() && c.is_ascii_uppercase())
                || (p.is_ascii_uppercase() && c.is_ascii_uppercase() && next_lower);
            if split {
                out.push(chars[start..i].iter().collect());
                start = i;
            }
        }
        out.push(chars[start..].iter().collect());
    }
    out
}

/// lodash `upperFirst(camelCase(s))`.
fn pascal_case(s: &str) -> String {
    words(s)
        .iter()
        .map(|w| upper_first(&w.to_lowercase()))
        .collect()
}

/// lodash `startCase(s)` without the spaces.
fn start_case(s: &str) -> String {
    words(s).iter().map(|w| upper_first(w)).collect()
}

/// A resource path's logical ID part (`users/{id}` -> `UsersIdVar`).
fn normalize_path(path: &str) -> String {
    super::http_api::normalize_path(path)
}

fn method_logical_id(resource_name: &str, method: &str) -> String {
    format!(
        "ApiGatewayMethod{resource_name}{}",
        upper_first(&method.to_lowercase())
    )
}

fn authorizer_logical_id(name: &str) -> String {
    format!("{}ApiGatewayAuthorizer", normalized_name(name))
}

fn permission_logical_id(name: &str) -> String {
    format!("{}LambdaPermissionApiGateway", normalized_name(name))
}

/// Where the REST API's resources come from: created in the stack, or given by id.
struct Tree {
    /// Path -> (logical ID part, `ResourceId` value).
    nodes: Vec<(String, String, Value)>,
    root: Value,
}

impl Tree {
    fn resource_id(&self, path: &str) -> Value {
        if path.is_empty() {
            return self.root.clone();
        }
        self.nodes
            .iter()
            .find(|(p, _, _)| p == path)
            .map(|(_, _, id)| id.clone())
            .unwrap_or(Value::Null)
    }
    fn resource_name(&self, path: &str) -> String {
        if path.is_empty() {
            return String::new();
        }
        self.nodes
            .iter()
            .find(|(p, _, _)| p == path)
            .map(|(_, n, _)| n.clone())
            .unwrap_or_else(|| "undefined".into())
    }
}

fn strip_slashes(p: &str) -> String {
    let p = p.strip_prefix('/').unwrap_or(p);
    p.strip_suffix('/').unwrap_or(p).to_string()
}

pub fn compile(
    service: &Service,
    resources: &mut Map<String, Value>,
    outputs: &mut Map<String, Value>,
) -> Result<()> {
    let provider = &service.provider.raw;
    let api = provider
        .get("apiGateway")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let api_get = |k: &str| api.get(k).filter(|v| !v.is_null());
    let external_id = api_get("restApiId").cloned();
    if external_id.is_some() {
        let checks = [
            (api_get("restApiRootResourceId").is_none(), "provider.apiGateway", "API_GATEWAY_MISSING_REST_API_ROOT_RESOURCE_ID", "Missing required \"provider.apiGateway.restApiRootResourceId\" property (needed if \"provider.apiGateway.restApiId\" is provided)"),
            (provider.get("tracing").and_then(|t| t.get("apiGateway")).is_some_and(|v| !v.is_null()), "provider.tracing.apiGateway", "API_GATEWAY_EXTERNAL_API_TRACING", "When external API Gateway resource is imported via \"provider.apiGateway.restApiId\", property \"provider.tracing.apiGateway\" is ineffective."),
            (provider.get("logs").and_then(|t| t.get("restApi")).is_some_and(|v| !v.is_null()), "provider.logs.restApi", "API_GATEWAY_EXTERNAL_API_LOGS", "When external API Gateway resource is imported via \"provider.apiGateway.restApiId\", property \"provider.logs.restApi\" is ineffective."),
        ];
        if let Some((_, path, code, message)) = checks.into_iter().find(|c| c.0) {
            return Err(config_error(service, path.into(), code, message.into()));
        }
    }
    let rest_api_id = external_id
        .clone()
        .unwrap_or_else(|| json!({ "Ref": REST_API }));

    // validate(): the events, normalized, and the CORS preflight per path.
    let mut events: Vec<Event> = Vec::new();
    let mut preflight: Vec<(String, Cors)> = Vec::new();
    for f in &service.functions {
        for (index, value) in super::events_of(f, "http") {
            let at = format!("functions.{}.events.{index}.http", f.key);
            let raw: Map<String, Value> = match value {
                Value::Object(o) => o.clone(),
                Value::String(s) => {
                    let (m, p) = s.split_once(' ').unwrap_or((s, ""));
                    let ok = (s == "*")
                        || (METHODS.contains(&m.to_uppercase().as_str())
                            && p.starts_with('/')
                            && !p.contains(char::is_whitespace));
                    if !ok {
                        return Err(config_error(
                            service,
                            at,
                            "INVALID_HTTP_EVENT",
                            format!(
                                "Invalid http event \"{s}\" in function {}: write \"METHOD /path\"",
                                f.key
                            ),
                        ));
                    }
                    Map::from_iter([
                        ("method".to_string(), json!(m)),
                        ("path".to_string(), json!(p)),
                    ])
                }
                other => {
                    return Err(config_error(
                        service,
                        at,
                        "INVALID_HTTP_EVENT",
                        format!("Invalid http event {other} in function {}", f.key),
                    ))
                }
            };
            let (Some(path), Some(method)) = (
                raw.get("path").filter(|v| !v.is_null()),
                raw.get("method").and_then(Value::as_str),
            ) else {
                return Err(config_error(
                    service,
                    at,
                    "INVALID_HTTP_EVENT",
                    format!(
                        "The http event of function {} needs \"path\" and \"method\"",
                        f.key
                    ),
                ));
            };
            let path = strip_slashes(&text(path));
            let method = method.to_lowercase();
            let integration = integration_of(&raw);
            let authorizer = match raw.get("authorizer").filter(|v| truthy(v)) {
                Some(a) => Some(get_authorizer(service, &at, a, &integration)?),
                None => None,
            };
            let cors = raw
                .get("cors")
                .filter(|v| truthy(v))
                .map(|c| get_cors(c, &method));
            if let Some(c) = &cors {
                let slot = match preflight.iter().position(|(p, _)| *p == path) {
                    Some(i) => i,
                    None => {
                        preflight.push((path.clone(), Cors::default()));
                        preflight.len() - 1
                    }
                };
                let merged = &mut preflight[slot].1;
                merged.headers = union(&c.headers, &merged.headers);
                merged.methods = union(&c.methods, &merged.methods);
                merged.origins = union(&c.origins, &merged.origins);
                merged.origin = c.origin.clone();
                merged.allow_credentials = merged.allow_credentials || c.allow_credentials;
                if c.max_age.as_ref().is_some_and(truthy) {
                    merged.max_age = c.max_age.clone();
                }
                if c.cache_control.as_deref().is_some_and(|s| !s.is_empty()) {
                    merged.cache_control = c.cache_control.clone();
                }
            }
            let mut request = raw.get("request").and_then(Value::as_object).cloned();
            let mut response = raw.get("response").and_then(Value::as_object).cloned();
            if let Some(mode) = response
                .as_ref()
                .and_then(|r| r.get("transferMode"))
                .and_then(Value::as_str)
            {
                let upper = mode.to_uppercase();
                if upper != "BUFFERED" && upper != "STREAM" {
                    return Err(config_error(service, format!("{at}.response.transferMode"), "API_GATEWAY_INVALID_TRANSFER_MODE", format!("Invalid transferMode \"{mode}\" in function \"{}\". Valid values are: BUFFERED, STREAM.", f.key)));
                }
                if integration != "AWS_PROXY" && integration != "HTTP_PROXY" {
                    return Err(config_error(service, format!("{at}.response.transferMode"), "API_GATEWAY_TRANSFER_MODE_UNSUPPORTED_INTEGRATION", format!("transferMode can only be used with AWS_PROXY or HTTP_PROXY integrations. Function \"{}\" is using {integration} integration.", f.key)));
                }
                response
                    .as_mut()
                    .unwrap()
                    .insert("transferMode".into(), json!(upper));
            }
            let mut connection_type = None;
            if integration == "HTTP" || integration == "HTTP_PROXY" {
                if !request
                    .as_ref()
                    .and_then(|r| r.get("uri"))
                    .is_some_and(truthy)
                {
                    return Err(config_error(service, format!("{at}.request.uri"), "API_GATEWAY_MISSING_REQUEST_URI", format!("You need to set the request uri when using the {integration} integration.")));
                }
                connection_type = raw
                    .get("connectionType")
                    .and_then(Value::as_str)
                    .map(|c| c.to_uppercase().replacen('-', "_", 1));
                if connection_type.as_deref() == Some("VPC_LINK")
                    && !raw.get("connectionId").is_some_and(truthy)
                {
                    return Err(config_error(
                        service,
                        format!("{at}.connectionId"),
                        "API_GATEWAY_MISSING_CONNECTION_ID",
                        "You need to set connectionId when using VPC_LINK connectionType.".into(),
                    ));
                }
            }
            let mut status = Vec::new();
            if integration == "AWS" || integration == "HTTP" {
                let mut r = request.take().unwrap_or_default();
                if let Some(p) = r.get("parameters").filter(|p| truthy(p)) {
                    let mapped = request_parameters(p);
                    r.insert("parameters".into(), Value::Object(mapped));
                }
                if !r.get("passThrough").is_some_and(truthy) {
                    r.remove("passThrough");
                    if integration == "AWS" {
                        r.insert("passThrough".into(), json!("NEVER"));
                    }
                }
                request = Some(r);
                let mut resp = response.take().unwrap_or_default();
                if response_given(&raw) {
                    status = status_codes(&resp);
                    if status.is_empty() && !resp.get("statusCodes").is_some_and(Value::is_object) {
                        status = default_status_codes();
                    } else if !status
                        .iter()
                        .any(|(_, c)| c.get("pattern") == Some(&json!("")))
                    {
                        status.retain(|(k, _)| k != "200");
                        status.push(("200".into(), default_status_codes().remove(0).1));
                        status.sort_by_key(|(k, _)| k.parse::<u64>().unwrap_or(u64::MAX));
                    }
                } else if integration == "AWS" {
                    status = default_status_codes();
                }
                resp.remove("statusCodes");
                response = Some(resp);
            } else if integration == "AWS_PROXY" || integration == "HTTP_PROXY" {
                let allowed: &[&str] = if integration == "AWS_PROXY" {
                    &["parameters", "schema", "schemas"]
                } else {
                    &["parameters", "uri", "schema", "schemas"]
                };
                if let Some(r) = request.as_mut() {
                    r.retain(|k, _| allowed.contains(&k.as_str()));
                    if let Some(p) = r.get("parameters").filter(|p| truthy(p)) {
                        let mapped = request_parameters(p);
                        r.insert("parameters".into(), Value::Object(mapped));
                    }
                }
                if request.as_ref().is_some_and(Map::is_empty) {
                    request = None;
                }
                response = response.and_then(|r| {
                    r.get("transferMode")
                        .map(|m| Map::from_iter([("transferMode".to_string(), m.clone())]))
                });
            } else if let Some(r) = &response {
                status = status_codes(r);
            }
            if !crate::config::is_name(&service.stage) {
                return Err(config_error(service, "provider.stage".into(), "API_GATEWAY_INVALID_STAGE_NAME", format!("Invalid stage name {}: it should contains only [-_a-zA-Z0-9] for AWS provider if http event are present according to API Gateway limitation.", service.stage)));
            }
            events.push(Event {
                function: f,
                raw,
                path,
                method,
                authorizer,
                cors,
                integration,
                connection_type,
                request,
                response,
                status_codes: status,
            });
        }
    }
    if events.is_empty() {
        return Ok(());
    }

    if external_id.is_none() {
        resources.insert(REST_API.into(), rest_api(service, &api)?);
    }
    let tree = compile_resources(&api, &events, &rest_api_id, resources);
    let mut method_ids: Vec<String> = Vec::new();
    for (path, cors) in &preflight {
        let id = method_logical_id(&tree.resource_name(path), "options");
        resources.insert(
            id.clone(),
            cors_method(cors, tree.resource_id(path), &rest_api_id),
        );
        method_ids.push(id);
    }
    for e in &events {
        let id = method_logical_id(&tree.resource_name(&e.path), &e.method);
        resources.insert(id.clone(), method(service, e, &tree, &rest_api_id));
        method_ids.push(id);
    }
    request_validators(service, &api, &events, &tree, &rest_api_id, resources);
    for e in &events {
        let Some(a) = e.authorizer.as_ref().filter(|a| a.arn.is_some()) else {
            continue;
        };
        resources.insert(
            authorizer_logical_id(a.name.as_deref().unwrap_or("undefined")),
            authorizer_resource(a, &rest_api_id),
        );
    }
    let deployment_id = format!(
        "ApiGatewayDeployment{}",
        deployment_instance(resources, &method_ids)
    );
    let stage = api_get("stage")
        .map(text)
        .unwrap_or_else(|| service.stage.clone());
    let mut deployment = Map::new();
    deployment.insert("RestApiId".into(), rest_api_id.clone());
    deployment.insert("StageName".into(), json!(stage));
    put(
        &mut deployment,
        "Description",
        api_get("description").cloned(),
    );
    resources.insert(deployment_id.clone(), json!({ "Type": "AWS::ApiGateway::Deployment", "Properties": deployment, "DependsOn": method_ids }));
    outputs.insert(
        "ServiceEndpoint".into(),
        json!({
            "Description": "URL of the service endpoint",
            "Value": { "Fn::Join": ["", ["https://", rest_api_id, ".execute-api.", { "Ref": "AWS::Region" }, ".", { "Ref": "AWS::URLSuffix" }, format!("/{}", service.stage)]] }
        }),
    );
    api_keys_and_usage_plans(service, &api, &rest_api_id, &deployment_id, resources)?;
    permissions(&events, &rest_api_id, resources);
    stage_resources(service, resources);
    Ok(())
}

/// Whether the event itself set `response` (osls fills status codes differently then).
fn response_given(raw: &Map<String, Value>) -> bool {
    raw.get("response").is_some_and(truthy)
}

fn rest_api(service: &Service, api: &Map<String, Value>) -> Result<Value> {
    let provider = &service.provider.raw;
    let get = |k: &str| api.get(k).filter(|v| !v.is_null());
    let mut endpoint_type = "EDGE".to_string();
    let mut vpc_endpoint_ids = None;
    if let Some(t) = provider.get("endpointType").and_then(Value::as_str) {
        endpoint_type = t.to_uppercase();
        if let Some(ids) = provider.get("vpcEndpointIds").filter(|v| !v.is_null()) {
            if endpoint_type != "PRIVATE" {
                return Err(config_error(
                    service,
                    "provider.vpcEndpointIds".into(),
                    "API_GATEWAY_INVALID_VPC_ENDPOINT_IDS_CONFIG",
                    "VPC endpoint IDs are only available for private APIs".into(),
                ));
            }
            vpc_endpoint_ids = Some(ids.clone());
        }
    }
    let name = match provider.get("apiName").filter(|v| truthy(v)) {
        Some(n) => text(n),
        None if get("shouldStartNameWithService").is_some_and(truthy) => {
            format!("{}-{}", service.name, service.stage)
        }
        None => format!("{}-{}", service.stage, service.name),
    };
    let mut props = Map::new();
    props.insert("Name".into(), json!(name));
    put(
        &mut props,
        "BinaryMediaTypes",
        get("binaryMediaTypes").filter(|v| truthy(v)).cloned(),
    );
    put(
        &mut props,
        "DisableExecuteApiEndpoint",
        get("disableDefaultEndpoint").cloned(),
    );
    let mut endpoint = Map::from_iter([("Types".to_string(), json!([endpoint_type]))]);
    put(&mut endpoint, "VpcEndpointIds", vpc_endpoint_ids);
    props.insert("EndpointConfiguration".into(), Value::Object(endpoint));
    let endpoint_settings = get("endpoint").and_then(Value::as_object);
    put(
        &mut props,
        "SecurityPolicy",
        endpoint_settings
            .and_then(|e| e.get("securityPolicy"))
            .filter(|v| truthy(v))
            .cloned(),
    );
    if let Some(mode) = endpoint_settings
        .and_then(|e| e.get("accessMode"))
        .filter(|v| !v.is_null())
    {
        props.insert(
            "EndpointAccessMode".into(),
            json!(text(mode).to_uppercase()),
        );
    }
    if let Some(Value::Object(tags)) = provider.get("tags") {
        props.insert(
            "Tags".into(),
            Value::Array(
                tags.iter()
                    .map(|(k, v)| json!({ "Key": k, "Value": v }))
                    .collect(),
            ),
        );
    }
    match get("resourcePolicy") {
        Some(p)
            if !matches!(p, Value::Array(a) if a.is_empty())
                && !matches!(p, Value::Object(o) if o.is_empty())
                && truthy(p) =>
        {
            let statements: Vec<Value> = super::as_list(p).iter().map(coerce_statement).collect();
            props.insert(
                "Policy".into(),
                json!({ "Version": "2012-10-17", "Statement": statements }),
            );
        }
        _ => {
            props.insert("Policy".into(), json!(""));
        }
    }
    if let Some(t) = get("apiKeySourceType").filter(|v| truthy(v)) {
        props.insert("ApiKeySourceType".into(), json!(text(t).to_uppercase()));
    }
    put(
        &mut props,
        "MinimumCompressionSize",
        get("minimumCompressionSize").cloned(),
    );
    put(
        &mut props,
        "Description",
        get("description").filter(|v| truthy(v)).cloned(),
    );
    Ok(json!({ "Type": "AWS::ApiGateway::RestApi", "Properties": props }))
}

/// A policy statement as osls's config schema leaves it (its validator coerces types to fit the
/// schema): a string `Action` becomes a list, a one-string list `Resource` becomes the string.
pub(crate) fn coerce_statement(statement: &Value) -> Value {
    let mut s = statement.clone();
    if let Value::Object(o) = &mut s {
        for key in ["Action", "NotAction"] {
            if let Some(v @ Value::String(_)) = o.get_mut(key) {
                *v = json!([v.clone()]);
            }
        }
        for key in ["Resource", "NotResource"] {
            if let Some(v) = o.get_mut(key) {
                if let Value::Array(a) = v {
                    if let [Value::String(one)] = a.as_slice() {
                        *v = json!(one);
                    }
                }
            }
        }
    }
    s
}

/// The `AWS::ApiGateway::Resource`s every event path needs. Paths under one of
/// `provider.apiGateway.restApiResources` hang from that resource's id; the rest from the root.
fn compile_resources(
    api: &Map<String, Value>,
    events: &[Event],
    rest_api_id: &Value,
    resources: &mut Map<String, Value>,
) -> Tree {
    let root = match api.get("restApiRootResourceId").filter(|v| !v.is_null()) {
        Some(id) => id.clone(),
        None => json!({ "Fn::GetAtt": [REST_API, "RootResourceId"] }),
    };
    let mut tree = Tree {
        nodes: Vec::new(),
        root,
    };
    // Predefined resources: a map of path -> id, or a list of { path, resourceId, name }.
    match api.get("restApiResources") {
        Some(Value::Object(m)) => {
            for (p, id) in m {
                let p = strip_slashes(p);
                tree.nodes.push((p.clone(), normalize_path(&p), id.clone()));
            }
        }
        Some(Value::Array(list)) => {
            for r in list {
                let Some(p) = r.get("path").and_then(Value::as_str) else {
                    continue;
                };
                let p = strip_slashes(p);
                let name = r
                    .get("name")
                    .and_then(Value::as_str)
                    .map_or_else(|| normalize_path(&p), str::to_string);
                tree.nodes
                    .push((p, name, r.get("resourceId").cloned().unwrap_or(Value::Null)));
            }
        }
        _ => {}
    }
    for e in events {
        if e.path.is_empty() {
            continue;
        }
        let mut current = String::new();
        for part in e.path.split('/') {
            let parent = current.clone();
            current = if current.is_empty() {
                part.to_string()
            } else {
                format!("{current}/{part}")
            };
            if tree.nodes.iter().any(|(p, _, _)| *p == current) {
                continue;
            }
            let name = normalize_path(&current);
            let logical_id = format!("ApiGatewayResource{name}");
            resources.insert(
                logical_id.clone(),
                json!({
                    "Type": "AWS::ApiGateway::Resource",
                    "Properties": { "ParentId": tree.resource_id(&parent), "PathPart": part, "RestApiId": rest_api_id }
                }),
            );
            tree.nodes
                .push((current.clone(), name, json!({ "Ref": logical_id })));
        }
    }
    tree
}

fn cors_method(cors: &Cors, resource_id: Value, rest_api_id: &Value) -> Value {
    let mut origin = cors.origin.clone();
    let mut origins = cors.origins.clone();
    if let Some(o) = origin.as_ref().filter(|o| o.contains(',')) {
        origins = o.split(',').map(|s| s.trim().to_string()).collect();
    }
    if let Some(first) = origins.first() {
        origin = Some(first.clone());
    }
    let mut headers: Vec<(String, String)> = vec![
        (
            "Access-Control-Allow-Origin".into(),
            format!("'{}'", origin.as_deref().unwrap_or("undefined")),
        ),
        (
            "Access-Control-Allow-Headers".into(),
            format!("'{}'", cors.headers.join(",")),
        ),
        (
            "Access-Control-Allow-Methods".into(),
            format!("'{}'", cors.methods.join(",")),
        ),
    ];
    if cors.allow_credentials {
        headers.push(("Access-Control-Allow-Credentials".into(), "'true'".into()));
    }
    if let Some(age) = cors.max_age.as_ref().filter(|v| truthy(v)) {
        headers.push(("Access-Control-Max-Age".into(), format!("'{}'", text(age))));
    }
    if let Some(cc) = cors.cache_control.as_ref().filter(|s| !s.is_empty()) {
        headers.push(("Cache-Control".into(), format!("'{cc}'")));
    }
    if cors.methods.iter().any(|m| m == "ANY") {
        headers[2].1 = headers[2]
            .1
            .replacen("ANY", "DELETE,GET,HEAD,PATCH,POST,PUT", 1);
    }
    let method_parameters: Map<String, Value> = headers
        .iter()
        .map(|(h, _)| (format!("method.response.header.{h}"), json!(true)))
        .collect();
    let integration_parameters: Map<String, Value> = headers
        .iter()
        .map(|(h, v)| (format!("method.response.header.{h}"), json!(v)))
        .collect();
    let template = if origins.is_empty() {
        String::new()
    } else {
        cors_response_template(&origins)
    };
    json!({
        "Type": "AWS::ApiGateway::Method",
        "Properties": {
            "AuthorizationType": "NONE",
            "HttpMethod": "OPTIONS",
            "MethodResponses": [{ "StatusCode": "200", "ResponseParameters": method_parameters, "ResponseModels": {} }],
            "RequestParameters": {},
            "Integration": {
                "Type": "MOCK",
                "RequestTemplates": { "application/json": "{statusCode:200}" },
                "ContentHandling": "CONVERT_TO_TEXT",
                "IntegrationResponses": [{
                    "StatusCode": "200",
                    "ResponseParameters": integration_parameters,
                    "ResponseTemplates": { "application/json": template }
                }]
            },
            "ResourceId": resource_id,
            "RestApiId": rest_api_id
        }
    })
}

/// A VTL template that echoes the request's origin when it matches one of `origins` (globs).
fn cors_response_template(origins: &[String]) -> String {
    let tests: Vec<String> = origins
        .iter()
        .map(|o| {
            format!(
                "$origin.matches(\"{}\")",
                o.replace('.', "[.]").replacen('*', ".+", 1)
            )
        })
        .collect();
    format!(
        "#set($origin = $input.params(\"Origin\"))\n#if($origin == \"\") #set($origin = $input.params(\"origin\")) #end\n#if({}) #set($context.responseOverride.header.Access-Control-Allow-Origin = $origin) #end",
        tests.join(" || ")
    )
}

/// The origin header a `lambda`/`http` integration response carries for a CORS-enabled event.
fn cors_response_headers(e: &Event) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    if let Some(c) = &e.cors {
        let origin = if c.origins.is_empty() {
            c.origin.clone().unwrap_or_else(|| "undefined".into())
        } else {
            c.origins.join(",")
        };
        out.push((
            "Access-Control-Allow-Origin".to_string(),
            json!(format!("'{origin}'")),
        ));
        if c.allow_credentials {
            out.push((
                "Access-Control-Allow-Credentials".to_string(),
                json!("true"),
            ));
        }
    }
    if let Some(Value::Object(h)) = e.response.as_ref().and_then(|r| r.get("headers")) {
        for (k, v) in h {
            match out.iter_mut().find(|(name, _)| name == k) {
                Some(slot) => slot.1 = v.clone(),
                None => out.push((k.clone(), v.clone())),
            }
        }
    }
    out
}

fn header_parameters(headers: &[(String, Value)]) -> Map<String, Value> {
    headers
        .iter()
        .map(|(h, v)| (format!("method.response.header.{h}"), v.clone()))
        .collect()
}

fn method(service: &Service, e: &Event, tree: &Tree, rest_api_id: &Value) -> Value {
    let mut props = Map::new();
    props.insert("HttpMethod".into(), json!(e.method.to_uppercase()));
    let request_parameters: Map<String, Value> =
        match e.request.as_ref().and_then(|r| r.get("parameters")) {
            Some(Value::Object(p)) => p
                .iter()
                .map(|(k, v)| (k.clone(), parameter_required(v)))
                .collect(),
            _ => Map::new(),
        };
    props.insert(
        "RequestParameters".into(),
        Value::Object(request_parameters),
    );
    props.insert("ResourceId".into(), tree.resource_id(&e.path));
    props.insert("RestApiId".into(), rest_api_id.clone());
    put(&mut props, "OperationName", e.get("operationId").cloned());
    props.insert(
        "ApiKeyRequired".into(),
        json!(e.get("private").is_some_and(truthy)),
    );
    let mut depends_on: Vec<Value> = vec![json!(permission_logical_id(&e.function.key))];
    depends_on.extend(alias_logical_id(e.function).map(Value::String));

    // Authorization (its DependsOn replaces the first entry, as osls's merge of arrays by index does).
    match &e.authorizer {
        Some(a) if a.kind.as_deref() == Some("AWS_IAM") => {
            props.insert("AuthorizationType".into(), json!("AWS_IAM"));
        }
        Some(a) if a.kind.is_some() && a.authorizer_id.is_some() => {
            let kind = a.kind.clone().unwrap_or_default();
            let upper = kind.to_uppercase();
            let authorization = if upper == "TOKEN" || upper == "REQUEST" {
                "CUSTOM".to_string()
            } else {
                kind
            };
            props.insert("AuthorizationType".into(), json!(authorization));
            props.insert(
                "AuthorizerId".into(),
                a.authorizer_id.clone().unwrap_or(Value::Null),
            );
            if upper == "COGNITO_USER_POOLS" {
                put(
                    &mut props,
                    "AuthorizationScopes",
                    a.scopes
                        .clone()
                        .filter(|s| s.as_array().is_some_and(|l| !l.is_empty())),
                );
            }
        }
        Some(a) => {
            let id = authorizer_logical_id(a.name.as_deref().unwrap_or("undefined"));
            if a.is_cognito() {
                props.insert("AuthorizationType".into(), json!("COGNITO_USER_POOLS"));
                props.insert("AuthorizerId".into(), json!({ "Ref": id }));
                put(
                    &mut props,
                    "AuthorizationScopes",
                    a.scopes
                        .clone()
                        .filter(|s| s.as_array().is_some_and(|l| !l.is_empty())),
                );
            } else {
                props.insert("AuthorizationType".into(), json!("CUSTOM"));
                props.insert("AuthorizerId".into(), json!({ "Ref": id }));
            }
            depends_on[0] = json!(id);
        }
        None => {
            props.insert("AuthorizationType".into(), json!("NONE"));
        }
    }

    let mut integration = integration(service, e);
    let claims: Vec<String> = e
        .authorizer
        .as_ref()
        .map(|a| {
            a.claims
                .iter()
                .map(|c| {
                    match c
                        .as_str()
                        .and_then(|s| s.split_once(':').map(|(_, sub)| (s, sub)))
                    {
                        Some((claim, sub)) => {
                            format!("\"{sub}\": \"$context.authorizer.claims['{claim}']\"")
                        }
                        None => format!("\"{0}\": \"$context.authorizer.claims.{0}\"", text(c)),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    if let Some(Value::Object(templates)) = integration.get_mut("RequestTemplates") {
        let claims = if claims.is_empty() {
            String::new()
        } else {
            format!("{},", claims.join(","))
        };
        for v in templates.values_mut() {
            if let Value::String(s) = v {
                *s = s.replacen("extraCognitoPoolClaims", &claims, 1);
            }
        }
    }
    props.insert("Integration".into(), Value::Object(integration));
    props.insert("MethodResponses".into(), Value::Array(method_responses(e)));
    json!({ "Type": "AWS::ApiGateway::Method", "Properties": props, "DependsOn": depends_on })
}

fn integration(service: &Service, e: &Event) -> Map<String, Value> {
    let kind = e.integration.as_str();
    let request = e.request.as_ref();
    let mut out = Map::new();
    out.insert("IntegrationHttpMethod".into(), json!("POST"));
    out.insert("Type".into(), json!(kind));
    let timeout = e.get("timeoutInMillis").filter(|v| truthy(v)).or_else(|| {
        service
            .provider
            .raw
            .get("apiGateway")
            .and_then(|a| a.get("timeoutInMillis"))
            .filter(|v| truthy(v))
    });
    put(&mut out, "TimeoutInMillis", timeout.cloned());
    let transfer_mode = e
        .response
        .as_ref()
        .and_then(|r| r.get("transferMode"))
        .and_then(Value::as_str);
    match kind {
        "AWS" | "AWS_PROXY" => {
            let streaming = kind == "AWS_PROXY"
                && transfer_mode.is_some_and(|m| m.eq_ignore_ascii_case("STREAM"));
            let (version, invocation) = if streaming {
                ("2021-11-15", "/response-streaming-invocations")
            } else {
                ("2015-03-31", "/invocations")
            };
            let mut parts = vec![
                json!("arn:"),
                json!({ "Ref": "AWS::Partition" }),
                json!(":apigateway:"),
                json!({ "Ref": "AWS::Region" }),
                json!(format!(":lambda:path/{version}/functions/")),
                json!({ "Fn::GetAtt": [function_logical_id(&e.function.key), "Arn"] }),
            ];
            if let Some((_, alias)) = target_alias(e.function) {
                parts.push(json!(":"));
                parts.push(json!(alias));
            }
            parts.push(json!(invocation));
            out.insert("Uri".into(), json!({ "Fn::Join": ["", parts] }));
        }
        "HTTP" | "HTTP_PROXY" => {
            put(&mut out, "Uri", request.and_then(|r| r.get("uri")).cloned());
            let method = request
                .and_then(|r| r.get("method"))
                .filter(|v| truthy(v))
                .map(text)
                .unwrap_or_else(|| e.method.clone());
            out.insert("IntegrationHttpMethod".into(), json!(method.to_uppercase()));
            if let Some(c) = &e.connection_type {
                out.insert("ConnectionType".into(), json!(c));
                put(&mut out, "ConnectionId", e.get("connectionId").cloned());
            }
        }
        _ => {}
    }
    if kind == "AWS" || kind == "HTTP" || kind == "MOCK" {
        put(
            &mut out,
            "PassthroughBehavior",
            request.and_then(|r| r.get("passThrough")).cloned(),
        );
        put(
            &mut out,
            "ContentHandling",
            request.and_then(|r| r.get("contentHandling")).cloned(),
        );
        let mut templates = Map::new();
        if kind == "AWS" {
            templates.insert(
                "application/json".into(),
                json!(format!("{JSON_BODY_TEMPLATE}{COMMON_TEMPLATE}\n  ")),
            );
            templates.insert(
                "application/x-www-form-urlencoded".into(),
                json!(format!("{FORM_BODY_TEMPLATE}{COMMON_TEMPLATE}\n  ")),
            );
        }
        if let Some(Value::Object(t)) = request.and_then(|r| r.get("template")) {
            for (content_type, template) in t {
                if template.is_null() {
                    templates.remove(content_type);
                } else {
                    templates.insert(content_type.clone(), template.clone());
                }
            }
        }
        if !templates.is_empty() {
            out.insert("RequestTemplates".into(), Value::Object(templates));
        }
        out.insert(
            "IntegrationResponses".into(),
            Value::Array(integration_responses(e)),
        );
    }
    let parameters = e.parameters().filter(|p| !p.is_empty());
    let is_async = e.get("async").is_some_and(truthy);
    if ((kind == "AWS" || kind == "HTTP" || kind == "HTTP_PROXY") && parameters.is_some())
        || is_async
    {
        let mut mapped = Map::new();
        for (k, v) in parameters.into_iter().flatten() {
            let value = v
                .get("mappedValue")
                .filter(|m| truthy(m))
                .cloned()
                .unwrap_or_else(|| json!(k));
            mapped.insert(
                format!("integration.{}", k.strip_prefix("method.").unwrap_or(k)),
                value,
            );
        }
        if is_async {
            mapped.insert(
                "integration.request.header.X-Amz-Invocation-Type".into(),
                json!("'Event'"),
            );
        }
        out.insert("RequestParameters".into(), Value::Object(mapped));
    }
    if let Some(mode) = transfer_mode.filter(|_| kind == "AWS_PROXY" || kind == "HTTP_PROXY") {
        out.insert("ResponseTransferMode".into(), json!(mode));
    }
    out
}

fn integration_responses(e: &Event) -> Vec<Value> {
    let Some(response) = e
        .response
        .as_ref()
        .filter(|_| e.integration != "MOCK" || response_given(&e.raw))
    else {
        return Vec::new();
    };
    let base = cors_response_headers(e);
    let template = response.get("template").filter(|v| truthy(v));
    e.status_codes
        .iter()
        .map(|(code, config)| {
            let mut parameters = header_parameters(&base);
            if let Some(Value::Object(h)) = config.get("headers") {
                for (k, v) in h {
                    parameters.insert(format!("method.response.header.{k}"), v.clone());
                }
            }
            let mut templates = Map::new();
            if let Some(t) = template {
                templates.insert("application/json".into(), t.clone());
            }
            match config.get("template") {
                Some(Value::String(t)) => {
                    templates.insert("application/json".into(), json!(t));
                }
                Some(Value::Object(t)) => templates.extend(t.clone()),
                _ => {}
            }
            let mut r = Map::new();
            r.insert("StatusCode".into(), json!(code));
            r.insert(
                "SelectionPattern".into(),
                config
                    .get("pattern")
                    .filter(|p| truthy(p))
                    .cloned()
                    .unwrap_or(json!("")),
            );
            r.insert("ResponseParameters".into(), Value::Object(parameters));
            r.insert("ResponseTemplates".into(), Value::Object(templates));
            if code.starts_with('2') {
                put(
                    &mut r,
                    "ContentHandling",
                    response.get("contentHandling").cloned(),
                );
            }
            Value::Object(r)
        })
        .collect()
}

fn method_responses(e: &Event) -> Vec<Value> {
    if !matches!(e.integration.as_str(), "AWS" | "HTTP" | "MOCK") {
        return Vec::new();
    }
    if e.response.is_none() || (e.integration == "MOCK" && !response_given(&e.raw)) {
        return Vec::new();
    }
    let base = cors_response_headers(e);
    e.status_codes
        .iter()
        .map(|(code, config)| {
            let mut parameters: Map<String, Value> = base
                .iter()
                .map(|(h, _)| (format!("method.response.header.{h}"), json!(true)))
                .collect();
            if let Some(Value::Object(h)) = config.get("headers") {
                for k in h.keys() {
                    parameters.insert(format!("method.response.header.{k}"), json!(true));
                }
            }
            json!({ "ResponseParameters": parameters, "ResponseModels": {}, "StatusCode": code })
        })
        .collect()
}

/// Request validators (one per service) and models: `request.parameters` with a required one, and
/// `request.schemas` (inline, or by name from `provider.apiGateway.request.schemas`).
fn request_validators(
    service: &Service,
    api: &Map<String, Value>,
    events: &[Event],
    tree: &Tree,
    rest_api_id: &Value,
    resources: &mut Map<String, Value>,
) {
    let validator_id = format!(
        "ApiGateway{}RequestValidator",
        super::alphanumeric(&service.name)
    );
    let provider_schemas = api
        .get("request")
        .and_then(|r| r.get("schemas"))
        .and_then(Value::as_object);
    for e in events {
        let resource_name = tree.resource_name(&e.path);
        let method_id = method_logical_id(&resource_name, &e.method);
        let mut validator = false;
        let mut models: Vec<(String, String)> = Vec::new();
        if let Some(p) = e
            .request
            .as_ref()
            .and_then(|r| r.get("parameters"))
            .and_then(Value::as_object)
        {
            if p.values().any(|v| truthy(&parameter_required(v))) {
                validator = true;
            }
        }
        if let Some(Value::Object(schemas)) = e.request.as_ref().and_then(|r| r.get("schemas")) {
            for (content_type, schema) in schemas {
                validator = true;
                let referenced = match schema {
                    Value::Object(_) => None,
                    other => provider_schemas
                        .and_then(|s| s.get(&text(other)))
                        .map(|d| (text(other), d)),
                };
                let model_id = match referenced {
                    Some((id, definition)) => {
                        let model_id = format!("ApiGateway{}Model", pascal_case(&id));
                        let mut props = Map::new();
                        props.insert("RestApiId".into(), rest_api_id.clone());
                        let body = definition
                            .get("schema")
                            .filter(|s| truthy(s))
                            .unwrap_or(definition);
                        props.insert("Schema".into(), body.clone());
                        props.insert("ContentType".into(), json!("application/json"));
                        put(
                            &mut props,
                            "Name",
                            definition.get("name").filter(|v| truthy(v)).cloned(),
                        );
                        put(
                            &mut props,
                            "Description",
                            definition.get("description").filter(|v| truthy(v)).cloned(),
                        );
                        resources.insert(
                            model_id.clone(),
                            json!({ "Type": "AWS::ApiGateway::Model", "Properties": props }),
                        );
                        model_id
                    }
                    None => {
                        let (name, description, definition) = match schema {
                            Value::Object(o) if o.get("schema").is_some_and(truthy) => (
                                o.get("name").cloned(),
                                o.get("description").cloned(),
                                o["schema"].clone(),
                            ),
                            other => (None, None, other.clone()),
                        };
                        let model_id = format!("{method_id}{}Model", start_case(content_type));
                        let mut props = Map::new();
                        props.insert("RestApiId".into(), rest_api_id.clone());
                        props.insert("ContentType".into(), json!(content_type));
                        props.insert("Schema".into(), definition);
                        put(&mut props, "Name", name);
                        put(&mut props, "Description", description);
                        resources.insert(
                            model_id.clone(),
                            json!({ "Type": "AWS::ApiGateway::Model", "Properties": props }),
                        );
                        model_id
                    }
                };
                models.push((content_type.clone(), model_id));
            }
        }
        if !validator {
            continue;
        }
        resources.insert(
            validator_id.clone(),
            json!({
                "Type": "AWS::ApiGateway::RequestValidator",
                "Properties": {
                    "RestApiId": rest_api_id,
                    "ValidateRequestBody": true,
                    "ValidateRequestParameters": true,
                    "Name": format!("{}-{} | Validate request body and querystring parameters", service.name, service.stage)
                }
            }),
        );
        if let Some(Value::Object(props)) = resources
            .get_mut(&method_id)
            .and_then(|m| m.get_mut("Properties"))
        {
            props.insert("RequestValidatorId".into(), json!({ "Ref": validator_id }));
            if !models.is_empty() {
                let entry = props.entry("RequestModels").or_insert_with(|| json!({}));
                for (content_type, model_id) in models {
                    entry[content_type] = json!({ "Ref": model_id });
                }
            }
        }
    }
}

fn authorizer_resource(a: &Authorizer, rest_api_id: &Value) -> Value {
    let mut props = Map::new();
    put(
        &mut props,
        "AuthorizerResultTtlInSeconds",
        a.ttl.map(|t| json!(t)),
    );
    put(&mut props, "IdentitySource", a.identity_source.clone());
    put(&mut props, "Name", a.name.clone().map(Value::String));
    props.insert("RestApiId".into(), rest_api_id.clone());
    if let Some(Value::String(expr)) = &a.identity_validation_expression {
        props.insert("IdentityValidationExpression".into(), json!(expr));
    }
    let arn = a.arn.clone().unwrap_or(Value::Null);
    if a.is_cognito() {
        props.insert("Type".into(), json!("COGNITO_USER_POOLS"));
        props.insert("ProviderARNs".into(), json!([arn]));
    } else {
        props.insert(
            "AuthorizerUri".into(),
            json!({ "Fn::Join": ["", ["arn:", { "Ref": "AWS::Partition" }, ":apigateway:", { "Ref": "AWS::Region" }, ":lambda:path/2015-03-31/functions/", arn, "/invocations"]] }),
        );
        props.insert(
            "Type".into(),
            json!(a
                .kind
                .as_deref()
                .map_or_else(|| "TOKEN".to_string(), str::to_uppercase)),
        );
    }
    let mut resource = Map::new();
    resource.insert("Type".into(), json!("AWS::ApiGateway::Authorizer"));
    put(
        &mut resource,
        "DependsOn",
        a.logical_id.clone().map(Value::String),
    );
    resource.insert("Properties".into(), Value::Object(props));
    Value::Object(resource)
}

/// The deployment's instance number. osls uses a random one, so every deploy redeploys the API;
/// slsx derives it from the API's resources, so an unchanged API is not redeployed and a changed
/// one always is.
fn deployment_instance(resources: &Map<String, Value>, method_ids: &[String]) -> u64 {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for (id, r) in resources {
        let kind = r.get("Type").and_then(Value::as_str).unwrap_or_default();
        if kind.starts_with("AWS::ApiGateway::") {
            hasher.update(id.as_bytes());
            hasher.update(crate::compile::collate::deep_sort(r).to_string().as_bytes());
        }
    }
    for id in method_ids {
        hasher.update(id.as_bytes());
    }
    let digest = hasher.finalize();
    let mut n = [0u8; 8];
    n.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(n) % 10_000_000_000_000
}

fn api_keys_and_usage_plans(
    service: &Service,
    api: &Map<String, Value>,
    rest_api_id: &Value,
    deployment_id: &str,
    resources: &mut Map<String, Value>,
) -> Result<()> {
    let keys = api.get("apiKeys").and_then(Value::as_array);
    let usage_plan = api.get("usagePlan").filter(|v| !v.is_null());
    let plans: Option<&Vec<Value>> = usage_plan.and_then(Value::as_array);
    let plan_names: Vec<String> = plans
        .map(|p| {
            p.iter()
                .filter_map(|o| o.as_object()?.keys().next().cloned())
                .collect()
        })
        .unwrap_or_default();
    let key_resource = |key: &Value| -> Value {
        let obj = key.as_object();
        let name = match key {
            Value::String(s) => Some(json!(s)),
            _ => obj.and_then(|o| o.get("name")).cloned(),
        };
        let mut props = Map::new();
        props.insert(
            "Enabled".into(),
            obj.and_then(|o| o.get("enabled"))
                .filter(|v| !v.is_null())
                .cloned()
                .unwrap_or(json!(true)),
        );
        put(&mut props, "Name", name);
        put(
            &mut props,
            "Value",
            obj.and_then(|o| o.get("value"))
                .filter(|v| truthy(v))
                .cloned(),
        );
        put(
            &mut props,
            "Description",
            obj.and_then(|o| o.get("description")).cloned(),
        );
        put(
            &mut props,
            "CustomerId",
            obj.and_then(|o| o.get("customerId")).cloned(),
        );
        props.insert(
            "StageKeys".into(),
            json!([{ "RestApiId": rest_api_id, "StageName": service.stage }]),
        );
        json!({ "Type": "AWS::ApiGateway::ApiKey", "Properties": props, "DependsOn": deployment_id })
    };
    // In a named group: { <plan name>: [keys] }.
    let group = |k: &Value| -> Option<(String, Vec<Value>)> {
        let (name, list) = k.as_object()?.iter().next()?;
        plan_names
            .contains(name)
            .then(|| (name.clone(), list.as_array().cloned().unwrap_or_default()))
    };
    if let Some(keys) = keys {
        let mut n = 0;
        for k in keys {
            match group(k) {
                Some((name, list)) => {
                    for (i, key) in list.iter().enumerate() {
                        resources.insert(
                            format!("ApiGatewayApiKey{}{}", upper_first(&name), i + 1),
                            key_resource(key),
                        );
                    }
                    n = list.len();
                }
                None => {
                    n += 1;
                    resources.insert(format!("ApiGatewayApiKey{n}"), key_resource(k));
                }
            }
        }
    }
    if usage_plan.is_none() && keys.is_none() {
        return Ok(());
    }
    let plan_resource = |name: &str| -> Value {
        let mut props = Map::new();
        props.insert(
            "ApiStages".into(),
            json!([{ "ApiId": rest_api_id, "Stage": service.stage }]),
        );
        let (limits, plan_name, description) = if name == "default" {
            (
                usage_plan.cloned(),
                format!("{}-{}", service.name, service.stage),
                format!("Usage plan for {} {} stage", service.name, service.stage),
            )
        } else {
            let limits = plans.and_then(|p| p.iter().rev().find_map(|o| o.get(name)).cloned());
            (
                limits,
                format!("{}-{name}-{}", service.name, service.stage),
                format!(
                    "Usage plan \"{name}\" for {} {} stage",
                    service.name, service.stage
                ),
            )
        };
        props.insert("Description".into(), json!(description));
        props.insert("UsagePlanName".into(), json!(plan_name));
        // `quota` and `throttle`, when not empty, with their keys renamed.
        let sections = [
            (
                "quota",
                "Quota",
                &[
                    ("limit", "Limit"),
                    ("offset", "Offset"),
                    ("period", "Period"),
                ][..],
            ),
            (
                "throttle",
                "Throttle",
                &[("burstLimit", "BurstLimit"), ("rateLimit", "RateLimit")][..],
            ),
        ];
        for (key, property, fields) in sections {
            if let Some(section) = limits
                .as_ref()
                .and_then(|l| l.get(key))
                .filter(|v| v.as_object().is_some_and(|o| !o.is_empty()))
            {
                let mut out = Map::new();
                for (from, to) in fields {
                    put(&mut out, to, section.get(*from).cloned());
                }
                props.insert(property.into(), Value::Object(out));
            }
        }
        json!({ "Type": "AWS::ApiGateway::UsagePlan", "DependsOn": deployment_id, "Properties": props })
    };
    let plan_id = |name: Option<&str>| {
        name.map_or_else(
            || "ApiGatewayUsagePlan".to_string(),
            |n| format!("ApiGatewayUsagePlan{}", upper_first(n)),
        )
    };
    let names: Vec<String> = if plans.is_some() {
        for name in &plan_names {
            resources.insert(plan_id(Some(name)), plan_resource(name));
        }
        plan_names.clone()
    } else {
        resources.insert(plan_id(None), plan_resource("default"));
        vec!["default".to_string()]
    };
    let Some(keys) = keys else { return Ok(()) };
    let mut n = 0;
    for (i, k) in keys.iter().enumerate() {
        let entry = k.as_object().and_then(|o| o.iter().next());
        let in_plans = entry.is_some_and(|(name, _)| names.contains(name));
        if let Some((name, value)) = entry {
            if !in_plans && value.is_object() {
                return Err(config_error(
                    service,
                    format!("provider.apiGateway.apiKeys.{i}"),
                    "API_GATEWAY_KEY_WITHOUT_USAGE_PLAN",
                    format!("API key \"{name}\" has no usage plan defined"),
                ));
            }
        }
        match entry.filter(|_| in_plans) {
            Some((name, list)) => {
                let count = list.as_array().map_or(0, Vec::len);
                for j in 1..=count {
                    resources.insert(
                        format!("ApiGatewayUsagePlanKey{}{j}", upper_first(name)),
                        usage_plan_key(
                            &format!("ApiGatewayApiKey{}{j}", upper_first(name)),
                            &plan_id(Some(name)),
                        ),
                    );
                }
                n = count;
            }
            None => {
                n += 1;
                resources.insert(
                    format!("ApiGatewayUsagePlanKey{n}"),
                    usage_plan_key(&format!("ApiGatewayApiKey{n}"), &plan_id(None)),
                );
            }
        }
    }
    Ok(())
}

fn usage_plan_key(key_id: &str, plan_id: &str) -> Value {
    json!({
        "Type": "AWS::ApiGateway::UsagePlanKey",
        "Properties": { "KeyId": { "Ref": key_id }, "KeyType": "API_KEY", "UsagePlanId": { "Ref": plan_id } }
    })
}

fn source_arn(rest_api_id: &Value) -> Value {
    json!({ "Fn::Join": ["", ["arn:", { "Ref": "AWS::Partition" }, ":execute-api:", { "Ref": "AWS::Region" }, ":", { "Ref": "AWS::AccountId" }, ":", rest_api_id, "/*/*"]] })
}

/// Per function an invoke permission for API Gateway, and one per Lambda authorizer.
fn permissions(events: &[Event], rest_api_id: &Value, resources: &mut Map<String, Value>) {
    for e in events {
        let alias = target_alias(e.function);
        let mut permission = json!({
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "FunctionName": lambda_target(&e.function.key, alias.as_ref()),
                "Action": "lambda:InvokeFunction",
                "Principal": "apigateway.amazonaws.com",
                "SourceArn": source_arn(rest_api_id)
            }
        });
        if let Some((id, _)) = &alias {
            permission["DependsOn"] = json!(id);
        }
        resources.insert(permission_logical_id(&e.function.key), permission);
        let Some(a) = e.authorizer.as_ref().filter(|a| a.arn.is_some()) else {
            continue;
        };
        let id = permission_logical_id(a.name.as_deref().unwrap_or("undefined"));
        if a.is_cognito() || resources.contains_key(&id) || a.managed_externally {
            continue;
        }
        let function_name = match &a.logical_id {
            Some(l) => json!({ "Ref": l }),
            None => a.arn.clone().unwrap_or(Value::Null),
        };
        resources.insert(
            id,
            json!({
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "FunctionName": function_name,
                    "Action": "lambda:InvokeFunction",
                    "Principal": "apigateway.amazonaws.com",
                    "SourceArn": source_arn(rest_api_id)
                }
            }),
        );
    }
}

/// `provider.logs.restApi`: the access log group and the custom resource that gives API Gateway
/// its CloudWatch role. (Tracing, log and tag settings of the stage are applied after the deploy.)
fn stage_resources(service: &Service, resources: &mut Map<String, Value>) {
    let provider = &service.provider.raw;
    let logs = provider
        .get("logs")
        .and_then(|l| l.get("restApi"))
        .filter(|v| truthy(v));
    let Some(logs) = logs else { return };
    if logs
        .get("accessLogging")
        .is_some_and(|v| !v.is_null() && !truthy(v))
    {
        return;
    }
    let mut props = Map::new();
    props.insert(
        "LogGroupName".into(),
        json!(format!(
            "/aws/api-gateway/{}-{}",
            service.name, service.stage
        )),
    );
    put(
        &mut props,
        "RetentionInDays",
        provider
            .get("logRetentionInDays")
            .filter(|v| truthy(v))
            .cloned(),
    );
    put(
        &mut props,
        "DataProtectionPolicy",
        provider
            .get("logDataProtectionPolicy")
            .filter(|v| truthy(v))
            .cloned(),
    );
    resources.insert(
        "ApiGatewayLogGroup".into(),
        json!({ "Type": "AWS::Logs::LogGroup", "Properties": props }),
    );
    crate::compile::custom_resources::add_api_gateway_cloudwatch_role(service, resources, logs);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_lodash() {
        assert_eq!(pascal_case("post-create-model"), "PostCreateModel");
        assert_eq!(pascal_case("UserSchema"), "UserSchema");
        assert_eq!(pascal_case("my_schema2"), "MySchema2");
        assert_eq!(start_case("application/json"), "ApplicationJson");
        assert_eq!(
            start_case("application/vnd.api+json"),
            "ApplicationVndApiJson"
        );
        assert_eq!(
            name_from_arn("arn:aws:lambda:us-east-1:1:function:svc-dev-auth"),
            "auth"
        );
        assert!(is_cognito_arn("arn:aws:cognito-idp:us-east-1:1:userpool/x"));
        assert!(!is_cognito_arn("arn:aws:lambda:us-east-1:1:function:x"));
    }
}

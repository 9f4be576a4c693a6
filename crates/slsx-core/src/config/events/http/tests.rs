//! `http` events are checked while the service loads: each configuration error carries osls's code,
//! the key path and the line of that key; a valid event comes out with osls's defaults applied.

use super::{AuthorizerTarget, HttpEvent, Integration};
use crate::config::{Event, Service};
use crate::error::Error;
use crate::load::ServiceOptions;

/// `serverless.yml` of one function `f` with the `http` event `event` (YAML at indent 10, under
/// `- http:`), after `provider` lines `provider` (indent 2) and more functions `others` (indent 2).
fn yaml(provider: &str, event: &str, others: &str) -> String {
    format!(
        "service: svc\nconfigValidationMode: off\nprovider:\n  name: aws\n{provider}functions:\n  f:\n    handler: h.h\n    events:\n      - http:\n{event}{others}"
    )
}

/// An event `path: a`, `method: get` and `more` (YAML at indent 10).
fn event(more: &str) -> String {
    yaml(
        "",
        &format!("          path: a\n          method: get\n{more}"),
        "",
    )
}

fn load(name: &str, yaml: &str) -> Result<Service, Error> {
    let dir = std::env::temp_dir().join(format!("slsx-http-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("serverless.yml"), yaml).unwrap();
    Service::load(&ServiceOptions {
        service_path: dir,
        ..Default::default()
    })
}

/// Loading fails with `code` at `path`, on the line of `path` in the file — for a key outside
/// `functions`, the (first) line that contains `line_with`. (The position finder follows keys, not
/// list items: inside an event it stops at the function's `events:`.)
fn assert_fails(name: &str, yaml: &str, code: &str, path: &str, line_with: Option<&str>) {
    let error = load(name, yaml).expect_err(name);
    assert_eq!(error.code(), code, "{name}: {}", error.render());
    let Error::Config { path: at, .. } = &error else {
        panic!("{name}: {error}")
    };
    assert_eq!(at.as_deref(), Some(path), "{name}");
    let location = error
        .location()
        .unwrap_or_else(|| panic!("{name}: no line"));
    let line = match line_with {
        Some(text) => yaml.lines().position(|l| l.contains(text)).unwrap() + 1,
        None => {
            crate::source::locate_in(&location.file, yaml, path)
                .unwrap()
                .line
        }
    };
    assert_eq!(location.line, line, "{name}: {}", error.render());
}

#[test]
fn event_errors_are_raised_at_load() {
    let short = "service: svc\nconfigValidationMode: off\nprovider:\n  name: aws\nfunctions:\n  f:\n    handler: h.h\n    events:\n      - http: GET users\n";
    let cases = [
        ("short", short.to_string(), "INVALID_HTTP_EVENT", ""),
        ("no-path", yaml("", "          method: get\n", ""), "INVALID_HTTP_EVENT", ""),
        ("missing-fn", event("          authorizer: nope\n"), "FUNCTION_MISSING_IN_SERVICE", ".authorizer"),
        ("no-name", event("          authorizer:\n            type: token\n"), "API_GATEWAY_MISSING_AUTHORIZER_NAME_OR_ARN", ".authorizer"),
        ("ref-arn", event("          authorizer:\n            arn: { Ref: X }\n"), "API_GATEWAY_MISSING_AUTHORIZER_NAME", ".authorizer"),
        ("claims", event("          authorizer:\n            arn: arn:aws:cognito-idp:us-east-1:1:userpool/p\n            claims: [email]\n"), "API_GATEWAY_INVALID_COGNITO_CLAIMS", ".authorizer.claims"),
        ("mode", event("          response:\n            transferMode: fast\n"), "API_GATEWAY_INVALID_TRANSFER_MODE", ".response.transferMode"),
        ("mode-lambda", event("          integration: lambda\n          response:\n            transferMode: stream\n"), "API_GATEWAY_TRANSFER_MODE_UNSUPPORTED_INTEGRATION", ".response.transferMode"),
        ("uri", event("          integration: http\n"), "API_GATEWAY_MISSING_REQUEST_URI", ".request.uri"),
        ("vpc-link", event("          integration: http-proxy\n          connectionType: vpc-link\n          request:\n            uri: http://x\n"), "API_GATEWAY_MISSING_CONNECTION_ID", ".connectionId"),
    ];
    for (name, yaml, code, key) in cases {
        let path = format!("functions.f.events.0.http{key}");
        assert_fails(name, &yaml, code, &path, None);
    }
}

#[test]
fn provider_errors_are_raised_at_load() {
    let http = "          path: a\n          method: get\n";
    let cases = [
        (
            "root",
            "  apiGateway:\n    restApiId: abc\n",
            "API_GATEWAY_MISSING_REST_API_ROOT_RESOURCE_ID",
            "provider.apiGateway",
            "apiGateway:",
        ),
        (
            "vpce",
            "  endpointType: regional\n  vpcEndpointIds: [vpce-1]\n",
            "API_GATEWAY_INVALID_VPC_ENDPOINT_IDS_CONFIG",
            "provider.vpcEndpointIds",
            "vpcEndpointIds",
        ),
        (
            "keys",
            "  apiGateway:\n    apiKeys:\n      - free:\n          value: k1\n",
            "API_GATEWAY_KEY_WITHOUT_USAGE_PLAN",
            "provider.apiGateway.apiKeys.0",
            "apiKeys:",
        ),
    ];
    for (name, provider, code, path, line_with) in cases {
        assert_fails(name, &yaml(provider, http, ""), code, path, Some(line_with));
    }
    // Without an http event, the endpoint and keys are not looked at (as osls, which compiles no API).
    let quiet = "service: svc\nconfigValidationMode: off\nprovider:\n  name: aws\n  endpointType: regional\n  vpcEndpointIds: [vpce-1]\nfunctions:\n  f:\n    handler: h.h\n";
    assert!(load("quiet", quiet).is_ok());
}

fn only_event(service: &Service) -> &HttpEvent {
    match &service.functions[0].events[0].event {
        Event::Http(e) => e,
        other => panic!("{other:?}"),
    }
}

#[test]
fn events_come_normalized() {
    let lambda = yaml("", "          path: /users/{id}/\n          method: POST\n          integration: lambda\n          authorizer: auth\n          cors: true\n", "  auth:\n    handler: h.a\n");
    let service = load("lambda", &lambda).unwrap();
    let e = only_event(&service);
    assert_eq!((e.path.as_str(), e.method.as_str()), ("users/{id}", "post"));
    assert_eq!(e.integration, Integration::Aws);
    assert_eq!(e.status_codes.len(), 9, "osls's default status codes");
    assert_eq!(e.request.pass_through, Some(serde_json::json!("NEVER")));
    let a = e.authorizer.as_ref().unwrap();
    assert!(matches!(&a.target, Some(AuthorizerTarget::Function(k)) if k == "auth"));
    assert_eq!(
        a.identity_source,
        Some(serde_json::json!("method.request.header.Authorization"))
    );
    let cors = e.cors.as_ref().unwrap();
    assert_eq!(cors.methods, ["OPTIONS", "POST"]);
    let short = "service: svc\nprovider:\n  name: aws\nfunctions:\n  f:\n    handler: h.h\n    events:\n      - http: GET /\n";
    let service = load("short-ok", short).unwrap();
    let e = only_event(&service);
    assert_eq!(
        (e.path.as_str(), &e.integration),
        ("", &Integration::AwsProxy)
    );
    assert!(e.response.is_none() && e.status_codes.is_empty());
}

#[test]
fn authorizer_names_follow_osls() {
    use super::authorizer::{is_cognito_arn, name_from_arn};
    assert_eq!(
        name_from_arn("arn:aws:lambda:us-east-1:1:function:svc-dev-auth"),
        "auth"
    );
    assert!(is_cognito_arn("arn:aws:cognito-idp:us-east-1:1:userpool/x"));
    assert!(!is_cognito_arn("arn:aws:lambda:us-east-1:1:function:x"));
}

//! `http` events are checked while the service loads: each configuration error carries osls's code,
//! the key path and the line of that key; a valid event comes out with osls's defaults applied.

use super::{AuthorizerTarget, HttpEvent, Integration};
use crate::config::{Event, Service, ServiceOptions};
use crate::error::Error;

/// `serverless.yml` of one function `f` with the `http` event `event` (YAML at indent 8, under
/// `- http:`), after `provider` lines `provider` (indent 2) and more functions `others` (indent 2).
fn yaml(provider: &str, event: &str, others: &str) -> String {
    format!(
        "service: svc\nconfigValidationMode: off\nprovider:\n  name: aws\n{provider}functions:\n  f:\n    handler: h.h\n    events:\n      - http:\n{event}{others}"
    )
}

fn load(name: &str, stage: Option<&str>, yaml: &str) -> Result<Service, Error> {
    let dir = std::env::temp_dir().join(format!("slsx-http-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("serverless.yml"), yaml).unwrap();
    Service::load(&ServiceOptions {
        service_path: dir,
        stage: stage.map(str::to_string),
        ..Default::default()
    })
}

/// Loading fails with `code` at `path`, on the line of `path` in the file — for a key outside
/// `functions`, the (first) line that contains `line_with`. (The position finder follows keys, not
/// list items: inside an event it stops at the function's `events:`.)
fn assert_fails(
    name: &str,
    stage: Option<&str>,
    yaml: &str,
    code: &str,
    path: &str,
    line_with: Option<&str>,
) {
    let error = load(name, stage, yaml).expect_err(name);
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
            crate::config::locate_in(&location.file, yaml, path)
                .unwrap()
                .line
        }
    };
    assert_eq!(location.line, line, "{name}: {}", error.render());
}

const EVENT: &str = "functions.f.events.0.http";

#[test]
fn event_errors_are_raised_at_load() {
    let short = "service: svc\nconfigValidationMode: off\nprovider:\n  name: aws\nfunctions:\n  f:\n    handler: h.h\n    events:\n      - http: GET users\n";
    assert_fails("short", None, short, "INVALID_HTTP_EVENT", EVENT, None);
    let no_path = yaml("", "          method: get\n", "");
    assert_fails("no-path", None, &no_path, "INVALID_HTTP_EVENT", EVENT, None);
    let missing = yaml(
        "",
        "          path: a\n          method: get\n          authorizer: nope\n",
        "",
    );
    let at = format!("{EVENT}.authorizer");
    assert_fails(
        "missing-fn",
        None,
        &missing,
        "FUNCTION_MISSING_IN_SERVICE",
        &at,
        None,
    );
    let no_name = yaml("", "          path: a\n          method: get\n          authorizer:\n            type: token\n", "");
    assert_fails(
        "no-name",
        None,
        &no_name,
        "API_GATEWAY_MISSING_AUTHORIZER_NAME_OR_ARN",
        &at,
        None,
    );
    let ref_arn = yaml("", "          path: a\n          method: get\n          authorizer:\n            arn: { Ref: X }\n", "");
    assert_fails(
        "ref-arn",
        None,
        &ref_arn,
        "API_GATEWAY_MISSING_AUTHORIZER_NAME",
        &at,
        None,
    );
    let claims = yaml("", "          path: a\n          method: get\n          authorizer:\n            arn: arn:aws:cognito-idp:us-east-1:1:userpool/p\n            claims: [email]\n", "");
    let at = format!("{EVENT}.authorizer.claims");
    assert_fails(
        "claims",
        None,
        &claims,
        "API_GATEWAY_INVALID_COGNITO_CLAIMS",
        &at,
        None,
    );
}

#[test]
fn integration_errors_are_raised_at_load() {
    let mode = yaml("", "          path: a\n          method: get\n          response:\n            transferMode: fast\n", "");
    let at = format!("{EVENT}.response.transferMode");
    assert_fails(
        "mode",
        None,
        &mode,
        "API_GATEWAY_INVALID_TRANSFER_MODE",
        &at,
        None,
    );
    let lambda = yaml("", "          path: a\n          method: get\n          integration: lambda\n          response:\n            transferMode: stream\n", "");
    assert_fails(
        "mode-lambda",
        None,
        &lambda,
        "API_GATEWAY_TRANSFER_MODE_UNSUPPORTED_INTEGRATION",
        &at,
        None,
    );
    let uri = yaml(
        "",
        "          path: a\n          method: get\n          integration: http\n",
        "",
    );
    let at = format!("{EVENT}.request.uri");
    assert_fails(
        "uri",
        None,
        &uri,
        "API_GATEWAY_MISSING_REQUEST_URI",
        &at,
        None,
    );
    let vpc = yaml("", "          path: a\n          method: get\n          integration: http-proxy\n          connectionType: vpc-link\n          request:\n            uri: http://x\n", "");
    let at = format!("{EVENT}.connectionId");
    assert_fails(
        "vpc",
        None,
        &vpc,
        "API_GATEWAY_MISSING_CONNECTION_ID",
        &at,
        None,
    );
}

#[test]
fn provider_errors_are_raised_at_load() {
    let event = "          path: a\n          method: get\n";
    let root = yaml("  apiGateway:\n    restApiId: abc\n", event, "");
    assert_fails(
        "root",
        None,
        &root,
        "API_GATEWAY_MISSING_REST_API_ROOT_RESOURCE_ID",
        "provider.apiGateway",
        Some("apiGateway:"),
    );
    let vpc = yaml(
        "  endpointType: regional\n  vpcEndpointIds: [vpce-1]\n",
        event,
        "",
    );
    assert_fails(
        "vpce",
        None,
        &vpc,
        "API_GATEWAY_INVALID_VPC_ENDPOINT_IDS_CONFIG",
        "provider.vpcEndpointIds",
        Some("vpcEndpointIds"),
    );
    let keys = yaml(
        "  apiGateway:\n    apiKeys:\n      - free:\n          value: k1\n",
        event,
        "",
    );
    assert_fails(
        "keys",
        None,
        &keys,
        "API_GATEWAY_KEY_WITHOUT_USAGE_PLAN",
        "provider.apiGateway.apiKeys.0",
        Some("apiKeys:"),
    );
    // Without an http event, the endpoint and keys are not looked at (as osls, which compiles no API).
    let quiet = "service: svc\nconfigValidationMode: off\nprovider:\n  name: aws\n  endpointType: regional\n  vpcEndpointIds: [vpce-1]\nfunctions:\n  f:\n    handler: h.h\n";
    assert!(load("quiet", None, quiet).is_ok());
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
    let service = load("lambda", None, &lambda).unwrap();
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
    let service = load("short-ok", None, short).unwrap();
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

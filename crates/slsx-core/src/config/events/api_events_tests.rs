//! The configuration errors of the `httpApi`, `websocket` and `cloudFront` events are raised while
//! the service loads — per event, or by the service-wide checks once every event is parsed — with
//! osls's codes, at the key they name and its line.

use crate::config::Service;
use crate::error::Error;
use crate::load::ServiceOptions;

/// Loads `yaml` as a service's `serverless.yml`.
fn load(name: &str, yaml: &str) -> Result<Service, Error> {
    let dir = std::env::temp_dir().join(format!("slsx-api-events-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("serverless.yml"), yaml).unwrap();
    Service::load(&ServiceOptions {
        service_path: dir,
        ..Default::default()
    })
}

/// Loading fails with `code` at `path`, on the (1-based) line of `yaml` that holds `marker` (for an
/// event, its function's `events:` line: the locator does not resolve list indices).
fn assert_refused(name: &str, yaml: &str, code: &str, path: &str, marker: &str) {
    let error = load(name, yaml)
        .err()
        .unwrap_or_else(|| panic!("{name}: loaded"));
    assert_eq!(error.code(), code, "{name}: {}", error.render());
    let Error::Config {
        path: Some(at),
        location: Some(location),
        ..
    } = &error
    else {
        panic!("{name}: no path or line: {error:?}");
    };
    assert_eq!(at, path, "{name}");
    let line = yaml
        .lines()
        .position(|l| l.contains(marker))
        .unwrap_or_else(|| panic!("{name}: no {marker:?}"))
        + 1;
    assert_eq!(location.line, line, "{name}: {}", error.render());
}

fn service(provider: &str, functions: &str) -> String {
    format!("service: svc\nprovider:\n  name: aws\n  runtime: nodejs20.x\n{provider}functions:\n{functions}")
}

#[test]
fn http_api_route_errors_are_raised_at_load() {
    let twice = service(
        "",
        "  a:\n    handler: h.a\n    events:\n      - httpApi: GET /users\n  b:\n    handler: h.b\n    events: # b\n      - httpApi: 'GET /users'\n",
    );
    assert_refused(
        "httpapi-twice",
        &twice,
        "DUPLICATE_HTTP_API_ROUTE",
        "functions.b.events.0.httpApi",
        "# b",
    );
    let catch_all_twice = service(
        "",
        "  a:\n    handler: h.a\n    events:\n      - httpApi: '*'\n      - httpApi: '*'\n",
    );
    assert!(load("httpapi-star-twice", &catch_all_twice).is_ok());
    let no_method = service(
        "",
        "  a:\n    handler: h.a\n    events:\n      - httpApi:\n          path: /users\n",
    );
    assert_refused(
        "httpapi-no-method",
        &no_method,
        "MISSING_HTTP_API_METHOD",
        "functions.a.events.0.httpApi",
        "events:",
    );
    let unknown = service(
        "",
        "  a:\n    handler: h.a\n    events:\n      - httpApi:\n          method: get\n          path: /users\n          authorizer: mine\n",
    );
    assert_refused(
        "httpapi-unknown-authorizer",
        &unknown,
        "UNRECOGNIZED_HTTP_API_AUTHORIZER",
        "functions.a.events.0.httpApi",
        "events:",
    );
}

#[test]
fn http_api_provider_errors_are_raised_at_load() {
    let request = service(
        "  httpApi:\n    authorizers:\n      mine:\n        type: request\n        functionName: missing\n",
        "  a:\n    handler: h.a\n",
    );
    assert_refused(
        "httpapi-authorizer-function",
        &request,
        "HTTP_API_CUSTOM_AUTHORIZER_FUNCTION_NOT_FOUND_IN_SERVICE",
        "provider.httpApi.authorizers.mine",
        "mine:",
    );
    // Without any route, as osls: the provider's settings are checked all the same.
    let cors = service(
        "  httpApi:\n    id: abc123\n    cors: true\n",
        "  a:\n    handler: h.a\n",
    );
    assert_refused(
        "httpapi-external-cors",
        &cors,
        "EXTERNAL_HTTP_API_CORS_CONFIG",
        "provider.httpApi.id",
        "id: abc123",
    );
    // Access logs on an external API are refused only when there are routes.
    let logs = "  httpApi:\n    id: abc123\n  logs:\n    httpApi: true\n";
    assert!(load(
        "httpapi-logs-no-routes",
        &service(logs, "  a:\n    handler: h.a\n")
    )
    .is_ok());
    let with_route = service(
        logs,
        "  a:\n    handler: h.a\n    events:\n      - httpApi: GET /x\n",
    );
    assert_refused(
        "httpapi-external-logs",
        &with_route,
        "EXTERNAL_HTTP_API_LOGS_CONFIG",
        "provider.httpApi.id",
        "id: abc123",
    );
}

#[test]
fn websocket_errors_are_raised_at_load() {
    let missing = service(
        "",
        "  a:\n    handler: h.a\n    events:\n      - websocket:\n          route: $connect\n          authorizer: auth\n",
    );
    assert_refused(
        "websocket-authorizer-missing",
        &missing,
        "FUNCTION_MISSING_IN_SERVICE",
        "functions.a.events.0.websocket.authorizer",
        "events:",
    );
    let unnamed = service(
        "",
        "  a:\n    handler: h.a\n    events:\n      - websocket:\n          route: $connect\n          authorizer:\n            arn:\n              Fn::GetAtt: [AuthLambdaFunction, Arn]\n",
    );
    assert_refused(
        "websocket-authorizer-unnamed",
        &unnamed,
        "WEBSOCKETS_MISSING_AUTHORIZER_NAME",
        "functions.a.events.0.websocket.authorizer",
        "events:",
    );
    let level = format!(
        "configValidationMode: off\n{}",
        service(
            "  logs:\n    websocket:\n      level: DEBUG\n",
            "  a:\n    handler: h.a\n    events:\n      - websocket: $default\n",
        )
    );
    assert_refused(
        "websocket-logs-level",
        &level,
        "WEBSOCKETS_INVALID_LOGS_LEVEL",
        "provider.logs.websocket.level",
        "level: DEBUG",
    );
}

const EDGE: &str = "    events:\n      - cloudFront:\n          eventType: viewer-request\n          origin: https://a.example.com\n";

#[test]
fn cloud_front_errors_are_raised_at_load() {
    let region = service(
        "  region: eu-west-1\n",
        &format!("  a:\n    handler: h.a\n{EDGE}"),
    );
    assert_refused(
        "cloudfront-region",
        &region,
        "CLOUDFRONT_INVALID_REGION",
        "provider.region",
        "region: eu-west-1",
    );
    let memory = service(
        "",
        &format!("  a:\n    handler: h.a\n    memorySize: 512\n{EDGE}"),
    );
    assert_refused(
        "cloudfront-memory",
        &memory,
        "LAMBDA_EDGE_UNSUPPORTED_MEMORY_SIZE",
        "functions.a.memorySize",
        "memorySize: 512",
    );
    let policy = service(
        "",
        "  a:\n    handler: h.a\n    events:\n      - cloudFront:\n          origin: https://a.example.com\n          cachePolicy:\n            name: nowhere\n",
    );
    assert_refused(
        "cloudfront-policy",
        &policy,
        "UNRECOGNIZED_CLOUDFRONT_CACHE_POLICY",
        "functions.a.events.0.cloudFront.cachePolicy.name",
        "events:",
    );
    let two_defaults = service(
        "",
        "  a:\n    handler: h.a\n    events:\n      - cloudFront:\n          origin: https://a.example.com\n          isDefaultOrigin: true\n      - cloudFront:\n          pathPattern: /b/*\n          origin: https://b.example.com\n          isDefaultOrigin: true\n",
    );
    assert_refused(
        "cloudfront-two-defaults",
        &two_defaults,
        "CLOUDFRONT_MULTIPLE_DEFAULT_ORIGIN_EVENTS",
        "functions.a.events.1.cloudFront",
        "events:",
    );
}

#[test]
fn cloud_front_event_types_are_unique_per_behavior_across_functions() {
    // One function's two identical associations merge into one; two functions' clash.
    let one = service("", &format!("  a:\n    handler: h.a\n{EDGE}      - cloudFront:\n          eventType: viewer-request\n          origin: https://a.example.com\n"));
    assert!(load("cloudfront-same-function", &one).is_ok());
    let two = service(
        "",
        &format!("  a:\n    handler: h.a\n{EDGE}  b:\n    handler: h.b\n{EDGE}"),
    );
    assert_refused(
        "cloudfront-two-functions",
        &two,
        "CLOUDFRONT_EVENT_TYPE_NON_UNIQUE_CACHE_BEHAVIOR",
        "functions",
        "functions:",
    );
}

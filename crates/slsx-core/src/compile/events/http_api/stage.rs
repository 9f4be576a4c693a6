//! The API's `$default` stage (auto-deployed, detailed metrics from `provider.httpApi.metrics`),
//! its access log group from `provider.logs.httpApi`, and the `HttpApiId` / `HttpApiUrl` outputs.

use serde_json::{json, Map, Value};

use super::super::put;
use super::Api;
use crate::config::{js_truthy, Service};

/// osls's access log format when `provider.logs.httpApi` gives none.
const DEFAULT_ACCESS_LOG_FORMAT: &str = r#"{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","routeKey":"$context.routeKey","status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength"}"#;

/// `provider.tags` (an object), which the API and its stage carry.
pub(super) fn tags(service: &Service) -> Option<Value> {
    let tags = &service.provider.settings.api.tags;
    tags.clone().map(Value::Object)
}

/// The access log format when `provider.logs.httpApi` turns access logs on.
pub(super) fn access_log_format(service: &Service) -> Option<Value> {
    let api = &service.provider.settings.api;
    let logs = api.http_api_logs.as_ref().filter(|v| js_truthy(v))?;
    Some(
        logs.get("format")
            .filter(|v| !v.is_null())
            .cloned()
            .unwrap_or_else(|| json!(DEFAULT_ACCESS_LOG_FORMAT)),
    )
}

/// `HttpApiLogGroup`, with the provider's retention and data protection policy.
pub(super) fn add_log_group(service: &Service, resources: &mut Map<String, Value>) {
    let name = format!("/aws/http-api/{}", service.stack_name());
    resources.insert(
        "HttpApiLogGroup".into(),
        super::super::api_log_group(service, name),
    );
}

/// `HttpApiStage` (logging to `HttpApiLogGroup` when there is a format) and the outputs.
pub(super) fn add_stage(
    service: &Service,
    api: &Api,
    access_log_format: Option<Value>,
    resources: &mut Map<String, Value>,
    outputs: &mut Map<String, Value>,
) {
    let metrics = api
        .settings
        .get("metrics")
        .filter(|v| js_truthy(v))
        .cloned()
        .unwrap_or(json!(false));
    let mut props = Map::new();
    props.insert("ApiId".into(), json!({ "Ref": "HttpApi" }));
    props.insert("StageName".into(), json!("$default"));
    props.insert("AutoDeploy".into(), json!(true));
    props.insert(
        "DefaultRouteSettings".into(),
        json!({ "DetailedMetricsEnabled": metrics }),
    );
    put(&mut props, "Tags", tags(service));
    let mut stage = Map::new();
    stage.insert("Type".into(), json!("AWS::ApiGatewayV2::Stage"));
    if let Some(format) = access_log_format {
        props.insert("AccessLogSettings".into(), json!({ "DestinationArn": { "Fn::GetAtt": ["HttpApiLogGroup", "Arn"] }, "Format": format }));
        stage.insert("DependsOn".into(), json!("HttpApiLogGroup"));
    }
    stage.insert("Properties".into(), Value::Object(props));
    resources.insert("HttpApiStage".into(), Value::Object(stage));
    outputs.insert(
        "HttpApiId".into(),
        json!({ "Description": "Id of the HTTP API", "Value": { "Ref": "HttpApi" } }),
    );
    outputs.insert(
        "HttpApiUrl".into(),
        json!({ "Description": "URL of the HTTP API", "Value": { "Fn::Join": ["", ["https://", { "Ref": "HttpApi" }, ".execute-api.", { "Ref": "AWS::Region" }, ".", { "Ref": "AWS::URLSuffix" }]] } }),
    );
}

//! The stack's stage (named after the service's stage) and, with `provider.logs.websocket`, its
//! execution and access logs: the log group and the account's API Gateway CloudWatch role.

use serde_json::{json, Map, Value};

use super::Api;
use crate::config::events::websocket::{log_flag, log_level, logs};
use crate::config::{js_truthy, Service};

pub(super) const STAGE: &str = "WebsocketsDeploymentStage";
const LOG_GROUP: &str = "WebsocketsLogGroup";
const DEFAULT_LOG_FORMAT: &str =
    "$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime] \"$context.eventType $context.routeKey $context.connectionId\" $context.requestId";

pub(super) fn add(service: &Service, api: &Api, resources: &mut Map<String, Value>) {
    let mut props = Map::new();
    props.insert("ApiId".into(), api.id.clone());
    props.insert("StageName".into(), json!(service.stage));
    props.insert("Description".into(), api.description.clone());
    let logs = logs(service);
    if let Some(logs) = logs {
        log_settings(logs, &mut props);
    }
    resources.insert(
        STAGE.into(),
        json!({ "Type": "AWS::ApiGatewayV2::Stage", "Properties": props }),
    );
    if logs.is_some() {
        add_log_group(service, resources);
    }
}

/// The stage's `DefaultRouteSettings` and, with access logging, its `AccessLogSettings`.
fn log_settings(logs: &Value, props: &mut Map<String, Value>) {
    // The level was checked while loading.
    let level = log_level(logs).unwrap_or_else(|invalid| invalid);
    props.insert(
        "DefaultRouteSettings".into(),
        json!({ "DataTraceEnabled": log_flag(logs, "fullExecutionData"), "LoggingLevel": level }),
    );
    if log_flag(logs, "accessLogging") {
        let format = logs
            .get("format")
            .filter(|v| js_truthy(v))
            .cloned()
            .unwrap_or(json!(DEFAULT_LOG_FORMAT));
        props.insert(
            "AccessLogSettings".into(),
            json!({ "DestinationArn": { "Fn::Sub": format!("arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:${{{LOG_GROUP}}}") }, "Format": format }),
        );
    }
}

/// The log group (the provider's retention and data protection policy) and the CloudWatch role.
fn add_log_group(service: &Service, resources: &mut Map<String, Value>) {
    let name = format!("/aws/websocket/{}-{}", service.name, service.stage);
    resources.insert(LOG_GROUP.into(), super::super::api_log_group(service, name));
    let api = &service.provider.settings.api;
    let rest_logs = api.rest_api_logs.clone().unwrap_or(Value::Null);
    crate::compile::custom_resources::add_api_gateway_cloudwatch_role(
        service, resources, &rest_logs,
    );
}

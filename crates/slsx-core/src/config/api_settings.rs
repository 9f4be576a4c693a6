//! The provider's settings of the APIs and event sources the event compilers and the REST API's stage
//! step read, typed at load: `apiGateway`, `httpApi`, the websocket API's name and route selection,
//! their logs and tracing, `tags` / `stackTags`, `cloudFront.cachePolicies`, `s3` and `kinesis`.
//! The sections copied into the template key by key (`apiGateway`, `httpApi`, the log settings,
//! cache policies, bucket settings) stay JSON objects.

use serde_json::{Map, Value};

use super::osls_setup::truthy;

#[derive(Debug, Clone, Default)]
pub struct ApiSettings {
    /// `apiGateway` (empty when absent).
    pub api_gateway: Map<String, Value>,
    /// `httpApi` (empty when absent).
    pub http_api: Map<String, Value>,
    /// `apiName`, when truthy, as text.
    pub api_name: Option<String>,
    /// `endpointType`, upper-cased (EDGE when absent).
    pub endpoint_type: String,
    /// `vpcEndpointIds`, when an endpoint type is given.
    pub vpc_endpoint_ids: Option<Value>,
    /// `tags`, when an object.
    pub tags: Option<Map<String, Value>>,
    /// `stackTags`, when set.
    pub stack_tags: Option<Value>,
    /// `logs.restApi` when set.
    pub rest_api_logs: Option<Value>,
    /// `logs.httpApi` when set.
    pub http_api_logs: Option<Value>,
    /// `logs.websocket` when set.
    pub websocket_logs: Option<Value>,
    /// `tracing.apiGateway` when set.
    pub rest_api_tracing: Option<Value>,
    /// `websocketsApiName` when a non-empty string.
    pub websockets_api_name: Option<String>,
    /// `websocketsApiRouteSelectionExpression` when truthy.
    pub websockets_route_selection: Option<Value>,
    /// `websocketsDescription` when truthy.
    pub websockets_description: Option<Value>,
    /// `cloudFront.cachePolicies` when an object.
    pub cache_policies: Option<Map<String, Value>>,
    /// `s3`: bucket key → its settings.
    pub s3_buckets: Map<String, Value>,
    /// `kinesis.consumerNamingMode` is truthy.
    pub kinesis_consumer_naming: bool,
}

impl ApiSettings {
    pub fn read(provider: &Map<String, Value>) -> ApiSettings {
        let object = |v: Option<&Value>| v.and_then(Value::as_object).cloned();
        let set = |v: Option<&Value>| v.filter(|v| !v.is_null()).cloned();
        let logs = provider.get("logs");
        let endpoint_type = provider.get("endpointType").and_then(Value::as_str);
        ApiSettings {
            api_gateway: object(provider.get("apiGateway")).unwrap_or_default(),
            http_api: object(provider.get("httpApi")).unwrap_or_default(),
            api_name: provider
                .get("apiName")
                .filter(|v| truthy(v))
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string)),
            endpoint_type: endpoint_type.map_or_else(|| "EDGE".into(), str::to_uppercase),
            vpc_endpoint_ids: endpoint_type.and(set(provider.get("vpcEndpointIds"))),
            tags: object(provider.get("tags")),
            stack_tags: set(provider.get("stackTags")),
            rest_api_logs: set(logs.and_then(|l| l.get("restApi"))),
            http_api_logs: set(logs.and_then(|l| l.get("httpApi"))),
            websocket_logs: set(logs.and_then(|l| l.get("websocket"))),
            rest_api_tracing: set(provider.get("tracing").and_then(|t| t.get("apiGateway"))),
            websockets_api_name: provider
                .get("websocketsApiName")
                .and_then(Value::as_str)
                .filter(|n| !n.is_empty())
                .map(str::to_string),
            websockets_route_selection: provider
                .get("websocketsApiRouteSelectionExpression")
                .filter(|v| truthy(v))
                .cloned(),
            websockets_description: provider
                .get("websocketsDescription")
                .filter(|v| truthy(v))
                .cloned(),
            cache_policies: object(
                provider
                    .get("cloudFront")
                    .and_then(|c| c.get("cachePolicies")),
            ),
            s3_buckets: object(provider.get("s3")).unwrap_or_default(),
            kinesis_consumer_naming: provider
                .get("kinesis")
                .and_then(|k| k.get("consumerNamingMode"))
                .is_some_and(truthy),
        }
    }
}

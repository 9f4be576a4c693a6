//! The REST API checks that look past one event: `provider.apiGateway` with an API made outside the
//! stack (`restApiId`), and — when some function has an `http` event — the endpoint settings and the
//! API keys' usage plans.

use serde_json::{Map, Value};

use crate::config::{error_at, Event, Service};
use crate::error::Result;

/// Checks `provider.apiGateway` and what depends on it (each function's events are parsed).
pub(in crate::config::events) fn check_service(service: &Service) -> Result<()> {
    let provider = &service.provider.raw;
    let api = provider
        .get("apiGateway")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let set = |v: Option<&Value>| v.is_some_and(|v| !v.is_null());
    let external = set(api.get("restApiId"));
    if external {
        let checks = [
            (!set(api.get("restApiRootResourceId")), "provider.apiGateway", "API_GATEWAY_MISSING_REST_API_ROOT_RESOURCE_ID", "Missing required \"provider.apiGateway.restApiRootResourceId\" property (needed if \"provider.apiGateway.restApiId\" is provided)"),
            (set(provider.get("tracing").and_then(|t| t.get("apiGateway"))), "provider.tracing.apiGateway", "API_GATEWAY_EXTERNAL_API_TRACING", "When external API Gateway resource is imported via \"provider.apiGateway.restApiId\", property \"provider.tracing.apiGateway\" is ineffective."),
            (set(provider.get("logs").and_then(|t| t.get("restApi"))), "provider.logs.restApi", "API_GATEWAY_EXTERNAL_API_LOGS", "When external API Gateway resource is imported via \"provider.apiGateway.restApiId\", property \"provider.logs.restApi\" is ineffective."),
        ];
        if let Some((_, path, code, message)) = checks.into_iter().find(|c| c.0) {
            return Err(error_at(service, path.into(), code, message.into()));
        }
    }
    let has_events = service
        .functions
        .iter()
        .flat_map(|f| &f.events)
        .any(|e| matches!(e.event, Event::Http(_)));
    if !has_events {
        return Ok(());
    }
    if !external {
        check_endpoint(service)?;
    }
    check_api_keys(service, &api)
}

/// `provider.vpcEndpointIds` are for a private API only.
fn check_endpoint(service: &Service) -> Result<()> {
    let provider = &service.provider.raw;
    let Some(kind) = provider.get("endpointType").and_then(Value::as_str) else {
        return Ok(());
    };
    if provider.get("vpcEndpointIds").is_some_and(|v| !v.is_null())
        && kind.to_uppercase() != "PRIVATE"
    {
        return Err(error_at(
            service,
            "provider.vpcEndpointIds".into(),
            "API_GATEWAY_INVALID_VPC_ENDPOINT_IDS_CONFIG",
            "VPC endpoint IDs are only available for private APIs".into(),
        ));
    }
    Ok(())
}

/// A key in a group (`{ <plan name>: [keys] }`) needs that usage plan in `usagePlan` (a list of
/// named plans; a single plan is named `default`).
fn check_api_keys(service: &Service, api: &Map<String, Value>) -> Result<()> {
    let Some(keys) = api.get("apiKeys").and_then(Value::as_array) else {
        return Ok(());
    };
    let plans: Vec<&str> = match api.get("usagePlan").and_then(Value::as_array) {
        Some(p) => p
            .iter()
            .filter_map(|o| o.as_object()?.keys().next().map(String::as_str))
            .collect(),
        None => vec!["default"],
    };
    for (i, k) in keys.iter().enumerate() {
        if let Some((name, value)) = k.as_object().and_then(|o| o.iter().next()) {
            if !plans.contains(&name.as_str()) && value.is_object() {
                return Err(error_at(
                    service,
                    format!("provider.apiGateway.apiKeys.{i}"),
                    "API_GATEWAY_KEY_WITHOUT_USAGE_PLAN",
                    format!("API key \"{name}\" has no usage plan defined"),
                ));
            }
        }
    }
    Ok(())
}

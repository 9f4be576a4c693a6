//! Event sources: each `functions.<key>.events[]` entry compiled into the resources, logical IDs and
//! execution-role statements osls@4.3.1 produces, one file per event type, run in osls's plugin order
//! (the order decides where each statement lands in the role's policy).

mod alb;
mod alexa;
mod brokers;
mod cloud_front;
mod cloudwatch_event;
mod cloudwatch_log;
mod cognito_user_pool;
mod event_bridge;
mod http;
mod http_api;
pub(crate) use http_api::normalize_path;
mod iot;
mod iot_fleet_provisioning;
mod kafka;
mod mq;
mod msk;
mod s3;
mod schedule;
mod sns;
mod sqs;
mod stream;
mod websocket;

use serde_json::{Map, Value};

use super::targets::target_alias;
use crate::config::events::{alphanumeric, as_list};
use crate::config::{Function, Service};
use crate::error::Result;

pub fn add_events(
    service: &Service,
    resources: &mut Map<String, Value>,
    outputs: &mut Map<String, Value>,
) -> Result<()> {
    schedule::compile(service, resources)?;
    s3::compile(service, resources)?;
    http::compile(service, resources, outputs)?;
    websocket::compile(service, resources, outputs)?;
    sns::compile(service, resources)?;
    stream::compile(service, resources)?;
    kafka::compile(service, resources)?;
    mq::compile(service, resources)?;
    msk::compile(service, resources)?;
    alb::compile(service, resources)?;
    alexa::compile(service, resources)?;
    iot::compile(service, resources)?;
    iot_fleet_provisioning::compile(service, resources)?;
    cloudwatch_event::compile(service, resources)?;
    cloudwatch_log::compile(service, resources)?;
    cognito_user_pool::compile(service, resources)?;
    event_bridge::compile(service, resources)?;
    sqs::compile(service, resources)?;
    cloud_front::compile(service, resources, outputs)?;
    http_api::compile(service, resources, outputs)?;
    Ok(())
}

pub(crate) use crate::config::events::events_of_type;

/// An API's access log group `name`, with the provider's retention and data protection policy.
fn api_log_group(service: &Service, name: String) -> Value {
    let settings = &service.provider.settings;
    let setting = |v: &Option<Value>| v.clone().filter(crate::config::js_truthy);
    let mut props = Map::new();
    props.insert("LogGroupName".into(), Value::String(name));
    put(
        &mut props,
        "RetentionInDays",
        setting(&settings.log_retention_in_days),
    );
    put(
        &mut props,
        "DataProtectionPolicy",
        setting(&settings.log_data_protection_policy),
    );
    serde_json::json!({ "Type": "AWS::Logs::LogGroup", "Properties": props })
}

/// The function's alias logical ID (provisioned concurrency, SnapStart), which event resources wait for.
fn alias_logical_id(f: &Function) -> Option<String> {
    target_alias(f).map(|(id, _)| id)
}

/// An `AWS::Lambda::Permission` with `properties`, waiting for the function's alias.
fn invoke_permission(f: &Function, properties: Value) -> Value {
    let mut permission = Map::new();
    permission.insert(
        "Type".into(),
        Value::String("AWS::Lambda::Permission".into()),
    );
    if let Some(a) = alias_logical_id(f) {
        permission.insert("DependsOn".into(), Value::String(a));
    }
    permission.insert("Properties".into(), properties);
    Value::Object(permission)
}

/// `{ "Pattern": JSON }` filters from `filterPatterns`.
fn filter_criteria(patterns: &Value) -> Option<Value> {
    let list = patterns.as_array()?;
    let filters: Vec<Value> = list
        .iter()
        .map(|p| serde_json::json!({ "Pattern": p.to_string() }))
        .collect();
    Some(serde_json::json!({ "Filters": filters }))
}

/// Inserts `value` under `key` when it is set.
fn put(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value.filter(|v| !v.is_null()) {
        map.insert(key.to_string(), v);
    }
}

/// osls writes some values into a JSON text template between quotes and parses it back: escapes in
/// them are read as JSON escapes. The same here, so the template says what osls's says.
fn through_template(s: &str) -> String {
    serde_json::from_str::<String>(&format!("\"{s}\"")).unwrap_or_else(|_| s.to_string())
}

/// The role resource and the alias an event source mapping waits for.
fn mapping_depends_on(service: &Service, f: &Function) -> Vec<Value> {
    let mut depends_on: Vec<Value> = Vec::new();
    depends_on.extend(super::iam::role_resource_name(service, f).map(Value::String));
    depends_on.extend(alias_logical_id(f).map(Value::String));
    depends_on
}

/// An `inputTransformer` as a target's `InputTransformer`.
fn input_transformer(t: &Map<String, Value>) -> Value {
    let mut out = Map::new();
    put(&mut out, "InputTemplate", t.get("inputTemplate").cloned());
    put(&mut out, "InputPathsMap", t.get("inputPathsMap").cloned());
    Value::Object(out)
}

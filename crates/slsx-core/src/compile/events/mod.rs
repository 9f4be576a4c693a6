//! Event sources: each `functions.<key>.events[]` entry compiled into the resources, logical IDs and
//! execution-role statements osls@4.3.1 produces, one file per event type, run in osls's plugin order
//! (the order decides where each statement lands in the role's policy).

mod alb;
mod alexa;
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

use super::functions::target_alias;
use crate::config::events::source_name;
use crate::config::events::{alphanumeric, as_list};
use crate::config::{event_error, Function, Service};
use crate::error::Result;

pub use cloud_front::is_edge;

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

/// The function's events of one `Event` variant with their index in `events`, in order:
/// `events_of_type!(f, Sqs)` gives `(usize, &SqsEvent)` items.
macro_rules! events_of_type {
    ($f:expr, $variant:ident) => {
        $f.events.iter().filter_map(|e| match &e.event {
            crate::config::Event::$variant(body) => Some((e.index, body)),
            _ => None,
        })
    };
}
#[allow(unused_imports)]
pub(crate) use events_of_type;

/// The `kind` events of a function with their index in `events`, in order (for the types whose body
/// is not typed yet).
fn events_of<'a>(f: &'a Function, kind: &'a str) -> impl Iterator<Item = (usize, &'a Value)> + 'a {
    f.events
        .iter()
        .filter(move |e| e.event.kind() == kind)
        .filter_map(|e| e.event.body().map(|b| (e.index, b)))
}

/// The function's alias logical ID (provisioned concurrency, SnapStart), which event resources wait for.
fn alias_logical_id(f: &Function) -> Option<String> {
    target_alias(f).map(|(id, _)| id)
}

/// The role resource an event source mapping must wait for (osls's
/// `resolveFunctionIamRoleResourceName`): the logical name of a custom in-stack role, nothing for a role
/// ARN, import, `Ref` or `Sub`, else the role Serverless creates.
fn role_resource_name(service: &Service, f: &Function) -> Option<String> {
    match super::iam::custom_execution_role(service, f) {
        Some(Value::String(s)) if s.contains(':') => None,
        Some(Value::String(s)) if !s.is_empty() => Some(s),
        Some(Value::Object(o)) => {
            if let Some(Value::Array(a)) = o.get("Fn::GetAtt") {
                if let [Value::String(id), Value::String(attr)] = a.as_slice() {
                    if attr == "Arn" {
                        return Some(id.clone());
                    }
                }
            }
            if o.contains_key("Fn::ImportValue")
                || o.contains_key("Ref")
                || o.contains_key("Fn::Sub")
            {
                return None;
            }
            Some(super::naming::ROLE_LAMBDA_EXECUTION.to_string())
        }
        _ => Some(super::naming::ROLE_LAMBDA_EXECUTION.to_string()),
    }
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

/// The statement letting Lambda reach an event source inside a VPC (brokers, Kafka clusters).
fn vpc_access_statement() -> Value {
    serde_json::json!({
        "Effect": "Allow",
        "Action": ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs", "ec2:DeleteNetworkInterface", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups"],
        "Resource": "*"
    })
}

/// The role resource and the alias an event source mapping waits for.
fn mapping_depends_on(service: &Service, f: &Function) -> Vec<Value> {
    let mut depends_on: Vec<Value> = Vec::new();
    depends_on.extend(role_resource_name(service, f).map(Value::String));
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

/// How many of `input`, `inputPath` and `inputTransformer` an event sets (at most one is allowed).
fn input_forms(event: &Value) -> usize {
    ["input", "inputPath", "inputTransformer"]
        .iter()
        .filter(|k| {
            event.get(**k).is_some_and(|v| {
                !v.is_null()
                    && !matches!(v, Value::String(s) if s.is_empty())
                    && v != &Value::Bool(false)
            })
        })
        .count()
}

/// What the broker and Kafka mappings share: `BatchSize` and `MaximumBatchingWindowInSeconds` when
/// set and not zero, `Enabled` when given, `FilterCriteria` and `ProvisionedPollerConfig`.
fn put_batching(props: &mut Map<String, Value>, event: &Value) {
    let get = |k: &str| event.get(k).filter(|v| !v.is_null());
    let truthy = super::functions::truthy;
    put(
        props,
        "BatchSize",
        get("batchSize").filter(|v| truthy(v)).cloned(),
    );
    put(
        props,
        "MaximumBatchingWindowInSeconds",
        get("maximumBatchingWindow").filter(|v| truthy(v)).cloned(),
    );
    put(props, "Enabled", get("enabled").cloned());
    put(
        props,
        "FilterCriteria",
        get("filterPatterns").and_then(filter_criteria),
    );
    if let Some(Value::Object(p)) = get("provisionedPollerConfig") {
        let mut out = Map::new();
        put(&mut out, "MinimumPollers", p.get("minimumPollers").cloned());
        put(&mut out, "MaximumPollers", p.get("maximumPollers").cloned());
        props.insert("ProvisionedPollerConfig".into(), Value::Object(out));
    }
}

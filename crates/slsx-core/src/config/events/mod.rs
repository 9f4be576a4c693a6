//! `functions.<key>.events`: every entry parsed while loading into an [`Event`], one variant per event
//! type, so the compilers match on types and a malformed event is an error of the load, at its line.
//!
//! An entry is `{ <type>: <body> }`; a `null` body is no event (osls skips it). Types slsx does not
//! compile yet become [`Event::Unsupported`] and a warning naming the functions that use them: their
//! events are left out of the stack rather than deployed half-done.

use serde_json::Value;

use super::{Function, Service};
use crate::error::Result;

/// One event of a function: its position in the function's `events` list and what it is.
#[derive(Debug, Clone)]
pub struct FunctionEvent {
    pub index: usize,
    pub event: Event,
}

/// An event by type. The body is the event's configuration after variables and schema coercion.
#[derive(Debug, Clone)]
pub enum Event {
    Http(Value),
    HttpApi(Value),
    Websocket(Value),
    CloudFront(Value),
    Schedule(Value),
    S3(Value),
    Sns(Value),
    Sqs(Value),
    Stream(Value),
    CloudwatchEvent(Value),
    CloudwatchLog(Value),
    EventBridge(Value),
    Iot(Value),
    IotFleetProvisioning(Value),
    AlexaSkill(Value),
    AlexaSmartHome(Value),
    ActiveMq(Value),
    RabbitMq(Value),
    Msk(Value),
    Kafka(Value),
    CognitoUserPool(Value),
    Alb(Value),
    /// A type slsx does not compile yet (the key as written).
    Unsupported(String),
}

impl Event {
    /// The event type's key in `serverless.yml`.
    pub fn kind(&self) -> &str {
        match self {
            Event::Http(_) => "http",
            Event::HttpApi(_) => "httpApi",
            Event::Websocket(_) => "websocket",
            Event::CloudFront(_) => "cloudFront",
            Event::Schedule(_) => "schedule",
            Event::S3(_) => "s3",
            Event::Sns(_) => "sns",
            Event::Sqs(_) => "sqs",
            Event::Stream(_) => "stream",
            Event::CloudwatchEvent(_) => "cloudwatchEvent",
            Event::CloudwatchLog(_) => "cloudwatchLog",
            Event::EventBridge(_) => "eventBridge",
            Event::Iot(_) => "iot",
            Event::IotFleetProvisioning(_) => "iotFleetProvisioning",
            Event::AlexaSkill(_) => "alexaSkill",
            Event::AlexaSmartHome(_) => "alexaSmartHome",
            Event::ActiveMq(_) => "activemq",
            Event::RabbitMq(_) => "rabbitmq",
            Event::Msk(_) => "msk",
            Event::Kafka(_) => "kafka",
            Event::CognitoUserPool(_) => "cognitoUserPool",
            Event::Alb(_) => "alb",
            Event::Unsupported(kind) => kind,
        }
    }

    /// The event's configuration as written (after variables and coercion); none for an unsupported type.
    pub fn body(&self) -> Option<&Value> {
        match self {
            Event::Http(v)
            | Event::HttpApi(v)
            | Event::Websocket(v)
            | Event::CloudFront(v)
            | Event::Schedule(v)
            | Event::S3(v)
            | Event::Sns(v)
            | Event::Sqs(v)
            | Event::Stream(v)
            | Event::CloudwatchEvent(v)
            | Event::CloudwatchLog(v)
            | Event::EventBridge(v)
            | Event::Iot(v)
            | Event::IotFleetProvisioning(v)
            | Event::AlexaSkill(v)
            | Event::AlexaSmartHome(v)
            | Event::ActiveMq(v)
            | Event::RabbitMq(v)
            | Event::Msk(v)
            | Event::Kafka(v)
            | Event::CognitoUserPool(v)
            | Event::Alb(v) => Some(v),
            Event::Unsupported(_) => None,
        }
    }
}

/// The events of a function, in the order of its `events` list.
pub(super) fn parse(service: &Service, f: &Function) -> Result<Vec<FunctionEvent>> {
    let mut out = Vec::new();
    let entries = f.raw.get("events").and_then(Value::as_array);
    for (index, entry) in entries.into_iter().flatten().enumerate() {
        for (kind, body) in entry.as_object().into_iter().flatten() {
            if let Some(event) = parse_one(service, f, index, kind, body)? {
                out.push(FunctionEvent { index, event });
            }
        }
    }
    Ok(out)
}

fn parse_one(
    _service: &Service,
    _f: &Function,
    _index: usize,
    kind: &str,
    body: &Value,
) -> Result<Option<Event>> {
    let known: fn(Value) -> Event = match kind {
        "http" => Event::Http,
        "httpApi" => Event::HttpApi,
        "websocket" => Event::Websocket,
        "cloudFront" => Event::CloudFront,
        "schedule" => Event::Schedule,
        "s3" => Event::S3,
        "sns" => Event::Sns,
        "sqs" => Event::Sqs,
        "stream" => Event::Stream,
        "cloudwatchEvent" => Event::CloudwatchEvent,
        "cloudwatchLog" => Event::CloudwatchLog,
        "eventBridge" => Event::EventBridge,
        "iot" => Event::Iot,
        "iotFleetProvisioning" => Event::IotFleetProvisioning,
        "alexaSkill" => Event::AlexaSkill,
        "alexaSmartHome" => Event::AlexaSmartHome,
        "activemq" => Event::ActiveMq,
        "rabbitmq" => Event::RabbitMq,
        "msk" => Event::Msk,
        "kafka" => Event::Kafka,
        "cognitoUserPool" => Event::CognitoUserPool,
        "alb" => Event::Alb,
        other => return Ok(Some(Event::Unsupported(other.to_string()))),
    };
    if body.is_null() {
        return Ok(None);
    }
    Ok(Some(known(body.clone())))
}

/// One warning per event type that is not compiled yet, naming the functions that use it.
pub(super) fn unsupported_warnings(service: &Service) -> Vec<String> {
    let mut by_type: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for f in &service.functions {
        for e in &f.events {
            if let Event::Unsupported(kind) = &e.event {
                let list = by_type.entry(kind).or_default();
                if !list.contains(&f.key.as_str()) {
                    list.push(&f.key);
                }
            }
        }
    }
    by_type
        .into_iter()
        .map(|(kind, fns)| format!("\"{kind}\" events are not supported by slsx yet and are not deployed (functions: {})", fns.join(", ")))
        .collect()
}

/// A configuration error at `functions.<key>.events.<index>.<kind>`.
pub fn event_error(
    service: &Service,
    f: &Function,
    index: usize,
    kind: &str,
    code: &'static str,
    message: String,
) -> crate::error::Error {
    super::error_at(
        service,
        format!("functions.{}.events.{index}.{kind}", f.key),
        code,
        message,
    )
}

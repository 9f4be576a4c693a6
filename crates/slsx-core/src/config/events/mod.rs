//! `functions.<key>.events`: every entry parsed while loading into an [`Event`], one variant per event
//! type, so the compilers match on types and a malformed event is an error of the load, at its line.
//!
//! An entry is `{ <type>: <body> }`; a `null` body is no event (osls skips it). Types slsx does not
//! compile yet become [`Event::Unsupported`] and a warning naming the functions that use them: their
//! events are left out of the stack rather than deployed half-done.

use serde_json::Value;

mod alb;
mod alexa;
#[cfg(test)]
mod api_events_tests;
mod body;
pub mod cloud_front;
mod cloudwatch_event;
mod cloudwatch_log;
mod cognito_user_pool;
pub mod event_bridge;
pub mod http;
pub mod http_api;
#[cfg(test)]
mod invokers_tests;
mod iot;
mod iot_fleet_provisioning;
mod kafka;
mod mapping;
mod mq;
mod msk;
mod s3;
mod schedule;
mod sns;
#[cfg(test)]
mod sources_tests;
mod sqs;
mod stream;
pub mod websocket;

pub use alb::{
    AlbAuthorizer, AlbConditions, AlbEvent, AlbIdentityProvider, CognitoUserPoolAuth, HealthCheck,
    OidcAuth,
};
pub use alexa::AlexaEvent;
pub use cloud_front::{CachePolicy, CloudFrontEvent};
pub use cloudwatch_event::CloudwatchEventEvent;
pub use cloudwatch_log::CloudwatchLogEvent;
pub use cognito_user_pool::CognitoUserPoolEvent;
pub use event_bridge::{EventBridgeEvent, EventBus, RetryPolicy};
pub use http::HttpEvent;
pub use http_api::{HttpApiEvent, RouteAuthorizer};
pub use iot::IotEvent;
pub use iot_fleet_provisioning::IotFleetProvisioningEvent;
pub use kafka::{AccessConfiguration, KafkaEvent};
pub use mapping::{Batching, ProvisionedPollers, StartingPosition};
pub use mq::BrokerEvent;
pub use msk::MskEvent;
pub use s3::{ExistingBucketEvent, NewBucketEvent, Notification, S3Event};
pub use schedule::{ScheduleEvent, ScheduleMethod};
pub use sns::{DeadLetterQueue, SnsEvent};
pub use sqs::SqsEvent;
pub use stream::{FailureDestination, StreamConsumer, StreamEvent};
pub use websocket::WebsocketEvent;

use super::{Function, Service};
use crate::error::Result;

/// One event of a function: its position in the function's `events` list and what it is.
#[derive(Debug, Clone)]
pub struct FunctionEvent {
    pub index: usize,
    pub event: Event,
}

/// An event by type. The body is the event's configuration after variables and schema coercion.
// Parsed once per event at load and read in place: the variants' sizes do not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Event {
    Http(HttpEvent),
    HttpApi(HttpApiEvent),
    Websocket(WebsocketEvent),
    CloudFront(CloudFrontEvent),
    Schedule(ScheduleEvent),
    S3(S3Event),
    Sns(SnsEvent),
    Sqs(SqsEvent),
    Stream(StreamEvent),
    CloudwatchEvent(CloudwatchEventEvent),
    CloudwatchLog(CloudwatchLogEvent),
    EventBridge(EventBridgeEvent),
    Iot(IotEvent),
    IotFleetProvisioning(IotFleetProvisioningEvent),
    AlexaSkill(AlexaEvent),
    AlexaSmartHome(AlexaEvent),
    ActiveMq(BrokerEvent),
    RabbitMq(BrokerEvent),
    Msk(MskEvent),
    Kafka(KafkaEvent),
    CognitoUserPool(CognitoUserPoolEvent),
    Alb(AlbEvent),
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
pub(crate) use events_of_type;

impl Function {
    /// A Lambda@Edge function: one with a `cloudFront` event (it is then versioned, 128 MB and 5 s
    /// by default).
    pub fn is_edge(&self) -> bool {
        self.events
            .iter()
            .any(|e| matches!(e.event, Event::CloudFront(_)))
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

/// The event types slsx compiles, as keys in `serverless.yml`.
const KINDS: [&str; 22] = [
    "http",
    "httpApi",
    "websocket",
    "cloudFront",
    "schedule",
    "s3",
    "sns",
    "sqs",
    "stream",
    "cloudwatchEvent",
    "cloudwatchLog",
    "eventBridge",
    "iot",
    "iotFleetProvisioning",
    "alexaSkill",
    "alexaSmartHome",
    "activemq",
    "rabbitmq",
    "msk",
    "kafka",
    "cognitoUserPool",
    "alb",
];

/// The checks that look at the whole service, once every function's events are parsed (a route
/// declared twice, the provider's settings of an event type), in the order osls compiles the types.
pub(super) fn check_service(service: &Service) -> Result<()> {
    http::check_service(service)?;
    websocket::check_service(service)?;
    alb::check_priorities(service)?;
    iot_fleet_provisioning::check_one_per_function(service)?;
    cloudwatch_log::check_filters_per_group(service)?;
    cognito_user_pool::check_pools(service)?;
    cloud_front::check_service(service)?;
    http_api::check_service(service)
}

/// One `{ kind: body }` of an entry: its event, none for a `null` body of a known type.
fn parse_one(
    service: &Service,
    f: &Function,
    index: usize,
    kind: &str,
    body: &Value,
) -> Result<Option<Event>> {
    if body.is_null() && KINDS.contains(&kind) {
        return Ok(None);
    }
    // Each type's parser checks its body (errors at `functions.<key>.events.<index>.<kind>`).
    Ok(Some(match kind {
        "http" => Event::Http(http::parse(service, f, index, body)?),
        "httpApi" => Event::HttpApi(http_api::parse(service, f, index, body)?),
        "websocket" => Event::Websocket(websocket::parse(service, f, index, body)?),
        "cloudFront" => Event::CloudFront(cloud_front::parse(service, f, index, body)?),
        "schedule" => Event::Schedule(schedule::parse(service, f, index, body)?),
        "s3" => match s3::parse(service, f, index, body)? {
            Some(event) => Event::S3(event),
            None => return Ok(None),
        },
        "sns" => match sns::parse(service, f, index, body)? {
            Some(event) => Event::Sns(event),
            None => return Ok(None),
        },
        "sqs" => Event::Sqs(sqs::parse(service, f, index, body)?),
        "stream" => Event::Stream(stream::parse(service, f, index, body)?),
        "cloudwatchEvent" => {
            Event::CloudwatchEvent(cloudwatch_event::parse(service, f, index, body)?)
        }
        "cloudwatchLog" => Event::CloudwatchLog(cloudwatch_log::parse(body)),
        "eventBridge" => Event::EventBridge(event_bridge::parse(service, f, index, body)?),
        "iot" => Event::Iot(iot::parse(body)),
        "iotFleetProvisioning" => Event::IotFleetProvisioning(iot_fleet_provisioning::parse(body)),
        "alexaSkill" => Event::AlexaSkill(alexa::parse(body)),
        "alexaSmartHome" => Event::AlexaSmartHome(alexa::parse(body)),
        "activemq" => Event::ActiveMq(mq::parse_activemq(body)),
        "rabbitmq" => Event::RabbitMq(mq::parse_rabbitmq(body)),
        "msk" => Event::Msk(msk::parse(service, f, index, body)?),
        "kafka" => Event::Kafka(kafka::parse(service, f, index, body)?),
        "cognitoUserPool" => {
            Event::CognitoUserPool(cognito_user_pool::parse(service, f, index, body)?)
        }
        "alb" => match alb::parse(service, f, index, body)? {
            Some(event) => Event::Alb(event),
            None => return Ok(None),
        },
        other => Event::Unsupported(other.to_string()),
    }))
}

/// One warning per event type that is not compiled yet, naming the functions that use it.
pub(crate) fn unsupported_warnings(service: &Service) -> Vec<String> {
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

/// A name the way osls derives one from an ARN-ish value: the resource named by `Fn::GetAtt`, an
/// import's name, a `Ref`, the last part of a `Fn::Join`, or the string itself.
pub fn source_name(arn: &Value, split_string: impl Fn(&str) -> String) -> Option<String> {
    match arn {
        Value::String(s) => Some(split_string(s)),
        Value::Object(o) => {
            if let Some(Value::Array(a)) = o.get("Fn::GetAtt") {
                return a.first().and_then(Value::as_str).map(str::to_string);
            }
            if let Some(v) = o.get("Fn::ImportValue") {
                return v.as_str().map(str::to_string);
            }
            if let Some(v) = o.get("Ref") {
                return v.as_str().map(str::to_string);
            }
            if let Some(Value::Array(a)) = o.get("Fn::Join") {
                return a
                    .get(1)
                    .and_then(Value::as_array)
                    .and_then(|l| l.last())
                    .and_then(Value::as_str)
                    .map(str::to_string);
            }
            None
        }
        _ => None,
    }
}

/// A JSON value as a list: arrays as they are, anything else as one item (JS `[].concat(v)`).
pub fn as_list(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a.clone(),
        other => vec![other.clone()],
    }
}

/// `name` with everything but `[0-9A-Za-z]` removed and the first letter upper-cased (osls's
/// `normalizeNameToAlphaNumericOnly`).
pub fn alphanumeric(name: &str) -> String {
    let mut out: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
    if let Some(first) = out.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    out
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

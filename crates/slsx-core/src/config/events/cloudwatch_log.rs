//! `cloudwatchLog`: a subscription filter on a log group (a name, or `logGroup` with a `filter`).
//! CloudWatch Logs allows two filters per log group: that is checked across the service.

use serde_json::Value;

use super::{event_error, Event};
use crate::config::Service;
use crate::error::Result;

/// CloudWatch Logs allows two subscription filters per log group.
const FILTERS_PER_LOG_GROUP: usize = 2;

#[derive(Debug, Clone)]
pub struct CloudwatchLogEvent {
    /// The log group (`logGroup` or the string itself), line breaks removed. None for a body that is
    /// neither: osls's schema refuses it; where the schema only warns, the event keeps its number
    /// among the function's `cloudwatchLog` events and compiles to nothing.
    pub log_group: Option<String>,
    /// `filter`, line breaks removed (empty when unset).
    pub filter: String,
}

pub(super) fn parse(body: &Value) -> CloudwatchLogEvent {
    let one_line = |s: &str| s.replace("\r\n", "").replace('\n', "");
    match body {
        Value::Object(o) => CloudwatchLogEvent {
            log_group: Some(one_line(
                o.get("logGroup")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
            )),
            filter: o
                .get("filter")
                .and_then(Value::as_str)
                .map(one_line)
                .unwrap_or_default(),
        },
        Value::String(s) => CloudwatchLogEvent {
            log_group: Some(one_line(s)),
            filter: String::new(),
        },
        _ => CloudwatchLogEvent {
            log_group: None,
            filter: String::new(),
        },
    }
}

/// More than two filters on one log group, counted over the whole service, is refused at the third.
pub(super) fn check_filters_per_group(service: &Service) -> Result<()> {
    let mut per_group: std::collections::HashMap<&str, usize> = Default::default();
    for f in &service.functions {
        for e in &f.events {
            let Event::CloudwatchLog(CloudwatchLogEvent {
                log_group: Some(group),
                ..
            }) = &e.event
            else {
                continue;
            };
            let count = per_group.entry(group).or_default();
            *count += 1;
            if *count > FILTERS_PER_LOG_GROUP {
                return Err(event_error(
                    service,
                    f,
                    e.index,
                    "cloudwatchLog",
                    "CLOUDWATCHLOG_LOG_GROUP_EVENT_PER_FUNCTION_LIMIT_EXCEEDED",
                    format!("Only {FILTERS_PER_LOG_GROUP} subscription filters can be configured per log group. You're attempting to configure more subscription filters than allowed for \"{group}\"."),
                ));
            }
        }
    }
    Ok(())
}

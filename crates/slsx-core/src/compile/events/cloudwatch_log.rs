//! `cloudwatchLog`: an `AWS::Logs::SubscriptionFilter` per log group, and one permission per function
//! for CloudWatch Logs on the groups' common prefix.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use super::{alias_logical_id, event_error, through_template};
use crate::compile::functions::{lambda_target, target_alias};
use crate::compile::naming::normalized_name;
use crate::config::Service;
use crate::error::Result;

/// CloudWatch Logs allows two subscription filters per log group.
const FILTERS_PER_LOG_GROUP: usize = 2;

/// The longest common prefix of the names, with `*` appended when there are several (osls calls it a
/// suffix).
fn common_prefix(names: &[String]) -> String {
    let Some(first) = names.first() else {
        return String::new();
    };
    let mut prefix: Vec<char> = first.chars().collect();
    for name in &names[1..] {
        let other: Vec<char> = name.chars().collect();
        let same = prefix
            .iter()
            .zip(other.iter().chain(std::iter::repeat(&'\0')))
            .take_while(|(a, b)| a == b)
            .count();
        prefix.truncate(same);
    }
    let mut out: String = prefix.into_iter().collect();
    if names.len() > 1 && !out.ends_with('*') {
        out.push('*');
    }
    out
}

pub fn compile(service: &Service, resources: &mut Map<String, Value>) -> Result<()> {
    let mut per_group: HashMap<String, usize> = HashMap::new();
    for f in &service.functions {
        let n = normalized_name(&f.key);
        let target = lambda_target(&f.key, target_alias(f).as_ref());
        let permission_id = format!("{n}LambdaPermissionLogsSubscriptionFilterCloudWatchLog");
        let mut groups = Vec::new();
        let mut number = 0;
        for (index, event) in super::events_of(f, "cloudwatchLog") {
            number += 1;
            let strip = |s: &str| s.replace("\r\n", "").replace('\n', "");
            let (group, mut filter) = match event {
                Value::Object(o) => (
                    strip(
                        o.get("logGroup")
                            .and_then(Value::as_str)
                            .unwrap_or_default(),
                    ),
                    o.get("filter")
                        .and_then(Value::as_str)
                        .map(strip)
                        .unwrap_or_default(),
                ),
                Value::String(s) => (strip(s), String::new()),
                _ => continue,
            };
            let count = per_group.entry(group.clone()).or_default();
            *count += 1;
            if *count > FILTERS_PER_LOG_GROUP {
                return Err(event_error(
                    service,
                    f,
                    index,
                    "cloudwatchLog",
                    "CLOUDWATCHLOG_LOG_GROUP_EVENT_PER_FUNCTION_LIMIT_EXCEEDED",
                    format!("Only {FILTERS_PER_LOG_GROUP} subscription filters can be configured per log group. You're attempting to configure more subscription filters than allowed for \"{group}\"."),
                ));
            }
            groups.push(group.clone());
            // A filter written with escaped quotes loses the escapes, as in osls.
            if let (Some(slash), Some(quote)) = (filter.find('\\'), filter.find('"')) {
                if quote > slash {
                    let mut out = String::new();
                    let mut chars = filter.chars().peekable();
                    while let Some(c) = chars.next() {
                        if c == '\\' && matches!(chars.peek(), Some('"' | '\\' | '\'')) {
                            out.push(chars.next().unwrap_or_default());
                        } else {
                            out.push(c);
                        }
                    }
                    filter = out;
                }
            }
            let mut depends_on = vec![json!(permission_id)];
            depends_on.extend(alias_logical_id(f).map(Value::String));
            resources.insert(
                format!("{n}LogsSubscriptionFilterCloudWatchLog{number}"),
                json!({
                    "Type": "AWS::Logs::SubscriptionFilter",
                    "DependsOn": depends_on,
                    "Properties": { "LogGroupName": through_template(&group), "FilterPattern": filter, "DestinationArn": target }
                }),
            );
            let mut permission = Map::new();
            permission.insert("Type".into(), json!("AWS::Lambda::Permission"));
            if let Some(a) = alias_logical_id(f) {
                permission.insert("DependsOn".into(), json!([a]));
            }
            permission.insert(
                "Properties".into(),
                json!({
                    "FunctionName": target,
                    "Action": "lambda:InvokeFunction",
                    "Principal": { "Fn::Join": ["", ["logs.", { "Ref": "AWS::Region" }, ".amazonaws.com"]] },
                    "SourceArn": { "Fn::Join": ["", [
                        "arn:", { "Ref": "AWS::Partition" }, ":logs:", { "Ref": "AWS::Region" }, ":", { "Ref": "AWS::AccountId" },
                        ":log-group:", through_template(&common_prefix(&groups)), ":*"
                    ]] }
                }),
            );
            resources.insert(permission_id.clone(), Value::Object(permission));
        }
    }
    Ok(())
}

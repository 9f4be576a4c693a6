//! `cloudwatchLog`: an `AWS::Logs::SubscriptionFilter` per log group, and one permission per function
//! for CloudWatch Logs on the groups' common prefix.

use serde_json::{json, Map, Value};

use super::{alias_logical_id, events_of_type, through_template};
use crate::compile::naming::normalized_name;
use crate::compile::targets::{lambda_target, target_alias};
use crate::config::Service;
use crate::error::Result;

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

/// A filter written with escaped quotes loses the escapes, as in osls (when the first quote comes
/// after the first backslash).
fn unescaped_filter(filter: &str) -> String {
    let (Some(slash), Some(quote)) = (filter.find('\\'), filter.find('"')) else {
        return filter.to_string();
    };
    if quote < slash {
        return filter.to_string();
    }
    let mut out = String::new();
    let mut chars = filter.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && matches!(chars.peek(), Some('"' | '\\' | '\'')) {
            out.push(chars.next().unwrap_or_default());
        } else {
            out.push(c);
        }
    }
    out
}

pub fn compile(service: &Service, resources: &mut Map<String, Value>) -> Result<()> {
    for f in &service.functions {
        let n = normalized_name(&f.key);
        let target = lambda_target(&f.key, target_alias(f).as_ref());
        let permission_id = format!("{n}LambdaPermissionLogsSubscriptionFilterCloudWatchLog");
        let mut groups = Vec::new();
        for (number, (_, event)) in (1..).zip(events_of_type!(f, CloudwatchLog)) {
            let Some(group) = &event.log_group else {
                continue;
            };
            groups.push(group.clone());
            let mut depends_on = vec![json!(permission_id)];
            depends_on.extend(alias_logical_id(f).map(Value::String));
            resources.insert(
                format!("{n}LogsSubscriptionFilterCloudWatchLog{number}"),
                json!({
                    "Type": "AWS::Logs::SubscriptionFilter",
                    "DependsOn": depends_on,
                    "Properties": { "LogGroupName": through_template(group), "FilterPattern": unescaped_filter(&event.filter), "DestinationArn": target }
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

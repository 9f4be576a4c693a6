//! `s3`: the buckets Serverless creates for s3 events (configured from `provider.s3`), each with a
//! notification per event, and the permission for S3 to invoke the function. Buckets marked
//! `existing: true` get their notifications through a custom resource.

use serde_json::{json, Map, Value};

use super::{alias_logical_id, alphanumeric, event_error};
use crate::compile::functions::{lambda_target, target_alias};
use crate::compile::naming::{normalized_name, upper_first};
use crate::config::Service;
use crate::error::Result;

/// Lower-case dot-separated labels of letters, digits and inner dashes, not an IPv4 address: the
/// pattern of osls's `awsS3BucketName`.
fn valid_bucket_name(name: &str) -> bool {
    let ipv4 = name.split('.').count() == 4
        && name
            .split('.')
            .all(|p| (1..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit()));
    let label_ok = |l: &str| {
        let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
        !l.is_empty()
            && l.starts_with(ok_char)
            && l.ends_with(ok_char)
            && l.chars().all(|c| ok_char(c) || c == '-')
    };
    !ipv4 && name.split('.').all(label_ok)
}

struct Subscription {
    function: usize,
    bucket_name: String,
}

pub fn compile(service: &Service, resources: &mut Map<String, Value>) -> Result<()> {
    let provider_s3 = service
        .provider
        .raw
        .get("s3")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    // Bucket name -> its notifications, in first-seen order; and which provider.s3 key named it.
    let mut buckets: Vec<(String, Vec<Value>)> = Vec::new();
    let mut refs: Map<String, Value> = Map::new();
    let mut subscriptions = Vec::new();
    for (fi, f) in service.functions.iter().enumerate() {
        let target = lambda_target(&f.key, target_alias(f).as_ref());
        for (index, event) in super::events_of(f, "s3") {
            if event
                .get("existing")
                .is_some_and(crate::compile::functions::truthy)
            {
                continue;
            }
            let mut notification = Map::new();
            let bucket_ref = match event {
                Value::Object(o) => {
                    let bucket = o.get("bucket").cloned().unwrap_or(Value::Null);
                    if bucket.is_object() {
                        return Err(event_error(service, f, index, "s3", "S3_INVALID_NEW_BUCKET_FORMAT", "When specifying \"s3.bucket\" with CloudFormation intrinsic function, you need to specify that the bucket is existing via \"existing: true\" property.".into()));
                    }
                    notification.insert(
                        "Event".into(),
                        o.get("event")
                            .filter(|v| !v.is_null())
                            .cloned()
                            .unwrap_or(json!("s3:ObjectCreated:*")),
                    );
                    notification.insert("Function".into(), target.clone());
                    if let Some(Value::Array(rules)) = o.get("rules") {
                        let rules: Vec<Value> = rules
                            .iter()
                            .filter_map(|r| {
                                r.as_object()
                                    .and_then(|r| r.iter().next())
                                    .map(|(k, v)| json!({ "Name": k, "Value": v }))
                            })
                            .collect();
                        notification
                            .insert("Filter".into(), json!({ "S3Key": { "Rules": rules } }));
                    }
                    bucket.as_str().unwrap_or_default().to_string()
                }
                Value::String(s) => {
                    notification.insert("Event".into(), json!("s3:ObjectCreated:*"));
                    notification.insert("Function".into(), target.clone());
                    s.clone()
                }
                _ => continue,
            };
            let bucket_name = match provider_s3.get(&bucket_ref) {
                Some(conf) => {
                    let name = conf
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or(&bucket_ref)
                        .to_string();
                    refs.insert(name.clone(), json!(bucket_ref));
                    name
                }
                None => bucket_ref.clone(),
            };
            if !valid_bucket_name(&bucket_name) {
                return Err(event_error(service, f, index, "s3", "S3_INVALID_BUCKET_PATTERN", format!(
                    "{bucket_name} - Bucket name must be lower-case letters, digits, dots and dashes (not an IP address). Please check provider.s3.{bucket_ref} and/or s3 events of function \"{}\".",
                    f.key
                )));
            }
            match buckets.iter_mut().find(|(n, _)| n == &bucket_name) {
                Some((_, list)) => list.push(Value::Object(notification)),
                None => buckets.push((bucket_name.clone(), vec![Value::Object(notification)])),
            }
            subscriptions.push(Subscription {
                function: fi,
                bucket_name,
            });
        }
    }
    let permission_id = |fi: usize, bucket_name: &str| {
        let key = refs
            .get(bucket_name)
            .and_then(Value::as_str)
            .unwrap_or(bucket_name);
        format!(
            "{}LambdaPermission{}S3",
            normalized_name(&service.functions[fi].key),
            alphanumeric(key)
        )
    };
    for (bucket_name, notifications) in &buckets {
        let mut conf = Map::new();
        if let Some(bucket_ref) = refs.get(bucket_name).and_then(Value::as_str) {
            for (k, v) in provider_s3
                .get(bucket_ref)
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if k != "name" {
                    conf.insert(upper_first(k), v.clone());
                }
            }
        }
        let mut notification_conf = Map::new();
        notification_conf.insert(
            "LambdaConfigurations".into(),
            Value::Array(notifications.clone()),
        );
        if let Some(Value::Object(given)) = conf.remove("NotificationConfiguration") {
            notification_conf.extend(given);
        }
        let mut props = Map::new();
        props.insert("BucketName".into(), json!(bucket_name));
        props.insert(
            "NotificationConfiguration".into(),
            Value::Object(notification_conf),
        );
        props.extend(conf);
        let mut depends_on = Vec::new();
        for s in subscriptions
            .iter()
            .filter(|s| &s.bucket_name == bucket_name)
        {
            depends_on.push(json!(permission_id(s.function, bucket_name)));
            depends_on.extend(alias_logical_id(&service.functions[s.function]).map(Value::String));
        }
        let logical_id = match refs.get(bucket_name).and_then(Value::as_str) {
            Some(r) => format!("S3Bucket{}", alphanumeric(r)),
            None => format!("S3Bucket{}", alphanumeric(bucket_name)),
        };
        resources.insert(
            logical_id,
            json!({ "Type": "AWS::S3::Bucket", "Properties": props, "DependsOn": depends_on }),
        );
    }
    for s in &subscriptions {
        let f = &service.functions[s.function];
        let mut permission = Map::new();
        permission.insert("Type".into(), json!("AWS::Lambda::Permission"));
        if let Some(a) = alias_logical_id(f) {
            permission.insert("DependsOn".into(), json!(a));
        }
        permission.insert(
            "Properties".into(),
            json!({
                "FunctionName": lambda_target(&f.key, target_alias(f).as_ref()),
                "Action": "lambda:InvokeFunction",
                "Principal": "s3.amazonaws.com",
                "SourceArn": { "Fn::Join": ["", ["arn:", { "Ref": "AWS::Partition" }, format!(":s3:::{}", s.bucket_name)]] },
                "SourceAccount": { "Ref": "AWS::AccountId" }
            }),
        );
        resources.insert(
            permission_id(s.function, &s.bucket_name),
            Value::Object(permission),
        );
    }
    existing(service, resources)
}

/// `existing: true`: one `Custom::S3` resource per function (all its events on one bucket), which
/// slsx's custom resource handler turns into notification entries on the bucket.
fn existing(service: &Service, resources: &mut Map<String, Value>) -> Result<()> {
    use crate::compile::custom_resources::{self, Kind};
    let mut statements: Vec<Value> = Vec::new();
    // Per bucket (as JSON text), the custom resources on it, in first-seen order.
    let mut per_bucket: Vec<(String, Vec<String>)> = Vec::new();
    for f in &service.functions {
        let mut current: Option<String> = None;
        let id = format!("{}CustomS31", normalized_name(&f.key));
        for (index, event) in super::events_of(f, "s3") {
            let Value::Object(o) = event else { continue };
            if !o
                .get("existing")
                .is_some_and(crate::compile::functions::truthy)
            {
                continue;
            }
            let bucket = o.get("bucket").cloned().unwrap_or(Value::Null);
            let key = bucket
                .as_str()
                .map_or_else(|| bucket.to_string(), str::to_string);
            match &current {
                None => current = Some(key.clone()),
                Some(c) if *c != key => {
                    return Err(event_error(service, f, index, "s3", "S3_MULTIPLE_BUCKETS_PER_FUNCTION", format!(
                        "Only one S3 Bucket can be configured per function. In \"{}\" you're attempting to configure \"{c}\" and \"{key}\" at the same time.", f.name
                    )));
                }
                _ => {}
            }
            let rules: Vec<Value> = o
                .get("rules")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|r| {
                    r.as_object()
                        .and_then(|r| r.iter().next())
                        .map(|(k, v)| json!({ upper_first(k): v }))
                })
                .collect();
            let config = json!({ "Event": o.get("event").filter(|v| !v.is_null()).cloned().unwrap_or(json!("s3:ObjectCreated:*")), "Rules": rules });
            custom_resources::track(&mut per_bucket, &key, &id);
            if let Some(existing) = resources.get_mut(&id) {
                if let Some(Value::Array(configs)) =
                    existing.pointer_mut("/Properties/BucketConfigs")
                {
                    configs.push(config);
                }
                continue;
            }
            let (depends_on, mut props) = custom_resources::per_function(f, Kind::ExistingS3);
            props.insert("BucketName".into(), bucket.clone());
            props.insert("BucketConfigs".into(), json!([config]));
            if o.get("forceDeploy")
                .is_some_and(crate::compile::functions::truthy)
            {
                props.insert("ForceDeploy".into(), json!(custom_resources::now_ms()));
            }
            resources.insert(id.clone(), json!({ "Type": "Custom::S3", "Version": 1, "DependsOn": depends_on, "Properties": props }));
            statements.push(json!({
                "Effect": "Allow",
                "Resource": { "Fn::Join": [":", ["arn", { "Ref": "AWS::Partition" }, "s3", "", "", bucket]] },
                "Action": ["s3:PutBucketNotification", "s3:GetBucketNotification"]
            }));
        }
    }
    if per_bucket.is_empty() {
        return Ok(());
    }
    statements.push(json!({
        "Effect": "Allow",
        "Resource": { "Fn::Join": [":", ["arn", { "Ref": "AWS::Partition" }, "lambda", { "Ref": "AWS::Region" }, { "Ref": "AWS::AccountId" }, "function", "*"]] },
        "Action": ["lambda:AddPermission", "lambda:RemovePermission"]
    }));
    custom_resources::chain(resources, per_bucket.into_iter().flat_map(|(_, ids)| ids));
    custom_resources::add(service, resources, Kind::ExistingS3, statements);
    Ok(())
}

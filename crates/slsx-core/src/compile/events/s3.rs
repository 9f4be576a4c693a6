//! `s3`: the buckets Serverless creates for s3 events (configured from `provider.s3`), each with a
//! notification per event, and the permission for S3 to invoke the function. Buckets marked
//! `existing: true` get their notifications through a custom resource.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use super::{alias_logical_id, alphanumeric, events_of_type, invoke_permission};
use crate::compile::naming::{normalized_name, upper_first};
use crate::compile::targets::{lambda_target, target_alias};
use crate::config::events::{Notification, S3Event};
use crate::config::{Function, Service};
use crate::error::Result;

/// The buckets of this stack, gathered over every function.
#[derive(Default)]
struct NewBuckets<'a> {
    /// Bucket name -> its notifications, in first-seen order.
    buckets: Vec<(String, Vec<Value>)>,
    /// Bucket name -> the `provider.s3` key that named it (the logical IDs use the key).
    keys: HashMap<String, String>,
    /// Each event's function and bucket name.
    subscriptions: Vec<(&'a Function, String)>,
}

impl NewBuckets<'_> {
    /// What the bucket's logical IDs are named after: its `provider.s3` key, else its name.
    fn id_part(&self, bucket_name: &str) -> String {
        alphanumeric(
            self.keys
                .get(bucket_name)
                .map_or(bucket_name, String::as_str),
        )
    }

    fn permission_id(&self, f: &Function, bucket_name: &str) -> String {
        format!(
            "{}LambdaPermission{}S3",
            normalized_name(&f.key),
            self.id_part(bucket_name)
        )
    }
}

pub fn compile(service: &Service, resources: &mut Map<String, Value>) -> Result<()> {
    let mut new = NewBuckets::default();
    for f in &service.functions {
        let target = lambda_target(&f.key, target_alias(f).as_ref());
        for (_, event) in events_of_type!(f, S3) {
            let S3Event::New(event) = event else {
                continue;
            };
            let mut notification = Map::new();
            notification.insert("Event".into(), event.notification.event.clone());
            notification.insert("Function".into(), target.clone());
            if let Some(rules) = &event.notification.rules {
                let rules: Vec<Value> = rules
                    .iter()
                    .map(|(k, v)| json!({ "Name": k, "Value": v }))
                    .collect();
                notification.insert("Filter".into(), json!({ "S3Key": { "Rules": rules } }));
            }
            if let Some(key) = &event.provider_key {
                new.keys.insert(event.bucket_name.clone(), key.clone());
            }
            let notification = Value::Object(notification);
            match new
                .buckets
                .iter_mut()
                .find(|(n, _)| *n == event.bucket_name)
            {
                Some((_, list)) => list.push(notification),
                None => new
                    .buckets
                    .push((event.bucket_name.clone(), vec![notification])),
            }
            new.subscriptions.push((f, event.bucket_name.clone()));
        }
    }
    add_buckets(service, &new, resources);
    add_permissions(&new, resources);
    existing(service, resources);
    Ok(())
}

/// One `AWS::S3::Bucket` per bucket, its settings from `provider.s3.<key>`.
fn add_buckets(service: &Service, new: &NewBuckets, resources: &mut Map<String, Value>) {
    let provider_s3 = &service.provider.settings.api.s3_buckets;
    for (bucket_name, notifications) in &new.buckets {
        let mut conf = Map::new();
        if let Some(key) = new.keys.get(bucket_name) {
            let given = provider_s3.get(key).and_then(Value::as_object);
            for (k, v) in given.into_iter().flatten() {
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
        for (f, _) in new.subscriptions.iter().filter(|(_, b)| b == bucket_name) {
            depends_on.push(json!(new.permission_id(f, bucket_name)));
            depends_on.extend(alias_logical_id(f).map(Value::String));
        }
        resources.insert(
            format!("S3Bucket{}", new.id_part(bucket_name)),
            json!({ "Type": "AWS::S3::Bucket", "Properties": props, "DependsOn": depends_on }),
        );
    }
}

/// The permission for S3 to invoke the function, one per event.
fn add_permissions(new: &NewBuckets, resources: &mut Map<String, Value>) {
    for (f, bucket_name) in &new.subscriptions {
        let permission = invoke_permission(
            f,
            json!({
                "FunctionName": lambda_target(&f.key, target_alias(f).as_ref()),
                "Action": "lambda:InvokeFunction",
                "Principal": "s3.amazonaws.com",
                "SourceArn": { "Fn::Join": ["", ["arn:", { "Ref": "AWS::Partition" }, format!(":s3:::{bucket_name}")]] },
                "SourceAccount": { "Ref": "AWS::AccountId" }
            }),
        );
        resources.insert(new.permission_id(f, bucket_name), permission);
    }
}

/// `existing: true`: one `Custom::S3` resource per function (all its events on one bucket, checked
/// at load), which slsx's custom resource handler turns into notification entries on the bucket.
fn existing(service: &Service, resources: &mut Map<String, Value>) {
    use crate::compile::custom_resources::{self, Kind};
    let mut statements: Vec<Value> = Vec::new();
    // Per bucket (as JSON text), the custom resources on it, in first-seen order.
    let mut per_bucket: Vec<(String, Vec<String>)> = Vec::new();
    for f in &service.functions {
        let id = format!("{}CustomS31", normalized_name(&f.key));
        for (_, event) in events_of_type!(f, S3) {
            let S3Event::Existing(event) = event else {
                continue;
            };
            let config = bucket_config(&event.notification);
            custom_resources::track(&mut per_bucket, &event.key, &id);
            if let Some(existing) = resources.get_mut(&id) {
                if let Some(Value::Array(configs)) =
                    existing.pointer_mut("/Properties/BucketConfigs")
                {
                    configs.push(config);
                }
                continue;
            }
            let (depends_on, mut props) = custom_resources::per_function(f, Kind::ExistingS3);
            props.insert("BucketName".into(), event.bucket.clone());
            props.insert("BucketConfigs".into(), json!([config]));
            if event.force_deploy {
                props.insert("ForceDeploy".into(), json!(custom_resources::now_ms()));
            }
            resources.insert(id.clone(), json!({ "Type": "Custom::S3", "Version": 1, "DependsOn": depends_on, "Properties": props }));
            statements.push(json!({
                "Effect": "Allow",
                "Resource": { "Fn::Join": [":", ["arn", { "Ref": "AWS::Partition" }, "s3", "", "", event.bucket]] },
                "Action": ["s3:PutBucketNotification", "s3:GetBucketNotification"]
            }));
        }
    }
    if per_bucket.is_empty() {
        return;
    }
    statements.push(json!({
        "Effect": "Allow",
        "Resource": { "Fn::Join": [":", ["arn", { "Ref": "AWS::Partition" }, "lambda", { "Ref": "AWS::Region" }, { "Ref": "AWS::AccountId" }, "function", "*"]] },
        "Action": ["lambda:AddPermission", "lambda:RemovePermission"]
    }));
    custom_resources::chain(resources, per_bucket.into_iter().flat_map(|(_, ids)| ids));
    custom_resources::add(service, resources, Kind::ExistingS3, statements);
}

/// An existing bucket's notification as the custom resource takes it.
fn bucket_config(notification: &Notification) -> Value {
    let rules: Vec<Value> = notification
        .rules
        .iter()
        .flatten()
        .map(|(k, v)| json!({ upper_first(k): v }))
        .collect();
    json!({ "Event": notification.event, "Rules": rules })
}

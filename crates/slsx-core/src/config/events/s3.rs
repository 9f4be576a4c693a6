//! `s3`: notifications of a bucket Serverless creates (configured from `provider.s3` when the event
//! names a key there), or with `existing: true` of a bucket made elsewhere.

use serde_json::{json, Value};

use super::body::field;
use super::event_error;
use crate::config::{js_truthy, Function, Service};
use crate::error::Result;

#[derive(Debug, Clone)]
pub enum S3Event {
    /// A bucket of this stack.
    New(NewBucketEvent),
    /// `existing: true`: a bucket made elsewhere, its notifications set through a custom resource.
    Existing(ExistingBucketEvent),
}

#[derive(Debug, Clone)]
pub struct NewBucketEvent {
    /// The bucket's name: `provider.s3.<bucket>.name` when `bucket` is a key there, else `bucket`.
    pub bucket_name: String,
    /// The `provider.s3` key the event named, when it named one (the logical IDs use it).
    pub provider_key: Option<String>,
    pub notification: Notification,
}

#[derive(Debug, Clone)]
pub struct ExistingBucketEvent {
    /// `bucket` as written: a name or a CloudFormation reference.
    pub bucket: Value,
    /// `bucket` as text: the name, or the reference as JSON (to tell buckets apart).
    pub key: String,
    pub notification: Notification,
    pub force_deploy: bool,
}

#[derive(Debug, Clone)]
pub struct Notification {
    /// `event`, else `s3:ObjectCreated:*`.
    pub event: Value,
    /// `rules` when it is a list: each rule's first key and value (`prefix` / `suffix`).
    pub rules: Option<Vec<(String, Value)>>,
}

/// The event; none for a body that is neither a mapping nor a string (only possible with validation
/// off), which osls's compiler passes over.
pub(super) fn parse(
    service: &Service,
    f: &Function,
    index: usize,
    body: &Value,
) -> Result<Option<S3Event>> {
    let err = |code, message: String| event_error(service, f, index, "s3", code, message);
    let (bucket_ref, notification) = match body {
        Value::Object(o) if o.get("existing").is_some_and(js_truthy) => {
            return existing(service, f, index, body).map(Some)
        }
        Value::Object(o) => {
            let bucket = o.get("bucket").unwrap_or(&Value::Null);
            if bucket.is_object() {
                return Err(err("S3_INVALID_NEW_BUCKET_FORMAT", "When specifying \"s3.bucket\" with CloudFormation intrinsic function, you need to specify that the bucket is existing via \"existing: true\" property.".into()));
            }
            let name = bucket.as_str().unwrap_or_default().to_string();
            (name, notification(body))
        }
        Value::String(s) => (s.clone(), notification(body)),
        _ => return Ok(None),
    };
    let provider_key = service
        .provider
        .raw
        .get("s3")
        .and_then(|s3| s3.get(&bucket_ref))
        .map(|conf| {
            let name = conf.get("name").and_then(Value::as_str);
            name.unwrap_or(&bucket_ref).to_string()
        });
    let (bucket_name, provider_key) = match provider_key {
        Some(name) => (name, Some(bucket_ref)),
        None => (bucket_ref, None),
    };
    if !valid_bucket_name(&bucket_name) {
        return Err(err("S3_INVALID_BUCKET_PATTERN", format!(
            "{bucket_name} - Bucket name must be lower-case letters, digits, dots and dashes (not an IP address). Please check provider.s3.{} and/or s3 events of function \"{}\".",
            provider_key.as_deref().unwrap_or(&bucket_name),
            f.key
        )));
    }
    Ok(Some(S3Event::New(NewBucketEvent {
        bucket_name,
        provider_key,
        notification,
    })))
}

/// An `existing: true` event: one bucket per function (the first such event's), as osls requires.
fn existing(service: &Service, f: &Function, index: usize, body: &Value) -> Result<S3Event> {
    let bucket = body.get("bucket").cloned().unwrap_or(Value::Null);
    let key = bucket_key(&bucket);
    if let Some(first) = first_existing_bucket(f, index).filter(|first| *first != key) {
        return Err(event_error(service, f, index, "s3", "S3_MULTIPLE_BUCKETS_PER_FUNCTION", format!(
            "Only one S3 Bucket can be configured per function. In \"{}\" you're attempting to configure \"{first}\" and \"{key}\" at the same time.", f.name
        )));
    }
    Ok(S3Event::Existing(ExistingBucketEvent {
        notification: notification(body),
        force_deploy: body.get("forceDeploy").is_some_and(js_truthy),
        bucket,
        key,
    }))
}

/// The bucket of the function's first `existing: true` event before `index`.
fn first_existing_bucket(f: &Function, index: usize) -> Option<String> {
    let entries = f.raw.get("events").and_then(Value::as_array)?;
    entries
        .iter()
        .take(index)
        .filter_map(|entry| entry.get("s3").filter(|b| b.is_object()))
        .find(|b| b.get("existing").is_some_and(js_truthy))
        .map(|b| bucket_key(b.get("bucket").unwrap_or(&Value::Null)))
}

fn bucket_key(bucket: &Value) -> String {
    bucket
        .as_str()
        .map_or_else(|| bucket.to_string(), str::to_string)
}

fn notification(body: &Value) -> Notification {
    let rules = field(body, "rules").and_then(Value::as_array).map(|rules| {
        rules
            .iter()
            .filter_map(|r| r.as_object().and_then(|r| r.iter().next()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    });
    Notification {
        event: field(body, "event")
            .cloned()
            .unwrap_or(json!("s3:ObjectCreated:*")),
        rules,
    }
}

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

//! The service's distribution as osls assembles it from every `cloudFront` event: origins merged by
//! `Id`, cache behaviors merged by path pattern and origin (each carrying its functions'
//! associations), those without a path pattern first, and a default behavior added when every
//! behavior has one. The compiler writes it; the load checks it (`check_service`).

use serde_json::{json, Map, Value};

use super::{CachePolicy, CloudFrontEvent};
use crate::config::{error_at, event_error, Event, Function, Service};
use crate::error::Result;

/// AWS's managed `CachingOptimized` policy, osls's default.
const DEFAULT_CACHE_POLICY: &str = "658327ea-f89d-4fab-a63d-7e88639e58f6";

pub struct Distribution<'a> {
    pub origins: Vec<Map<String, Value>>,
    /// The default behavior first, then the cache behaviors.
    pub behaviors: Vec<Map<String, Value>>,
    /// The first event naming a second default origin.
    second_default: Option<(&'a Function, usize)>,
    /// Every behavior has a path pattern and none of several origins is the default.
    no_default_origin: bool,
}

impl<'a> Distribution<'a> {
    /// The distribution of the service's `cloudFront` events, none without any. `version` names
    /// the published version a function's association runs; `policy_id` the logical ID of a
    /// cache policy of `provider.cloudFront.cachePolicies`.
    pub fn plan(
        service: &'a Service,
        version: impl Fn(&Function) -> Value,
        policy_id: impl Fn(&str) -> String,
    ) -> Option<Distribution<'a>> {
        let mut plan = Distribution {
            origins: Vec::new(),
            behaviors: Vec::new(),
            second_default: None,
            no_default_origin: false,
        };
        let mut default_origin: Option<&str> = None;
        for f in &service.functions {
            for e in &f.events {
                let Event::CloudFront(event) = &e.event else {
                    continue;
                };
                plan.add_origin(&event.origin);
                if event.is_default_origin {
                    if default_origin.is_some_and(|d| d != event.origin_id) {
                        plan.second_default.get_or_insert((f, e.index));
                    }
                    default_origin = Some(&event.origin_id);
                }
                let behavior = behavior(event, version(f), &policy_id);
                plan.add_behavior(behavior);
            }
        }
        if plan.behaviors.is_empty() {
            return None;
        }
        // Behaviors without a path pattern first (a stable sort, as JavaScript's).
        plan.behaviors
            .sort_by_key(|b| b.contains_key("PathPattern"));
        if plan.behaviors[0].contains_key("PathPattern") {
            let origin = match default_origin {
                Some(d) => d.to_string(),
                None => {
                    plan.no_default_origin = plan.origins.len() > 1;
                    plan.origins[0]["Id"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string()
                }
            };
            let mut default: Map<String, Value> = plan.behaviors[0]
                .iter()
                .filter(|(k, _)| *k != "PathPattern" && *k != "LambdaFunctionAssociations")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            default.insert("TargetOriginId".into(), json!(origin));
            plan.behaviors.insert(0, default);
        }
        Some(plan)
    }

    fn add_origin(&mut self, origin: &Map<String, Value>) {
        match self
            .origins
            .iter_mut()
            .find(|o| o.get("Id") == origin.get("Id"))
        {
            Some(existing) => extend_deep(existing, origin),
            None => self.origins.push(origin.clone()),
        }
    }

    fn add_behavior(&mut self, behavior: Map<String, Value>) {
        match self.behaviors.iter_mut().find(|b| {
            b.get("PathPattern") == behavior.get("PathPattern")
                && b.get("TargetOriginId") == behavior.get("TargetOriginId")
        }) {
            Some(existing) => extend_deep(existing, &behavior),
            None => self.behaviors.push(behavior),
        }
    }
}

/// An event's cache behavior: the user's, its cache policy, its origin, the association of the
/// function's `version`, its path pattern.
fn behavior(
    event: &CloudFrontEvent,
    version: Value,
    policy_id: impl Fn(&str) -> String,
) -> Map<String, Value> {
    let mut behavior = event.behavior.clone();
    let policy = match &event.cache_policy {
        CachePolicy::AsWritten => None,
        CachePolicy::ManagedDefault => Some(json!(DEFAULT_CACHE_POLICY)),
        CachePolicy::Id(id) => Some(id.clone()),
        CachePolicy::Named(name) => Some(json!({ "Ref": policy_id(name) })),
    };
    if let Some(p) = policy {
        behavior.insert("CachePolicyId".into(), p);
    }
    let mut association = Map::new();
    if let Some(t) = &event.event_type {
        association.insert("EventType".into(), t.clone());
    }
    association.insert("LambdaFunctionARN".into(), version);
    if let Some(b) = &event.include_body {
        association.insert("IncludeBody".into(), b.clone());
    }
    behavior.insert("TargetOriginId".into(), json!(event.origin_id));
    behavior.insert("LambdaFunctionAssociations".into(), json!([association]));
    if let Some(p) = &event.path_pattern {
        behavior.insert("PathPattern".into(), json!(p));
    }
    behavior
}

/// osls's merge of a second event into an origin or behavior: lists are joined without duplicates,
/// objects merged, values already set kept.
fn extend_deep(target: &mut Map<String, Value>, source: &Map<String, Value>) {
    for (k, v) in source {
        match (target.get_mut(k), v) {
            (Some(Value::Array(t)), Value::Array(s)) => {
                for item in s {
                    if !t.contains(item) {
                        t.push(item.clone());
                    }
                }
            }
            (Some(Value::Object(t)), Value::Object(s)) => extend_deep(t, s),
            (Some(_), _) => {}
            (None, _) => {
                target.insert(k.clone(), v.clone());
            }
        }
    }
}

/// The checks osls makes on the whole distribution, in its order. A function's published version
/// stands for itself by the function's key (each function has its own).
pub(in crate::config::events) fn check_service(service: &Service) -> Result<()> {
    let Some(plan) = Distribution::plan(service, |f| json!(f.key), str::to_string) else {
        return Ok(());
    };
    if let Some((f, index)) = plan.second_default {
        return Err(event_error(
            service,
            f,
            index,
            "cloudFront",
            "CLOUDFRONT_MULTIPLE_DEFAULT_ORIGIN_EVENTS",
            "Found more than one cloudfront event with \"isDefaultOrigin\" defined".into(),
        ));
    }
    if service.region != "us-east-1" {
        return Err(error_at(
            service,
            "provider.region".into(),
            "CLOUDFRONT_INVALID_REGION",
            "CloudFront associated functions have to be deployed to the us-east-1 region.".into(),
        ));
    }
    let functions_error =
        |code, message: &str| error_at(service, "functions".into(), code, message.to_string());
    let mut patterns: Vec<Option<&Value>> = Vec::new();
    for b in &plan.behaviors {
        let p = b.get("PathPattern");
        if patterns.contains(&p) {
            return Err(functions_error(
                "CLOUDFRONT_MULTIPLE_BEHAVIORS_FOR_SINGLE_PATH_PATTERN",
                "Found more than one behavior with the same PathPattern",
            ));
        }
        patterns.push(p);
        let associations = b
            .get("LambdaFunctionAssociations")
            .and_then(Value::as_array);
        let mut types: Vec<Option<&Value>> = Vec::new();
        for a in associations.into_iter().flatten() {
            let t = a.get("EventType");
            if types.contains(&t) {
                return Err(functions_error(
                    "CLOUDFRONT_EVENT_TYPE_NON_UNIQUE_CACHE_BEHAVIOR",
                    "The event type of a function association must be unique in the cache behavior",
                ));
            }
            types.push(t);
        }
    }
    if plan.no_default_origin {
        return Err(functions_error("CLOUDFRONT_MULTIPLE_DEFAULT_ORIGIN_EVENTS", "Found more than one origin but none of the cloudfront event has \"isDefaultOrigin\" defined"));
    }
    Ok(())
}

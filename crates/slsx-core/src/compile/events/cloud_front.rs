//! `cloudFront`: Lambda@Edge. One CloudFront distribution for the service with an origin per
//! distinct origin and a cache behavior per path pattern, each associating the function's published
//! version; cache policies from `provider.cloudFront.cachePolicies`; invoke permissions for
//! `edgelambda.amazonaws.com`; the execution role trusted by Lambda@Edge.

use serde_json::{json, Map, Value};

use super::put;
use crate::compile::functions::truthy;
use crate::compile::naming::{function_logical_id, normalized_name, ROLE_LAMBDA_EXECUTION};
use crate::config::error_at as config_error;
use crate::config::{Function, Service};
use crate::error::Result;

const DISTRIBUTION: &str = "CloudFrontDistribution";
/// AWS's managed `CachingOptimized` policy, osls's default.
const DEFAULT_CACHE_POLICY: &str = "658327ea-f89d-4fab-a63d-7e88639e58f6";

/// Whether a function has a `cloudFront` event (it is then versioned, 128 MB and 5 s by default).
pub fn is_edge(f: &Function) -> bool {
    super::events_of(f, "cloudFront").next().is_some()
}

/// Memory and timeout limits of Lambda@Edge per event type.
fn limits(event_type: &str) -> (u64, u64) {
    match event_type {
        "origin-request" | "origin-response" => (10240, 30),
        _ => (128, 5),
    }
}

/// An origin given as a URL: its host, its path when there is one, S3 or custom.
fn origin_from_url(url: &str) -> Map<String, Value> {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let host = host.split(':').next().unwrap_or(host).to_lowercase();
    let tail = &rest[end..];
    let path = tail.split(['?', '#']).next().unwrap_or_default();
    let mut o = Map::new();
    o.insert("DomainName".into(), json!(host));
    if path.len() > 1 {
        o.insert("OriginPath".into(), json!(path));
    }
    if scheme.eq_ignore_ascii_case("s3") {
        o.insert("S3OriginConfig".into(), json!({}));
    } else {
        o.insert(
            "CustomOriginConfig".into(),
            json!({ "OriginProtocolPolicy": "match-viewer" }),
        );
    }
    o
}

fn origin_id(o: &Map<String, Value>) -> String {
    let kind = if o.get("S3OriginConfig").is_some_and(truthy) {
        "s3"
    } else {
        "custom"
    };
    let domain = match o.get("DomainName") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => super::alphanumeric(&other.to_string()),
        None => super::alphanumeric("undefined"),
    };
    let path = o
        .get("OriginPath")
        .filter(|v| truthy(v))
        .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_string))
        .unwrap_or_default();
    format!("{kind}/{domain}{path}")
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

pub fn compile(
    service: &Service,
    resources: &mut Map<String, Value>,
    outputs: &mut Map<String, Value>,
) -> Result<()> {
    let provider = &service.provider.raw;
    let mut policies: Vec<String> = Vec::new();
    if let Some(Value::Object(p)) = provider
        .get("cloudFront")
        .and_then(|c| c.get("cachePolicies"))
    {
        for (name, config) in p {
            policies.push(name.clone());
            let mut c = config.as_object().cloned().unwrap_or_default();
            c.insert(
                "Name".into(),
                json!(format!("{}-{}-{name}", service.name, service.stage)),
            );
            resources.insert(
                format!("CloudFrontCachePolicy{}", normalized_name(name)),
                json!({ "Type": "AWS::CloudFront::CachePolicy", "Properties": { "CachePolicyConfig": c } }),
            );
        }
    }

    let mut origins: Vec<Map<String, Value>> = Vec::new();
    let mut behaviors: Vec<Map<String, Value>> = Vec::new();
    let mut default_origin: Option<String> = None;
    let mut edge_functions: Vec<(String, String)> = Vec::new();
    for f in &service.functions {
        for (index, event) in super::events_of(f, "cloudFront") {
            let at = format!("functions.{}.events.{index}.cloudFront", f.key);
            let event_type = event.get("eventType").and_then(Value::as_str);
            let (max_memory, max_timeout) = limits(event_type.unwrap_or("default"));
            let shown = event_type.unwrap_or("default");
            if f.memory_size.is_some_and(|m| m > max_memory) {
                return Err(config_error(service, format!("functions.{}.memorySize", f.key), "LAMBDA_EDGE_UNSUPPORTED_MEMORY_SIZE", format!("\"{}\" memorySize is greater than {max_memory} which is not supported by Lambda@Edge functions of type \"{shown}\"", f.key)));
            }
            if f.timeout.is_some_and(|t| t > max_timeout) {
                return Err(config_error(service, format!("functions.{}.timeout", f.key), "LAMBDA_EDGE_UNSUPPORTED_TIMEOUT_VALUE", format!("\"{}\" timeout is greater than {max_timeout} which is not supported by Lambda@Edge functions of type \"{shown}\"", f.key)));
            }
            let function_id = function_logical_id(&f.key);
            if let Some(r) = resources.get_mut(&function_id) {
                if let Some(Value::Object(p)) = r.get_mut("Properties") {
                    p.remove("VpcConfig");
                    p.remove("Environment");
                }
                r["DeletionPolicy"] = json!("Retain");
            }
            let version_id = resources
                .iter()
                .find(|(_, r)| {
                    r["Type"] == "AWS::Lambda::Version"
                        && r.pointer("/Properties/FunctionName/Ref")
                            .and_then(Value::as_str)
                            == Some(function_id.as_str())
                })
                .map(|(k, _)| k.clone())
                .unwrap_or_default();

            let origin = match event.get("origin") {
                Some(Value::String(u)) => origin_from_url(u),
                Some(Value::Object(o)) => o.clone(),
                _ => Map::new(),
            };
            let mut origin = origin;
            let id = origin_id(&origin);
            origin.insert("Id".into(), json!(id));
            match origins.iter_mut().find(|o| o.get("Id") == Some(&json!(id))) {
                Some(existing) => extend_deep(existing, &origin),
                None => origins.push(origin),
            }
            if event.get("isDefaultOrigin").is_some_and(truthy) {
                if default_origin.as_ref().is_some_and(|d| *d != id) {
                    return Err(config_error(
                        service,
                        at,
                        "CLOUDFRONT_MULTIPLE_DEFAULT_ORIGIN_EVENTS",
                        "Found more than one cloudfront event with \"isDefaultOrigin\" defined"
                            .into(),
                    ));
                }
                default_origin = Some(id.clone());
            }

            let mut behavior = Map::new();
            behavior.insert("ViewerProtocolPolicy".into(), json!("allow-all"));
            let user = event.get("behavior").and_then(Value::as_object);
            let mut assign_default_policy = true;
            if let Some(b) = user {
                behavior.extend(b.clone());
                if b.get("CachePolicyId").is_some_and(truthy) {
                    assign_default_policy = false;
                }
                if b.get("ForwardedValues").is_some_and(truthy)
                    || ["MaxTTL", "MinTTL", "DefaultTTL"]
                        .iter()
                        .any(|k| b.get(*k).is_some_and(|v| !v.is_null()))
                {
                    assign_default_policy = false;
                }
            }
            if let Some(policy) = event.get("cachePolicy").and_then(Value::as_object) {
                let id = policy.get("id").filter(|v| truthy(v)).cloned();
                let name = policy.get("name").and_then(Value::as_str);
                if let Some(n) = name {
                    if !policies.iter().any(|p| p == n) {
                        return Err(config_error(
                            service,
                            format!("{at}.cachePolicy.name"),
                            "UNRECOGNIZED_CLOUDFRONT_CACHE_POLICY",
                            format!("Event references not configured cache policy '{n}'"),
                        ));
                    }
                }
                let value = id.unwrap_or_else(|| json!({ "Ref": format!("CloudFrontCachePolicy{}", normalized_name(name.unwrap_or("undefined"))) }));
                behavior.insert("CachePolicyId".into(), value);
                assign_default_policy = false;
            }
            if assign_default_policy {
                behavior.insert("CachePolicyId".into(), json!(DEFAULT_CACHE_POLICY));
            }
            let mut association = Map::new();
            put(
                &mut association,
                "EventType",
                event.get("eventType").cloned(),
            );
            association.insert("LambdaFunctionARN".into(), json!({ "Ref": version_id }));
            put(
                &mut association,
                "IncludeBody",
                event.get("includeBody").cloned(),
            );
            behavior.insert("TargetOriginId".into(), json!(id));
            behavior.insert("LambdaFunctionAssociations".into(), json!([association]));
            if let Some(p) = event.get("pathPattern").and_then(Value::as_str) {
                behavior.insert("PathPattern".into(), json!(p));
            }
            match behaviors.iter_mut().find(|b| {
                b.get("PathPattern") == behavior.get("PathPattern")
                    && b.get("TargetOriginId") == behavior.get("TargetOriginId")
            }) {
                Some(existing) => extend_deep(existing, &behavior),
                None => behaviors.push(behavior),
            }
            edge_functions.push((f.key.clone(), version_id));
        }
    }
    if edge_functions.is_empty() {
        return Ok(());
    }
    // Behaviors without a path pattern first (a stable sort, as JavaScript's).
    behaviors.sort_by_key(|b| b.contains_key("PathPattern"));
    if service.region != "us-east-1" {
        return Err(config_error(
            service,
            "provider.region".into(),
            "CLOUDFRONT_INVALID_REGION",
            "CloudFront associated functions have to be deployed to the us-east-1 region.".into(),
        ));
    }
    let mut patterns: Vec<Option<&Value>> = Vec::new();
    for b in &behaviors {
        let p = b.get("PathPattern");
        if patterns.contains(&p) {
            return Err(config_error(
                service,
                "functions".into(),
                "CLOUDFRONT_MULTIPLE_BEHAVIORS_FOR_SINGLE_PATH_PATTERN",
                "Found more than one behavior with the same PathPattern".into(),
            ));
        }
        patterns.push(p);
        let associations = b
            .get("LambdaFunctionAssociations")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut types: Vec<Option<&Value>> = Vec::new();
        for a in &associations {
            let t = a.get("EventType");
            if types.contains(&t) {
                return Err(config_error(
                    service,
                    "functions".into(),
                    "CLOUDFRONT_EVENT_TYPE_NON_UNIQUE_CACHE_BEHAVIOR",
                    "The event type of a function association must be unique in the cache behavior"
                        .into(),
                ));
            }
            types.push(t);
        }
    }
    if behaviors[0].contains_key("PathPattern") {
        let origin = match default_origin {
            Some(d) => d,
            None if origins.len() > 1 => {
                return Err(config_error(service, "functions".into(), "CLOUDFRONT_MULTIPLE_DEFAULT_ORIGIN_EVENTS", "Found more than one origin but none of the cloudfront event has \"isDefaultOrigin\" defined".into()));
            }
            None => origins[0]["Id"].as_str().unwrap_or_default().to_string(),
        };
        let mut default: Map<String, Value> = behaviors[0]
            .iter()
            .filter(|(k, _)| *k != "PathPattern" && *k != "LambdaFunctionAssociations")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        default.insert("TargetOriginId".into(), json!(origin));
        behaviors.insert(0, default);
    }
    for (key, version_id) in &edge_functions {
        resources.insert(
            format!("{}InvokePermission", function_logical_id(key)),
            json!({
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "FunctionName": { "Ref": version_id },
                    "Action": "lambda:InvokeFunction",
                    "Principal": "edgelambda.amazonaws.com",
                    "SourceArn": { "Fn::Join": ["", ["", "arn:", { "Ref": "AWS::Partition" }, ":cloudfront::", { "Ref": "AWS::AccountId" }, ":distribution/", { "Ref": DISTRIBUTION }]] }
                }
            }),
        );
    }
    if let Some(role) = resources.get_mut(ROLE_LAMBDA_EXECUTION) {
        if let Some(Value::Array(statements)) =
            role.pointer_mut("/Properties/AssumeRolePolicyDocument/Statement")
        {
            let lambda = json!("lambda.amazonaws.com");
            if let Some(Value::Array(services)) = statements.iter_mut().find_map(|s| {
                s.pointer_mut("/Principal/Service")
                    .filter(|v| v.as_array().is_some_and(|a| a.contains(&lambda)))
            }) {
                services.push(json!("edgelambda.amazonaws.com"));
            }
        }
        crate::compile::iam::push_statement(
            resources,
            json!({ "Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:TagResource"], "Resource": [{ "Fn::Sub": "arn:${AWS::Partition}:logs:*:*:*" }] }),
            false,
        );
    }
    let mut config = Map::new();
    config.insert(
        "Comment".into(),
        json!(format!("{} {}", service.name, service.stage)),
    );
    config.insert("Enabled".into(), json!(true));
    config.insert(
        "DefaultCacheBehavior".into(),
        Value::Object(behaviors[0].clone()),
    );
    config.insert("Origins".into(), json!(origins));
    if behaviors.len() > 1 {
        config.insert("CacheBehaviors".into(), json!(behaviors[1..]));
    }
    resources.insert(DISTRIBUTION.into(), json!({ "Type": "AWS::CloudFront::Distribution", "Properties": { "DistributionConfig": config } }));
    outputs.insert(
        DISTRIBUTION.into(),
        json!({ "Description": "CloudFront Distribution Id", "Value": { "Ref": DISTRIBUTION } }),
    );
    outputs.insert(
        "CloudFrontDistributionDomainName".into(),
        json!({ "Description": "CloudFront Distribution Domain Name", "Value": { "Fn::GetAtt": [DISTRIBUTION, "DomainName"] } }),
    );
    Ok(())
}

//! `alb`: per event a target group for the function on an existing Application Load Balancer's
//! listener and a listener rule (conditions, Cognito / OIDC authentication, forward), and per function
//! the permissions for the load balancer to register and invoke it.

use md5::{Digest, Md5};
use serde_json::{json, Map, Value};

use super::{alias_logical_id, as_list, event_error, put};
use crate::compile::functions::{lambda_target, target_alias, truthy};
use crate::compile::naming::normalized_name;
use crate::config::{Function, Service};
use crate::error::Result;

/// The load balancer and listener IDs from a listener ARN (or a `Ref`'s name for both).
fn listener_ids(arn: &Value) -> Option<(String, String)> {
    if let Some(r) = arn.get("Ref").and_then(Value::as_str) {
        return Some((r.to_string(), r.to_string()));
    }
    let s = arn.as_str()?;
    if !s.starts_with("arn:aws") || !s.contains(":elasticloadbalancing:") {
        return None;
    }
    let rest = &s[s.find(":listener/app/")? + ":listener/app/".len()..];
    let parts: Vec<&str> = rest.split('/').collect();
    let word = |p: &str| {
        !p.is_empty()
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    match parts.as_slice() {
        [name, alb, listener] if word(name) && word(alb) && word(listener) => {
            Some((alb.to_string(), listener.to_string()))
        }
        _ => None,
    }
}

struct AlbEvent<'a> {
    function: &'a Function,
    index: usize,
    alb_id: String,
    listener_id: String,
    event: &'a Value,
    multi_value: bool,
}

impl AlbEvent<'_> {
    fn target_group_id(&self) -> String {
        format!(
            "{}Alb{}TargetGroup{}",
            normalized_name(&self.function.key),
            if self.multi_value { "MultiValue" } else { "" },
            self.alb_id
        )
    }
}

pub fn compile(service: &Service, resources: &mut Map<String, Value>) -> Result<()> {
    let provider_alb = service
        .provider
        .raw
        .get("alb")
        .cloned()
        .unwrap_or(Value::Null);
    let prefix = provider_alb
        .get("targetGroupPrefix")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let authorizers = provider_alb
        .get("authorizers")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut events = Vec::new();
    for f in &service.functions {
        for (index, event) in super::events_of(f, "alb") {
            if !event.is_object() {
                continue;
            }
            let err = |code, message: String| event_error(service, f, index, "alb", code, message);
            let (alb_id, listener_id) = listener_ids(
                event.get("listenerArn").unwrap_or(&Value::Null),
            )
            .ok_or_else(|| {
                err(
                    "ALB_INVALID_LISTENER_ARN",
                    format!("Invalid ALB listenerArn in function \"{}\".", f.key),
                )
            })?;
            if event
                .get("conditions")
                .and_then(Value::as_object)
                .is_none_or(Map::is_empty)
            {
                return Err(err("ALB_NO_CONDITIONS", format!("Cannot setup \"alb\" event in \"{}\" function: At least one condition must be defined", f.key)));
            }
            if event.get("targetGroupName").is_some_and(truthy) && !prefix.is_empty() {
                return Err(err("ALB_TARGET_GROUP_NAME_EXCLUSIVE", "ALB \"targetGroupName\" setting is exclusive with \"provider.alb.targetGroupPrefix\": Please specify only one.".into()));
            }
            for name in event.get("authorizer").map(as_list).unwrap_or_default() {
                let name = name.as_str().unwrap_or_default();
                if !authorizers.contains_key(name) {
                    return Err(err("ALB_MISSING_AUTHORIZER", format!("No match for \"{name}\" in function \"{}\" found in registered ALB authorizers", f.key)));
                }
            }
            let multi_value = event.get("multiValueHeaders").is_some_and(truthy);
            events.push(AlbEvent {
                function: f,
                index,
                alb_id,
                listener_id,
                event,
                multi_value,
            });
        }
    }
    // The same priority twice: in one function across listeners, or on one listener across functions.
    for (i, e) in events.iter().enumerate() {
        let clash = events[..i].iter().find(|o| {
            o.event.get("priority") == e.event.get("priority")
                && ((o.listener_id != e.listener_id && o.function.key == e.function.key)
                    || (o.listener_id == e.listener_id && o.function.key != e.function.key))
        });
        if clash.is_some() {
            let priority = e
                .event
                .get("priority")
                .map(Value::to_string)
                .unwrap_or_default();
            return Err(event_error(service, e.function, e.index, "alb", "ALB_PRIORITY_ALREADY_IN_USE", format!(
                "ALB event in function \"{}\" cannot use priority \"{priority}\" because it is already in use.",
                e.function.key
            )));
        }
    }

    for e in &events {
        let f = e.function;
        let n = normalized_name(&f.key);
        let target = lambda_target(&f.key, target_alias(f).as_ref());
        let register_id = format!("{n}LambdaPermissionRegisterTarget");
        // Target group.
        let tag_value = |multi: bool| {
            format!(
                "{}-{}-{}-{}{}",
                service.name,
                f.key,
                e.alb_id,
                if multi { "multi-value-" } else { "" },
                service.stage
            )
        };
        let name = match e.event.get("targetGroupName").filter(|v| truthy(v)) {
            Some(n) => n.clone(),
            None => {
                let generated = format!(
                    "{prefix}{}",
                    hex::encode(Md5::digest(tag_value(e.multi_value).as_bytes()))
                );
                json!(generated.chars().take(32).collect::<String>())
            }
        };
        let mut props = Map::new();
        props.insert("TargetType".into(), json!("lambda"));
        props.insert("Targets".into(), json!([{ "Id": target }]));
        props.insert("Name".into(), name);
        props.insert(
            "Tags".into(),
            json!([{ "Key": "Name", "Value": tag_value(false) }]),
        );
        props.insert(
            "TargetGroupAttributes".into(),
            json!([{ "Key": "lambda.multi_value_headers.enabled", "Value": e.multi_value }]),
        );
        props.insert("HealthCheckEnabled".into(), json!(false));
        if let Some(h) = e.event.get("healthCheck").filter(|v| truthy(v)) {
            let h = h.as_object().cloned().unwrap_or_default();
            let given = |k: &str| h.get(k).filter(|v| !v.is_null()).cloned();
            props.insert(
                "HealthCheckEnabled".into(),
                given("enabled").unwrap_or(json!(true)),
            );
            props.insert(
                "HealthCheckPath".into(),
                given("path").unwrap_or(json!("/")),
            );
            props.insert(
                "HealthCheckIntervalSeconds".into(),
                given("intervalSeconds").unwrap_or(json!(35)),
            );
            props.insert(
                "HealthCheckTimeoutSeconds".into(),
                given("timeoutSeconds").unwrap_or(json!(30)),
            );
            props.insert(
                "HealthyThresholdCount".into(),
                given("healthyThresholdCount").unwrap_or(json!(5)),
            );
            props.insert(
                "UnhealthyThresholdCount".into(),
                given("unhealthyThresholdCount")
                    .filter(truthy)
                    .unwrap_or(json!(5)),
            );
            let code = h
                .get("matcher")
                .and_then(|m| m.get("httpCode"))
                .filter(|v| truthy(v))
                .cloned()
                .unwrap_or(json!("200"));
            props.insert("Matcher".into(), json!({ "HttpCode": code }));
        }
        let mut depends_on = vec![json!(register_id)];
        depends_on.extend(alias_logical_id(f).map(Value::String));
        resources.insert(e.target_group_id(), json!({ "Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": props, "DependsOn": depends_on }));

        // Listener rule.
        let mut actions = Vec::new();
        let mut order = 0;
        for auth_name in e.event.get("authorizer").map(as_list).unwrap_or_default() {
            let Some(auth) = auth_name.as_str().and_then(|n| authorizers.get(n)) else {
                continue;
            };
            order += 1;
            let get = |k: &str| auth.get(k).filter(|v| !v.is_null()).cloned();
            let unauthenticated = get("onUnauthenticatedRequest")
                .filter(truthy)
                .unwrap_or(json!("deny"));
            let mut config = Map::new();
            if auth.get("type").and_then(Value::as_str) == Some("cognito") {
                put(&mut config, "UserPoolArn", get("userPoolArn"));
                put(&mut config, "UserPoolClientId", get("userPoolClientId"));
                put(&mut config, "UserPoolDomain", get("userPoolDomain"));
            } else {
                put(
                    &mut config,
                    "AuthorizationEndpoint",
                    get("authorizationEndpoint"),
                );
                put(&mut config, "ClientId", get("clientId"));
                put(&mut config, "Issuer", get("issuer"));
                put(&mut config, "TokenEndpoint", get("tokenEndpoint"));
                put(&mut config, "UserInfoEndpoint", get("userInfoEndpoint"));
                match get("clientSecret").filter(truthy) {
                    Some(secret) => config.insert("ClientSecret".into(), secret),
                    None => config.insert("UseExistingClientSecret".into(), json!(true)),
                };
            }
            config.insert("OnUnauthenticatedRequest".into(), unauthenticated);
            put(
                &mut config,
                "AuthenticationRequestExtraParams",
                get("requestExtraParams"),
            );
            put(&mut config, "Scope", get("scope"));
            put(&mut config, "SessionCookieName", get("sessionCookieName"));
            put(&mut config, "SessionTimeout", get("sessionTimeout"));
            actions.push(if auth.get("type").and_then(Value::as_str) == Some("cognito") {
                json!({ "Type": "authenticate-cognito", "Order": order, "AuthenticateCognitoConfig": config })
            } else {
                json!({ "Type": "authenticate-oidc", "Order": order, "AuthenticateOidcConfig": config })
            });
        }
        let mut forward =
            json!({ "Type": "forward", "TargetGroupArn": { "Ref": e.target_group_id() } });
        if order > 0 {
            forward["Order"] = json!(order + 1);
        }
        actions.push(forward);
        let conditions_in = e.event.get("conditions").cloned().unwrap_or(Value::Null);
        let cond = |k: &str| conditions_in.get(k).filter(|v| truthy(v)).map(as_list);
        let mut conditions = Vec::new();
        if let Some(v) = cond("path") {
            conditions.push(json!({ "Field": "path-pattern", "Values": v }));
        }
        if let Some(v) = cond("host") {
            conditions.push(json!({ "Field": "host-header", "HostHeaderConfig": { "Values": v } }));
        }
        if let Some(v) = cond("method") {
            conditions.push(json!({ "Field": "http-request-method", "HttpRequestMethodConfig": { "Values": v } }));
        }
        for h in cond("header").unwrap_or_default() {
            conditions.push(json!({ "Field": "http-header", "HttpHeaderConfig": { "HttpHeaderName": h.get("name"), "Values": h.get("values") } }));
        }
        if let Some(Value::Object(q)) = conditions_in.get("query").filter(|v| truthy(v)) {
            let values: Vec<Value> = q
                .iter()
                .map(|(k, v)| json!({ "Key": k, "Value": v }))
                .collect();
            conditions.push(
                json!({ "Field": "query-string", "QueryStringConfig": { "Values": values } }),
            );
        }
        if let Some(v) = cond("ip") {
            conditions.push(json!({ "Field": "source-ip", "SourceIpConfig": { "Values": v } }));
        }
        let priority = e.event.get("priority").cloned().unwrap_or(Value::Null);
        let priority_id = priority
            .as_str()
            .map_or_else(|| priority.to_string(), str::to_string);
        resources.insert(
            format!("{n}AlbListenerRule{priority_id}"),
            json!({
                "Type": "AWS::ElasticLoadBalancingV2::ListenerRule",
                "Properties": { "Actions": actions, "Conditions": conditions, "ListenerArn": e.event.get("listenerArn"), "Priority": priority }
            }),
        );

        // Permissions: invoke from the target group, and registering the function as a target.
        let mut invoke = Map::new();
        invoke.insert("Type".into(), json!("AWS::Lambda::Permission"));
        let base = json!({ "FunctionName": target, "Action": "lambda:InvokeFunction", "Principal": "elasticloadbalancing.amazonaws.com" });
        if let Some(a) = alias_logical_id(f) {
            invoke.insert("DependsOn".into(), json!([a]));
        }
        let mut register = invoke.clone();
        register.insert("Properties".into(), base.clone());
        let mut with_source = base;
        with_source["SourceArn"] = json!({ "Ref": e.target_group_id() });
        invoke.insert("Properties".into(), with_source);
        resources.insert(format!("{n}LambdaPermissionAlb"), Value::Object(invoke));
        resources.insert(register_id, Value::Object(register));
    }
    Ok(())
}

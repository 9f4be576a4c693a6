//! `alb`: per event a target group for the function on an existing Application Load Balancer's
//! listener and a listener rule (conditions, Cognito / OIDC authentication, forward), and per function
//! the permissions for the load balancer to register and invoke it.

use md5::{Digest, Md5};
use serde_json::{json, Map, Value};

use super::{alias_logical_id, events_of_type, put};
use crate::compile::naming::normalized_name;
use crate::compile::targets::{lambda_target, target_alias};
use crate::config::events::{AlbAuthorizer, AlbConditions, AlbEvent, AlbIdentityProvider};
use crate::config::{Function, Service};
use crate::error::Result;

pub fn compile(service: &Service, resources: &mut Map<String, Value>) -> Result<()> {
    for f in &service.functions {
        for (_, event) in events_of_type!(f, Alb) {
            let target = lambda_target(&f.key, target_alias(f).as_ref());
            let group_id = target_group_id(f, event);
            resources.insert(group_id.clone(), target_group(service, f, event, &target));
            let n = normalized_name(&f.key);
            resources.insert(
                format!("{n}AlbListenerRule{}", priority_id(event)),
                listener_rule(event, &group_id),
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
            with_source["SourceArn"] = json!({ "Ref": group_id });
            invoke.insert("Properties".into(), with_source);
            resources.insert(format!("{n}LambdaPermissionAlb"), Value::Object(invoke));
            resources.insert(register_permission_id(f), Value::Object(register));
        }
    }
    Ok(())
}

fn target_group_id(f: &Function, e: &AlbEvent) -> String {
    format!(
        "{}Alb{}TargetGroup{}",
        normalized_name(&f.key),
        if e.multi_value_headers {
            "MultiValue"
        } else {
            ""
        },
        e.alb_id
    )
}

fn register_permission_id(f: &Function) -> String {
    format!("{}LambdaPermissionRegisterTarget", normalized_name(&f.key))
}

/// The priority in the rule's logical ID: a string as it is, anything else as its JSON text.
fn priority_id(e: &AlbEvent) -> String {
    match &e.priority {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => Value::Null.to_string(),
    }
}

/// The target group of an event: the function as its target, named `targetGroupName` or a hash of
/// service, function, load balancer and stage behind the provider's prefix.
fn target_group(service: &Service, f: &Function, e: &AlbEvent, target: &Value) -> Value {
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
    let name = match &e.target_group_name {
        Some(n) => n.clone(),
        None => {
            let generated = format!(
                "{}{}",
                e.target_group_prefix,
                hex::encode(Md5::digest(tag_value(e.multi_value_headers).as_bytes()))
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
        json!([{ "Key": "lambda.multi_value_headers.enabled", "Value": e.multi_value_headers }]),
    );
    props.insert("HealthCheckEnabled".into(), json!(false));
    if let Some(h) = &e.health_check {
        let or = |v: &Option<Value>, default: Value| v.clone().unwrap_or(default);
        props.insert("HealthCheckEnabled".into(), or(&h.enabled, json!(true)));
        props.insert("HealthCheckPath".into(), or(&h.path, json!("/")));
        props.insert(
            "HealthCheckIntervalSeconds".into(),
            or(&h.interval_seconds, json!(35)),
        );
        props.insert(
            "HealthCheckTimeoutSeconds".into(),
            or(&h.timeout_seconds, json!(30)),
        );
        props.insert(
            "HealthyThresholdCount".into(),
            or(&h.healthy_threshold_count, json!(5)),
        );
        props.insert(
            "UnhealthyThresholdCount".into(),
            or(&h.unhealthy_threshold_count, json!(5)),
        );
        props.insert(
            "Matcher".into(),
            json!({ "HttpCode": or(&h.matcher_http_code, json!("200")) }),
        );
    }
    let mut depends_on = vec![json!(register_permission_id(f))];
    depends_on.extend(alias_logical_id(f).map(Value::String));
    json!({ "Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": props, "DependsOn": depends_on })
}

/// The listener rule: the authenticate actions in order, then the forward to the target group.
fn listener_rule(e: &AlbEvent, group_id: &str) -> Value {
    let mut actions: Vec<Value> = e
        .authorizers
        .iter()
        .zip(1..)
        .map(|(auth, order)| authenticate_action(auth, order))
        .collect();
    let mut forward = json!({ "Type": "forward", "TargetGroupArn": { "Ref": group_id } });
    if !actions.is_empty() {
        forward["Order"] = json!(actions.len() + 1);
    }
    actions.push(forward);
    json!({
        "Type": "AWS::ElasticLoadBalancingV2::ListenerRule",
        "Properties": {
            "Actions": actions,
            "Conditions": conditions(&e.conditions),
            "ListenerArn": e.listener_arn,
            "Priority": e.priority.clone().unwrap_or(Value::Null)
        }
    })
}

fn authenticate_action(auth: &AlbAuthorizer, order: usize) -> Value {
    let mut config = Map::new();
    let cognito = match &auth.provider {
        AlbIdentityProvider::Cognito(c) => {
            put(&mut config, "UserPoolArn", c.user_pool_arn.clone());
            put(
                &mut config,
                "UserPoolClientId",
                c.user_pool_client_id.clone(),
            );
            put(&mut config, "UserPoolDomain", c.user_pool_domain.clone());
            true
        }
        AlbIdentityProvider::Oidc(o) => {
            put(
                &mut config,
                "AuthorizationEndpoint",
                o.authorization_endpoint.clone(),
            );
            put(&mut config, "ClientId", o.client_id.clone());
            put(&mut config, "Issuer", o.issuer.clone());
            put(&mut config, "TokenEndpoint", o.token_endpoint.clone());
            put(
                &mut config,
                "UserInfoEndpoint",
                o.user_info_endpoint.clone(),
            );
            match &o.client_secret {
                Some(secret) => config.insert("ClientSecret".into(), secret.clone()),
                None => config.insert("UseExistingClientSecret".into(), json!(true)),
            };
            false
        }
    };
    config.insert(
        "OnUnauthenticatedRequest".into(),
        auth.on_unauthenticated_request
            .clone()
            .unwrap_or(json!("deny")),
    );
    put(
        &mut config,
        "AuthenticationRequestExtraParams",
        auth.request_extra_params.clone(),
    );
    put(&mut config, "Scope", auth.scope.clone());
    put(
        &mut config,
        "SessionCookieName",
        auth.session_cookie_name.clone(),
    );
    put(&mut config, "SessionTimeout", auth.session_timeout.clone());
    if cognito {
        json!({ "Type": "authenticate-cognito", "Order": order, "AuthenticateCognitoConfig": config })
    } else {
        json!({ "Type": "authenticate-oidc", "Order": order, "AuthenticateOidcConfig": config })
    }
}

fn conditions(c: &AlbConditions) -> Vec<Value> {
    let mut out = Vec::new();
    if let Some(v) = &c.path {
        out.push(json!({ "Field": "path-pattern", "Values": v }));
    }
    if let Some(v) = &c.host {
        out.push(json!({ "Field": "host-header", "HostHeaderConfig": { "Values": v } }));
    }
    if let Some(v) = &c.method {
        out.push(
            json!({ "Field": "http-request-method", "HttpRequestMethodConfig": { "Values": v } }),
        );
    }
    for h in &c.header {
        out.push(json!({ "Field": "http-header", "HttpHeaderConfig": { "HttpHeaderName": h.get("name"), "Values": h.get("values") } }));
    }
    if let Some(q) = &c.query {
        let values: Vec<Value> = q
            .iter()
            .map(|(k, v)| json!({ "Key": k, "Value": v }))
            .collect();
        out.push(json!({ "Field": "query-string", "QueryStringConfig": { "Values": values } }));
    }
    if let Some(v) = &c.ip {
        out.push(json!({ "Field": "source-ip", "SourceIpConfig": { "Values": v } }));
    }
    out
}

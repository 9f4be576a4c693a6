//! `alb`: a function behind a listener of an existing Application Load Balancer — the listener, the
//! rule's priority and conditions, the provider's authorizers (`provider.alb.authorizers`) it names,
//! and its target group's settings. One priority per listener is checked across the service.

use serde_json::{Map, Value};

use super::body::{field, value_field};
use super::{as_list, event_error};
use crate::config::{js_truthy, Function, Service};
use crate::error::Result;

#[derive(Debug, Clone)]
pub struct AlbEvent {
    /// `listenerArn` as written: an ARN or a `Ref`.
    pub listener_arn: Value,
    /// The load balancer's ID from the ARN (the `Ref`'s name for a reference).
    pub alb_id: String,
    /// The listener's ID from the ARN (the `Ref`'s name for a reference).
    pub listener_id: String,
    /// `priority` as written (`Some(null)` when written `null`).
    pub priority: Option<Value>,
    pub conditions: AlbConditions,
    /// `targetGroupName`, when truthy (exclusive with the provider's prefix).
    pub target_group_name: Option<Value>,
    /// `provider.alb.targetGroupPrefix` (empty when unset).
    pub target_group_prefix: String,
    /// The provider's authorizers the event names, in its order.
    pub authorizers: Vec<AlbAuthorizer>,
    pub multi_value_headers: bool,
    /// `healthCheck`, when truthy (`true` is a check with every default).
    pub health_check: Option<HealthCheck>,
}

/// The rule's conditions, each list set when the condition is truthy (a scalar is a list of one).
#[derive(Debug, Clone, Default)]
pub struct AlbConditions {
    pub path: Option<Vec<Value>>,
    pub host: Option<Vec<Value>>,
    pub method: Option<Vec<Value>>,
    /// `header`: items with `name` and `values`.
    pub header: Vec<Value>,
    /// `query`, when a mapping.
    pub query: Option<Map<String, Value>>,
    pub ip: Option<Vec<Value>>,
}

/// `healthCheck`'s settings as written (the compiler applies osls's defaults).
#[derive(Debug, Clone, Default)]
pub struct HealthCheck {
    pub enabled: Option<Value>,
    pub path: Option<Value>,
    pub interval_seconds: Option<Value>,
    pub timeout_seconds: Option<Value>,
    pub healthy_threshold_count: Option<Value>,
    /// Set and truthy.
    pub unhealthy_threshold_count: Option<Value>,
    /// `matcher.httpCode`, set and truthy.
    pub matcher_http_code: Option<Value>,
}

/// An authorizer of `provider.alb.authorizers`.
#[derive(Debug, Clone)]
pub struct AlbAuthorizer {
    pub provider: AlbIdentityProvider,
    /// `onUnauthenticatedRequest`, when truthy (the compiler's default is `deny`).
    pub on_unauthenticated_request: Option<Value>,
    pub request_extra_params: Option<Value>,
    pub scope: Option<Value>,
    pub session_cookie_name: Option<Value>,
    pub session_timeout: Option<Value>,
}

/// Who authenticates: a Cognito user pool (`type: cognito`) or an OpenID Connect provider.
#[derive(Debug, Clone)]
pub enum AlbIdentityProvider {
    Cognito(Box<CognitoUserPoolAuth>),
    Oidc(Box<OidcAuth>),
}

#[derive(Debug, Clone)]
pub struct CognitoUserPoolAuth {
    pub user_pool_arn: Option<Value>,
    pub user_pool_client_id: Option<Value>,
    pub user_pool_domain: Option<Value>,
}

#[derive(Debug, Clone)]
pub struct OidcAuth {
    pub authorization_endpoint: Option<Value>,
    pub client_id: Option<Value>,
    pub issuer: Option<Value>,
    pub token_endpoint: Option<Value>,
    pub user_info_endpoint: Option<Value>,
    /// Set and truthy (else the listener keeps its existing secret).
    pub client_secret: Option<Value>,
}

/// The event, none for a body that is not a mapping (osls compiles only mappings).
pub(super) fn parse(
    service: &Service,
    f: &Function,
    index: usize,
    body: &Value,
) -> Result<Option<AlbEvent>> {
    if !body.is_object() {
        return Ok(None);
    }
    let err = |code, message: String| event_error(service, f, index, "alb", code, message);
    let provider = service.provider.raw.get("alb").unwrap_or(&Value::Null);
    let prefix = provider
        .get("targetGroupPrefix")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let listener_arn = body.get("listenerArn").cloned().unwrap_or(Value::Null);
    let (alb_id, listener_id) = listener_ids(&listener_arn).ok_or_else(|| {
        err(
            "ALB_INVALID_LISTENER_ARN",
            format!("Invalid ALB listenerArn in function \"{}\".", f.key),
        )
    })?;
    if body
        .get("conditions")
        .and_then(Value::as_object)
        .is_none_or(Map::is_empty)
    {
        return Err(err("ALB_NO_CONDITIONS", format!("Cannot setup \"alb\" event in \"{}\" function: At least one condition must be defined", f.key)));
    }
    let target_group_name = body.get("targetGroupName").filter(|v| js_truthy(v));
    if target_group_name.is_some() && !prefix.is_empty() {
        return Err(err("ALB_TARGET_GROUP_NAME_EXCLUSIVE", "ALB \"targetGroupName\" setting is exclusive with \"provider.alb.targetGroupPrefix\": Please specify only one.".into()));
    }
    let known = provider.get("authorizers").and_then(Value::as_object);
    let mut authorizers = Vec::new();
    for name in body.get("authorizer").map(as_list).unwrap_or_default() {
        let key = name.as_str().unwrap_or_default();
        let Some(auth) = known.and_then(|k| k.get(key)) else {
            return Err(err(
                "ALB_MISSING_AUTHORIZER",
                format!(
                    "No match for \"{key}\" in function \"{}\" found in registered ALB authorizers",
                    f.key
                ),
            ));
        };
        // A name that is not a string matches only an authorizer named "" and adds no action.
        if name.is_string() {
            authorizers.push(authorizer(auth));
        }
    }
    Ok(Some(AlbEvent {
        listener_arn,
        alb_id,
        listener_id,
        priority: body.get("priority").cloned(),
        conditions: conditions(body.get("conditions").unwrap_or(&Value::Null)),
        target_group_name: target_group_name.cloned(),
        target_group_prefix: prefix.to_string(),
        authorizers,
        multi_value_headers: body.get("multiValueHeaders").is_some_and(js_truthy),
        health_check: body
            .get("healthCheck")
            .filter(|v| js_truthy(v))
            .map(health_check),
    }))
}

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

fn conditions(c: &Value) -> AlbConditions {
    let list = |k: &str| c.get(k).filter(|v| js_truthy(v)).map(as_list);
    AlbConditions {
        path: list("path"),
        host: list("host"),
        method: list("method"),
        header: list("header").unwrap_or_default(),
        query: c
            .get("query")
            .filter(|v| js_truthy(v))
            .and_then(Value::as_object)
            .cloned(),
        ip: list("ip"),
    }
}

fn health_check(h: &Value) -> HealthCheck {
    HealthCheck {
        enabled: value_field(h, "enabled"),
        path: value_field(h, "path"),
        interval_seconds: value_field(h, "intervalSeconds"),
        timeout_seconds: value_field(h, "timeoutSeconds"),
        healthy_threshold_count: value_field(h, "healthyThresholdCount"),
        unhealthy_threshold_count: value_field(h, "unhealthyThresholdCount").filter(js_truthy),
        matcher_http_code: h
            .get("matcher")
            .and_then(|m| m.get("httpCode"))
            .filter(|v| js_truthy(v))
            .cloned(),
    }
}

fn authorizer(auth: &Value) -> AlbAuthorizer {
    let get = |k: &str| value_field(auth, k);
    let provider = if field(auth, "type").and_then(Value::as_str) == Some("cognito") {
        AlbIdentityProvider::Cognito(Box::new(CognitoUserPoolAuth {
            user_pool_arn: get("userPoolArn"),
            user_pool_client_id: get("userPoolClientId"),
            user_pool_domain: get("userPoolDomain"),
        }))
    } else {
        AlbIdentityProvider::Oidc(Box::new(OidcAuth {
            authorization_endpoint: get("authorizationEndpoint"),
            client_id: get("clientId"),
            issuer: get("issuer"),
            token_endpoint: get("tokenEndpoint"),
            user_info_endpoint: get("userInfoEndpoint"),
            client_secret: get("clientSecret").filter(js_truthy),
        }))
    };
    AlbAuthorizer {
        provider,
        on_unauthenticated_request: get("onUnauthenticatedRequest").filter(js_truthy),
        request_extra_params: get("requestExtraParams"),
        scope: get("scope"),
        session_cookie_name: get("sessionCookieName"),
        session_timeout: get("sessionTimeout"),
    }
}

/// The same priority twice — in one function across listeners, or on one listener across functions —
/// is refused at the later event.
pub(super) fn check_priorities(service: &Service) -> Result<()> {
    let mut seen: Vec<(&Function, &AlbEvent)> = Vec::new();
    for f in &service.functions {
        for e in &f.events {
            let super::Event::Alb(alb) = &e.event else {
                continue;
            };
            let clash = seen.iter().any(|(of, o)| {
                o.priority == alb.priority
                    && ((o.listener_id != alb.listener_id && of.key == f.key)
                        || (o.listener_id == alb.listener_id && of.key != f.key))
            });
            if clash {
                let priority = alb
                    .priority
                    .as_ref()
                    .map(Value::to_string)
                    .unwrap_or_default();
                return Err(event_error(service, f, e.index, "alb", "ALB_PRIORITY_ALREADY_IN_USE", format!(
                    "ALB event in function \"{}\" cannot use priority \"{priority}\" because it is already in use.",
                    f.key
                )));
            }
            seen.push((f, alb));
        }
    }
    Ok(())
}

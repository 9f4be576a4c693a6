//! The `authorizer` of an `httpApi` event: IAM, an authorizer of an external API by `id`, or one of
//! `provider.httpApi.authorizers` by name (a bare string is a name).

use serde_json::{Map, Value};

use super::{external_id, provider_settings, unique};
use crate::config::events::{as_list, event_error};
use crate::config::{Function, Service};
use crate::error::Result;

/// Who authorizes a route.
#[derive(Debug, Clone)]
pub enum RouteAuthorizer {
    /// `type: aws_iam`: IAM authorization, no authorizer resource.
    AwsIam,
    /// An authorizer of the externally configured API, by its `id` (a string or a reference).
    External {
        id: Value,
        /// `type: request` (a Lambda authorizer) rather than JWT.
        request: bool,
        scopes: Option<Vec<Value>>,
    },
    /// One of `provider.httpApi.authorizers`, by its name (its own `name`, else its key).
    Named {
        name: String,
        /// The authorizer's `type` is `request` (a Lambda authorizer) rather than JWT.
        request: bool,
        scopes: Option<Vec<Value>>,
    },
}

impl RouteAuthorizer {
    /// `AuthorizationType` of the route.
    pub fn authorization_type(&self) -> &'static str {
        match self {
            RouteAuthorizer::AwsIam => "AWS_IAM",
            RouteAuthorizer::External { request: true, .. }
            | RouteAuthorizer::Named { request: true, .. } => "CUSTOM",
            _ => "JWT",
        }
    }
}

pub(super) fn parse(
    service: &Service,
    f: &Function,
    index: usize,
    authorizer: &Value,
) -> Result<RouteAuthorizer> {
    let error = |code, message| event_error(service, f, index, "httpApi", code, message);
    let a = match authorizer {
        Value::Object(o) => o.clone(),
        other => Map::from_iter([("name".to_string(), other.clone())]),
    };
    let kind = a.get("type").and_then(Value::as_str);
    let (name, id, scopes) = (
        a.get("name").and_then(Value::as_str),
        a.get("id").filter(|v| !v.is_null()),
        a.get("scopes").filter(|v| !v.is_null()),
    );
    if kind != Some("aws_iam") && id.is_none() && name.is_none() {
        return Err(error("HTTP_API_AUTHORIZER_MISSING_ID_OR_NAME", format!("When configuring an authorizer with type: \"{}\", property \"id\" or \"name\" has to be specified.", kind.unwrap_or("jwt"))));
    }
    if kind == Some("aws_iam") && (name.is_some() || id.is_some() || scopes.is_some()) {
        return Err(error("HTTP_API_AUTHORIZER_AWS_IAM_UNEXPECTED_PROPERTIES", "When configuring authorizer with type: \"aws_iam\", all other properties are not supported.".into()));
    }
    let scopes = scopes.map(|s| unique(as_list(s)));
    if let Some(id) = id {
        if external_id(service).is_none() {
            let shown = id.as_str().map_or_else(|| id.to_string(), str::to_string);
            return Err(error("EXTERNAL_HTTP_API_AUTHORIZER_WITHOUT_EXTERNAL_HTTP_API", format!("Event references external authorizer '{shown}', but httpApi is part of the current stack.")));
        }
        return Ok(RouteAuthorizer::External {
            id: id.clone(),
            request: kind == Some("request"),
            scopes,
        });
    }
    if kind == Some("aws_iam") {
        return Ok(RouteAuthorizer::AwsIam);
    }
    let name = name.unwrap_or_default();
    let declared = provider_settings(service)
        .get("authorizers")
        .and_then(|list| list.get(name))
        .cloned();
    let Some(conf) = declared else {
        return Err(error(
            "UNRECOGNIZED_HTTP_API_AUTHORIZER",
            format!("Event references not configured authorizer '{name}'"),
        ));
    };
    Ok(RouteAuthorizer::Named {
        name: conf
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(name)
            .to_string(),
        request: conf.get("type").and_then(Value::as_str) == Some("request"),
        scopes,
    })
}

//! An `http` event's `authorizer`: `aws_iam`, a function of the service by key, a Lambda or Cognito
//! user pool ARN, or an object with those and the authorizer's settings (`type`, `authorizerId`,
//! `resultTtlInSeconds`, `identitySource`, `claims`, `scopes` …), with osls's defaults.

use serde_json::{json, Value};

use super::{text, At, Integration};
use crate::config::js_truthy;
use crate::error::Result;

/// What the authorizer the stack creates calls.
#[derive(Debug, Clone)]
pub enum AuthorizerTarget {
    /// A Lambda or user pool ARN (a string or a CloudFormation reference).
    Arn(Value),
    /// A function of this service, by key.
    Function(String),
}

#[derive(Debug, Clone, Default)]
pub struct HttpAuthorizer {
    /// `AWS_IAM`, `TOKEN`, `REQUEST`, `COGNITO_USER_POOLS`, as given.
    pub kind: Option<String>,
    pub name: Option<String>,
    /// None for `aws_iam` and for an existing authorizer (`authorizerId`).
    pub target: Option<AuthorizerTarget>,
    pub managed_externally: bool,
    /// An authorizer of the API made outside the stack.
    pub authorizer_id: Option<Value>,
    pub ttl: Option<i64>,
    pub identity_source: Option<Value>,
    pub identity_validation_expression: Option<Value>,
    pub claims: Vec<Value>,
    pub scopes: Option<Value>,
}

impl HttpAuthorizer {
    /// A Cognito user pool authorizer: by `type`, or by its ARN.
    pub fn is_cognito(&self) -> bool {
        self.kind
            .as_deref()
            .is_some_and(|k| k.eq_ignore_ascii_case("COGNITO_USER_POOLS"))
            || self.has_cognito_arn()
    }

    fn has_cognito_arn(&self) -> bool {
        matches!(&self.target, Some(AuthorizerTarget::Arn(Value::String(s))) if is_cognito_arn(s))
    }
}

pub(super) fn parse(at: &At, raw: &Value, integration: &Integration) -> Result<HttpAuthorizer> {
    let mut a = match raw {
        Value::String(s) => from_string(s),
        Value::Object(o) => {
            let mut a = target_of_object(at, o)?;
            settings(&mut a, o);
            a
        }
        _ => HttpAuthorizer::default(),
    };
    if let Some(AuthorizerTarget::Function(name)) = &a.target {
        if !at.service.functions.iter().any(|f| f.key == *name) {
            return Err(at.error(
                ".authorizer",
                "FUNCTION_MISSING_IN_SERVICE",
                format!("Function \"{name}\" doesn't exist in this Service"),
            ));
        }
    }
    // A request authorizer that does not cache needs no identity source.
    let request_without_cache = a
        .kind
        .as_deref()
        .is_some_and(|k| k.eq_ignore_ascii_case("REQUEST"))
        && a.ttl == Some(0);
    if a.identity_source.is_none() && !request_without_cache {
        a.identity_source = Some(json!("method.request.header.Authorization"));
    }
    if *integration == Integration::AwsProxy && a.has_cognito_arn() && !a.claims.is_empty() {
        return Err(at.error(
            ".authorizer.claims",
            "API_GATEWAY_INVALID_COGNITO_CLAIMS",
            "Cognito claims can only be filtered when using the lambda integration type".into(),
        ));
    }
    Ok(a)
}

/// `aws_iam`, a function key, or an ARN.
fn from_string(s: &str) -> HttpAuthorizer {
    let mut a = HttpAuthorizer::default();
    if s.eq_ignore_ascii_case("AWS_IAM") {
        a.kind = Some("AWS_IAM".into());
    } else if !s.contains(':') {
        a.target = Some(AuthorizerTarget::Function(s.to_string()));
        a.name = Some(s.to_string());
    } else {
        a.target = Some(AuthorizerTarget::Arn(json!(s)));
        a.name = Some(name_from_arn(s));
    }
    a
}

/// The object form's kind, name and target: an existing authorizer (`type` and `authorizerId`),
/// `aws_iam`, an `arn` (named by `name`, else from the ARN), or a function by `name`.
fn target_of_object(at: &At, o: &serde_json::Map<String, Value>) -> Result<HttpAuthorizer> {
    let get = |k: &str| o.get(k).filter(|v| !v.is_null());
    let mut a = HttpAuthorizer::default();
    let kind = get("type").map(text);
    if let (Some(k), Some(id)) = (&kind, get("authorizerId")) {
        a.kind = Some(k.clone());
        a.authorizer_id = Some(id.clone());
    } else if kind
        .as_deref()
        .is_some_and(|k| k.eq_ignore_ascii_case("AWS_IAM"))
    {
        a.kind = Some("AWS_IAM".into());
    } else if let Some(arn) = get("arn") {
        a.target = Some(AuthorizerTarget::Arn(arn.clone()));
        if let Some(Value::String(n)) = get("name") {
            a.name = Some(n.clone());
        } else if let Value::String(s) = arn {
            a.name = Some(name_from_arn(s));
        } else {
            return Err(at.error(
                ".authorizer",
                "API_GATEWAY_MISSING_AUTHORIZER_NAME",
                "Please provide an authorizer name for authorizers given by a CloudFormation reference".into(),
            ));
        }
    } else if let Some(n) = get("name") {
        a.target = Some(AuthorizerTarget::Function(text(n)));
        a.name = Some(text(n));
    } else {
        return Err(at.error(
            ".authorizer",
            "API_GATEWAY_MISSING_AUTHORIZER_NAME_OR_ARN",
            "Please provide either an authorizer name or ARN".into(),
        ));
    }
    if a.kind.is_none() {
        a.kind = kind;
    }
    Ok(a)
}

/// The object form's settings, with osls's 300 s cache by default.
fn settings(a: &mut HttpAuthorizer, o: &serde_json::Map<String, Value>) {
    let get = |k: &str| o.get(k).filter(|v| !v.is_null());
    a.ttl = Some(match get("resultTtlInSeconds") {
        Some(Value::Number(n)) => n.as_f64().map_or(300, |f| f.trunc() as i64),
        Some(Value::String(s)) => leading_int(s).unwrap_or(300),
        _ => 300,
    });
    a.claims = get("claims")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    a.scopes = get("scopes").cloned();
    a.identity_source = get("identitySource").cloned();
    a.identity_validation_expression = get("identityValidationExpression").cloned();
    a.managed_externally = get("managedExternally").is_some_and(js_truthy);
}

/// JavaScript `parseInt(s, 10)`.
fn leading_int(s: &str) -> Option<i64> {
    let t = s.trim_start();
    let (sign, digits) = match t.strip_prefix('-') {
        Some(r) => (-1, r),
        None => (1, t.strip_prefix('+').unwrap_or(t)),
    };
    let n: String = digits.chars().take_while(char::is_ascii_digit).collect();
    n.parse::<i64>().ok().map(|v| sign * v)
}

/// The function name osls guesses from an authorizer ARN: after the last `:`, after the last `-`.
pub(super) fn name_from_arn(arn: &str) -> String {
    let last = arn.rsplit(':').next().unwrap_or(arn);
    last.rsplit('-').next().unwrap_or(last).to_string()
}

/// `arn:<partition>:cognito-idp…`.
pub(super) fn is_cognito_arn(arn: &str) -> bool {
    arn.strip_prefix("arn:")
        .and_then(|r| r.split_once(':'))
        .is_some_and(|(partition, rest)| {
            partition
                .chars()
                .all(|c| c.is_ascii_alphabetic() || c == '-')
                && rest.starts_with("cognito-idp")
        })
}

//! `url:` — a Lambda function URL (`{F}LambdaFunctionUrl`), its output, and, without IAM auth, the
//! public invoke permissions.

use serde_json::{json, Map, Value};

use super::naming::normalized_name;
use super::targets::{lambda_target, with_condition};
use crate::config::{Function, Service};

const DEFAULT_HEADERS: [&str; 6] = [
    "Content-Type",
    "X-Amz-Date",
    "Authorization",
    "X-Api-Key",
    "X-Amz-Security-Token",
    "X-Amzn-Trace-Id",
];

/// The function's URL (`url:`), its output and, without IAM auth, its public permissions.
pub fn add_function_url(
    _service: &Service,
    f: &Function,
    alias: Option<&(String, String)>,
    condition: &Option<Value>,
    resources: &mut Map<String, Value>,
    outputs: &mut Map<String, Value>,
) {
    let Some(url) = &f.settings.url else {
        return;
    };
    let auth = if url.get("authorizer").and_then(Value::as_str) == Some("aws_iam") {
        "AWS_IAM"
    } else {
        "NONE"
    };
    let n = normalized_name(&f.key);
    let id = format!("{n}LambdaFunctionUrl");
    let mut resource = json!({
        "Type": "AWS::Lambda::Url",
        "Properties": { "AuthType": auth, "TargetFunctionArn": lambda_target(&f.key, alias) },
    });
    if let Some((alias_id, _)) = alias {
        resource["DependsOn"] = json!(alias_id);
    }
    if let Some(cors) = url.get("cors").filter(|c| super::targets::truthy(c)) {
        resource["Properties"]["Cors"] = cors_config(cors);
    }
    if url.get("invokeMode").and_then(Value::as_str) == Some("RESPONSE_STREAM") {
        resource["Properties"]["InvokeMode"] = json!("RESPONSE_STREAM");
    }
    with_condition(&mut resource, condition);
    resources.insert(id.clone(), resource);
    let mut output = json!({ "Description": "Lambda Function URL", "Value": { "Fn::GetAtt": [id, "FunctionUrl"] } });
    with_condition(&mut output, condition);
    outputs.insert(id.clone(), output);
    if auth == "NONE" {
        add_public_permissions(f, alias, condition, resources);
    }
}

/// `Cors` from `url.cors`: lists without repeats, osls's defaults for headers, methods and origins.
fn cors_config(cors: &Value) -> Value {
    let list = |key: &str, default: Option<Vec<&str>>| -> Option<Value> {
        match cors.get(key) {
            Some(Value::Null) => None,
            Some(Value::Array(items)) if !items.is_empty() => {
                let mut seen = Vec::new();
                for i in items {
                    if !seen.contains(i) {
                        seen.push(i.clone());
                    }
                }
                Some(Value::Array(seen))
            }
            _ => default.map(|d| json!(d)),
        }
    };
    let mut c = Map::new();
    if cors
        .get("allowCredentials")
        .is_some_and(super::targets::truthy)
    {
        c.insert("AllowCredentials".into(), json!(true));
    }
    if let Some(h) = list("allowedHeaders", Some(DEFAULT_HEADERS.to_vec())) {
        c.insert("AllowHeaders".into(), h);
    }
    if let Some(m) = list("allowedMethods", Some(vec!["*"])) {
        c.insert("AllowMethods".into(), m);
    }
    if let Some(o) = list("allowedOrigins", Some(vec!["*"])) {
        c.insert("AllowOrigins".into(), o);
    }
    if let Some(e) = list("exposedResponseHeaders", None) {
        c.insert("ExposeHeaders".into(), e);
    }
    if let Some(max) = cors.get("maxAge").filter(|v| !v.is_null()) {
        c.insert("MaxAge".into(), max.clone());
    }
    Value::Object(c)
}

/// Without IAM auth, the permissions letting anyone invoke the function through its URL.
fn add_public_permissions(
    f: &Function,
    alias: Option<&(String, String)>,
    condition: &Option<Value>,
    resources: &mut Map<String, Value>,
) {
    let n = normalized_name(&f.key);
    let permission = |action: &str, extra: (&str, Value)| {
        let mut p = json!({
            "Type": "AWS::Lambda::Permission",
            "Properties": { "FunctionName": lambda_target(&f.key, alias), "Action": action, "Principal": "*" },
        });
        p["Properties"][extra.0] = extra.1;
        if let Some((alias_id, _)) = alias {
            p["DependsOn"] = json!(alias_id);
        }
        with_condition(&mut p, condition);
        p
    };
    resources.insert(
        format!("{n}LambdaPermissionFnUrl"),
        permission(
            "lambda:InvokeFunctionUrl",
            ("FunctionUrlAuthType", json!("NONE")),
        ),
    );
    resources.insert(
        format!("{n}LambdaPermissionFn"),
        permission(
            "lambda:InvokeFunction",
            ("InvokedViaFunctionUrl", json!(true)),
        ),
    );
}

//! `info`: what a deployed stack offers — its status, functions, endpoints, layers and outputs — read
//! with one DescribeStacks.

use super::stack;
use crate::aws::{AwsContext, AwsSettings};
use crate::config::{Service, ServiceOptions};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Default)]
pub struct InfoResult {
    pub service: String,
    pub stage: String,
    pub region: String,
    pub stack_name: String,
    pub stack_status: String,
    /// `<key>: <deployed name>`.
    pub functions: Vec<(String, String)>,
    pub endpoints: Vec<String>,
    /// `<layer key>: <version ARN>`.
    pub layers: Vec<(String, String)>,
    pub outputs: Vec<(String, String)>,
}

pub async fn info(options: &ServiceOptions) -> Result<InfoResult> {
    let service = super::load(options).await?;
    let ctx = AwsContext::new(&AwsSettings {
        region: service.region.clone(),
        profile: options.profile.clone(),
    })
    .await;
    let stack_name = service.stack_name();
    let stack = stack::describe(&ctx, &stack_name)
        .await?
        .ok_or_else(|| Error::Stack {
            code: "AWS_CLOUD_FORMATION_STACK_NOT_FOUND".into(),
            message: format!("Stack {stack_name} does not exist: deploy the service first"),
        })?;
    let outputs = super::outputs(&stack);
    Ok(InfoResult {
        service: service.name.clone(),
        stage: service.stage.clone(),
        region: service.region.clone(),
        stack_name,
        stack_status: stack
            .stack_status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        functions: service
            .functions
            .iter()
            .map(|f| (f.key.clone(), f.name.clone()))
            .collect(),
        endpoints: endpoints(&service, &outputs),
        layers: layers(&service, &outputs),
        outputs,
    })
}

/// Endpoints as `serverless info` lists them: REST and HTTP APIs, websockets, CloudFront, and each
/// function URL as `<function>: <url>`.
pub fn endpoints(service: &Service, outputs: &[(String, String)]) -> Vec<String> {
    let mut out = Vec::new();
    for (key, value) in outputs {
        if key == "HttpApiUrl" && !http_api_routes(service).is_empty() {
            for (method, path) in http_api_routes(service) {
                out.push(format!("{method} - {value}{path}"));
            }
        } else if key == "ServiceEndpoint" && !rest_routes(service).is_empty() {
            for (method, path) in rest_routes(service) {
                out.push(format!("{method} - {value}{path}"));
            }
        } else if key.starts_with("ServiceEndpoint") || key.starts_with("HttpApiUrl") {
            out.push(value.clone());
        } else if key == "CloudFrontDistributionDomainName" {
            out.push(format!("CloudFront - {value}"));
        } else if let Some(f) = service.functions.iter().find(|f| {
            *key == format!(
                "{}LambdaFunctionUrl",
                crate::compile::naming::normalized_name(&f.key)
            )
        }) {
            out.push(format!("{}: {value}", f.key));
        }
    }
    out
}

/// Each `http` event's method and path (`/path`, or nothing for the root).
fn rest_routes(service: &Service) -> Vec<(String, String)> {
    let mut routes = Vec::new();
    for f in &service.functions {
        for e in f
            .raw
            .get("events")
            .and_then(serde_json::Value::as_array)
            .into_iter()
            .flatten()
        {
            let (method, path) = match e.get("http") {
                Some(serde_json::Value::String(s)) => match s.split_once(' ') {
                    Some((m, p)) => (m.to_string(), p.to_string()),
                    None => continue,
                },
                Some(serde_json::Value::Object(o)) => (
                    o.get("method")
                        .and_then(serde_json::Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    o.get("path")
                        .and_then(serde_json::Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                ),
                _ => continue,
            };
            let path = path.trim_matches('/');
            routes.push((
                method.to_uppercase(),
                if path.is_empty() {
                    String::new()
                } else {
                    format!("/{path}")
                },
            ));
        }
    }
    routes
}

/// Each `httpApi` event's method and path (`ANY` and no path for the catch-all `*`).
fn http_api_routes(service: &Service) -> Vec<(String, String)> {
    let mut routes = Vec::new();
    for f in &service.functions {
        for e in f
            .raw
            .get("events")
            .and_then(serde_json::Value::as_array)
            .into_iter()
            .flatten()
        {
            let (method, path) = match e.get("httpApi") {
                Some(serde_json::Value::String(s)) => match s.split_once(' ') {
                    Some((m, p)) => (m.to_string(), p.to_string()),
                    None => ("*".to_string(), s.clone()),
                },
                Some(serde_json::Value::Object(o)) => (
                    o.get("method")
                        .and_then(serde_json::Value::as_str)
                        .unwrap_or("*")
                        .to_string(),
                    o.get("path")
                        .and_then(serde_json::Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                ),
                _ => continue,
            };
            let method = if method == "*" {
                "ANY".to_string()
            } else {
                method.to_uppercase()
            };
            routes.push((method, if path == "*" { String::new() } else { path }));
        }
    }
    routes
}

pub fn layers(service: &Service, outputs: &[(String, String)]) -> Vec<(String, String)> {
    service
        .layers
        .iter()
        .filter_map(|l| {
            let key = format!("{}QualifiedArn", crate::compile::layer_logical_id(&l.key));
            outputs
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| (l.key.clone(), v.clone()))
        })
        .collect()
}

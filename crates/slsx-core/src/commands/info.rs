//! `info`: what a deployed stack offers — its status, functions, endpoints, layers and outputs — read
//! with one DescribeStacks.

use serde_json::Value;

use crate::aws::AwsContext;
use crate::config::{Service, ServiceOptions};
use crate::deploy::hook_state::ServiceState;
use crate::deploy::stack;
use crate::error::{Error, Result};
use crate::lifecycle::{self, Hooks};

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

/// `info`: the lifecycle `initialize`, `info:info` (its handler spawns osls's `aws:info:*` events),
/// `finalize`, with the plugins' hooks.
pub async fn info(options: &ServiceOptions) -> Result<InfoResult> {
    super::run(options, |service, hooks| async move {
        let hooks = hooks.as_ref();
        let mut st = ServiceState::new(service);
        lifecycle::hook(hooks, "initialize", &mut st).await?;
        lifecycle::before(hooks, "info:info", &mut st).await?;
        let result = gather(&st.service, options).await?;
        spawn_info_events(hooks, &mut st).await?;
        lifecycle::after(hooks, "info:info", &mut st).await?;
        lifecycle::hook(hooks, "finalize", &mut st).await?;
        Ok(result)
    })
    .await
}

/// osls's `aws:info:*` events (spawned by `info:info`, and by `deploy:deploy` after a deploy);
/// slsx gathers the information before them, in one go.
pub(super) async fn spawn_info_events(
    hooks: &dyn Hooks,
    st: &mut dyn lifecycle::HookStateSend,
) -> Result<()> {
    for event in lifecycle::AWS_INFO {
        lifecycle::before(hooks, event, st).await?;
        lifecycle::after(hooks, event, st).await?;
    }
    Ok(())
}

async fn gather(service: &Service, options: &ServiceOptions) -> Result<InfoResult> {
    let ctx = AwsContext::new(&service.aws_settings(options.profile.as_deref())).await;
    let stack_name = service.stack_name();
    let stack = stack::describe(&ctx, &stack_name)
        .await?
        .ok_or_else(|| Error::Stack {
            code: "AWS_CLOUD_FORMATION_STACK_NOT_FOUND".into(),
            message: format!("Stack {stack_name} does not exist: deploy the service first"),
        })?;
    let outputs = crate::deploy::outputs(&stack);
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
        endpoints: endpoints(service, &outputs),
        layers: layers(service, &outputs),
        outputs,
    })
}

/// Endpoints as `serverless info` lists them: REST and HTTP APIs, websockets, CloudFront, and each
/// function URL as `<function>: <url>`.
pub fn endpoints(service: &Service, outputs: &[(String, String)]) -> Vec<String> {
    let mut out = Vec::new();
    let (http_api, rest, none) = (http_api_routes(service), rest_routes(service), Vec::new());
    for (key, value) in outputs {
        let routes = match key.as_str() {
            "HttpApiUrl" => &http_api,
            "ServiceEndpoint" => &rest,
            _ => &none,
        };
        if !routes.is_empty() {
            for (method, path) in routes {
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

/// The value of every `kind` event (`http`, `httpApi`) of every function, in config order.
fn events<'a>(service: &'a Service, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    service.functions.iter().flat_map(move |f| {
        f.raw
            .get("events")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(move |e| e.get(kind))
    })
}

/// `method` and `path` of an event in its object form (absent ones as `default_method` and "").
fn method_and_path(o: &serde_json::Map<String, Value>, default_method: &str) -> (String, String) {
    let text = |k: &str, default: &str| {
        o.get(k)
            .and_then(Value::as_str)
            .unwrap_or(default)
            .to_string()
    };
    (text("method", default_method), text("path", ""))
}

/// Each `http` event's method and path (`/path`, or nothing for the root).
fn rest_routes(service: &Service) -> Vec<(String, String)> {
    let mut routes = Vec::new();
    for e in events(service, "http") {
        let (method, path) = match e {
            Value::String(s) => match s.split_once(' ') {
                Some((m, p)) => (m.to_string(), p.to_string()),
                None => continue,
            },
            Value::Object(o) => method_and_path(o, ""),
            _ => continue,
        };
        let path = path.trim_matches('/');
        let path = if path.is_empty() {
            String::new()
        } else {
            format!("/{path}")
        };
        routes.push((method.to_uppercase(), path));
    }
    routes
}

/// Each `httpApi` event's method and path (`ANY` and no path for the catch-all `*`).
fn http_api_routes(service: &Service) -> Vec<(String, String)> {
    let mut routes = Vec::new();
    for e in events(service, "httpApi") {
        let (method, path) = match e {
            Value::String(s) => match s.split_once(' ') {
                Some((m, p)) => (m.to_string(), p.to_string()),
                None => ("*".to_string(), s.clone()),
            },
            Value::Object(o) => method_and_path(o, "*"),
            _ => continue,
        };
        let method = if method == "*" {
            "ANY".to_string()
        } else {
            method.to_uppercase()
        };
        routes.push((method, if path == "*" { String::new() } else { path }));
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

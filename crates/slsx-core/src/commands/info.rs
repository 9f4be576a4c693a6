//! `info`: what a deployed stack offers — its status, functions, endpoints, layers and outputs — read
//! with one DescribeStacks.

use crate::aws::AwsContext;
use crate::config::events::events_of_type;
use crate::config::Service;
use crate::deploy::hook_state::ServiceState;
use crate::deploy::stack;
use crate::error::{Error, Result};
use crate::lifecycle::{self, Hooks};
use crate::load::ServiceOptions;

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
    let outputs = crate::aws::stack_outputs(&stack);
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

/// Each `http` event's method and path (`/path`, or nothing for the root).
fn rest_routes(service: &Service) -> Vec<(String, String)> {
    let events = service
        .functions
        .iter()
        .flat_map(|f| events_of_type!(f, Http));
    events
        .map(|(_, e)| {
            let path = if e.path.is_empty() {
                String::new()
            } else {
                format!("/{}", e.path)
            };
            (e.method.to_uppercase(), path)
        })
        .collect()
}

/// Each `httpApi` event's method and path (`ANY` and no path for the catch-all `*`).
fn http_api_routes(service: &Service) -> Vec<(String, String)> {
    let events = service
        .functions
        .iter()
        .flat_map(|f| events_of_type!(f, HttpApi));
    events
        .map(|(_, e)| match e.route_key.split_once(' ') {
            Some((_, path)) if !e.is_catch_all() => (e.method.clone(), path.to_string()),
            _ => (e.method.clone(), String::new()),
        })
        .collect()
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

//! The `HttpApi` resource: its name (`provider.httpApi.name`, else stage and service in the order
//! `shouldStartNameWithService` says), description, tags and CORS rules.

use serde_json::{json, Map, Value};

use super::super::put;
use super::{cors::Cors, Api};
use crate::config::{js_truthy, Service};

pub(super) fn add(
    service: &Service,
    api: &Api,
    cors: Option<Cors>,
    resources: &mut Map<String, Value>,
) {
    let settings = &api.settings;
    let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_string);
    let configured = settings.get("name").filter(|v| js_truthy(v)).map(text);
    let name = crate::compile::naming::api_name(configured, settings, service);
    let mut props = Map::new();
    props.insert("Name".into(), json!(name));
    put(
        &mut props,
        "Description",
        settings
            .get("description")
            .filter(|v| js_truthy(v))
            .map(|d| json!(text(d))),
    );
    props.insert("ProtocolType".into(), json!("HTTP"));
    put(
        &mut props,
        "DisableExecuteApiEndpoint",
        settings.get("disableDefaultEndpoint").cloned(),
    );
    put(&mut props, "Tags", super::stage::tags(service));
    if let Some(c) = cors {
        props.insert("CorsConfiguration".into(), c.into_configuration());
    }
    resources.insert(
        "HttpApi".into(),
        json!({ "Type": "AWS::ApiGatewayV2::Api", "Properties": props }),
    );
}

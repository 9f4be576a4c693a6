//! The resource tree: an `AWS::ApiGateway::Resource` for every part of every event path, hung from the
//! API's root or from one of `provider.apiGateway.restApiResources` (resources made outside the stack).

use serde_json::{json, Map, Value};

use super::{Endpoint, REST_API};
use crate::compile::events::normalize_path;
use crate::config::events::http::strip_slashes;

/// The API's resources by path: created in the stack, or given by id.
pub(super) struct Tree {
    /// Path -> (logical ID part, `ResourceId` value).
    nodes: Vec<(String, String, Value)>,
    root: Value,
}

impl Tree {
    pub(super) fn resource_id(&self, path: &str) -> Value {
        if path.is_empty() {
            return self.root.clone();
        }
        self.nodes
            .iter()
            .find(|(p, _, _)| p == path)
            .map(|(_, _, id)| id.clone())
            .unwrap_or(Value::Null)
    }

    /// The path's part of logical IDs (`users/{id}` -> `UsersIdVar`; empty for the root).
    pub(super) fn resource_name(&self, path: &str) -> String {
        if path.is_empty() {
            return String::new();
        }
        self.nodes
            .iter()
            .find(|(p, _, _)| p == path)
            .map(|(_, n, _)| n.clone())
            .unwrap_or_else(|| "undefined".into())
    }
}

/// The `AWS::ApiGateway::Resource`s every event path needs (`api` is `provider.apiGateway`). Paths
/// under one of `restApiResources` hang from that resource's id; the rest from the root.
pub(super) fn compile(
    api: &Map<String, Value>,
    endpoints: &[Endpoint],
    rest_api_id: &Value,
    resources: &mut Map<String, Value>,
) -> Tree {
    let root = match api.get("restApiRootResourceId").filter(|v| !v.is_null()) {
        Some(id) => id.clone(),
        None => json!({ "Fn::GetAtt": [REST_API, "RootResourceId"] }),
    };
    let mut tree = Tree {
        nodes: predefined(api),
        root,
    };
    for e in endpoints {
        let path = &e.event.path;
        if path.is_empty() {
            continue;
        }
        let mut current = String::new();
        for part in path.split('/') {
            let parent = current.clone();
            current = if current.is_empty() {
                part.to_string()
            } else {
                format!("{current}/{part}")
            };
            if tree.nodes.iter().any(|(p, _, _)| *p == current) {
                continue;
            }
            let name = normalize_path(&current);
            let logical_id = format!("ApiGatewayResource{name}");
            resources.insert(
                logical_id.clone(),
                json!({
                    "Type": "AWS::ApiGateway::Resource",
                    "Properties": { "ParentId": tree.resource_id(&parent), "PathPart": part, "RestApiId": rest_api_id }
                }),
            );
            tree.nodes
                .push((current.clone(), name, json!({ "Ref": logical_id })));
        }
    }
    tree
}

/// `restApiResources`: a map of path -> id, or a list of `{ path, resourceId, name }`.
fn predefined(api: &Map<String, Value>) -> Vec<(String, String, Value)> {
    let mut nodes = Vec::new();
    match api.get("restApiResources") {
        Some(Value::Object(m)) => {
            for (p, id) in m {
                let p = strip_slashes(p);
                nodes.push((p.clone(), normalize_path(&p), id.clone()));
            }
        }
        Some(Value::Array(list)) => {
            for r in list {
                let Some(p) = r.get("path").and_then(Value::as_str) else {
                    continue;
                };
                let p = strip_slashes(p);
                let name = r
                    .get("name")
                    .and_then(Value::as_str)
                    .map_or_else(|| normalize_path(&p), str::to_string);
                nodes.push((p, name, r.get("resourceId").cloned().unwrap_or(Value::Null)));
            }
        }
        _ => {}
    }
    nodes
}

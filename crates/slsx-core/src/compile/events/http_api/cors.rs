//! `provider.httpApi.cors`: the API's `CorsConfiguration`. `true` is osls's defaults; without
//! `allowedMethods` the methods are `OPTIONS` and those of the routes.

use serde_json::{json, Map, Value};

use super::super::{as_list, put};
use crate::config::events::http::DEFAULT_CORS_HEADERS as DEFAULT_HEADERS;
use crate::config::events::http_api::{unique, METHODS};
use crate::config::js_truthy;

pub(super) struct Cors {
    /// The configuration without `AllowMethods`.
    config: Map<String, Value>,
    methods: Vec<Value>,
    /// The methods are the routes' (no `allowedMethods`).
    from_routes: bool,
}

impl Cors {
    /// The rules `provider.httpApi` sets, if any.
    pub(super) fn from_settings(settings: &Map<String, Value>) -> Option<Cors> {
        let c = settings.get("cors").filter(|v| js_truthy(v))?;
        let mut config = Map::new();
        let listed =
            |k: &str, d: Vec<Value>| c.get(k).filter(|v| !v.is_null()).map(as_list).unwrap_or(d);
        config.insert(
            "AllowOrigins".into(),
            Value::Array(listed("allowedOrigins", vec![json!("*")])),
        );
        config.insert(
            "AllowHeaders".into(),
            Value::Array(listed(
                "allowedHeaders",
                DEFAULT_HEADERS.iter().map(|h| json!(h)).collect(),
            )),
        );
        let mut allowed = None;
        if c != &Value::Bool(true) {
            allowed = c
                .get("allowedMethods")
                .filter(|v| !v.is_null())
                .map(as_list);
            if c.get("allowCredentials").is_some_and(js_truthy) {
                config.insert("AllowCredentials".into(), json!(true));
            }
            put(
                &mut config,
                "ExposeHeaders",
                c.get("exposedResponseHeaders")
                    .filter(|v| !v.is_null())
                    .map(|v| Value::Array(as_list(v))),
            );
            put(&mut config, "MaxAge", c.get("maxAge").cloned());
        }
        Some(Cors {
            config,
            from_routes: allowed.is_none(),
            methods: allowed.unwrap_or_else(|| vec![json!("OPTIONS")]),
        })
    }

    /// Counts a route's method (`ANY` as every method) when the methods are the routes'.
    pub(super) fn add_route_method(&mut self, method: &str) {
        if !self.from_routes {
            return;
        }
        let added: Vec<Value> = if method == "ANY" {
            METHODS
                .iter()
                .filter(|m| **m != "ANY")
                .map(|m| json!(m))
                .collect()
        } else {
            vec![json!(method)]
        };
        let mut all = std::mem::take(&mut self.methods);
        all.extend(added);
        self.methods = unique(all);
    }

    /// The `CorsConfiguration` property.
    pub(super) fn into_configuration(self) -> Value {
        let mut config = self.config;
        config.insert("AllowMethods".into(), Value::Array(self.methods));
        Value::Object(config)
    }
}

//! Tests of the resolver alone (no AWS).

use std::collections::HashMap;
use std::path::PathBuf;

use serde_json::{json, Value};

use super::resolve_config;
use crate::variables::Context;

fn ctx(options: Value) -> Context<'static> {
    Context {
        service_dir: std::env::temp_dir(),
        config_file: PathBuf::from("serverless.yml"),
        source: String::new(),
        options: options.as_object().cloned().unwrap_or_default(),
        params: vec![("cli".into(), "fromcli".into())],
        env: HashMap::from([("HOME_X".to_string(), "h".to_string())]),
        instance_id: "1".into(),
        aws: None,
        js: None,
        tolerate_unknown_sources: false,
    }
}

#[test]
fn self_opt_env_fallbacks_nesting_embedding() {
    let config = json!({
        "service": "svc",
        "provider": { "name": "aws", "stage": "${opt:stage, 'dev'}" },
        "custom": {
            "dev": { "size": 5 },
            "size": "${self:custom.${self:provider.stage}.size}",
            "name": "pre-${self:service}-${sls:stage}",
            "env": "${env:NOPE, env:HOME_X}",
            "lit": "${env:NOPE, 42}",
            "esc": "\\${self:service}",
            "again": "${self:custom.indirect}",
            "indirect": "${self:custom.raw}",
            "raw": "${self:service}",
            "list": ["${self:service}", 1],
            "param": "${param:cli}",
            "bool": "${strToBool(1)}",
            "sub": { "Fn::Sub": "arn:${AWS::Partition}:${self:service}" },
            "nil": "${env:NOPE, null}"
        }
    });
    let resolved = resolve_config(config, &ctx(json!({}))).unwrap();
    let c = &resolved["custom"];
    assert_eq!(resolved["provider"]["stage"], "dev");
    assert_eq!(c["size"], 5);
    assert_eq!(c["name"], "pre-svc-dev");
    assert_eq!(c["env"], "h");
    assert_eq!(c["lit"], 42);
    assert_eq!(c["esc"], "${self:service}");
    assert_eq!(c["again"], "svc");
    assert_eq!(c["list"], json!(["svc", 1]));
    assert_eq!(c["param"], "fromcli");
    assert_eq!(c["bool"], true);
    assert_eq!(c["sub"]["Fn::Sub"], "arn:${AWS::Partition}:svc");
    assert_eq!(c["nil"], Value::Null);
}

#[test]
fn cycles_unresolved_and_unknown_sources_are_errors_naming_the_property() {
    let cycle = json!({ "custom": { "a": "${self:custom.b}", "b": "${self:custom.a}" } });
    let e = resolve_config(cycle, &ctx(json!({}))).unwrap_err();
    assert_eq!(e.code(), "VARIABLES_RESOLUTION_ERROR");
    assert!(
        e.to_string()
            .contains("Circular reference among \"custom.b\" and \"custom.a\" properties"),
        "{e}"
    );

    let missing = json!({ "custom": { "a": "${env:NOPE_NOPE}" } });
    let e = resolve_config(missing, &ctx(json!({}))).unwrap_err();
    assert!(
        e.to_string().starts_with(
            "Cannot resolve variable at \"custom.a\": Value not found at \"env\" source"
        ),
        "{e}"
    );

    let unknown = json!({ "custom": { "a": "${nope:x}" } });
    let e = resolve_config(unknown, &ctx(json!({}))).unwrap_err();
    assert_eq!(e.code(), "UNRECOGNIZED_VARIABLE_SOURCES");
}

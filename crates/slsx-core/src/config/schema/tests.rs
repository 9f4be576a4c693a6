//! The engine on small schemas of its own (every keyword, ajv's order of coercion), and the assembled
//! osls schema on the conversions issue 13 names. The verdicts against osls itself are the fixtures
//! `schema-*` (golden `osls print` output, compared by `__test__/print.test.js`).

use serde_json::{json, Value};

use super::*;

fn schema_of(root: Value, definitions: Value) -> Schema {
    Schema {
        root,
        definitions: definitions.as_object().cloned().unwrap_or_default(),
    }
}

fn paths(problems: &[Problem]) -> Vec<&str> {
    problems.iter().map(|p| p.path.as_str()).collect()
}

#[test]
fn coerces_in_place_where_the_schema_has_a_type() {
    let s = schema_of(
        json!({
            "type": "object",
            "properties": {
                "enabled": { "type": "boolean" },
                "memory": { "type": "integer", "minimum": 128 },
                "env": { "type": "object", "additionalProperties": { "type": "string" } },
                "layers": { "type": "array", "items": { "type": "string" } },
                "one": { "type": "string" },
                "free": {}
            },
            "additionalProperties": false
        }),
        json!({}),
    );
    let mut config = json!({
        "enabled": "false", "memory": "512", "env": { "A": 256, "B": true },
        "layers": "arn:layer", "one": ["x"], "free": "false"
    });
    assert!(s.check(&mut config).is_empty());
    assert_eq!(
        config,
        json!({
            "enabled": false, "memory": 512, "env": { "A": "256", "B": "true" },
            "layers": ["arn:layer"], "one": "x", "free": "false"
        })
    );
}

#[test]
fn reports_each_keyword_at_its_path() {
    let s = schema_of(
        json!({
            "type": "object",
            "properties": {
                "memory": { "type": "integer", "minimum": 128, "maximum": 10240 },
                "arch": { "enum": ["x86_64", "arm64"] },
                "name": { "type": "string", "pattern": "^[a-z]+$", "maxLength": 3 },
                "method": { "type": "string", "regexp": "/^(get|post)$/i" },
                "list": { "type": "array", "uniqueItems": true, "minItems": 1 },
                "needs": { "type": "object", "required": ["a"] }
            },
            "additionalProperties": false
        }),
        json!({}),
    );
    let mut config = json!({
        "memory": 64, "arch": "x86", "name": "ABCD", "method": "gett",
        "list": ["a", "a"], "needs": {}, "extra": 1
    });
    let problems = s.check(&mut config);
    let p = paths(&problems);
    for expected in ["memory", "arch", "name", "method", "list", "needs", "root"] {
        assert!(p.contains(&expected), "{expected} in {p:?}");
    }
    let extra = problems.iter().find(|p| p.path == "root").unwrap();
    assert_eq!(extra.message, "unrecognized property 'extra'");
    assert_eq!(extra.locate, "extra");
    let method = problems.iter().find(|p| p.path == "method").unwrap();
    assert!(
        method.message.contains("/^(get|post)$/i"),
        "{}",
        method.message
    );
}

#[test]
fn any_of_stops_at_the_first_passing_branch_and_keeps_earlier_conversions() {
    // ajv's first branch converts 256 to "256" and passes; the second is never tried.
    let s = schema_of(
        json!({ "anyOf": [{ "type": "string" }, { "type": "number" }] }),
        json!({}),
    );
    let mut v = json!(256);
    assert!(s.check(&mut v).is_empty());
    assert_eq!(v, json!("256"));
    // A failing branch's conversion stays (ajv mutates before the branch fails).
    let s = schema_of(
        json!({ "type": "object", "properties": { "a": { "anyOf": [
            { "type": "object", "properties": { "n": { "type": "integer" } }, "required": ["k"] },
            { "type": "object" }
        ] } } }),
        json!({}),
    );
    let mut v = json!({ "a": { "n": "5" } });
    assert!(s.check(&mut v).is_empty());
    assert_eq!(v, json!({ "a": { "n": 5 } }));
}

#[test]
fn the_meant_branch_of_a_failed_any_of_is_reported() {
    let s = schema_of(
        json!({ "type": "object", "properties": { "role": { "anyOf": [
            { "type": "string" },
            { "$ref": "#/definitions/getAtt" }
        ] } } }),
        json!({ "getAtt": {
            "type": "object",
            "properties": { "Fn::GetAtt": { "type": "array", "minItems": 2 } },
            "required": ["Fn::GetAtt"],
            "additionalProperties": false
        } }),
    );
    let mut v = json!({ "role": { "Fn::GetAtt": ["Role"] } });
    let problems = s.check(&mut v);
    assert_eq!(paths(&problems), vec!["role.Fn::GetAtt"]);
    let mut v = json!({ "role": 5 });
    // 5 becomes "5": a string role (osls accepts it the same way).
    assert!(s.check(&mut v).is_empty());
    assert_eq!(v, json!({ "role": "5" }));
}

#[test]
fn nulls_are_neither_checked_nor_converted_and_come_back_last() {
    let s = schema_of(
        json!({ "type": "object", "properties": {
            "a": { "type": "string" }, "b": { "type": "boolean" }
        }, "additionalProperties": false }),
        json!({}),
    );
    let mut v = json!({ "a": null, "b": "true" });
    assert!(s.check(&mut v).is_empty());
    assert_eq!(serde_json::to_string(&v).unwrap(), r#"{"b":true,"a":null}"#);
}
#[test]
fn plugins_extend_events_functions_custom_and_the_top_level() {
    let mut s = Schema::osls().clone();
    s.define_function_event("myEvent", json!({ "type": "object", "properties": { "on": { "type": "boolean" } }, "additionalProperties": false }))
        .unwrap();
    assert!(s.define_function_event("http", json!({})).is_err());
    s.define_top_level_property("myTop", json!({ "type": "integer" }))
        .unwrap();
    let mut props = serde_json::Map::new();
    props.insert("myProp".into(), json!({ "type": "boolean" }));
    s.define_function_properties(&props).unwrap();
    s.define_custom_properties(&props).unwrap();
    let mut config = json!({
        "service": "svc",
        "provider": { "name": "aws" },
        "myTop": "3",
        "custom": { "myProp": "false" },
        "functions": { "f": { "handler": "h.h", "myProp": "true", "events": [{ "myEvent": { "on": "false" } }] } }
    });
    let problems = s.check(&mut config);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(config["myTop"], json!(3));
    assert_eq!(config["custom"]["myProp"], json!(false));
    assert_eq!(config["functions"]["f"]["myProp"], json!(true));
    assert_eq!(
        config["functions"]["f"]["events"][0]["myEvent"]["on"],
        json!(false)
    );
}

/// What issue 13 names: each of these deployed something else than the user wrote.
#[test]
fn osls_schema_converts_what_osls_converts() {
    let mut config = json!({
        "service": "svc",
        "provider": {
            "name": "aws", "runtime": "nodejs20.x", "memorySize": "1024",
            "iamManagedPolicies": "arn:aws:iam::aws:policy/ReadOnlyAccess",
            "environment": { "PORT": 8080 }
        },
        "functions": { "f": {
            "handler": "h.h",
            "url": "false",
            "layers": "arn:aws:lambda:us-east-1:123456789012:layer:l:1",
            "events": [{ "schedule": { "rate": "rate(1 minute)", "enabled": "false" } }]
        } }
    });
    let problems = Schema::osls().check(&mut config);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(config["functions"]["f"]["url"], json!(false));
    assert_eq!(config["provider"]["memorySize"], json!(1024));
    assert_eq!(
        config["provider"]["iamManagedPolicies"],
        json!(["arn:aws:iam::aws:policy/ReadOnlyAccess"])
    );
    assert_eq!(config["provider"]["environment"]["PORT"], json!("8080"));
    assert_eq!(
        config["functions"]["f"]["layers"],
        json!(["arn:aws:lambda:us-east-1:123456789012:layer:l:1"])
    );
    assert_eq!(
        config["functions"]["f"]["events"][0]["schedule"]["enabled"],
        json!(false)
    );
}

#[test]
fn osls_schema_rejects_what_osls_rejects() {
    let cases = [
        (json!({ "app": "a" }), "root"),
        (
            json!({ "functions": { "f": { "handler": "h.h", "memory": 512 } } }),
            "functions.f",
        ),
        (
            json!({ "functions": { "f": { "handler": "h.h", "events": [{ "schedule": { "rate": "rate(1 minute)", "enabld": true } }] } } }),
            "functions.f.events.0.schedule",
        ),
        (
            json!({ "functions": { "f": { "handler": "h.h", "events": [{ "http": { "path": "/", "method": "gett" } }] } } }),
            "functions.f.events.0.http.method",
        ),
        (
            json!({ "functions": { "f": { "handler": "h.h", "events": [{ "htp": {} }] } } }),
            "functions.f.events.0",
        ),
    ];
    for (extra, path) in cases {
        let mut config = json!({ "service": "svc", "provider": { "name": "aws" } });
        for (k, v) in extra.as_object().unwrap() {
            config[k] = v.clone();
        }
        let problems = Schema::osls().check(&mut config);
        assert_eq!(paths(&problems), vec![path], "{extra}: {problems:?}");
    }
    // Accepted by osls 4.3.1.
    let mut config = json!({
        "service": "svc", "provider": { "name": "aws" }, "projectDir": ".",
        "functions": { "f": { "handler": "h.h", "awsKmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/k" } }
    });
    let problems = Schema::osls().check(&mut config);
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn every_pattern_of_the_osls_schema_compiles() {
    let s = Schema::osls();
    fn walk(v: &Value) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    match (k.as_str(), v) {
                        ("pattern", Value::String(p)) => {
                            regex::JsRegex::get(p, "u");
                        }
                        ("regexp", Value::String(r)) => {
                            regex::JsRegex::from_literal(r);
                        }
                        ("patternProperties", Value::Object(pp)) => {
                            for (p, s) in pp {
                                regex::JsRegex::get(p, "u");
                                walk(s);
                            }
                        }
                        _ => walk(v),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(walk),
            _ => {}
        }
    }
    walk(&s.root);
    for d in s.definitions.values() {
        walk(d);
    }
}

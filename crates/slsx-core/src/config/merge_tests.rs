//! Expected values were produced by osls 4.3.1's own merge (`lib/utils/merge-plain-objects.js`
//! reduced the way `Service#mergeArrays` does) on the same inputs.

use std::path::Path;

use serde_json::{json, Value};

use super::{locate_error, merge_arrays};
use crate::error::Error;

fn merged(mut config: Value) -> Value {
    merge_arrays(&mut config).unwrap();
    config
}

fn error(mut config: Value) -> (String, String, String) {
    match merge_arrays(&mut config).unwrap_err() {
        Error::Config {
            code,
            message,
            path,
            location: None,
        } => (code.to_string(), message, path.unwrap()),
        other => panic!("unexpected error {other:?}"),
    }
}

#[test]
fn fragments_are_merged_in_order_and_deeply() {
    let config = merged(json!({
        "service": "s",
        "resources": [
            { "Resources": { "Table": { "Type": "AWS::DynamoDB::Table", "Properties": { "A": 1 } } } },
            { "Resources": { "Table": { "Properties": { "B": 2 } }, "Queue": { "Type": "AWS::SQS::Queue" } },
              "Outputs": { "TableName": { "Value": { "Ref": "Table" } } } },
            { "Conditions": { "IsProd": { "Fn::Equals": ["a", "b"] } }, "Resources": { "Table": { "Properties": { "A": 3 } } } }
        ]
    }));
    assert_eq!(
        config["resources"],
        json!({
            "Resources": {
                "Table": { "Type": "AWS::DynamoDB::Table", "Properties": { "A": 3, "B": 2 } },
                "Queue": { "Type": "AWS::SQS::Queue" }
            },
            "Outputs": { "TableName": { "Value": { "Ref": "Table" } } },
            "Conditions": { "IsProd": { "Fn::Equals": ["a", "b"] } }
        })
    );
    // Keys keep the order in which they were first seen, as in the JavaScript object.
    let keys: Vec<&String> = config["resources"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["Resources", "Outputs", "Conditions"]);
    assert_eq!(config["service"], "s");
}

#[test]
fn lists_merge_item_by_item_and_null_replaces() {
    // osls: {"a":{"x":[9,{"p":1,"q":5},3],"y":null},"b":{"c":1},"c":{"d":3}}
    let config = merged(json!({ "resources": [
        { "a": { "x": [1, { "p": 1, "q": 2 }, 3] }, "b": 1 },
        null,
        { "a": { "x": [9, { "q": 5 }], "y": null }, "b": { "c": 1 } },
        { "constructor": 1, "c": { "prototype": 2, "d": 3, "e": [{ "__proto__": 1, "f": 1 }] } }
    ]}));
    assert_eq!(
        config["resources"],
        json!({ "a": { "x": [9, { "p": 1, "q": 5 }, 3], "y": null }, "b": { "c": 1 },
                "c": { "d": 3, "e": [{ "f": 1 }] } })
    );
}

#[test]
fn a_value_of_another_kind_replaces_the_earlier_one() {
    // osls: {"a":{}} and {"a":[null,2]}
    let config = merged(json!({ "resources": [{ "a": [1, 2] }, { "a": [[5]] }, { "a": {} }] }));
    assert_eq!(config["resources"], json!({ "a": {} }));
    let config = merged(
        json!({ "resources": [{ "a": 1 }, { "a": [1] }, { "a": [{ "x": 1 }, 2] }, { "a": [null] }] }),
    );
    assert_eq!(config["resources"], json!({ "a": [null, 2] }));
}

#[test]
fn functions_lists_merge_too() {
    let config = merged(json!({ "functions": [
        { "a": { "handler": "a.h" } },
        { "b": { "handler": "b.h" }, "a": { "memorySize": 256 } }
    ]}));
    assert_eq!(
        config["functions"],
        json!({ "a": { "handler": "a.h", "memorySize": 256 }, "b": { "handler": "b.h" } })
    );
}

#[test]
fn falsy_entries_are_skipped_and_empty_lists_give_an_empty_object() {
    let config = merged(
        json!({ "resources": [null, false, 0, 0.0, "", { "Outputs": {} }], "functions": [] }),
    );
    assert_eq!(config["resources"], json!({ "Outputs": {} }));
    assert_eq!(config["functions"], json!({}));
}

#[test]
fn objects_and_absent_keys_are_left_alone() {
    let original =
        json!({ "resources": { "Resources": { "constructor": { "Type": "X" } } }, "custom": [1] });
    assert_eq!(merged(original.clone()), original);
    assert_eq!(merged(json!("not a mapping")), json!("not a mapping"));
}

#[test]
fn non_object_entries_are_refused_with_osls_code_and_text() {
    let cases = [
        (json!({ "resources": [{}, "abc"] }), "resources.1", "'abc'"),
        (json!({ "resources": ["it's"] }), "resources.0", "\"it's\""),
        (json!({ "functions": [5] }), "functions.0", "5"),
        (json!({ "resources": [null, 1.5] }), "resources.1", "1.5"),
        (json!({ "resources": [true] }), "resources.0", "true"),
        (json!({ "resources": [[]] }), "resources.0", "[]"),
        (
            json!({ "resources": [[1, "a", { "b": { "c": { "d": { "e": 1 } } } }]] }),
            "resources.0",
            "[ 1, 'a', { b: { c: [Object] } } ]",
        ),
        (
            json!({ "resources": [[{ "a-b": 1 }]] }),
            "resources.0",
            "[ { 'a-b': 1 } ]",
        ),
    ];
    for (config, path, shown) in cases {
        let key = path.split('.').next().unwrap();
        let (code, message, at) = error(config);
        assert_eq!(code, "LEGACY_CONFIGURATION_PROPERTY_MERGE_INVALID_INPUT");
        assert_eq!(
            message,
            format!("Non-object value specified in {key} array: {shown} (at \"{path}\")")
        );
        assert_eq!(at, path);
    }
}

#[test]
fn errors_point_at_the_list_item() {
    let source = "service: s\nresources:\n  # tables\n  - ${file(a.yml)}\n\n  - Resources:\n      X: 1\n  - ${file(b.yml)}\nfunctions:\n- ${file(f.yml)}\n- oops\n";
    let at = |path: &str| {
        let err = Error::Config {
            code: "X",
            message: String::new(),
            path: Some(path.into()),
            location: None,
        };
        let located = locate_error(err, Path::new("/svc/serverless.yml"), source);
        let loc = located.location().expect("located");
        assert_eq!(loc.file, Path::new("/svc/serverless.yml"));
        (loc.line, loc.column)
    };
    assert_eq!(at("resources.0"), (4, 3));
    assert_eq!(at("resources.1"), (6, 3));
    assert_eq!(at("resources.2"), (8, 3));
    // A sequence at column 1 under its key.
    assert_eq!(at("functions.1"), (11, 1));
    // Past the end, or a flow sequence: the key itself.
    assert_eq!(at("resources.3"), (2, 1));
    let flow = "service: s\nresources: [a, b]\n";
    let err = Error::Config {
        code: "X",
        message: String::new(),
        path: Some("resources.1".into()),
        location: None,
    };
    let loc = locate_error(err, Path::new("serverless.yml"), flow);
    assert_eq!(loc.location().map(|l| l.line), Some(2));
}

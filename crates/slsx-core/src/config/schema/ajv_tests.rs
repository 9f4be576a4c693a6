//! Cases `__test__/schema-differential.test.js` found where slsx's engine and osls 4.3.1's ajv
//! disagreed, each reduced to its smallest form.

use serde_json::{json, Value};

use super::*;

#[test]
fn validation_mode_is_read_as_osls_reads_it() {
    // `configValidationMode || 'error'`, as written: only `error` stops, `off` is silent, anything
    // else warns (osls's service.js and config-schema-handler).
    for (written, mode) in [
        (None, "error"),
        (Some(json!(null)), "error"),
        (Some(json!("")), "error"),
        (Some(json!(0)), "error"),
        (Some(json!(false)), "error"),
        (Some(json!("error")), "error"),
        (Some(json!("off")), "off"),
        (Some(json!("warn")), "warn"),
        (Some(json!("true")), "true"),
        (Some(json!(true)), "warn"),
        (Some(json!(["error"])), "warn"),
        (Some(json!(5)), "warn"),
    ] {
        assert_eq!(mode_of(written.as_ref()), mode, "{written:?}");
    }
    let problems = vec![Problem {
        path: "provider.timeout".into(),
        at: "'provider.timeout'".into(),
        message: "must be integer".into(),
        locate: "provider.timeout".into(),
    }];
    let none = |_: &str| None;
    assert!(apply("error", &problems, &none).is_err());
    assert!(apply("off", &problems, &none).unwrap().is_empty());
    assert_eq!(apply("true", &problems, &none).unwrap().len(), 1);
}

#[test]
fn the_placeholder_event_is_reported_at_its_key() {
    let mut config = json!({
        "service": "svc", "provider": { "name": "aws" },
        "functions": { "f": { "handler": "h.h", "events": [{ "__schemaWorkaround__": 5 }] } }
    });
    let problems = Schema::osls().check(&mut config);
    let lines: Vec<String> = problems.iter().map(Problem::line).collect();
    assert_eq!(
        lines,
        ["at 'functions.f.events.0.__schemaWorkaround__': must be equal to constant"]
    );
}

fn lines_of(extra: Value) -> (Vec<String>, Value) {
    let mut config = json!({ "service": "svc", "provider": { "name": "aws" } });
    for (k, v) in extra.as_object().into_iter().flatten() {
        config[k] = v.clone();
    }
    let problems = Schema::osls().check(&mut config);
    (problems.iter().map(Problem::line).collect(), config)
}

#[test]
fn a_one_element_list_ajv_cannot_convert_leaves_its_item_to_later_branches() {
    // `arn: [{}]` against anyOf [string, object]: the string branch puts `{}` in ajv's variable and
    // fails; the object branch then sees `{}` and passes. The configuration keeps the list.
    let (lines, config) = lines_of(json!({ "functions": { "f": { "handler": "h.h",
        "events": [{ "sqs": { "arn": [{}] } }] } } }));
    assert!(lines.is_empty(), "{lines:?}");
    assert_eq!(
        config["functions"]["f"]["events"][0]["sqs"]["arn"],
        json!([{}])
    );
    // The item of an inner list converted by a later branch replaces the whole value.
    let (lines, config) = lines_of(json!({ "provider": { "name": "aws", "iamRoleStatements": [
        { "Effect": "Allow", "Action": "*", "NotResource": [[5]] }
    ] } }));
    assert!(lines.is_empty(), "{lines:?}");
    assert_eq!(
        config["provider"]["iamRoleStatements"][0]["NotResource"],
        json!("5")
    );
}

#[test]
fn failed_branches_are_reduced_by_osls_rules() {
    // Every branch fails below the value: one line at the value, with the branches' common type.
    let (lines, _) = lines_of(json!({ "functions": { "f": { "handler": "h.h",
        "events": [{ "stream": { "arn": 0 } }] } } }));
    assert_eq!(
        lines,
        ["at 'functions.f.events.0.stream': unsupported string format"]
    );
    let (lines, _) = lines_of(json!({ "provider": { "name": "aws",
        "httpApi": { "authorizers": { "a": { "type": 5 } } } } }));
    assert_eq!(
        lines,
        ["at 'provider.httpApi.authorizers.a': unsupported value"]
    );
}

#[test]
fn one_of_stops_at_the_second_passing_branch() {
    // `redrivePolicy: 'true'`: every `required` branch passes a string; ajv stops at the second one,
    // so the oneOf fails (osls then words it "unsupported configuration format").
    let (lines, _) = lines_of(json!({ "functions": { "f": { "handler": "h.h",
        "events": [{ "sns": { "redrivePolicy": "true" } }] } } }));
    assert_eq!(
        lines,
        [
            "at 'functions.f.events.0.sns': unsupported configuration format",
            "at 'functions.f.events.0.sns.redrivePolicy': unsupported configuration format",
            "at 'functions.f.events.0.sns.redrivePolicy': must be object"
        ]
    );
}

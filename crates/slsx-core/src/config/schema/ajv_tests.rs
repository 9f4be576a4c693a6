//! Cases `__test__/schema-differential.test.js` found where slsx's engine and osls 4.3.1's ajv
//! disagreed, each reduced to its smallest form.

use serde_json::json;

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

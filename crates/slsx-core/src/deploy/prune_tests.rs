//! `provider.pruneFunctionVersions`: the setting as osls 4.3.1 reads it, and the pruning on the SDK's
//! test HTTP client (pages, aliases, the order of deletions, Lambda@Edge replicas). The moto test is
//! `__test__/post-deploy.test.js`.

use super::*;
use crate::deploy::scripted_sdk::{self, matching};
use crate::progress::Collect;

const HEAD: &str = "service: svc\nconfigValidationMode: off\nprovider:\n  name: aws\n";
const FUNCTIONS: &str = "functions:\n  a:\n    handler: handler.h\n";

fn with(provider: &str, functions: &str) -> Service {
    let yaml = format!("{HEAD}{provider}{functions}");
    scripted_sdk::service(&yaml, "dev")
}

fn keep(setting_yaml: &str) -> Result<Option<u64>> {
    setting(&with(
        &format!("  pruneFunctionVersions: {setting_yaml}\n"),
        FUNCTIONS,
    ))
}

#[test]
fn true_keeps_ten_and_a_number_is_read_as_parse_int() {
    assert_eq!(keep("true").unwrap(), Some(10));
    assert_eq!(keep("false").unwrap(), None);
    assert_eq!(keep("null").unwrap(), None);
    assert_eq!(keep("{ number: 3 }").unwrap(), Some(3));
    assert_eq!(keep("{ number: '4' }").unwrap(), Some(4));
    assert_eq!(keep("{ number: 2.7 }").unwrap(), Some(2));
    assert_eq!(keep("{ number: ' 5 versions' }").unwrap(), Some(5));
    assert_eq!(keep("{ number: [6] }").unwrap(), Some(6));
    assert_eq!(setting(&with("", FUNCTIONS)).unwrap(), None);
}

#[test]
fn other_forms_are_refused_at_their_line() {
    for bad in [
        "yes",
        "3",
        "[]",
        "{}",
        "{ number: 0 }",
        "{ number: -2 }",
        "{ number: x }",
        "{ number: {} }",
    ] {
        let err = keep(bad).map(|v| panic!("{bad}: {v:?}")).unwrap_err();
        assert_eq!(
            err.code(),
            "INVALID_PRUNE_FUNCTION_VERSIONS_CONFIG",
            "{bad}"
        );
        assert_eq!(
            err.to_string(),
            "provider.pruneFunctionVersions must be true or an object with a positive number property"
        );
        assert_eq!(err.location().map(|l| l.line), Some(5), "{bad}");
    }
}

#[test]
fn versions_off_only_with_durable_functions_alone() {
    let prune_off = "  versionFunctions: false\n  pruneFunctionVersions: true\n";
    let err = setting(&with(prune_off, FUNCTIONS)).unwrap_err();
    assert_eq!(err.code(), "PRUNE_INCOMPATIBLE_WITH_VERSION_FUNCTIONS");
    let durable = "functions:\n  a:\n    handler: handler.h\n    durableConfig:\n      executionTimeout: 60\n";
    assert_eq!(setting(&with(prune_off, durable)).unwrap(), Some(10));
    // A function that turns versions back on is prunable again, so the setting is refused.
    let both = format!("{durable}  b:\n    handler: handler.h\n    versionFunction: true\n");
    let err = setting(&with(prune_off, &both)).unwrap_err();
    assert_eq!(err.code(), "PRUNE_INCOMPATIBLE_WITH_VERSION_FUNCTIONS");
}

fn versions(list: &[&str], next: Option<&str>) -> String {
    let items: Vec<String> = list
        .iter()
        .map(|v| format!("{{\"Version\":\"{v}\"}}"))
        .collect();
    let next = next
        .map(|m| format!(",\"NextMarker\":\"{m}\""))
        .unwrap_or_default();
    format!("{{\"Versions\":[{}]{next}}}", items.join(","))
}

/// A: versions 1-7 in two pages, aliases on 2 and 5, version 3 a Lambda@Edge replica. B: not
/// versioned. C: not deployed. The layer: versions 1-4.
fn script(line: &str) -> (u16, String) {
    let fun = "/2015-03-31/functions/svc-dev-";
    if line.starts_with(&format!("GET {fun}a/versions")) {
        if line.contains("Marker=m1") {
            return (200, versions(&["5", "6", "7"], None));
        }
        return (200, versions(&["$LATEST", "1", "2", "3", "4"], Some("m1")));
    }
    if line.starts_with(&format!("GET {fun}a/aliases")) {
        let body = r#"{"Aliases":[{"Name":"live","FunctionVersion":"2"},{"Name":"canary","FunctionVersion":"5"}]}"#;
        return (200, body.into());
    }
    if line.starts_with(&format!("GET {fun}c/")) {
        let body = r#"{"__type":"ResourceNotFoundException","Message":"Function not found"}"#;
        return (404, body.into());
    }
    if line.starts_with(&format!("DELETE {fun}a?Qualifier=3")) {
        let body = r#"{"__type":"InvalidParameterValueException","Message":"Lambda was unable to delete arn:aws:lambda:us-east-1:1:function:svc-dev-a:3 because it is a replicated function. Please see our documentation for Deleting Lambda@Edge Functions and Replicas."}"#;
        return (400, body.into());
    }
    if line.starts_with("DELETE ") {
        return (204, String::new());
    }
    if line.starts_with("GET /2018-10-31/layers/shared-lib/versions") {
        let body = r#"{"LayerVersions":[{"Version":3},{"Version":1},{"Version":4},{"Version":2}]}"#;
        return (200, body.into());
    }
    panic!("unexpected request {line}");
}

const SERVICE: &str = "functions:\n  a:\n    handler: handler.h\n  b:\n    handler: handler.h\n    versionFunction: false\n  c:\n    handler: handler.h\nlayers:\n  lib:\n    path: layer\n    name: shared-lib\n";

#[tokio::test]
async fn scripted_sdk_keeps_the_newest_and_the_aliased_versions() {
    let service = with("  pruneFunctionVersions:\n    number: 2\n", SERVICE);
    let (ctx, log) = scripted_sdk::context(script).await;
    let events = Collect::default();
    prune(&ctx, &service, setting(&service).unwrap(), &events)
        .await
        .unwrap();
    // Newest two unaliased versions of A (7, 6) and the aliased ones (5, 2) stay; the rest goes, newest
    // first.
    let deleted: Vec<String> = matching(&log, "DELETE /2015-03-31/")
        .iter()
        .map(|l| l.split_whitespace().nth(1).unwrap().to_string())
        .collect();
    assert_eq!(
        deleted,
        [
            "/2015-03-31/functions/svc-dev-a?Qualifier=4",
            "/2015-03-31/functions/svc-dev-a?Qualifier=3",
            "/2015-03-31/functions/svc-dev-a?Qualifier=1"
        ]
    );
    let layers: Vec<String> = matching(&log, "DELETE /2018-10-31/")
        .iter()
        .map(|l| l.split_whitespace().nth(1).unwrap().to_string())
        .collect();
    assert_eq!(
        layers,
        [
            "/2018-10-31/layers/shared-lib/versions/2",
            "/2018-10-31/layers/shared-lib/versions/1"
        ]
    );
    assert!(matching(&log, "svc-dev-b").is_empty(), "b has no versions");
    let events = events.0.lock().unwrap();
    let shown = |e: &ProgressEvent| match e {
        ProgressEvent::Success { message } => Some(format!("success: {message}")),
        ProgressEvent::Warning { message } => Some(format!("warning: {message}")),
        _ => None,
    };
    let shown: Vec<String> = events.iter().filter_map(shown).collect();
    assert!(
        shown.contains(
            &"warning: Unable to delete replicated Lambda@Edge function version svc-dev-a:3."
                .to_string()
        ),
        "{shown:?}"
    );
    assert!(
        shown.contains(&"success: Pruned 2 function versions".to_string()),
        "{shown:?}"
    );
    assert!(
        shown.contains(&"success: Pruned 2 layer versions".to_string()),
        "{shown:?}"
    );
    assert!(events.contains(&ProgressEvent::Info {
        message: "Deleting function version svc-dev-a:4.".into()
    }));
}

#[tokio::test]
async fn scripted_sdk_a_refused_deletion_fails_the_deploy() {
    let service = with("  pruneFunctionVersions:\n    number: 1\n", FUNCTIONS);
    let (ctx, _) = scripted_sdk::context(|line| {
        if line.starts_with("DELETE ") {
            let body = r#"{"__type":"ResourceConflictException","Message":"version 2 is in use"}"#;
            return (409, body.into());
        }
        if line.contains("/aliases") {
            return (200, r#"{"Aliases":[]}"#.into());
        }
        (200, versions(&["$LATEST", "1", "2"], None))
    })
    .await;
    let err = prune(&ctx, &service, Some(1), &Collect::default())
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        "AWS_LAMBDA_DELETE_FUNCTION_RESOURCE_CONFLICT_EXCEPTION"
    );
    assert_eq!(
        err.to_string(),
        "failed to delete function version svc-dev-a:1: version 2 is in use"
    );
}

//! osls's refusals of settings a durable function cannot have, each with its code and where it points.

use super::*;
use crate::compile::{compile, FunctionCode};
use crate::config::Service;
use crate::error::{Error, Result};
use crate::load::ServiceOptions;

/// Compiles `functions` (YAML under `functions:`) of a service on nodejs22.x.
fn compile_functions(name: &str, functions: &str) -> Result<crate::compile::Templates> {
    let dir = std::env::temp_dir().join(format!("slsx-durable-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let yaml = format!(
        "service: durable\nprovider:\n  name: aws\n  runtime: nodejs22.x\nfunctions:\n{functions}"
    );
    std::fs::write(dir.join("serverless.yml"), yaml).unwrap();
    let service = Service::load(&ServiceOptions {
        service_path: dir,
        ..Default::default()
    })?;
    let code: Vec<(String, FunctionCode)> = service
        .functions
        .iter()
        .map(|f| {
            let code = match &f.image {
                Some(_) => FunctionCode::Image {
                    uri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/r@sha256:ab".into(),
                    digest_hex: "ab".into(),
                },
                None => FunctionCode::Zip {
                    s3_key: "k.zip".into(),
                    sha256_base64: "c29kYQ==".into(),
                },
            };
            (f.key.clone(), code)
        })
        .collect();
    compile(&service, &code, &[])
}

/// The code and property path of the error compiling `functions` gives.
fn refusal(name: &str, functions: &str) -> (String, String, String) {
    match compile_functions(name, functions) {
        Err(e @ Error::Config { .. }) => {
            let Error::Config {
                code,
                ref message,
                ref path,
                ref location,
            } = e
            else {
                unreachable!()
            };
            assert!(location.is_some(), "{name}: the error has a line");
            (
                code.to_string(),
                path.clone().unwrap_or_default(),
                message.clone(),
            )
        }
        other => panic!("{name}: expected a configuration error, got {other:?}"),
    }
}

#[test]
fn unsupported_runtime_is_refused() {
    let (code, path, message) = refusal(
        "runtime",
        "  a:\n    handler: h.a\n    runtime: nodejs20.x\n    durableConfig:\n      executionTimeout: 60\n",
    );
    assert_eq!(code, "DURABLE_FUNCTION_UNSUPPORTED_RUNTIME");
    assert_eq!(path, "functions.a.durableConfig");
    assert!(message.starts_with("Function \"a\" cannot configure \"durableConfig\" with unsupported runtime \"nodejs20.x\"."));
}

#[test]
fn snapstart_needs_a_durable_snapstart_runtime_without_efs_or_large_storage() {
    let (code, path, message) = refusal(
        "snap-node",
        "  a:\n    handler: h.a\n    snapStart: true\n    durableConfig:\n      executionTimeout: 60\n",
    );
    assert_eq!(code, "DURABLE_FUNCTION_SNAPSTART_UNSUPPORTED");
    assert_eq!(path, "functions.a.snapStart");
    assert!(message.contains("with runtime \"nodejs22.x\""), "{message}");
    let (code, _, message) = refusal(
        "snap-storage",
        "  a:\n    handler: h.a\n    runtime: java21\n    snapStart: true\n    ephemeralStorageSize: 1024\n    durableConfig:\n      executionTimeout: 60\n",
    );
    assert_eq!(code, "DURABLE_FUNCTION_SNAPSTART_UNSUPPORTED");
    assert!(
        message.ends_with("with ephemeralStorageSize greater than 512 MB."),
        "{message}"
    );
    let (code, _, message) = refusal(
        "snap-image",
        "  a:\n    image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/r@sha256:ab\n    snapStart: true\n    durableConfig:\n      executionTimeout: 60\n",
    );
    assert_eq!(code, "DURABLE_FUNCTION_SNAPSTART_UNSUPPORTED");
    assert!(
        message.contains("when packaged as a container image"),
        "{message}"
    );
}

#[test]
fn destinations_retries_edge_and_long_mapped_executions_are_refused() {
    let base = "  b:\n    handler: h.b\n  a:\n    handler: h.a\n    durableConfig:\n      executionTimeout: 3600\n";
    for (name, extra, code, path) in [
        (
            "destinations",
            "    destinations:\n      onSuccess: b\n",
            "DURABLE_FUNCTION_DESTINATIONS_UNSUPPORTED",
            "functions.a.destinations",
        ),
        (
            "retries",
            "    maximumRetryAttempts: 0\n",
            "DURABLE_FUNCTION_MAXIMUM_RETRY_ATTEMPTS_UNSUPPORTED",
            "functions.a.maximumRetryAttempts",
        ),
        (
            "sqs",
            "    events:\n      - sqs: arn:aws:sqs:us-east-1:123456789012:q\n",
            "DURABLE_FUNCTION_ESM_TIMEOUT_UNSUPPORTED",
            "functions.a.durableConfig.executionTimeout",
        ),
        (
            "edge",
            "    events:\n      - cloudFront:\n          eventType: viewer-request\n          origin: s3://bucket.s3.amazonaws.com/files\n",
            "DURABLE_FUNCTION_LAMBDA_EDGE_UNSUPPORTED",
            "functions.a.events",
        ),
    ] {
        let (got, at, _) = refusal(name, &format!("{base}{extra}"));
        assert_eq!((got.as_str(), at.as_str()), (code, path), "{name}");
    }
    // 900 s is the cap for event source mappings, not above it.
    let ok = compile_functions(
        "sqs-900",
        "  a:\n    handler: h.a\n    durableConfig:\n      executionTimeout: 900\n    events:\n      - sqs: arn:aws:sqs:us-east-1:123456789012:q\n",
    )
    .unwrap();
    let mapping = &ok.update["Resources"]["AEventSourceMappingSQSQ"]["Properties"];
    assert_eq!(
        mapping["FunctionName"],
        json!({ "Fn::Join": [":", [{ "Fn::GetAtt": ["ALambdaFunction", "Arn"] }, "durable"]] })
    );
}

#[test]
fn no_statement_when_no_durable_function_runs_with_the_default_role() {
    let t = compile_functions(
        "roles",
        "  a:\n    handler: h.a\n    role: arn:aws:iam::123456789012:role/x\n    durableConfig:\n      executionTimeout: 60\n  b:\n    handler: h.b\n",
    )
    .unwrap();
    let statements = t.update["Resources"]["IamRoleLambdaExecution"]["Properties"]["Policies"][0]
        ["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        !statements
            .iter()
            .any(|s| s.to_string().contains("durable-execution")),
        "{statements:?}"
    );
}

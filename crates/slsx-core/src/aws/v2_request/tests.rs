//! What the emulator cannot show, on the SDK's test HTTP client: the invoke request as sent and its
//! answer as text, Lambda's 404 with its status (prune's "not deployed"), and the refusals, which send
//! nothing. (`tests/v2_request.rs` runs every operation against the local emulator.)

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_smithy_http_client::test_util::infallible_client_fn;
use aws_smithy_types::body::SdkBody;
use serde_json::json;

use super::*;
use crate::aws::{AwsSettings, ExtraEnv};

type Log = Arc<Mutex<Vec<String>>>;

/// A context whose requests are logged (`<method> <path> <body>`) and answered with `status`, `body`
/// and `headers`.
async fn scripted(
    status: u16,
    body: &'static str,
    headers: &'static [(&str, &str)],
) -> (AwsContext, Log) {
    let log: Log = Arc::default();
    let seen = log.clone();
    let http = infallible_client_fn(move |req| {
        let text = std::str::from_utf8(req.body().bytes().unwrap_or_default()).unwrap_or_default();
        let path = req.uri().path_and_query().map_or("/", |p| p.as_str());
        let invocation = req
            .headers()
            .get("x-amz-invocation-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        seen.lock()
            .unwrap()
            .push(format!("{} {path} {invocation} {text}", req.method()));
        let mut answer = http::Response::builder().status(status);
        for (k, v) in headers {
            answer = answer.header(*k, *v);
        }
        answer.body(SdkBody::from(body)).unwrap()
    });
    // Keys through `AWS_<STAGE>_*` in the settings: no process-wide variable to race other tests on.
    let env = HashMap::from([
        (
            "AWS_V2REQ_ACCESS_KEY_ID".to_string(),
            "AKIDV2REQ".to_string(),
        ),
        (
            "AWS_V2REQ_SECRET_ACCESS_KEY".to_string(),
            "secret".to_string(),
        ),
    ]);
    let settings = AwsSettings {
        region: "us-east-1".into(),
        stage: Some("v2req".into()),
        extra_env: ExtraEnv(env),
        ..Default::default()
    };
    (AwsContext::with_http_client(&settings, http).await, log)
}

#[tokio::test]
async fn invoke_sends_the_text_payload_and_answers_with_text() {
    let (ctx, log) = scripted(
        200,
        "{\"warmed\":true}",
        &[
            ("x-amz-executed-version", "7"),
            ("content-type", "application/json"),
        ],
    )
    .await;
    let answer = request(
        &ctx,
        "Lambda",
        "invoke",
        &json!({"FunctionName": "svc-dev-warmer", "InvocationType": "RequestResponse", "LogType": "None",
                "Qualifier": "live", "Payload": "{\"source\":\"warmup\"}"}),
    )
    .await
    .unwrap();
    assert_eq!(
        answer,
        json!({"StatusCode": 200, "Payload": "{\"warmed\":true}", "ExecutedVersion": "7"})
    );
    assert_eq!(
        *log.lock().unwrap(),
        ["POST /2015-03-31/functions/svc-dev-warmer/invocations?Qualifier=live RequestResponse {\"source\":\"warmup\"}"]
    );
}

#[tokio::test]
async fn an_aws_error_keeps_its_code_message_and_status() {
    let (ctx, _) = scripted(
        404,
        "{\"Type\":\"User\",\"Message\":\"Function not found: arn:aws:lambda:us-east-1:1:function:gone\"}",
        &[("x-amzn-errortype", "ResourceNotFoundException:http://internal.amazon.com/")],
    )
    .await;
    let failure = request_with_status(
        &ctx,
        "Lambda",
        "listVersionsByFunction",
        &json!({"FunctionName": "gone"}),
    )
    .await
    .unwrap_err();
    assert_eq!(failure.status_code, Some(404));
    assert_eq!(failure.error.code(), "ResourceNotFoundException");
    match &failure.error {
        Error::Aws { message, .. } => assert_eq!(
            message,
            "Function not found: arn:aws:lambda:us-east-1:1:function:gone"
        ),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn calls_outside_the_list_are_refused_before_any_request() {
    let (ctx, log) = scripted(200, "{}", &[]).await;
    let refused = |service: &'static str, method: &'static str, params: serde_json::Value| {
        let ctx = ctx.clone();
        async move { request(&ctx, service, method, &params).await.unwrap_err() }
    };

    let e = refused("StepFunctions", "startExecution", json!({})).await;
    assert_eq!(e.code(), "AWS_REQUEST_NOT_SUPPORTED");
    assert!(
        e.to_string()
            .contains("\"StepFunctions\", \"startExecution\""),
        "{e}"
    );
    assert!(
        e.to_string()
            .contains("it serves CloudFormation.describeStacks, "),
        "{e}"
    );
    let e = refused("Lambda", "updateFunctionCode", json!({})).await;
    assert_eq!(e.code(), "AWS_REQUEST_NOT_SUPPORTED");

    let e = refused(
        "S3",
        "putObject",
        json!({"Bucket": "b", "Key": "k", "ACL": "public-read"}),
    )
    .await;
    assert_eq!(e.code(), "AWS_REQUEST_PARAMETER_NOT_SUPPORTED");
    assert_eq!(
        e.to_string(),
        "failed to call S3.putObject: slsx does not pass the parameter \"ACL\" of S3.putObject \
         (it passes: Bucket, Key, Body, ContentType)"
    );
    let e = refused(
        "S3",
        "deleteObjects",
        json!({"Bucket": "b", "Delete": {"Objects": [{"Key": 1}]}}),
    )
    .await;
    assert_eq!(e.code(), "InvalidParameterType");
    assert!(
        e.to_string()
            .ends_with("Expected params.Delete.Objects[0].Key to be a string"),
        "{e}"
    );
    let e = refused("S3", "deleteObjects", json!({"Bucket": "b", "Delete": {}})).await;
    assert_eq!(e.code(), "MissingRequiredParameter");
    assert!(
        e.to_string()
            .ends_with("Missing required key 'Objects' in params.Delete"),
        "{e}"
    );
    let e = refused("Lambda", "deleteFunction", json!({"Qualifier": "3"})).await;
    assert!(
        e.to_string()
            .ends_with("Missing required key 'FunctionName' in params"),
        "{e}"
    );
    let e = refused(
        "Lambda",
        "invoke",
        json!({"FunctionName": "f", "Payload": {"a": 1}}),
    )
    .await;
    assert_eq!(e.code(), "InvalidParameterType");

    // null is absent, as v2 treats it.
    request(
        &ctx,
        "Lambda",
        "deleteFunction",
        &json!({"FunctionName": "f", "Qualifier": null}),
    )
    .await
    .unwrap();
    assert_eq!(
        *log.lock().unwrap(),
        ["DELETE /2015-03-31/functions/f  "],
        "only the last call was sent"
    );
}

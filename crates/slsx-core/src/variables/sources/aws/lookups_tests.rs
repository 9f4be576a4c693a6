//! `AwsLookups` on the SDK's test HTTP client (`infallible_client_fn`): AWS's own error answers (JSON
//! for SSM, XML for S3 and CloudFormation) become the right `SourceError`, a missing value is None, and
//! answers are memoized. (Throttling answers are retried by the SDK with its backoff: they are tested
//! on built SDK errors, in `error_tests`.)

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_smithy_http_client::test_util::infallible_client_fn;
use aws_smithy_types::body::SdkBody;
use serde_json::json;

use super::{AwsLookups, AwsSource, SourceError};
use crate::aws::{AwsSettings, ExtraEnv};

/// The secret key the requests are signed with: no error text may hold it.
const SECRET: &str = "lookups-test-secret-0123456789";

/// What the emulated AWS answers, by the request's operation (`X-Amz-Target`, the query `Action`, or
/// `GET <key>` for S3); the operations asked for, in order.
type Calls = Arc<Mutex<Vec<String>>>;

fn scripted(answers: &[(&str, u16, &str)]) -> (tokio::runtime::Runtime, AwsLookups, Calls) {
    let answers: HashMap<String, (u16, String)> = answers
        .iter()
        .map(|(op, status, body)| (op.to_string(), (*status, body.to_string())))
        .collect();
    let calls: Calls = Arc::default();
    let seen = calls.clone();
    let http = infallible_client_fn(move |req| {
        let body = std::str::from_utf8(req.body().bytes().unwrap_or_default()).unwrap_or_default();
        let op = match req.headers().get("x-amz-target") {
            Some(target) => target.to_str().unwrap_or_default().to_string(),
            None => match body.split('&').find_map(|p| p.strip_prefix("Action=")) {
                Some(action) => action.to_string(),
                // S3: the key (the bucket is in the host or the path, by the endpoint).
                None => format!("GET {}", req.uri().path().rsplit('/').next().unwrap_or("")),
            },
        };
        seen.lock().unwrap().push(op.clone());
        let (status, text) = answers.get(&op).cloned().unwrap_or((500, String::new()));
        http::Response::builder()
            .status(status)
            .body(SdkBody::from(text))
            .unwrap()
    });
    let settings = AwsSettings {
        region: "us-east-1".into(),
        stage: Some("lookups".into()),
        extra_env: ExtraEnv(HashMap::from([
            ("AWS_LOOKUPS_ACCESS_KEY_ID".into(), "AKIDLOOKUPS".into()),
            ("AWS_LOOKUPS_SECRET_ACCESS_KEY".into(), SECRET.into()),
        ])),
        ..Default::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let lookups = {
        let _entered = runtime.enter();
        AwsLookups::with_http_client(settings, http)
    };
    (runtime, lookups, calls)
}

fn xml_error(code: &str, message: &str) -> String {
    format!("<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error></ErrorResponse>")
}

#[test]
fn ssm_access_denied_once_asked_is_memoized() {
    let denied = json!({ "__type": "AccessDeniedException", "message": "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ssm:GetParameter" });
    let (_rt, lookups, calls) = scripted(&[("AmazonSSM.GetParameter", 400, &denied.to_string())]);
    let e = lookups
        .ssm_parameter("us-east-1", "/secret", true)
        .unwrap_err();
    assert!(matches!(e, SourceError::AccessDenied(_)), "{e:?}");
    assert_eq!(e.code(), "VARIABLE_SOURCE_ACCESS_DENIED");
    assert_eq!(
        e.to_string(),
        "cannot read SSM parameter /secret: AccessDeniedException: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ssm:GetParameter"
    );
    assert!(!e.to_string().contains(SECRET));
    // Memoized: asking again sends nothing.
    let again = lookups
        .ssm_parameter("us-east-1", "/secret", true)
        .unwrap_err();
    assert_eq!(again.code(), e.code());
    assert_eq!(calls.lock().unwrap().len(), 1);
}

#[test]
fn ssm_missing_parameter_is_no_value() {
    let missing = json!({ "__type": "ParameterNotFound", "message": "" });
    let (_rt, lookups, _) = scripted(&[("AmazonSSM.GetParameter", 400, &missing.to_string())]);
    assert_eq!(
        lookups.ssm_parameter("us-east-1", "/nope", true).unwrap(),
        None
    );
}

#[test]
fn s3_missing_key_is_no_value_missing_bucket_is_not_found() {
    let (_rt, lookups, _) = scripted(&[
        ("GET k", 404, "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>"),
        ("GET other", 404, "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>"),
    ]);
    assert_eq!(lookups.s3_object("bucket", "k").unwrap(), None);
    let e = lookups.s3_object("gone", "other").unwrap_err();
    assert!(matches!(e, SourceError::NotFound(_)), "{e:?}");
    assert_eq!(
        e.to_string(),
        "cannot read s3://gone/other: NoSuchBucket: The specified bucket does not exist"
    );
}

#[test]
fn cloudformation_missing_stack_is_no_value_denied_is_access_denied() {
    let missing = xml_error("ValidationError", "Stack with id nope does not exist");
    let (_rt, lookups, _) = scripted(&[("DescribeStacks", 400, &missing)]);
    assert_eq!(
        lookups.stack_output("us-east-1", "nope", "Out").unwrap(),
        None
    );

    let denied = xml_error(
        "AccessDenied",
        "not authorized to perform: cloudformation:DescribeStacks",
    );
    let (_rt, lookups, _) = scripted(&[("DescribeStacks", 403, &denied)]);
    let e = lookups.stack_output("eu-west-1", "st", "Out").unwrap_err();
    assert!(matches!(e, SourceError::AccessDenied(_)), "{e:?}");
    assert!(
        e.to_string()
            .starts_with("cannot read stack st in eu-west-1: AccessDenied: "),
        "{e}"
    );
}

#[test]
fn prefetched_batches_answer_without_a_request() {
    let batch = json!({
        "Parameters": [{ "Name": "/a", "Type": "String", "Value": "va" }],
        "InvalidParameters": ["/b"]
    });
    let (rt, lookups, calls) = scripted(&[("AmazonSSM.GetParameters", 200, &batch.to_string())]);
    let config = json!({ "x": "${ssm:/a}", "y": "${ssm:/b, 'fb'}" });
    rt.block_on(lookups.prefetch(&config, "us-east-1"));
    assert_eq!(
        lookups.ssm_parameter("us-east-1", "/a", true).unwrap(),
        Some(("String".into(), "va".into()))
    );
    assert_eq!(
        lookups.ssm_parameter("us-east-1", "/b", true).unwrap(),
        None
    );
    assert_eq!(*calls.lock().unwrap(), vec!["AmazonSSM.GetParameters"]);
}

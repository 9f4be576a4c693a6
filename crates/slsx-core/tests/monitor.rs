//! The stack monitor against CloudFormation answers moto cannot give (per-resource events, a failed
//! resource, a rollback). They come from the SDK's own test HTTP client (`infallible_client_fn`), which
//! answers each DescribeStackEvents call with the next scripted page.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use aws_smithy_http_client::test_util::infallible_client_fn;
use aws_smithy_types::body::SdkBody;
use slsx_core::aws::{AwsContext, AwsSettings};
use slsx_core::deploy::monitor::{follow, Action, Tracker};
use slsx_core::progress::{Collect, ProgressEvent};

const STACK: &str = "hello-dev";
const STACK_ID: &str = "arn:aws:cloudformation:us-east-1:123456789012:stack/hello-dev/1";

fn event(id: &str, logical: &str, kind: &str, status: &str, reason: &str) -> String {
    format!(
        "<member><EventId>{id}</EventId><StackName>{STACK}</StackName><StackId>{STACK_ID}</StackId>\
         <LogicalResourceId>{logical}</LogicalResourceId><ResourceType>{kind}</ResourceType>\
         <Timestamp>2026-11-27T05:00:00.000Z</Timestamp><ResourceStatus>{status}</ResourceStatus>\
         <ResourceStatusReason>{reason}</ResourceStatusReason></member>"
    )
}

fn page(events_newest_first: &[String]) -> String {
    format!(
        "<DescribeStackEventsResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\">\
         <DescribeStackEventsResult><StackEvents>{}</StackEvents></DescribeStackEventsResult>\
         <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeStackEventsResponse>",
        events_newest_first.concat()
    )
}

/// Scripted pages, served in turn (the last one repeats).
async fn context(pages: Vec<String>) -> (AwsContext, Arc<AtomicUsize>) {
    std::env::set_var("AWS_ACCESS_KEY_ID", "test");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "test");
    std::env::set_var("SLS_AWS_MONITORING_FREQUENCY", "1");
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let http = infallible_client_fn(move |req| {
        let body = std::str::from_utf8(req.body().bytes().unwrap_or_default())
            .unwrap_or_default()
            .to_string();
        assert!(
            body.contains("Action=DescribeStackEvents"),
            "unexpected request {body}"
        );
        let n = counter.fetch_add(1, Ordering::SeqCst);
        let text = pages[n.min(pages.len() - 1)].clone();
        http::Response::builder()
            .status(200)
            .body(SdkBody::from(text))
            .unwrap()
    });
    let ctx = AwsContext::with_http_client(
        &AwsSettings {
            region: "us-east-1".into(),
            ..Default::default()
        },
        http,
    )
    .await;
    (ctx, calls)
}

#[tokio::test]
async fn failed_update_names_the_resource_and_reason_after_the_rollback_finished() {
    let stack_type = "AWS::CloudFormation::Stack";
    let fn_type = "AWS::Lambda::Function";
    let old = event("e0", STACK, stack_type, "UPDATE_COMPLETE", "");
    let e1 = event(
        "e1",
        STACK,
        stack_type,
        "UPDATE_IN_PROGRESS",
        "User Initiated",
    );
    let e2 = event(
        "e2",
        "HelloLambdaFunction",
        fn_type,
        "UPDATE_IN_PROGRESS",
        "",
    );
    let e3 = event(
        "e3",
        "HelloLambdaFunction",
        fn_type,
        "UPDATE_FAILED",
        "Resource handler returned message: &quot;Memory size 99999 is too large&quot;",
    );
    let e4 = event(
        "e4",
        STACK,
        stack_type,
        "UPDATE_ROLLBACK_IN_PROGRESS",
        "The following resource(s) failed to update: [HelloLambdaFunction].",
    );
    let e5 = event("e5", "HelloLambdaFunction", fn_type, "UPDATE_COMPLETE", "");
    let e6 = event("e6", STACK, stack_type, "UPDATE_ROLLBACK_COMPLETE", "");
    let pages = vec![
        page(&[e2.clone(), e1.clone(), old.clone()]),
        page(&[e4.clone(), e3.clone(), e2.clone(), e1.clone(), old.clone()]),
        page(&[e6, e5, e4, e3, e2, e1, old]),
    ];
    let (ctx, calls) = context(pages).await;
    let events = Collect::default();
    let tracker = Tracker::new(STACK, Action::Update, Some("e0".into()), Some(1));
    let tracker = follow(&ctx.cloudformation(), STACK_ID, tracker, &events)
        .await
        .unwrap();

    assert_eq!(
        calls.load(Ordering::SeqCst),
        3,
        "polled until the rollback completed"
    );
    assert_eq!(
        tracker.final_status.as_deref(),
        Some("UPDATE_ROLLBACK_COMPLETE")
    );
    let err = tracker
        .error("us-east-1", STACK_ID)
        .expect("a failed update is an error");
    assert_eq!(
        err.code(),
        "AWS_CLOUD_FORMATION_UPDATE_STACK_INTERNAL_LAMBDA_FUNCTION_UPDATE_FAILED"
    );
    let msg = err.to_string();
    assert!(msg.starts_with("An error occurred: HelloLambdaFunction - Resource handler returned message: \"Memory size 99999 is too large\"."), "{msg}");
    assert!(msg.contains("https://us-east-1.console.aws.amazon.com/cloudformation/home?region=us-east-1#/stack/detail?stackId=arn%3Aaws%3Acloudformation"), "{msg}");

    // Each event is reported once, oldest first; the boundary event of the previous deploy is not.
    let statuses: Vec<String> = events
        .0
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            ProgressEvent::StackEvent {
                logical_id, status, ..
            } => Some(format!("{logical_id}:{status}")),
            _ => None,
        })
        .collect();
    assert_eq!(
        statuses,
        [
            "hello-dev:UPDATE_IN_PROGRESS",
            "HelloLambdaFunction:UPDATE_IN_PROGRESS",
            "HelloLambdaFunction:UPDATE_FAILED",
            "hello-dev:UPDATE_ROLLBACK_IN_PROGRESS",
            "HelloLambdaFunction:UPDATE_COMPLETE",
            "hello-dev:UPDATE_ROLLBACK_COMPLETE",
        ]
    );
}

#[tokio::test]
async fn successful_create_counts_resources_and_is_no_error() {
    let stack_type = "AWS::CloudFormation::Stack";
    let bucket = "AWS::S3::Bucket";
    let pages = vec![page(&[
        event("c4", STACK, stack_type, "CREATE_COMPLETE", ""),
        event(
            "c3",
            "ServerlessDeploymentBucket",
            bucket,
            "CREATE_COMPLETE",
            "",
        ),
        event(
            "c2",
            "ServerlessDeploymentBucket",
            bucket,
            "CREATE_IN_PROGRESS",
            "",
        ),
        event(
            "c1",
            STACK,
            stack_type,
            "CREATE_IN_PROGRESS",
            "User Initiated",
        ),
        event(
            "c0",
            STACK,
            stack_type,
            "REVIEW_IN_PROGRESS",
            "User Initiated",
        ),
    ])];
    let (ctx, _) = context(pages).await;
    let events = Collect::default();
    let tracker = follow(
        &ctx.cloudformation(),
        STACK_ID,
        Tracker::new(STACK, Action::Create, None, Some(1)),
        &events,
    )
    .await
    .unwrap();
    assert!(tracker.error("us-east-1", STACK_ID).is_none());
    let last_bucket_event = events.0.lock().unwrap().iter().rev().find_map(|e| match e {
        ProgressEvent::StackEvent {
            logical_id,
            done,
            total,
            ..
        } if logical_id == "ServerlessDeploymentBucket" => Some((*done, *total)),
        _ => None,
    });
    assert_eq!(last_bucket_event, Some((Some(1), Some(1))));
}

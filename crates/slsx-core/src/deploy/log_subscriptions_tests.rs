//! The subscription-filter cleanup before an update, on the SDK's test HTTP client: moto's CloudFormation
//! does not create `AWS::Logs::SubscriptionFilter` resources, so filters the stack owns exist only in
//! a script. (`__test__/post-deploy.test.js` runs the same calls against moto's CloudWatch Logs.)

use super::*;
use crate::deploy::scripted_sdk::{self, matching};

const ACCOUNT: &str = "123456789012";

fn arn(function: &str) -> String {
    format!("arn:aws:lambda:us-east-1:{ACCOUNT}:function:{function}")
}

fn filters(list: &[(&str, String)]) -> String {
    let items: Vec<String> = list
        .iter()
        .map(|(name, dest)| format!(r#"{{"filterName":"{name}","destinationArn":"{dest}"}}"#))
        .collect();
    format!(r#"{{"subscriptionFilters":[{}]}}"#, items.join(","))
}

/// The stack owns the filters named `svc-dev-<id>-X1` under the logical ID `<id>` (CloudFormation's
/// naming); other logical IDs are not in the stack.
fn answer(line: &str, groups: &[(&str, String)]) -> (u16, String) {
    if line.contains("Action=GetCallerIdentity") {
        let body = format!(
            "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::{ACCOUNT}:user/ci</Arn>\
             <UserId>AID</UserId><Account>{ACCOUNT}</Account></GetCallerIdentityResult></GetCallerIdentityResponse>"
        );
        return (200, body);
    }
    if line.contains("Action=DescribeStackResource") {
        let id = line
            .split("LogicalResourceId=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap();
        if id.ends_with("LogsSubscriptionFilterCloudWatchLog1") {
            let body = format!(
                "<DescribeStackResourceResponse><DescribeStackResourceResult><StackResourceDetail>\
                 <StackName>svc-dev</StackName><LogicalResourceId>{id}</LogicalResourceId>\
                 <PhysicalResourceId>svc-dev-{id}-X1</PhysicalResourceId>\
                 <ResourceType>AWS::Logs::SubscriptionFilter</ResourceType>\
                 <LastUpdatedTimestamp>2026-01-01T00:00:00Z</LastUpdatedTimestamp>\
                 <ResourceStatus>CREATE_COMPLETE</ResourceStatus></StackResourceDetail>\
                 </DescribeStackResourceResult></DescribeStackResourceResponse>"
            );
            return (200, body);
        }
        let body = format!(
            "<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code>\
             <Message>Resource {id} does not exist for stack svc-dev</Message></Error></ErrorResponse>"
        );
        return (400, body);
    }
    if line.contains("Logs_20140328.DescribeSubscriptionFilters") {
        for (group, body) in groups {
            if line.contains(&format!(r#""logGroupName":"{group}""#)) {
                return (200, body.clone());
            }
        }
        let body = r#"{"__type":"ResourceNotFoundException","message":"The specified log group does not exist."}"#;
        return (400, body.into());
    }
    if line.contains("Logs_20140328.DeleteSubscriptionFilter") {
        return (200, "{}".into());
    }
    panic!("unexpected request {line}");
}

const MOVED: &str = "service: svc\nprovider:\n  name: aws\nfunctions:\n  a:\n    handler: handler.h\n    events:\n      - cloudwatchLog: /ext/app\n  p:\n    handler: handler.h\n    provisionedConcurrency: 1\n    events:\n      - cloudwatchLog:\n          logGroup: /ext/p\n          filter: ERROR\n  q:\n    handler: handler.h\n    events:\n      - cloudwatchLog: /missing\n";

#[tokio::test]
async fn scripted_sdk_deletes_the_stacks_filters_no_event_has_any_more() {
    let service = scripted_sdk::service(MOVED, "dev");
    let groups = vec![
        (
            "/ext/app",
            filters(&[
                // The event moved from function `old` to `a`: its old filter goes, a's stays.
                (
                    "svc-dev-OldLogsSubscriptionFilterCloudWatchLog1-X1",
                    arn("svc-dev-old"),
                ),
                (
                    "svc-dev-ALogsSubscriptionFilterCloudWatchLog1-X1",
                    arn("svc-dev-a"),
                ),
            ]),
        ),
        (
            "/ext/p",
            filters(&[
                // Made by the stack for the alias: still wanted.
                (
                    "svc-dev-PLogsSubscriptionFilterCloudWatchLog1-X1",
                    format!("{}:provisioned", arn("svc-dev-p")),
                ),
                // Somebody else's.
                ("audit-forwarder", arn("audit")),
            ]),
        ),
    ];
    let (ctx, log) = scripted_sdk::context(move |line| answer(line, &groups)).await;
    clean(&ctx, &service, true).await.unwrap();
    let lines = log.lock().unwrap().clone();
    assert!(lines[0].contains("Action=GetCallerIdentity"), "{lines:?}");
    let deleted = matching(&log, "DeleteSubscriptionFilter");
    assert_eq!(deleted.len(), 1, "{lines:?}");
    assert!(
        deleted[0].contains(r#""logGroupName":"/ext/app""#)
            && deleted[0]
                .contains(r#""filterName":"svc-dev-OldLogsSubscriptionFilterCloudWatchLog1-X1""#),
        "{}",
        deleted[0]
    );
    // A name that is no `<stack>-<id>-<suffix>` is not looked up in the stack.
    assert_eq!(
        matching(&log, "Action=DescribeStackResource").len(),
        3,
        "{lines:?}"
    );
    assert_eq!(
        matching(&log, "DescribeSubscriptionFilters").len(),
        3,
        "{lines:?}"
    );
}

#[tokio::test]
async fn scripted_sdk_outside_filters_leaving_no_room_stop_the_deploy() {
    let yaml = "service: svc\nprovider:\n  name: aws\nfunctions:\n  b:\n    handler: handler.h\n    events:\n      - sqs: arn:aws:sqs:us-east-1:1:q\n      - cloudwatchLog: /shared\n";
    let service = scripted_sdk::service(yaml, "dev");
    let groups = vec![(
        "/shared",
        filters(&[
            ("datadog-forwarder", arn("dd")),
            // Looks like a stack's filter, but the stack has no such resource.
            ("team-Shipper-X1", arn("ship")),
        ]),
    )];
    let (ctx, log) = scripted_sdk::context(move |line| answer(line, &groups)).await;
    let err = clean(&ctx, &service, true).await.unwrap_err();
    assert_eq!(
        err.code(),
        "CLOUDWATCHLOG_LOG_GROUP_EVENT_PER_FUNCTION_LIMIT_EXCEEDED"
    );
    assert_eq!(
        err.to_string(),
        "Only 2 subscription filters can be configured per log group. There are subscription filters \
         defined outside of the service definition for \"/shared\" that have to be deleted manually."
    );
    // The `events` key: where compile errors of an event point too.
    assert_eq!(err.location().map(|l| l.line), Some(7));
    assert!(matching(&log, "DeleteSubscriptionFilter").is_empty());
}

#[tokio::test]
async fn scripted_sdk_no_request_without_cloudwatch_log_events_nor_lookups_without_a_stack() {
    let plain = "service: svc\nprovider:\n  name: aws\nfunctions:\n  a:\n    handler: handler.h\n";
    let (ctx, log) = scripted_sdk::context(|line| answer(line, &[])).await;
    clean(&ctx, &scripted_sdk::service(plain, "dev"), true)
        .await
        .unwrap();
    assert!(log.lock().unwrap().is_empty());

    let service = scripted_sdk::service(MOVED, "dev");
    let groups = vec![(
        "/ext/app",
        filters(&[(
            "svc-dev-OldLogsSubscriptionFilterCloudWatchLog1-X1",
            arn("svc-dev-old"),
        )]),
    )];
    let (ctx, log) = scripted_sdk::context(move |line| answer(line, &groups)).await;
    clean(&ctx, &service, false).await.unwrap();
    assert!(matching(&log, "Action=DescribeStackResource").is_empty());
    assert!(matching(&log, "DeleteSubscriptionFilter").is_empty());
}

#[test]
fn logical_ids_from_filter_names() {
    assert_eq!(
        logical_id_of("my-svc-dev-HelloLogsSubscriptionFilterCloudWatchLog1-1AB2"),
        Some("HelloLogsSubscriptionFilterCloudWatchLog1")
    );
    assert_eq!(logical_id_of("a-b"), None);
    assert_eq!(logical_id_of("a-1abc-b"), None);
    assert_eq!(logical_id_of("a-ab_c-b"), None);
}

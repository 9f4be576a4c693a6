//! The stack settings read from `provider`, and the stack operations on CloudFormation answers moto
//! cannot give (an UpdateStack with nothing to update, a leftover change set, an empty change set),
//! served by the SDK's own test HTTP client (`scripted_sdk`).

use std::sync::atomic::{AtomicUsize, Ordering};

use super::settings::{stack_parameters, stack_tags};
use super::*;
use crate::deploy::scripted_sdk::{self, matching};
use crate::progress::Collect;

fn service(yaml: &str) -> Service {
    scripted_sdk::service(yaml, "dev")
}

#[test]
fn stack_tags_merge_stage_and_stack_tags() {
    let s =
        service("service: svc-a\nprovider:\n  name: aws\n  stackTags:\n    team: core\n    n: 1\n");
    let tags: Vec<(String, String)> = stack_tags(&s)
        .iter()
        .map(|t| (t.key().unwrap().into(), t.value().unwrap().into()))
        .collect();
    assert_eq!(
        tags,
        [
            ("STAGE".into(), "dev".into()),
            ("team".into(), "core".into()),
            ("n".into(), "1".into())
        ]
    );
    let s = service("service: svc-a\nprovider:\n  name: aws\n  stackTags:\n    stage: custom\n");
    let tags: Vec<(String, String)> = stack_tags(&s)
        .iter()
        .map(|t| (t.key().unwrap().into(), t.value().unwrap().into()))
        .collect();
    assert_eq!(tags, [("stage".into(), "custom".into())]);
}

#[test]
fn parameters_notifications_and_deployment_role() {
    let s = service("service: svc-b\nprovider:\n  name: aws\n  stackParameters:\n    - ParameterKey: P\n      ParameterValue: v\n  notificationArns: [arn:aws:sns:us-east-1:1:t]\n  iam:\n    deploymentRole: arn:aws:iam::1:role/cfn\n");
    let p = stack_parameters(&s);
    assert_eq!(
        (p[0].parameter_key(), p[0].parameter_value()),
        (Some("P"), Some("v"))
    );
    let settings = &s.provider.settings.stack;
    assert_eq!(settings.notification_arns, ["arn:aws:sns:us-east-1:1:t"]);
    assert_eq!(
        settings.role_arn.as_deref(),
        Some("arn:aws:iam::1:role/cfn")
    );
}

const NS: &str = "xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"";
const STACK_ID: &str = "arn:aws:cloudformation:us-east-1:123456789012:stack/svc-dev/1";

fn error(code: &str, message: &str) -> (u16, String) {
    (
        400,
        format!(
            "<ErrorResponse {NS}><Error><Type>Sender</Type><Code>{code}</Code>\
             <Message>{message}</Message></Error><RequestId>r</RequestId></ErrorResponse>"
        ),
    )
}

fn ok(action: &str, result: &str) -> (u16, String) {
    (
        200,
        format!(
            "<{action}Response {NS}><{action}Result>{result}</{action}Result>\
             <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></{action}Response>"
        ),
    )
}

/// An update of `s`'s stack with an empty template.
async fn update(ctx: &AwsContext, s: &Service) -> Result<Outcome> {
    let body = TemplateSource::Body("{}");
    deploy(ctx, s, body, false, Action::Update, &Collect::default()).await
}

/// A direct deploy whose UpdateStack is answered with `answer`; events: one old event.
async fn direct_update(answer: (u16, String)) -> (Result<Outcome>, scripted_sdk::Log) {
    let s = service("service: svc\nprovider:\n  name: aws\n  deploymentMethod: direct\n");
    let (ctx, log) = scripted_sdk::context(move |line| {
        if line.contains("Action=UpdateStack") {
            return answer.clone();
        }
        assert!(line.contains("Action=DescribeStackEvents"), "unexpected {line}");
        let event = format!(
            "<member><EventId>e0</EventId><StackName>svc-dev</StackName><StackId>{STACK_ID}</StackId>\
             <LogicalResourceId>svc-dev</LogicalResourceId><ResourceType>AWS::CloudFormation::Stack</ResourceType>\
             <Timestamp>2026-11-27T05:00:00.000Z</Timestamp><ResourceStatus>UPDATE_COMPLETE</ResourceStatus></member>"
        );
        ok("DescribeStackEvents", &format!("<StackEvents>{event}</StackEvents>"))
    })
    .await;
    (update(&ctx, &s).await, log)
}

#[tokio::test]
async fn scripted_sdk_an_update_with_nothing_to_do_is_an_empty_outcome() {
    let (outcome, log) =
        direct_update(error("ValidationError", "No updates are to be performed.")).await;
    let outcome = outcome.unwrap();
    assert!(outcome.empty && outcome.stack.is_none());
    assert_eq!(matching(&log, "Action=UpdateStack").len(), 1);
}

#[tokio::test]
async fn scripted_sdk_another_validation_error_fails_with_aws_code_and_source() {
    let (outcome, _) = direct_update(error("ValidationError", "Template format error: bad")).await;
    let err = outcome.map(|_| ()).unwrap_err();
    assert_eq!(
        err.code(),
        "AWS_CLOUD_FORMATION_UPDATE_STACK_VALIDATION_ERROR"
    );
    assert_eq!(err.aws_code(), Some("ValidationError"));
    assert_eq!(
        err.to_string(),
        "failed to update stack svc-dev: Template format error: bad"
    );
    assert!(std::error::Error::source(&err).is_some());
    // The scripted credentials never show in what the user sees.
    assert!(!err.to_string().contains("AKIDSCRIPTED") && !err.to_string().contains("secret"));
}

#[tokio::test]
async fn scripted_sdk_a_leftover_change_set_is_replaced_and_an_empty_one_deleted() {
    let s = service("service: svc\nprovider:\n  name: aws\n");
    let creates = AtomicUsize::new(0);
    let (ctx, log) = scripted_sdk::context(move |line| {
        if line.contains("Action=CreateChangeSet") {
            if creates.fetch_add(1, Ordering::SeqCst) == 0 {
                return error(
                    "AlreadyExistsException",
                    "ChangeSet svc-dev-change-set already exists",
                );
            }
            let id = "arn:aws:cloudformation:us-east-1:123456789012:changeSet/svc-dev-change-set/1";
            return ok(
                "CreateChangeSet",
                &format!("<Id>{id}</Id><StackId>{STACK_ID}</StackId>"),
            );
        }
        if line.contains("Action=DescribeChangeSet") {
            return ok(
                "DescribeChangeSet",
                "<Status>FAILED</Status><StatusReason>The submitted information didn't contain \
                 changes. Submit different information to create a change set.</StatusReason>",
            );
        }
        assert!(line.contains("Action=DeleteChangeSet"), "unexpected {line}");
        ok("DeleteChangeSet", "")
    })
    .await;
    let outcome = update(&ctx, &s).await.unwrap();
    assert!(outcome.empty);
    let actions: Vec<String> = log
        .lock()
        .unwrap()
        .iter()
        .filter_map(|l| l.split("Action=").nth(1))
        .map(|a| a.split('&').next().unwrap_or(a).to_string())
        .collect();
    assert_eq!(
        actions,
        [
            "CreateChangeSet",
            "DeleteChangeSet",
            "CreateChangeSet",
            "DescribeChangeSet",
            "DeleteChangeSet"
        ]
    );
}

//! `provider.deletionProtection`: the setting as osls 4.3.1 reads it, and UpdateTerminationProtection
//! on the SDK's test HTTP client (moto 5.2.5 has no UpdateTerminationProtection).

use super::*;
use crate::deploy::scripted_sdk::{self, matching};
use crate::progress::Collect;

const HEAD: &str = "service: svc\nconfigValidationMode: off\nprovider:\n  name: aws\n";

fn with(setting: &str, stage: &str) -> Service {
    let yaml = format!("{HEAD}  deletionProtection: {setting}\n");
    scripted_sdk::service(&yaml, stage)
}

#[test]
fn a_boolean_or_the_stage_list_decides() {
    assert_eq!(setting(&with("true", "dev")).unwrap(), Some(true));
    assert_eq!(setting(&with("false", "dev")).unwrap(), Some(false));
    assert_eq!(
        setting(&with("{ stages: [prod, qa] }", "prod")).unwrap(),
        Some(true)
    );
    assert_eq!(
        setting(&with("{ stages: [prod, qa] }", "dev")).unwrap(),
        Some(false)
    );
    assert_eq!(setting(&with("null", "dev")).unwrap(), None);
    let absent = scripted_sdk::service(HEAD, "dev");
    assert_eq!(setting(&absent).unwrap(), None);
}

#[test]
fn other_forms_are_refused_at_their_line() {
    for bad in [
        "yes",
        "{ stages: [] }",
        "{ stages: [prod, { a: 1 }] }",
        "{ stage: prod }",
        "[prod]",
    ] {
        let err = setting(&with(bad, "dev"))
            .map(|v| panic!("{bad}: {v:?}"))
            .unwrap_err();
        assert_eq!(err.code(), "INVALID_DELETION_PROTECTION_CONFIG", "{bad}");
        assert_eq!(
            err.to_string(),
            "provider.deletionProtection must be a boolean or an object with a non-empty stages list"
        );
        assert_eq!(err.location().map(|l| l.line), Some(5), "{bad}");
    }
}

const OK: &str = "<UpdateTerminationProtectionResponse><UpdateTerminationProtectionResult>\
    <StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/svc-prod/1</StackId>\
    </UpdateTerminationProtectionResult></UpdateTerminationProtectionResponse>";

#[tokio::test]
async fn scripted_sdk_sets_the_protection_the_stage_asks_for() {
    let service = with("{ stages: [prod] }", "prod");
    let (ctx, log) = scripted_sdk::context(|_| (200, OK.into())).await;
    let events = Collect::default();
    apply(&ctx, &service, setting(&service).unwrap(), false, &events)
        .await
        .unwrap();
    let sent = matching(&log, "Action=UpdateTerminationProtection");
    assert_eq!(sent.len(), 1, "{:?}", log.lock().unwrap());
    assert!(
        sent[0].contains("EnableTerminationProtection=true"),
        "{}",
        sent[0]
    );
    assert!(sent[0].contains("StackName=svc-prod"), "{}", sent[0]);
    assert_eq!(
        *events.0.lock().unwrap(),
        [ProgressEvent::Info {
            message: "Enabled deletion protection for stack \"svc-prod\"".into()
        }]
    );

    // Another stage of the same service turns it off (osls sends false rather than nothing).
    let service = with("{ stages: [prod] }", "dev");
    let (ctx, log) = scripted_sdk::context(|_| (200, OK.into())).await;
    apply(
        &ctx,
        &service,
        setting(&service).unwrap(),
        false,
        &Collect::default(),
    )
    .await
    .unwrap();
    let sent = matching(&log, "Action=UpdateTerminationProtection");
    assert!(
        sent[0].contains("EnableTerminationProtection=false"),
        "{}",
        sent[0]
    );
}

#[tokio::test]
async fn scripted_sdk_no_request_without_the_setting_or_a_stack() {
    let (ctx, log) = scripted_sdk::context(|_| (200, OK.into())).await;
    let service = scripted_sdk::service(HEAD, "dev");
    apply(&ctx, &service, None, false, &Collect::default())
        .await
        .unwrap();
    let events = Collect::default();
    apply(&ctx, &with("true", "dev"), Some(true), true, &events)
        .await
        .unwrap();
    assert!(log.lock().unwrap().is_empty());
    assert_eq!(
        *events.0.lock().unwrap(),
        [ProgressEvent::Info {
            message: "Skipping deletion protection update as the stack has not been created".into()
        }]
    );
}

#[tokio::test]
async fn scripted_sdk_a_refusal_says_the_stack_was_deployed() {
    let denied = "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>\
        <Message>User is not authorized to perform: cloudformation:UpdateTerminationProtection</Message>\
        </Error><RequestId>r</RequestId></ErrorResponse>";
    let (ctx, _) = scripted_sdk::context(move |_| (403, denied.into())).await;
    let err = apply(
        &ctx,
        &with("true", "dev"),
        Some(true),
        false,
        &Collect::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.code(),
        "AWS_CLOUDFORMATION_DELETION_PROTECTION_UPDATE_FAILED"
    );
    assert_eq!(
        err.to_string(),
        "Could not enable deletion protection for stack \"svc-dev\" (the stack itself was deployed): \
         User is not authorized to perform: cloudformation:UpdateTerminationProtection"
    );
}

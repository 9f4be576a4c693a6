//! The configuration errors of the `alb`, `cloudwatchEvent`, `cloudwatchLog`, `eventBridge`,
//! `iotFleetProvisioning` and `cognitoUserPool` events are raised while the service loads, at the
//! event's line, with osls's codes; and the typed events hold what the compilers read.

use serde_json::json;

use crate::config::events::{EventBridgeEvent, EventBus};
use crate::config::{Event, Service};
use crate::error::{Error, Result};
use crate::load::ServiceOptions;

/// The service `yaml`, loaded from a directory of its own.
fn load(name: &str, yaml: &str) -> Result<Service> {
    let dir = std::env::temp_dir().join(format!("slsx-invokers-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("serverless.yml"), yaml).unwrap();
    Service::load(&ServiceOptions {
        service_path: dir,
        ..Default::default()
    })
}

/// The mark of the event an error is about (taken out of the YAML before it is loaded).
const MARK: &str = " # <-";

/// Loading fails with `code` at `path`, the event marked with [`MARK`]. The position is its
/// function's `events:` line: the locator does not resolve list indices.
fn assert_load_error(name: &str, yaml: &str, code: &str, path: &str) {
    let lines: Vec<&str> = yaml.lines().collect();
    let marked = lines
        .iter()
        .position(|l| l.ends_with(MARK))
        .unwrap_or_else(|| panic!("{name}: no marked line"));
    let events_line = lines[..marked]
        .iter()
        .rposition(|l| *l == "    events:")
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("{name}: no events line"));
    let error = load(name, &yaml.replace(MARK, ""))
        .err()
        .unwrap_or_else(|| panic!("{name}: loaded"));
    assert_eq!(error.code(), code, "{name}: {}", error.render());
    let location = error
        .location()
        .unwrap_or_else(|| panic!("{name}: no location"));
    assert_eq!(location.line, events_line, "{name}: {}", error.render());
    match &error {
        Error::Config { path: at, .. } => assert_eq!(at.as_deref(), Some(path), "{name}"),
        other => panic!("{name}: {other}"),
    }
}

/// A service: `provider_extra` under `provider:` (indented 2), `functions` under `functions:`.
fn service(provider_extra: &str, functions: &str) -> String {
    format!("service: svc\nprovider:\n  name: aws\n  runtime: nodejs20.x\n{provider_extra}functions:\n{functions}")
}

const OFF: &str = "configValidationMode: off\n";

const LISTENER: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/lb/50dc6c495c0c9188/f2f7dc8efc522ab2";
const OTHER_LISTENER: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/lb/50dc6c495c0c9188/0000dc8efc522ab2";

/// Function `key` with one `alb` event: `settings` under it (indented 10), marked when `mark`.
fn alb_function(key: &str, listener: &str, settings: &str, mark: bool) -> String {
    let mark = if mark { MARK } else { "" };
    format!("  {key}:\n    handler: h.h\n    events:\n      - alb:{mark}\n          listenerArn: {listener}\n{settings}")
}

#[test]
fn alb_errors_are_raised_at_load() {
    let conditions = "          conditions:\n            path: /a\n";
    assert_load_error(
        "alb-listener",
        &format!(
            "{OFF}{}",
            service(
                "",
                &alb_function(
                    "f",
                    "arn:aws:nope",
                    &format!("          priority: 1\n{conditions}"),
                    true,
                ),
            )
        ),
        "ALB_INVALID_LISTENER_ARN",
        "functions.f.events.0.alb",
    );
    assert_load_error(
        "alb-conditions",
        &format!(
            "{OFF}{}",
            service(
                "",
                &alb_function(
                    "f",
                    LISTENER,
                    "          priority: 1\n          conditions: {}\n",
                    true
                ),
            )
        ),
        "ALB_NO_CONDITIONS",
        "functions.f.events.0.alb",
    );
    assert_load_error(
        "alb-name-and-prefix",
        &service(
            "  alb:\n    targetGroupPrefix: pre-\n",
            &alb_function(
                "f",
                LISTENER,
                &format!("          priority: 1\n          targetGroupName: named\n{conditions}"),
                true,
            ),
        ),
        "ALB_TARGET_GROUP_NAME_EXCLUSIVE",
        "functions.f.events.0.alb",
    );
    assert_load_error(
        "alb-authorizer",
        &service(
            "  alb:\n    authorizers:\n      known:\n        type: cognito\n        userPoolArn: arn:aws:cognito-idp:us-east-1:123456789012:userpool/p\n        userPoolClientId: c\n        userPoolDomain: d\n",
            &alb_function("f", LISTENER, &format!("          priority: 1\n          authorizer: [known, unknown]\n{conditions}"), true),
        ),
        "ALB_MISSING_AUTHORIZER",
        "functions.f.events.0.alb",
    );
    // One listener, one priority, two functions: the second is refused.
    let first = alb_function(
        "a",
        LISTENER,
        &format!("          priority: 1\n{conditions}"),
        false,
    );
    let second = alb_function(
        "b",
        LISTENER,
        &format!("          priority: 1\n{conditions}"),
        true,
    );
    assert_load_error(
        "alb-priority",
        &service("", &format!("{first}{second}")),
        "ALB_PRIORITY_ALREADY_IN_USE",
        "functions.b.events.0.alb",
    );
    // The same priority on two listeners of two functions is fine.
    let second = alb_function(
        "b",
        OTHER_LISTENER,
        &format!("          priority: 1\n{conditions}"),
        false,
    );
    load(
        "alb-priorities-apart",
        &service("", &format!("{first}{second}")),
    )
    .unwrap_or_else(|e| panic!("{}", e.render()));
}

#[test]
fn cloudwatch_errors_are_raised_at_load() {
    assert_load_error(
        "cloudwatch-event-inputs",
        &service("", "  f:\n    handler: h.h\n    events:\n      - cloudwatchEvent:\n          event:\n            source: [aws.ec2]\n      - cloudwatchEvent: # <-\n          event:\n            source: [aws.ec2]\n          input: { a: 1 }\n          inputPath: $.detail\n"),
        "CLOUDWATCH_MULTIPLE_INPUT_PROPERTIES",
        "functions.f.events.1.cloudwatchEvent",
    );
    // Two filters per log group, counted over the service.
    assert_load_error(
        "cloudwatch-log-limit",
        &service("", "  a:\n    handler: h.h\n    events:\n      - cloudwatchLog: /shared\n      - cloudwatchLog:\n          logGroup: /shared\n          filter: ERROR\n  b:\n    handler: h.h\n    events:\n      - cloudwatchLog: /other\n      - cloudwatchLog: /shared # <-\n"),
        "CLOUDWATCHLOG_LOG_GROUP_EVENT_PER_FUNCTION_LIMIT_EXCEEDED",
        "functions.b.events.1.cloudwatchLog",
    );
}

#[test]
fn event_bridge_errors_are_raised_at_load() {
    let function = |settings: &str| {
        format!("  f:\n    handler: h.h\n    events:\n      - eventBridge: # <-\n          pattern:\n            source: [a]\n{settings}")
    };
    // The legacy mode: `provider.eventBridge` is not in osls 4.3.1's schema (warnings or no checks).
    let legacy = |settings: &str| {
        format!(
            "{OFF}{}",
            service(
                "  eventBridge:\n    useCloudFormation: false\n",
                &function(settings)
            )
        )
    };
    assert_load_error(
        "eventbridge-inputs",
        &service("", &function("          input: { a: 1 }\n          inputTransformer:\n            inputTemplate: x\n")),
        "EVENTBRIDGE_MULTIPLE_INPUT_PROPERTIES",
        "functions.f.events.0.eventBridge",
    );
    assert_load_error(
        "eventbridge-legacy-retry",
        &legacy("          retryPolicy:\n            maximumRetryAttempts: 2\n"),
        "ERROR_INVALID_RETRY_POLICY_TO_EVENT_BUS_CUSTOM_RESOURCE",
        "functions.f.events.0.eventBridge",
    );
    assert_load_error(
        "eventbridge-legacy-dlq",
        &legacy("          deadLetterQueueArn: arn:aws:sqs:us-east-1:123456789012:dlq\n"),
        "ERROR_INVALID_DEAD_LETTER_CONFIG_TO_EVENT_BUS_CUSTOM_RESOURCE",
        "functions.f.events.0.eventBridge",
    );
    assert_load_error(
        "eventbridge-legacy-reference",
        &legacy("          eventBus:\n            Fn::GetAtt: [Bus, Name]\n"),
        "ERROR_INVALID_REFERENCE_TO_EVENT_BUS_CUSTOM_RESOURCE",
        "functions.f.events.0.eventBridge",
    );
    // The same settings with CloudFormation are fine.
    load(
        "eventbridge-native-retry",
        &service("", &function("          retryPolicy:\n            maximumRetryAttempts: 2\n          eventBus:\n            Fn::GetAtt: [Bus, Name]\n")),
    )
    .unwrap_or_else(|e| panic!("{}", e.render()));
}

#[test]
fn a_second_provisioning_hook_is_refused_at_load() {
    let hook = "      - iotFleetProvisioning:\n          templateBody: {}\n          provisioningRoleArn: arn:aws:iam::123456789012:role/r\n";
    assert_load_error(
        "iot-fleet-two",
        &service("", &format!("  f:\n    handler: h.h\n    events:\n{hook}      - iot:\n          sql: SELECT 1\n{}", hook.replacen(":\n", ": # <-\n", 1))),
        "MULTIPLE_IOT_PROVISIONING_TEMPLATE_HOOK",
        "functions.f.events.2.iotFleetProvisioning",
    );
}

#[test]
fn cognito_errors_are_raised_at_load() {
    let trigger = |pool: &str, trigger: &str, extra: &str, mark: bool| {
        let mark = if mark { MARK } else { "" };
        format!("      - cognitoUserPool:{mark}\n          pool: {pool}\n          trigger: {trigger}\n{extra}")
    };
    let function =
        |key: &str, events: &str| format!("  {key}:\n    handler: h.h\n    events:\n{events}");
    assert_load_error(
        "cognito-version",
        &format!(
            "{OFF}{}",
            service(
                "",
                &function(
                    "f",
                    &trigger(
                        "p",
                        "PreTokenGeneration",
                        "          lambdaVersion: V9_0\n",
                        true,
                    ),
                ),
            )
        ),
        "COGNITO_INVALID_LAMBDA_VERSION",
        "functions.f.events.0.cognitoUserPool",
    );
    assert_load_error(
        "cognito-version-unsupported",
        &format!(
            "{OFF}{}",
            service(
                "",
                &function(
                    "f",
                    &trigger("p", "PreSignUp", "          lambdaVersion: V1_0\n", true),
                ),
            )
        ),
        "COGNITO_LAMBDA_VERSION_NOT_SUPPORTED",
        "functions.f.events.0.cognitoUserPool",
    );
    assert_load_error(
        "cognito-kms-missing",
        &service(
            "",
            &function(
                "f",
                &trigger("p", "CustomSMSSender", "          existing: true\n", true),
            ),
        ),
        "COGNITO_KMS_KEY_NOT_SET",
        "functions.f.events.0.cognitoUserPool",
    );
    // Two keys on one pool, from two functions: a new pool, then an existing one.
    let existing = "          existing: true\n";
    for (name, extra) in [
        ("cognito-kms-two", ""),
        ("cognito-existing-kms-two", existing),
    ] {
        let key = |k: &str| {
            format!("{extra}          kmsKeyId: arn:aws:kms:us-east-1:123456789012:key/{k}\n")
        };
        let a = function("a", &trigger("p", "CustomSMSSender", &key("k1"), false));
        let b = function("b", &trigger("p", "CustomEmailSender", &key("k2"), true));
        assert_load_error(
            name,
            &service("", &format!("{a}{b}")),
            "COGNITO_KMS_KEY_ID_NOT_SAME_FOR_SINGLE_USER_POOL",
            "functions.b.events.0.cognitoUserPool",
        );
    }
    let events = format!(
        "{}{}",
        trigger("one", "PreSignUp", existing, false),
        trigger("two", "PostConfirmation", existing, true)
    );
    assert_load_error(
        "cognito-existing-two-pools",
        &service("", &function("f", &events)),
        "COGNITO_MULTIPLE_USER_POOLS_PER_FUNCTION",
        "functions.f.events.1.cognitoUserPool",
    );
    // Two functions, each on its own existing pool, are fine.
    let a = function("a", &trigger("one", "PreSignUp", existing, false));
    let b = function("b", &trigger("two", "PreSignUp", existing, false));
    load("cognito-existing-apart", &service("", &format!("{a}{b}")))
        .unwrap_or_else(|e| panic!("{}", e.render()));
}

#[test]
fn typed_events_hold_what_the_compilers_read() {
    let yaml = OFF.to_string()
        + &service(
        "",
        "  f:\n    handler: h.h\n    events:\n      - eventBridge:\n          eventBus: arn:aws:events:us-east-1:123456789012:event-bus/orders\n          enabled: false\n      - eventBridge:\n          eventBus: custom\n          name: n\n      - cloudwatchLog: \"/a\\nb\"\n      - cloudwatchLog: [a, b]\n      - alb: not-a-mapping\n      - alexaSkill: amzn1.ask.skill.x\n",
    );
    let service = load("typed", &yaml).unwrap_or_else(|e| panic!("{}", e.render()));
    let events = &service.functions[0].events;
    // A non-mapping `alb` compiles to nothing: no event.
    let kinds: Vec<&str> = events.iter().map(|e| e.event.kind()).collect();
    assert_eq!(
        kinds,
        [
            "eventBridge",
            "eventBridge",
            "cloudwatchLog",
            "cloudwatchLog",
            "alexaSkill"
        ]
    );
    let bridge = |i: usize| match &events[i].event {
        Event::EventBridge(e) => e.clone(),
        other => panic!("{other:?}"),
    };
    let first: EventBridgeEvent = bridge(0);
    assert!(!first.enabled);
    assert!(matches!(&first.event_bus, Some(EventBus::Arn { name, .. }) if name == "orders"));
    let second = bridge(1);
    assert!(matches!(&second.event_bus, Some(EventBus::Name(n)) if n == &json!("custom")));
    assert_eq!(second.name.as_deref(), Some("n"));
    match (&events[2].event, &events[3].event) {
        (Event::CloudwatchLog(a), Event::CloudwatchLog(b)) => {
            assert_eq!(a.log_group.as_deref(), Some("/ab"));
            // Kept for the numbering of the function's log events, compiled to nothing.
            assert_eq!(b.log_group, None);
        }
        other => panic!("{other:?}"),
    }
    match &events[4].event {
        Event::AlexaSkill(a) => {
            assert_eq!(a.app_id.as_deref(), Some("amzn1.ask.skill.x"));
            assert!(a.enabled);
        }
        other => panic!("{other:?}"),
    }
}

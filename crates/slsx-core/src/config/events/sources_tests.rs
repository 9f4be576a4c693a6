//! The configuration errors of the `schedule`, `s3`, `sns`, `stream`, `kafka` and `msk` events are
//! raised while the service loads, at the event's line, with osls's codes.

use crate::config::{Event, Service};
use crate::error::Error;
use crate::load::ServiceOptions;

/// A service of one function `f` with `events` (YAML lines under `events:`, indented 6), loaded.
fn load(name: &str, extra: &str, events: &str) -> (String, Result<Service, Error>) {
    let yaml = format!(
        "service: svc\n{extra}provider:\n  name: aws\n  runtime: nodejs20.x\nfunctions:\n  f:\n    handler: h.h\n    events:\n{events}"
    );
    let dir =
        std::env::temp_dir().join(format!("slsx-event-sources-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("serverless.yml"), &yaml).unwrap();
    let loaded = Service::load(&ServiceOptions {
        service_path: dir,
        ..Default::default()
    });
    (yaml, loaded)
}

/// Loading fails with `code` at `functions.f.events.<index>.<kind>`, the kind read from the event's
/// `- <kind>:` line. The position is the `events:` line: the locator does not resolve list indices.
fn assert_load_error(name: &str, extra: &str, events: &str, index: usize, code: &str) {
    let (yaml, loaded) = load(name, extra, events);
    let error = loaded.err().unwrap_or_else(|| panic!("{name}: loaded"));
    assert_eq!(error.code(), code, "{name}: {}", error.render());
    let lines: Vec<&str> = yaml.lines().collect();
    let events_line = lines.iter().position(|l| *l == "    events:").unwrap() + 1;
    let location = error
        .location()
        .unwrap_or_else(|| panic!("{name}: no location"));
    assert_eq!(location.line, events_line, "{name}: {}", error.render());
    let entry = lines
        .iter()
        .filter(|l| l.starts_with("      - "))
        .nth(index)
        .unwrap();
    let kind = entry
        .trim_start_matches("      - ")
        .split(':')
        .next()
        .unwrap();
    match &error {
        Error::Config { path, .. } => {
            assert_eq!(
                path.as_deref(),
                Some(format!("functions.f.events.{index}.{kind}").as_str())
            )
        }
        other => panic!("{name}: {other}"),
    }
}

const OFF: &str = "configValidationMode: off\n";

#[test]
fn schedule_errors_are_raised_at_load() {
    assert_load_error(
        "schedule-no-rate",
        OFF,
        "      - schedule:\n          enabled: true\n",
        0,
        "SCHEDULE_RATE_MISSING",
    );
    assert_load_error(
        "schedule-name-two-rates",
        "",
        "      - schedule: rate(1 hour)\n      - schedule:\n          rate: [rate(1 minute), rate(2 minutes)]\n          name: one\n",
        1,
        "SCHEDULE_NAME_NOT_ALLOWED_MULTIPLE_RATES",
    );
    assert_load_error(
        "schedule-scheduler-input-path",
        "",
        "      - schedule:\n          rate: rate(1 hour)\n          method: scheduler\n          inputPath: $.a\n",
        0,
        "SCHEDULE_PARAMETER_NOT_SUPPORTED",
    );
    assert_load_error(
        "schedule-timezone-event-bus",
        "",
        "      - schedule:\n          rate: rate(1 hour)\n          timezone: Europe/Paris\n",
        0,
        "SCHEDULE_PARAMETER_NOT_SUPPORTED",
    );
}

#[test]
fn s3_errors_are_raised_at_load() {
    assert_load_error(
        "s3-new-bucket-reference",
        "",
        "      - s3:\n          bucket:\n            Ref: Bucket\n",
        0,
        "S3_INVALID_NEW_BUCKET_FORMAT",
    );
    assert_load_error(
        "s3-bucket-pattern",
        OFF,
        "      - s3: photos\n      - s3: Not_A_Bucket\n",
        1,
        "S3_INVALID_BUCKET_PATTERN",
    );
    assert_load_error(
        "s3-two-existing-buckets",
        "",
        "      - s3:\n          bucket: one\n          existing: true\n      - s3: photos\n      - s3:\n          bucket: two\n          existing: true\n",
        2,
        "S3_MULTIPLE_BUCKETS_PER_FUNCTION",
    );
}

#[test]
fn sns_and_stream_errors_are_raised_at_load() {
    assert_load_error(
        "sns-reference-without-name",
        "",
        "      - sns:\n          arn:\n            Ref: Topic\n",
        0,
        "SNS_MISSING_TOPIC_NAME",
    );
    assert_load_error(
        "stream-reference-without-type",
        OFF,
        "      - stream:\n          arn:\n            Ref: Stream\n",
        0,
        "STREAM_INVALID_ARN",
    );
    assert_load_error(
        "stream-consumer-at-timestamp",
        "",
        "      - stream:\n          arn: arn:aws:kinesis:us-east-1:123456789012:stream/s\n          consumer: true\n          startingPosition: AT_TIMESTAMP\n",
        0,
        "FUNCTION_STREAM_STARTING_POSITION_TIMESTAMP_INVALID",
    );
}

#[test]
fn kafka_and_msk_errors_are_raised_at_load() {
    assert_load_error(
        "kafka-subnet-without-group",
        "",
        "      - kafka:\n          topic: t\n          bootstrapServers: [b:9092]\n          accessConfigurations:\n            vpcSubnet: [subnet-1]\n            saslScram512Auth: [arn:aws:secretsmanager:us-east-1:123456789012:secret:s]\n",
        0,
        "FUNCTION_KAFKA_VPC_ACCESS_CONFIGURATION_INVALID",
    );
    assert_load_error(
        "kafka-at-timestamp",
        "",
        "      - kafka:\n          topic: t\n          bootstrapServers: [b:9092]\n          accessConfigurations:\n            saslScram512Auth: [arn:aws:secretsmanager:us-east-1:123456789012:secret:s]\n          startingPosition: AT_TIMESTAMP\n",
        0,
        "FUNCTION_KAFKA_STARTING_POSITION_TIMESTAMP_INVALID",
    );
    assert_load_error(
        "msk-at-timestamp",
        "",
        "      - msk:\n          arn: arn:aws:kafka:us-east-1:123456789012:cluster/c/abc\n          topic: t\n          startingPosition: AT_TIMESTAMP\n",
        0,
        "FUNCTION_MSK_STARTING_POSITION_TIMESTAMP_INVALID",
    );
}

#[test]
fn typed_events_hold_the_normalized_settings() {
    let (_, loaded) = load(
        "typed",
        OFF,
        "      - schedule: rate(1 hour)\n      - sns: [a, b]\n      - s3:\n          bucket: one\n          existing: true\n      - s3:\n          bucket: one\n          existing: true\n          rules: [{ prefix: a/ }]\n      - msk:\n          arn: arn:aws:kafka:us-east-1:123456789012:cluster/c/abc\n          topic: t\n          batchSize: 0\n",
    );
    let service = loaded.unwrap_or_else(|e| panic!("{}", e.render()));
    let events = &service.functions[0].events;
    // `sns: [a, b]` compiles to nothing (only possible with validation off): no event.
    let kinds: Vec<&str> = events.iter().map(|e| e.event.kind()).collect();
    assert_eq!(kinds, ["schedule", "s3", "s3", "msk"]);
    match &events[0].event {
        Event::Schedule(s) => {
            assert_eq!(s.expressions, [serde_json::json!("rate(1 hour)")]);
            assert!(s.enabled);
        }
        other => panic!("{other:?}"),
    }
    match &events[2].event {
        Event::S3(crate::config::events::S3Event::Existing(e)) => {
            assert_eq!(e.key, "one");
            assert_eq!(e.notification.event, "s3:ObjectCreated:*");
            assert_eq!(
                e.notification.rules,
                Some(vec![("prefix".to_string(), serde_json::json!("a/"))])
            );
        }
        other => panic!("{other:?}"),
    }
    match &events[3].event {
        Event::Msk(m) => {
            assert_eq!(m.starting.position, "TRIM_HORIZON");
            // osls leaves a batch size of 0 out.
            assert!(m.batching.batch_size.is_none());
        }
        other => panic!("{other:?}"),
    }
}

//! The resolver over the `AwsSource` seam: a value AWS does not have is null (the fallback applies, as
//! in osls); a failed lookup stops resolution with its cause's code, at the property's place.

use std::collections::HashMap;
use std::path::PathBuf;

use serde_json::{json, Value};

use super::error_tests::service_error;
use super::{AwsSource, SourceError};
use crate::error::Error;
use crate::variables::{resolve_config, Context};

/// Answers by name: `/denied`, `/throttled`, `/gone-version` fail with their cause; `/missing` is no
/// value; any other name has the value `v:<name>`. Stacks and objects alike; the account is an error.
struct Scripted;

fn answer(name: &str) -> Result<Option<String>, SourceError> {
    let fail = |code: &str, status: u16| {
        Err(SourceError::from_sdk(
            format!("cannot read {name}"),
            service_error(Some(code), status),
        ))
    };
    match name {
        "denied" | "/denied" => fail("AccessDeniedException", 400),
        "throttled" | "/throttled" => fail("ThrottlingException", 400),
        "gone" | "/gone-version" => fail("NoSuchBucket", 404),
        "missing" | "/missing" => Ok(None),
        other => Ok(Some(format!("v:{other}"))),
    }
}

impl AwsSource for Scripted {
    fn account_id(&self) -> Result<String, SourceError> {
        Err(SourceError::from_sdk(
            "cannot read the account id",
            service_error(Some("ExpiredTokenException"), 400),
        ))
    }
    fn stack_output(&self, _: &str, stack: &str, _: &str) -> Result<Option<String>, SourceError> {
        answer(stack)
    }
    fn s3_object(&self, bucket: &str, _: &str) -> Result<Option<String>, SourceError> {
        answer(bucket)
    }
    fn ssm_parameter(
        &self,
        _: &str,
        name: &str,
        _: bool,
    ) -> Result<Option<(String, String)>, SourceError> {
        Ok(answer(name)?.map(|v| ("String".to_string(), v)))
    }
}

fn resolve(value: &str) -> Result<Value, Error> {
    let source = format!("service: svc\ncustom:\n  x: '{value}'\n");
    let ctx = Context {
        service_dir: std::env::temp_dir(),
        config_file: PathBuf::from("serverless.yml"),
        source,
        options: serde_json::Map::new(),
        params: Vec::new(),
        env: HashMap::new(),
        instance_id: "1".into(),
        aws: Some(&Scripted),
        js: None,
        tolerate_unknown_sources: false,
    };
    let config = json!({ "service": "svc", "custom": { "x": value } });
    resolve_config(config, &ctx).map(|c| c["custom"]["x"].clone())
}

#[test]
fn values_and_missing_values() {
    assert_eq!(resolve("${ssm:/a}").unwrap(), json!("v:/a"));
    assert_eq!(resolve("${ssm:/missing, 'fb'}").unwrap(), json!("fb"));
    assert_eq!(resolve("${cf:missing.Out, s3:b/k}").unwrap(), json!("v:b"));
    let e = resolve("${ssm:/missing}").unwrap_err();
    assert_eq!(e.code(), "VARIABLES_RESOLUTION_ERROR");
    assert!(
        e.to_string().contains("Value not found at \"ssm\" source"),
        "{e}"
    );
}

#[test]
fn each_failure_is_its_code_at_the_property_even_with_a_fallback() {
    let cases = [
        (
            "${ssm:/denied, 'fb'}",
            "VARIABLE_SOURCE_ACCESS_DENIED",
            "cannot read /denied: AccessDeniedException: what AWS said",
        ),
        (
            "${cf:throttled.Out}",
            "VARIABLE_SOURCE_THROTTLED",
            "cannot read throttled: ThrottlingException: what AWS said",
        ),
        (
            "${s3:gone/k, 'fb'}",
            "VARIABLE_SOURCE_NOT_FOUND",
            "cannot read gone: NoSuchBucket: what AWS said",
        ),
        (
            "${ssm:/gone-version}",
            "VARIABLE_SOURCE_NOT_FOUND",
            "cannot read /gone-version: NoSuchBucket",
        ),
        (
            "${aws:accountId}",
            "VARIABLES_RESOLUTION_ERROR",
            "cannot read the account id: ExpiredTokenException: what AWS said",
        ),
    ];
    for (value, code, text) in cases {
        let e = resolve(value).unwrap_err();
        assert_eq!(e.code(), code, "{value}: {e}");
        let expected = format!("Cannot resolve variable at \"custom.x\": {text}");
        assert!(e.to_string().starts_with(&expected), "{value}: {e}");
        let Error::Config { path, location, .. } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(path.as_deref(), Some("custom.x"));
        assert_eq!(location.as_ref().map(|l| l.line), Some(3), "{value}");
    }
}

//! `SourceError` from SDK errors built as the SDK builds them: each cause by its AWS error code (or
//! HTTP status), the text osls shows (`Code: message`) after what was being read, the SDK error kept as
//! the source. (`service_error` serves the other tests of the folder.)

use std::error::Error as _;

use aws_sdk_ssm::operation::get_parameter::GetParameterError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::error::ErrorMetadata;

use super::SourceError;

pub(super) fn service_error(
    code: Option<&str>,
    status: u16,
) -> SdkError<GetParameterError, HttpResponse> {
    let mut meta = ErrorMetadata::builder().message("what AWS said");
    if let Some(code) = code {
        meta = meta.code(code);
    }
    let raw = HttpResponse::new(status.try_into().unwrap(), SdkBody::empty());
    SdkError::service_error(GetParameterError::generic(meta.build()), raw)
}

fn classified(code: Option<&str>, status: u16) -> SourceError {
    SourceError::from_sdk("cannot read SSM parameter /a", service_error(code, status))
}

#[test]
fn each_cause_has_its_code() {
    let cases = [
        (
            Some("AccessDeniedException"),
            400,
            "VARIABLE_SOURCE_ACCESS_DENIED",
        ),
        (Some("AccessDenied"), 403, "VARIABLE_SOURCE_ACCESS_DENIED"),
        (None, 403, "VARIABLE_SOURCE_ACCESS_DENIED"),
        (
            Some("ThrottlingException"),
            400,
            "VARIABLE_SOURCE_THROTTLED",
        ),
        (Some("Throttling"), 400, "VARIABLE_SOURCE_THROTTLED"),
        (Some("SlowDown"), 503, "VARIABLE_SOURCE_THROTTLED"),
        (None, 429, "VARIABLE_SOURCE_THROTTLED"),
        (Some("NoSuchBucket"), 404, "VARIABLE_SOURCE_NOT_FOUND"),
        (
            Some("ParameterVersionNotFound"),
            400,
            "VARIABLE_SOURCE_NOT_FOUND",
        ),
        (
            Some("ResourceNotFoundException"),
            400,
            "VARIABLE_SOURCE_NOT_FOUND",
        ),
        (
            Some("ValidationException"),
            400,
            "VARIABLES_RESOLUTION_ERROR",
        ),
        (
            Some("InternalServerError"),
            500,
            "VARIABLES_RESOLUTION_ERROR",
        ),
    ];
    for (code, status, expected) in cases {
        let e = classified(code, status);
        assert_eq!(e.code(), expected, "{code:?} {status}");
        assert_eq!(e.failure().code.as_deref(), code);
    }
    assert!(matches!(
        classified(Some("AccessDeniedException"), 400),
        SourceError::AccessDenied(_)
    ));
    assert!(matches!(classified(None, 429), SourceError::Throttled(_)));
    assert!(matches!(
        classified(Some("NoSuchBucket"), 404),
        SourceError::NotFound(_)
    ));
    assert!(matches!(
        classified(Some("ValidationException"), 400),
        SourceError::Other(_)
    ));
}

#[test]
fn the_message_names_what_was_read_the_aws_code_and_message() {
    let e = classified(Some("AccessDeniedException"), 400);
    assert_eq!(
        e.to_string(),
        "cannot read SSM parameter /a: AccessDeniedException: what AWS said"
    );
    // No code: the message alone.
    let e = classified(None, 429);
    assert_eq!(e.to_string(), "cannot read SSM parameter /a: what AWS said");
}

#[test]
fn the_sdk_error_is_the_source() {
    let e = classified(Some("ThrottlingException"), 400);
    let source = e.source().expect("a source");
    let sdk = source
        .downcast_ref::<SdkError<GetParameterError, HttpResponse>>()
        .expect("the SDK error");
    assert!(sdk.as_service_error().is_some());
    // Memoized answers are cloned: the clone keeps the same source.
    assert!(e.clone().source().is_some());
}

#[test]
fn transport_failures_and_plain_messages_are_other() {
    let timeout: SdkError<GetParameterError, HttpResponse> = SdkError::timeout_error("too slow");
    let e = SourceError::from_sdk("cannot read SSM parameter /a", timeout);
    assert_eq!(e.code(), "VARIABLES_RESOLUTION_ERROR");
    assert_eq!(
        e.to_string(),
        "cannot read SSM parameter /a: Timeout: the request timed out"
    );
    let e = SourceError::from("not available yet");
    assert_eq!(e.code(), "VARIABLES_RESOLUTION_ERROR");
    assert_eq!(e.to_string(), "not available yet");
    assert!(e.source().is_none());
}

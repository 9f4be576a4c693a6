//! The wrapping of SDK errors into `crate::Error` (the SDK error kept as its source), and named
//! predicates for AWS service errors. AWS errors are told apart by the error code AWS answered with
//! (`ProvideErrorMetadata::code`), never by searching a display text; where CloudFormation tells a
//! situation only in a message, `is_validation_error_saying` is the one place that reads it.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::error::Error;

/// How CloudFormation says an update has nothing to do: a `ValidationError` of UpdateStack, or the
/// status reason of a failed change set. It has no error code of its own.
pub const NO_UPDATES: &str = "No updates are to be performed";
/// The other status reason of an empty change set.
pub const NO_CHANGES: &str = "The submitted information didn't contain changes";

/// `failed to <operation>: <service message>` with the code `AWS_<SERVICE>_<OPERATION>_<ERRORCODE>`;
/// the SDK error is kept as the source.
pub fn wrap<E>(
    service: &str,
    op_code: &str,
    operation: impl Into<String>,
    err: SdkError<E, HttpResponse>,
) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    // A credentials failure keeps osls's own code (UNRECOGNIZED_AWS_PROFILE …), whatever the call.
    let code = match super::credentials::failure_in(&err) {
        Some(f) => f.code.to_string(),
        None => {
            let suffix = describe(&err)
                .0
                .as_deref()
                .map(screaming_snake)
                .unwrap_or_else(|| "ERROR".to_string());
            format!("AWS_{service}_{op_code}_{suffix}")
        }
    };
    with_source(code, operation, err)
}

/// `wrap` as a method of an SDK call's result: `.send().await.or_aws("S3", "PUT_OBJECT", || what)`.
pub trait OrAws<T> {
    /// The error wrapped with `wrap(service, op_code, operation(), e)`.
    fn or_aws<S: Into<String>>(
        self,
        service: &str,
        op_code: &str,
        operation: impl FnOnce() -> S,
    ) -> Result<T, Error>;
}

impl<T, E> OrAws<T> for Result<T, SdkError<E, HttpResponse>>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    fn or_aws<S: Into<String>>(
        self,
        service: &str,
        op_code: &str,
        operation: impl FnOnce() -> S,
    ) -> Result<T, Error> {
        self.map_err(|e| wrap(service, op_code, operation(), e))
    }
}

/// An `Error::Aws` with `code` for `err`: its message and AWS's error code from `describe` and
/// `service_code`, the SDK error itself as the source.
pub fn with_source<E>(
    code: String,
    operation: impl Into<String>,
    err: SdkError<E, HttpResponse>,
) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let (_, message) = describe(&err);
    Error::Aws {
        code,
        operation: operation.into(),
        message,
        aws_code: service_code(&err),
        source: Some(Box::new(err)),
    }
}

/// `wrap` for `map_err`: the error of a Lambda call that does `operation`.
pub fn lambda<E>(
    op_code: &'static str,
    operation: String,
) -> impl FnOnce(SdkError<E, HttpResponse>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    move |err| wrap("LAMBDA", op_code, operation, err)
}

/// The service's error code and message, or a description of a transport failure.
pub fn describe<E>(err: &SdkError<E, HttpResponse>) -> (Option<String>, String)
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    if let Some(f) = super::credentials::failure_in(err) {
        return (Some(f.code.to_string()), f.message.clone());
    }
    if let Some((code, message)) = service_answer(err) {
        let message = message
            .or_else(|| code.clone())
            .unwrap_or_else(|| "unknown service error".to_string());
        return (code, message);
    }
    match err {
        SdkError::TimeoutError(_) => (Some("Timeout".into()), "the request timed out".into()),
        SdkError::DispatchFailure(_) => (
            Some("NetworkError".into()),
            format!("could not reach AWS: {}", source_chain(err)),
        ),
        other => (None, source_chain(other)),
    }
}

/// What AWS answered, as `(code, message)`: from the SDK's error metadata, or — for an answer the SDK
/// could not parse (an emulator answering in another protocol) — from the error-type header and the
/// body. None when no service answered.
fn service_answer<E>(err: &SdkError<E, HttpResponse>) -> Option<(Option<String>, Option<String>)>
where
    E: ProvideErrorMetadata,
{
    let SdkError::ServiceError(se) = err else {
        return None;
    };
    let (e, raw) = (se.err(), se.raw());
    let code = e.code().map(str::to_string).or_else(|| {
        raw.headers()
            .get("x-amzn-errortype")
            .map(|t| t.split(':').next().unwrap_or(t).to_string())
    });
    let message = e.message().map(str::to_string).or_else(|| {
        let body = serde_json::from_slice::<serde_json::Value>(raw.body().bytes()?).ok()?;
        let m = body.get("message").or_else(|| body.get("Message"))?;
        m.as_str().map(str::to_string)
    });
    Some((code, message))
}

/// The error code AWS answered with (`ValidationError`, `NoSuchBucket` …); None when no service
/// answered (network, timeout, credentials).
pub fn service_code<E>(err: &SdkError<E, HttpResponse>) -> Option<String>
where
    E: ProvideErrorMetadata,
{
    service_answer(err).and_then(|(code, _)| code)
}

/// Whether AWS answered with the error code `code`.
pub fn has_code<E>(err: &SdkError<E, HttpResponse>, code: &str) -> bool
where
    E: ProvideErrorMetadata,
{
    service_code(err).as_deref() == Some(code)
}

/// A CloudFormation `ValidationError` whose message contains `text`. CloudFormation has no error code
/// for a missing stack or an update with nothing to do: both are a `ValidationError` told apart only by
/// their message ("Stack with id x does not exist", "No updates are to be performed."). So the code
/// is matched first, and only then the message the SDK's error metadata carries.
pub fn is_validation_error_saying<E>(err: &SdkError<E, HttpResponse>, text: &str) -> bool
where
    E: ProvideErrorMetadata,
{
    matches!(service_answer(err), Some((Some(code), Some(message)))
        if code == "ValidationError" && message.contains(text))
}

/// CloudFormation's answer for a stack (or a resource of a stack) that does not exist.
pub fn is_stack_missing<E>(err: &SdkError<E, HttpResponse>) -> bool
where
    E: ProvideErrorMetadata,
{
    is_validation_error_saying(err, "does not exist")
}

/// CloudFormation's answer to an UpdateStack that changes nothing.
pub fn is_no_updates<E>(err: &SdkError<E, HttpResponse>) -> bool
where
    E: ProvideErrorMetadata,
{
    is_validation_error_saying(err, NO_UPDATES)
}

fn source_chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        out.push_str(": ");
        out.push_str(&e.to_string());
        cur = e.source();
    }
    out
}

/// `ValidationError` -> `VALIDATION_ERROR`, `NoSuchKey` -> `NO_SUCH_KEY`.
pub fn screaming_snake(s: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = s.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                out.push('_');
            }
        }
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
        } else {
            out.push('_');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cloudformation::operation::update_stack::UpdateStackError;
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    /// An SDK error as the SDK builds it from AWS's answer: the metadata's code and message.
    fn answered(code: &str, message: &str) -> SdkError<UpdateStackError, HttpResponse> {
        let meta = ErrorMetadata::builder().code(code).message(message).build();
        let raw = HttpResponse::new(StatusCode::try_from(400).unwrap(), SdkBody::empty());
        SdkError::service_error(UpdateStackError::generic(meta), raw)
    }

    #[test]
    fn cloudformation_situations_are_told_by_code_then_message() {
        let no_updates = answered("ValidationError", "No updates are to be performed.");
        assert!(is_no_updates(&no_updates));
        assert!(!is_stack_missing(&no_updates));
        let missing = answered("ValidationError", "Stack with id svc-dev does not exist");
        assert!(is_stack_missing(&missing));
        assert!(!is_no_updates(&missing));
        // The same words under another code are another failure.
        assert!(!is_no_updates(&answered(
            "AccessDenied",
            "No updates are to be performed."
        )));
        assert!(!is_stack_missing(&answered(
            "Throttling",
            "Rate exceeded: stack does not exist yet"
        )));
        assert!(!is_no_updates(&answered(
            "ValidationError",
            "Template format error"
        )));
    }

    #[test]
    fn codes_come_from_the_metadata_or_the_error_type_header() {
        let e = answered("AlreadyExistsException", "exists");
        assert!(has_code(&e, "AlreadyExistsException"));
        assert!(!has_code(&e, "ValidationError"));
        // An answer the SDK could not parse: the code from x-amzn-errortype, the message from the body.
        let mut raw = HttpResponse::new(
            StatusCode::try_from(400).unwrap(),
            SdkBody::from(r#"{"message":"no repository"}"#),
        );
        raw.headers_mut().insert(
            "x-amzn-errortype",
            "RepositoryNotFoundException:http://internal.amazon.com/",
        );
        let unparsed =
            SdkError::service_error(UpdateStackError::generic(ErrorMetadata::default()), raw);
        assert_eq!(
            service_code(&unparsed).as_deref(),
            Some("RepositoryNotFoundException")
        );
        assert_eq!(describe(&unparsed).1, "no repository");
        // No answer, no AWS code.
        let timeout: SdkError<UpdateStackError, HttpResponse> = SdkError::timeout_error("slow");
        assert_eq!(service_code(&timeout), None);
    }

    #[test]
    fn wrapped_errors_keep_the_aws_code_and_the_sdk_error_as_source() {
        let err = wrap(
            "CLOUD_FORMATION",
            "UPDATE_STACK",
            "update stack svc-dev",
            answered("ValidationError", "Template format error"),
        );
        assert_eq!(
            err.code(),
            "AWS_CLOUD_FORMATION_UPDATE_STACK_VALIDATION_ERROR"
        );
        assert_eq!(err.aws_code(), Some("ValidationError"));
        assert_eq!(
            err.to_string(),
            "failed to update stack svc-dev: Template format error"
        );
        let source = std::error::Error::source(&err).expect("the SDK error");
        let sdk = source
            .downcast_ref::<SdkError<UpdateStackError, HttpResponse>>()
            .expect("kept as it was");
        assert_eq!(
            sdk.as_service_error().and_then(|e| e.code()),
            Some("ValidationError")
        );

        let timeout = wrap(
            "CLOUD_FORMATION",
            "UPDATE_STACK",
            "update stack svc-dev",
            SdkError::<UpdateStackError, HttpResponse>::timeout_error("slow"),
        );
        assert_eq!(timeout.code(), "AWS_CLOUD_FORMATION_UPDATE_STACK_TIMEOUT");
        assert_eq!(timeout.aws_code(), None);
        assert!(std::error::Error::source(&timeout).is_some());
    }

    #[test]
    fn codes_in_serverless_form() {
        assert_eq!(screaming_snake("ValidationError"), "VALIDATION_ERROR");
        assert_eq!(screaming_snake("NoSuchKey"), "NO_SUCH_KEY");
        assert_eq!(screaming_snake("AccessDenied"), "ACCESS_DENIED");
        assert_eq!(screaming_snake("KMSAccessDenied"), "KMS_ACCESS_DENIED");
    }
}

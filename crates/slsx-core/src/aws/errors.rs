//! Named predicates for AWS service errors and the wrapping of SDK errors into `crate::Error`.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::error::Error;

/// `failed to <operation>: <service message>` with the code `AWS_<SERVICE>_<OPERATION>_<ERRORCODE>`.
pub fn wrap<E>(
    service: &str,
    op_code: &str,
    operation: impl Into<String>,
    err: SdkError<E, HttpResponse>,
) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    // A credentials failure keeps osls's own code (UNRECOGNIZED_AWS_PROFILE …), whatever the call.
    if let Some(f) = super::credentials::failure_in(&err) {
        return Error::Aws {
            code: f.code.to_string(),
            operation: operation.into(),
            message: f.message.clone(),
        };
    }
    let (code, message) = describe(&err);
    let suffix = code
        .as_deref()
        .map(screaming_snake)
        .unwrap_or_else(|| "ERROR".to_string());
    Error::Aws {
        code: format!("AWS_{service}_{op_code}_{suffix}"),
        operation: operation.into(),
        message,
    }
}

/// `wrap` for `map_err`: the error of a Lambda call that does `operation`.
pub fn lambda<E>(
    op_code: &'static str,
    operation: String,
) -> impl FnOnce(SdkError<E, HttpResponse>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
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
    match err {
        SdkError::ServiceError(se) => {
            let e = se.err();
            // An answer the SDK could not parse (an emulator answering in another protocol) still says
            // what went wrong in its error-type header and body.
            let raw = se.raw();
            let header = raw
                .headers()
                .get("x-amzn-errortype")
                .map(|t| t.split(':').next().unwrap_or(t).to_string());
            let body_message = raw
                .body()
                .bytes()
                .and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok())
                .and_then(|v| {
                    v.get("message")
                        .or_else(|| v.get("Message"))
                        .and_then(|m| m.as_str())
                        .map(str::to_string)
                });
            let code = e.code().map(str::to_string).or(header);
            let message = e
                .message()
                .map(str::to_string)
                .or(body_message)
                .or_else(|| code.clone())
                .unwrap_or_else(|| "unknown service error".to_string());
            (code, message)
        }
        SdkError::TimeoutError(_) => (Some("Timeout".into()), "the request timed out".into()),
        SdkError::DispatchFailure(_) => (
            Some("NetworkError".into()),
            format!("could not reach AWS: {}", source_chain(err)),
        ),
        other => (None, source_chain(other)),
    }
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

/// CloudFormation says a stack is missing with a ValidationError whose text contains "does not exist".
pub fn is_stack_missing<E>(err: &SdkError<E, HttpResponse>) -> bool
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    matches!(err, SdkError::ServiceError(se) if se.err().message().is_some_and(|m| m.contains("does not exist")))
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

    #[test]
    fn codes_in_serverless_form() {
        assert_eq!(screaming_snake("ValidationError"), "VALIDATION_ERROR");
        assert_eq!(screaming_snake("NoSuchKey"), "NO_SUCH_KEY");
        assert_eq!(screaming_snake("AccessDenied"), "ACCESS_DENIED");
        assert_eq!(screaming_snake("KMSAccessDenied"), "KMS_ACCESS_DENIED");
    }
}

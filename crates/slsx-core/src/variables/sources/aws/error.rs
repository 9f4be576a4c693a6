//! Why an AWS variable source could not give a value. osls turns every such failure into one
//! `VARIABLES_RESOLUTION_ERROR` whose text is the SDK error; slsx keeps that text but tells the causes
//! apart — access denied, not found, throttled, anything else — each with its own error code, from the
//! AWS error code of the SDK's error metadata. The SDK error stays the `source` of the error.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::aws::errors;

/// What a failed lookup was, what AWS said, and the SDK error behind it. Cloned with the memo that
/// holds it: the cause is shared.
#[derive(Debug, Clone)]
pub struct AwsFailure {
    /// What was being read: "cannot read SSM parameter /a".
    pub context: String,
    /// The AWS error code (`AccessDeniedException`, `NoSuchBucket` …), when AWS answered with one.
    pub code: Option<String>,
    /// AWS's message, or what went wrong on the way. Never a parameter's value nor a credential.
    pub message: String,
    cause: Option<Arc<dyn StdError + Send + Sync>>,
}

impl fmt::Display for AwsFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.context)?;
        // `Code: message`, as the first line of the SDK error osls prints.
        if let Some(code) = &self.code {
            write!(f, ": {code}")?;
        }
        if !self.message.is_empty() && self.code.as_deref() != Some(self.message.as_str()) {
            write!(f, ": {}", self.message)?;
        }
        Ok(())
    }
}

impl StdError for AwsFailure {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        // The SDK error itself (an `Arc`'s own `source` would skip to the SDK error's source).
        self.cause
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

/// The error of an AWS variable source, by cause.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SourceError {
    /// The credentials may not read it (`AccessDenied`, `AccessDeniedException`, an HTTP 403).
    #[error(transparent)]
    AccessDenied(AwsFailure),
    /// What the address names around the value does not exist (`NoSuchBucket`,
    /// `ParameterVersionNotFound` …). A missing value itself is no error: the source gives null and the
    /// variable's fallback applies, as in osls.
    #[error(transparent)]
    NotFound(AwsFailure),
    /// AWS refused the request for its rate (`Throttling`, `TooManyRequestsException`, an HTTP 429),
    /// after the SDK's retries.
    #[error(transparent)]
    Throttled(AwsFailure),
    /// Anything else: another AWS error, the network, the credentials.
    #[error(transparent)]
    Other(AwsFailure),
}

/// The error codes AWS gives for a rate limit: the SDK's retry classifier's list.
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

impl SourceError {
    /// The error of an SDK call that was reading `context`, classified by its AWS error code (the HTTP
    /// status when there is none).
    pub fn from_sdk<E>(context: impl Into<String>, err: SdkError<E, HttpResponse>) -> SourceError
    where
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    {
        let (code, message) = errors::describe(&err);
        let status = match &err {
            SdkError::ServiceError(se) => Some(se.raw().status().as_u16()),
            _ => None,
        };
        let failure = AwsFailure {
            context: context.into(),
            code,
            message,
            cause: Some(Arc::new(err)),
        };
        Self::classify(failure, status)
    }

    /// A failure that is no AWS error (an unreadable body, an answer missing a field).
    pub fn other(
        context: impl Into<String>,
        cause: Option<Arc<dyn StdError + Send + Sync>>,
    ) -> SourceError {
        let message = cause.as_ref().map(ToString::to_string).unwrap_or_default();
        SourceError::Other(AwsFailure {
            context: context.into(),
            code: None,
            message,
            cause,
        })
    }

    fn classify(failure: AwsFailure, status: Option<u16>) -> SourceError {
        let code = failure.code.as_deref().unwrap_or_default();
        if code.contains("AccessDenied") || code == "UnauthorizedOperation" || code == "Forbidden" {
            SourceError::AccessDenied(failure)
        } else if THROTTLING_CODES.contains(&code) || status == Some(429) {
            SourceError::Throttled(failure)
        } else if code.starts_with("NoSuch")
            || code.ends_with("NotFound")
            || code.ends_with("NotFoundException")
            || status == Some(404)
        {
            SourceError::NotFound(failure)
        } else if code.is_empty() && status == Some(403) {
            SourceError::AccessDenied(failure)
        } else {
            SourceError::Other(failure)
        }
    }

    /// The error code the resolver's error carries. Anything but the three known causes keeps osls's
    /// `VARIABLES_RESOLUTION_ERROR`.
    pub fn code(&self) -> &'static str {
        match self {
            SourceError::AccessDenied(_) => "VARIABLE_SOURCE_ACCESS_DENIED",
            SourceError::NotFound(_) => "VARIABLE_SOURCE_NOT_FOUND",
            SourceError::Throttled(_) => "VARIABLE_SOURCE_THROTTLED",
            SourceError::Other(_) => "VARIABLES_RESOLUTION_ERROR",
        }
    }

    pub fn failure(&self) -> &AwsFailure {
        match self {
            SourceError::AccessDenied(f)
            | SourceError::NotFound(f)
            | SourceError::Throttled(f)
            | SourceError::Other(f) => f,
        }
    }
}

/// A plain message (a source that stands in for AWS before it may be reached).
impl From<&str> for SourceError {
    fn from(message: &str) -> SourceError {
        SourceError::other(message, None)
    }
}

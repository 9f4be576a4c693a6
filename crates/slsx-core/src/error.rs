//! One error type for the whole engine. Every variant has a stable code: Serverless's own code where it
//! has one, so scripts that match on `error.code` keep working.

use std::path::PathBuf;

/// A place in a configuration file, for errors that point at the user's input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLocation {
    pub file: PathBuf,
    /// 1-based.
    pub line: usize,
    /// 1-based.
    pub column: usize,
    /// The offending line with a caret under the column, ready to print.
    pub frame: String,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration is wrong: unreadable, not YAML, or a key has a bad value.
    #[error("{message}")]
    Config {
        code: &'static str,
        message: String,
        /// Property path such as `functions.hello.handler`, when one applies.
        path: Option<String>,
        /// Boxed: it is the largest part, and every `Result` of the engine carries this type.
        location: Option<Box<SourceLocation>>,
    },

    /// Packaging failed (no files, unreadable file, I/O).
    #[error("{message}")]
    Package { code: &'static str, message: String },

    /// An AWS call failed. `operation` names what slsx was doing ("create change set for stack x").
    /// Built by `aws::errors` from the SDK's error, or by `Error::aws` for a failure slsx finds itself.
    #[error("failed to {operation}: {message}")]
    Aws {
        code: String,
        operation: String,
        message: String,
        /// The error code AWS answered with (`ValidationError`, `NoSuchBucket` …), from the SDK's error
        /// metadata; None when no AWS service answered (network, timeout, credentials, slsx itself).
        aws_code: Option<String>,
        /// The SDK's error, so the cause chain stays available. Never shown in the message: what is
        /// shown is `message`, which holds no request data and so no credentials.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },

    /// CloudFormation reported a failure of the stack operation.
    #[error("{message}")]
    Stack { code: String, message: String },

    /// Local I/O outside packaging (writing .serverless/, reading a state file).
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },

    /// The caller passed an option slsx cannot use.
    #[error("{message}")]
    InvalidOption { message: String },

    /// A plugin's hook failed: its own message and code, with the plugin and the hook named.
    #[error("{message} (plugin \"{plugin}\", hook \"{hook}\")")]
    Plugin {
        plugin: String,
        hook: String,
        code: String,
        message: String,
    },

    /// A bug in slsx, caught instead of crashing the host process.
    #[error("this is a bug in slsx, please report it: {message}")]
    Internal { message: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The stable SCREAMING_SNAKE code of this error.
    pub fn code(&self) -> &str {
        match self {
            Error::Config { code, .. } | Error::Package { code, .. } => code,
            Error::Aws { code, .. } | Error::Stack { code, .. } | Error::Plugin { code, .. } => {
                code
            }
            Error::Io { .. } => "FILE_SYSTEM_ERROR",
            Error::InvalidOption { .. } => "INVALID_OPTION",
            Error::Internal { .. } => "INTERNAL_ERROR",
        }
    }

    pub fn location(&self) -> Option<&SourceLocation> {
        match self {
            Error::Config { location, .. } => location.as_deref(),
            _ => None,
        }
    }

    /// The message with the file position and code frame, as a person should read it.
    pub fn render(&self) -> String {
        match self {
            Error::Config {
                message,
                location: Some(loc),
                ..
            } => format!(
                "{}:{}:{}: {}\n{}",
                loc.file.display(),
                loc.line,
                loc.column,
                message,
                loc.frame
            ),
            other => other.to_string(),
        }
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// An `Error::Aws` slsx raises itself: no AWS error code, no SDK error behind it.
    pub fn aws(
        code: impl Into<String>,
        operation: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::Aws {
            code: code.into(),
            operation: operation.into(),
            message: message.into(),
            aws_code: None,
            source: None,
        }
    }

    /// The error code AWS answered with, for an `Error::Aws` that has one: what callers match on
    /// (never the message text).
    pub fn aws_code(&self) -> Option<&str> {
        match self {
            Error::Aws { aws_code, .. } => aws_code.as_deref(),
            _ => None,
        }
    }

    pub fn config(code: &'static str, message: impl Into<String>) -> Self {
        Error::Config {
            code,
            message: message.into(),
            path: None,
            location: None,
        }
    }
}

/// Builds the "line with a caret" frame shown under config errors. `line`/`column` are 1-based.
pub fn code_frame(source: &str, line: usize, column: usize) -> String {
    let lines: Vec<&str> = source.lines().collect();
    if line == 0 || line > lines.len() {
        return String::new();
    }
    let first = line.saturating_sub(2).max(1);
    let width = line.to_string().len();
    let mut out = String::new();
    for n in first..=line {
        let marker = if n == line { '>' } else { ' ' };
        out.push_str(&format!("{marker} {n:>width$} | {}\n", lines[n - 1]));
    }
    out.push_str(&format!(
        "  {:>width$} | {}^",
        "",
        " ".repeat(column.saturating_sub(1))
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_points_at_column() {
        let src = "service: a\nprovider:\n  name: aws\n";
        let f = code_frame(src, 3, 3);
        assert_eq!(
            f,
            "  1 | service: a\n  2 | provider:\n> 3 |   name: aws\n    |   ^"
        );
    }
}

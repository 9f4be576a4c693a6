//! The sources that read AWS: `aws:accountId|region`, `cf(region?):stack.Output`, `s3:bucket/key` and
//! `ssm(region?, raw?, noDecrypt?):/name`.
//!
//! `resolve` (here) turns a variable into a call of the `AwsSource` seam and its answer into a value;
//! `AwsLookups` (`lookups`) is the real source: memoized answers, filled ahead of resolution by
//! `prefetch` (concurrent, SSM batched) or on demand, from the SDK calls of `fetch`. A failed lookup is
//! a `SourceError` (`error`): access denied, not found, throttled or other, each its own error code.
//! `ssm` reads the `ssm` params and turns a parameter into its value.

mod error;
mod fetch;
mod lookups;
mod prefetch;
mod ssm;

use serde_json::Value;

use super::super::resolve::{Path_, Resolver};
use crate::error::Result;
pub use error::{AwsFailure, SourceError};
pub use lookups::AwsLookups;
use ssm::{ssm_value, SsmOptions};

/// What the AWS variable sources need. `Ok(None)`: AWS has no such value (the fallback applies).
pub trait AwsSource: Sync {
    fn account_id(&self) -> Result<String, SourceError>;
    fn stack_output(
        &self,
        region: &str,
        stack: &str,
        output: &str,
    ) -> Result<Option<String>, SourceError>;
    fn s3_object(&self, bucket: &str, key: &str) -> Result<Option<String>, SourceError>;
    /// `(type, value)` of a parameter, or None when it does not exist.
    fn ssm_parameter(
        &self,
        region: &str,
        name: &str,
        decrypt: bool,
    ) -> Result<Option<(String, String)>, SourceError>;
}

pub(in super::super) fn resolve(
    r: &mut Resolver<'_, '_>,
    kind: &str,
    params: &[Value],
    address: Option<&str>,
    path: &Path_,
) -> Result<Value> {
    if kind == "aws" && address == Some("region") {
        return super::region(r).map(Value::String);
    }
    let Some(aws) = r.ctx.aws else {
        return Err(r.error(
            path,
            "VARIABLES_RESOLUTION_ERROR",
            &format!("\"{kind}\" variables need AWS access, which is not available here"),
        ));
    };
    let usage = |r: &Resolver<'_, '_>, e: &str| r.error(path, "VARIABLES_RESOLUTION_ERROR", e);
    let failed = |r: &Resolver<'_, '_>, e: SourceError| r.error(path, e.code(), &e.to_string());
    let text = |v: Option<String>| v.map_or(Value::Null, Value::String);
    match kind {
        "aws" => match address {
            Some("accountId") => aws
                .account_id()
                .map(Value::String)
                .map_err(|e| failed(r, e)),
            other => Err(usage(
                r,
                &format!(
                    "Unsupported \"aws\" address \"{}\": use accountId or region",
                    other.unwrap_or("")
                ),
            )),
        },
        "cf" => {
            let Some((stack, output)) = address.and_then(|a| a.split_once('.')) else {
                return Err(usage(r, "\"cf\" needs ${cf:<stack>.<output>}"));
            };
            let region = match params.first() {
                Some(Value::String(reg)) => reg.clone(),
                _ => super::region(r)?,
            };
            let found = aws.stack_output(&region, stack, output);
            found.map(text).map_err(|e| failed(r, e))
        }
        "s3" => {
            let Some((bucket, key)) = address.and_then(|a| a.split_once('/')) else {
                return Err(usage(r, "\"s3\" needs ${s3:<bucket>/<key>}"));
            };
            aws.s3_object(bucket, key)
                .map(text)
                .map_err(|e| failed(r, e))
        }
        "ssm" => {
            let Some(name) = address.filter(|a| !a.is_empty()) else {
                return Err(usage(
                    r,
                    "\"ssm\" needs a parameter name: ${ssm:/path/name}",
                ));
            };
            let opts = SsmOptions::from_params(params);
            let region = match opts.region {
                Some(reg) => reg,
                None => super::region(r)?,
            };
            let found = aws
                .ssm_parameter(&region, name, opts.decrypt)
                .map_err(|e| failed(r, e))?;
            Ok(found.map_or(Value::Null, |(kind, value)| {
                ssm_value(name, &kind, value, opts.raw)
            }))
        }
        _ => unreachable!("dispatched by kind"),
    }
}

#[cfg(test)]
mod error_tests;
#[cfg(test)]
mod lookups_tests;
#[cfg(test)]
mod resolve_tests;

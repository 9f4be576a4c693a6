//! The SDK calls behind the AWS sources, each answer as the sources want it: a missing stack, S3 key or
//! SSM parameter is no error (None: the variable's fallback applies, as in osls); any other failure
//! is a `SourceError` naming what was being read.

use std::sync::Arc;

use super::error::SourceError;
use super::lookups::{parameter_key, AwsLookups, Outputs, Parameter};
use crate::aws::errors;

impl AwsLookups {
    pub(super) async fn fetch_account(&self) -> Result<String, SourceError> {
        let context = "cannot read the account id (STS GetCallerIdentity)";
        let ctx = self.context(&self.settings.region).await;
        let out = ctx
            .sts()
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| SourceError::from_sdk(context, e))?;
        out.account()
            .map(str::to_string)
            .ok_or_else(|| SourceError::from("STS returned no account id"))
    }

    pub(super) async fn fetch_stack(
        &self,
        region: &str,
        stack: &str,
    ) -> Result<Outputs, SourceError> {
        let ctx = self.context(region).await;
        match ctx
            .cloudformation()
            .describe_stacks()
            .stack_name(stack)
            .send()
            .await
        {
            Ok(out) => Ok(out.stacks().first().map(crate::aws::stack_outputs)),
            Err(e) if errors::is_stack_missing(&e) => Ok(None),
            Err(e) => Err(SourceError::from_sdk(
                format!("cannot read stack {stack} in {region}"),
                e,
            )),
        }
    }

    pub(super) async fn fetch_object(
        &self,
        bucket: &str,
        key: &str,
    ) -> Result<Option<String>, SourceError> {
        let context = || format!("cannot read s3://{bucket}/{key}");
        let ctx = self.context(&self.settings.region).await;
        match ctx.s3().get_object().bucket(bucket).key(key).send().await {
            Ok(out) => {
                let bytes = out
                    .body
                    .collect()
                    .await
                    .map_err(|e| SourceError::other(context(), Some(Arc::new(e))))?
                    .into_bytes();
                Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
            }
            Err(e) if e.as_service_error().is_some_and(|se| se.is_no_such_key()) => Ok(None),
            Err(e) => Err(SourceError::from_sdk(context(), e)),
        }
    }

    /// Up to ten parameters in one `GetParameters` call, memoized one by one.
    pub(super) async fn fetch_parameters(&self, region: &str, names: &[String], decrypt: bool) {
        let ctx = self.context(region).await;
        let result = ctx
            .ssm()
            .get_parameters()
            .set_names(Some(names.to_vec()))
            .with_decryption(decrypt)
            .send()
            .await;
        // A failed batch leaves its names to be fetched one by one, with their own errors.
        let Ok(out) = result else { return };
        for p in out.parameters() {
            let (Some(name), Some(value)) = (p.name(), p.value()) else {
                continue;
            };
            let kind = p
                .r#type()
                .map(|t| t.as_str().to_string())
                .unwrap_or_default();
            let key = parameter_key(region, decrypt, name);
            Self::store(&self.parameters, key, Ok(Some((kind, value.to_string()))));
        }
        for name in out.invalid_parameters() {
            let key = parameter_key(region, decrypt, name);
            Self::store(&self.parameters, key, Ok(None));
        }
    }

    pub(super) async fn fetch_parameter(
        &self,
        region: &str,
        name: &str,
        decrypt: bool,
    ) -> Result<Parameter, SourceError> {
        let ctx = self.context(region).await;
        match ctx
            .ssm()
            .get_parameter()
            .name(name)
            .with_decryption(decrypt)
            .send()
            .await
        {
            Ok(out) => Ok(out.parameter().map(|p| {
                (
                    p.r#type()
                        .map(|t| t.as_str().to_string())
                        .unwrap_or_default(),
                    p.value().unwrap_or_default().to_string(),
                )
            })),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|se| se.is_parameter_not_found()) =>
            {
                Ok(None)
            }
            Err(e) => Err(SourceError::from_sdk(
                format!("cannot read SSM parameter {name}"),
                e,
            )),
        }
    }
}

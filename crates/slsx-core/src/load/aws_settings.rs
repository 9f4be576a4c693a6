//! The AWS settings of a service: its region, its stage and the profiles that choose the credentials
//! (`aws::credentials`). osls resolves the stage, `provider.region` and `provider.profile` before it
//! registers the AWS variable sources (`cf`, `s3`, `ssm`, `aws`), so those sources use the service's
//! own region and credentials; an AWS variable in one of the three is its
//! `INACCESSIBLE_CONFIGURATION_PROPERTY` error.

use std::path::Path;

use serde_json::Value;

use super::variables_context;
use crate::aws::{AwsSettings, ExtraEnv};
use crate::config::Service;
use crate::error::{Error, Result};
use crate::load::ServiceOptions;
use crate::source::LoadedConfig;
use crate::variables::sources::{AwsSource, SourceError};

/// Stands in for AWS while the three properties resolve: any AWS lookup fails with this text.
struct NotYet;

const NOT_YET: &str = "slsx: AWS variable sources are not registered yet";

impl AwsSource for NotYet {
    fn account_id(&self) -> Result<String, SourceError> {
        Err(NOT_YET.into())
    }
    fn stack_output(&self, _: &str, _: &str, _: &str) -> Result<Option<String>, SourceError> {
        Err(NOT_YET.into())
    }
    fn s3_object(&self, _: &str, _: &str) -> Result<Option<String>, SourceError> {
        Err(NOT_YET.into())
    }
    fn ssm_parameter(
        &self,
        _: &str,
        _: &str,
        _: bool,
    ) -> Result<Option<(String, String)>, SourceError> {
        Err(NOT_YET.into())
    }
}

impl Service {
    /// The settings the AWS variable sources use: the stage, `provider.region` and `provider.profile`
    /// resolved without AWS (`--stage`, `--region` first; `dev`, `us-east-1` by default).
    pub fn early_aws_settings(
        loaded: &LoadedConfig,
        service_dir: &Path,
        options: &ServiceOptions,
    ) -> Result<AwsSettings> {
        let mut ctx = variables_context(loaded, service_dir, options)?;
        ctx.aws = Some(&NotYet);
        let mut resolved = Vec::new();
        for key in ["stage", "region", "profile"] {
            let path: &[&str] = &["provider", key];
            match crate::variables::resolve_paths(&loaded.value, &ctx, &[path]) {
                Ok(mut v) => resolved.push(v.pop().flatten()),
                Err(Error::Config { message, .. }) if message.contains(NOT_YET) => {
                    let at = format!("provider.{key}");
                    let file = loaded
                        .path
                        .file_name()
                        .unwrap_or_default()
                        .to_string_lossy();
                    return Err(Error::Config {
                        code: "INACCESSIBLE_CONFIGURATION_PROPERTY",
                        message: format!(
                            "Cannot resolve {file}: \"{at}\" property is not accessible (configured \
                             behind variables which cannot be resolved at this stage)"
                        ),
                        location: crate::source::locate_in(&loaded.path, &loaded.source, &at),
                        path: Some(at),
                    });
                }
                Err(e) => return Err(e),
            }
        }
        let text = |v: &Option<Value>| v.as_ref().and_then(Value::as_str).map(str::to_string);
        let extra = ctx
            .env
            .iter()
            .filter(|(k, _)| std::env::var_os(k).is_none())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Ok(AwsSettings {
            region: crate::defaults::region(
                options.region.as_deref(),
                text(&resolved[1]).as_deref(),
            ),
            profile: options.profile.clone(),
            stage: Some(crate::defaults::stage(
                options.stage.as_deref(),
                text(&resolved[0]).as_deref(),
            )),
            provider_profile: profile_name(resolved[2].as_ref()),
            extra_env: ExtraEnv(extra),
        })
    }

    /// The settings of a loaded service: its region and stage, `--aws-profile`, `provider.profile`.
    pub fn aws_settings(&self, cli_profile: Option<&str>) -> AwsSettings {
        let extra_env = if self.use_dotenv {
            let env = std::env::vars().collect();
            crate::variables::dotenv::load(&self.service_dir, &self.stage, &env)
        } else {
            Default::default()
        };
        AwsSettings {
            region: self.region.clone(),
            profile: cli_profile.map(str::to_string),
            stage: Some(self.stage.clone()),
            provider_profile: profile_name(self.provider.raw.get("profile")),
            extra_env: ExtraEnv(extra_env),
        }
    }
}

/// `provider.profile` as a name (the schema makes a number a string).
fn profile_name(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(case: &str, yaml: &str, stage: Option<&str>) -> Result<AwsSettings> {
        let dir =
            std::env::temp_dir().join(format!("slsx-aws-settings-{}-{case}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("serverless.yml"), yaml).unwrap();
        let loaded = crate::source::load_config(&dir.join("serverless.yml")).unwrap();
        let options = ServiceOptions {
            stage: stage.map(str::to_string),
            profile: Some("cli".into()),
            ..Default::default()
        };
        let out = Service::early_aws_settings(&loaded, &dir, &options);
        std::fs::remove_dir_all(&dir).unwrap();
        out
    }

    #[test]
    fn the_profile_and_region_behind_variables_resolve_before_aws() {
        let s = settings(
            "variables",
            "service: s\ncustom:\n  profiles:\n    prod: production\nprovider:\n  name: aws\n  \
             region: ${opt:region, 'eu-west-1'}\n  profile: ${self:custom.profiles.${sls:stage}}\n",
            Some("prod"),
        )
        .unwrap();
        assert_eq!(s.stage.as_deref(), Some("prod"));
        assert_eq!(s.region, "eu-west-1");
        assert_eq!(s.provider_profile.as_deref(), Some("production"));
        assert_eq!(s.profile.as_deref(), Some("cli"));
    }

    #[test]
    fn an_aws_variable_there_is_inaccessible_as_in_osls() {
        let err = settings(
            "ssm",
            "service: s\nprovider:\n  name: aws\n  profile: ${ssm:/team/profile}\n",
            None,
        )
        .unwrap_err();
        assert_eq!(err.code(), "INACCESSIBLE_CONFIGURATION_PROPERTY");
        assert_eq!(
            err.to_string(),
            "Cannot resolve serverless.yml: \"provider.profile\" property is not accessible \
             (configured behind variables which cannot be resolved at this stage)"
        );
        assert_eq!(err.location().map(|l| l.line), Some(4));
    }
}

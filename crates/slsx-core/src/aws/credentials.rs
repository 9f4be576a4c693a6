//! Which credentials sign the requests: osls 4.3.1's order of sources (its `lib/aws/credentials.js`),
//! so that a service naming its production profile is deployed with that profile and nothing else.
//!
//! The first that applies wins:
//! 1. `--aws-profile` (the JS option `profile`);
//! 2. `AWS_<STAGE>_PROFILE`;
//! 3. `AWS_<STAGE>_ACCESS_KEY_ID` with `AWS_<STAGE>_SECRET_ACCESS_KEY` (and `_SESSION_TOKEN`);
//! 4. `AWS_PROFILE`;
//! 5. `AWS_ACCESS_KEY_ID` with `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`);
//! 6. `provider.profile` — after the plain environment, as in osls;
//! 7. `AWS_DEFAULT_PROFILE`, when the credentials or config file has that profile (else a warning and
//!    the standard chain);
//! 8. the `default` profile, when a file has one, else the standard chain (web identity, container
//!    and instance metadata).
//!
//! A named profile is read from the files alone (static keys, `role_arn`, `credential_process`, SSO,
//! web identity): a profile that is missing or holds no credentials is an error
//! (`UNRECOGNIZED_AWS_PROFILE`), never a fall-back to other credentials. Empty variables count as unset
//! (osls tests them for truth).

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;

use aws_config::default_provider::credentials::DefaultCredentialsChain;
use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_config::Region;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{future, ProvideCredentials, SharedCredentialsProvider};
use aws_credential_types::Credentials;
use aws_smithy_runtime_api::client::http::SharedHttpClient;

/// Where the credentials of a command come from. `Display` says it for `--verbose`, without a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialSource {
    /// A profile of the AWS files; `from` is what named it (`--aws-profile`, `AWS_PROD_PROFILE`,
    /// `AWS_PROFILE`, `provider.profile`, `AWS_DEFAULT_PROFILE`, or nothing: the `default` profile).
    Profile { name: String, from: String },
    /// `<prefix>_ACCESS_KEY_ID` / `<prefix>_SECRET_ACCESS_KEY` (/ `<prefix>_SESSION_TOKEN`), prefix
    /// `AWS_<STAGE>` or `AWS`.
    Keys { prefix: String, session_token: bool },
    /// The standard chain; `missing_default` is an `AWS_DEFAULT_PROFILE` no file has.
    Chain { missing_default: Option<String> },
}

impl fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialSource::Profile { name, from } if from.is_empty() => {
                write!(f, "profile \"{name}\"")
            }
            CredentialSource::Profile { name, from } => write!(f, "profile \"{name}\" from {from}"),
            CredentialSource::Keys {
                prefix,
                session_token,
            } => {
                write!(f, "{prefix}_ACCESS_KEY_ID/{prefix}_SECRET_ACCESS_KEY")?;
                if *session_token {
                    write!(f, "/{prefix}_SESSION_TOKEN")?;
                }
                f.write_str(" environment variables")
            }
            CredentialSource::Chain { .. } => f.write_str(
                "the standard AWS chain (web identity token, container or instance metadata)",
            ),
        }
    }
}

impl CredentialSource {
    /// osls's warning when `AWS_DEFAULT_PROFILE` names a profile no file has.
    pub fn warning(&self) -> Option<String> {
        match self {
            CredentialSource::Chain {
                missing_default: Some(name),
            } => Some(format!(
                "Profile \"{name}\" (from AWS_DEFAULT_PROFILE) was not found in the AWS credentials or \
                 config files; falling back to the default provider chain."
            )),
            _ => None,
        }
    }
}

/// The environment as osls tests it: a variable set to "" is unset.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Variables a service's `.env` files add (`useDotenv`): osls loads them into its process
/// environment, so they choose credentials too (`AWS_PROFILE`, `AWS_<STAGE>_ACCESS_KEY_ID` …).
/// `Debug` shows the names only.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ExtraEnv(pub HashMap<String, String>);

impl fmt::Debug for ExtraEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl ExtraEnv {
    /// The process environment, then these variables (which never override a set one).
    pub fn get(&self, name: &str) -> Option<String> {
        process_env(name).or_else(|| self.0.get(name).filter(|v| !v.is_empty()).cloned())
    }
}

/// Picks the source (see the module's order). `env` reads a variable (None: unset or empty);
/// `profile_exists` says whether the credentials or config file has a profile.
pub fn select(
    stage: Option<&str>,
    cli_profile: Option<&str>,
    provider_profile: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
    profile_exists: &dyn Fn(&str) -> bool,
) -> CredentialSource {
    let profile = |name: &str, from: &str| CredentialSource::Profile {
        name: name.to_string(),
        from: from.to_string(),
    };
    let keys = |prefix: &str| {
        (env(&format!("{prefix}_ACCESS_KEY_ID")).is_some()
            && env(&format!("{prefix}_SECRET_ACCESS_KEY")).is_some())
        .then(|| CredentialSource::Keys {
            prefix: prefix.to_string(),
            session_token: env(&format!("{prefix}_SESSION_TOKEN")).is_some(),
        })
    };
    if let Some(name) = cli_profile.filter(|p| !p.is_empty()) {
        return profile(name, "--aws-profile");
    }
    if let Some(stage) = stage.filter(|s| !s.is_empty()) {
        let prefix = format!("AWS_{}", stage.to_uppercase());
        let var = format!("{prefix}_PROFILE");
        if let Some(name) = env(&var) {
            return profile(&name, &var);
        }
        if let Some(k) = keys(&prefix) {
            return k;
        }
    }
    if let Some(name) = env("AWS_PROFILE") {
        return profile(&name, "AWS_PROFILE");
    }
    if let Some(k) = keys("AWS") {
        return k;
    }
    if let Some(name) = provider_profile.filter(|p| !p.is_empty()) {
        return profile(name, "provider.profile");
    }
    if let Some(name) = env("AWS_DEFAULT_PROFILE") {
        if profile_exists(&name) {
            return profile(&name, "AWS_DEFAULT_PROFILE");
        }
        return CredentialSource::Chain {
            missing_default: Some(name),
        };
    }
    if profile_exists("default") {
        return profile("default", "");
    }
    CredentialSource::Chain {
        missing_default: None,
    }
}

/// A credentials failure osls reports with its own code; found in an SDK error's source chain by
/// `aws::errors`.
#[derive(Debug)]
pub struct CredentialsFailure {
    pub code: &'static str,
    pub message: String,
}

impl fmt::Display for CredentialsFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CredentialsFailure {}

/// The `CredentialsFailure` in an error's source chain, if any.
pub fn failure_in<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a CredentialsFailure> {
    let mut cur = Some(err);
    while let Some(e) = cur {
        if let Some(f) = e.downcast_ref::<CredentialsFailure>() {
            return Some(f);
        }
        cur = e.source();
    }
    None
}

/// The provider for a source. The HTTP client serves the requests credentials need (STS, SSO,
/// instance metadata).
pub async fn provider(
    source: &CredentialSource,
    region: &str,
    http: SharedHttpClient,
    env: &(dyn Fn(&str) -> Option<String> + Sync),
) -> SharedCredentialsProvider {
    let conf = ProviderConfig::without_region()
        .with_region(Some(Region::new(region.to_string())))
        .with_http_client(http);
    match source {
        CredentialSource::Profile { name, .. } => SharedCredentialsProvider::new(NamedProfile {
            name: name.clone(),
            inner: ProfileFileCredentialsProvider::builder()
                .configure(&conf)
                .profile_name(name)
                .build(),
        }),
        CredentialSource::Keys { prefix, .. } => {
            let get = |suffix: &str| env(&format!("{prefix}_{suffix}")).unwrap_or_default();
            let token = env(&format!("{prefix}_SESSION_TOKEN"));
            SharedCredentialsProvider::new(Credentials::new(
                get("ACCESS_KEY_ID"),
                get("SECRET_ACCESS_KEY"),
                token,
                None,
                "slsx-environment",
            ))
        }
        CredentialSource::Chain { .. } => SharedCredentialsProvider::new(Chain(
            DefaultCredentialsChain::builder()
                .region(Region::new(region.to_string()))
                .configure(conf)
                .build()
                .await,
        )),
    }
}

/// A named profile: one that is missing or yields nothing is osls's `UNRECOGNIZED_AWS_PROFILE`.
#[derive(Debug)]
struct NamedProfile {
    name: String,
    inner: ProfileFileCredentialsProvider,
}

impl ProvideCredentials for NamedProfile {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            self.inner.provide_credentials().await.map_err(|e| match e {
                CredentialsError::CredentialsNotLoaded(_) => {
                    CredentialsError::provider_error(CredentialsFailure {
                        code: "UNRECOGNIZED_AWS_PROFILE",
                        message: format!(
                            "AWS profile \"{}\" doesn't seem to be configured",
                            self.name
                        ),
                    })
                }
                other => other,
            })
        })
    }
}

/// The standard chain: nothing found is osls's `AWS_CREDENTIALS_NOT_FOUND`.
#[derive(Debug)]
struct Chain(DefaultCredentialsChain);

impl ProvideCredentials for Chain {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            self.0.provide_credentials().await.map_err(|e| match e {
                CredentialsError::CredentialsNotLoaded(_) => {
                    CredentialsError::provider_error(CredentialsFailure {
                        code: "AWS_CREDENTIALS_NOT_FOUND",
                        message: "AWS provider credentials not found. Learn how to set up AWS \
                                  provider credentials in our docs here: \
                                  <https://github.com/oss-serverless/osls/blob/4.x/docs/guides/credentials.md>."
                            .into(),
                    })
                }
                other => other,
            })
        })
    }

    fn fallback_on_interrupt(&self) -> Option<Credentials> {
        self.0.fallback_on_interrupt()
    }
}

/// Whether the credentials file has the section `[name]` or the config file `[name]` /
/// `[profile name]` (quoted or not), as osls looks (`AWS_SHARED_CREDENTIALS_FILE`, `AWS_CONFIG_FILE`,
/// else `~/.aws/credentials` and `~/.aws/config`).
pub fn profile_exists(name: &str) -> bool {
    let read = |var: &str, default: &str| {
        let path = process_env(var)
            .map(|p| expand_home(&p))
            .or_else(|| home().map(|h| h.join(".aws").join(default)));
        path.and_then(|p| std::fs::read_to_string(p).ok())
            .unwrap_or_default()
    };
    profile_in_files(
        name,
        &read("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
        &read("AWS_CONFIG_FILE", "config"),
    )
}

fn profile_in_files(name: &str, credentials: &str, config: &str) -> bool {
    section_names(credentials).any(|s| s == name)
        || section_names(config).any(|s| {
            s == name
                || s.strip_prefix("profile")
                    .filter(|rest| rest.starts_with(char::is_whitespace))
                    .is_some_and(|rest| {
                        let n = rest.trim();
                        n == name || n == format!("\"{name}\"") || n == format!("'{name}'")
                    })
        })
}

/// The `[section]` names of an INI text; a `;` or `#` at the start or after a blank starts a comment.
fn section_names(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter_map(|line| {
        let mut end = line.len();
        for (i, c) in line.char_indices() {
            if (c == ';' || c == '#') && (i == 0 || line[..i].ends_with(char::is_whitespace)) {
                end = i;
                break;
            }
        }
        line[..end]
            .trim()
            .strip_prefix('[')
            .and_then(|s| s.strip_suffix(']'))
    })
}

fn home() -> Option<PathBuf> {
    process_env("HOME")
        .or_else(|| process_env("USERPROFILE"))
        .map(PathBuf::from)
}

fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), home()) {
        (Some(rest), Some(h)) => h.join(rest),
        _ => PathBuf::from(path),
    }
}

#[cfg(test)]
#[path = "credentials_tests.rs"]
mod tests;

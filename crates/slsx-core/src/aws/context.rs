use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use super::credentials::{self, CredentialSource, ExtraEnv};

/// What the caller chose. The credentials follow osls's order of sources (`aws::credentials`); the
/// endpoint comes from `AWS_ENDPOINT_URL[_<SERVICE>]`.
#[derive(Debug, Clone, Default)]
pub struct AwsSettings {
    pub region: String,
    /// `--aws-profile` (the JS option `profile`).
    pub profile: Option<String>,
    /// The service's stage, for `AWS_<STAGE>_PROFILE` and `AWS_<STAGE>_ACCESS_KEY_ID` ….
    pub stage: Option<String>,
    /// `provider.profile`, resolved.
    pub provider_profile: Option<String>,
    /// What the service's `.env` files add to the environment.
    pub extra_env: ExtraEnv,
}

/// Counts every HTTP attempt (retries included) across all clients of one context.
#[derive(Debug, Clone, Default)]
struct RequestCounter(Arc<AtomicU64>);

impl Intercept for RequestCounter {
    fn name(&self) -> &'static str {
        "slsx-request-counter"
    }
    fn read_before_transmit(
        &self,
        _ctx: &BeforeTransmitInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

#[derive(Clone)]
pub struct AwsContext {
    config: SdkConfig,
    counter: RequestCounter,
    region: String,
    /// A non-AWS endpoint (the local emulator) is in use: S3 must use path-style addressing.
    custom_endpoint: bool,
    /// S3 through the transfer acceleration endpoint.
    accelerate: bool,
    credentials: CredentialSource,
}

impl std::fmt::Debug for AwsContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the config: it can hold credentials.
        f.debug_struct("AwsContext")
            .field("region", &self.region)
            .finish()
    }
}

impl AwsContext {
    pub async fn new(settings: &AwsSettings) -> AwsContext {
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        Self::with_http_client(settings, http).await
    }

    /// Builds the context on a given HTTP client (tests use the SDK's own test clients).
    pub async fn with_http_client(settings: &AwsSettings, http: SharedHttpClient) -> AwsContext {
        let env = |name: &str| settings.extra_env.get(name);
        let credentials = credentials::select(
            settings.stage.as_deref(),
            settings.profile.as_deref(),
            settings.provider_profile.as_deref(),
            &env,
            &credentials::profile_exists,
        );
        let provider =
            credentials::provider(&credentials, &settings.region, http.clone(), &env).await;
        // No profile name for the loader: like osls's clients, the other settings a profile may hold
        // come from AWS_PROFILE or `default`, whichever profile gives the credentials.
        let mut config = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(settings.region.clone()))
            .http_client(http)
            .credentials_provider(provider)
            .retry_config(RetryConfig::standard().with_max_attempts(max_attempts()))
            .load()
            .await;
        // An empty AWS_ENDPOINT_URL means "no custom endpoint" (the SDK would take it as a URL).
        if config.endpoint_url().is_some_and(|u| u.trim().is_empty()) {
            let mut builder = config.into_builder();
            builder.set_endpoint_url(None);
            config = builder.build();
        }
        let custom_endpoint =
            config.endpoint_url().is_some() || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some();
        AwsContext {
            config,
            counter: RequestCounter::default(),
            region: settings.region.clone(),
            custom_endpoint,
            accelerate: false,
            credentials,
        }
    }

    /// The credentials themselves, for a plugin's own AWS SDK clients (osls's `getAwsSdkV3Config`):
    /// `(access key id, secret, session token, expiry in ms since the epoch)`. Never printed.
    pub async fn resolved_credentials(
        &self,
    ) -> crate::error::Result<(String, String, Option<String>, Option<u64>)> {
        use aws_credential_types::provider::ProvideCredentials;
        let provider = self.config.credentials_provider().ok_or_else(|| {
            crate::Error::aws(
                "AWS_CREDENTIALS_NOT_FOUND",
                "resolve the AWS credentials",
                "no credentials provider",
            )
        })?;
        let c = provider
            .provide_credentials()
            .await
            .map_err(|e| crate::Error::Aws {
                code: "AWS_CREDENTIALS_NOT_FOUND".into(),
                operation: "resolve the AWS credentials".into(),
                // The provider's own text says which source failed; it holds no key (none was got).
                message: e.to_string(),
                aws_code: None,
                source: Some(Box::new(e)),
            })?;
        let expiry = c.expiry().and_then(|t| {
            t.duration_since(std::time::UNIX_EPOCH)
                .ok()
                .map(|d| d.as_millis() as u64)
        });
        Ok((
            c.access_key_id().to_string(),
            c.secret_access_key().to_string(),
            c.session_token().map(str::to_string),
            expiry,
        ))
    }

    /// Where this context's credentials come from (for `--verbose`; it holds no secret).
    pub fn credentials(&self) -> &CredentialSource {
        &self.credentials
    }

    /// The account and partition of the credentials (STS GetCallerIdentity, osls's
    /// `getAccountInfo`): `(account, partition)`.
    pub async fn caller_account(&self) -> crate::error::Result<(String, String)> {
        let identity = self.sts().get_caller_identity().send().await.map_err(|e| {
            super::errors::wrap("STS", "GET_CALLER_IDENTITY", "read the account", e)
        })?;
        let partition = identity
            .arn()
            .and_then(|arn| arn.split(':').nth(1))
            .unwrap_or("aws")
            .to_string();
        Ok((
            identity.account().unwrap_or_default().to_string(),
            partition,
        ))
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    /// The endpoint of a non-AWS emulator, when one is configured.
    pub fn endpoint_url(&self) -> Option<&str> {
        self.config.endpoint_url()
    }

    /// HTTP attempts made so far by clients of this context.
    pub fn request_count(&self) -> u64 {
        self.counter.0.load(Ordering::Relaxed)
    }

    pub fn cloudformation(&self) -> aws_sdk_cloudformation::Client {
        let conf = aws_sdk_cloudformation::config::Builder::from(&self.config)
            .interceptor(self.counter.clone())
            .build();
        aws_sdk_cloudformation::Client::from_conf(conf)
    }

    /// The same context with S3 going through the transfer acceleration endpoint.
    pub fn with_s3_accelerate(&self) -> AwsContext {
        AwsContext {
            accelerate: true,
            ..self.clone()
        }
    }

    pub fn s3(&self) -> aws_sdk_s3::Client {
        let conf = aws_sdk_s3::config::Builder::from(&self.config)
            .force_path_style(self.custom_endpoint)
            .accelerate(self.accelerate)
            .interceptor(self.counter.clone())
            .build();
        aws_sdk_s3::Client::from_conf(conf)
    }

    pub fn lambda(&self) -> aws_sdk_lambda::Client {
        let conf = aws_sdk_lambda::config::Builder::from(&self.config)
            .interceptor(self.counter.clone())
            .build();
        aws_sdk_lambda::Client::from_conf(conf)
    }

    pub fn apigateway(&self) -> aws_sdk_apigateway::Client {
        let conf = aws_sdk_apigateway::config::Builder::from(&self.config)
            .interceptor(self.counter.clone())
            .build();
        aws_sdk_apigateway::Client::from_conf(conf)
    }

    pub fn logs(&self) -> aws_sdk_cloudwatchlogs::Client {
        let conf = aws_sdk_cloudwatchlogs::config::Builder::from(&self.config)
            .interceptor(self.counter.clone())
            .build();
        aws_sdk_cloudwatchlogs::Client::from_conf(conf)
    }

    pub fn ecr(&self) -> aws_sdk_ecr::Client {
        let conf = aws_sdk_ecr::config::Builder::from(&self.config)
            .interceptor(self.counter.clone())
            .build();
        aws_sdk_ecr::Client::from_conf(conf)
    }

    pub fn sts(&self) -> aws_sdk_sts::Client {
        let conf = aws_sdk_sts::config::Builder::from(&self.config)
            .interceptor(self.counter.clone())
            .build();
        aws_sdk_sts::Client::from_conf(conf)
    }

    pub fn ssm(&self) -> aws_sdk_ssm::Client {
        let conf = aws_sdk_ssm::config::Builder::from(&self.config)
            .interceptor(self.counter.clone())
            .build();
        aws_sdk_ssm::Client::from_conf(conf)
    }

    /// The URL CloudFormation reads a template from: path-style on the region's S3 host, as Serverless
    /// builds it. Emulators (moto) read such URLs from their own S3, so it is the same with an endpoint.
    pub fn s3_object_url(&self, bucket: &str, key: &str) -> String {
        let host = match self.region.as_str() {
            r if r.starts_with("cn-") => format!("s3.{r}.amazonaws.com.cn"),
            r if r.starts_with("us-gov-") || r.starts_with("us-iso") => {
                format!("s3.{r}.amazonaws.com")
            }
            _ => "s3.amazonaws.com".to_string(),
        };
        format!("https://{host}/{bucket}/{key}")
    }
}

/// `SLS_AWS_REQUEST_MAX_RETRIES` (default 4) retries after the first attempt.
fn max_attempts() -> u32 {
    std::env::var("SLS_AWS_REQUEST_MAX_RETRIES")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(4)
        + 1
}

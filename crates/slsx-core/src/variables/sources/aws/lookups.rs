//! `AwsLookups`, the real AWS sources: one client context per region, and every answer memoized —
//! by `prefetch` ahead of resolution, or on demand when the resolver asks for what was not prefetched
//! (an address built from other variables).

use std::collections::HashMap;
use std::sync::Mutex;

use aws_smithy_runtime_api::client::http::SharedHttpClient;

use super::error::SourceError;
use super::AwsSource;
use crate::aws::{AwsContext, AwsSettings};

pub(super) type Memo<T> = Mutex<HashMap<String, Result<T, SourceError>>>;

/// A stack's outputs, `(key, value)`; None when the stack does not exist.
pub(super) type Outputs = Option<Vec<(String, String)>>;
/// A parameter's `(type, value)`; None when it does not exist.
pub(super) type Parameter = Option<(String, String)>;

/// The real AWS sources: memoized, concurrent, batched.
pub struct AwsLookups {
    pub(super) handle: tokio::runtime::Handle,
    /// The service's region (the default one) and what chooses the credentials.
    pub(super) settings: AwsSettings,
    /// The HTTP client to use instead of the default one (the SDK's test client, in unit tests).
    http: Option<SharedHttpClient>,
    contexts: Mutex<HashMap<String, AwsContext>>,
    pub(super) account: Memo<String>,
    pub(super) outputs: Memo<Outputs>,
    pub(super) objects: Memo<Option<String>>,
    pub(super) parameters: Memo<Parameter>,
}

/// The memo keys: one per request that gives the value.
pub(super) fn stack_key(region: &str, stack: &str) -> String {
    format!("{region}|{stack}")
}

pub(super) fn object_key(bucket: &str, key: &str) -> String {
    format!("{bucket}/{key}")
}

pub(super) fn parameter_key(region: &str, decrypt: bool, name: &str) -> String {
    format!("{region}|{decrypt}|{name}")
}

impl AwsLookups {
    /// Must be created inside the tokio runtime; its methods are called from blocking threads.
    pub fn new(settings: AwsSettings) -> AwsLookups {
        AwsLookups {
            handle: tokio::runtime::Handle::current(),
            settings,
            http: None,
            contexts: Mutex::default(),
            account: Memo::default(),
            outputs: Memo::default(),
            objects: Memo::default(),
            parameters: Memo::default(),
        }
    }

    /// Lookups whose every request goes to `http` (the SDK's test HTTP client).
    #[cfg(test)]
    pub(super) fn with_http_client(settings: AwsSettings, http: SharedHttpClient) -> AwsLookups {
        AwsLookups {
            http: Some(http),
            ..AwsLookups::new(settings)
        }
    }

    /// Requests made so far by the lookups' clients.
    pub fn request_count(&self) -> u64 {
        self.contexts
            .lock()
            .map(|c| c.values().map(AwsContext::request_count).sum())
            .unwrap_or(0)
    }

    pub(super) async fn context(&self, region: &str) -> AwsContext {
        if let Some(c) = self
            .contexts
            .lock()
            .ok()
            .and_then(|c| c.get(region).cloned())
        {
            return c;
        }
        let settings = AwsSettings {
            region: region.to_string(),
            ..self.settings.clone()
        };
        let ctx = match &self.http {
            Some(http) => AwsContext::with_http_client(&settings, http.clone()).await,
            None => AwsContext::new(&settings).await,
        };
        if let Ok(mut c) = self.contexts.lock() {
            c.entry(region.to_string()).or_insert_with(|| ctx.clone());
        }
        ctx
    }

    fn memo<T: Clone>(memo: &Memo<T>, key: &str) -> Option<Result<T, SourceError>> {
        memo.lock().ok().and_then(|m| m.get(key).cloned())
    }

    pub(super) fn store<T>(memo: &Memo<T>, key: String, value: Result<T, SourceError>) {
        if let Ok(mut m) = memo.lock() {
            m.insert(key, value);
        }
    }

    /// The memoized answer under `key`, else `fetch`'s (waited for here, and memoized).
    fn memoized<T: Clone>(
        &self,
        memo: &Memo<T>,
        key: String,
        fetch: impl std::future::Future<Output = Result<T, SourceError>>,
    ) -> Result<T, SourceError> {
        if let Some(v) = Self::memo(memo, &key) {
            return v;
        }
        let v = self.handle.block_on(fetch);
        Self::store(memo, key, v.clone());
        v
    }
}

impl AwsSource for AwsLookups {
    fn account_id(&self) -> Result<String, SourceError> {
        self.memoized(&self.account, String::new(), self.fetch_account())
    }

    fn stack_output(
        &self,
        region: &str,
        stack: &str,
        output: &str,
    ) -> Result<Option<String>, SourceError> {
        let key = stack_key(region, stack);
        let outputs = self.memoized(&self.outputs, key, self.fetch_stack(region, stack))?;
        // A missing stack, like a missing output, has no value: the fallback applies.
        Ok(outputs.and_then(|o| o.into_iter().find(|(k, _)| k == output).map(|(_, v)| v)))
    }

    fn s3_object(&self, bucket: &str, key: &str) -> Result<Option<String>, SourceError> {
        let k = object_key(bucket, key);
        self.memoized(&self.objects, k, self.fetch_object(bucket, key))
    }

    fn ssm_parameter(
        &self,
        region: &str,
        name: &str,
        decrypt: bool,
    ) -> Result<Parameter, SourceError> {
        let k = parameter_key(region, decrypt, name);
        let fetch = self.fetch_parameter(region, name, decrypt);
        self.memoized(&self.parameters, k, fetch)
    }
}

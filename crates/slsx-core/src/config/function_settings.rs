//! A function's settings as the compiler and `deploy function` read them: typed, read once at load, with
//! the provider's value where osls falls back to it (`functionObject.x || provider.x`). The parts copied
//! into the template as they are (CloudFormation references, tags, log settings) stay JSON values.

use serde_json::{Map, Value};

use super::osls_setup::truthy;

/// The settings of one function (the `Function`'s typed fields — runtime, memory, timeout, handler,
/// name — are beside it, without fallback: Lambda@Edge defaults sit between function and provider).
#[derive(Debug, Clone, Default)]
pub struct FunctionSettings {
    /// `architecture`, else the provider's.
    pub architecture: Option<Value>,
    /// `kmsKeyArn`, else the provider's.
    pub kms_key_arn: Option<Value>,
    /// `layers`, else the provider's.
    pub layers: Option<Value>,
    /// `runtimeManagement`, else the provider's.
    pub runtime_management: Option<Value>,
    /// `tracing` when truthy, else `provider.tracing.lambda` when truthy.
    pub tracing: Option<Value>,
    /// `logRetentionInDays` (a function's 0 is unset), else the provider's.
    pub log_retention_in_days: Option<Value>,
    /// `logDataProtectionPolicy` (a function's 0 is unset), else the provider's.
    pub log_data_protection_policy: Option<Value>,
    /// `logs`, else `provider.logs.lambda`.
    pub logs: Option<Value>,
    /// The provider's `tags` with the function's over them, when either sets tags.
    pub tags: Option<Map<String, Value>>,
    /// Whether the function or the provider sets `environment` (the values are `Function::environment`
    /// over `Provider::environment`).
    pub has_environment: bool,
    /// `condition`.
    pub condition: Option<Value>,
    /// `dependsOn` (a string or a list).
    pub depends_on: Vec<Value>,
    pub disable_logs: bool,
    /// `snapStart` is truthy.
    pub snap_start: bool,
    /// `provisionedConcurrency` when truthy.
    pub provisioned_concurrency: Option<Value>,
    pub reserved_concurrency: Option<Value>,
    /// `ephemeralStorageSize` when truthy.
    pub ephemeral_storage_size: Option<Value>,
    /// `recursiveLoop` when truthy.
    pub recursive_loop: Option<Value>,
    /// `onError` when truthy (a dead-letter target).
    pub on_error: Option<Value>,
    /// `durableConfig` when truthy.
    pub durable: Option<Value>,
    pub destinations: Option<Value>,
    /// `maximumEventAge` when truthy.
    pub maximum_event_age: Option<Value>,
    pub maximum_retry_attempts: Option<Value>,
    /// `fileSystemConfig` when truthy.
    pub file_system_config: Option<Value>,
    /// `url` when truthy.
    pub url: Option<Value>,
    /// `httpApi.payload` when set (the payload format of the function's HTTP API integrations).
    pub http_api_payload: Option<Value>,
    /// `versionFunction`, else `provider.versionFunctions` (default true).
    pub version_function: bool,
    /// `role` when set and not empty.
    pub role: Option<Value>,
    /// Whether the function has a `role` key at all (osls creates no execution role when every
    /// function has one).
    pub has_role_key: bool,
    /// Whether the function has a `vpc` key at all (the role gets VPC access).
    pub has_vpc_key: bool,
    /// The VPC the stack gives the function: each of `securityGroupIds`, `subnetIds` and
    /// `ipv6AllowedForDualStack` from the function's `vpc`, else the provider's; none when the
    /// function's `vpc` is `null` / `false` or a list is missing.
    pub vpc: Option<Vpc>,
    /// The VPC `deploy function` sends: the function's `vpc` when truthy, else the provider's, taken
    /// whole (osls's `deploy function` does not merge the two as the compiler does).
    pub vpc_for_update: Option<Map<String, Value>>,
}

#[derive(Debug, Clone)]
pub struct Vpc {
    pub security_group_ids: Value,
    pub subnet_ids: Value,
    pub ipv6_allowed_for_dual_stack: Option<Value>,
}

impl FunctionSettings {
    /// The settings of the function `raw` under the provider `provider` (both after variables and
    /// the schema's coercion).
    pub fn read(raw: &Map<String, Value>, provider: &Map<String, Value>) -> FunctionSettings {
        let set = |m: &Map<String, Value>, k: &str| m.get(k).filter(|v| !v.is_null()).cloned();
        let either = |k: &str| set(raw, k).or_else(|| set(provider, k));
        let truthy_of = |m: &Map<String, Value>, k: &str| m.get(k).filter(|v| truthy(v)).cloned();
        let log_setting = |k: &str| {
            raw.get(k)
                .filter(|v| !v.is_null() && !matches!(v, Value::Number(n) if n.as_u64() == Some(0)))
                .or_else(|| provider.get(k).filter(|v| !v.is_null()))
                .cloned()
        };
        let tags = match (
            provider.get("tags").and_then(Value::as_object),
            raw.get("tags").and_then(Value::as_object),
        ) {
            (None, None) => None,
            (p, f) => {
                let mut tags = p.cloned().unwrap_or_default();
                tags.extend(f.cloned().unwrap_or_default());
                Some(tags)
            }
        };
        FunctionSettings {
            architecture: either("architecture"),
            kms_key_arn: either("kmsKeyArn"),
            layers: either("layers"),
            runtime_management: either("runtimeManagement"),
            tracing: truthy_of(raw, "tracing").or_else(|| {
                provider
                    .get("tracing")
                    .and_then(|t| t.get("lambda"))
                    .filter(|v| truthy(v))
                    .cloned()
            }),
            log_retention_in_days: log_setting("logRetentionInDays"),
            log_data_protection_policy: log_setting("logDataProtectionPolicy"),
            logs: set(raw, "logs")
                .or_else(|| provider.get("logs").and_then(|l| l.get("lambda")).cloned()),
            tags,
            has_environment: set(raw, "environment").is_some()
                || set(provider, "environment").is_some(),
            condition: set(raw, "condition"),
            depends_on: match raw.get("dependsOn") {
                Some(Value::Array(d)) => d.clone(),
                Some(v @ Value::String(_)) => vec![v.clone()],
                _ => Vec::new(),
            },
            disable_logs: raw
                .get("disableLogs")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            snap_start: raw.get("snapStart").is_some_and(truthy),
            provisioned_concurrency: truthy_of(raw, "provisionedConcurrency"),
            reserved_concurrency: set(raw, "reservedConcurrency"),
            ephemeral_storage_size: truthy_of(raw, "ephemeralStorageSize"),
            recursive_loop: truthy_of(raw, "recursiveLoop"),
            on_error: truthy_of(raw, "onError"),
            durable: truthy_of(raw, "durableConfig"),
            destinations: set(raw, "destinations"),
            maximum_event_age: truthy_of(raw, "maximumEventAge"),
            maximum_retry_attempts: set(raw, "maximumRetryAttempts"),
            file_system_config: truthy_of(raw, "fileSystemConfig"),
            url: truthy_of(raw, "url"),
            http_api_payload: raw
                .get("httpApi")
                .and_then(|h| h.get("payload"))
                .filter(|v| !v.is_null())
                .cloned(),
            version_function: match set(raw, "versionFunction") {
                Some(v) => truthy(&v),
                None => provider.get("versionFunctions") != Some(&Value::Bool(false)),
            },
            role: raw
                .get("role")
                .filter(|r| !r.is_null() && r.as_str() != Some(""))
                .cloned(),
            has_role_key: raw.contains_key("role"),
            has_vpc_key: raw.contains_key("vpc"),
            vpc: stack_vpc(raw.get("vpc"), provider.get("vpc")),
            vpc_for_update: truthy_of(raw, "vpc")
                .or_else(|| truthy_of(provider, "vpc"))
                .and_then(|v| v.as_object().cloned()),
        }
    }
}

/// The compiler's VPC: per setting, the function's value (when truthy) else the provider's.
fn stack_vpc(function: Option<&Value>, provider: Option<&Value>) -> Option<Vpc> {
    if matches!(function, Some(Value::Null) | Some(Value::Bool(false))) {
        return None;
    }
    let pick = |key: &str| {
        function
            .and_then(|v| v.get(key))
            .filter(|v| truthy(v))
            .or_else(|| provider.and_then(|v| v.get(key)))
            .filter(|v| !v.is_null())
            .cloned()
    };
    Some(Vpc {
        security_group_ids: pick("securityGroupIds")?,
        subnet_ids: pick("subnetIds")?,
        ipv6_allowed_for_dual_stack: pick("ipv6AllowedForDualStack"),
    })
}

//! The provider's settings the compiler and the deploy steps read, typed once at load. Parts copied
//! into the template as they are (policies, statements, CloudFormation references) stay JSON values.

use serde_json::{Map, Value};

use super::osls_setup::truthy;

#[derive(Debug, Clone, Default)]
pub struct ProviderSettings {
    /// `iam.role`: a role name / ARN / reference (an existing role), or the object configuring the
    /// role slsx creates.
    pub iam_role: Option<Value>,
    /// The legacy `role` (Serverless v1/v2), when set and not null.
    pub legacy_role: Option<Value>,
    /// Whether `role` is there at all (even null): osls then creates no execution role.
    pub has_legacy_role_key: bool,
    /// The legacy `rolePermissionsBoundary`.
    pub role_permissions_boundary: Option<Value>,
    /// The legacy `iamRoleStatements`, when a list.
    pub legacy_iam_role_statements: Option<Vec<Value>>,
    /// The legacy `iamManagedPolicies`, when a list.
    pub legacy_iam_managed_policies: Option<Vec<Value>>,
    /// `vpc`, when set (its functions' role gets VPC access).
    pub vpc: Option<Value>,
    /// `deploymentBucket` given as a name (or an object's `name`).
    pub deployment_bucket_name: Option<String>,
    /// `deploymentBucket` given as an object: the bucket's settings.
    pub deployment_bucket_options: Option<Map<String, Value>>,
    /// `logs.frameworkLambda`: the custom resources' function writes logs.
    pub framework_lambda_logs: bool,
    /// The role CloudFormation deploys with: `iam.deploymentRole` when the key is there, else the
    /// legacy `cfnRole`; none when null.
    pub deployment_role: Option<Value>,
    /// `architecture` when truthy.
    pub architecture: Option<Value>,
    /// `logRetentionInDays` when set.
    pub log_retention_in_days: Option<Value>,
    /// `logDataProtectionPolicy` when set.
    pub log_data_protection_policy: Option<Value>,
    /// The stack's and the deployment's settings.
    pub stack: super::StackSettings,
    /// The APIs' and event sources' settings.
    pub api: super::ApiSettings,
}

impl ProviderSettings {
    pub fn read(provider: &Map<String, Value>, stage: &str) -> ProviderSettings {
        let list = |k: &str| provider.get(k).and_then(Value::as_array).cloned();
        let bucket = provider.get("deploymentBucket");
        ProviderSettings {
            iam_role: provider.get("iam").and_then(|i| i.get("role")).cloned(),
            legacy_role: provider.get("role").filter(|r| !r.is_null()).cloned(),
            has_legacy_role_key: provider.contains_key("role"),
            role_permissions_boundary: provider.get("rolePermissionsBoundary").cloned(),
            legacy_iam_role_statements: list("iamRoleStatements"),
            legacy_iam_managed_policies: list("iamManagedPolicies"),
            vpc: provider.get("vpc").filter(|v| !v.is_null()).cloned(),
            deployment_bucket_name: match bucket {
                Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
                Some(Value::Object(o)) => o.get("name").and_then(Value::as_str).map(str::to_string),
                _ => None,
            },
            deployment_bucket_options: bucket.and_then(Value::as_object).cloned(),
            framework_lambda_logs: provider
                .get("logs")
                .and_then(|l| l.get("frameworkLambda"))
                .is_some_and(truthy),
            deployment_role: match provider.get("iam").and_then(|i| i.get("deploymentRole")) {
                Some(r) => Some(r.clone()),
                None => provider.get("cfnRole").cloned(),
            }
            .filter(|r| !r.is_null()),
            architecture: provider.get("architecture").filter(|v| truthy(v)).cloned(),
            log_retention_in_days: provider
                .get("logRetentionInDays")
                .filter(|v| !v.is_null())
                .cloned(),
            log_data_protection_policy: provider
                .get("logDataProtectionPolicy")
                .filter(|v| !v.is_null())
                .cloned(),
            stack: super::StackSettings::read(provider, stage),
            api: super::ApiSettings::read(provider),
        }
    }
}

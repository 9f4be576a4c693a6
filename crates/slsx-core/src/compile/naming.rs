//! Logical IDs and names, exactly as Serverless derives them (its `lib/plugins/aws/lib/naming.js`).
//! A different ID makes CloudFormation replace the user's resource, so every name lives here.

/// `hello-world` -> `HelloDashworld`, `worker_fn` -> `WorkerUnderscorefn`, `getUser` -> `GetUser`.
pub fn normalized_name(key: &str) -> String {
    let replaced = key.replace('-', "Dash").replace('_', "Underscore");
    upper_first(&replaced)
}

pub fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A REST or HTTP API's name: the one configured, else `<service>-<stage>` when its settings
/// (`provider.apiGateway` / `provider.httpApi`) say `shouldStartNameWithService`, else
/// `<stage>-<service>`.
pub fn api_name(
    configured: Option<String>,
    settings: &serde_json::Map<String, serde_json::Value>,
    service: &crate::config::Service,
) -> String {
    let (name, stage) = (&service.name, &service.stage);
    configured.unwrap_or_else(|| {
        let start_with_service = settings.get("shouldStartNameWithService");
        if start_with_service.is_some_and(crate::config::js_truthy) {
            format!("{name}-{stage}")
        } else {
            format!("{stage}-{name}")
        }
    })
}

pub fn function_logical_id(key: &str) -> String {
    format!("{}LambdaFunction", normalized_name(key))
}

pub fn log_group_logical_id(key: &str) -> String {
    format!("{}LogGroup", normalized_name(key))
}

/// `{F}LambdaVersion` + the base64 digest with everything but `[0-9A-Za-z]` removed.
pub fn version_logical_id(key: &str, digest_base64: &str) -> String {
    let suffix: String = digest_base64
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    format!("{}LambdaVersion{suffix}", normalized_name(key))
}

pub fn qualified_arn_output_id(key: &str) -> String {
    format!("{}LambdaFunctionQualifiedArn", normalized_name(key))
}

pub const DEPLOYMENT_BUCKET: &str = "ServerlessDeploymentBucket";
pub const DEPLOYMENT_BUCKET_POLICY: &str = "ServerlessDeploymentBucketPolicy";
pub const DEPLOYMENT_BUCKET_OUTPUT: &str = "ServerlessDeploymentBucketName";
pub const ROLE_LAMBDA_EXECUTION: &str = "IamRoleLambdaExecution";

/// `sls-<service>-<stage>-<OutputKey>`.
pub fn export_name(service: &str, stage: &str, output: &str) -> String {
    format!("sls-{service}-{stage}-{output}")
}

/// `/aws/lambda/<deployed name>`.
pub fn log_group_name(function_name: &str) -> String {
    format!("/aws/lambda/{function_name}")
}

/// The change set every deploy of a stack uses.
pub fn change_set_name(stack: &str) -> String {
    format!("{stack}-change-set")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_keys_with_dash_and_underscore() {
        assert_eq!(
            function_logical_id("hello-world"),
            "HelloDashworldLambdaFunction"
        );
        assert_eq!(
            function_logical_id("worker_fn"),
            "WorkerUnderscorefnLambdaFunction"
        );
        assert_eq!(function_logical_id("getUser"), "GetUserLambdaFunction");
        assert_eq!(log_group_logical_id("a-b_c"), "ADashbUnderscorecLogGroup");
        assert_eq!(
            qualified_arn_output_id("x_y"),
            "XUnderscoreyLambdaFunctionQualifiedArn"
        );
    }

    #[test]
    fn version_id_keeps_only_alphanumerics_of_the_digest() {
        assert_eq!(
            version_logical_id("hello", "ab+/c=D9"),
            "HelloLambdaVersionabcD9"
        );
    }
}

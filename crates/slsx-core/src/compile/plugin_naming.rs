//! The naming rules plugins call (`provider.naming.getLambdaLogicalId(…)` …), answered from the same
//! rules the compiler uses (`naming.rs`): a plugin that names a resource names it as slsx does.
//! `context` is what the rules read of the service: `{ service, stage, region, provider }`.
//! A rule returning a regular expression answers `{ "$regex": source }`.

use serde_json::{json, Value};

use super::naming::{
    function_logical_id, log_group_logical_id, log_group_name, normalized_name,
    qualified_arn_output_id, upper_first, DEPLOYMENT_BUCKET, DEPLOYMENT_BUCKET_OUTPUT,
    ROLE_LAMBDA_EXECUTION,
};

/// The answer of rule `method` for `args`, or None for a rule slsx does not provide.
pub fn rule(method: &str, args: &[Value], context: &Value) -> Option<Value> {
    let arg = |i: usize| args.get(i).and_then(Value::as_str).unwrap_or("");
    let num = |i: usize| match args.get(i) {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    };
    let service = context["service"].as_str().unwrap_or("");
    let stage = context["stage"].as_str().unwrap_or("dev");
    let provider = &context["provider"];
    let role = |key: &str| provider.pointer(&format!("/iam/role/{key}")).cloned();
    let f = |i: usize| normalized_name(arg(i));
    let s = |v: String| Some(Value::String(v));
    match method {
        "normalizeName" => s(upper_first(arg(0))),
        "normalizeNameToAlphaNumericOnly" => s(alphanumeric(arg(0))),
        "getNormalizedFunctionName" => s(f(0)),
        "getLambdaLogicalId" => s(function_logical_id(arg(0))),
        "getLambdaLogicalIdRegex" => Some(json!({ "$regex": "LambdaFunction$" })),
        "getLambdaVersionOutputLogicalId" => s(qualified_arn_output_id(arg(0))),
        "getLogGroupLogicalId" => s(log_group_logical_id(arg(0))),
        "getLogGroupName" => s(log_group_name(arg(0))),
        "getRoleLogicalId" => s(ROLE_LAMBDA_EXECUTION.into()),
        "getRoleName" => Some(role("name").unwrap_or_else(|| {
            json!({ "Fn::Join": ["-", [service, stage, { "Ref": "AWS::Region" }, "lambdaRole"]] })
        })),
        "getRolePath" => Some(role("path").unwrap_or_else(|| json!("/"))),
        "getPolicyName" => Some(json!({ "Fn::Join": ["-", [service, stage, "lambda"]] })),
        "getStackName" => s(match provider.get("stackName") {
            Some(Value::String(n)) if !n.is_empty() => n.clone(),
            _ => format!("{service}-{stage}"),
        }),
        "getDeploymentBucketLogicalId" => s(DEPLOYMENT_BUCKET.into()),
        "getDeploymentBucketOutputLogicalId" => s(DEPLOYMENT_BUCKET_OUTPUT.into()),
        "getDeploymentBucketPolicyLogicalId" => s("ServerlessDeploymentBucketPolicy".into()),
        "getServiceEndpointRegex" => Some(json!({ "$regex": "^ServiceEndpoint" })),
        "getServiceStateFileName" => s("serverless-state.json".into()),
        "getCompiledTemplateFileName" => s("cloudformation-template-update-stack.json".into()),
        "getCoreTemplateFileName" => s("cloudformation-template-create-stack.json".into()),
        "getCompiledTemplateS3Suffix" => s("compiled-cloudformation-template.json".into()),
        "getApiGatewayName" => s(match provider.get("apiName") {
            Some(v) if !v.is_null() => v.as_str().map_or_else(|| v.to_string(), str::to_string),
            _ if provider.pointer("/apiGateway/shouldStartNameWithService") == Some(&json!(true)) => {
                format!("{service}-{stage}")
            }
            _ => format!("{stage}-{service}"),
        }),
        "getRestApiLogicalId" => s("ApiGatewayRestApi".into()),
        "normalizePath" => s(super::events::normalize_path(arg(0))),
        "getResourceLogicalId" => s(format!(
            "ApiGatewayResource{}",
            super::events::normalize_path(arg(0))
        )),
        "normalizeMethodName" => s(upper_first(&arg(0).to_lowercase())),
        "getMethodLogicalId" => s(format!(
            "ApiGatewayMethod{}{}",
            arg(0),
            upper_first(&arg(1).to_lowercase())
        )),
        "getDeploymentId" => None,
        "getLambdaLayerLogicalId" => s(format!("{}LambdaLayer", f(0))),
        "getLambdaLayerOutputLogicalId" => s(format!("{}LambdaLayerQualifiedArn", f(0))),
        "getScheduleId" => s(format!("{}Schedule", arg(0))),
        "getScheduleLogicalId" => s(format!("{}EventsRuleSchedule{}", f(0), num(1))),
        "getLambdaSchedulePermissionLogicalId" => {
            s(format!("{}LambdaPermissionEventsRuleSchedule{}", f(0), num(1)))
        }
        "getQueueLogicalId" => s(format!(
            "{}EventSourceMappingSQS{}",
            f(0),
            alphanumeric(arg(1))
        )),
        "getTopicLogicalId" => s(format!("SNSTopic{}", alphanumeric(arg(0)))),
        "getLambdaSnsPermissionLogicalId" => s(format!(
            "{}LambdaPermission{}SNS",
            f(0),
            alphanumeric(arg(1))
        )),
        "getLambdaApiGatewayPermissionLogicalId" => {
            s(format!("{}LambdaPermissionApiGateway", f(0)))
        }
        "getLambdaProvisionedConcurrencyAliasLogicalId" => {
            s(format!("{}ProvConcLambdaAlias", f(0)))
        }
        "getLambdaProvisionedConcurrencyAliasName" => s("provisioned".into()),
        _ => None,
    }
}

/// `normalizeNameToAlphaNumericOnly`.
fn alphanumeric(name: &str) -> String {
    upper_first(
        &name
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_answer_as_the_compiler_names() {
        let ctx = json!({ "service": "svc", "stage": "dev", "provider": {} });
        assert_eq!(
            rule("getLambdaLogicalId", &[json!("hello-world")], &ctx),
            Some(json!("HelloDashworldLambdaFunction"))
        );
        assert_eq!(rule("getStackName", &[], &ctx), Some(json!("svc-dev")));
        assert_eq!(
            rule("getLogGroupName", &[json!("svc-dev-a")], &ctx),
            Some(json!("/aws/lambda/svc-dev-a"))
        );
        assert_eq!(
            rule("getQueueLogicalId", &[json!("a"), json!("my-queue")], &ctx),
            Some(json!("AEventSourceMappingSQSMyqueue"))
        );
        assert_eq!(rule("noSuchRule", &[], &ctx), None);
    }
}

//! `IamRoleLambdaExecution`: the execution role shared by the service's functions. Not created when a
//! custom role is used at provider level or by every function. It may write the functions' logs; the
//! statements and managed policies of `provider.iam.role` (or the legacy `iamRoleStatements` /
//! `iamManagedPolicies`) are added, and so are the statements functions and events need.

use serde_json::{json, Map, Value};

use super::naming::{log_group_name, ROLE_LAMBDA_EXECUTION};
use crate::config::{Function, Service};

/// A role given as an ARN string or an intrinsic (`Fn::GetAtt`, `Fn::ImportValue`, `Fn::Sub`…) is an
/// existing role; an object of settings (`name`, `statements`…) is not.
pub fn is_existing_role(role: &Value) -> bool {
    match role {
        Value::String(_) => true,
        Value::Object(m) => m.keys().any(|k| k.contains("::")),
        _ => false,
    }
}

fn iam_role(service: &Service) -> Option<&Value> {
    service.provider.settings.iam_role.as_ref()
}

/// The custom role of a function: its own `role`, else the provider's existing role, else the legacy
/// `provider.role`.
pub fn custom_execution_role(service: &Service, f: &crate::config::Function) -> Option<Value> {
    if let Some(r) = &f.settings.role {
        return Some(r.clone());
    }
    if let Some(r) = iam_role(service).filter(|r| is_existing_role(r)) {
        return Some(r.clone());
    }
    service.provider.settings.legacy_role.clone()
}

/// The role resource a function runs with, which its event source mappings wait for (osls's
/// `resolveFunctionIamRoleResourceName`): the logical name of a custom in-stack role, nothing for a role
/// ARN, import, `Ref` or `Sub`, else the role Serverless creates.
pub fn role_resource_name(service: &Service, f: &Function) -> Option<String> {
    match custom_execution_role(service, f) {
        Some(Value::String(s)) if s.contains(':') => None,
        Some(Value::String(s)) if !s.is_empty() => Some(s),
        Some(Value::Object(o)) => {
            if let Some(Value::Array(a)) = o.get("Fn::GetAtt") {
                if let [Value::String(id), Value::String(attr)] = a.as_slice() {
                    if attr == "Arn" {
                        return Some(id.clone());
                    }
                }
            }
            if o.contains_key("Fn::ImportValue")
                || o.contains_key("Ref")
                || o.contains_key("Fn::Sub")
            {
                return None;
            }
            Some(ROLE_LAMBDA_EXECUTION.to_string())
        }
        _ => Some(ROLE_LAMBDA_EXECUTION.to_string()),
    }
}

/// The execution role; `extra` statements go after the user's (the durable functions' statement, as
/// osls merges it).
pub fn add_execution_role(
    service: &Service,
    resources: &mut Map<String, Value>,
    extra: Option<Value>,
) {
    if service.functions.is_empty() {
        return;
    }
    let role = iam_role(service)
        .cloned()
        .unwrap_or(Value::Object(Map::new()));
    if is_existing_role(&role)
        || service.provider.settings.has_legacy_role_key
        || service.functions.iter().all(|f| f.settings.has_role_key)
    {
        return;
    }
    let mut statements = log_statements(service);
    if let Some(s) = role
        .get("statements")
        .and_then(Value::as_array)
        .cloned()
        .or_else(|| service.provider.settings.legacy_iam_role_statements.clone())
    {
        statements.extend(s);
    }
    statements.extend(extra);

    let mut props = Map::new();
    props.insert(
        "AssumeRolePolicyDocument".into(),
        json!({
            "Version": "2012-10-17",
            "Statement": [{ "Effect": "Allow", "Principal": { "Service": ["lambda.amazonaws.com"] }, "Action": ["sts:AssumeRole"] }]
        }),
    );
    props.insert(
        "Policies".into(),
        json!([{
            "PolicyName": { "Fn::Join": ["-", [service.name, service.stage, "lambda"]] },
            "PolicyDocument": { "Version": "2012-10-17", "Statement": statements }
        }]),
    );
    props.insert(
        "Path".into(),
        role.get("path").cloned().unwrap_or_else(|| json!("/")),
    );
    props.insert(
        "RoleName".into(),
        role.get("name")
            .cloned()
            .unwrap_or_else(|| json!({ "Fn::Join": ["-", [service.name, service.stage, { "Ref": "AWS::Region" }, "lambdaRole"]] })),
    );
    if let Some(Value::Object(tags)) = role.get("tags") {
        props.insert(
            "Tags".into(),
            tags.iter()
                .map(|(k, v)| json!({ "Key": k, "Value": v }))
                .collect(),
        );
    }
    let boundary = role
        .get("permissionsBoundary")
        .or_else(|| role.get("permissionBoundary"))
        .or(service.provider.settings.role_permissions_boundary.as_ref());
    if let Some(b) = boundary.filter(|b| !b.is_null()) {
        props.insert("PermissionsBoundary".into(), b.clone());
    }
    let managed = managed_policy_arns(service, &role);
    if !managed.is_empty() {
        props.insert("ManagedPolicyArns".into(), Value::Array(managed));
    }
    resources.insert(
        ROLE_LAMBDA_EXECUTION.to_string(),
        json!({ "Type": "AWS::IAM::Role", "Properties": props }),
    );
}

/// The statements on the functions' logs: create and write their groups (the service's canonical
/// `/aws/lambda/<service>-<stage>*` groups by one wildcard, other names one by one), and a denial of
/// writes for the canonical groups of functions whose logs are disabled.
fn log_statements(service: &Service) -> Vec<Value> {
    let log_arn = |group: &str, suffix: &str| json!({ "Fn::Sub": format!("arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{group}{suffix}") });
    let prefix = format!("{}-{}", service.name, service.stage);
    let mut create = Vec::new();
    let mut put = Vec::new();
    let mut canonical = false;
    let mut denied = Vec::new();
    for f in &service.functions {
        let disabled = f.settings.disable_logs;
        if f.name.starts_with(&prefix) {
            if disabled {
                denied.push(log_arn(&log_group_name(&f.name), ":*"));
            } else {
                canonical = true;
            }
        } else if !disabled {
            create.push(log_arn(&log_group_name(&f.name), ":*"));
            put.push(log_arn(&log_group_name(&f.name), ":*:*"));
        }
    }
    if canonical {
        let group = log_group_name(&prefix);
        create.push(log_arn(&group, "*:*"));
        put.push(log_arn(&group, "*:*:*"));
    }
    let mut statements = vec![
        json!({ "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:CreateLogGroup", "logs:TagResource"], "Resource": create }),
        json!({ "Effect": "Allow", "Action": ["logs:PutLogEvents"], "Resource": put }),
    ];
    if canonical && !denied.is_empty() {
        statements
            .push(json!({ "Effect": "Deny", "Action": "logs:PutLogEvents", "Resource": denied }));
    }
    statements
}

/// `ManagedPolicyArns`: `provider.iam.role.managedPolicies` (or the legacy `iamManagedPolicies`), and
/// the VPC access policy when a function or the provider has a VPC.
fn managed_policy_arns(service: &Service, role: &Value) -> Vec<Value> {
    let mut managed: Vec<Value> = role
        .get("managedPolicies")
        .and_then(Value::as_array)
        .cloned()
        .or_else(|| {
            service
                .provider
                .settings
                .legacy_iam_managed_policies
                .clone()
        })
        .unwrap_or_default();
    let vpc = service.functions.iter().any(|f| f.settings.has_vpc_key)
        || service.provider.settings.vpc.is_some();
    if vpc {
        managed.push(json!({ "Fn::Join": ["", ["arn:", { "Ref": "AWS::Partition" }, ":iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"]] }));
    }
    managed
}

/// Appends a statement to the execution role's policy, when Serverless creates the role; with
/// `if_missing`, not when an equal one is there already.
pub fn push_statement(resources: &mut Map<String, Value>, statement: Value, if_missing: bool) {
    let Some(list) = resources
        .get_mut(ROLE_LAMBDA_EXECUTION)
        .and_then(|r| r.pointer_mut("/Properties/Policies/0/PolicyDocument/Statement"))
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    if if_missing && list.contains(&statement) {
        return;
    }
    list.push(statement);
}

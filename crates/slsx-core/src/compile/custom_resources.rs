//! Custom resources: what CloudFormation cannot do itself (event notifications on an existing bucket
//! or user pool, API Gateway's account-wide CloudWatch role) is done by Lambda functions slsx ships.
//! Their Node.js handlers (in `crates/slsx-core/custom-resources/`, slsx's own code) are embedded in
//! the binary and zipped byte-for-byte reproducibly into `custom-resources.zip`; the template gets
//! the function, its role and the `Custom::*` resources with osls's logical IDs and names.

use std::sync::OnceLock;

use serde_json::{json, Map, Value};

use super::naming::{function_logical_id, log_group_logical_id, log_group_name};
use super::targets::truthy;
use crate::config::Service;
use crate::defaults::DEFAULT_RUNTIME;
use crate::error::{Error, Result};

pub const ARTIFACT_NAME: &str = "custom-resources.zip";
pub const ROLE_LOGICAL_ID: &str = "IamRoleCustomResourcesLambdaExecution";

/// The handler sources, by their path in the zip.
const SOURCES: [(&str, &str); 5] = [
    (
        "api-gateway-cloud-watch-role/handler.js",
        include_str!("../../custom-resources/api-gateway-cloud-watch-role/handler.js"),
    ),
    (
        "cognito-user-pool/handler.js",
        include_str!("../../custom-resources/cognito-user-pool/handler.js"),
    ),
    (
        "event-bridge/handler.js",
        include_str!("../../custom-resources/event-bridge/handler.js"),
    ),
    (
        "s3/handler.js",
        include_str!("../../custom-resources/s3/handler.js"),
    ),
    ("utils.js", include_str!("../../custom-resources/utils.js")),
];

/// What a custom resource function is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    ExistingS3,
    ExistingCognitoUserPool,
    /// Serverless v3's legacy `eventBridge` mode (`provider.eventBridge.useCloudFormation: false`).
    EventBridge,
    ApiGatewayCloudWatchRole,
}

impl Kind {
    /// The function's name (after `<service>-<stage>-`) and handler.
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Kind::ExistingS3 => ("custom-resource-existing-s3", "s3/handler.handler"),
            Kind::ExistingCognitoUserPool => (
                "custom-resource-existing-cup",
                "cognito-user-pool/handler.handler",
            ),
            Kind::EventBridge => (
                "custom-resource-event-bridge",
                "event-bridge/handler.handler",
            ),
            Kind::ApiGatewayCloudWatchRole => (
                "custom-resource-apigw-cw-role",
                "api-gateway-cloud-watch-role/handler.handler",
            ),
        }
    }

    pub fn function_logical_id(self) -> String {
        function_logical_id(self.names().0)
    }
}

/// The zip of the handlers: its bytes and SHA-256 (hex, base64).
pub struct Artifact {
    pub bytes: Vec<u8>,
    pub sha256_hex: String,
    pub sha256_base64: String,
}

/// Built once per process from the embedded sources: stored entries, fixed times and modes.
pub fn artifact() -> &'static Artifact {
    static ZIP: OnceLock<Artifact> = OnceLock::new();
    ZIP.get_or_init(|| {
        let entries: Vec<(&str, &[u8])> = SOURCES
            .iter()
            .map(|(name, text)| (*name, text.as_bytes()))
            .collect();
        let bytes = crate::package::zip::zip_in_memory(&entries);
        let (sha256_hex, sha256_base64) = (
            crate::package::hash::sha256_hex(&bytes),
            crate::package::hash::sha256_base64(&bytes),
        );
        Artifact {
            bytes,
            sha256_hex,
            sha256_base64,
        }
    })
}

/// Writes `custom-resources.zip` into `dir` when `template` has a custom resource function.
pub fn write_if_used(
    template: &Value,
    dir: &std::path::Path,
) -> Result<Option<std::path::PathBuf>> {
    let used = template["Resources"].as_object().is_some_and(|r| {
        [
            Kind::ExistingS3,
            Kind::ExistingCognitoUserPool,
            Kind::EventBridge,
            Kind::ApiGatewayCloudWatchRole,
        ]
        .iter()
        .any(|k| r.contains_key(&k.function_logical_id()))
    });
    if !used {
        return Ok(None);
    }
    let path = dir.join(ARTIFACT_NAME);
    std::fs::write(&path, &artifact().bytes)
        .map_err(|e| Error::io(format!("cannot write \"{}\"", path.display()), e))?;
    Ok(Some(path))
}

/// What a per-function custom resource (existing bucket or pool) starts with: its `DependsOn` (the
/// function, its alias, the handler) and the properties naming the handler and the function.
pub fn per_function(f: &crate::config::Function, kind: Kind) -> (Vec<Value>, Map<String, Value>) {
    let handler = kind.function_logical_id();
    let mut depends_on = vec![json!(function_logical_id(&f.key))];
    depends_on.extend(super::targets::target_alias(f).map(|(id, _)| Value::String(id)));
    depends_on.push(json!(handler));
    let mut props = Map::new();
    props.insert(
        "ServiceToken".into(),
        json!({ "Fn::GetAtt": [handler, "Arn"] }),
    );
    props.insert("FunctionName".into(), json!(f.name));
    if let Some((_, alias)) = super::targets::target_alias(f) {
        props.insert("FunctionQualifier".into(), json!(alias));
    }
    (depends_on, props)
}

/// Notes that custom resource `id` works on `group` (a bucket, a pool), in first-seen order.
pub fn track(groups: &mut Vec<(String, Vec<String>)>, group: &str, id: &str) {
    match groups.iter_mut().find(|(g, _)| g == group) {
        Some((_, ids)) if !ids.iter().any(|i| i == id) => ids.push(id.to_string()),
        Some(_) => {}
        None => groups.push((group.to_string(), vec![id.to_string()])),
    }
}

pub use crate::clock::now_ms;

/// Makes each of `ids` (custom resources) wait for the one before it: one handler at a time edits
/// a bucket's or pool's configuration.
pub fn chain(resources: &mut Map<String, Value>, ids: impl IntoIterator<Item = String>) {
    let mut unique: Vec<String> = Vec::new();
    for id in ids {
        if !unique.contains(&id) {
            unique.push(id);
        }
    }
    for pair in unique.windows(2) {
        if let Some(Value::Array(d)) = resources
            .get_mut(&pair[1])
            .and_then(|r| r.get_mut("DependsOn"))
        {
            d.push(json!(pair[0]));
        }
    }
}

/// `<service>-<stage>-<name>`, shortened the way osls does past Lambda's 64 characters.
fn deployed_name(service: &Service, name: &str) -> String {
    let full = format!("{}-{}-{name}", service.name, service.stage);
    if full.len() <= 64 {
        return full;
    }
    use md5::{Digest, Md5};
    let digest = Md5::digest(full.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}{hex}", &full[..32])
}

/// The role every custom resource function shares (unless a deployment role is configured), the
/// function for `kind`, and `statements` added to the role.
pub fn add(
    service: &Service,
    resources: &mut Map<String, Value>,
    kind: Kind,
    statements: Vec<Value>,
) {
    let (name, handler) = kind.names();
    let write_logs = service.provider.settings.framework_lambda_logs;
    let settings = &service.provider.settings;
    let deployment_role = settings.deployment_role.clone();

    if deployment_role.is_none() {
        add_role_statements(service, resources, statements);
    }

    let runtime = service
        .provider
        .runtime
        .as_deref()
        .filter(|r| r.starts_with("nodejs"))
        .unwrap_or(DEFAULT_RUNTIME);
    let zip = artifact();
    let mut props = Map::new();
    props.insert("Code".into(), json!({ "S3Bucket": super::bucket_ref(service), "S3Key": super::code_artifact_key(service, &zip.sha256_hex) }));
    props.insert("FunctionName".into(), json!(deployed_name(service, name)));
    props.insert("Handler".into(), json!(handler));
    props.insert("MemorySize".into(), json!(1024));
    props.insert("Runtime".into(), json!(runtime));
    props.insert("Timeout".into(), json!(180));
    if let Some(a) = &settings.architecture {
        props.insert("Architectures".into(), json!([a]));
    }
    let mut depends_on: Vec<Value> = Vec::new();
    match deployment_role {
        Some(role) => {
            props.insert("Role".into(), role);
        }
        None => {
            props.insert(
                "Role".into(),
                json!({ "Fn::GetAtt": [ROLE_LOGICAL_ID, "Arn"] }),
            );
            depends_on.push(json!(ROLE_LOGICAL_ID));
        }
    }
    if write_logs {
        depends_on.push(json!(add_log_group(service, resources, name)));
    }
    resources.insert(
        kind.function_logical_id(),
        json!({ "Type": "AWS::Lambda::Function", "Properties": props, "DependsOn": depends_on }),
    );
}

/// `IamRoleCustomResourcesLambdaExecution`, made on first use (writing its functions' logs when
/// `provider.logs.frameworkLambda`), and `statements` added to it unless one with the same `Resource`
/// string is there.
fn add_role_statements(
    service: &Service,
    resources: &mut Map<String, Value>,
    statements: Vec<Value>,
) {
    let write_logs = service.provider.settings.framework_lambda_logs;
    let prefix = format!("{}-{}", service.name, service.stage);
    if !resources.contains_key(ROLE_LOGICAL_ID) {
        let mut initial: Vec<Value> = Vec::new();
        if write_logs {
            let group = log_group_name(&prefix);
            initial.push(json!({
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:CreateLogGroup", "logs:TagResource"],
                "Resource": [{ "Fn::Sub": format!("arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{group}*:*") }]
            }));
            initial.push(json!({
                "Effect": "Allow",
                "Action": ["logs:PutLogEvents"],
                "Resource": [{ "Fn::Sub": format!("arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{group}*:*:*") }]
            }));
        }
        resources.insert(
            ROLE_LOGICAL_ID.into(),
            json!({
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{ "Effect": "Allow", "Principal": { "Service": ["lambda.amazonaws.com"] }, "Action": ["sts:AssumeRole"] }]
                    },
                    "Policies": [{
                        "PolicyName": { "Fn::Join": ["-", [service.stage, service.name, "custom-resources-lambda"]] },
                        "PolicyDocument": { "Version": "2012-10-17", "Statement": initial }
                    }]
                }
            }),
        );
    }
    if let Some(Value::Array(list)) = resources
        .get_mut(ROLE_LOGICAL_ID)
        .and_then(|r| r.pointer_mut("/Properties/Policies/0/PolicyDocument/Statement"))
    {
        for s in statements {
            // osls compares `Resource` by identity: only equal strings count as present.
            let present = list.iter().any(|e| matches!((&e["Resource"], &s["Resource"]), (Value::String(a), Value::String(b)) if a == b));
            if !present {
                list.push(s);
            }
        }
    }
}

/// The log group of the custom resource function `name`; returns its logical ID.
fn add_log_group(service: &Service, resources: &mut Map<String, Value>, name: &str) -> String {
    let settings = &service.provider.settings;
    let group_id = log_group_logical_id(name);
    let mut group = Map::new();
    group.insert(
        "LogGroupName".into(),
        json!(log_group_name(&deployed_name(service, name))),
    );
    if let Some(days) = &settings.log_retention_in_days {
        group.insert("RetentionInDays".into(), days.clone());
    }
    if let Some(p) = &settings.log_data_protection_policy {
        group.insert("DataProtectionPolicy".into(), p.clone());
    }
    resources.insert(
        group_id.clone(),
        json!({ "Type": "AWS::Logs::LogGroup", "Properties": group }),
    );
    group_id
}

/// `provider.logs.restApi` / `websocket`: the custom resource that sets API Gateway's account-wide
/// CloudWatch role (unless `roleManagedExternally`), with `role` when one is given.
pub fn add_api_gateway_cloudwatch_role(
    service: &Service,
    resources: &mut Map<String, Value>,
    logs: &Value,
) {
    // Once per service, whichever API asks first.
    if logs.get("roleManagedExternally").is_some_and(truthy)
        || resources.contains_key("CustomApiGatewayAccountCloudWatchRole")
    {
        return;
    }
    let kind = Kind::ApiGatewayCloudWatchRole;
    let mut props = Map::new();
    props.insert(
        "ServiceToken".into(),
        json!({ "Fn::GetAtt": [kind.function_logical_id(), "Arn"] }),
    );
    if let Some(role) = logs.get("role").filter(|v| !v.is_null()) {
        props.insert("RoleArn".into(), role.clone());
    }
    resources.insert(
        "CustomApiGatewayAccountCloudWatchRole".into(),
        json!({ "Type": "Custom::ApiGatewayAccountRole", "Version": 1, "Properties": props }),
    );
    add(
        service,
        resources,
        kind,
        vec![
            json!({
                "Effect": "Allow",
                "Resource": { "Fn::Join": [":", ["arn", { "Ref": "AWS::Partition" }, "iam:", { "Ref": "AWS::AccountId" }, "role/*"]] },
                "Action": ["iam:AttachRolePolicy", "iam:CreateRole", "iam:ListAttachedRolePolicies", "iam:PassRole"]
            }),
            json!({
                "Effect": "Allow",
                "Resource": { "Fn::Join": [":", ["arn", { "Ref": "AWS::Partition" }, "apigateway:*::/account"]] },
                "Action": ["apigateway:GET", "apigateway:PATCH"]
            }),
        ],
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_zip_is_reproducible_and_holds_every_handler() {
        let a = super::artifact();
        let again = crate::package::zip::zip_in_memory(
            &super::SOURCES
                .iter()
                .map(|(n, t)| (*n, t.as_bytes()))
                .collect::<Vec<_>>(),
        );
        assert_eq!(a.bytes, again);
        for (name, _) in super::SOURCES {
            assert!(
                a.bytes.windows(name.len()).any(|w| w == name.as_bytes()),
                "{name} missing"
            );
        }
    }
}

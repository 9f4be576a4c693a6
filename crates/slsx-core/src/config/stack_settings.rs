//! The provider's settings of the stack and its deployment, typed at load: the stack's tags,
//! parameters, notification ARNs, rollback settings and policy, the deployment method, deletion
//! protection, version pruning, the ECR repository and the deployment bucket's upload settings.
//!
//! `deletionProtection` and `pruneFunctionVersions` are checked by osls in `before:deploy:deploy`, so
//! `package` accepts what `deploy` refuses: they are read here and a malformed one is kept as
//! `Checked::Invalid`, which the deploy step reports at the setting's key.

use serde_json::{Map, Value};

/// A setting osls checks only when deploying: its value, or the mark that it is malformed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checked<T> {
    Valid(T),
    Invalid,
}

impl<T: Default> Default for Checked<T> {
    fn default() -> Self {
        Checked::Valid(T::default())
    }
}

/// One of `provider.stackParameters`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StackParameter {
    pub key: Option<String>,
    pub value: Option<String>,
    pub use_previous_value: Option<bool>,
    pub resolved_value: Option<String>,
}

/// `provider.rollbackConfiguration`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RollbackSettings {
    /// `RollbackTriggers` as (`Arn`, `Type`); none when the key is absent.
    pub triggers: Option<Vec<(String, String)>>,
    pub monitoring_time_in_minutes: Option<i32>,
}

/// `provider.ecr`.
#[derive(Debug, Clone, Default)]
pub struct EcrSettings {
    /// `ecr.images`: image name → its build settings.
    pub images: Option<Map<String, Value>>,
    pub scan_on_push: bool,
    /// `maxImageCount` (0: no lifecycle policy).
    pub max_image_count: u64,
}

/// The deployment bucket's server-side encryption settings, sent with every upload.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BucketEncryption {
    pub server_side: Option<String>,
    pub kms_key_id: Option<String>,
    pub customer_algorithm: Option<String>,
    pub customer_key: Option<String>,
    pub customer_key_md5: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct StackSettings {
    /// `STAGE=<stage>` merged with `stackTags` (a key spelled `stage` in any case replaces it).
    pub tags: Vec<(String, String)>,
    pub parameters: Vec<StackParameter>,
    /// `notificationArns`, always sent (an empty list clears ARNs set elsewhere, as Serverless does).
    pub notification_arns: Vec<String>,
    pub disable_rollback: Option<bool>,
    /// `stackPolicy` (a non-empty list of statements) as a policy document.
    pub policy: Option<String>,
    pub rollback: Option<RollbackSettings>,
    /// `iam.deploymentRole`, else the legacy `cfnRole`, when a string: the role CloudFormation acts as.
    pub role_arn: Option<String>,
    /// `deploymentMethod: direct`: no change sets.
    pub direct: bool,
    /// Whether the stack is protected at this stage; none when the setting is absent.
    pub deletion_protection: Checked<Option<bool>>,
    /// How many function versions to keep; none when pruning is off.
    pub prune_versions: Checked<Option<u64>>,
    pub ecr: EcrSettings,
    pub encryption: BucketEncryption,
    /// `deploymentBucket.maxPreviousDeploymentArtifacts` (at least 1; 5 when absent).
    pub keep_deployments: usize,
}

/// `pruneFunctionVersions: true` keeps this many.
const DEFAULT_KEEP: u64 = 10;

impl StackSettings {
    pub fn read(provider: &Map<String, Value>, stage: &str) -> StackSettings {
        let bucket = provider.get("deploymentBucket");
        let bucket_text = |k: &str| bucket.and_then(|b| b.get(k)).and_then(as_string);
        StackSettings {
            tags: tags(provider.get("stackTags"), stage),
            parameters: parameters(provider.get("stackParameters")),
            notification_arns: match provider.get("notificationArns") {
                Some(Value::Array(a)) => a.iter().filter_map(as_string).collect(),
                _ => Vec::new(),
            },
            disable_rollback: provider.get("disableRollback").and_then(Value::as_bool),
            policy: match provider.get("stackPolicy") {
                Some(Value::Array(statements)) if !statements.is_empty() => {
                    Some(serde_json::json!({ "Statement": statements }).to_string())
                }
                _ => None,
            },
            rollback: provider.get("rollbackConfiguration").map(rollback),
            role_arn: provider
                .get("iam")
                .and_then(|i| i.get("deploymentRole"))
                .or_else(|| provider.get("cfnRole"))
                .and_then(as_string),
            direct: provider.get("deploymentMethod").and_then(Value::as_str) == Some("direct"),
            deletion_protection: deletion_protection(provider.get("deletionProtection"), stage),
            prune_versions: prune_versions(provider.get("pruneFunctionVersions")),
            ecr: ecr(provider.get("ecr")),
            encryption: BucketEncryption {
                server_side: bucket_text("serverSideEncryption"),
                kms_key_id: bucket_text("sseKMSKeyId"),
                // Serverless's spelling.
                customer_algorithm: bucket_text("sseCustomerAlgorithim")
                    .or_else(|| bucket_text("sseCustomerAlgorithm")),
                customer_key: bucket_text("sseCustomerKey"),
                customer_key_md5: bucket_text("sseCustomerKeyMD5"),
            },
            keep_deployments: bucket
                .and_then(|b| b.get("maxPreviousDeploymentArtifacts"))
                .and_then(Value::as_u64)
                .map_or(5, |n| n as usize)
                .max(1), // the deployment just made always stays
        }
    }
}

fn as_string(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

/// A scalar as JavaScript's `String(v)` gives it (strings without quotes).
fn text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

fn tags(stack_tags: Option<&Value>, stage: &str) -> Vec<(String, String)> {
    let mut tags: Vec<(String, String)> = vec![("STAGE".into(), stage.to_string())];
    if let Some(Value::Object(extra)) = stack_tags {
        for (k, v) in extra {
            if k.eq_ignore_ascii_case("STAGE") {
                tags.retain(|(key, _)| key != "STAGE");
            }
            tags.push((k.clone(), text(v)));
        }
    }
    tags
}

/// `[{ ParameterKey, ParameterValue, UsePreviousValue, ResolvedValue }]`.
fn parameters(list: Option<&Value>) -> Vec<StackParameter> {
    let Some(Value::Array(list)) = list else {
        return Vec::new();
    };
    list.iter()
        .map(|p| {
            let field = |k: &str| p.get(k).map(text);
            StackParameter {
                key: field("ParameterKey"),
                value: field("ParameterValue"),
                use_previous_value: p.get("UsePreviousValue").and_then(Value::as_bool),
                resolved_value: field("ResolvedValue"),
            }
        })
        .collect()
}

/// `{ RollbackTriggers: [{ Arn, Type }], MonitoringTimeInMinutes }`.
fn rollback(config: &Value) -> RollbackSettings {
    RollbackSettings {
        triggers: config
            .get("RollbackTriggers")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|t| {
                        Some((
                            t.get("Arn")?.as_str()?.to_string(),
                            t.get("Type")?.as_str()?.to_string(),
                        ))
                    })
                    .collect()
            }),
        monitoring_time_in_minutes: config
            .get("MonitoringTimeInMinutes")
            .and_then(Value::as_i64)
            .map(|m| m as i32),
    }
}

/// `true` / `false`, or `{ stages: [...] }` (protected at the stages listed).
fn deletion_protection(setting: Option<&Value>, stage: &str) -> Checked<Option<bool>> {
    match setting {
        None | Some(Value::Null) => Checked::Valid(None),
        Some(Value::Bool(enabled)) => Checked::Valid(Some(*enabled)),
        Some(Value::Object(o)) => match o.get("stages") {
            Some(Value::Array(stages))
                if !stages.is_empty() && stages.iter().all(Value::is_string) =>
            {
                Checked::Valid(Some(stages.iter().any(|s| s.as_str() == Some(stage))))
            }
            _ => Checked::Invalid,
        },
        Some(_) => Checked::Invalid,
    }
}

/// `true` (keep 10), `false`, or `{ number }` read as osls reads it (`parseInt(number, 10)`: "3",
/// 3.7 and [3] all mean 3).
fn prune_versions(setting: Option<&Value>) -> Checked<Option<u64>> {
    match setting {
        None | Some(Value::Null | Value::Bool(false)) => Checked::Valid(None),
        Some(Value::Bool(true)) => Checked::Valid(Some(DEFAULT_KEEP)),
        Some(Value::Object(o)) => match o.get("number").filter(|n| !n.is_null()) {
            Some(n) => match js_parse_int(&js_string(n)) {
                Some(k) if k >= 1 => Checked::Valid(Some(u64::try_from(k).unwrap_or(u64::MAX))),
                _ => Checked::Invalid,
            },
            None => Checked::Invalid,
        },
        Some(_) => Checked::Invalid,
    }
}

/// JavaScript's `String(value)` for a JSON value.
fn js_string(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|i| {
                if i.is_null() {
                    String::new()
                } else {
                    js_string(i)
                }
            })
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(_) => "[object Object]".into(),
    }
}

/// JavaScript's `parseInt(text, 10)`: leading white space, a sign, then the longest run of digits.
fn js_parse_int(text: &str) -> Option<i128> {
    let t = text.trim_start();
    let (negative, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let run: String = digits.chars().take_while(char::is_ascii_digit).collect();
    if run.is_empty() {
        return None;
    }
    // Past i128 the exact value no longer matters: it only has to stay "very many".
    let n = run.parse::<i128>().unwrap_or(i128::MAX);
    Some(if negative { -n } else { n })
}

fn ecr(config: Option<&Value>) -> EcrSettings {
    EcrSettings {
        images: config
            .and_then(|e| e.get("images"))
            .and_then(Value::as_object)
            .cloned(),
        scan_on_push: config
            .and_then(|e| e.get("scanOnPush"))
            .and_then(Value::as_bool)
            .unwrap_or(false),
        max_image_count: config
            .and_then(|e| e.get("maxImageCount"))
            .and_then(Value::as_u64)
            .unwrap_or(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(provider: Value) -> StackSettings {
        StackSettings::read(provider.as_object().unwrap(), "prod")
    }

    #[test]
    fn stack_tags_merge_with_the_stage_tag() {
        let s = read(json!({ "stackTags": { "team": "a", "Stage": "x", "n": 3 } }));
        assert_eq!(
            s.tags,
            vec![
                ("team".to_string(), "a".to_string()),
                ("Stage".to_string(), "x".to_string()),
                ("n".to_string(), "3".to_string())
            ]
        );
        assert_eq!(read(json!({})).tags, vec![("STAGE".into(), "prod".into())]);
    }

    #[test]
    fn deletion_protection_by_stage_and_malformed() {
        let at = |v: Value| read(json!({ "deletionProtection": v })).deletion_protection;
        assert_eq!(at(json!(true)), Checked::Valid(Some(true)));
        assert_eq!(
            at(json!({ "stages": ["prod"] })),
            Checked::Valid(Some(true))
        );
        assert_eq!(
            at(json!({ "stages": ["dev"] })),
            Checked::Valid(Some(false))
        );
        assert_eq!(at(json!({ "stages": [] })), Checked::Invalid);
        assert_eq!(at(json!("yes")), Checked::Invalid);
        assert_eq!(read(json!({})).deletion_protection, Checked::Valid(None));
    }

    #[test]
    fn prune_versions_as_osls_parses_the_number() {
        let at = |v: Value| read(json!({ "pruneFunctionVersions": v })).prune_versions;
        assert_eq!(at(json!(true)), Checked::Valid(Some(10)));
        assert_eq!(at(json!(false)), Checked::Valid(None));
        assert_eq!(at(json!({ "number": "3" })), Checked::Valid(Some(3)));
        assert_eq!(at(json!({ "number": 3.7 })), Checked::Valid(Some(3)));
        assert_eq!(at(json!({ "number": 0 })), Checked::Invalid);
        assert_eq!(at(json!({})), Checked::Invalid);
        assert_eq!(at(json!(5)), Checked::Invalid);
    }

    #[test]
    fn bucket_settings_and_role() {
        let s = read(json!({
            "deploymentBucket": { "serverSideEncryption": "aws:kms", "sseCustomerAlgorithim": "AES256", "maxPreviousDeploymentArtifacts": 0 },
            "cfnRole": "arn:aws:iam::1:role/cfn",
            "deploymentMethod": "direct",
            "stackPolicy": [{ "Effect": "Allow" }]
        }));
        assert_eq!(s.encryption.server_side.as_deref(), Some("aws:kms"));
        assert_eq!(s.encryption.customer_algorithm.as_deref(), Some("AES256"));
        assert_eq!(s.keep_deployments, 1);
        assert_eq!(s.role_arn.as_deref(), Some("arn:aws:iam::1:role/cfn"));
        assert!(s.direct);
        assert_eq!(
            s.policy.as_deref(),
            Some(r#"{"Statement":[{"Effect":"Allow"}]}"#)
        );
        assert_eq!(read(json!({})).keep_deployments, 5);
    }

    #[test]
    fn parse_int_as_javascript() {
        assert_eq!(js_parse_int("  12abc"), Some(12));
        assert_eq!(js_parse_int("-3"), Some(-3));
        assert_eq!(js_parse_int("+7"), Some(7));
        assert_eq!(js_parse_int("0x10"), Some(0));
        assert_eq!(js_parse_int("1e21"), Some(1));
        assert_eq!(js_parse_int("abc"), None);
        assert_eq!(js_parse_int(""), None);
        assert_eq!(js_string(&json!(["4", 5])), "4,5");
        assert_eq!(js_string(&json!({"a": 1})), "[object Object]");
    }
}

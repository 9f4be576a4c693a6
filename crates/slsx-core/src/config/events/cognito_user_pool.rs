//! `cognitoUserPool`: the function as a trigger of a user pool — one the stack creates, or an existing
//! one (`existing: true`) whose triggers a custom resource sets. Custom sender triggers need a KMS key,
//! one per pool; a function's existing-pool triggers are all on one pool: both checked across the
//! service once its events are parsed.

use serde_json::Value;

use super::body::{string_field, value_field};
use super::{event_error, Event};
use crate::config::{js_truthy, Function, Service};
use crate::error::{Error, Result};

const CUSTOM_SENDERS: [&str; 2] = ["CustomSMSSender", "CustomEmailSender"];
const PRE_TOKEN_VERSIONS: [&str; 3] = ["V1_0", "V2_0", "V3_0"];

#[derive(Debug, Clone)]
pub struct CognitoUserPoolEvent {
    /// The pool's name (empty when unset).
    pub pool: String,
    /// The trigger source, e.g. `PreSignUp` (empty when unset).
    pub trigger: String,
    /// `existing: true`: a pool made outside the stack.
    pub existing: bool,
    /// `lambdaVersion`: for custom senders (checked `V1_0` on new pools) and `PreTokenGeneration`.
    pub lambda_version: Option<String>,
    /// `kmsKeyId`: set for every custom sender trigger.
    pub kms_key_id: Option<Value>,
    pub force_deploy: bool,
}

impl CognitoUserPoolEvent {
    /// `CustomSMSSender` or `CustomEmailSender`: they receive encrypted codes and need a KMS key.
    pub fn is_custom_sender(&self) -> bool {
        CUSTOM_SENDERS.contains(&self.trigger.as_str())
    }
}

pub(super) fn parse(
    service: &Service,
    f: &Function,
    index: usize,
    body: &Value,
) -> Result<CognitoUserPoolEvent> {
    let event = CognitoUserPoolEvent {
        pool: string_field(body, "pool").unwrap_or_default(),
        trigger: string_field(body, "trigger").unwrap_or_default(),
        existing: body.get("existing").is_some_and(js_truthy),
        lambda_version: string_field(body, "lambdaVersion"),
        kms_key_id: value_field(body, "kmsKeyId"),
        force_deploy: body.get("forceDeploy").is_some_and(js_truthy),
    };
    let err = |code, message| event_error(service, f, index, "cognitoUserPool", code, message);
    if !event.existing {
        if let Some((code, message)) = version_problem(&event) {
            return Err(err(code, message));
        }
    }
    if event.is_custom_sender() && event.kms_key_id.is_none() {
        return Err(err("COGNITO_KMS_KEY_NOT_SET", format!(
            "KMS Key must be set when using a Custom Sender Source Trigger (CustomSMSSender and/or CustomEmailSender). Affected Cognito User Pool: \"{}\".", event.pool
        )));
    }
    Ok(event)
}

/// What is wrong with a new pool's trigger's `lambdaVersion`, if anything.
fn version_problem(event: &CognitoUserPoolEvent) -> Option<(&'static str, String)> {
    let v = event.lambda_version.as_deref()?;
    let source = &event.trigger;
    if event.is_custom_sender() {
        (v != "V1_0").then(|| ("COGNITO_INVALID_LAMBDA_VERSION", format!("Invalid lambdaVersion \"{v}\" for trigger \"{source}\". Custom sender triggers only support: V1_0")))
    } else if source == "PreTokenGeneration" {
        (!PRE_TOKEN_VERSIONS.contains(&v)).then(|| ("COGNITO_INVALID_LAMBDA_VERSION", format!("Invalid lambdaVersion \"{v}\" for trigger \"{source}\". PreTokenGeneration supports: {}", PRE_TOKEN_VERSIONS.join(", "))))
    } else {
        Some(("COGNITO_LAMBDA_VERSION_NOT_SUPPORTED", format!("lambdaVersion is not supported for trigger \"{source}\". It's only supported for: CustomSMSSender, CustomEmailSender, and PreTokenGeneration")))
    }
}

/// The service's `cognitoUserPool` events with their function and index, in order.
fn events(service: &Service) -> impl Iterator<Item = (&Function, usize, &CognitoUserPoolEvent)> {
    service.functions.iter().flat_map(|f| {
        f.events.iter().filter_map(move |e| match &e.event {
            Event::CognitoUserPool(c) => Some((f, e.index, c)),
            _ => None,
        })
    })
}

fn kms_not_same(service: &Service, f: &Function, index: usize, pool: &str) -> Error {
    event_error(service, f, index, "cognitoUserPool", "COGNITO_KMS_KEY_ID_NOT_SAME_FOR_SINGLE_USER_POOL", format!(
        "Only one KMS Key for can be configured per Cognito User Pool. Affected Cognito User Pool: \"{pool}\"."
    ))
}

/// One KMS key per pool (new pools in the order they first appear, then existing pools), and one
/// existing pool per function.
pub(super) fn check_pools(service: &Service) -> Result<()> {
    let new: Vec<_> = events(service).filter(|(_, _, e)| !e.existing).collect();
    let mut pools: Vec<&str> = Vec::new();
    for (_, _, e) in &new {
        if !pools.contains(&e.pool.as_str()) {
            pools.push(&e.pool);
        }
    }
    for pool in pools {
        let mut pool_kms: Option<&Value> = None;
        for (f, index, e) in new.iter().filter(|(_, _, e)| e.pool == pool) {
            let Some(kms) = e.kms_key_id.as_ref().filter(|_| e.is_custom_sender()) else {
                continue;
            };
            if pool_kms.is_some_and(|previous| previous != kms) {
                return Err(kms_not_same(service, f, *index, pool));
            }
            pool_kms = Some(kms);
        }
    }
    let mut pool_kms: Vec<(&str, &Value)> = Vec::new();
    let mut function_pool: Option<(&str, &str)> = None;
    for (f, index, e) in events(service).filter(|(_, _, e)| e.existing) {
        match function_pool {
            Some((key, pool)) if key == f.key && pool != e.pool => {
                return Err(event_error(service, f, index, "cognitoUserPool", "COGNITO_MULTIPLE_USER_POOLS_PER_FUNCTION", format!(
                    "Only one Cognito User Pool can be configured per function. In \"{}\" you're attempting to configure \"{pool}\" and \"{}\" at the same time.", f.name, e.pool
                )));
            }
            Some((key, _)) if key == f.key => {}
            _ => function_pool = Some((&f.key, &e.pool)),
        }
        let Some(kms) = e.kms_key_id.as_ref().filter(|_| e.is_custom_sender()) else {
            continue;
        };
        if pool_kms.iter().any(|(p, k)| *p == e.pool && *k != kms) {
            return Err(kms_not_same(service, f, index, &e.pool));
        }
        pool_kms.push((&e.pool, kms));
    }
    Ok(())
}

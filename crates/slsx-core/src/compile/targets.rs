//! What a function's other resources point at — its alias (durable, provisioned concurrency,
//! SnapStart) and its invoke target — and the `Condition` they share with it. Used by the function
//! compiler and every event compiler; imports no compile module but `naming`.

use serde_json::{json, Value};

use super::naming::{function_logical_id, normalized_name};
use crate::config::Function;

/// JavaScript truthiness (`if (value)`), as osls tests its settings.
pub use crate::config::js_truthy as truthy;

/// The alias name osls points durable functions' events at.
pub const DURABLE_ALIAS: &str = "durable";

/// The alias a function's other resources point at: `durable`, `provisioned` or `snapstart`.
pub fn target_alias(f: &Function) -> Option<(String, String)> {
    let n = normalized_name(&f.key);
    if f.settings.durable.is_some() {
        Some((format!("{n}DurableLambdaAlias"), DURABLE_ALIAS.into()))
    } else if f.settings.provisioned_concurrency.is_some() {
        Some((format!("{n}ProvConcLambdaAlias"), "provisioned".into()))
    } else if f.settings.snap_start {
        Some((format!("{n}SnapStartLambdaAlias"), "snapstart".into()))
    } else {
        None
    }
}

/// `Fn::GetAtt [F, Arn]`, or joined with the alias name when the function has one.
pub fn lambda_target(key: &str, alias: Option<&(String, String)>) -> Value {
    let arn = json!({ "Fn::GetAtt": [function_logical_id(key), "Arn"] });
    match alias {
        Some((_, name)) => json!({ "Fn::Join": [":", [arn, name]] }),
        None => arn,
    }
}

/// The function's `condition` on a resource made for it.
pub fn with_condition(resource: &mut Value, condition: &Option<Value>) {
    if let Some(c) = condition {
        resource["Condition"] = c.clone();
    }
}

//! Export names on compiled outputs (`sls-<service>-<stage>-<OutputKey>`). User outputs merged from
//! `resources.Outputs` come later and keep their own exports.

use serde_json::{json, Value};

use super::naming::export_name;
use crate::config::Service;

pub fn add_export_names(service: &Service, template: &mut Value) {
    let Some(outputs) = template.get_mut("Outputs").and_then(Value::as_object_mut) else {
        return;
    };
    for (key, output) in outputs.iter_mut() {
        if let Some(o) = output.as_object_mut() {
            o.entry("Export").or_insert_with(
                || json!({ "Name": export_name(&service.name, &service.stage, key) }),
            );
        }
    }
}

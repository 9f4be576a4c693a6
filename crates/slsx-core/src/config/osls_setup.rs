//! What osls 4.3.1 does to the resolved configuration after merging `functions`/`resources` lists and
//! before validating it (lib/serverless.js `run`: `reloadServiceFileParam`, `setFunctionNames`): an
//! unset `provider.stage` becomes `dev`; a function set to null is dropped; a function's falsy
//! `events` (`null`, `false`, `0`, `""`) becomes `[]` and its falsy `name` the generated
//! `<service>-<stage>-<key>`. The schema then checks, and `print` shows, what osls's would.

use serde_json::Value;

pub(crate) fn before_validation(value: &mut Value, option_stage: Option<&str>) {
    let Some(root) = value.as_object_mut() else {
        return;
    };
    if let Some(Value::Object(provider)) = root.get_mut("provider") {
        if provider.get("stage").is_none_or(Value::is_null) {
            provider.insert("stage".into(), "dev".into());
        }
    }
    // `options.stage ?? provider.stage ?? 'dev'`; osls refuses a stage that is not a string.
    let stage = match option_stage.filter(|s| !s.is_empty()) {
        Some(s) => Some(s.to_string()),
        None => root
            .get("provider")
            .and_then(|p| p.get("stage"))
            .and_then(Value::as_str)
            .map(String::from),
    };
    let service = root
        .get("service")
        .and_then(Value::as_str)
        .map(String::from);
    let Some(Value::Object(functions)) = root.get_mut("functions") else {
        return;
    };
    functions.retain(|_, f| !f.is_null());
    for (key, f) in functions.iter_mut() {
        let Value::Object(f) = f else { continue };
        if f.get("events").is_none_or(falsy) {
            f.insert("events".into(), Value::Array(Vec::new()));
        }
        if let (Some(service), Some(stage)) = (&service, &stage) {
            if f.get("name").is_none_or(falsy) {
                f.insert("name".into(), format!("{service}-{stage}-{key}").into());
            }
        }
    }
}

/// JavaScript truthiness of a JSON value (`if (value)`): the one definition slsx uses.
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

fn falsy(v: &Value) -> bool {
    !truthy(v)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn stage_functions_events_and_names_as_osls_sets_them_before_validation() {
        let mut v = json!({
            "service": "svc",
            "provider": { "name": "aws", "stage": null },
            "functions": {
                "gone": null,
                "a": { "handler": "h.h", "events": 0, "name": false },
                "b": { "handler": "h.h", "events": "x", "name": "mine" },
                "c": { "handler": "h.h" }
            }
        });
        super::before_validation(&mut v, Some("prod"));
        assert_eq!(v["provider"]["stage"], json!("dev"));
        assert_eq!(
            v["functions"],
            json!({
                "a": { "handler": "h.h", "events": [], "name": "svc-prod-a" },
                "b": { "handler": "h.h", "events": "x", "name": "mine" },
                "c": { "handler": "h.h", "events": [], "name": "svc-prod-c" }
            })
        );
    }
}

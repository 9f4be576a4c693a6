//! `resources:` merged into the compiled template (after the compiled outputs got their export
//! names): a deep merge (objects key by key, lists item by item), then `resources.extensions` patching
//! generated resources, then `null` properties stripped from every resource.

use serde_json::{Map, Value};

use crate::config::Service;
use crate::error::{Error, Result};

/// `aws:package:finalize:mergeCustomProviderResources`.
pub fn merge_resources(service: &Service, template: &mut Value) -> Result<()> {
    let Some(resources) = &service.resources else {
        return Ok(());
    };
    let mut source = resources.clone();
    let extensions = source.remove("extensions");
    merge_into(template, &Value::Object(source));
    if let Some(Value::Object(extensions)) = extensions {
        let generated = template["Resources"]
            .as_object_mut()
            .expect("Resources is an object");
        for (name, definition) in extensions {
            let Some(resource) = generated.get_mut(&name).and_then(Value::as_object_mut) else {
                return Err(Error::Config {
                    code: "RESOURCE_EXTENSION_NOT_EXISTING",
                    message: format!(
                        "Cannot extend \"{name}\" resource, as it's not found in generated stack"
                    ),
                    path: Some(format!("resources.extensions.{name}")),
                    location: crate::config::locate(
                        service,
                        &format!("resources.extensions.{name}"),
                    ),
                });
            };
            for (attribute, value) in definition.as_object().cloned().unwrap_or_default() {
                match attribute.as_str() {
                    "Condition" | "CreationPolicy" | "DeletionPolicy" | "UpdatePolicy" | "UpdateReplacePolicy" => {
                        resource.insert(attribute, value);
                    }
                    "Properties" | "Metadata" => {
                        let target = resource.entry(attribute).or_insert_with(|| Value::Object(Map::new()));
                        if let (Some(t), Value::Object(v)) = (target.as_object_mut(), value) {
                            t.extend(v);
                        }
                    }
                    "DependsOn" => {
                        let list = match resource.remove("DependsOn") {
                            Some(Value::Array(a)) => a,
                            Some(Value::String(s)) => vec![Value::String(s)],
                            _ => Vec::new(),
                        };
                        let mut list = list;
                        list.extend(value.as_array().cloned().unwrap_or_default());
                        resource.insert("DependsOn".into(), Value::Array(list));
                    }
                    other => {
                        return Err(Error::Config {
                            code: "RESOURCE_EXTENSION_UNSUPPORTED_ATTRIBUTE",
                            message: format!("Cannot extend \"{name}\" resource, as extending the \"{other}\" attribute at this point is not supported"),
                            path: Some(format!("resources.extensions.{name}.{other}")),
                            location: crate::config::locate(service, &format!("resources.extensions.{name}.{other}")),
                        })
                    }
                }
            }
        }
    }
    Ok(())
}

/// Objects merge key by key, lists item by item; anything else replaces.
fn merge_into(target: &mut Value, source: &Value) {
    match (target, source) {
        (Value::Object(t), Value::Object(s)) => {
            for (k, v) in s {
                match t.get_mut(k) {
                    Some(existing)
                        if (existing.is_object() && v.is_object())
                            || (existing.is_array() && v.is_array()) =>
                    {
                        merge_into(existing, v)
                    }
                    _ => {
                        t.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (Value::Array(t), Value::Array(s)) => {
            for (i, v) in s.iter().enumerate() {
                match t.get_mut(i) {
                    Some(existing)
                        if (existing.is_object() && v.is_object())
                            || (existing.is_array() && v.is_array()) =>
                    {
                        merge_into(existing, v)
                    }
                    Some(existing) => *existing = v.clone(),
                    None => t.push(v.clone()),
                }
            }
        }
        (t, s) => *t = s.clone(),
    }
}

/// `aws:package:finalize:stripNullPropsFromTemplateResources`: null properties are removed from every
/// resource (a resource without properties loses the key).
pub fn strip_nulls(template: &mut Value) {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(m) => {
                m.retain(|_, v| !v.is_null());
                m.values_mut().for_each(strip);
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    if let Some(resources) = template.get_mut("Resources").and_then(Value::as_object_mut) {
        for r in resources.values_mut() {
            if let Some(o) = r.as_object_mut() {
                match o.get_mut("Properties") {
                    Some(Value::Null) | None => {
                        o.remove("Properties");
                    }
                    Some(p) => strip(p),
                }
            }
        }
    }
}

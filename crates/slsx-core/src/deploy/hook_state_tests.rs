use serde_json::{json, Value};

use super::returned::take_out;
use super::view::set_pointer;
use super::Injected;

#[test]
fn injected_values_left_alone_go_back_out() {
    let original = json!({ "functions": { "a": { "handler": "h.h" } } });
    let mut root = original.as_object().cloned().unwrap();
    let mut injected = Injected::new();
    for (p, v) in [
        ("/functions/a/name", json!("svc-dev-a")),
        (
            "/functions/a/package/artifact",
            json!("/x/.serverless/a.zip"),
        ),
        ("/serviceObject", json!({ "name": "svc" })),
    ] {
        assert!(set_pointer(&mut root, p, v.clone(), true));
        injected.push((p.to_string(), v));
    }
    let mut back = Value::Object(root);
    back["functions"]["a"]["environment"] = json!({ "X": "1" });
    take_out(&mut back, &injected, &original);
    assert_eq!(
        back,
        json!({ "functions": { "a": { "handler": "h.h", "environment": { "X": "1" } } } })
    );
}

#[test]
fn a_value_slsx_replaced_goes_back_to_what_the_user_wrote() {
    let original = json!({ "provider": { "region": "us-east-1" } });
    let mut root = original.as_object().cloned().unwrap();
    assert!(set_pointer(
        &mut root,
        "/provider/region",
        json!("eu-west-1"),
        false
    ));
    let injected = vec![("/provider/region".to_string(), json!("eu-west-1"))];
    let mut back = Value::Object(root);
    take_out(&mut back, &injected, &original);
    assert_eq!(back, original);
}

#[test]
fn a_value_the_plugin_changed_stays() {
    let original = json!({ "functions": { "a": {} } });
    let mut root = original.as_object().cloned().unwrap();
    set_pointer(
        &mut root,
        "/functions/a/package/artifact",
        json!("/x/a.zip"),
        true,
    );
    let injected = vec![(
        "/functions/a/package/artifact".to_string(),
        json!("/x/a.zip"),
    )];
    let mut back = Value::Object(root);
    back["functions"]["a"]["package"]["artifact"] = json!(".esbuild/a.zip");
    take_out(&mut back, &injected, &original);
    assert_eq!(
        back["functions"]["a"]["package"]["artifact"],
        ".esbuild/a.zip"
    );
}

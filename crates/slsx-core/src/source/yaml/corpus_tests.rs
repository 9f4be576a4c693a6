//! The loader against osls 4.3.1 on a corpus of 2,000 texts (tests/fixtures/yaml-corpus/cases.json,
//! written by scripts/yaml-corpus.js with osls's js-yaml): the same values with keys in the same order,
//! or the same refusal at the same line and column.

use serde_json::Value;

use super::load;

/// JSON equality where numbers compare as JavaScript numbers and object keys in order.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((kp, p), (kq, q))| kp == kq && same(p, q))
        }
        _ => a == b,
    }
}

fn check(case: &Value) -> Result<(), String> {
    let text = case["yaml"].as_str().ok_or("no yaml")?;
    let got = load(text);
    if let Some(expected) = case.get("value") {
        return match got {
            Ok(Some(v)) if same(&v, expected) => Ok(()),
            other => Err(format!("want {expected}, got {other:?}")),
        };
    }
    if case.get("undefined").is_some() {
        return match got {
            Ok(None) => Ok(()),
            other => Err(format!("want no document, got {other:?}")),
        };
    }
    let want = &case["error"];
    let reason = want["reason"].as_str().unwrap_or_default();
    let Err(e) = got else {
        return Err(format!("want the error {want}, got {got:?}"));
    };
    let reason_ok = if reason == "circular" {
        e.reason.contains("circular")
    } else {
        e.reason == reason
    };
    let line_ok = want["line"].as_u64().is_none_or(|l| l as usize == e.line)
        && want["column"]
            .as_u64()
            .is_none_or(|c| c as usize == e.column);
    if reason_ok && line_ok {
        Ok(())
    } else {
        Err(format!("want the error {want}, got {e:?}"))
    }
}

#[test]
fn loads_every_corpus_text_as_osls_does() {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/yaml-corpus/cases.json");
    let cases: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    assert!(cases.len() > 2000, "{} cases", cases.len());
    let failures: Vec<String> = cases
        .iter()
        .enumerate()
        .filter_map(|(i, case)| {
            check(case)
                .err()
                .map(|e| format!("case {i} {:?}: {e}", case["yaml"]))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        cases.len(),
        failures[..failures.len().min(20)].join("\n")
    );
}

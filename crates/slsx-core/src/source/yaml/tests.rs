//! The loader against js-yaml's own results (taken from osls 4.3.1's js-yaml with the CloudFormation
//! schema and osls's JSON round trip) for the cases where YAML parsers disagree.

use serde_json::{json, Value};

use super::load;

fn ok(src: &str) -> Value {
    match load(src) {
        Ok(Some(v)) => v,
        other => panic!("{src:?}: {other:?}"),
    }
}

fn err(src: &str) -> (String, usize, usize) {
    match load(src) {
        Err(e) => (e.reason, e.line, e.column),
        other => panic!("{src:?} should fail: {other:?}"),
    }
}

#[test]
fn tabs_as_separation_are_accepted_and_as_indentation_refused() {
    assert_eq!(ok("a:\n  -\tx\n  -\ty\n"), json!({"a": ["x", "y"]}));
    assert_eq!(
        ok("a: [1,\t2,\t3]\nb: {x:\t1, y: 2}\n"),
        json!({"a": [1, 2, 3], "b": {"x": 1, "y": 2}})
    );
    assert_eq!(ok("a:\t1\nb: \tc\n"), json!({"a": 1, "b": "c"}));
    assert_eq!(ok("a: b\t# comment\n"), json!({"a": "b"}));
    let tab_indent = "tab characters must not be used in indentation".to_string();
    assert_eq!(err("a:\n\tb: 1\n"), (tab_indent.clone(), 2, 1));
    assert_eq!(err("a: |\n  x\n\ty\n"), (tab_indent, 3, 1));
    assert_eq!(
        err("a:\n  -\tb: 1\n    c: 2\n").0,
        "bad indentation of a sequence entry"
    );
    assert_eq!(err("a:\n  -\tb: 1\n    c: 2\n").1, 2);
    assert_eq!(err("a:\n  -\tb: 1\n    c: 2\n").2, 6);
}

#[test]
fn scalars_resolve_as_yaml_1_2_core() {
    let v = ok("a: yes\nb: on\nc: True\nd: ~\ne:\nf: 0o17\ng: 017\nh: 0x1F\ni: 0b101\nj: 1_000\nk: 1e3\nl: .5\nm: 1.\nn: .inf\no: -.5\np: 1e400\nq: 12345678901234567890\nr: -0\ns: 2024-01-01\n");
    assert_eq!(
        v,
        json!({"a": "yes", "b": "on", "c": true, "d": null, "e": null, "f": 15, "g": 17, "h": 31,
               "i": 5, "j": "1_000", "k": 1000, "l": 0.5, "m": 1, "n": null, "o": "-.5",
               "p": "1e400", "q": 12345678901234567000f64, "r": 0, "s": "2024-01-01"})
    );
}

#[test]
fn duplicate_keys_are_refused_at_the_second_one() {
    assert_eq!(
        err("a: 1\nb: 2\na: 3\n"),
        ("duplicated mapping key".into(), 3, 1)
    );
    // `null` and `~` are both the key "null".
    assert_eq!(err("null: a\n~: b\n").1, 2);
}

#[test]
fn merge_keys_copy_missing_keys_only() {
    let v = ok("base: &b\n  x: 1\n  y: 2\nd:\n  <<: *b\n  y: 3\ne:\n  <<: [*b, {z: 9}]\n  x: 0\nf: {<<: *b}\ng: {\"<<\": 1}\n");
    assert_eq!(v["d"], json!({"x": 1, "y": 3}));
    assert_eq!(v["e"], json!({"x": 0, "y": 2, "z": 9}));
    assert_eq!(v["f"], json!({"x": 1, "y": 2}));
    assert_eq!(v["g"], json!({"<<": 1}));
    // Two merge keys are not duplicates.
    assert_eq!(
        ok("a: &a {x: 1}\nb:\n  <<: *a\n  <<: {y: 2}\n")["b"],
        json!({"x": 1, "y": 2})
    );
}

#[test]
fn block_scalars_chomp_and_fold() {
    let v = ok("a: |\n  l1\n  l2\n\n\nb: |-\n  l1\n\nc: |+\n  l1\n\n\nd: >\n  f1\n  f2\n\n  f3\n    more\ne: |2\n    x\n");
    assert_eq!(
        v,
        json!({"a": "l1\nl2\n", "b": "l1", "c": "l1\n\n\n", "d": "f1 f2\nf3\n  more\n", "e": "  x\n"})
    );
}

#[test]
fn quoted_scalars_fold_and_end_where_js_yaml_ends_them() {
    let v = ok("a: 'it''s\n  folded\n\n  kept'\nb: \"x\\ty\n  z\\u00e9 \\\n  w\"\n");
    assert_eq!(v, json!({"a": "it's folded\nkept", "b": "x\ty z\u{e9} w"}));
    for (src, reason) in [
        (
            "a: 'open\n",
            "unexpected end of the stream within a single quoted scalar",
        ),
        (
            "a: \"open\n",
            "unexpected end of the stream within a double quoted scalar",
        ),
        (
            "a: 'x\n---\n'\n",
            "unexpected end of the document within a single quoted scalar",
        ),
        (
            "a: \"x\n...\n\"\n",
            "unexpected end of the document within a double quoted scalar",
        ),
        ("a: \"\\q\"\n", "unknown escape sequence"),
        ("a: |+-\n  x\n", "repeat of a chomping mode identifier"),
        (
            "a: |0\n  x\n",
            "bad explicit indentation width of a block scalar; it cannot be less than one",
        ),
        ("a: |11\n  x\n", "repeat of an indentation width identifier"),
    ] {
        assert_eq!(err(src).0, reason, "{src:?}");
    }
}

#[test]
fn bom_crlf_and_documents() {
    assert_eq!(
        ok("\u{feff}a: 1\r\nb: |\r\n  x\r\n  y\r\n"),
        json!({"a": 1, "b": "x\ny\n"})
    );
    assert_eq!(ok("---\na: 1\n...\n"), json!({"a": 1}));
    assert_eq!(load("").unwrap(), None);
    assert_eq!(load("\n").unwrap(), None);
    assert_eq!(load("# c\n").unwrap(), Some(Value::Null));
    let (reason, line, _) = err("a: 1\n---\nb: 2\n");
    assert_eq!(
        (reason.as_str(), line),
        (
            "expected a single document in the stream, but found more",
            2
        )
    );
}

#[test]
fn tags_and_types() {
    let v = ok("a: !Ref X\nb: !GetAtt A.B.C\nc: !GetAtt A\nd: !Sub [x, {a: b}]\ne: !!binary aGk=\nf: !!set {x, y}\ng: !!omap [k: 1, l: 2]\nh: !!pairs [k: 1, k: 2]\ni: !!timestamp 2001-12-14t21:59:43.10-05:00\nj: !!str 1\nk: !Ref\n");
    assert_eq!(
        v,
        json!({"a": {"Ref": "X"}, "b": {"Fn::GetAtt": ["A", "B.C"]}, "c": {"Fn::GetAtt": ["A", ""]},
               "d": {"Fn::Sub": ["x", {"a": "b"}]}, "e": {"0": 104, "1": 105},
               "f": {"x": null, "y": null}, "g": [{"k": 1}, {"l": 2}], "h": [["k", 1], ["k", 2]],
               "i": "2001-12-15T02:59:43.100Z", "j": "1", "k": {"Ref": null}})
    );
    assert_eq!(
        err("a: !ToJsonString {a: 1}\n").0,
        "unknown tag !<!ToJsonString>"
    );
    assert_eq!(
        err("a: !!int x\n").0,
        "cannot resolve a node with !<tag:yaml.org,2002:int> explicit tag"
    );
}

#[test]
fn anchors_aliases_and_keys() {
    let v = ok("a: &x hello\nb: *x\nc: &l [1, 2]\nd: *l\n- &k key: 1\n"
        .split("- ")
        .next()
        .unwrap());
    assert_eq!(
        v,
        json!({"a": "hello", "b": "hello", "c": [1, 2], "d": [1, 2]})
    );
    assert_eq!(
        ok("- &k key: 1\n  other: *k\n"),
        json!([{"key": 1, "other": "key"}])
    );
    assert!(err("a: &a\n  b: *a\n").0.contains("circular"));
    assert_eq!(err("a: *nope\n").0, "unidentified alias \"nope\"");
    // Keys are made strings as JavaScript does; index-like keys come first.
    let v = ok("b: 1\n2: x\n1: y\ntrue: t\n1.50: f\n[a, b]: s\n.inf: i\n");
    assert_eq!(
        v,
        json!({"1": "y", "2": "x", "b": 1, "true": "t", "1.5": "f", "a,b": "s", "Infinity": "i"})
    );
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["1", "2", "b", "true", "1.5", "a,b", "Infinity"]);
}

#[test]
fn numbers_print_as_javascript_prints_them() {
    use super::number::js_number_string as js;
    assert_eq!(js(1.0), "1");
    assert_eq!(js(-0.0), "0");
    assert_eq!(js(1.5), "1.5");
    assert_eq!(js(1e21), "1e+21");
    assert_eq!(js(1.5e21), "1.5e+21");
    assert_eq!(js(123456789012345680000.0), "123456789012345680000");
    assert_eq!(js(0.000001), "0.000001");
    assert_eq!(js(1e-7), "1e-7");
    assert_eq!(js(-2.5e-8), "-2.5e-8");
    assert_eq!(js(0.1 + 0.2), "0.30000000000000004");
    assert_eq!(js(f64::NEG_INFINITY), "-Infinity");
}

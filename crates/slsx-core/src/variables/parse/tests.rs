//! The parser: sources, params, addresses, fallbacks, nesting, escapes and syntax errors.

use super::*;
use serde_json::json;

fn var(s: &str) -> Variable {
    match parse(s).unwrap().unwrap().as_slice() {
        [Part::Var(v)] => v.clone(),
        other => panic!("{other:?}"),
    }
}

fn typed(kind: &str, params: Vec<Param>, address: Option<&str>) -> Source {
    Source::Typed {
        kind: kind.into(),
        params,
        address: address.map(|a| Param::Literal(json!(a))),
    }
}

#[test]
fn sources_params_addresses_and_fallbacks() {
    let v = var("${self:custom.a, env:B, 'lit'}");
    assert_eq!(
        v.sources,
        vec![
            typed("self", vec![], Some("custom.a")),
            typed("env", vec![], Some("B")),
            Source::Literal(json!("lit")),
        ]
    );
    let v = var("${ssm(us-east-1, raw):/a/b}");
    assert_eq!(
        v.sources,
        vec![typed(
            "ssm",
            vec![
                Param::Literal(json!("us-east-1")),
                Param::Literal(json!("raw"))
            ],
            Some("/a/b")
        )]
    );
    let v = var("${file(./x.yml):k}");
    assert_eq!(
        v.sources,
        vec![typed(
            "file",
            vec![Param::Literal(json!("./x.yml"))],
            Some("k")
        )]
    );
    assert_eq!(var("${env:X, 5}").sources[1], Source::Literal(json!(5)));
    assert_eq!(
        var("${env:X, null}").sources[1],
        Source::Literal(Value::Null)
    );
    assert_eq!(
        var("${env:X, \"a\\\"b\"}").sources[1],
        Source::Literal(json!("a\"b"))
    );
    assert_eq!(var("${self:}").sources, vec![typed("self", vec![], None)]);
    // Unquoted params stay text, numbers included (a fallback `5` is a number).
    assert_eq!(
        var("${strToBool( 1 )}").sources,
        vec![Source::Typed {
            kind: "strToBool".into(),
            params: vec![Param::Literal(json!("1"))],
            address: None
        }]
    );
}

#[test]
fn nested_variables_in_addresses() {
    let v = var("${self:custom.${opt:stage}.size}");
    let Source::Typed {
        address: Some(Param::Template(t)),
        ..
    } = &v.sources[0]
    else {
        panic!()
    };
    assert_eq!(t.len(), 3);
    assert_eq!(t[0], Part::Text("custom.".into()));
    assert!(matches!(&t[1], Part::Var(_)));
}

#[test]
fn foreign_dollar_braces_and_escapes_stay_text() {
    assert_eq!(parse("arn:${AWS::Partition}:s3:::${Bucket}").unwrap(), None);
    assert_eq!(parse("${foo}").unwrap(), None);
    assert_eq!(
        parse("\\${self:x}").unwrap(),
        Some(vec![Part::Text("${self:x}".into())])
    );
    let parts = parse("a-${self:service}-b").unwrap().unwrap();
    assert_eq!(parts.len(), 3);
    let parts = parse("\\\\${self:x}").unwrap().unwrap();
    assert_eq!(parts[0], Part::Text("\\".into()));
    assert!(matches!(parts[1], Part::Var(_)));
}

#[test]
fn syntax_errors_have_codes() {
    assert_eq!(parse("${self:a").unwrap_err().code, "UNTERMINATED_VARIABLE");
    assert_eq!(
        parse("${env:A, %}").unwrap_err().code,
        "INVALID_VARIABLE_SOURCE"
    );
    assert_eq!(
        parse("${env:A, nope}").unwrap_err().code,
        "INVALID_VARIABLE_LITERAL_SOURCE"
    );
}

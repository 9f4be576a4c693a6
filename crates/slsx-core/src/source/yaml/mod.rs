//! The YAML loader of `serverless.yml` and of `${file(x.yml)}`.
//!
//! osls 4.3.1 reads YAML with js-yaml 4 and its CloudFormation tags schema, and a configuration is only
//! what js-yaml makes of the text: which tabs it accepts, how it treats duplicate keys and `<<` merge
//! keys, which plain scalars become numbers. A spec-compliant YAML parser differs from it in dozens of
//! small ways (a tab after `key:` is fine for js-yaml and refused by libyaml and saphyr; `-\tkey: v` is
//! the reverse), so this loader follows js-yaml's grammar step by step — a recursive-descent reader over
//! the bytes — and js-yaml's types, and gives the value osls keeps after its
//! `JSON.parse(JSON.stringify(…))`: `.inf`/`.nan` are null, an explicit `!!timestamp` an ISO string,
//! `!!binary` an object of byte values.
//!
//! The reader: `state` (position, lines, separation space, errors), `document` (directives, documents),
//! `compose` (one node: properties, then the reader its place allows, then its tag), `properties`
//! (tags, anchors, aliases), the scalar readers (`scalars`: plain and single-quoted; `double_quoted`;
//! `block_scalar`), the collection readers (`collections`: flow and block sequences; `block_mapping`)
//! and `pairs` (how a key/value pair is stored: string keys, duplicates, `<<` merges). The types:
//! `types` (js-yaml's tags and implicit resolution), `number`, `timestamp`; `order` gives the key order
//! JavaScript gives the result.

mod block_mapping;
mod block_scalar;
mod collections;
mod compose;
mod document;
mod double_quoted;
mod number;
mod order;
mod pairs;
mod properties;
mod scalars;
mod state;
mod timestamp;
mod types;

use serde_json::Value;

/// A YAML syntax error where js-yaml reports one: its reason and its 1-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub reason: String,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for YamlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}:{})", self.reason, self.line, self.column)
    }
}

/// Loads a one-document YAML text. `Ok(None)` is js-yaml's `undefined`: a text with no document at all
/// (empty, or only blank lines); a document with no content (only comments) is `Some(Null)`.
pub fn load(source: &str) -> Result<Option<Value>, YamlError> {
    let (mut documents, circular) = document::load_documents(source)?;
    if documents.len() > 1 {
        // js-yaml's `load` refuses a stream of several documents (with no position: slsx points at
        // the second one).
        return Err(YamlError {
            reason: "expected a single document in the stream, but found more".into(),
            line: documents[1].line,
            column: 1,
        });
    }
    if let Some(error) = circular {
        return Err(error);
    }
    Ok(documents.pop().map(|d| {
        let mut value = d.value;
        order::js_key_order(&mut value);
        value
    }))
}

#[cfg(test)]
mod corpus_tests;
#[cfg(test)]
mod tests;

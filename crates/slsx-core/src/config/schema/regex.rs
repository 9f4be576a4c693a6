//! JavaScript regular expressions of the schema (`pattern`, `patternProperties`, osls's `regexp`
//! keyword) on `regex-lite`, compiled once per process. The schema's one lookahead — a leading
//! `(?!X)Y`, "Y but not X" — is evaluated as two expressions, since `regex-lite` has no lookaround.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use regex_lite::Regex;

#[derive(Debug)]
enum Compiled {
    Plain(Regex),
    Unless { unless: Regex, then: Regex },
}

#[derive(Debug, Clone)]
pub struct JsRegex(Arc<Compiled>);

impl JsRegex {
    /// `pattern` with JavaScript `flags` (only `i` changes a match here).
    pub fn get(pattern: &str, flags: &str) -> JsRegex {
        // One map per case mode, keyed by the pattern: a lookup borrows the `&str`, no allocation
        // (this runs for every checked string and every object with patternProperties).
        type Cache = [HashMap<String, JsRegex>; 2];
        static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
        let insensitive = flags.contains('i');
        let mut cache = CACHE
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let map = &mut cache[usize::from(insensitive)];
        if let Some(re) = map.get(pattern) {
            return re.clone();
        }
        let re = JsRegex(Arc::new(compile(pattern, insensitive)));
        map.insert(pattern.to_string(), re.clone());
        re
    }

    /// A literal `/pattern/flags`, as osls's `regexp` keyword takes it.
    pub fn from_literal(literal: &str) -> JsRegex {
        match literal
            .strip_prefix('/')
            .and_then(|rest| rest.rsplit_once('/'))
        {
            Some((pattern, flags)) => JsRegex::get(pattern, flags),
            None => JsRegex::get(literal, ""),
        }
    }

    pub fn is_match(&self, text: &str) -> bool {
        match &*self.0 {
            Compiled::Plain(re) => re.is_match(text),
            Compiled::Unless { unless, then } => !unless.is_match(text) && then.is_match(text),
        }
    }
}

fn compile(pattern: &str, insensitive: bool) -> Compiled {
    if let Some((unless, then)) = leading_negative_lookahead(pattern) {
        return Compiled::Unless {
            unless: build(&unless, insensitive),
            then: build(&then, insensitive),
        };
    }
    Compiled::Plain(build(pattern, insensitive))
}

/// JavaScript's white space (`\s`): Unicode spaces and line terminators, and the BOM.
const JS_SPACE: &str = r"\t\n\x0B\x0C\r \x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}";

/// A JavaScript pattern in regex-lite's syntax: `\/` is a plain slash, and `\s` / `\S` mean
/// JavaScript's white space (regex-lite's are ASCII only, so a no-break space would pass a `\S+`).
fn translate(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut in_class = false;
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('/') => out.push('/'),
                Some('s') if in_class => out.push_str(JS_SPACE),
                Some('s') => out.push_str(&format!("[{JS_SPACE}]")),
                Some('S') if !in_class => out.push_str(&format!("[^{JS_SPACE}]")),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            },
            '[' if !in_class => {
                in_class = true;
                out.push(c);
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

fn build(pattern: &str, insensitive: bool) -> Regex {
    let translated = translate(pattern);
    let source = if insensitive {
        format!("(?i){translated}")
    } else {
        translated
    };
    Regex::new(&source).unwrap_or_else(|e| {
        // The schema is slsx's own (and plugins'); a pattern it cannot compile is a bug to report,
        // not a reason to accept everything.
        #[allow(
            clippy::panic,
            reason = "an invalid pattern in slsx's own schema is a bug"
        )]
        {
            panic!("schema pattern {pattern:?} does not compile: {e}")
        }
    })
}

/// `(?!X)Y` → `(X, Y)` and `^(?!X)Y` → `(^X, ^Y)`, for a group that closes before the rest.
fn leading_negative_lookahead(pattern: &str) -> Option<(String, String)> {
    if let Some(anchored) = pattern.strip_prefix('^') {
        let (unless, then) = leading_negative_lookahead(anchored)?;
        return Some((format!("^(?:{unless})"), format!("^(?:{then})")));
    }
    let rest = pattern.strip_prefix("(?!")?;
    let mut depth = 1usize;
    let mut escaped = false;
    for (i, c) in rest.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some((rest[..i].to_string(), rest[i + 1..].to_string()));
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn javascript_literals_and_lookahead() {
        assert!(JsRegex::from_literal("/^token$/i").is_match("TOKEN"));
        assert!(!JsRegex::from_literal("/^token$/i").is_match("tokens"));
        assert!(JsRegex::get("^(?:\\*|\\/\\S*)$", "u").is_match("/users/{id}"));
        let bucket = JsRegex::get(
            "(?!^(\\d{1,3}\\.){3}\\d{1,3}$)(^(([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])\\.)*([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])$)",
            "u",
        );
        assert!(bucket.is_match("my-bucket.logs"));
        assert!(!bucket.is_match("192.168.0.1"));
        assert!(!bucket.is_match("My_Bucket"));
        let tag = JsRegex::get("^(?!aws:)[\\w./=+:\\-_\\x20]{1,128}$", "u");
        assert!(tag.is_match("team name"));
        assert!(!tag.is_match("aws:cloudformation"));
        let path = JsRegex::get("^(?:\\*|\\/?\\S*)$", "u");
        assert!(path.is_match("/users"));
        assert!(!path.is_match("/a\u{a0}b"));
    }
}

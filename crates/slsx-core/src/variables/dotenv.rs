//! `.env` files for `useDotenv: true`: `.env.<stage>` when it exists, else `.env` (as Serverless v3
//! loads them; variables already in the environment win), with `${VAR}` / `$VAR` expansion like
//! dotenv-expand.

use std::collections::HashMap;
use std::path::Path;

/// The variables the service's `.env` files add to `env` (already set ones are not overridden).
pub fn load(
    service_dir: &Path,
    stage: &str,
    env: &HashMap<String, String>,
) -> HashMap<String, String> {
    let mut out: HashMap<String, String> = HashMap::new();
    let file = [format!(".env.{stage}"), ".env".to_string()]
        .into_iter()
        .map(|name| service_dir.join(name))
        .find(|p| p.is_file());
    if let Some(text) = file.and_then(|f| std::fs::read_to_string(f).ok()) {
        for (key, value) in parse(&text) {
            if env.contains_key(&key) || out.contains_key(&key) {
                continue;
            }
            out.insert(key, value);
        }
    }
    // Expansion sees the process environment first, then the files.
    let lookup = |k: &str, out: &HashMap<String, String>| {
        env.get(k)
            .or_else(|| out.get(k))
            .cloned()
            .unwrap_or_default()
    };
    let keys: Vec<String> = out.keys().cloned().collect();
    for key in keys {
        let expanded = expand(&out[&key], &|k| lookup(k, &out));
        out.insert(key, expanded);
    }
    out
}

/// `KEY=value` lines: `export` prefixes, `#` comments, single, double (with `\n`) and back quotes.
pub fn parse(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
        {
            continue;
        }
        let value = value.trim();
        let value = match value.chars().next() {
            Some(q @ ('"' | '\'' | '`')) if value.len() >= 2 && value.ends_with(q) => {
                let inner = &value[1..value.len() - 1];
                if q == '"' {
                    inner.replace("\\n", "\n").replace("\\r", "\r")
                } else {
                    inner.to_string()
                }
            }
            _ => value.split(" #").next().unwrap_or("").trim().to_string(),
        };
        out.push((key.to_string(), value));
    }
    out
}

fn expand(value: &str, lookup: &dyn Fn(&str) -> String) -> String {
    let mut out = String::new();
    let chars: Vec<char> = value.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\\' && chars.get(i + 1) == Some(&'$') {
            out.push('$');
            i += 2;
            continue;
        }
        if chars[i] == '$' {
            if chars.get(i + 1) == Some(&'{') {
                if let Some(end) = chars[i + 2..].iter().position(|c| *c == '}') {
                    let inner: String = chars[i + 2..i + 2 + end].iter().collect();
                    let (name, default) = match inner.split_once(":-") {
                        Some((n, d)) => (n.to_string(), Some(d.to_string())),
                        None => (inner, None),
                    };
                    let v = lookup(&name);
                    out.push_str(if v.is_empty() {
                        default.as_deref().unwrap_or("")
                    } else {
                        &v
                    });
                    i += 3 + end;
                    continue;
                }
            } else {
                let name: String = chars[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
                    .collect();
                if !name.is_empty() {
                    out.push_str(&lookup(&name));
                    i += 1 + name.chars().count();
                    continue;
                }
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_expands() {
        let text = "# c\nexport A=1\nB=\"two\\nlines\"\nC='${A}'\nD=${A}-x # note\n";
        let parsed = parse(text);
        assert_eq!(parsed[0], ("A".into(), "1".into()));
        assert_eq!(parsed[1], ("B".into(), "two\nlines".into()));
        assert_eq!(parsed[3], ("D".into(), "${A}-x".into()));
        let lookup = |k: &str| {
            if k == "A" {
                "1".to_string()
            } else {
                String::new()
            }
        };
        assert_eq!(expand("${A}-x", &lookup), "1-x");
        assert_eq!(expand("$A$B", &lookup), "1");
    }
}

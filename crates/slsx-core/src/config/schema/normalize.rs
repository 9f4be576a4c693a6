//! From ajv's errors to the lines osls prints, by osls 4.3.1's own rules
//! (lib/classes/config-schema-handler/normalize-ajv-errors.js), reimplemented: for a function event no
//! schema matched, only the errors of the event type the user meant (or "unsupported function
//! event"); for any other failed anyOf/oneOf, only the errors of the branch the user most likely
//! meant — else one "unsupported … format" line; then `at 'path': message`, duplicates dropped.
//! Which errors survive depends on the errors' order and on JavaScript's ways (object key order,
//! `localeCompare`, string prefixes), so those are reproduced too.

use std::cmp::Ordering;

use super::validator::{Parent, SchemaError};

/// One line osls prints, with the error it came from.
pub struct Line {
    pub error: SchemaError,
    /// The place: `'a.b'` or `root`.
    pub at: String,
    pub message: String,
}

struct Errors {
    list: Vec<SchemaError>,
    /// ajv's `instancePath` (a JSON pointer) of each error.
    pointers: Vec<String>,
    alive: Vec<bool>,
    /// The common type osls finds for the branches of a failed anyOf/oneOf.
    common: Vec<Option<Parent>>,
}

pub fn normalize(errors: Vec<SchemaError>) -> Vec<Line> {
    let n = errors.len();
    let pointers = errors.iter().map(|e| pointer(&e.path)).collect();
    let mut e = Errors {
        list: errors,
        pointers,
        alive: vec![true; n],
        common: vec![None; n],
    };
    filter_event_errors(&mut e);
    filter_any_of_errors(&mut e);
    let mut seen = std::collections::HashSet::new();
    let mut lines = Vec::new();
    for i in 0..n {
        if !e.alive[i] {
            continue;
        }
        let (at, message) = (shown(&e.pointers[i]), message(&e, i));
        if seen.insert(format!("at {at}: {message}")) {
            lines.push(Line {
                error: e.list[i].clone(),
                at,
                message,
            });
        }
    }
    lines
}

fn pointer(path: &[String]) -> String {
    path.iter()
        .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
        .collect()
}

/// osls's `normalizeInstancePath`.
fn shown(pointer: &str) -> String {
    if pointer.is_empty() {
        "root".into()
    } else {
        format!("'{}'", pointer[1..].replace('/', "."))
    }
}

/// `/functions/<name>/events/<n>`.
fn is_event_item(pointer: &str) -> bool {
    let parts: Vec<&str> = pointer.split('/').collect();
    parts.len() == 5
        && parts[0].is_empty()
        && parts[1] == "functions"
        && !parts[2].is_empty()
        && parts[3] == "events"
        && !parts[4].is_empty()
        && parts[4].bytes().all(|b| b.is_ascii_digit())
}

fn message(e: &Errors, i: usize) -> String {
    let error = &e.list[i];
    match error.keyword {
        "anyOf" if is_event_item(&e.pointers[i]) => "unsupported function event".into(),
        "anyOf" | "oneOf" => match &e.common[i] {
            Some(Parent::Const) => "unsupported value".into(),
            Some(Parent::Type(t) | Parent::Types(t, _)) => format!("unsupported {t} format"),
            _ => "unsupported configuration format".into(),
        },
        _ => error.message.clone(),
    }
}

/// JavaScript's `String.prototype.slice(start, end)` on ASCII, `end` as `indexOf` gave it.
fn js_slice(s: &str, start: usize, end: isize) -> &str {
    let len = s.len() as isize;
    let end = if end < 0 {
        (len + end).max(0)
    } else {
        end.min(len)
    } as usize;
    if start >= end {
        ""
    } else {
        &s[start..end]
    }
}

fn js_index_of(s: &str, needle: char, from: usize) -> isize {
    s.get(from..)
        .and_then(|rest| rest.find(needle))
        .map_or(-1, |at| (from + at) as isize)
}

/// Groups in first-seen order (the order of a JavaScript object with non-numeric keys).
fn group_by<K: PartialEq>(items: &[usize], key: impl Fn(usize) -> K) -> Vec<(K, Vec<usize>)> {
    let mut groups: Vec<(K, Vec<usize>)> = Vec::new();
    for &i in items {
        let k = key(i);
        match groups.iter_mut().find(|(g, _)| *g == k) {
            Some((_, members)) => members.push(i),
            None => groups.push((k, vec![i])),
        }
    }
    groups
}

/// osls's `filterIrreleventEventConfigurationErrors`.
fn filter_event_errors(e: &mut Errors) {
    let items: Vec<usize> = (0..e.list.len())
        .filter(|&i| e.alive[i] && is_event_item(&e.pointers[i]))
        .collect();
    let pointers = e.pointers.clone();
    for (at, errors) in group_by(&items, |i| pointers[i].clone()) {
        let Some(&no_match) = errors
            .iter()
            .find(|&&i| matches!(e.list[i].keyword, "anyOf" | "oneOf"))
        else {
            continue;
        };
        let root = e.list[no_match].schema_path.clone();
        let by_type = group_by(&errors, |i| {
            let sp = &e.list[i].schema_path;
            if *sp == root {
                None
            } else {
                let end = js_index_of(sp, '/', root.len() + 1) + 1;
                Some(js_slice(sp, 0, end).to_string())
            }
        });
        let meant = by_type
            .iter()
            .filter_map(|(k, members)| k.as_ref().map(|k| (k, members)))
            .find(|(_, members)| members.iter().all(|&i| e.list[i].keyword != "required"))
            .map(|(k, _)| k.clone());
        match meant {
            None => {
                let deeper = (0..e.list.len())
                    .any(|i| e.alive[i] && e.pointers[i].starts_with(&at) && e.pointers[i] != at);
                for &i in &errors {
                    if deeper || i != no_match {
                        e.alive[i] = false;
                    }
                }
            }
            Some(meant) => {
                // A string prefix, as osls tests it (event 1 also covers event 10's errors).
                for i in 0..e.list.len() {
                    if !e.alive[i] || !e.pointers[i].starts_with(&at) {
                        continue;
                    }
                    if e.pointers[i] == at && e.list[i].schema_path.starts_with(&meant) {
                        continue;
                    }
                    e.alive[i] = false;
                }
            }
        }
    }
}

/// Where `/anyOf` or `/oneOf` ends a schema path or stands before `/<n>/` (osls's
/// `/\/(?:anyOf|oneOf)(?:\/\d+\/|$)/`): the match's start.
fn find_union(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    (0..s.len()).find(|&at| {
        let rest = &s[at..];
        if !(rest.starts_with("/anyOf") || rest.starts_with("/oneOf")) {
            return false;
        }
        let after = &bytes[at + 6..];
        if after.is_empty() {
            return true;
        }
        let digits = after
            .iter()
            .skip(1)
            .take_while(|b| b.is_ascii_digit())
            .count();
        after[0] == b'/' && digits > 0 && after.get(1 + digits) == Some(&b'/')
    })
}

/// osls's `filterIrrelevantAnyOfErrors`.
fn filter_any_of_errors(e: &mut Errors) {
    let mut by_union: Vec<(String, Vec<usize>)> = Vec::new();
    for i in (0..e.list.len()).filter(|&i| e.alive[i]) {
        let sp = e.list[i].schema_path.clone();
        let mut from = 0;
        while let Some(at) = find_union(&sp[from..]) {
            let union = sp[..from + at + 6].to_string();
            match by_union.iter_mut().find(|(u, _)| *u == union) {
                Some((_, members)) => members.push(i),
                None => by_union.push((union, vec![i])),
            }
            from += at + 6;
        }
    }
    for (union, mut errors) in by_union {
        if errors.len() == 1 {
            continue;
        }
        errors.sort_by(|&a, &b| locale_compare(&e.pointers[a], &e.pointers[b]));
        let mut current = e.pointers[errors[0]].clone();
        let mut places: Vec<(String, Vec<usize>)> = Vec::new();
        for &i in &errors {
            let p = &e.pointers[i];
            if *p != current && !p.starts_with(&format!("{current}/")) {
                current = p.clone();
            }
            match places.iter_mut().find(|(k, _)| *k == current) {
                Some((_, members)) => members.push(i),
                None => places.push((current.clone(), vec![i])),
            }
        }
        for (_, errors) in places {
            if errors.len() > 1 {
                reduce_branches(e, &union, &errors);
            }
        }
    }
}

/// One failed anyOf/oneOf at one place: keep the meant branch's errors, or only the "no matching
/// branch" error (with the branches' common type, when they share one).
fn reduce_branches(e: &mut Errors, union: &str, errors: &[usize]) {
    let from = union.len() + 1;
    let mut by_branch = group_by(errors, |i| {
        let sp = &e.list[i].schema_path;
        if from > sp.len() {
            "root".to_string()
        } else {
            js_slice(sp, from, js_index_of(sp, '/', from)).to_string()
        }
    });
    let Some(root_at) = by_branch.iter().position(|(k, _)| k == "root") else {
        return;
    };
    let no_match = by_branch.remove(root_at).1[0];
    // A JavaScript object lists integer keys first, ascending.
    let index = |k: &str| k.parse::<u32>().ok().filter(|n| n.to_string() == k);
    by_branch.sort_by_key(|(k, _)| index(k).map_or((1, 0), |n| (0, n)));
    let mut branches: Vec<Vec<usize>> = by_branch.into_iter().map(|(_, v)| v).collect();
    if branches.is_empty() {
        return;
    }
    if branches.len() > 1 {
        // Branches that only say the value has another type.
        branches.retain(|b| {
            let only_type = b.len() == 1 && e.list[b[0]].keyword == "type" && {
                let rest = &e.list[b[0]].schema_path[union.len()..];
                rest.strip_prefix('/')
                    .and_then(|r| r.strip_suffix("/type"))
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()))
            };
            if only_type {
                e.alive[b[0]] = false;
            }
            !only_type
        });
        if branches.len() > 1 {
            let depth = |b: &Vec<usize>| {
                b.iter()
                    .map(|&i| e.pointers[i].matches('/').count())
                    .max()
                    .unwrap_or(0)
            };
            let deepest = branches.iter().map(depth).max().unwrap_or(0);
            let (kept, dropped): (Vec<_>, Vec<_>) =
                branches.into_iter().partition(|b| depth(b) == deepest);
            for i in dropped.into_iter().flatten() {
                e.alive[i] = false;
            }
            branches = kept;
        }
    }
    match branches.len() {
        0 => {}
        1 => e.alive[no_match] = false,
        _ => {
            for b in branches {
                let mut types: Vec<&Parent> = Vec::new();
                for &i in &b {
                    if !types.contains(&&e.list[i].parent) {
                        types.push(&e.list[i].parent);
                    }
                    e.alive[i] = false;
                }
                if let [only] = types.as_slice() {
                    e.common[no_match] = Some((*only).clone());
                }
            }
        }
    }
}

/// `a.localeCompare(b)` as Node's ICU root collation orders ASCII: punctuation, then digits, then
/// letters without regard to case; case (lower first) only breaks ties.
fn locale_compare(a: &str, b: &str) -> Ordering {
    const ORDER: &str = " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789abcdefghijklmnopqrstuvwxyz";
    let primary = |c: char| -> u32 {
        let lower = c.to_ascii_lowercase();
        ORDER
            .find(lower)
            .map_or(1000 + c as u32, |at| u32::try_from(at).unwrap_or(u32::MAX))
    };
    let keys = |s: &str| -> (Vec<u32>, Vec<bool>) {
        let visible = s.chars().filter(|c| !c.is_ascii_control());
        visible
            .map(|c| (primary(c), c.is_ascii_uppercase()))
            .unzip()
    };
    let (pa, ta) = keys(a);
    let (pb, tb) = keys(b);
    pa.cmp(&pb).then_with(|| ta.cmp(&tb)).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_compare_orders_as_node_does() {
        let mut v = vec![
            "/a/b/x", "/a/b:c", "/a/b-c", "/a/b_c", "/a/B", "/a/b", "/a/1", "/a/_",
        ];
        v.sort_by(|a, b| locale_compare(a, b));
        // node -e "console.log([...].sort((a, b) => a.localeCompare(b)))"
        assert_eq!(
            v,
            ["/a/_", "/a/1", "/a/b", "/a/B", "/a/b_c", "/a/b-c", "/a/b:c", "/a/b/x"]
        );
    }

    #[test]
    fn union_steps_in_schema_paths() {
        assert_eq!(find_union("#/a/anyOf/3/type"), Some(3));
        assert_eq!(find_union("#/a/anyOf"), Some(3));
        assert_eq!(find_union("#/a/anyOfx/3/"), None);
        assert_eq!(find_union("#/properties/anyOf/properties"), None);
    }
}

//! Documents as js-yaml reads them: directives (`%YAML`, `%TAG`), the `---` and `...` markers, and
//! the text's preparation (BOM, a final line break, no NUL).

use serde_json::Value;

use super::compose::Context;
use super::properties::{is_tag_handle, is_tag_uri, percent_decode};
use super::state::{is_white_space, is_ws_or_eol, State};
use super::YamlError;

type R<T> = Result<T, YamlError>;

/// A document and the 1-based line where it starts.
pub(super) struct Document {
    pub value: Value,
    pub line: usize,
}

impl State<'_> {
    fn read_directive(&mut self, version_seen: &mut bool) -> R<()> {
        let mut ch = self.advance();
        let start = self.position;
        while ch != 0 && !is_ws_or_eol(ch) {
            ch = self.advance();
        }
        let name = self.slice(start, self.position).into_owned();
        if name.is_empty() {
            return Err(self.error("directive name must not be less than one character in length"));
        }
        let mut args = Vec::new();
        while ch != 0 {
            while is_white_space(ch) {
                ch = self.advance();
            }
            if ch == b'#' {
                while ch != 0 && ch != b'\n' && ch != b'\r' {
                    ch = self.advance();
                }
                break;
            }
            if ch == b'\n' || ch == b'\r' {
                break;
            }
            let start = self.position;
            while ch != 0 && !is_ws_or_eol(ch) {
                ch = self.advance();
            }
            args.push(self.slice(start, self.position).into_owned());
        }
        if ch != 0 {
            self.read_line_break()?;
        }
        match name.as_str() {
            "YAML" => {
                if *version_seen {
                    return Err(self.error("duplication of %YAML directive"));
                }
                if args.len() != 1 {
                    return Err(self.error("YAML directive accepts exactly one argument"));
                }
                let major = match args[0].split_once('.') {
                    Some((major, minor))
                        if !major.is_empty()
                            && !minor.is_empty()
                            && major
                                .bytes()
                                .chain(minor.bytes())
                                .all(|b| b.is_ascii_digit()) =>
                    {
                        major.parse::<u64>().unwrap_or(u64::MAX)
                    }
                    _ => return Err(self.error("ill-formed argument of the YAML directive")),
                };
                if major != 1 {
                    return Err(self.error("unacceptable YAML version of the document"));
                }
                *version_seen = true;
            }
            "TAG" => {
                if args.len() != 2 {
                    return Err(self.error("TAG directive accepts exactly two arguments"));
                }
                let (handle, prefix) = (&args[0], &args[1]);
                if !is_tag_handle(handle) {
                    return Err(
                        self.error("ill-formed tag handle (first argument) of the TAG directive")
                    );
                }
                if self.tag_map.contains_key(handle) {
                    return Err(self.error(format!(
                        "there is a previously declared suffix for \"{handle}\" tag handle"
                    )));
                }
                if !is_tag_uri(prefix) {
                    return Err(
                        self.error("ill-formed tag prefix (second argument) of the TAG directive")
                    );
                }
                let Some(decoded) = percent_decode(prefix) else {
                    return Err(self.error(format!("tag prefix is malformed: {prefix}")));
                };
                self.tag_map.insert(handle.clone(), decoded);
            }
            // js-yaml only warns about other directives.
            _ => {}
        }
        Ok(())
    }

    fn read_document(&mut self) -> R<Document> {
        let mut has_directives = false;
        let mut version_seen = false;
        self.tag_map.clear();
        self.anchors.clear();
        while self.ch() != 0 {
            self.skip_separation_space(true);
            if self.line_indent > 0 || self.ch() != b'%' {
                break;
            }
            has_directives = true;
            self.read_directive(&mut version_seen)?;
        }
        self.skip_separation_space(true);
        let line = self.line + 1;
        if self.line_indent == 0
            && self.ch() == b'-'
            && self.at(self.position + 1) == b'-'
            && self.at(self.position + 2) == b'-'
        {
            self.position += 3;
            self.skip_separation_space(true);
        } else if has_directives {
            return Err(self.error("directives end mark is expected"));
        }
        self.compose_node(self.line_indent - 1, Context::BlockOut, false, true)?;
        self.skip_separation_space(true);
        let value = std::mem::take(&mut self.result);
        if self.position == self.line_start && self.test_document_separator() {
            if self.ch() == b'.' {
                self.position += 3;
                self.skip_separation_space(true);
            }
        } else if self.position + 1 < self.input.len() {
            return Err(self.error("end of the stream or a document separator is expected"));
        }
        Ok(Document { value, line })
    }
}

/// Every document of the text, as js-yaml's `loadAll` reads them, and the first circular alias.
pub(super) fn load_documents(source: &str) -> R<(Vec<Document>, Option<YamlError>)> {
    if source.is_empty() {
        return Ok((Vec::new(), None));
    }
    let source = source.strip_prefix('\u{FEFF}').unwrap_or(source);
    let mut text = String::with_capacity(source.len() + 1);
    text.push_str(source);
    if !text.ends_with(['\n', '\r']) {
        text.push('\n');
    }
    let input = text.as_bytes();
    let mut state = State::new(input);
    if let Some(nul) = input.iter().position(|&b| b == 0) {
        // Point at the real line (js-yaml says line 1).
        let mut probe = State::new(input);
        probe.line = input[..nul].iter().filter(|&&b| b == b'\n').count();
        probe.line_start = input[..nul]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        probe.position = nul;
        return Err(probe.error("null byte is not allowed in input"));
    }
    while state.ch() == b' ' {
        state.line_indent += 1;
        state.position += 1;
    }
    let mut documents = Vec::new();
    while state.position + 1 < input.len() {
        documents.push(state.read_document()?);
    }
    Ok((documents, state.circular))
}

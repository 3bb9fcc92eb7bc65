//! huggingface_hub's `stored_tokens` file, read exactly as huggingface_hub 2.4's
//! `get_stored_tokens()` reads it (reference §2.2): Python's `configparser` in strict mode,
//! UTF-8, universal newlines. Any parse error, a duplicate section or option, or bytes that are
//! not UTF-8 make Python see no tokens at all; a section without `hf_token` is a name with an
//! empty token; `[DEFAULT]` keys leak into every section. A differential test compares this
//! with the real library on thousands of generated files (tests/it/repairs.rs).

use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, Default)]
pub struct Section {
    pub name: String,
    pub values: BTreeMap<String, String>,
}

impl Section {
    pub fn token(&self) -> Option<String> {
        self.values
            .get("hf_token")
            .and_then(|t| crate::token::clean(t))
    }

    /// Browser (OAuth) logins carry a refresh token and an expiry; copying such a token into a
    /// static variable means it silently stops working (reference §1.6).
    pub fn expires(&self) -> bool {
        self.values.contains_key("expires_at") || self.values.contains_key("refresh_token")
    }

    pub fn refresh_token(&self) -> Option<&str> {
        self.values.get("refresh_token").map(String::as_str)
    }

    /// `expires_at` as Python's `int()` reads it; `None` when missing or corrupt, and then
    /// huggingface_hub no longer refreshes the login.
    pub fn expires_at(&self) -> Option<i64> {
        let v = self.values.get("expires_at")?.trim().replace('_', "");
        v.parse().ok()
    }

    /// A browser login huggingface_hub would refresh: both a refresh token and an expiry.
    pub fn refreshable(&self) -> bool {
        self.refresh_token().is_some() && self.expires_at().is_some()
    }
}

#[derive(Debug, Default)]
pub struct StoredTokens {
    /// Sections in file order, as Python lists them.
    pub sections: Vec<Section>,
    /// Why Python would see an empty file, if it would.
    pub python_error: Option<String>,
}

impl StoredTokens {
    pub fn get(&self, name: &str) -> Option<&Section> {
        if self.python_error.is_some() {
            return None;
        }
        self.sections.iter().find(|s| s.name == name)
    }

    pub fn usable(&self) -> impl Iterator<Item = &Section> {
        self.sections
            .iter()
            .filter(move |_| self.python_error.is_none())
    }
}

/// The file as huggingface_hub's `_save_stored_tokens_full` writes it: sections sorted by name,
/// `key = value`, a blank line after each section, continuation lines indented with a tab.
pub fn render(sections: &[Section]) -> String {
    let mut sorted: Vec<&Section> = sections.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let mut out = String::new();
    for section in sorted {
        out.push('[');
        out.push_str(&section.name);
        out.push_str("]\n");
        for (k, v) in section.ordered() {
            out.push_str(k);
            out.push_str(" = ");
            out.push_str(&v.replace('\n', "\n\t"));
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

impl Section {
    /// Keys in the order huggingface_hub writes a login (`hf_token`, `refresh_token`,
    /// `expires_at`), then any others.
    fn ordered(&self) -> Vec<(&str, &str)> {
        const FIRST: [&str; 3] = ["hf_token", "refresh_token", "expires_at"];
        let mut out: Vec<(&str, &str)> = FIRST
            .iter()
            .filter_map(|k| self.values.get(*k).map(|v| (*k, v.as_str())))
            .collect();
        out.extend(
            self.values
                .iter()
                .filter(|(k, _)| !FIRST.contains(&k.as_str()))
                .map(|(k, v)| (k.as_str(), v.as_str())),
        );
        out
    }
}

/// Reads the file the way hfenv reads anything: a regular file (a link is followed: dotfile
/// managers), opened without blocking, at most [`crate::files::SMALL`] bytes. A missing file
/// holds no tokens.
pub fn read(path: &Path) -> std::io::Result<StoredTokens> {
    use crate::files::{self, Links, ReadError};
    match files::read_bounded(path, files::SMALL, Links::Follow) {
        Ok(bytes) => Ok(parse_bytes(&bytes)),
        Err(e) if e.is_missing() => Ok(StoredTokens::default()),
        Err(ReadError::Io(e)) => Err(e),
        Err(e) => Err(std::io::Error::other(e.to_string())),
    }
}

/// Python opens the file as strict UTF-8: anything else is a decode error, and no tokens.
pub fn parse_bytes(bytes: &[u8]) -> StoredTokens {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse(text),
        Err(e) => StoredTokens {
            sections: Vec::new(),
            python_error: Some(format!(
                "byte {} is not UTF-8, and huggingface_hub reads the file as UTF-8",
                e.valid_up_to() + 1
            )),
        },
    }
}

/// Python's `str.strip()`.
fn py_strip(s: &str) -> &str {
    s.trim_matches(crate::token::python_space)
}

/// Lines as Python's text mode yields them: `\r\n`, `\r` and `\n` all end a line.
fn universal_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let r = rest?;
        match r.find(['\r', '\n']) {
            Some(at) => {
                let skip = if r[at..].starts_with("\r\n") { 2 } else { 1 };
                rest = Some(&r[at + skip..]).filter(|n| !n.is_empty());
                Some(&r[..at])
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// `RawConfigParser._read` of Python 3.11–3.13 with huggingface_hub's settings (strict,
/// `#`/`;` full-line comments only, empty lines kept in values, `=`/`:` delimiters), then
/// `_join_multiline_values` and `items(section)` (defaults first).
pub fn parse(text: &str) -> StoredTokens {
    const DEFAULT: &str = "DEFAULT";
    let mut defaults: Options = BTreeMap::new();
    let mut sections: Vec<(String, Options)> = Vec::new();
    let mut seen_options: std::collections::HashSet<(String, String)> = Default::default();
    let mut section_names: std::collections::HashSet<&str> = Default::default();
    let mut error: Option<String> = None;
    // Which map options go to: None before any header, Some(None) for DEFAULT.
    let mut current: Option<Option<usize>> = None;
    let mut section_name = String::new();
    let mut option: Option<String> = None;
    let mut indent_level = 0usize;

    for (index, line) in universal_lines(text).enumerate() {
        let lineno = index + 1;
        let value = py_strip(line);
        if value.starts_with(['#', ';']) {
            continue;
        }
        if value.is_empty() {
            if let (Some(target), Some(name)) = (current, option.as_deref()) {
                if !name.is_empty() {
                    let m = options_of(target, &mut defaults, &mut sections);
                    if let Some(v) = m.get_mut(name) {
                        v.push(String::new());
                    }
                }
            }
            continue;
        }
        let indent = line
            .chars()
            .take_while(|c| crate::token::python_space(*c))
            .count();
        if let (Some(target), Some(name)) = (current, option.as_deref()) {
            if !name.is_empty() && indent > indent_level {
                let m = options_of(target, &mut defaults, &mut sections);
                if let Some(v) = m.get_mut(name) {
                    v.push(value.to_string());
                }
                continue;
            }
        }
        indent_level = indent;
        if let Some(header) = section_header(value) {
            if !section_names.insert(header) {
                error = Some(format!(
                    "line {lineno}: section `{}` appears twice",
                    header.escape_debug()
                ));
                break;
            } else if header == DEFAULT {
                // DEFAULT may appear more than once; only its options must not repeat.
                section_names.remove(header);
                current = Some(None);
            } else {
                sections.push((header.to_string(), BTreeMap::new()));
                current = Some(Some(sections.len() - 1));
            }
            section_name = header.to_string();
            option = None;
            continue;
        }
        let Some(target) = current else {
            error = Some(format!("line {lineno}: text before the first `[section]`"));
            break;
        };
        let Some(at) = value.find(['=', ':']) else {
            error.get_or_insert(format!("line {lineno}: not `key = value`"));
            continue;
        };
        if at == 0 {
            error.get_or_insert(format!("line {lineno}: an option without a name"));
        }
        let key = value[..at]
            .trim_end_matches(crate::token::python_space)
            .to_lowercase();
        if !seen_options.insert((section_name.clone(), key.clone())) {
            error = Some(format!(
                "line {lineno}: key `{}` appears twice in a section",
                key.escape_debug()
            ));
            break;
        }
        let m = options_of(target, &mut defaults, &mut sections);
        m.insert(key.clone(), vec![py_strip(&value[at + 1..]).to_string()]);
        option = Some(key);
    }
    let join = |lines: Vec<String>| {
        lines
            .join("\n")
            .trim_end_matches(crate::token::python_space)
            .to_string()
    };
    let defaults: BTreeMap<String, String> =
        defaults.into_iter().map(|(k, v)| (k, join(v))).collect();
    let sections = sections
        .into_iter()
        .map(|(name, options)| {
            let mut values = defaults.clone();
            values.extend(options.into_iter().map(|(k, v)| (k, join(v))));
            Section { name, values }
        })
        .collect();
    StoredTokens {
        sections,
        python_error: error,
    }
}

type Options = BTreeMap<String, Vec<String>>;

fn options_of<'a>(
    target: Option<usize>,
    defaults: &'a mut Options,
    sections: &'a mut [(String, Options)],
) -> &'a mut Options {
    match target {
        Some(i) => &mut sections[i].1,
        None => defaults,
    }
}

/// configparser's SECTCRE `\[(?P<header>.+)\]`: greedy, matched from the start, not anchored
/// at the end.
fn section_header(stripped: &str) -> Option<&str> {
    let rest = stripped.strip_prefix('[')?;
    let end = rest.rfind(']')?;
    (end > 0).then(|| &rest[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_hf_auth_login_writes() {
        let t = parse("[my fine token]\nhf_token = hf_fine\n\n[tokA]\nhf_token = hf_a\n\n");
        assert!(t.python_error.is_none());
        assert_eq!(
            t.get("my fine token").unwrap().token().as_deref(),
            Some("hf_fine")
        );
        assert_eq!(t.get("tokA").unwrap().token().as_deref(), Some("hf_a"));
        assert!(t.get("toka").is_none(), "section names are case-sensitive");
    }

    #[test]
    fn renders_as_configparser_writes() {
        let t = parse("[b]\nhf_token = hf_b\nexpires_at = 5\nrefresh_token = r\n[a]\nhf_token=hf_a\nnote = x\n");
        assert_eq!(
            render(&t.sections),
            "[a]\nhf_token = hf_a\nnote = x\n\n[b]\nhf_token = hf_b\nrefresh_token = r\nexpires_at = 5\n\n"
        );
        assert!(t.get("b").unwrap().refreshable());
        assert!(!t.get("a").unwrap().refreshable());
    }

    #[test]
    fn python_quirks() {
        assert!(parse("[a]\nhf_token=x\n[a]\nhf_token=y\n")
            .python_error
            .is_some());
        let d = parse("[DEFAULT]\nhf_token = X\n[p9]\nfoo = bar\n");
        assert_eq!(d.get("p9").unwrap().token().as_deref(), Some("X"));
        let v = parse("[a]\nHF_TOKEN: hf_%abc ; not a comment\n");
        assert_eq!(
            v.get("a").unwrap().token().as_deref(),
            Some("hf_%abc ; not a comment")
        );
        let c = parse("[a]\nhf_token = hf_ab\n  cd\n");
        assert_eq!(c.get("a").unwrap().token().as_deref(), Some("hf_abcd"));
    }
}

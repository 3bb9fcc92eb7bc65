//! huggingface_hub's `stored_tokens` file, read exactly as Python's `configparser` reads it
//! (reference §2.2): any parse error, a duplicate section or a section without `hf_token` makes
//! Python see no tokens at all, and `[DEFAULT]` keys leak into every section.

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

pub fn read(path: &Path) -> std::io::Result<StoredTokens> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(parse(&String::from_utf8_lossy(&bytes))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(StoredTokens::default()),
        Err(e) => Err(e),
    }
}

pub fn parse(text: &str) -> StoredTokens {
    let mut defaults: BTreeMap<String, String> = BTreeMap::new();
    let mut sections: Vec<Section> = Vec::new();
    let mut error: Option<String> = None;
    // Which map the current option goes to: None = before any header, Some(None) = DEFAULT.
    let mut current: Option<Option<usize>> = None;
    let mut last_key: Option<String> = None;
    let mut key_indent = 0usize;

    for (index, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let stripped = line.trim();
        if stripped.starts_with('#') || stripped.starts_with(';') {
            continue;
        }
        if stripped.is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if let (Some(target), Some(key)) = (current, last_key.as_ref()) {
            if indent > key_indent {
                let map = match target {
                    Some(i) => &mut sections[i].values,
                    None => &mut defaults,
                };
                if let Some(v) = map.get_mut(key) {
                    v.push('\n');
                    v.push_str(stripped);
                }
                continue;
            }
        }
        key_indent = indent;
        if let Some(header) = section_header(stripped) {
            last_key = None;
            if header == "DEFAULT" {
                current = Some(None);
            } else if let Some(i) = sections.iter().position(|s| s.name == header) {
                error.get_or_insert(format!(
                    "line {}: section `{header}` appears twice",
                    index + 1
                ));
                current = Some(Some(i));
            } else {
                sections.push(Section {
                    name: header.to_string(),
                    values: BTreeMap::new(),
                });
                current = Some(Some(sections.len() - 1));
            }
            continue;
        }
        let Some(target) = current else {
            error.get_or_insert(format!(
                "line {}: text before the first `[section]`",
                index + 1
            ));
            continue;
        };
        match option(stripped) {
            Some((key, value)) => {
                let map = match target {
                    Some(i) => &mut sections[i].values,
                    None => &mut defaults,
                };
                if map.contains_key(&key) {
                    error.get_or_insert(format!("line {}: key `{key}` appears twice", index + 1));
                }
                map.insert(key.clone(), value);
                last_key = Some(key);
            }
            None => {
                error.get_or_insert(format!("line {}: not `key = value`", index + 1));
                last_key = None;
            }
        }
    }
    for section in &mut sections {
        for (k, v) in &defaults {
            section.values.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    if error.is_none() {
        if let Some(s) = sections.iter().find(|s| !s.values.contains_key("hf_token")) {
            error = Some(format!("section `{}` has no `hf_token`", s.name));
        }
    }
    StoredTokens {
        sections,
        python_error: error,
    }
}

/// configparser's SECTCRE `\[(?P<header>.+)\]`: greedy, matched from the start, not anchored
/// at the end.
fn section_header(stripped: &str) -> Option<&str> {
    let rest = stripped.strip_prefix('[')?;
    let end = rest.rfind(']')?;
    (end > 0).then(|| &rest[..end])
}

/// configparser's OPTCRE: the first `=` or `:` splits; the key is lower-cased.
fn option(stripped: &str) -> Option<(String, String)> {
    let at = stripped.find(['=', ':'])?;
    let key = stripped[..at].trim_end().to_lowercase();
    if key.is_empty() {
        return None;
    }
    Some((key, stripped[at + 1..].trim().to_string()))
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

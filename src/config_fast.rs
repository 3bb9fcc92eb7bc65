//! Reading a large config without a TOML tree per profile. A config as `hfenv add` writes it is
//! mostly `[profiles.NAME]` tables of `key = "string"` lines; with 10,000 profiles the general
//! TOML parser (a spanned tree of the whole document, then serde) is most of an export's time
//! and memory. This reads that strict subset line by line and hands everything else — the
//! non-profile tables, and any profile table that is not plain — to the TOML parser.
//!
//! It never changes a result: whenever the text strays from the subset in a way that could
//! matter (multi-line strings, quoted, dotted or array-of-table profile headers, `profiles`
//! named anywhere else, a duplicate, anything the TOML parser rejects), it answers `None` and
//! the caller parses the whole text as before. A differential test holds the two to equality.

use std::collections::BTreeMap;
use std::ops::Range;

use toml::Spanned;

use crate::config::{Config, Profile};

/// `Some(config)` when the text is in the subset, else `None` (parse it whole).
pub(crate) fn parse(text: &str) -> Option<Config> {
    if text.contains("\"\"\"") || text.contains("'''") {
        return None;
    }
    let mut rest = String::new();
    let mut profiles: BTreeMap<String, Spanned<Profile>> = BTreeMap::new();
    // The profile being read: name, header span, start and end of its body.
    let mut open: Option<(&str, Range<usize>, usize, usize)> = None;
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.strip_suffix('\n').unwrap_or(raw);
        let line = line.strip_suffix('\r').unwrap_or(line);
        let body = line.trim_start_matches([' ', '\t']);
        if body.starts_with('[') {
            if let Some((name, span, from, to)) = open.take() {
                finish(text, name, span, from..to, &mut profiles)?;
            }
            if let Some((name, at)) = profile_header(body) {
                let indent = line.len() - body.len();
                let span = start + indent + at.start..start + indent + at.end;
                open = Some((name, span, offset, offset));
                continue;
            }
        }
        match &mut open {
            Some((_, _, _, to)) => *to = offset,
            None => {
                // `profiles` anywhere outside a plain header (a `[profiles]` table, dotted keys,
                // an inline table, `[[profiles.x]]`): the whole parser decides.
                if line.contains("profiles") {
                    return None;
                }
                rest.push_str(raw);
            }
        }
    }
    if let Some((name, span, from, to)) = open.take() {
        finish(text, name, span, from..to, &mut profiles)?;
    }
    let mut config: Config = toml::from_str(&rest).ok()?;
    config.profiles = profiles;
    Some(config)
}

/// `[profiles.NAME]` with a bare NAME and nothing after but blanks or a comment: the name and
/// the header's span within `line`.
fn profile_header(line: &str) -> Option<(&str, Range<usize>)> {
    let inner = line.strip_prefix("[profiles.")?;
    let end = inner.find(']')?;
    let name = &inner[..end];
    let after = inner[end + 1..].trim_start_matches([' ', '\t']);
    let bare = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    (bare && (after.is_empty() || plain_comment(after)))
        .then(|| (name, 0.."[profiles.".len() + end + 1))
}

fn plain_comment(text: &str) -> bool {
    text.starts_with('#') && !text.chars().any(|c| c.is_control() && c != '\t')
}

/// One profile table's body: plain lines read here, anything else parsed alone by the TOML
/// parser (a table's body means the same as a document's root).
fn finish(
    text: &str,
    name: &str,
    span: Range<usize>,
    body: Range<usize>,
    profiles: &mut BTreeMap<String, Spanned<Profile>>,
) -> Option<()> {
    let body = &text[body];
    let profile = match plain_profile(body) {
        Some(p) => p,
        None => {
            if body.contains("profiles") || body.contains("\n[") {
                return None;
            }
            toml::from_str::<Profile>(body).ok()?
        }
    };
    if profiles
        .insert(name.to_string(), Spanned::new(span, profile))
        .is_some()
    {
        return None; // a duplicate table: the TOML parser says so with its position
    }
    Some(())
}

/// Lines of `key = "basic string"` / `key = 'literal string'` (no escapes), blanks and comments.
fn plain_profile(body: &str) -> Option<Profile> {
    let mut profile = Profile::default();
    for line in body.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let line = line.trim_matches([' ', '\t']);
        if line.is_empty() || plain_comment(line) {
            continue;
        }
        let (key, value) = line.split_once('=')?;
        let key = key.trim_end_matches([' ', '\t']);
        let value = value.trim_start_matches([' ', '\t']);
        let quote = value.chars().next().filter(|q| *q == '"' || *q == '\'')?;
        let close = value[1..].find(quote)? + 1;
        let string = &value[1..close];
        let after = value[close + 1..].trim_start_matches([' ', '\t']);
        if !(after.is_empty() || plain_comment(after))
            || string.contains('\\')
            || string.chars().any(|c| c.is_control() && c != '\t')
        {
            return None;
        }
        let slot = match key {
            "token" => &mut profile.token,
            "token_command" => &mut profile.token_command,
            "token_env" => &mut profile.token_env,
            "hf_stored" => &mut profile.hf_stored,
            _ => return None,
        };
        if slot.replace(string.to_string()).is_some() {
            return None; // a duplicate key
        }
    }
    Some(profile)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast reader either declines or gives exactly what the TOML parser gives, spans
    /// included (they place `file:line:col` in errors).
    fn same(text: &str) -> bool {
        let full: Result<Config, _> = toml::from_str(text);
        match parse(text) {
            None => false,
            Some(fast) => {
                let full =
                    full.unwrap_or_else(|e| panic!("fast path accepted bad TOML {text:?}: {e}"));
                assert_eq!(format!("{fast:?}"), format!("{full:?}"), "{text:?}");
                true
            }
        }
    }

    #[test]
    fn the_plain_form_is_read_fast_and_equal() {
        assert!(same(""));
        assert!(same("[profiles.work]\ntoken = \"hf_abc\"\n"));
        assert!(same(
            "# mine\n[settings]\ndotenv = false\ndotenv_files = [\".env\", \".env.local\"]\n\n\
             [profiles.work]\ntoken = \"hf_abc\" # the work one\n\n  [profiles.ci]  # ci\n\
             token_env = 'CI_HF_TOKEN'\n\n[dirs]\n\"~/acme\" = \"work\"\n\n\
             [profiles.team]\r\nhf_stored = \"team\"\r\n"
        ));
        // A profile with `env` goes through the TOML parser alone, still equal.
        assert!(same(
            "[profiles.work]\ntoken = \"hf_abc\"\nenv = { HF_HOME = \"/data\" }\n[profiles.b]\ntoken = 'x'\n"
        ));
        assert!(same(
            "[profiles.work]\ntoken_command = \"op read 'op://x'\"\nenv.A = \"1\"\n"
        ));
        // An escape: that table alone goes through the TOML parser.
        assert!(same(
            "[profiles.work]\ntoken = \"a\\u0041\"\n[profiles.b]\ntoken = 'x'\n"
        ));
    }

    #[test]
    fn anything_else_is_left_to_the_toml_parser() {
        for text in [
            "[profiles.work]\ntoken = \"\"\"hf_abc\"\"\"\n",
            "[profiles.\"a.b\"]\ntoken = \"x\"\n",
            "[profiles.a.env]\nX = \"1\"\n",
            "[[profiles.a]]\ntoken = \"x\"\n",
            "[profiles]\na = { token = \"x\" }\n",
            "profiles.a.token = \"x\"\n",
            "[profiles.a]\ntoken = \"x\"\n[profiles.a]\ntoken = \"y\"\n",
            "[profiles.a]\ntoken = \"x\"\ntoken = \"y\"\n",
            "[profiles.a]\ntoken = \"x\"\nbogus = \"y\"\n",
            "[profiles.a]\ntoken = \"x\" junk\n",
            "[settings]\nnope = 1\n[profiles.a]\ntoken = \"x\"\n",
            "[dirs]\n\"a\" = [\n[profiles.y]\ntoken = \"t\"\n]\n",
            "[profiles.a]\ntoken = \"x\u{7}\"\n",
        ] {
            assert!(!same(text), "{text:?}");
        }
    }

    #[test]
    fn ten_thousand_profiles_are_equal_too() {
        let mut text = String::from("[settings]\ndotenv_search = \"root\"\n\n");
        for i in 0..10_000 {
            text.push_str(&format!(
                "[profiles.p{i:05}]\ntoken = \"hf_Fake{i:030}\"\n\n"
            ));
        }
        text.push_str("[dirs]\n\"/w\" = \"p05000\"\n");
        assert!(same(&text));
    }
}

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

use std::ops::Range;

use toml::Spanned;

use crate::config::{Config, Profile};

/// The profile table being read: its name, header span, body, and — while every line so far
/// is plain — the profile those lines make.
struct Open<'t> {
    name: &'t str,
    span: Range<usize>,
    body: Range<usize>,
    plain: Option<Profile>,
}

/// `Some(config)` when the text is in the subset, else `None` (parse it whole).
pub(crate) fn parse(text: &str) -> Option<Config> {
    let mut rest = String::new();
    // Sized once: a profile table takes at least two lines of a dozen bytes, and room never
    // used is never touched, while growing would copy every profile read so far.
    let mut profiles: Vec<(String, Spanned<Profile>)> = Vec::with_capacity(text.len() / 24 + 1);
    let mut open: Option<Open> = None;
    let bytes = text.as_bytes();
    let mut offset = 0;
    while offset < bytes.len() {
        let start = offset;
        // `str::find` looks for a byte with memchr, a word at a time.
        offset = match text[start..].find('\n') {
            Some(i) => start + i + 1,
            None => bytes.len(),
        };
        let raw = &text[start..offset];
        // `\r` ends a line only before `\n`; a lone one (at the end of the text) stays, and
        // the TOML parser rejects it.
        let line = match raw.strip_suffix('\n') {
            Some(line) => line.strip_suffix('\r').unwrap_or(line),
            None => raw,
        };
        let body = line.trim_start_matches([' ', '\t']);
        if body.starts_with('[') {
            if let Some(table) = open.take() {
                finish(text, table, &mut profiles)?;
            }
            if let Some((name, at)) = profile_header(body) {
                let indent = line.len() - body.len();
                let span = start + indent + at.start..start + indent + at.end;
                open = Some(Open {
                    name,
                    span,
                    body: offset..offset,
                    plain: Some(Profile::default()),
                });
                continue;
            }
        }
        match &mut open {
            Some(table) => {
                table.body.end = offset;
                if let Some(profile) = &mut table.plain {
                    if !plain_line(body, profile) {
                        table.plain = None;
                    }
                }
            }
            None => {
                // `profiles` anywhere outside a plain header (a `[profiles]` table, dotted keys,
                // an inline table, `[[profiles.x]]`), or a multi-line string (whose lines could
                // look like headers): the whole parser decides. A plain line cannot open a
                // multi-line string, so only the other lines are looked at for one.
                if line.contains("profiles") || multi_line_string(raw) {
                    return None;
                }
                rest.push_str(raw);
            }
        }
    }
    if let Some(table) = open.take() {
        finish(text, table, &mut profiles)?;
    }
    // One sorted bulk build instead of a tree insert per profile. `hfenv add` appends, so the
    // tables are usually in order already and the (stable) sort is one pass.
    if !profiles.windows(2).all(|w| w[0].0 < w[1].0) {
        profiles.sort_by(|a, b| a.0.cmp(&b.0));
        if profiles.windows(2).any(|w| w[0].0 == w[1].0) {
            return None; // a duplicate table: the TOML parser says so with its position
        }
    }
    let mut config: Config = toml::from_str(&rest).ok()?;
    config.profiles = crate::config::Profiles::from_sorted(profiles);
    Some(config)
}

/// `[profiles.NAME]` with a bare NAME and nothing after but blanks or a comment: the name and
/// the header's span within `line`.
fn profile_header(line: &str) -> Option<(&str, Range<usize>)> {
    let inner = line.strip_prefix("[profiles.")?;
    let end = inner.bytes().position(|b| b == b']')?;
    let name = &inner[..end];
    let after = inner[end + 1..].trim_start_matches([' ', '\t']);
    let bare = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    (bare && (after.is_empty() || plain_comment(after)))
        .then(|| (name, 0.."[profiles.".len() + end + 1))
}

fn multi_line_string(text: &str) -> bool {
    text.contains("\"\"\"") || text.contains("'''")
}

fn plain_comment(text: &str) -> bool {
    text.starts_with('#') && !has_control(text)
}

/// Whether `text` holds a control character (Unicode `Cc`) other than a tab, read as bytes:
/// C0 and DEL are single bytes, C1 (U+0080..U+009F) is `C2 80`..`C2 9F` in UTF-8.
fn has_control(text: &str) -> bool {
    let bytes = text.as_bytes();
    // Printable ASCII (nearly every value) is told in one branch-free pass.
    if !bytes
        .iter()
        .fold(false, |odd, &b| odd | !(0x20..0x7f).contains(&b))
    {
        return false;
    }
    bytes.iter().enumerate().any(|(i, &b)| {
        (b < 0x20 && b != b'\t')
            || b == 0x7f
            || (b == 0xc2 && bytes.get(i + 1).is_some_and(|n| (0x80..=0x9f).contains(n)))
    })
}

/// One profile table's body: read here when every line was plain, else parsed alone by the
/// TOML parser (a table's body means the same as a document's root).
fn finish<'t>(
    text: &'t str,
    table: Open<'t>,
    profiles: &mut Vec<(String, Spanned<Profile>)>,
) -> Option<()> {
    let profile = match table.plain {
        Some(p) => p,
        None => {
            let body = &text[table.body];
            if body.contains("profiles") || body.contains("\n[") || multi_line_string(body) {
                return None;
            }
            toml::from_str::<Profile>(body).ok()?
        }
    };
    profiles.push((table.name.to_string(), Spanned::new(table.span, profile)));
    Some(())
}

/// One line of a profile's body, already free of its line break and leading blanks: a blank, a
/// comment, or `key = "basic string"` / `key = 'literal string'` (no escapes), added to
/// `profile`. `false` when the line is anything else.
fn plain_line(line: &str, profile: &mut Profile) -> bool {
    let line = line.trim_end_matches([' ', '\t']);
    if line.is_empty() || plain_comment(line) {
        return true;
    }
    let Some(eq) = line.bytes().position(|b| b == b'=') else {
        return false;
    };
    let key = line[..eq].trim_end_matches([' ', '\t']);
    let value = line[eq + 1..].trim_start_matches([' ', '\t']);
    let quote = match value.as_bytes().first() {
        Some(&q @ (b'"' | b'\'')) => q,
        _ => return false,
    };
    let Some(close) = value.as_bytes()[1..].iter().position(|&b| b == quote) else {
        return false;
    };
    let close = close + 1;
    let string = &value[1..close];
    let after = value[close + 1..].trim_start_matches([' ', '\t']);
    if !(after.is_empty() || plain_comment(after))
        || string.as_bytes().contains(&b'\\')
        || has_control(string)
    {
        return false;
    }
    let slot = match key {
        "token" => &mut profile.token,
        "token_command" => &mut profile.token_command,
        "token_env" => &mut profile.token_env,
        "hf_stored" => &mut profile.hf_stored,
        _ => return false,
    };
    // A duplicate key is not plain: the TOML parser says so.
    slot.replace(string.to_string()).is_none()
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
            // A multi-line string whose lines look like a profile table.
            "[dirs]\n\"x\" = \"\"\"\n[profiles.a]\ntoken = \"t\"\n[more]\n\"\"\"\n",
            "[dirs]\n\"x\" = '''\n[profiles.a]\ntoken = \"t\"\n[more]\n'''\n",
            "[profiles.a]\ntoken = \"x\"\nenv.A = \"\"\"\n[profiles.b]\ntoken = \"y\"\n\"\"\"\n",
            "[profiles.a]\r\ntoken = \"x\"\r",
        ] {
            assert!(!same(text), "{text:?}");
        }
    }

    use crate::proptests::xorshift;

    /// Configs glued from whole lines, plain and almost plain (control characters, escapes,
    /// duplicates, unordered and repeated tables, `\r\n`, junk after a value): whatever the fast
    /// reader accepts, it reads exactly as the TOML parser does.
    #[test]
    fn generated_configs_are_read_equal_or_declined() {
        const LINES: &[&str] = &[
            "[profiles.a]",
            "[profiles.b]",
            "[profiles.b-2]",
            "[profiles.a_1] # c",
            "  [profiles.z]\t",
            "[profiles.a] \u{85}",
            "[profiles.é]",
            "[profiles.a.env]",
            "[settings]",
            "[dirs]",
            "\"/w\" = \"a\"",
            "dotenv = false",
            "token = \"hf_abc\"",
            "token = 'hf_abc'",
            "token=\"x\"#c",
            "token = \"x\u{7f}\"",
            "token = \"x\u{85}\"",
            "token = \"x\u{a0}\"",
            "token = \"a\\u0041\"",
            "token = \"x\" junk",
            "token = \"x\" # é \u{9f}",
            "token = \"x\tb\"",
            "token_command = \"op read 'x'\"",
            "token_env = 'CI_HF'",
            "hf_stored = \"team\"",
            "keyring = true",
            "env = { A = \"1\" }",
            "env.B = \"2\"",
            "A = \"1\"",
            "owners = [\"acme\"]",
            "token = \"\"",
            "token = \"a=b\"",
            "\"token\" = \"x\"",
            "# profiles",
            "# comment \u{1}",
            "",
            "   ",
            "profiles.q.token = \"x\"",
            "token = \"x",
            "\"x\" = \"\"\"",
            "\"\"\"",
            "'''",
            "token = '''x'''",
            "token = \"x\" # \"\"\"",
            "[profiles.q] # '''",
        ];
        let mut rng = xorshift::Rng(0x5eed_c0f1_fa57_0003);
        let mut fast = 0;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..rng.below(12) {
                text.push_str(LINES[rng.below(LINES.len())]);
                text.push_str(if rng.below(6) == 0 { "\r\n" } else { "\n" });
            }
            if rng.below(4) == 0 {
                text.pop();
            }
            fast += usize::from(same(&text));
        }
        // The fast path itself was exercised, not only the fallback.
        assert!(
            fast > 2_000,
            "only {fast} generated configs took the fast path"
        );
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

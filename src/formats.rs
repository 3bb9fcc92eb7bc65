//! What `hfenv export dotenv|github` write, worded so that the reader on the other side gets
//! back exactly what was meant: python-dotenv (the newest release) byte for byte, and GitHub
//! Actions with every value that might be a secret masked in its logs.

use crate::wanted::PROFILE_VAR;

// python-dotenv's `\s` and `rstrip()` are Python's notion of whitespace.
use crate::token::python_space;

/// Whether `KEY=value`, unquoted, reads back as `value` in python-dotenv and is also what
/// Docker's `--env-file` (which takes the rest of the line literally) sees.
pub(crate) fn dotenv_literal(v: &str) -> bool {
    let mut prev_space = false;
    for c in v.chars() {
        // A line break ends the value; `#` after whitespace starts a comment.
        if c == '\n' || c == '\r' || (c == '#' && prev_space) {
            return false;
        }
        prev_space = python_space(c);
    }
    // Leading whitespace is eaten with the `=`, trailing whitespace stripped, a leading quote
    // starts a quoted value, and `${…}` is expanded in every kind of value.
    !v.starts_with(|c: char| python_space(c) || c == '"' || c == '\'')
        && !v.ends_with(python_space)
        && !v.contains("${")
}

/// The value as written after `KEY=`: literal when [`dotenv_literal`], else double-quoted with
/// the escapes python-dotenv decodes (`\\`, `\"`, `\n`, `\r`, `\t`). python-dotenv expands
/// `${NAME}` even inside quotes and has no escape for `$`; `${:-$}` (an unnamed variable's
/// default, `$`) spells a literal `$` before `{`.
pub(crate) fn dotenv_value(v: &str) -> String {
    if dotenv_literal(v) {
        return v.to_string();
    }
    let mut out = String::with_capacity(v.len() + 8);
    out.push('"');
    let mut chars = v.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            // Python reads text files with universal newlines: a raw CR would become LF.
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' if chars.peek() == Some(&'{') => out.push_str("${:-$}"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether a value may appear in a GitHub Actions log: the profile's name, a boolean, or a
/// path in a variable that holds one. Everything else is masked.
pub(crate) fn github_harmless(key: &str, value: &str) -> bool {
    if value.is_empty() || key == PROFILE_VAR {
        return true;
    }
    let boolean = matches!(
        value.to_ascii_lowercase().as_str(),
        "0" | "1" | "true" | "false" | "yes" | "no" | "on" | "off"
    );
    if boolean {
        return true;
    }
    let path_key = key == "PATH"
        || key.ends_with("_HOME")
        || key.ends_with("_PATH")
        || key.ends_with("_DIR")
        || key.ends_with("_CACHE")
        || key.starts_with("XDG_");
    let path_value = (value.starts_with('/') || value.starts_with("~/"))
        && !value.chars().any(|c| c.is_control());
    path_key && path_value
}

/// `::add-mask::` commands hiding `value` in later log output: one per line, since the runner
/// masks line by line; `%`, CR and LF escaped as workflow commands require.
pub(crate) fn github_masks(value: &str) -> String {
    let mut out = String::new();
    let mut lines: Vec<&str> = value
        .split(['\n', '\r'])
        .filter(|l| !l.trim().is_empty())
        .collect();
    if value.contains(['\n', '\r']) {
        lines.push(value);
    }
    for line in lines {
        let escaped = line
            .replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A");
        out.push_str(&format!("::add-mask::{escaped}\n"));
    }
    out
}

/// One `$GITHUB_ENV` entry in the multi-line form, with a delimiter the value cannot contain
/// (a value holding the delimiter line would end it early and set other variables).
pub(crate) fn github_env_entry(key: &str, value: &str, seed: &str) -> String {
    let mut n = 0u32;
    loop {
        let delimiter = format!(
            "ghadelimiter_{}",
            crate::token::fingerprint(&format!("{key}{seed}{n}"))
        );
        if !value.contains(&delimiter) {
            return format!("{key}<<{delimiter}\n{value}\n{delimiter}\n");
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_only_when_python_dotenv_and_docker_agree() {
        for plain in [
            "",
            "abc",
            "/data/hf work",
            "a#b",
            "#x",
            "a=b",
            "$HOME",
            "é😀",
        ] {
            assert!(dotenv_literal(plain), "{plain:?}");
        }
        for quoted in [
            " a",
            "a ",
            "x #y",
            "x\t#y",
            "x\u{b}#y",
            "x\u{c}#y",
            "x\u{a0}#y",
            "x\u{85}#y",
            "x\u{1f}#y",
            "x\u{1f}",
            "x${HOME}y",
            "'q'",
            "\"q",
            "a\nb",
            "a\rb",
        ] {
            assert!(!dotenv_literal(quoted), "{quoted:?}");
        }
        assert_eq!(dotenv_value("x${HOME}y"), "\"x${:-$}{HOME}y\"");
        assert_eq!(dotenv_value("a\\n\"b\r"), "\"a\\\\n\\\"b\\r\"");
    }

    #[test]
    fn github_masks_all_but_the_harmless() {
        assert!(github_harmless("HFENV_PROFILE", "work"));
        assert!(github_harmless("HF_HUB_OFFLINE", "1"));
        assert!(github_harmless("HF_HOME", "/data/hf"));
        assert!(!github_harmless("WANDB_API_KEY", "0123456789abcdef"));
        assert!(!github_harmless("OPENAI_API_KEY", "/sk-abc"));
        assert!(!github_harmless("HF_ENDPOINT", "https://u:p@hub"));
        assert_eq!(
            github_masks("a%b\nline two"),
            "::add-mask::a%25b\n::add-mask::line two\n::add-mask::a%25b%0Aline two\n"
        );
        let entry = github_env_entry("K", "v", "s");
        let delimiter = entry.lines().next().unwrap().trim_start_matches("K<<");
        let hostile = format!("x\n{delimiter}\nEVIL=1");
        assert!(!github_env_entry("K", &hostile, "s").starts_with(&format!("K<<{delimiter}\n")));
    }
}

//! Where hfenv and huggingface_hub keep their files. Every function honours the XDG variables so
//! tests (and users) can sandbox everything.

use std::env;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub(crate) fn home() -> Option<PathBuf> {
    env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .or_else(dirs::home_dir)
}

fn xdg(var: &str, fallback: impl FnOnce() -> Option<PathBuf>) -> Option<PathBuf> {
    // The XDG spec says relative values are invalid and must be ignored.
    match env::var_os(var).map(PathBuf::from) {
        Some(p) if p.is_absolute() => Some(p),
        _ => fallback(),
    }
}

pub(crate) fn config_file() -> Result<PathBuf> {
    if let Some(p) = env::var_os("HFENV_CONFIG").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    xdg("XDG_CONFIG_HOME", dirs::config_dir)
        .map(|d| d.join("hfenv").join("config.toml"))
        .ok_or_else(|| {
            Error::new(
                "could not find a config directory",
                "set `HFENV_CONFIG` or `HOME`",
            )
        })
}

pub(crate) fn state_dir() -> Result<PathBuf> {
    xdg("XDG_STATE_HOME", || {
        dirs::state_dir().or_else(|| home().map(|h| h.join(".local/state")))
    })
    .map(|d| d.join("hfenv"))
    .ok_or_else(|| {
        Error::new(
            "could not find a state directory",
            "set `XDG_STATE_HOME` or `HOME`",
        )
    })
}

/// `~/x` and `~` become absolute; everything else is returned as is.
pub(crate) fn expand_tilde(path: &str) -> PathBuf {
    if path == "~" {
        if let Some(h) = home() {
            return h;
        }
    }
    if let Some(rest) = path.strip_prefix("~/") {
        if let Some(h) = home() {
            return h.join(rest);
        }
    }
    PathBuf::from(path)
}

/// The inverse, for paths we write into the user's config: `~/acme` reads better and survives
/// a moved home directory.
pub(crate) fn abbreviate_home(path: &Path) -> String {
    if let Some(h) = home() {
        if let Ok(rest) = path.strip_prefix(&h) {
            return if rest.as_os_str().is_empty() {
                "~".into()
            } else {
                format!("~/{}", rest.display())
            };
        }
    }
    path.display().to_string()
}

/// Python's `os.path.expandvars(os.path.expanduser(p))`, which huggingface_hub applies to
/// `HF_HOME` and `HF_TOKEN_PATH`. Unknown variables are left as written, as Python does.
pub(crate) fn python_expand(raw: &str, lookup: &dyn Fn(&str) -> Option<String>) -> PathBuf {
    let user_expanded = if raw == "~" || raw.starts_with("~/") {
        match home() {
            Some(h) => format!("{}{}", h.display(), &raw[1..]),
            None => raw.to_string(),
        }
    } else {
        raw.to_string()
    };
    let bytes = user_expanded.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' {
            let rest = &user_expanded[i + 1..];
            let (name, consumed) = if let Some(inner) = rest.strip_prefix('{') {
                match inner.find('}') {
                    Some(end) => (&inner[..end], end + 2),
                    None => ("", 0),
                }
            } else {
                let len = rest
                    .bytes()
                    .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                    .count();
                (&rest[..len], len)
            };
            if !name.is_empty() {
                if let Some(v) = lookup(name) {
                    out.push_str(&v);
                    i += 1 + consumed;
                    continue;
                }
            }
        }
        let ch = user_expanded[i..].chars().next().unwrap_or('$');
        out.push(ch);
        i += ch.len_utf8();
    }
    PathBuf::from(out)
}

/// Where huggingface_hub 2.x reads its active token (reference §1.4), given a view of the
/// environment. `HUGGINGFACE_CO_STAGING` redirects it, ignoring `HF_HOME` and `HF_TOKEN_PATH`.
pub(crate) fn hf_token_path(lookup: &dyn Fn(&str) -> Option<String>) -> PathBuf {
    if is_true(lookup("HUGGINGFACE_CO_STAGING").as_deref()) {
        return python_expand("~/.cache/huggingface_staging/token", lookup);
    }
    match lookup("HF_TOKEN_PATH") {
        Some(p) => python_expand(&p, lookup),
        None => hf_home(lookup).join("token"),
    }
}

/// stored_tokens is always the sibling of the token file; it is not an environment variable.
/// It is computed before the staging override, hence its own derivation (reference §1.4).
pub(crate) fn hf_stored_tokens_path(lookup: &dyn Fn(&str) -> Option<String>) -> PathBuf {
    let token_path = match lookup("HF_TOKEN_PATH") {
        Some(p) => python_expand(&p, lookup),
        None => hf_home(lookup).join("token"),
    };
    token_path
        .parent()
        .map(|p| p.join("stored_tokens"))
        .unwrap_or_else(|| PathBuf::from("stored_tokens"))
}

pub(crate) fn hf_home(lookup: &dyn Fn(&str) -> Option<String>) -> PathBuf {
    match lookup("HF_HOME") {
        Some(p) => python_expand(&p, lookup),
        None => {
            let cache = lookup("XDG_CACHE_HOME").unwrap_or_else(|| "~/.cache".into());
            python_expand(&format!("{cache}/huggingface"), lookup)
        }
    }
}

/// huggingface_hub's `_is_true`: only these spellings count, case-insensitively.
pub(crate) fn is_true(value: Option<&str>) -> bool {
    matches!(
        value.map(|v| v.to_ascii_uppercase()).as_deref(),
        Some("1" | "ON" | "YES" | "TRUE")
    )
}

/// The process environment, read once. `std::env::var` scans the whole environment on each
/// call; in a shell holding thousands of `.env` keys that made every lookup, and so `export`,
/// quadratic.
pub(crate) fn process_env(name: &str) -> Option<String> {
    static SNAPSHOT: std::sync::OnceLock<std::collections::HashMap<String, String>> =
        std::sync::OnceLock::new();
    SNAPSHOT
        .get_or_init(|| {
            env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect()
        })
        .get(name)
        .cloned()
}

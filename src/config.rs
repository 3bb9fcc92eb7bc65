//! The user's config file: reading it strictly (unknown keys are errors, with file, line and
//! column), and editing it without losing a comment, under a lock, atomically.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::error::{io_error, Error, Result};
use crate::{files, paths};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub settings: Settings,
    #[serde(default)]
    pub profiles: BTreeMap<String, toml::Spanned<Profile>>,
    /// Directory pins kept in the user's own config: `"~/acme" = "work"`.
    #[serde(default)]
    pub dirs: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Seconds a `token_command` may take before it is abandoned.
    pub token_command_timeout: f64,
    /// Whether trusted `.env` files are loaded at all.
    pub dotenv: bool,
    /// File names looked for in the current directory and its ancestors.
    pub dotenv_files: Vec<String>,
    /// How far up `.env` files are looked for: `home` (stop at the home directory, or `/` outside
    /// it), `root`, or `cwd` (the current directory only).
    pub dotenv_search: DotenvSearch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DotenvSearch {
    Home,
    Root,
    Cwd,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            token_command_timeout: 10.0,
            dotenv: true,
            dotenv_files: vec![".env".into()],
            dotenv_search: DotenvSearch::Home,
        }
    }
}

impl Settings {
    pub fn token_command_timeout(&self) -> Duration {
        Duration::from_secs_f64(self.token_command_timeout.clamp(0.1, 600.0))
    }
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub token: Option<String>,
    pub token_command: Option<String>,
    pub token_env: Option<String>,
    pub hf_stored: Option<String>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Source<'a> {
    Inline(&'a str),
    Command(&'a str),
    Env(&'a str),
    HfStored(&'a str),
}

impl Profile {
    pub fn source(&self) -> Option<Source<'_>> {
        match (
            &self.token,
            &self.token_command,
            &self.token_env,
            &self.hf_stored,
        ) {
            (Some(t), None, None, None) => Some(Source::Inline(t)),
            (None, Some(c), None, None) => Some(Source::Command(c)),
            (None, None, Some(e), None) => Some(Source::Env(e)),
            (None, None, None, Some(s)) => Some(Source::HfStored(s)),
            _ => None,
        }
    }

    /// A stable digest of the definition: a token fetched for this profile stays valid while the
    /// definition is unchanged, so a `token_command` does not run again on every `cd`.
    pub fn digest(&self) -> String {
        let text = format!(
            "{:?}|{:?}|{:?}|{:?}|{:?}",
            self.token, self.token_command, self.token_env, self.hf_stored, self.env
        );
        crate::token::fingerprint(&text)
    }
}

impl Source<'_> {
    pub fn describe(&self) -> String {
        match self {
            Source::Inline(_) => "inline token".into(),
            Source::Command(c) => format!("command `{c}`"),
            Source::Env(v) => format!("variable `{v}`"),
            Source::HfStored(n) => format!("hf stored token `{n}`"),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Source::Inline(_) => "token",
            Source::Command(_) => "token_command",
            Source::Env(_) => "token_env",
            Source::HfStored(_) => "hf_stored",
        }
    }
}

pub const NAME_RULE: &str =
    "a profile name starts with a letter or digit and contains only letters, digits, `.`, `_` and `-`";

pub fn valid_profile_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

pub fn check_profile_name(name: &str) -> Result<()> {
    if valid_profile_name(name) {
        Ok(())
    } else {
        Err(Error::usage(
            format!("invalid profile name `{name}`"),
            NAME_RULE,
        ))
    }
}

/// A value pasted where a variable name belongs.
pub fn looks_like_token(text: &str) -> bool {
    (text.starts_with("hf_") || text.starts_with("api_org")) && text.len() >= 16
}

pub fn valid_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Variables hfenv owns while a profile is active; a profile's `env` may not set them.
pub const TOKEN_VARS: [&str; 2] = ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"];

pub struct Loaded {
    pub path: PathBuf,
    pub config: Config,
    /// The text as read, so edits start from exactly what the user wrote.
    pub text: String,
}

impl Config {
    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.get(name).map(|p| p.get_ref())
    }

    pub fn names(&self) -> Vec<&str> {
        self.profiles.keys().map(String::as_str).collect()
    }

    pub fn unknown_profile(&self, name: &str) -> Error {
        let known = self.names();
        let list = if known.is_empty() {
            "no profiles exist yet; add one with `hfenv add NAME`".to_string()
        } else {
            format!(
                "known profiles: {}",
                known
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        Error::new(format!("no profile named `{name}`"), list)
    }
}

/// Reads the config; a missing file is an empty config.
pub fn load() -> Result<Loaded> {
    let path = paths::config_file()?;
    load_from(&path)
}

pub fn load_from(path: &Path) -> Result<Loaded> {
    // A FIFO or a link to `/dev/zero` is refused, never waited on or read without end.
    let text = match files::read_bounded_string(path, files::SMALL, files::Links::Follow) {
        Ok(t) => t,
        Err(e) if e.is_missing() => String::new(),
        Err(e) => {
            return Err(Error::new(
                format!("could not read the config `{}`: {e}", path.display()),
                "make it a regular file hfenv can read (hfenv did not change it)",
            ))
        }
    };
    let config = parse(path, &text)?;
    Ok(Loaded {
        path: path.to_path_buf(),
        config,
        text,
    })
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

fn located(path: &Path, text: &str, offset: usize, what: &str, fix: &str) -> Error {
    let (line, col) = line_col(text, offset);
    Error::new(format!("{}:{line}:{col}: {what}", path.display()), fix)
}

pub fn parse(path: &Path, text: &str) -> Result<Config> {
    let config: Config = toml::from_str(text).map_err(|e| {
        let offset = e.span().map(|s| s.start).unwrap_or(0);
        let message = e.message().trim().trim_end_matches('.').to_string();
        located(
            path,
            text,
            offset,
            &first_lower(&message),
            "fix the config by hand; hfenv did not change it",
        )
    })?;
    for (name, spanned) in &config.profiles {
        let offset = spanned.span().start;
        let at = |what: String, fix: &str| located(path, text, offset, &what, fix);
        if !valid_profile_name(name) {
            return Err(at(format!("invalid profile name `{name}`"), NAME_RULE));
        }
        let profile = spanned.get_ref();
        if profile.source().is_none() {
            let given = [
                profile.token.as_ref().map(|_| "token"),
                profile.token_command.as_ref().map(|_| "token_command"),
                profile.token_env.as_ref().map(|_| "token_env"),
                profile.hf_stored.as_ref().map(|_| "hf_stored"),
            ];
            let given: Vec<_> = given.into_iter().flatten().collect();
            let what = if given.is_empty() {
                format!("profile `{name}` has no token source")
            } else {
                format!(
                    "profile `{name}` has several token sources ({})",
                    given.join(", ")
                )
            };
            return Err(at(
                what,
                "give exactly one of `token`, `token_command`, `token_env` or `hf_stored`",
            ));
        }
        if let Some(Source::Env(var)) = profile.source() {
            if TOKEN_VARS.contains(&var) || !valid_env_name(var) || looks_like_token(var) {
                return Err(at(
                    format!("profile `{name}` reads its token from `{var}`"),
                    "name another variable (hfenv itself sets `HF_TOKEN`), such as `CI_HF_TOKEN`",
                ));
            }
        }
        if let Some(Source::Inline(token)) = profile.source() {
            if token.starts_with("api_org") {
                return Err(at(
                    format!("profile `{name}` holds an `api_org…` organization token"),
                    "use a user access token",
                ));
            }
        }
        for key in profile.env.keys() {
            if TOKEN_VARS.contains(&key.as_str()) {
                return Err(at(
                    format!("profile `{name}` sets `{key}` in `env`"),
                    "put the token in the profile's token source; hfenv exports it as `HF_TOKEN`",
                ));
            }
            if !valid_env_name(key) {
                return Err(at(
                    format!("profile `{name}` sets `{key}`, which is not a variable name"),
                    "use letters, digits and `_`",
                ));
            }
        }
    }
    Ok(config)
}

fn first_lower(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// An edit of the config under an exclusive lock: other `hfenv` processes wait, so two
/// concurrent `add`s both survive.
pub struct Edit {
    pub path: PathBuf,
    pub doc: toml_edit::DocumentMut,
    pub config: Config,
    _lock: File,
}

impl Edit {
    pub fn begin() -> Result<Edit> {
        let path = paths::config_file()?;
        let lock_path = crate::state::ensure_dir()?.join("config.lock");
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&lock_path)
            .map_err(|e| io_error("open the lock", &lock_path, e))?;
        lock.lock().map_err(|e| io_error("lock", &lock_path, e))?;
        // Read only after the lock is held: the file may have changed while we waited.
        let loaded = load_from(&path)?;
        let doc: toml_edit::DocumentMut = loaded
            .text
            .parse()
            .map_err(|e| Error::plain(format!("{}: {e}", path.display())))?;
        Ok(Edit {
            path,
            doc,
            config: loaded.config,
            _lock: lock,
        })
    }

    pub fn profiles_table(&mut self) -> &mut toml_edit::Table {
        let item = self.doc.entry("profiles").or_insert_with(|| {
            let mut t = toml_edit::Table::new();
            t.set_implicit(true);
            toml_edit::Item::Table(t)
        });
        item.as_table_mut()
            .expect("`profiles` is a table: the config parsed")
    }

    pub fn dirs_table(&mut self) -> &mut toml_edit::Table {
        let item = self
            .doc
            .entry("dirs")
            .or_insert_with(|| toml_edit::Item::Table(toml_edit::Table::new()));
        item.as_table_mut()
            .expect("`dirs` is a table: the config parsed")
    }

    /// Removes a profile's table. Comment paragraphs above it that a blank line separates from
    /// it (a file header, notes about the previous profile) are not its own: they move to the
    /// table that follows, or stay at the end.
    pub fn remove_profile(&mut self, name: &str) {
        let Some(removed) = self.profiles_table().remove(name) else {
            return;
        };
        let Some(table) = removed.as_table() else {
            return;
        };
        let prefix = table
            .decor()
            .prefix()
            .and_then(|p| p.as_str())
            .unwrap_or("")
            .to_string();
        let Some(split) = prefix.rfind("\n\n") else {
            return;
        };
        let keep = &prefix[..split + 2];
        let position = table.position();
        let mut next: Option<&mut toml_edit::Table> = None;
        for (_, item) in self.doc.as_table_mut().iter_mut() {
            let Some(t) = item.as_table_mut() else {
                continue;
            };
            let candidates: Vec<&mut toml_edit::Table> = if t.is_implicit() {
                t.iter_mut().filter_map(|(_, i)| i.as_table_mut()).collect()
            } else {
                vec![t]
            };
            for c in candidates {
                let later = c.position().zip(position).is_some_and(|(p, r)| p > r);
                let earlier_than_best = next.as_ref().is_none_or(|n| c.position() < n.position());
                if later && earlier_than_best {
                    next = Some(c);
                }
            }
        }
        match next {
            Some(t) => {
                let old = t
                    .decor()
                    .prefix()
                    .and_then(|p| p.as_str())
                    .unwrap_or("")
                    .to_string();
                t.decor_mut().set_prefix(format!("{keep}{old}"));
            }
            None => {
                let trailing = self.doc.trailing().as_str().unwrap_or("").to_string();
                self.doc.set_trailing(format!("{keep}{trailing}"));
            }
        }
    }

    /// An empty `[dirs]` header left behind by the last rule's removal is noise.
    pub fn drop_empty_dirs(&mut self) {
        if self
            .doc
            .get("dirs")
            .and_then(|d| d.as_table())
            .is_some_and(|t| t.is_empty())
        {
            self.doc.remove("dirs");
        }
    }

    /// Validates the edited text as a whole before it replaces the file.
    pub fn commit(self) -> Result<()> {
        let text = self.doc.to_string();
        parse(&self.path, &text)?;
        // A symlinked config is the user's (dotfile managers): written through to its target.
        let through = files::WriteOptions {
            links: files::Links::Follow,
            ..files::WriteOptions::PRIVATE
        };
        files::write_atomic(&self.path, text.as_bytes(), through)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in ["work", "a", "9x", "a.b_c-d"] {
            assert!(valid_profile_name(ok), "{ok}");
        }
        for bad in ["", "-x", ".x", "a b", "a/b", "é", "_x"] {
            assert!(!valid_profile_name(bad), "{bad}");
        }
    }

    #[test]
    fn errors_carry_line_and_column() {
        let e = parse(Path::new("c.toml"), "[profiles.a]\ntokn = \"x\"\n").unwrap_err();
        assert!(
            e.message.starts_with("c.toml:2:1: unknown field `tokn`"),
            "{}",
            e.message
        );
        let e = parse(Path::new("c.toml"), "\n\n[profiles.a]\n").unwrap_err();
        assert!(e.message.starts_with("c.toml:3:"), "{}", e.message);
    }
}

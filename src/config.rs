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
pub(crate) struct Config {
    #[serde(default)]
    pub settings: Settings,
    #[serde(default)]
    pub profiles: Profiles,
    /// Directory pins kept in the user's own config: `"~/acme" = "work"`.
    #[serde(default)]
    pub dirs: BTreeMap<String, String>,
}

/// The profiles by name, each with where its table is in the text. A vector sorted by name
/// rather than a tree: the config is read at every export, and with 10,000 profiles building
/// the tree's nodes (and faulting in their memory) was a fifth of the run; after reading it is
/// only looked up and walked in order.
#[derive(Debug, Default, Deserialize)]
#[serde(from = "BTreeMap<String, toml::Spanned<Profile>>")]
pub(crate) struct Profiles(Vec<(String, toml::Spanned<Profile>)>);

impl From<BTreeMap<String, toml::Spanned<Profile>>> for Profiles {
    fn from(tree: BTreeMap<String, toml::Spanned<Profile>>) -> Self {
        Profiles(tree.into_iter().collect())
    }
}

impl Profiles {
    /// From profiles already sorted by name, each name once (`config_fast` checks both).
    pub(crate) fn from_sorted(profiles: Vec<(String, toml::Spanned<Profile>)>) -> Self {
        debug_assert!(profiles.windows(2).all(|w| w[0].0 < w[1].0));
        Profiles(profiles)
    }

    pub(crate) fn get(&self, name: &str) -> Option<&toml::Spanned<Profile>> {
        let i = self
            .0
            .binary_search_by(|(k, _)| k.as_str().cmp(name))
            .ok()?;
        Some(&self.0[i].1)
    }

    pub(crate) fn iter(&self) -> ProfilesIter<'_> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(k, _)| k)
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &toml::Spanned<Profile>> {
        self.0.iter().map(|(_, v)| v)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

type ProfilesIter<'a> = std::iter::Map<
    std::slice::Iter<'a, (String, toml::Spanned<Profile>)>,
    fn(&'a (String, toml::Spanned<Profile>)) -> (&'a String, &'a toml::Spanned<Profile>),
>;

impl<'a> IntoIterator for &'a Profiles {
    type Item = (&'a String, &'a toml::Spanned<Profile>);
    type IntoIter = ProfilesIter<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Settings {
    /// Seconds a `token_command` may take before it is abandoned.
    pub token_command_timeout: f64,
    /// Whether trusted `.env` files are loaded at all.
    pub dotenv: bool,
    /// File names looked for in the current directory and its ancestors.
    pub dotenv_files: Vec<String>,
    /// How far up `.env` files are looked for: `home` (stop at the home directory, or `/` outside
    /// it), `root`, or `cwd` (the current directory only).
    pub dotenv_search: DotenvSearch,
    /// Where `hfenv add` keeps a pasted token: `auto` (the OS credential store when one
    /// answers, else the config), `keyring` (the store, or fail), `config` (inline).
    pub store: StoreChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum StoreChoice {
    #[default]
    Auto,
    Keyring,
    Config,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum DotenvSearch {
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
            store: StoreChoice::Auto,
        }
    }
}

impl Settings {
    pub(crate) fn token_command_timeout(&self) -> Duration {
        Duration::from_secs_f64(self.token_command_timeout.clamp(0.1, 600.0))
    }

    /// How long the credential store may take to answer (a hung daemon, an unlock prompt
    /// nobody answers): the same bound as a `token_command`.
    pub(crate) fn store_timeout(&self) -> Duration {
        self.token_command_timeout()
    }
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct Profile {
    pub token: Option<String>,
    pub token_command: Option<String>,
    pub token_env: Option<String>,
    pub hf_stored: Option<String>,
    /// `keyring = true`: the token lives in the OS credential store (service `hfenv`, account =
    /// the profile's name); the config holds no secret.
    pub keyring: Option<bool>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// How a browser login reaches programs: `file` (default) hands huggingface_hub a token
    /// file it refreshes itself (`HF_TOKEN_PATH`); `env` exports a copy as `HF_TOKEN`, which
    /// the shell hook renews but a running process keeps.
    #[serde(default)]
    pub token_via: Option<TokenVia>,
    /// Hub owners (users or organisations) this profile serves: the git credential helper and
    /// `exec --for OWNER/NAME` pick it by the owner of the repository.
    #[serde(default)]
    pub owners: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum TokenVia {
    File,
    Env,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Source<'a> {
    Inline(&'a str),
    Command(&'a str),
    Env(&'a str),
    HfStored(&'a str),
    /// The OS credential store, under the profile's name (see `store`).
    Keyring,
}

impl Profile {
    /// A variable as seen by what this profile runs: its own `env` first, then `outer`.
    pub(crate) fn var(&self, name: &str, outer: impl Fn(&str) -> Option<String>) -> Option<String> {
        self.env.get(name).cloned().or_else(|| outer(name))
    }

    pub(crate) fn source(&self) -> Option<Source<'_>> {
        match (
            &self.token,
            &self.token_command,
            &self.token_env,
            &self.hf_stored,
            self.keyring == Some(true),
        ) {
            (Some(t), None, None, None, false) => Some(Source::Inline(t)),
            (None, Some(c), None, None, false) => Some(Source::Command(c)),
            (None, None, Some(e), None, false) => Some(Source::Env(e)),
            (None, None, None, Some(s), false) => Some(Source::HfStored(s)),
            (None, None, None, None, true) => Some(Source::Keyring),
            _ => None,
        }
    }

    pub(crate) fn token_via(&self) -> TokenVia {
        self.token_via.unwrap_or(TokenVia::File)
    }

    /// A stable digest of the definition: a token fetched for this profile stays valid while the
    /// definition is unchanged, so a `token_command` does not run again on every `cd`.
    pub(crate) fn digest(&self) -> String {
        let mut text = format!(
            "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
            self.token, self.token_command, self.token_env, self.hf_stored, self.env, self.keyring
        );
        // Only when set, so existing definitions keep their digest.
        if let Some(via) = self.token_via {
            text.push_str(&format!("|{via:?}"));
        }
        crate::token::fingerprint(&text)
    }
}

impl Source<'_> {
    pub(crate) fn describe(&self) -> String {
        match self {
            Source::Inline(_) => "inline token".into(),
            Source::Command(c) => format!("command `{c}`"),
            Source::Env(v) => format!("variable `{v}`"),
            Source::HfStored(n) => format!("hf stored token `{n}`"),
            Source::Keyring => "credential store".into(),
        }
    }
}

pub(crate) const NAME_RULE: &str =
    "a profile name starts with a letter or digit, contains only letters, digits, `.`, `_` and `-`, and does not look like a token";

/// A profile name is exported (`HFENV_PROFILE`), shown in prompts and listings: it must never
/// be a token pasted in the wrong place.
pub(crate) fn valid_profile_name(name: &str) -> bool {
    // Bytes, not chars: every allowed character is ASCII, and a config can hold thousands.
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphanumeric())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        && !looks_like_token(name)
}

pub(crate) fn check_profile_name(name: &str) -> Result<()> {
    if looks_like_token(name) {
        // Said masked: the name is a secret pasted in the wrong place.
        return Err(Error::usage(
            format!("`{}` looks like a token, not a profile name", crate::token::mask(name)),
            "a token is never an argument: run `hfenv add NAME` and paste it at the prompt (and revoke it if it reached your shell history)",
        ));
    }
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
pub(crate) fn looks_like_token(text: &str) -> bool {
    (text.starts_with("hf_") || text.starts_with("api_org")) && text.len() >= 16
}

/// A Hub user or organisation name, as it appears in `huggingface.co/OWNER/NAME`.
pub(crate) fn valid_owner(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 96
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !name.starts_with(['-', '.'])
}

pub(crate) fn valid_env_name(name: &str) -> bool {
    // Bytes, not chars: every allowed character is ASCII, and a `.env` asks for thousands.
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Variables hfenv owns while a profile is active; a profile's `env` may not set them.
pub(crate) const TOKEN_VARS: [&str; 2] = ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"];

pub(crate) struct Loaded {
    pub path: PathBuf,
    pub config: Config,
    /// The text as read, so edits start from exactly what the user wrote.
    pub text: String,
}

impl Config {
    pub(crate) fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.get(name).map(|p| p.get_ref())
    }

    pub(crate) fn names(&self) -> Vec<&str> {
        self.profiles.keys().map(String::as_str).collect()
    }

    pub(crate) fn unknown_profile(&self, name: &str) -> Error {
        Error::new(
            format!("no profile named `{}`", name.escape_debug()),
            self.closest_profiles(name),
        )
    }

    /// What to say after "no profile named X": the closest few names ("did you mean"), all of
    /// them when there are only a few, else where to see them. Linear in the number of
    /// profiles.
    pub(crate) fn closest_profiles(&self, name: &str) -> String {
        let known = self.names();
        if known.is_empty() {
            return "no profiles exist yet; add one with `hfenv add NAME`".into();
        }
        let quote = |names: &[&str]| {
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut close: Vec<(usize, &str)> = known
            .iter()
            .filter_map(|k| closeness(name, k).map(|d| (d, *k)))
            .collect();
        close.sort();
        close.truncate(3);
        if !close.is_empty() {
            let names: Vec<&str> = close.into_iter().map(|(_, n)| n).collect();
            format!("did you mean {}?", quote(&names))
        } else if known.len() <= 5 {
            format!("known profiles: {}", quote(&known))
        } else {
            format!("`hfenv list` shows all {} profiles", known.len())
        }
    }
}

/// How far `typed` is from `known`, if it is close enough to suggest: edit distance (a
/// transposition counts once), with case differences free and a prefix counting as close.
fn closeness(typed: &str, known: &str) -> Option<usize> {
    const LONGEST: usize = 64;
    if typed.len() > LONGEST || known.len() > LONGEST {
        return None;
    }
    let a: Vec<char> = typed.to_lowercase().chars().collect();
    let b: Vec<char> = known.to_lowercase().chars().collect();
    if a == b {
        return Some(0);
    }
    // Optimal string alignment distance, three rows.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(before[j - 2] + 1);
            }
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let distance = prev[b.len()];
    let allowed = (a.len().max(b.len()) / 3).max(1);
    if distance <= allowed {
        Some(distance)
    } else if a.len() >= 3 && (b.starts_with(&a) || a.starts_with(&b)) {
        Some(allowed + 1)
    } else {
        None
    }
}

/// Reads the config; a missing file is an empty config.
pub(crate) fn load() -> Result<Loaded> {
    let path = paths::config_file()?;
    load_from(&path)
}

pub(crate) fn load_from(path: &Path) -> Result<Loaded> {
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

pub(crate) fn parse(path: &Path, text: &str) -> Result<Config> {
    // The plain form `hfenv add` writes is read without a TOML tree per profile; anything else
    // (and every error) goes through the TOML parser, so the result is the same.
    let fast = crate::config_fast::parse(text);
    let config: Config = match fast {
        Some(config) => config,
        None => toml::from_str(text).map_err(|e| {
            let offset = e.span().map(|s| s.start).unwrap_or(0);
            let message = e.message().trim().trim_end_matches('.').to_string();
            located(
                path,
                text,
                offset,
                &first_lower(&message),
                "fix the config by hand; hfenv did not change it",
            )
        })?,
    };
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
                profile.keyring.map(|_| "keyring"),
            ];
            let given: Vec<_> = given.into_iter().flatten().collect();
            let what = if profile.keyring == Some(false) && given.len() == 1 {
                format!("profile `{name}` has `keyring = false` and no other token source")
            } else if given.is_empty() {
                format!("profile `{name}` has no token source")
            } else {
                format!(
                    "profile `{name}` has several token sources ({})",
                    given.join(", ")
                )
            };
            return Err(at(
                what,
                "give exactly one of `token`, `token_command`, `token_env`, `hf_stored` or `keyring = true`",
            ));
        }
        if let Some(Source::Env(var)) = profile.source() {
            // Without case too: nushell takes `hf_token` for `HF_TOKEN`. hfenv's own variables
            // (`HFENV_PROFILE`, the marker `__HFENV_STATE`) hold no token.
            if TOKEN_VARS.iter().any(|t| t.eq_ignore_ascii_case(var))
                || crate::names::is_hfenvs_own(var)
                || !valid_env_name(var)
                || looks_like_token(var)
            {
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
        if profile.token_via.is_some() && profile.hf_stored.is_none() {
            return Err(at(
                format!("profile `{name}` sets `token_via` without `hf_stored`"),
                "`token_via` chooses how a browser login saved by `hf auth login` is handed out; remove it",
            ));
        }
        for owner in &profile.owners {
            if !valid_owner(owner) {
                return Err(at(
                    format!("profile `{name}` lists `{owner}` in `owners`, which is not a Hub user or organisation name"),
                    "use names as they appear in Hub URLs, such as `acme` for huggingface.co/acme/model",
                ));
            }
            if let Some((other, _)) = config.profiles.iter().find(|(n, p)| {
                *n != name
                    && p.get_ref()
                        .owners
                        .iter()
                        .any(|o| o.eq_ignore_ascii_case(owner))
            }) {
                if name < other {
                    return Err(at(
                        format!("owner `{owner}` is listed by profiles `{name}` and `{other}`"),
                        "each owner may be served by one profile; remove it from one of them",
                    ));
                }
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
    if let Some((at, what, fix)) = check_values(&config) {
        let offset = value_offset(text, &at).unwrap_or(0);
        return Err(located(path, text, offset, &what, &fix));
    }
    Ok(config)
}

/// Longest `token_command_timeout`: a password prompt fits, a hung command does not hold a
/// shell for longer.
const MAX_TIMEOUT_SECS: f64 = 600.0;
/// Longest `NAME=value` one environment string may be (Linux's `MAX_ARG_STRLEN`): past it every
/// program the shell starts fails with "Argument list too long".
const MAX_ENV_STRING: usize = 128 * 1024 - 1;

/// Which value a check failed on, so the error can point at it.
enum At {
    Setting(&'static str),
    DotenvFile(usize),
    ProfileKey(String, &'static str),
    ProfileEnv(String, String),
    DirRule(String),
    DirValue(String),
}

/// Every value the types alone do not constrain: a number that is not one (`nan`), a negative
/// or huge timeout, a file name that is a path, a value no environment can hold.
fn check_values(config: &Config) -> Option<(At, String, String)> {
    let timeout = config.settings.token_command_timeout;
    if !(timeout.is_finite() && (0.1..=MAX_TIMEOUT_SECS).contains(&timeout)) {
        return Some((
            At::Setting("token_command_timeout"),
            format!("`token_command_timeout` is {timeout:?}"),
            format!("give a number of seconds from 0.1 to {MAX_TIMEOUT_SECS}"),
        ));
    }
    if config.settings.dotenv_files.len() > 32 {
        return Some((
            At::Setting("dotenv_files"),
            "`dotenv_files` names more than 32 files".into(),
            "list the few names you use".into(),
        ));
    }
    for (i, name) in config.settings.dotenv_files.iter().enumerate() {
        let bad = name.is_empty()
            || name == "."
            || name == ".."
            || name.contains('/')
            || name.chars().any(char::is_control)
            || name.len() > 255;
        if bad {
            return Some((
                At::DotenvFile(i),
                format!(
                    "`dotenv_files` holds `{}`, which is not a file name",
                    name.escape_debug()
                ),
                "give plain file names such as `.env` or `.env.local`".into(),
            ));
        }
    }
    for (name, profile) in &config.profiles {
        let profile = profile.get_ref();
        // Nearly every token is printable ASCII without blanks, which none of the checks below
        // can fault: said in one byte pass, as a config can hold thousands.
        let plain = |t: &str| {
            !t.is_empty() && t.len() <= 16 * 1024 && t.bytes().all(|b| b.is_ascii_graphic())
        };
        if let Some(token) = profile.token.as_ref().filter(|t| !plain(t)) {
            // What `token::clean` gives, borrowed when there is no line break to remove (one
            // allocation per profile adds up over thousands).
            let cleaned: Option<std::borrow::Cow<str>> =
                if token.bytes().any(|b| b == b'\r' || b == b'\n') {
                    crate::token::clean(token).map(Into::into)
                } else {
                    Some(token.trim_matches(crate::token::python_space))
                        .filter(|t| !t.is_empty())
                        .map(Into::into)
                };
            let what = match &cleaned {
                None => Some("is empty"),
                Some(t) if t.chars().any(char::is_control) => Some("contains control characters"),
                Some(t) if t.len() > 16 * 1024 => Some("is longer than 16 KiB"),
                Some(_) => None,
            };
            if let Some(what) = what {
                return Some((
                    At::ProfileKey(name.clone(), "token"),
                    format!("profile `{name}`: `token` {what}"),
                    format!("set it again with `hfenv add {name} --force`"),
                ));
            }
        }
        if let Some(command) = &profile.token_command {
            if command.trim().is_empty() || command.contains('\0') {
                return Some((
                    At::ProfileKey(name.clone(), "token_command"),
                    format!("profile `{name}`: `token_command` is empty or holds a NUL byte"),
                    "give the command that prints the token".into(),
                ));
            }
        }
        if let Some(section) = &profile.hf_stored {
            if section.is_empty() || section == "DEFAULT" || section.chars().any(char::is_control) {
                return Some((
                    At::ProfileKey(name.clone(), "hf_stored"),
                    format!(
                        "profile `{name}`: `hf_stored` is `{}`, which huggingface_hub cannot store a token under",
                        section.escape_debug()
                    ),
                    "name a token listed by `hf auth list`".into(),
                ));
            }
        }
        for (key, value) in &profile.env {
            let what = if key.starts_with("HFENV_") || key.starts_with("__HFENV_") {
                Some(format!("sets `{key}`, which belongs to hfenv itself"))
            } else if value.contains('\0') {
                Some(format!(
                    "sets `{key}` to a value holding a NUL byte, which no environment can hold"
                ))
            } else if key.len() + 1 + value.len() > MAX_ENV_STRING {
                Some(format!(
                    "sets `{key}` to {} bytes, more than a program can be started with",
                    value.len()
                ))
            } else {
                None
            };
            if let Some(what) = what {
                return Some((
                    At::ProfileEnv(name.clone(), key.clone()),
                    format!("profile `{name}` {what}"),
                    "remove or shorten it in `env`".into(),
                ));
            }
        }
    }
    for (rule, name) in &config.dirs {
        let path = crate::paths::expand_tilde(rule);
        if rule.is_empty() || !path.is_absolute() || rule.chars().any(char::is_control) {
            return Some((
                At::DirRule(rule.clone()),
                format!(
                    "directory rule `{}` is not an absolute path",
                    rule.escape_debug()
                ),
                "write it as `~/dir` or `/abs/dir`, or let `hfenv use NAME --dir DIR` write it"
                    .into(),
            ));
        }
        if !valid_profile_name(name) {
            return Some((
                At::DirValue(rule.clone()),
                format!(
                    "directory rule `{rule}` names `{}`, which is not a profile name",
                    crate::token::redact(&name.escape_debug().to_string())
                ),
                NAME_RULE.into(),
            ));
        }
    }
    None
}

/// Where a checked value sits in the text. Parsed again only on the error path, so a good
/// config costs one parse.
fn value_offset(text: &str, at: &At) -> Option<usize> {
    use toml::Spanned;
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Doc {
        settings: BTreeMap<String, Spanned<toml::Value>>,
        profiles: BTreeMap<String, Spanned<Prof>>,
        dirs: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    }
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Prof {
        token: Option<Spanned<String>>,
        token_command: Option<Spanned<String>>,
        hf_stored: Option<Spanned<String>>,
        env: BTreeMap<String, Spanned<String>>,
    }
    let doc: Doc = toml::from_str(text).ok()?;
    let profile = |name: &str| doc.profiles.get(name);
    Some(match at {
        At::Setting(key) => doc.settings.get(*key)?.span().start,
        At::DotenvFile(i) => {
            let files = doc.settings.get("dotenv_files")?;
            let start = files.span().start;
            // The n-th string inside the array: good enough to land on the right line.
            let inner = &text[start..files.span().end];
            let mut seen = 0;
            let mut offset = start;
            let mut in_string = false;
            for (j, c) in inner.char_indices() {
                if c == '"' || c == '\'' {
                    if !in_string {
                        if seen == *i {
                            offset = start + j;
                            break;
                        }
                        seen += 1;
                    }
                    in_string = !in_string;
                }
            }
            offset
        }
        At::ProfileKey(name, key) => {
            let p = profile(name)?;
            let v = match *key {
                "token" => p.get_ref().token.as_ref(),
                "token_command" => p.get_ref().token_command.as_ref(),
                _ => p.get_ref().hf_stored.as_ref(),
            };
            v.map(|v| v.span().start).unwrap_or(p.span().start)
        }
        At::ProfileEnv(name, key) => {
            let p = profile(name)?;
            p.get_ref()
                .env
                .get(key)
                .map(|v| v.span().start)
                .unwrap_or(p.span().start)
        }
        At::DirRule(rule) => doc.dirs.keys().find(|k| k.get_ref() == rule)?.span().start,
        At::DirValue(rule) => {
            doc.dirs
                .iter()
                .find(|(k, _)| k.get_ref() == rule)?
                .1
                .span()
                .start
        }
    })
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
pub(crate) struct Edit {
    pub path: PathBuf,
    pub doc: toml_edit::DocumentMut,
    pub config: Config,
    _lock: File,
}

impl Edit {
    pub(crate) fn begin() -> Result<Edit> {
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

    pub(crate) fn profiles_table(&mut self) -> &mut toml_edit::Table {
        let item = self.doc.entry("profiles").or_insert_with(|| {
            let mut t = toml_edit::Table::new();
            t.set_implicit(true);
            toml_edit::Item::Table(t)
        });
        item.as_table_mut()
            .expect("`profiles` is a table: the config parsed")
    }

    pub(crate) fn dirs_table(&mut self) -> &mut toml_edit::Table {
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
    pub(crate) fn remove_profile(&mut self, name: &str) {
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
    pub(crate) fn drop_empty_dirs(&mut self) {
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
    pub(crate) fn commit(self) -> Result<()> {
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
        for bad in [
            "",
            "-x",
            ".x",
            "a b",
            "a/b",
            "é",
            "_x",
            "hf_AbCdEfGhIjKlMnOp7890",
        ] {
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

    #[test]
    fn every_value_is_checked_where_it_is_written() {
        let cases = [
            ("[settings]\ntoken_command_timeout = nan\n", "c.toml:2:25: `token_command_timeout` is NaN"),
            ("[settings]\ntoken_command_timeout = -1\n", "c.toml:2:25: `token_command_timeout` is -1.0"),
            ("[settings]\ntoken_command_timeout = 1e300\n", "c.toml:2:25: `token_command_timeout` is 1e300"),
            ("[settings]\ntoken_command_timeout = inf\n", "c.toml:2:25: `token_command_timeout` is inf"),
            ("[settings]\ntoken_command_timeout = 0\n", "c.toml:2:25:"),
            ("[settings]\ndotenv_files = [\".env\", \"../x\"]\n", "c.toml:2:25: `dotenv_files` holds `../x`"),
            ("[settings]\ndotenv_files = [\"\"]\n", "c.toml:2:17:"),
            ("[profiles.a]\ntoken = \"  \"\n", "c.toml:2:9: profile `a`: `token` is empty"),
            ("[profiles.a]\ntoken = \"hf_a\\u001b[2J\"\n", "c.toml:2:9: profile `a`: `token` contains control"),
            ("[profiles.a]\ntoken_command = \" \"\n", "c.toml:2:17:"),
            ("[profiles.a]\nhf_stored = \"DEFAULT\"\n", "c.toml:2:13:"),
            ("[profiles.a]\ntoken = \"hf_x\"\nenv = { A = \"1\", HFENV_SHELL_PROFILE = \"b\" }\n", "c.toml:3:40: profile `a` sets `HFENV_SHELL_PROFILE`"),
            ("[profiles.a]\ntoken = \"hf_x\"\nenv = { A = \"x\\u0000y\" }\n", "c.toml:3:13: profile `a` sets `A` to a value holding a NUL"),
            ("[dirs]\n\"acme\" = \"work\"\n", "c.toml:2:1: directory rule `acme` is not an absolute path"),
            ("[dirs]\n\"/acme\" = \"a b\"\n", "c.toml:2:11: directory rule `/acme` names `a b`"),
        ];
        for (text, want) in cases {
            let e = parse(Path::new("c.toml"), text).unwrap_err();
            assert!(e.message.starts_with(want), "{text:?}: {}", e.message);
        }
        let big = format!(
            "[profiles.a]\ntoken = \"hf_x\"\nenv = {{ A = \"{}\" }}\n",
            "x".repeat(200_000)
        );
        assert!(parse(Path::new("c.toml"), &big)
            .unwrap_err()
            .message
            .contains("more than a program"));
        parse(Path::new("c.toml"), "[settings]\ntoken_command_timeout = 0.5\ndotenv_files = [\".env\", \".env.local\"]\n[dirs]\n\"~/acme\" = \"work\"\n").unwrap();
    }

    #[test]
    fn unknown_profiles_get_the_closest_few() {
        let many: String = (0..1000)
            .map(|i| format!("[profiles.p{i}]\ntoken_env = \"X\"\n"))
            .collect();
        let text = format!("{many}[profiles.work]\ntoken_env = \"X\"\n[profiles.personal]\ntoken_env = \"X\"\n[profiles.workshop]\ntoken_env = \"X\"\n");
        let c = parse(Path::new("c.toml"), &text).unwrap();
        assert_eq!(c.closest_profiles("wrok"), "did you mean `work`?");
        assert_eq!(
            c.closest_profiles("Work"),
            "did you mean `work`, `workshop`?"
        );
        assert_eq!(
            c.closest_profiles("works"),
            "did you mean `work`, `workshop`?"
        );
        assert_eq!(c.closest_profiles("persnal"), "did you mean `personal`?");
        assert_eq!(
            c.closest_profiles("zzzzzzzz"),
            "`hfenv list` shows all 1003 profiles"
        );
        let few = parse(Path::new("c.toml"), "[profiles.a1]\ntoken_env = \"X\"\n").unwrap();
        assert_eq!(few.closest_profiles("nope"), "known profiles: `a1`");
        assert!(!few.unknown_profile("x").message.contains("did you mean"));
    }
}

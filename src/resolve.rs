//! The one place that turns config + state + current directory + environment into the
//! environment hfenv wants. Every command (export, status, exec, credential, doctor) asks here.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::config::{Config, DotenvSearch, Profile, Source};
use crate::error::{Error, Result};
use crate::hf::source::fetch_token;
use crate::state::{self, Trust};
use crate::{dotenv, paths};

/// The name of the marker file that pins a directory to a profile (committable, names only).
pub const PIN_FILE: &str = ".hfenv";
/// The non-secret variable naming the active profile, for prompts.
pub const PROFILE_VAR: &str = "HFENV_PROFILE";
/// This shell's own choice (`hfenv use NAME --shell`).
pub const SHELL_CHOICE_VAR: &str = "HFENV_SHELL_PROFILE";
/// Largest `.env` or `.hfenv` read; anything bigger is refused rather than read into a prompt.
const MAX_FILE: u64 = crate::files::SMALL;

#[derive(Debug, Clone, PartialEq)]
pub enum Why {
    /// `-p NAME` on the command line.
    Explicit,
    /// `hfenv use NAME --shell` in this shell.
    Shell,
    /// A `[dirs]` rule in the user's config.
    DirRule(String),
    /// A `.hfenv` file in this directory or an ancestor.
    PinFile(PathBuf),
    /// `hfenv use NAME`.
    Global,
}

impl Why {
    pub fn describe(&self) -> String {
        match self {
            Why::Explicit => "chosen with `-p`".into(),
            Why::Shell => format!(
                "this shell's choice (`{SHELL_CHOICE_VAR}`, set by `hfenv use NAME --shell`)"
            ),
            Why::DirRule(rule) => format!("directory rule `{rule}` in the config"),
            Why::PinFile(p) => format!("pin file `{}`", p.display()),
            Why::Global => "global choice (`hfenv use NAME`)".into(),
        }
    }

    pub fn scope(&self) -> &'static str {
        match self {
            Why::Explicit => "explicit",
            Why::Shell => "shell",
            Why::DirRule(_) => "dir",
            Why::PinFile(_) => "pin",
            Why::Global => "global",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Choice {
    pub name: String,
    pub why: Why,
}

/// Where a wanted variable comes from: the active profile, or the `.env` file at this index
/// of [`Wanted::dotenv`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Profile,
    Dotenv(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Var {
    /// `Some` to set, `None` to unset.
    pub value: Option<String>,
    pub origin: Origin,
}

#[derive(Debug, Clone)]
pub struct DotenvFile {
    pub path: PathBuf,
    pub trust: Trust,
    pub problem: Option<String>,
}

/// Everything a command needs to know about what this directory wants.
#[derive(Debug, Default)]
pub struct Wanted {
    pub choice: Option<Choice>,
    /// The chosen profile exists in the config.
    pub profile: Option<Profile>,
    /// Where the token came from, for `status`.
    pub token_source: Option<String>,
    /// Variables hfenv controls here.
    pub vars: BTreeMap<String, Var>,
    pub dotenv: Vec<DotenvFile>,
    /// Problems worth one line on stderr, said once per change by the hook.
    pub notices: Vec<String>,
    /// What else makes a notice new: the content of each blocked file, so an edit is said
    /// once more even though the notice reads the same.
    pub notice_keys: Vec<String>,
    /// Files and directories whose change means this answer may change.
    pub watches: Vec<PathBuf>,
    pub path_prepend: Vec<PathBuf>,
}

impl Wanted {
    pub fn token(&self) -> Option<&str> {
        self.value("HF_TOKEN").flatten()
    }
}

pub struct Context<'a> {
    pub config: &'a Config,
    pub config_path: &'a Path,
    pub state: PathBuf,
    /// The logical current directory (the shell's `$PWD` when it names the same place).
    pub cwd: PathBuf,
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

#[derive(Default)]
pub struct Options {
    /// `-p NAME`: skip the choice and use this profile.
    pub explicit: Option<String>,
    /// Include trusted `.env` files.
    pub dotenv: bool,
    /// A token already fetched for (profile, definition digest), so `token_command` is not run
    /// again while the same profile stays active.
    pub reuse: Option<(String, String, String)>,
    /// Whether `HUGGING_FACE_HUB_TOKEN` was the user's own before hfenv touched it.
    pub legacy_owned: bool,
}

pub fn current_dir(env: &dyn Fn(&str) -> Option<String>) -> Result<PathBuf> {
    let physical = std::env::current_dir().map_err(|e| {
        Error::new(
            format!("the current directory is unreadable: {e}"),
            "`cd` somewhere that exists",
        )
    })?;
    // Keep the shell's logical path (symlinks as the user typed them) when it is the same place.
    if let Some(pwd) = env("PWD").map(PathBuf::from) {
        if pwd.is_absolute() && same_file(&pwd, &physical) {
            return Ok(pwd);
        }
    }
    Ok(physical)
}

fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

/// Which profile applies here, and why: shell, then nearest directory pin, then global.
pub fn choose(ctx: &Context, watches: &mut Vec<PathBuf>) -> Option<Choice> {
    if let Some(name) = (ctx.env)(SHELL_CHOICE_VAR).filter(|n| !n.is_empty()) {
        return Some(Choice {
            name,
            why: Why::Shell,
        });
    }
    if let Some(choice) = nearest_pin(ctx, watches) {
        return Some(choice);
    }
    let global = state::global_file(&ctx.state);
    watch_file_or_dir(&global, watches);
    state::global_profile(&ctx.state).map(|name| Choice {
        name,
        why: Why::Global,
    })
}

fn nearest_pin(ctx: &Context, watches: &mut Vec<PathBuf>) -> Option<Choice> {
    let physical = fs::canonicalize(&ctx.cwd).ok();
    let mut best_rule: Option<(usize, &str, &str)> = None;
    for (rule, name) in &ctx.config.dirs {
        let rule_path = paths::expand_tilde(rule);
        let rule_path = normalize(&rule_path);
        let matches = ctx.cwd.starts_with(&rule_path)
            || physical.as_ref().is_some_and(|p| p.starts_with(&rule_path))
            || fs::canonicalize(&rule_path)
                .ok()
                .zip(physical.as_ref())
                .is_some_and(|(r, p)| p.starts_with(r));
        if matches {
            let depth = rule_path.components().count();
            if best_rule.is_none_or(|(d, _, _)| depth > d) {
                best_rule = Some((depth, rule.as_str(), name.as_str()));
            }
        }
    }
    let mut pin: Option<(usize, PathBuf, String)> = None;
    for dir in ctx.cwd.ancestors() {
        watches.push(dir.to_path_buf());
        let candidate = dir.join(PIN_FILE);
        if pin.is_none() {
            if let Some(name) = read_pin(&candidate) {
                watches.push(candidate.clone());
                pin = Some((dir.components().count(), candidate, name));
            }
        }
    }
    match (best_rule, pin) {
        // The user's own config wins a tie: it is more trusted than a file in a repository.
        (Some((rd, rule, name)), Some((pd, _, _))) if rd >= pd => Some(Choice {
            name: name.to_string(),
            why: Why::DirRule(rule.to_string()),
        }),
        (_, Some((_, path, name))) => Some(Choice {
            name,
            why: Why::PinFile(path),
        }),
        (Some((_, rule, name)), None) => Some(Choice {
            name: name.to_string(),
            why: Why::DirRule(rule.to_string()),
        }),
        (None, None) => None,
    }
}

fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A pin file holds one profile name; blank lines and `#` comments are allowed around it.
pub fn read_pin(path: &Path) -> Option<String> {
    let text =
        crate::files::read_bounded_string(path, MAX_FILE, crate::files::Links::Refuse).ok()?;
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
}

fn watch_file_or_dir(path: &Path, watches: &mut Vec<PathBuf>) {
    // A file that does not exist yet is seen appearing through its directory's mtime. It is
    // watched itself too: a hook that cannot read mtimes (elvish) looks for exactly it.
    if !path.exists() {
        watches.push(path.to_path_buf());
    }
    let mut p = path.to_path_buf();
    loop {
        if p.exists() {
            watches.push(p);
            return;
        }
        if !p.pop() {
            return;
        }
    }
}

/// The environment this directory (or `-p`) wants.
pub fn wanted(ctx: &Context, opts: &Options) -> Wanted {
    let mut w = Wanted::default();
    watch_file_or_dir(ctx.config_path, &mut w.watches);
    // A config replaced by a rename (`mv`, some editors) can keep an old mtime; its directory's
    // mtime still changes.
    if let Some(dir) = ctx.config_path.parent() {
        watch_file_or_dir(dir, &mut w.watches);
    }
    // A config behind a symlink changes at its target.
    if let Ok(target) = fs::canonicalize(ctx.config_path) {
        if target != ctx.config_path {
            w.watches.push(target);
        }
    }
    let choice = match &opts.explicit {
        Some(name) => Some(Choice {
            name: name.clone(),
            why: Why::Explicit,
        }),
        None => choose(ctx, &mut w.watches),
    };
    for f in [
        state::allow_dir(&ctx.state),
        state::deny_dir(&ctx.state),
        state::path_fix_file(&ctx.state),
    ] {
        watch_file_or_dir(&f, &mut w.watches);
    }

    if let Some(choice) = &choice {
        match ctx.config.profile(&choice.name) {
            None => w.notices.push(format!(
                "profile `{}` ({}) does not exist, so no token is exported — {}",
                choice.name.escape_debug(),
                choice.why.describe(),
                ctx.config.closest_profiles(&choice.name)
            )),
            Some(profile) => apply_profile(ctx, opts, choice, profile, &mut w),
        }
    }
    w.choice = choice;

    if opts.dotenv && ctx.config.settings.dotenv {
        load_dotenv(ctx, &mut w);
    }
    w.path_prepend = crate::userpath::recorded(&ctx.state);
    dedup(&mut w.watches);
    w
}

fn apply_profile(
    ctx: &Context,
    opts: &Options,
    choice: &Choice,
    profile: &Profile,
    w: &mut Wanted,
) {
    let source = profile.source().expect("validated");
    w.profile = Some(profile.clone());
    w.token_source = Some(source.describe());
    if let Source::HfStored(_) = source {
        let lookup = |k: &str| profile.env.get(k).cloned().or_else(|| (ctx.env)(k));
        watch_file_or_dir(&paths::hf_stored_tokens_path(&lookup), &mut w.watches);
    }
    let digest = profile.digest();
    let reused = opts
        .reuse
        .as_ref()
        .filter(|(name, d, _)| {
            *name == choice.name
                && *d == digest
                && matches!(source, Source::Command(_) | Source::Keyring)
        })
        .map(|(_, _, t)| t.clone());
    let token = match reused {
        Some(t) => Some(t),
        None => match fetch_token(&choice.name, profile, ctx.config, ctx.env) {
            Ok(t) => Some(t),
            Err(e) => {
                w.notices.push(format!("{} (no token exported)", e.message));
                None
            }
        },
    };
    let profile_var = |value: Option<String>| Var {
        value,
        origin: Origin::Profile,
    };
    w.vars.insert("HF_TOKEN".into(), profile_var(token.clone()));
    // Tools that still read the legacy variable must not see another account: it follows the
    // profile when the user had it, and is left absent otherwise.
    if opts.legacy_owned {
        w.vars
            .insert("HUGGING_FACE_HUB_TOKEN".into(), profile_var(token.clone()));
    }
    // Fail closed: a profile whose token cannot be had (a locked credential store, a failing
    // command) exports none of its variables; its token variables stay unset.
    if token.is_none() {
        return;
    }
    w.vars
        .insert(PROFILE_VAR.into(), profile_var(Some(choice.name.clone())));
    for (k, v) in &profile.env {
        w.vars.insert(k.clone(), profile_var(Some(v.clone())));
    }
}

/// The `.env` files that apply here, nearest last so it wins.
pub fn dotenv_candidates(ctx: &Context, watches: &mut Vec<PathBuf>) -> Vec<PathBuf> {
    let settings = &ctx.config.settings;
    let home = paths::home();
    let stop: Option<&Path> = match settings.dotenv_search {
        DotenvSearch::Cwd => Some(ctx.cwd.as_path()),
        DotenvSearch::Root => None,
        DotenvSearch::Home => home.as_deref().filter(|h| ctx.cwd.starts_with(h)),
    };
    let mut found = Vec::new();
    for dir in ctx.cwd.ancestors() {
        watches.push(dir.to_path_buf());
        for name in &settings.dotenv_files {
            let candidate = dir.join(name);
            if let Ok(meta) = fs::symlink_metadata(&candidate) {
                watches.push(candidate.clone());
                let _ = meta;
                found.push(candidate);
            }
        }
        if Some(dir) == stop {
            break;
        }
    }
    found.reverse();
    found
}

fn load_dotenv(ctx: &Context, w: &mut Wanted) {
    let mut watches = Vec::new();
    let files = dotenv_candidates(ctx, &mut watches);
    w.watches.extend(watches);
    let profile_active = w.profile_token_active();
    for path in files {
        let (trust, content, problem) = match read_regular(&path) {
            Ok(content) => (
                state::trust(&ctx.state, &state::trust_path(&path), &content),
                Some(content),
                None,
            ),
            Err(problem) => (Trust::Blocked, None, Some(problem)),
        };
        if let Some(problem) = &problem {
            w.notices
                .push(format!("`{}` was not loaded: {problem}", path.display()));
        }
        if let (Trust::Blocked, None, Some(content)) = (trust, &problem, &content) {
            w.notice_keys.push(state::content_key(&path, content));
            w.notices.push(format!(
                "`{}` is blocked — run `hfenv allow {}` to load it",
                path.display(),
                shell_word(&path)
            ));
        }
        if let (Trust::Allowed, Some(content)) = (trust, content) {
            let lookup = |k: &str| match w.vars.get(k) {
                Some(v) => v.value.clone(),
                None => (ctx.env)(k),
            };
            let origin = Origin::Dotenv(w.dotenv.len());
            match dotenv::values(&content, &lookup) {
                Err(e) => w
                    .notices
                    .push(format!("`{}` was not loaded: {e}", path.display())),
                Ok((values, bad_lines)) => {
                    unparsable_notices(&path, &bad_lines, &mut w.notices);
                    // One sorted bulk build instead of a tree insert per key (a `.env` can hold
                    // thousands), in one reused vector; on equal keys the later entry, this
                    // file's, wins.
                    let mut all: Vec<(String, Var)> =
                        std::mem::take(&mut w.vars).into_iter().collect();
                    all.reserve(values.len());
                    for (key, value) in values {
                        let Some(value) = value else { continue };
                        if let Some(reason) = refuse_dotenv_key(&key, &value, profile_active) {
                            w.notices
                                .push(format!("`{}`: `{key}` ignored — {reason}", path.display()));
                            continue;
                        }
                        all.push((
                            key,
                            Var {
                                value: Some(value),
                                origin,
                            },
                        ));
                    }
                    w.vars = all.into_iter().collect();
                }
            }
        }
        w.dotenv.push(DotenvFile {
            path,
            trust,
            problem,
        });
    }
}

impl Wanted {
    fn profile_token_active(&self) -> bool {
        self.vars
            .get("HF_TOKEN")
            .is_some_and(|v| v.origin == Origin::Profile)
    }

    /// The value hfenv wants for `name`: `None` when hfenv leaves it alone, `Some(None)` when it
    /// unsets it.
    pub fn value(&self, name: &str) -> Option<Option<&str>> {
        self.vars.get(name).map(|v| v.value.as_deref())
    }

    /// Where a variable comes from, in words: `profile `work`` or the `.env` file's path.
    pub fn describe_origin(&self, origin: Origin) -> String {
        match origin {
            Origin::Profile => format!(
                "profile `{}`",
                self.choice.as_ref().map(|c| c.name.as_str()).unwrap_or("")
            ),
            Origin::Dotenv(i) => format!(
                "`{}`",
                self.dotenv
                    .get(i)
                    .map(|d| d.path.display().to_string())
                    .unwrap_or_default()
            ),
        }
    }
}

/// One notice per line python-dotenv skips, so nothing is dropped silently; past a few, one
/// more notice counts the rest.
fn unparsable_notices(path: &Path, lines: &[usize], notices: &mut Vec<String>) {
    const SHOWN: usize = 3;
    let each = if lines.len() > SHOWN + 1 {
        SHOWN
    } else {
        lines.len()
    };
    for line in &lines[..each] {
        notices.push(format!(
            "`{}:{line}`: python-dotenv cannot parse this line, so it is skipped — fix or remove it",
            path.display()
        ));
    }
    if let [first, .., last] = &lines[each..] {
        notices.push(format!(
            "`{}`: {} more lines python-dotenv cannot parse are skipped (lines {first} to {last})",
            path.display(),
            lines.len() - each
        ));
    }
}

fn refuse_dotenv_key(key: &str, value: &str, profile_active: bool) -> Option<String> {
    if !crate::config::valid_env_name(key) {
        return Some("not a name a shell can export".into());
    }
    if value.contains('\0') {
        return Some("the value contains a NUL byte, which no environment can hold".into());
    }
    if profile_active
        && (crate::config::TOKEN_VARS.contains(&key) || key == "HF_ENDPOINT" || key == PROFILE_VAR)
    {
        return Some("the active profile owns it; set it in the profile instead".into());
    }
    None
}

/// A `.env` file: a small regular file, opened without blocking (a FIFO or `/dev/zero` must
/// never hang a prompt). A link is followed: trust covers where it leads.
pub fn read_regular(path: &Path) -> std::result::Result<Vec<u8>, String> {
    crate::files::read_bounded(path, MAX_FILE, crate::files::Links::Follow)
        .map_err(|e| e.to_string())
}

fn shell_word(path: &Path) -> String {
    crate::shell::word(&path.display().to_string())
}

fn dedup(v: &mut Vec<PathBuf>) {
    let mut seen = std::collections::HashSet::new();
    v.retain(|p| seen.insert(p.clone()));
}

/// Config, state and directory loaded once for a command.
pub struct Here {
    pub loaded: crate::config::Loaded,
    pub state: PathBuf,
    pub cwd: PathBuf,
}

impl Here {
    pub fn load() -> Result<Here> {
        let loaded = crate::config::load()?;
        let state = state::dir()?;
        let cwd = current_dir(&paths::process_env)?;
        Ok(Here { loaded, state, cwd })
    }

    pub fn context(&self) -> Context<'_> {
        Context {
            config: &self.loaded.config,
            config_path: &self.loaded.path,
            state: self.state.clone(),
            cwd: self.cwd.clone(),
            env: &paths::process_env,
        }
    }

    /// The environment a command run here (or with `-p`) should get, `.env` files included.
    pub fn wanted(&self, explicit: Option<&str>, dotenv: bool) -> Result<Wanted> {
        if let Some(name) = explicit {
            if self.loaded.config.profile(name).is_none() {
                return Err(self.loaded.config.unknown_profile(name));
            }
        }
        let marker = paths::process_env(crate::apply::STATE_VAR)
            .and_then(|m| crate::apply::Marker::parse(&m))
            .unwrap_or_default();
        let legacy = "HUGGING_FACE_HUB_TOKEN";
        let legacy_owned =
            marker.managed.contains_key(legacy) || paths::process_env(legacy).is_some();
        let opts = Options {
            explicit: explicit.map(str::to_string),
            dotenv,
            reuse: None,
            legacy_owned,
        };
        Ok(wanted(&self.context(), &opts))
    }

    /// The profile and token for `-p NAME` or, without it, for this directory.
    pub fn token(&self, explicit: Option<&str>) -> Result<(String, String)> {
        let config = &self.loaded.config;
        let name = match explicit {
            Some(n) => n.to_string(),
            None => {
                let mut watches = Vec::new();
                match choose(&self.context(), &mut watches) {
                    Some(c) => c.name,
                    None => {
                        return Err(Error::new(
                            "no profile applies in this directory",
                            "pass `-p PROFILE` or choose one with `hfenv use PROFILE`",
                        ))
                    }
                }
            }
        };
        let profile = config
            .profile(&name)
            .ok_or_else(|| config.unknown_profile(&name))?;
        let token = fetch_token(&name, profile, config, &paths::process_env)?;
        Ok((name, token))
    }
}

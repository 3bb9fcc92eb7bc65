//! The wanted stage: the chosen profile's layer and the trusted `.env` layers → the variables
//! this directory wants. Pure: it reads (config, `.env` files, a token source) and writes
//! nothing. Which names a file may set is decided here, when the file is read.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use crate::choose::{self, watch_file_or_dir, Choice, Context};
use crate::cli::Shell;
use crate::config::{DotenvSearch, Profile, Source};
use crate::hf::source;
use crate::state::{self, Trust};
use crate::{dotenv, names, paths};

/// The non-secret variable naming the active profile, for prompts.
pub(crate) const PROFILE_VAR: &str = "HFENV_PROFILE";
/// Largest `.env` read; anything bigger is refused rather than read into a prompt.
pub(crate) const MAX_FILE: u64 = crate::files::SMALL;

/// Where a wanted variable comes from: the active profile, or the `.env` file at this index
/// of [`Wanted::dotenv`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    Profile,
    Dotenv(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Var {
    /// `Some` to set, `None` to unset. A `.env`'s value is borrowed from the file's text (see
    /// [`keep_text`]).
    pub value: Option<Cow<'static, str>>,
    pub origin: Origin,
}

/// The variables hfenv controls here, by name: a `.env` layer of thousands of names is added in
/// one pass ([`crate::sorted::Sorted::layer`]).
pub(crate) type Vars = crate::sorted::Sorted<'static, Var>;

/// Keeps a `.env` file's text for the rest of the process, so the variables read from it can
/// borrow their names and values instead of copying each one (a `.env` can hold thousands).
/// Every hfenv command is one short run that hands these values on at its end; the text is
/// bounded by [`MAX_FILE`] per file, and the allocations it spares would be at least as large.
fn keep_text(text: String) -> &'static str {
    String::leak(text)
}

#[derive(Debug, Clone)]
pub(crate) struct DotenvFile {
    pub path: PathBuf,
    pub trust: Trust,
    pub problem: Option<String>,
}

/// Everything a command needs to know about what this directory wants.
#[derive(Debug, Default)]
pub(crate) struct Wanted {
    pub choice: Option<Choice>,
    /// The chosen profile exists in the config.
    pub profile: Option<Profile>,
    /// Where the token came from, for `status`.
    pub token_source: Option<String>,
    /// Variables hfenv controls here.
    pub vars: Vars,
    pub dotenv: Vec<DotenvFile>,
    /// Problems worth one line on stderr, said once per change by the hook.
    pub notices: Vec<String>,
    /// What else makes a notice new: the content of each blocked file, so an edit is said
    /// once more even though the notice reads the same.
    pub notice_keys: Vec<String>,
    /// Files and directories whose change means this answer may change.
    pub watches: Vec<PathBuf>,
    /// Every pin and `.env` file looked for and whether something was there (see
    /// [`choose::Chosen::candidates`]), for the hook's region.
    pub candidates: Vec<(PathBuf, bool)>,
    /// Variables whose change means this answer may change (a `token_env` profile's variable).
    pub env_watches: Vec<String>,
    pub path_prepend: Vec<PathBuf>,
    /// A browser login's state (expiry, refresh problem, token file), for `status`/`doctor`.
    pub login: Option<crate::hf::source::LoginInfo>,
    /// A unix time at which this answer expires even if no watched file changes (a browser
    /// login due for a refresh); the hook compares it with a builtin clock.
    pub recheck_at: Option<i64>,
}

impl Wanted {
    /// The profile's token: in `HF_TOKEN`, or in the token file handed to huggingface_hub.
    pub(crate) fn token(&self) -> Option<&str> {
        self.value("HF_TOKEN").flatten().or_else(|| {
            self.login
                .as_ref()
                .filter(|l| l.token_file.is_some())
                .map(|l| l.token.as_str())
        })
    }
}

#[derive(Default)]
pub(crate) struct Options {
    /// Include trusted `.env` files.
    pub dotenv: bool,
    /// A token already fetched for (profile, definition digest), so `token_command` is not run
    /// again while the same profile stays active.
    pub reuse: Option<(String, String, String)>,
    /// Whether `HUGGING_FACE_HUB_TOKEN` was the user's own before hfenv touched it.
    pub legacy_owned: bool,
    /// The shell the variables go to: names it treats specially are refused.
    pub shell: Option<Shell>,
}

/// The environment this directory (or `-p`) wants.
pub(crate) fn wanted(ctx: &Context, chosen: choose::Chosen, opts: &Options) -> Wanted {
    let mut w = Wanted {
        watches: chosen.watches,
        candidates: chosen.candidates,
        notices: chosen.notices,
        ..Wanted::default()
    };
    // A config replaced by a rename (`mv`, some editors) can keep an old mtime: the hook
    // compares times for equality, not only for being newer.
    watch_file_or_dir(ctx.config_path, &mut w.watches);
    // A config behind a symlink changes at its target.
    if let Ok(target) = crate::files::real_path(ctx.config_path) {
        if target != ctx.config_path {
            w.watches.push(target);
        }
    }
    let choice = chosen.choice;
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
        load_dotenv(ctx, opts.shell, &mut w);
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
    match source {
        Source::HfStored(_) => {
            let lookup = |k: &str| profile.var(k, ctx.env);
            watch_file_or_dir(&paths::hf_stored_tokens_path(&lookup), &mut w.watches);
        }
        // The hook reloads when the variable changes, not only on a `cd`.
        Source::Env(var) => w.env_watches.push(var.to_string()),
        _ => {}
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
    let mut token_file = None;
    let token = match reused {
        Some(t) => Some(t),
        None => match source::fetch(&choice.name, profile, ctx.config, ctx.env) {
            Ok(f) => match names::refusal("HF_TOKEN", &f.token, None) {
                None => {
                    w.notices.extend(f.notice);
                    if let Some(login) = f.login {
                        w.recheck_at = login.recheck_at;
                        token_file = login.token_file.clone();
                        w.login = Some(login);
                    }
                    Some(f.token)
                }
                Some(why) => {
                    w.notices.push(format!(
                        "profile `{}`: the token was refused: {why} (no token exported)",
                        choice.name
                    ));
                    None
                }
            },
            Err(e) => {
                w.notices.push(format!("{} (no token exported)", e.message));
                None
            }
        },
    };
    let profile_var = |value: Option<String>| Var {
        value: value.map(Cow::Owned),
        origin: Origin::Profile,
    };
    // A browser login handed out as a token file: huggingface_hub reads and refreshes it
    // itself, which it never does for `HF_TOKEN`, so `HF_TOKEN` must be absent.
    let token = match token_file {
        Some(file) => {
            w.vars.insert(
                "HF_TOKEN_PATH",
                profile_var(Some(file.display().to_string())),
            );
            None
        }
        None => token,
    };
    w.vars.insert("HF_TOKEN", profile_var(token.clone()));
    // Tools that still read the legacy variable must not see another account: it follows the
    // profile when the user had it, and is left absent otherwise.
    if opts.legacy_owned {
        w.vars
            .insert("HUGGING_FACE_HUB_TOKEN", profile_var(token.clone()));
    }
    // Fail closed: a profile whose token cannot be had (a locked credential store, a failing
    // command) exports none of its variables; its token variables stay unset.
    if token.is_none() {
        return;
    }
    w.vars
        .insert(PROFILE_VAR, profile_var(Some(choice.name.clone())));
    let mut refused = Refused::default();
    // nushell takes names that differ only in case for one variable.
    let mut folded: Option<std::collections::HashMap<String, String>> =
        (opts.shell == Some(Shell::Nushell)).then(|| {
            w.vars
                .keys()
                .map(|k| (k.to_ascii_lowercase(), k.to_string()))
                .collect()
        });
    let mut total: usize = w.vars.iter().map(|(k, v)| var_bytes(k, v)).sum();
    for (k, v) in &profile.env {
        let twin = || {
            folded
                .as_mut()
                .and_then(|seen| names::case_twin_among(k, seen))
        };
        // A config's `env` counts toward what commands can be started with, as a `.env` does.
        let too_much = || {
            total += k.len() + v.len() + 2;
            (total > names::MAX_TOTAL_BYTES).then(too_much_notice)
        };
        match names::refusal(k, v, opts.shell)
            .or_else(twin)
            .or_else(too_much)
        {
            None => {
                w.vars.insert(k.clone(), profile_var(Some(v.clone())));
            }
            Some(why) => refused.add(k, why),
        }
    }
    if let Some(notice) = refused.notice(&format!("profile `{}`", choice.name)) {
        w.notices.push(notice);
    }
}

fn too_much_notice() -> String {
    format!(
        "hfenv's variables would pass {} MiB together, more than commands can be started with",
        names::MAX_TOTAL_BYTES >> 20
    )
}

/// Names a file may not set, said in one notice per file.
#[derive(Default)]
struct Refused(Vec<(String, String)>);

impl Refused {
    fn add(&mut self, name: &str, why: String) {
        self.0.push((name.to_string(), why));
    }

    fn notice(&self, source: &str) -> Option<String> {
        const SHOWN: usize = 5;
        if self.0.is_empty() {
            return None;
        }
        let listed: Vec<String> = self
            .0
            .iter()
            .take(SHOWN)
            .map(|(name, why)| format!("`{name}` ({why})"))
            .collect();
        let more = match self.0.len().saturating_sub(SHOWN) {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        Some(format!(
            "{source}: not set: {}{more} — the rest applies",
            listed.join(", ")
        ))
    }
}

/// The `.env` files that apply here, nearest last so it wins. Every candidate looked at goes
/// to `looked` with whether something was there.
pub(crate) fn dotenv_candidates(ctx: &Context, looked: &mut Vec<(PathBuf, bool)>) -> Vec<PathBuf> {
    let settings = &ctx.config.settings;
    let home = paths::home();
    let stop: Option<&Path> = match settings.dotenv_search {
        DotenvSearch::Cwd => Some(ctx.cwd.as_path()),
        DotenvSearch::Root => None,
        DotenvSearch::Home => home.as_deref().filter(|h| ctx.cwd.starts_with(h)),
    };
    let mut found = Vec::new();
    for level in ctx.walk.levels() {
        let dir = level.path();
        for name in &settings.dotenv_files {
            let candidate = dir.join(name);
            let there = level.has(name);
            looked.push((candidate.clone(), there));
            if there {
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

fn load_dotenv(ctx: &Context, shell: Option<Shell>, w: &mut Wanted) {
    let files = dotenv_candidates(ctx, &mut w.candidates);
    w.watches.extend(files.iter().cloned());
    let profile_active = w.profile_token_active();
    for path in files {
        // Opened once: the trust key and the content are of the file that was read.
        let (trust, content, problem, key) = match state::read_for_trust(&path, MAX_FILE) {
            Ok(read) => (
                state::trust(&ctx.state, &read.key, &read.content),
                Some(read.content),
                None,
                Some(read.key),
            ),
            Err(problem) => (Trust::Blocked, None, Some(problem), None),
        };
        if let Some(problem) = &problem {
            w.notices
                .push(format!("`{}` was not loaded: {problem}", path.display()));
        }
        if let (Trust::Blocked, None, Some(content)) = (trust, &problem, &content) {
            w.notice_keys.push(state::content_key(&path, content));
            let key = key.as_deref().unwrap_or(&path);
            let what = if state::was_allowed(&ctx.state, key) {
                "changed since you allowed it"
            } else {
                "is blocked"
            };
            w.notices.push(format!(
                "`{}` {what} — run `hfenv allow {}` to load it",
                path.display(),
                shell_word(&path)
            ));
        }
        if let (Trust::Allowed, Some(content)) = (trust, content) {
            let lookup = |k: &str| match w.vars.get(k) {
                Some(v) => v.value.as_deref().map(str::to_owned),
                None => (ctx.env)(k),
            };
            let origin = Origin::Dotenv(w.dotenv.len());
            let read = dotenv::decode_into(content)
                .map(|text| dotenv::values_in(keep_text(text), &lookup));
            match read {
                Err(e) => w
                    .notices
                    .push(format!("`{}` was not loaded: {e}", path.display())),
                Ok((values, bad_lines)) => {
                    unparsable_notices(&path, &bad_lines, &mut w.notices);
                    let mut refused = Refused::default();
                    let mut total: usize = w.vars.iter().map(|(k, v)| var_bytes(k, v)).sum();
                    // nushell takes names that differ only in case for one variable.
                    let mut folded: Option<std::collections::HashMap<String, String>> =
                        (shell == Some(crate::cli::Shell::Nushell)).then(|| {
                            w.vars
                                .keys()
                                .map(|k| (k.to_ascii_lowercase(), k.to_string()))
                                .collect()
                        });
                    let accepted = values.into_iter().filter_map(|(key, value)| {
                        let value = value?;
                        let reason = refuse_dotenv_key(&key, &value, profile_active)
                            .or_else(|| names::refusal(&key, &value, shell))
                            .or_else(|| {
                                folded
                                    .as_mut()
                                    .and_then(|seen| names::case_twin_among(&key, seen))
                            })
                            .or_else(|| {
                                total += key.len() + value.len() + 2;
                                (total > names::MAX_TOTAL_BYTES).then(too_much_notice)
                            });
                        if let Some(reason) = reason {
                            refused.add(&key, reason);
                            return None;
                        }
                        let value = Some(value);
                        Some((key, Var { value, origin }))
                    });
                    // In one pass, not an insert per name: a `.env` can hold thousands.
                    w.vars.layer(accepted);
                    if let Some(notice) = refused.notice(&format!("`{}`", path.display())) {
                        w.notices.push(notice);
                    }
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
    pub(crate) fn value(&self, name: &str) -> Option<Option<&str>> {
        self.vars.get(name).map(|v| v.value.as_deref())
    }

    /// Where a variable comes from, in words: `profile `work`` or the `.env` file's path.
    pub(crate) fn describe_origin(&self, origin: Origin) -> String {
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

fn var_bytes(name: &str, var: &Var) -> usize {
    var.value.as_ref().map_or(0, |v| name.len() + v.len() + 2)
}

/// While a profile is active its token and endpoint are its own: a `.env` must not send the
/// token elsewhere or swap it.
fn refuse_dotenv_key(key: &str, _value: &str, profile_active: bool) -> Option<String> {
    // Without case: nushell's environment ignores it (`hf_token` would be `HF_TOKEN`).
    let is = |name: &str| key.eq_ignore_ascii_case(name);
    if profile_active
        && (crate::config::TOKEN_VARS.iter().any(|t| is(t))
            || is("HF_ENDPOINT")
            || is("HUGGINGFACE_CO_STAGING")
            || is("HF_TOKEN_PATH")
            || is(PROFILE_VAR))
    {
        return Some("the active profile owns it; set it in the profile instead".into());
    }
    if profile_active
        && (CODE_VARS.iter().any(|t| is(t))
            || CODE_PREFIXES.iter().any(|p| {
                key.get(..p.len())
                    .is_some_and(|k| k.eq_ignore_ascii_case(p))
            }))
    {
        return Some(
            "it decides which programs run, and they would run with the active profile's token; set it in your shell or the profile's `env`".into(),
        );
    }
    if profile_active && TRANSPORT_VARS.iter().any(|t| is(t)) {
        return Some(
            "it decides how the active profile's token travels (proxy, certificates, TLS keys); set it in your shell or the profile's `env`".into(),
        );
    }
    None
}

/// What makes a repository's files run as programs, or run inside every program, while the
/// token is in the environment: a `PATH` entry shadows `hf` or `git`, a preloaded library runs
/// in every process, git's askpass, ssh and config-by-environment run commands of their own
/// (a credential helper among them). A repository's files are never code (threat model).
const CODE_VARS: &[&str] = &[
    "PATH",
    "LD_PRELOAD",
    "LD_LIBRARY_PATH",
    "LD_AUDIT",
    "GIT_ASKPASS",
    "SSH_ASKPASS",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_EXEC_PATH",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_CONFIG_GLOBAL",
    "GIT_CONFIG_SYSTEM",
];
const CODE_PREFIXES: &[&str] = &["GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_"];

/// What routes or opens the connections a token travels on: a proxy with a certificate of the
/// repository's choosing, or disabled verification, or a TLS key log, hands the token to
/// whoever the repository names just as `HF_ENDPOINT` would. (Lower-case forms count: curl,
/// requests and git read `https_proxy`.)
const TRANSPORT_VARS: &[&str] = &[
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "SSLKEYLOGFILE",
    "NODE_EXTRA_CA_CERTS",
    "NODE_TLS_REJECT_UNAUTHORIZED",
    "PYTHONHTTPSVERIFY",
    "GIT_SSL_NO_VERIFY",
    "GIT_SSL_CAINFO",
    "GIT_SSL_CAPATH",
    "GIT_PROXY_COMMAND",
];

fn shell_word(path: &Path) -> String {
    crate::render::word(&path.display().to_string())
}

fn dedup(v: &mut Vec<PathBuf>) {
    let mut seen = std::collections::HashSet::new();
    v.retain(|p| seen.insert(p.clone()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::choose::Why;

    const WORK: &str = "hf_FakeWorkTokenAAAAAAAAAAAAAAAAAAA1111";
    /// The `.env` files these cases read: a name of their own, so no `.env` above the
    /// temporary directory can join in.
    const DOTENV: &str = "layer.env";

    struct Case {
        what: &'static str,
        /// The profiles, as config text.
        profiles: &'static str,
        /// The profile chosen, by a pin in `$ROOT` (`None`: no choice).
        choice: Option<&'static str>,
        /// `.env` files: (directory under `$ROOT`, content, allowed).
        dotenv: &'static [(&'static str, &'static str, bool)],
        /// The variables the environment holds.
        env: &'static [(&'static str, &'static str)],
        legacy_owned: bool,
        shell: Option<Shell>,
        /// (name, value or `None` to unset, where from: `profile` or the `.env`'s directory).
        vars: &'static [(&'static str, Option<&'static str>, &'static str)],
        notices: &'static [&'static str],
    }

    /// (name, value, where from) per wanted variable.
    type Vars = Vec<(String, Option<String>, String)>;

    fn run(case: &Case) -> (Vars, Vec<String>) {
        use std::fs;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let state = root.join("state");
        let allow = state::allow_dir(&state);
        fs::create_dir_all(&allow).unwrap();
        for (rel, content, allowed) in case.dotenv {
            let path = root.join(rel).join(DOTENV);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, content).unwrap();
            if *allowed {
                let key = state::content_key(&state::trust_path(&path), content.as_bytes());
                fs::write(allow.join(key), "").unwrap();
            }
        }
        let cwd = root.join("a/b");
        fs::create_dir_all(&cwd).unwrap();
        let config_path = root.join("config.toml");
        let toml = format!(
            "[settings]\ndotenv_files = [\"{DOTENV}\"]\ndotenv_search = \"root\"\n{}",
            case.profiles
        );
        let config = crate::config::parse(&config_path, &toml).unwrap();
        let env = |k: &str| {
            case.env
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        };
        let ctx = Context {
            config: &config,
            config_path: &config_path,
            state,
            walk: crate::walk::Walk::new(&cwd),
            cwd,
            env: &env,
        };
        let chosen = choose::Chosen {
            choice: case.choice.map(|name| Choice {
                name: name.to_string(),
                why: Why::PinFile(root.join(".hfenv")),
            }),
            ..choose::Chosen::default()
        };
        let opts = Options {
            dotenv: true,
            reuse: None,
            legacy_owned: case.legacy_owned,
            shell: case.shell,
        };
        let w = wanted(&ctx, chosen, &opts);
        let shown = |text: &str| text.replace(&root.display().to_string(), "$ROOT");
        let vars = w
            .vars
            .iter()
            .map(|(name, var)| {
                let origin = match var.origin {
                    Origin::Profile => "profile".to_string(),
                    Origin::Dotenv(i) => {
                        shown(&w.dotenv[i].path.parent().unwrap().display().to_string())
                    }
                };
                (
                    name.to_string(),
                    var.value.as_deref().map(str::to_owned),
                    origin,
                )
            })
            .collect();
        (vars, w.notices.iter().map(|n| shown(n)).collect())
    }

    #[test]
    fn wanted_table() {
        let work = "[profiles.work]\ntoken = \"hf_FakeWorkTokenAAAAAAAAAAAAAAAAAAA1111\"\nenv = { HF_HOME = \"/data/work\" }\n";
        let cases = [
            Case {
                what: "no choice, no files: nothing wanted",
                profiles: work,
                choice: None,
                dotenv: &[],
                env: &[],
                legacy_owned: false,
                shell: None,
                vars: &[],
                notices: &[],
            },
            Case {
                what: "the profile's layer: its token, its name, its env",
                profiles: work,
                choice: Some("work"),
                dotenv: &[],
                env: &[],
                legacy_owned: false,
                shell: None,
                vars: &[
                    ("HFENV_PROFILE", Some("work"), "profile"),
                    ("HF_HOME", Some("/data/work"), "profile"),
                    ("HF_TOKEN", Some(WORK), "profile"),
                ],
                notices: &[],
            },
            Case {
                what: "the legacy variable follows the profile where the user had it",
                profiles: work,
                choice: Some("work"),
                dotenv: &[],
                env: &[],
                legacy_owned: true,
                shell: None,
                vars: &[
                    ("HFENV_PROFILE", Some("work"), "profile"),
                    ("HF_HOME", Some("/data/work"), "profile"),
                    ("HF_TOKEN", Some(WORK), "profile"),
                    ("HUGGING_FACE_HUB_TOKEN", Some(WORK), "profile"),
                ],
                notices: &[],
            },
            Case {
                what: "an unknown profile: nothing of it, said with the closest names",
                profiles: work,
                choice: Some("wrok"),
                dotenv: &[],
                env: &[],
                legacy_owned: false,
                shell: None,
                vars: &[],
                notices: &["profile `wrok` (pin file `$ROOT/.hfenv`) does not exist, so no token is exported — did you mean `work`?"],
            },
            Case {
                what: "a token that cannot be had: the token variables unset, nothing else of the profile",
                profiles: "[profiles.ci]\ntoken_env = \"CI_TOKEN\"\nenv = { HF_HOME = \"/data/ci\" }\n",
                choice: Some("ci"),
                dotenv: &[],
                env: &[],
                legacy_owned: true,
                shell: None,
                vars: &[
                    ("HF_TOKEN", None, "profile"),
                    ("HUGGING_FACE_HUB_TOKEN", None, "profile"),
                ],
                notices: &["profile `ci` reads `CI_TOKEN`, which is not set — export `CI_TOKEN` before using `ci` (no token exported)"],
            },
            Case {
                what: "a name the shell treats specially is refused for that shell only",
                profiles: "[profiles.work]\ntoken = \"hf_FakeWorkTokenAAAAAAAAAAAAAAAAAAA1111\"\nenv = { PROMPT_COMMAND = \"x\", HF_HOME = \"/data/work\" }\n",
                choice: Some("work"),
                dotenv: &[],
                env: &[],
                legacy_owned: false,
                shell: Some(Shell::Bash),
                vars: &[
                    ("HFENV_PROFILE", Some("work"), "profile"),
                    ("HF_HOME", Some("/data/work"), "profile"),
                    ("HF_TOKEN", Some(WORK), "profile"),
                ],
                notices: &["profile `work`: not set: `PROMPT_COMMAND` (bash treats it specially) — the rest applies"],
            },
            Case {
                what: "`.env` layers: the nearer wins, and reads what the farther set",
                profiles: work,
                choice: None,
                dotenv: &[
                    ("a", "A=outer\nB=outer\n", true),
                    ("a/b", "B=inner\nC=${A}-${B}\n", true),
                ],
                env: &[],
                legacy_owned: false,
                shell: None,
                vars: &[
                    ("A", Some("outer"), "$ROOT/a"),
                    ("B", Some("inner"), "$ROOT/a/b"),
                    ("C", Some("outer-inner"), "$ROOT/a/b"),
                ],
                notices: &[],
            },
            Case {
                what: "a blocked `.env` sets nothing and says how to allow it",
                profiles: work,
                choice: None,
                dotenv: &[("a", "A=1\n", false), ("a/b", "B=2\n", true)],
                env: &[],
                legacy_owned: false,
                shell: None,
                vars: &[("B", Some("2"), "$ROOT/a/b")],
                notices: &["`$ROOT/a/layer.env` is blocked — run `hfenv allow $ROOT/a/layer.env` to load it"],
            },
            Case {
                what: "while a profile is active a `.env` may not set its token, endpoint or name (in any case)",
                profiles: work,
                choice: Some("work"),
                dotenv: &[(
                    "a/b",
                    "HF_TOKEN=hf_FakeFromTheRepositoryAAAAAAAAAAAA\nhf_endpoint=https://evil.example\nHF_TOKEN_PATH=/tmp/t\nHFENV_PROFILE=other\nHUGGING_FACE_HUB_TOKEN=x\nHF_HOME=/data/repo\n",
                    true,
                )],
                env: &[],
                legacy_owned: false,
                shell: None,
                vars: &[
                    ("HFENV_PROFILE", Some("work"), "profile"),
                    ("HF_HOME", Some("/data/repo"), "$ROOT/a/b"),
                    ("HF_TOKEN", Some(WORK), "profile"),
                ],
                notices: &["`$ROOT/a/b/layer.env`: not set: `HF_TOKEN` (the active profile owns it; set it in the profile instead), `hf_endpoint` (the active profile owns it; set it in the profile instead), `HF_TOKEN_PATH` (the active profile owns it; set it in the profile instead), `HFENV_PROFILE` (the active profile owns it; set it in the profile instead), `HUGGING_FACE_HUB_TOKEN` (the active profile owns it; set it in the profile instead) — the rest applies"],
            },
            Case {
                what: "while a profile is active a `.env` may not route or open its token's connections (in any case)",
                profiles: work,
                choice: Some("work"),
                dotenv: &[(
                    "a/b",
                    "https_proxy=http://127.0.0.1:8080\nREQUESTS_CA_BUNDLE=./ca.pem\nSSLKEYLOGFILE=./keys\nCURL_CA_BUNDLE=\nGIT_SSL_NO_VERIFY=1\nNO_PROXY=localhost\n",
                    true,
                )],
                env: &[],
                legacy_owned: false,
                shell: None,
                vars: &[
                    ("HFENV_PROFILE", Some("work"), "profile"),
                    ("HF_HOME", Some("/data/work"), "profile"),
                    ("HF_TOKEN", Some(WORK), "profile"),
                    ("NO_PROXY", Some("localhost"), "$ROOT/a/b"),
                ],
                notices: &["`$ROOT/a/b/layer.env`: not set: `https_proxy` (it decides how the active profile's token travels (proxy, certificates, TLS keys); set it in your shell or the profile's `env`), `REQUESTS_CA_BUNDLE` (it decides how the active profile's token travels (proxy, certificates, TLS keys); set it in your shell or the profile's `env`), `SSLKEYLOGFILE` (it decides how the active profile's token travels (proxy, certificates, TLS keys); set it in your shell or the profile's `env`), `CURL_CA_BUNDLE` (it decides how the active profile's token travels (proxy, certificates, TLS keys); set it in your shell or the profile's `env`), `GIT_SSL_NO_VERIFY` (it decides how the active profile's token travels (proxy, certificates, TLS keys); set it in your shell or the profile's `env`) — the rest applies"],
            },
            Case {
                what: "while a profile is active a `.env` may not choose which programs run (in any case)",
                profiles: work,
                choice: Some("work"),
                dotenv: &[(
                    "a/b",
                    "PATH=./bin:${PATH}\nld_preload=./x.so\nGIT_CONFIG_COUNT=1\nGIT_CONFIG_KEY_0=credential.helper\nGIT_SSH_COMMAND=./ssh\nPYTHONPATH=src\n",
                    true,
                )],
                env: &[],
                legacy_owned: false,
                shell: None,
                vars: &[
                    ("HFENV_PROFILE", Some("work"), "profile"),
                    ("HF_HOME", Some("/data/work"), "profile"),
                    ("HF_TOKEN", Some(WORK), "profile"),
                    ("PYTHONPATH", Some("src"), "$ROOT/a/b"),
                ],
                notices: &["`$ROOT/a/b/layer.env`: not set: `PATH` (it decides which programs run, and they would run with the active profile's token; set it in your shell or the profile's `env`), `ld_preload` (it decides which programs run, and they would run with the active profile's token; set it in your shell or the profile's `env`), `GIT_CONFIG_COUNT` (it decides which programs run, and they would run with the active profile's token; set it in your shell or the profile's `env`), `GIT_CONFIG_KEY_0` (it decides which programs run, and they would run with the active profile's token; set it in your shell or the profile's `env`), `GIT_SSH_COMMAND` (it decides which programs run, and they would run with the active profile's token; set it in your shell or the profile's `env`) — the rest applies"],
            },
            Case {
                what: "without a profile a `.env` may set a proxy",
                profiles: work,
                choice: None,
                dotenv: &[("a/b", "HTTPS_PROXY=http://127.0.0.1:8080\n", true)],
                env: &[],
                legacy_owned: false,
                shell: None,
                vars: &[("HTTPS_PROXY", Some("http://127.0.0.1:8080"), "$ROOT/a/b")],
                notices: &[],
            },
            Case {
                what: "without a profile a `.env` may set the token; hfenv's own names never",
                profiles: work,
                choice: None,
                dotenv: &[("a/b", "HF_TOKEN=hf_FakeFromTheRepositoryAAAAAAAAAAAA\nHFENV_PROFILE=x\n__HFENV_STATE=x\nBAD-NAME=1\n", true)],
                env: &[],
                legacy_owned: false,
                shell: None,
                vars: &[("HF_TOKEN", Some("hf_FakeFromTheRepositoryAAAAAAAAAAAA"), "$ROOT/a/b")],
                notices: &["`$ROOT/a/b/layer.env`: not set: `HFENV_PROFILE` (hfenv's own variable, which no file may set), `__HFENV_STATE` (hfenv's own variable, which no file may set), `BAD-NAME` (not a name a shell can export) — the rest applies"],
            },
            Case {
                what: "a bare key sets nothing; an unparsable line is said with its place",
                profiles: work,
                choice: None,
                dotenv: &[("a/b", "KEY\nGOOD=1\n'unclosed\n", true)],
                env: &[("KEY", "mine")],
                legacy_owned: false,
                shell: None,
                vars: &[("GOOD", Some("1"), "$ROOT/a/b")],
                notices: &["`$ROOT/a/b/layer.env:3`: python-dotenv cannot parse this line, so it is skipped — fix or remove it"],
            },
        ];
        let mut failed = Vec::new();
        for case in &cases {
            let (vars, notices) = run(case);
            let want: Vars = case
                .vars
                .iter()
                .map(|(n, v, o)| (n.to_string(), v.map(str::to_string), o.to_string()))
                .collect();
            if vars != want || notices != case.notices {
                failed.push(format!(
                    "{}:\n  vars {vars:?}\n  notices {notices:?}",
                    case.what
                ));
            }
        }
        assert!(failed.is_empty(), "{}", failed.join("\n"));
    }
}

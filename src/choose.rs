//! The choose stage: config + current directory + this shell's choice → which profile applies
//! and why, with the files whose change may change the answer. Nothing here reads a token.

use std::fs;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::files::{self, Links};
use crate::walk::{Level, Walk};
use crate::{paths, state};

/// The name of the marker file that pins a directory to a profile (committable, names only).
pub(crate) const PIN_FILE: &str = ".hfenv";
/// This shell's own choice (`hfenv use NAME --shell`).
pub(crate) const SHELL_CHOICE_VAR: &str = "HFENV_SHELL_PROFILE";
/// Set by `hfenv exec -p NAME` for the command it runs: the most explicit choice there is, so
/// git's credential helper inside it answers for NAME even where an `owners` rule would pick
/// another profile. An hfenv-owned name: no `.env` or profile `env` can set it.
pub(crate) const EXEC_CHOICE_VAR: &str = "HFENV_EXEC_PROFILE";
/// A pin holds a name and perhaps a comment: anything bigger is not a pin.
const PIN_MAX: u64 = 4096;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Why {
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
    pub(crate) fn describe(&self) -> String {
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

    pub(crate) fn scope(&self) -> &'static str {
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
pub(crate) struct Choice {
    pub name: String,
    pub why: Why,
}

/// What every stage reads: the config, where hfenv keeps state, the directory, the environment.
pub(crate) struct Context<'a> {
    pub config: &'a Config,
    pub config_path: &'a Path,
    pub state: PathBuf,
    /// The logical current directory (the shell's `$PWD` when it names the same place).
    pub cwd: PathBuf,
    /// `cwd` and its ancestors, each opened once: every file looked for up the tree is looked
    /// up relative to its directory (see `walk.rs`).
    pub walk: Walk,
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

/// The choice, with what to watch and what to say about it.
#[derive(Debug, Default)]
pub(crate) struct Chosen {
    pub choice: Option<Choice>,
    /// Files and directories whose change may change the choice.
    pub watches: Vec<PathBuf>,
    /// Every pin file looked for, nearest first, and whether something (anything: a file, a
    /// link, a FIFO) was there: the hook's region and its steady watches are made from these.
    pub candidates: Vec<(PathBuf, bool)>,
    /// Pins that were refused, said without their content.
    pub notices: Vec<String>,
}

pub(crate) fn current_dir(env: &dyn Fn(&str) -> Option<String>) -> Result<PathBuf> {
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
pub(crate) fn choose(ctx: &Context) -> Chosen {
    let mut out = Chosen::default();
    out.choice = choose_into(ctx, &mut out);
    out
}

fn choose_into(ctx: &Context, out: &mut Chosen) -> Option<Choice> {
    if let Some(name) = (ctx.env)(SHELL_CHOICE_VAR).filter(|n| !n.is_empty()) {
        return Some(Choice {
            name,
            why: Why::Shell,
        });
    }
    // A pin hfenv cannot read decides too: no profile (it never falls through to the global).
    if let Some(choice) = nearest_pin(ctx, out) {
        return choice;
    }
    let global = state::global_file(&ctx.state);
    watch_file_or_dir(&global, &mut out.watches);
    state::global_profile(&ctx.state).map(|name| Choice {
        name,
        why: Why::Global,
    })
}

/// The nearest pin's (or directory rule's) choice; `Some(None)` when the nearest pin cannot be
/// read: hfenv cannot tell which profile it names, so none applies (fail closed) rather than
/// the one above it or the global one.
fn nearest_pin(ctx: &Context, out: &mut Chosen) -> Option<Option<Choice>> {
    // Resolved once: the kernel names the current directory in one call, where a
    // canonicalization costs one `readlink` per component.
    let physical = physical_dir(&ctx.cwd);
    let mut best_rule: Option<(usize, &str, &str)> = None;
    for (rule, name) in &ctx.config.dirs {
        let rule_path = rule_path(rule);
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
    // A pin that cannot be read is kept with no name.
    let mut pin: Option<(usize, PathBuf, Option<String>)> = None;
    for level in ctx.walk.levels() {
        let dir = level.path();
        let candidate = dir.join(PIN_FILE);
        match read_pin(level) {
            Ok(Some(name)) => {
                out.watches.push(candidate.clone());
                out.candidates.push((candidate.clone(), true));
                pin = Some((dir.components().count(), candidate, Some(name)));
                // Pins further up cannot matter while this one is here.
                break;
            }
            Ok(None) => out.candidates.push((candidate, false)),
            Err(problem) => {
                // Said without the content: a pin may be a link to anything (`.netrc`,
                // `/proc/self/environ`), and only a plain profile name may steer hfenv.
                out.watches.push(candidate.clone());
                out.notices.push(format!(
                    "`{}` was ignored: {problem}, so no profile applies here — a pin holds one profile name ({})",
                    candidate.display(),
                    crate::config::NAME_RULE
                ));
                out.candidates.push((candidate.clone(), true));
                pin = Some((dir.components().count(), candidate, None));
                // Nor while one that cannot be read is here: it decides (no profile).
                break;
            }
        }
    }
    match (best_rule, pin) {
        // The user's own config wins a tie: it is more trusted than a file in a repository.
        (Some((rd, rule, name)), Some((pd, _, _))) if rd >= pd => Some(Some(Choice {
            name: name.to_string(),
            why: Why::DirRule(rule.to_string()),
        })),
        (_, Some((_, path, Some(name)))) => Some(Some(Choice {
            name,
            why: Why::PinFile(path),
        })),
        (_, Some((_, _, None))) => Some(None),
        (Some((_, rule, name)), None) => Some(Some(Choice {
            name: name.to_string(),
            why: Why::DirRule(rule.to_string()),
        })),
        (None, None) => None,
    }
}

/// A `[dirs]` rule's path as it is compared: `~` expanded, `.` and `..` resolved as text.
pub(crate) fn rule_path(rule: &str) -> PathBuf {
    normalize(&paths::expand_tilde(rule))
}

/// The current directory without symlinks: the kernel's name for it when `cwd` is the process's
/// current directory (one call), else `cwd` canonicalized.
pub(crate) fn physical_dir(cwd: &Path) -> Option<PathBuf> {
    match std::env::current_dir() {
        Ok(p) if p == cwd || same_file(&p, cwd) => Some(p),
        _ => fs::canonicalize(cwd).ok(),
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
/// `Ok(None)`: there is no pin here. It is read as a repository's file: small, regular, not a
/// link, never waited on; anything else is refused, with a reason that never quotes it.
pub(crate) fn read_pin(level: Level) -> std::result::Result<Option<String>, String> {
    pin_text(files::read_bounded_with(PIN_MAX, Links::Refuse, |flags| {
        level.open(PIN_FILE, flags)
    }))
}

fn pin_text(
    read: std::result::Result<Vec<u8>, files::ReadError>,
) -> std::result::Result<Option<String>, String> {
    let text = match read {
        Ok(bytes) => bytes,
        Err(e) if e.is_missing() => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    let text = String::from_utf8(text).map_err(|_| "it is not text".to_string())?;
    let mut names = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    match (names.next(), names.next()) {
        (Some(name), None) if crate::config::valid_profile_name(name) => Ok(Some(name.to_string())),
        (None, _) => Err("it names no profile".into()),
        _ => Err("it is not a profile name".into()),
    }
}

/// A file whose change (edit, removal, or appearing) may change the answer. The export sorts
/// each watched path by what it finds there (a file or directory by its time, a dangling link,
/// an absent path by its appearing), so nothing is watched through its directory.
pub(crate) fn watch_file_or_dir(path: &Path, watches: &mut Vec<PathBuf>) {
    watches.push(path.to_path_buf());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A directory tree made for one case, under a fresh temporary root (`$ROOT` in the
    /// expectations). `state/global` is the global choice.
    struct Case {
        what: &'static str,
        /// Files (relative path, content); a content starting with `->` is a symlink to the rest.
        files: &'static [(&'static str, &'static str)],
        /// `[dirs]` rules: (directory under `$ROOT`, profile).
        rules: &'static [(&'static str, &'static str)],
        /// `HFENV_SHELL_PROFILE`.
        shell: Option<&'static str>,
        cwd: &'static str,
        /// (profile, why it was chosen, in words).
        chosen: Option<(&'static str, &'static str)>,
        notices: &'static [&'static str],
        /// The watches under `$ROOT`, in order; `None`: not checked in this case.
        watches: Option<&'static [&'static str]>,
        /// The pin files looked for under `$ROOT`, nearest first, and whether something was
        /// there (the hook's region is made from them); `None`: not checked.
        candidates: Option<&'static [(&'static str, bool)]>,
    }

    const RULE: &str = "a profile name starts with a letter or digit, contains only letters, digits, `.`, `_` and `-`, and does not look like a token";

    type Outcome = (
        Option<(String, String)>,
        Vec<String>,
        Vec<String>,
        Vec<(String, bool)>,
    );

    fn run(case: &Case) -> Outcome {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        for (rel, content) in case.files {
            let path = root.join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            match content.strip_prefix("->") {
                Some(target) => std::os::unix::fs::symlink(target, &path).unwrap(),
                None => fs::write(&path, content).unwrap(),
            }
        }
        fs::create_dir_all(root.join(case.cwd)).unwrap();
        let mut toml = String::from(
            "[profiles.work]\ntoken_env = \"W\"\n[profiles.personal]\ntoken_env = \"P\"\n[dirs]\n",
        );
        for (rel, name) in case.rules {
            toml.push_str(&format!("\"{}\" = \"{name}\"\n", root.join(rel).display()));
        }
        let config_path = root.join("config.toml");
        let config = crate::config::parse(&config_path, &toml).unwrap();
        let env = |k: &str| (k == SHELL_CHOICE_VAR).then(|| case.shell.map(str::to_string))?;
        let ctx = Context {
            config: &config,
            config_path: &config_path,
            state: root.join("state"),
            cwd: root.join(case.cwd),
            walk: Walk::new(&root.join(case.cwd)),
            env: &env,
        };
        let chosen = choose(&ctx);
        let shown = |text: String| text.replace(&root.display().to_string(), "$ROOT");
        (
            chosen.choice.map(|c| (c.name, shown(c.why.describe()))),
            chosen.notices.into_iter().map(shown).collect(),
            chosen
                .watches
                .iter()
                .filter(|w| w.starts_with(&root))
                .map(|w| shown(w.display().to_string()))
                .collect(),
            chosen
                .candidates
                .iter()
                .filter(|(c, _)| c.starts_with(&root))
                .map(|(c, there)| (shown(c.display().to_string()), *there))
                .collect(),
        )
    }

    #[test]
    fn choose_table() {
        let cases = [
            Case {
                what: "nothing anywhere: no profile; the tree and the global choice watched",
                files: &[],
                rules: &[],
                shell: None,
                cwd: "a/b",
                chosen: None,
                notices: &[],
                watches: Some(&["$ROOT/state/global"]),
                candidates: Some(&[
                    ("$ROOT/a/b/.hfenv", false),
                    ("$ROOT/a/.hfenv", false),
                    ("$ROOT/.hfenv", false),
                ]),
            },
            Case {
                what: "the global choice when nothing nearer applies",
                files: &[("state/global", "personal\n")],
                rules: &[],
                shell: None,
                cwd: "a",
                chosen: Some(("personal", "global choice (`hfenv use NAME`)")),
                notices: &[],
                watches: Some(&["$ROOT/state/global"]),
                candidates: None,
            },
            Case {
                what: "this shell's choice beats a pin, a rule and the global choice",
                files: &[("a/.hfenv", "work\n"), ("state/global", "work\n")],
                rules: &[("a", "work")],
                shell: Some("personal"),
                cwd: "a",
                chosen: Some((
                    "personal",
                    "this shell's choice (`HFENV_SHELL_PROFILE`, set by `hfenv use NAME --shell`)",
                )),
                notices: &[],
                watches: Some(&[]),
                candidates: Some(&[]),
            },
            Case {
                what: "an empty shell choice is no choice",
                files: &[("state/global", "work\n")],
                rules: &[],
                shell: Some(""),
                cwd: "a",
                chosen: Some(("work", "global choice (`hfenv use NAME`)")),
                notices: &[],
                watches: None,
                candidates: None,
            },
            Case {
                what: "a pin in an ancestor beats the global choice; the search stops there",
                files: &[("a/.hfenv", "# the team's account\n\nwork\n"), ("state/global", "personal\n")],
                rules: &[],
                shell: None,
                cwd: "a/b/c",
                chosen: Some(("work", "pin file `$ROOT/a/.hfenv`")),
                notices: &[],
                watches: Some(&["$ROOT/a/.hfenv"]),
                candidates: Some(&[
                    ("$ROOT/a/b/c/.hfenv", false),
                    ("$ROOT/a/b/.hfenv", false),
                    ("$ROOT/a/.hfenv", true),
                ]),
            },
            Case {
                what: "the nearest pin wins",
                files: &[("a/.hfenv", "work\n"), ("a/b/.hfenv", "personal\n")],
                rules: &[],
                shell: None,
                cwd: "a/b/c",
                chosen: Some(("personal", "pin file `$ROOT/a/b/.hfenv`")),
                notices: &[],
                watches: None,
                candidates: None,
            },
            Case {
                what: "a rule deeper than the pin wins",
                files: &[("a/.hfenv", "work\n")],
                rules: &[("a/b", "personal")],
                shell: None,
                cwd: "a/b/c",
                chosen: Some(("personal", "directory rule `$ROOT/a/b` in the config")),
                notices: &[],
                watches: None,
                candidates: None,
            },
            Case {
                what: "a pin deeper than the rule wins",
                files: &[("a/b/.hfenv", "work\n")],
                rules: &[("a", "personal")],
                shell: None,
                cwd: "a/b/c",
                chosen: Some(("work", "pin file `$ROOT/a/b/.hfenv`")),
                notices: &[],
                watches: None,
                candidates: None,
            },
            Case {
                what: "a tie goes to the user's config, not the repository's file",
                files: &[("a/.hfenv", "work\n")],
                rules: &[("a", "personal")],
                shell: None,
                cwd: "a/b",
                chosen: Some(("personal", "directory rule `$ROOT/a` in the config")),
                notices: &[],
                watches: None,
                candidates: None,
            },
            Case {
                what: "the deepest of several rules",
                files: &[],
                rules: &[("a", "work"), ("a/b", "personal")],
                shell: None,
                cwd: "a/b/c",
                chosen: Some(("personal", "directory rule `$ROOT/a/b` in the config")),
                notices: &[],
                watches: None,
                candidates: None,
            },
            Case {
                what: "a rule for a sibling does not apply",
                files: &[],
                rules: &[("ab", "work")],
                shell: None,
                cwd: "a/b",
                chosen: None,
                notices: &[],
                watches: None,
                candidates: None,
            },
            Case {
                what: "a pin naming an unknown profile is still the choice (wanted says so)",
                files: &[("a/.hfenv", "nosuch\n")],
                rules: &[],
                shell: None,
                cwd: "a",
                chosen: Some(("nosuch", "pin file `$ROOT/a/.hfenv`")),
                notices: &[],
                watches: None,
                candidates: None,
            },
            Case {
                // Fail closed: hfenv cannot tell which profile the nearest pin names, so none
                // applies, not the pin further up (nor the global one).
                what: "refused pins are said without their content; no profile applies, not the next one up",
                files: &[("a/.hfenv", "work\n"), ("a/b/.hfenv", "work personal\nsecret=hunter2\n")],
                rules: &[],
                shell: None,
                cwd: "a/b",
                chosen: None,
                notices: &["`$ROOT/a/b/.hfenv` was ignored: it is not a profile name, so no profile applies here — a pin holds one profile name (RULE)"],
                watches: Some(&["$ROOT/a/b/.hfenv"]),
                candidates: Some(&[("$ROOT/a/b/.hfenv", true)]),
            },
            Case {
                what: "a pin that names nothing",
                files: &[("a/.hfenv", "# nothing here\n\n")],
                rules: &[],
                shell: None,
                cwd: "a",
                chosen: None,
                notices: &["`$ROOT/a/.hfenv` was ignored: it names no profile, so no profile applies here — a pin holds one profile name (RULE)"],
                watches: None,
                candidates: None,
            },
            Case {
                what: "a pin with control characters",
                files: &[("a/.hfenv", "w\u{0}\u{ff}")],
                rules: &[],
                shell: None,
                cwd: "a",
                chosen: None,
                notices: &["`$ROOT/a/.hfenv` was ignored: it is not a profile name, so no profile applies here — a pin holds one profile name (RULE)"],
                watches: None,
                candidates: None,
            },
            Case {
                what: "a token-shaped pin is not a name, and is not quoted",
                files: &[("a/.hfenv", "hf_FakeWorkTokenAAAAAAAAAAAAAAAAAAA1111\n")],
                rules: &[],
                shell: None,
                cwd: "a",
                chosen: None,
                notices: &["`$ROOT/a/.hfenv` was ignored: it is not a profile name, so no profile applies here — a pin holds one profile name (RULE)"],
                watches: None,
                candidates: None,
            },
            Case {
                what: "a pin that is a link (to a secret) is refused unread",
                files: &[("secret", "work\n"), ("a/.hfenv", "->../secret")],
                rules: &[],
                shell: None,
                cwd: "a",
                chosen: None,
                notices: &["`$ROOT/a/.hfenv` was ignored: a symbolic link, which is not followed here, so no profile applies here — a pin holds one profile name (RULE)"],
                watches: None,
                candidates: None,
            },
        ];
        let mut failed = Vec::new();
        for case in &cases {
            let (chosen, notices, watches, candidates) = run(case);
            let want = case.chosen.map(|(n, w)| (n.to_string(), w.to_string()));
            let want_notices: Vec<String> = case
                .notices
                .iter()
                .map(|n| n.replace("RULE", RULE))
                .collect();
            if chosen != want
                || notices != want_notices
                || case.watches.is_some_and(|w| watches != w)
                || case.candidates.is_some_and(|c| {
                    let c: Vec<(String, bool)> =
                        c.iter().map(|(p, there)| (p.to_string(), *there)).collect();
                    candidates != c
                })
            {
                failed.push(format!(
                    "{}:\n  chosen {chosen:?}\n  notices {notices:?}\n  watches {watches:?}\n  candidates {candidates:?}",
                    case.what
                ));
            }
        }
        assert!(failed.is_empty(), "{}", failed.join("\n"));
    }
}

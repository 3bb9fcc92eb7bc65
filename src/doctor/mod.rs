//! `hfenv doctor`: every check says one line (✓ ⚠ ✗), and a concrete fix. The checks live in
//! one module per group; this module holds the report, its rendering and the shared helpers.

mod env;
mod files;
mod hfcli;
mod hub;
mod install;
mod store;
mod tokens;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use crate::cli::Doctor;
use crate::error::{Error, Result};
use crate::here::Here;
use crate::paths;
use crate::session::{Marker, STATE_VAR};
use crate::wanted::Wanted;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Level {
    Ok,
    /// Worth saying, not a problem (a skipped check, a non-default endpoint).
    Info,
    Warn,
    Fail,
    /// A problem `--fix` repaired: `message` says what was wrong, `fixed` what was done.
    Fixed,
}

#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Finding {
    pub group: &'static str,
    pub check: &'static str,
    pub status: Level,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// What `--fix` did about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed: Option<String>,
}

impl Finding {
    pub(crate) fn fix(mut self, fix: impl Into<String>) -> Finding {
        self.fix = Some(fix.into());
        self
    }
}

pub(crate) const G_CLI: &str = "hf CLI";
pub(crate) const G_TOKEN: &str = "token";
pub(crate) const G_HUB: &str = "Hub";
pub(crate) const G_FILES: &str = "files";
pub(crate) const G_PROJECT: &str = "project";
pub(crate) const G_ENV: &str = "environment";
pub(crate) const G_SHELL: &str = "shell";
const GROUPS: [&str; 7] = [G_CLI, G_TOKEN, G_HUB, G_FILES, G_PROJECT, G_ENV, G_SHELL];

fn finding(group: &'static str, check: &'static str, status: Level, msg: String) -> Finding {
    Finding {
        group,
        check,
        status,
        message: msg,
        fix: None,
        fixed: None,
    }
}
pub(crate) fn ok(g: &'static str, c: &'static str, m: impl Into<String>) -> Finding {
    finding(g, c, Level::Ok, m.into())
}
pub(crate) fn info(g: &'static str, c: &'static str, m: impl Into<String>) -> Finding {
    finding(g, c, Level::Info, m.into())
}
pub(crate) fn warn(g: &'static str, c: &'static str, m: impl Into<String>) -> Finding {
    finding(g, c, Level::Warn, m.into())
}
pub(crate) fn fail(g: &'static str, c: &'static str, m: impl Into<String>) -> Finding {
    finding(g, c, Level::Fail, m.into())
}
/// A problem `--fix` repaired: shown as repaired, with what was done.
pub(crate) fn repaired(
    g: &'static str,
    c: &'static str,
    was: impl Into<String>,
    done: impl Into<String>,
) -> Finding {
    let mut f = finding(g, c, Level::Fixed, was.into());
    f.fixed = Some(done.into());
    f
}

pub(crate) enum Answer {
    Yes,
    No,
    /// No terminal to ask on, and no `--yes`.
    CannotAsk,
}

/// Asks before a repair that changes more than a file's mode (`--yes` agrees in advance).
pub(crate) fn confirm(ctx: &Ctx, question: &str) -> Answer {
    use std::io::{BufRead, IsTerminal, Write};
    if ctx.args.yes {
        return Answer::Yes;
    }
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Answer::CannotAsk;
    }
    let mut err = std::io::stderr();
    let _ = write!(err, "{question} [y/N] ");
    let _ = err.flush();
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line).is_err() {
        return Answer::No;
    }
    if matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Answer::Yes
    } else {
        Answer::No
    }
}

/// Everything the checks share, computed once.
pub(crate) struct Ctx {
    pub args: Doctor,
    pub here: Option<Here>,
    pub wanted: Option<Wanted>,
    /// The hook's marker in this process's environment: the calling shell is hooked.
    pub marker: Option<Marker<'static>>,
    pub cwd: PathBuf,
}

impl Ctx {
    pub(crate) fn env(&self, name: &str) -> Option<String> {
        paths::process_env(name)
    }

    pub(crate) fn home(&self) -> Option<PathBuf> {
        paths::home()
    }
}

pub(crate) fn run(args: Doctor) -> Result<()> {
    for (kind, id) in [
        ("model", &args.model),
        ("dataset", &args.dataset),
        ("space", &args.space),
    ] {
        if let Some(id) = id {
            check_repo_id(kind, id)?;
        }
    }
    let mut report: Vec<Finding> = Vec::new();
    let (here, wanted) = match Here::load() {
        Ok(here) => match here.wanted(None, None) {
            Ok(w) => (Some(here), Some(w)),
            Err(e) => {
                report.push(fail(G_TOKEN, "config", e.message));
                (Some(here), None)
            }
        },
        Err(e) => {
            report.push(fail(G_TOKEN, "config", e.message));
            (None, None)
        }
    };
    let marker = paths::process_env(STATE_VAR).and_then(|m| Marker::parse(&m));
    let cwd = here
        .as_ref()
        .map(|h| h.cwd.clone())
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."));
    let ctx = Ctx {
        args,
        here,
        wanted,
        marker,
        cwd,
    };

    hfcli::check(&ctx, &mut report);
    tokens::check(&ctx, &mut report);
    store::check(&ctx, &mut report);
    {
        let _waiting = (!ctx.args.offline).then(|| crate::ui::Spinner::start("asking the Hub"));
        hub::check(&ctx, &mut report);
    }
    files::check(&ctx, &mut report);
    files::project(&ctx, &mut report);
    env::check(&ctx, &mut report);
    install::check(&ctx, &mut report);
    env::hook(&ctx, &mut report);

    let failed = report.iter().any(|f| f.status == Level::Fail);
    if ctx.args.json {
        crate::ui::print_json(&serde_json::json!({
            "ok": !failed,
            "fix": ctx.args.fix,
            "checks": report,
        }))?;
    } else {
        // Masked here; control characters from outside are escaped per finding in `render`,
        // so only hfenv's own colours reach the terminal.
        crate::ui::print(&crate::token::redact(&render(
            &report,
            crate::ui::color_wanted(),
        )))?;
    }
    if failed {
        Err(Error::silent(crate::error::EXIT_FAILURE))
    } else {
        Ok(())
    }
}

fn check_repo_id(kind: &str, id: &str) -> Result<()> {
    let parts: Vec<&str> = id.split('/').collect();
    let valid = !id.is_empty()
        && parts.len() <= 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        });
    if valid {
        Ok(())
    } else {
        Err(Error::usage(
            format!("`--{kind} {id}` is not a repository id"),
            "write it as `ORG/NAME`, for example `--model meta-llama/Llama-3.1-8B`",
        ))
    }
}

pub(crate) fn render(report: &[Finding], color: bool) -> String {
    let paint = |code: &str, text: &str| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    };
    let mut out = String::new();
    for group in GROUPS {
        let items: Vec<&Finding> = report.iter().filter(|f| f.group == group).collect();
        if items.is_empty() {
            continue;
        }
        out.push_str(&paint("1", group));
        out.push('\n');
        for f in items {
            let mark = match f.status {
                Level::Ok => paint("32", "✓"),
                Level::Info => paint("36", "·"),
                Level::Warn => paint("33", "⚠"),
                Level::Fail => paint("31", "✗"),
                Level::Fixed => paint("32", "↺"),
            };
            let clean = |text: &str| crate::ui::clean(text, false).into_owned();
            if f.status == Level::Fixed {
                out.push_str(&format!("  {mark} repaired: {}\n", clean(&f.message)));
            } else {
                out.push_str(&format!("  {mark} {}\n", clean(&f.message)));
            }
            if let Some(fixed) = &f.fixed {
                out.push_str(&format!("      fixed: {}\n", clean(fixed)));
            }
            if let Some(fix) = &f.fix {
                out.push_str(&format!("      fix: {}\n", clean(fix)));
            }
        }
    }
    let fails = report.iter().filter(|f| f.status == Level::Fail).count();
    let warns = report.iter().filter(|f| f.status == Level::Warn).count();
    let fixed = report.iter().filter(|f| f.fixed.is_some()).count();
    let mut summary = match (fails, warns) {
        (0, 0) => "all good".to_string(),
        (0, w) => format!("{w} warning{}", plural(w)),
        (f, 0) => format!("{f} problem{}", plural(f)),
        (f, w) => format!("{f} problem{}, {w} warning{}", plural(f), plural(w)),
    };
    if fixed > 0 {
        summary.push_str(&format!("; fixed {fixed}"));
    }
    out.push_str(&format!("\n{summary}\n"));
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Runs a helper program with no input, bounded in time; `None` when it cannot be started or
/// does not finish in time (it is killed then).
pub(crate) fn run_bounded(cmd: &mut Command, timeout: Duration) -> Option<Output> {
    cmd.stdin(Stdio::null()).stderr(Stdio::piped());
    match crate::process::run_bounded(cmd, timeout) {
        crate::process::Outcome::Done(out) => Some(out),
        _ => None,
    }
}

/// git for a repository that may be hostile (threat model, rule 6): nothing in its config
/// runs code (no fsmonitor, no hooks, no pager), nothing is fetched, nothing prompts, bounded.
pub(crate) fn git(cwd: &Path, args: &[&str]) -> Option<Output> {
    let git = which::which("git").ok()?;
    run_bounded(
        Command::new(git)
            .args([
                "--no-pager",
                "-c",
                "core.fsmonitor=false",
                "-c",
                "core.hooksPath=/dev/null",
                "-c",
                "core.pager=cat",
                "-c",
                "core.quotePath=true",
            ])
            .args(args)
            .current_dir(cwd)
            .env("GIT_PAGER", "cat")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_NO_LAZY_FETCH", "1")
            .env("GIT_OPTIONAL_LOCKS", "0")
            .env_remove("GIT_EXTERNAL_DIFF"),
        Duration::from_secs(3),
    )
}

/// Text from outside (a repository, git's output) with control characters escaped, so it
/// cannot move the cursor or recolour the terminal.
pub(crate) fn printable(text: &str) -> String {
    crate::ui::printable(text).into_owned()
}

/// `~/x` for paths under the home directory: shorter lines, nothing lost.
pub(crate) fn show(path: &Path) -> String {
    paths::abbreviate_home(path)
}

/// POSIX-quoted when needed, for commands the user copies.
pub(crate) fn shell_word(path: &Path) -> String {
    crate::render::word(&show(path))
}

/// The rc files a user may export variables from, in the order shells read them.
pub(crate) fn rc_files(home: &Path) -> Vec<PathBuf> {
    [
        ".bashrc",
        ".bash_profile",
        ".profile",
        ".zshrc",
        ".zprofile",
        ".config/fish/config.fish",
    ]
    .iter()
    .map(|f| home.join(f))
    .collect()
}

/// `~/.bashrc:12` for each non-comment line that exports `name` (as a whole word).
pub(crate) fn find_in_rc(home: &Path, name: &str) -> Vec<String> {
    let mut hits = Vec::new();
    for file in rc_files(home) {
        let Ok(text) = crate::files::read_bounded_string(
            &file,
            crate::files::SMALL,
            crate::files::Links::Follow,
        ) else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            let t = line.trim_start();
            if t.starts_with('#') {
                continue;
            }
            if mentions_var(t, name)
                && (t.contains("export")
                    || t.contains("set ")
                    || t.contains("setenv")
                    || t.contains(&format!("{name}=")))
            {
                hits.push(format!("{}:{}", show(&file), i + 1));
            }
        }
    }
    hits
}

fn mentions_var(line: &str, name: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    line.match_indices(name).any(|(i, _)| {
        let before = line[..i].chars().next_back();
        let after = line[i + name.len()..].chars().next();
        !before.is_some_and(word) && !after.is_some_and(word)
    })
}

/// Something shaped like a Hugging Face user token: `hf_` and 30 or more letters and digits.
pub(crate) fn token_shaped(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (i, _) in text.match_indices("hf_") {
        if i > 0
            && text[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric())
        {
            continue;
        }
        let rest: String = text[i + 3..]
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        if rest.len() >= 30 {
            found.push(format!("hf_{rest}"));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_variable_as_a_word() {
        assert!(mentions_var("export HF_TOKEN=x", "HF_TOKEN"));
        assert!(!mentions_var("export HF_TOKEN_PATH=x", "HF_TOKEN"));
        assert!(!mentions_var("export MY_HF_TOKEN=x", "HF_TOKEN"));
        assert!(mentions_var("set -gx HF_TOKEN x", "HF_TOKEN"));
    }

    #[test]
    fn finds_token_shapes() {
        let t = "a=hf_abcdefghijklmnopqrstuvwxyz0123456789 b=hf_short";
        assert_eq!(
            token_shaped(t),
            vec!["hf_abcdefghijklmnopqrstuvwxyz0123456789".to_string()]
        );
    }

    #[test]
    fn repo_ids() {
        assert!(check_repo_id("model", "org/name").is_ok());
        assert!(check_repo_id("model", "gpt2").is_ok());
        assert!(check_repo_id("model", "a/b/c").is_err());
        assert!(check_repo_id("model", "a b").is_err());
    }
}

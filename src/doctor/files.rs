//! Check 7 (token files and their modes, stored_tokens Python would read as empty) and check 8
//! (a `.env` git would commit, tracked files holding token-shaped strings).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use super::{
    fail, ok, run_bounded, shell_word, show, token_shaped, warn, Ctx, Finding, G_FILES, G_PROJECT,
};
use crate::token::mask;
use crate::{hf, paths};

pub fn check(ctx: &Ctx, report: &mut Vec<Finding>) {
    let env = |k: &str| paths::process_env(k);
    let token_file = paths::hf_token_path(&env);
    let stored = paths::hf_stored_tokens_path(&env);
    let mut any = false;
    for (what, path) in [("token file", &token_file), ("stored_tokens", &stored)] {
        if path.is_file() {
            any = true;
            mode(ctx, what, path, 0o600, report);
        }
    }
    if any {
        if let Some(dir) = token_file.parent().filter(|d| d.is_dir()) {
            mode(ctx, "huggingface_hub's token directory", dir, 0o700, report);
        }
    }
    if stored.is_file() {
        match hf::stored::read(&stored) {
            Ok(parsed) => {
                if let Some(err) = &parsed.python_error {
                    report.push(
                        fail(
                            G_FILES,
                            "stored-tokens",
                            format!("huggingface_hub reads `{}` as empty ({err}); the next `hf auth login` rewrites it and loses the other tokens", show(&stored)),
                        )
                        .fix(format!("edit {} so each `[name]` appears once and every section has `hf_token`", shell_word(&stored))),
                    );
                } else if has_default_section(&stored) {
                    report.push(
                        warn(
                            G_FILES,
                            "stored-tokens",
                            format!("`{}` has a `[DEFAULT]` section: its keys leak into every token section", show(&stored)),
                        )
                        .fix(format!("remove the `[DEFAULT]` section from {}", shell_word(&stored))),
                    );
                } else {
                    let n = parsed.usable().count();
                    report.push(ok(
                        G_FILES,
                        "stored-tokens",
                        format!(
                            "`{}` holds {n} token{}",
                            show(&stored),
                            if n == 1 { "" } else { "s" }
                        ),
                    ));
                }
            }
            Err(e) => report.push(fail(
                G_FILES,
                "stored-tokens",
                format!("`{}` cannot be read: {e}", show(&stored)),
            )),
        }
    }
    if let Some(here) = &ctx.here {
        if here.loaded.path.is_file() {
            mode(
                ctx,
                "hfenv config",
                &here.loaded.path.clone(),
                0o600,
                report,
            );
        }
    }
}

fn has_default_section(path: &Path) -> bool {
    std::fs::read_to_string(path)
        .map(|t| t.lines().any(|l| l.trim() == "[DEFAULT]"))
        .unwrap_or(false)
}

/// Group and others must have no access; `--fix` sets `want`.
fn mode(ctx: &Ctx, what: &str, path: &Path, want: u32, report: &mut Vec<Finding>) {
    let Ok(meta) = std::fs::metadata(path) else {
        return;
    };
    let have = meta.permissions().mode() & 0o777;
    if have & 0o077 == 0 {
        report.push(ok(
            G_FILES,
            "modes",
            format!("{what} `{}` is private ({have:04o})", show(path)),
        ));
        return;
    }
    let msg = format!(
        "{what} `{}` is mode {have:04o}: others on this machine can read it (want {want:04o})",
        show(path)
    );
    let cmd = format!("chmod {want:o} {}", shell_word(path));
    if ctx.args.fix {
        match std::fs::set_permissions(path, std::fs::Permissions::from_mode(want)) {
            Ok(()) => {
                let mut f = ok(G_FILES, "modes", msg);
                f.fixed = Some(format!("`{cmd}`"));
                report.push(f);
            }
            Err(e) => report.push(
                warn(G_FILES, "modes", format!("{msg}; changing it failed: {e}"))
                    .fix(format!("`{cmd}`")),
            ),
        }
    } else {
        report.push(warn(G_FILES, "modes", msg).fix(format!("`{cmd}` (or `hfenv doctor --fix`)")));
    }
}

fn git(cwd: &Path, args: &[&str]) -> Option<std::process::Output> {
    let git = which::which("git").ok()?;
    run_bounded(
        Command::new(git).args(args).current_dir(cwd),
        Duration::from_secs(3),
    )
}

fn holds_token(text: &str) -> bool {
    if !token_shaped(text).is_empty() {
        return true;
    }
    text.lines().any(|l| {
        let l = l.trim().trim_start_matches("export ").trim_start();
        [
            "HF_TOKEN",
            "HUGGING_FACE_HUB_TOKEN",
            "HUGGINGFACEHUB_API_TOKEN",
            "HUGGINGFACE_TOKEN",
        ]
        .iter()
        .any(|v| {
            l.strip_prefix(v)
                .and_then(|r| r.trim_start().strip_prefix('='))
                .is_some_and(|val| !val.trim().trim_matches(['"', '\'']).is_empty())
        })
    })
}

pub fn project(ctx: &Ctx, report: &mut Vec<Finding>) {
    let cwd = &ctx.cwd;
    let in_repo = git(cwd, &["rev-parse", "--is-inside-work-tree"])
        .is_some_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).trim() == "true");
    if !in_repo {
        return;
    }
    let env_file = cwd.join(".env");
    if let Ok(text) = std::fs::read_to_string(&env_file) {
        if holds_token(&text) {
            let tracked = git(cwd, &["ls-files", "--error-unmatch", "--", ".env"])
                .is_some_and(|o| o.status.success());
            let ignored =
                git(cwd, &["check-ignore", "-q", "--", ".env"]).is_some_and(|o| o.status.success());
            if tracked {
                report.push(
                    fail(G_PROJECT, "dotenv", "`.env` holds a token and is committed to git")
                        .fix("`git rm --cached .env`, add `.env` to `.gitignore`, and rotate the token at https://huggingface.co/settings/tokens (it stays in history)"),
                );
            } else if ignored {
                report.push(ok(
                    G_PROJECT,
                    "dotenv",
                    "`.env` holds a token and git ignores it",
                ));
            } else if ctx.args.fix {
                let gitignore = cwd.join(".gitignore");
                match append_line(&gitignore, ".env") {
                    Ok(()) => {
                        let mut f = ok(G_PROJECT, "dotenv", "`.env` holds a token and git did not ignore it");
                        f.fixed = Some(format!("added `.env` to `{}`", show(&gitignore)));
                        report.push(f);
                    }
                    Err(e) => report.push(
                        fail(G_PROJECT, "dotenv", format!("`.env` holds a token and git does not ignore it; writing `.gitignore` failed: {e}"))
                            .fix("add the line `.env` to `.gitignore`"),
                    ),
                }
            } else {
                report.push(
                    fail(G_PROJECT, "dotenv", "`.env` holds a token and git does not ignore it: `git add .` would commit it")
                        .fix("add the line `.env` to `.gitignore` (`hfenv doctor --fix` does it)"),
                );
            }
        }
    }
    let Some(out) = git(
        cwd,
        &[
            "grep",
            "-I",
            "-n",
            "-o",
            "-E",
            "hf_[A-Za-z0-9]{30,}",
            "--",
            ".",
        ],
    ) else {
        return;
    };
    // 0: matches, 1: none; anything else is git failing, which says nothing about tokens.
    if !matches!(out.status.code(), Some(0 | 1)) {
        return;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let hits: Vec<&str> = text.lines().collect();
    if hits.is_empty() {
        report.push(ok(
            G_PROJECT,
            "tracked",
            "no token-shaped strings in tracked files",
        ));
        return;
    }
    let shown: Vec<String> = hits
        .iter()
        .take(5)
        .filter_map(|h| {
            let mut parts = h.splitn(3, ':');
            let (file, line, tok) = (parts.next()?, parts.next()?, parts.next()?);
            Some(format!("{file}:{line} ({})", mask(tok)))
        })
        .collect();
    let more = if hits.len() > 5 {
        format!(" and {} more", hits.len() - 5)
    } else {
        String::new()
    };
    report.push(
        fail(
            G_PROJECT,
            "tracked",
            format!("tracked files contain token-shaped strings: {}{more}", shown.join(", ")),
        )
        .fix("remove them, and revoke each real token at https://huggingface.co/settings/tokens (git history keeps them)"),
    );
}

fn append_line(path: &Path, line: &str) -> std::io::Result<()> {
    use std::io::Write;
    let existing = std::fs::read_to_string(path).unwrap_or_default();
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    let sep = if existing.is_empty() || existing.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    writeln!(f, "{sep}{line}")
}

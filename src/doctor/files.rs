//! Check 7 (token files and their modes, stored_tokens Python would read as empty) and check 8
//! (a `.env` git would commit, tracked files holding token-shaped strings).

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use super::{
    fail, git, ok, shell_word, show, token_shaped, warn, Ctx, Finding, G_FILES, G_PROJECT,
};
use crate::config::Source;
use crate::files::Links;
use crate::token::mask;
use crate::{hf, paths};

pub(super) fn check(ctx: &Ctx, report: &mut Vec<Finding>) {
    let env = |k: &str| paths::process_env(k);
    let token_file = paths::hf_token_path(&env);
    let stored = paths::hf_stored_tokens_path(&env);
    let mut dirs: Vec<&Path> = Vec::new();
    for (what, path) in [("token file", &token_file), ("stored_tokens", &stored)] {
        if std::fs::symlink_metadata(path).is_ok() {
            mode(ctx, what, path, true, report);
            if let Some(dir) = path.parent().filter(|d| !dirs.contains(d)) {
                dirs.push(dir);
            }
        }
    }
    for dir in dirs {
        replaceable(dir, report);
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
                        .fix(format!("edit {} so it is UTF-8 and each `[name]` and each key in it appears once", shell_word(&stored))),
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
        if std::fs::symlink_metadata(&here.loaded.path).is_ok() {
            let inline = here
                .loaded
                .config
                .profiles
                .values()
                .any(|p| matches!(p.get_ref().source(), Some(Source::Inline(_))));
            mode(
                ctx,
                "hfenv config",
                &here.loaded.path.clone(),
                inline,
                report,
            );
        }
    }
}

/// A directory holding token files that others may write to (without the sticky bit) lets
/// them replace those files. Said, never changed: hfenv did not create the directory, and its
/// mode may be a team's deliberate choice.
fn replaceable(dir: &Path, report: &mut Vec<Finding>) {
    let Ok(meta) = std::fs::metadata(dir) else {
        return;
    };
    let m = meta.mode();
    if m & 0o022 != 0 && m & 0o1000 == 0 {
        report.push(
            warn(
                G_FILES,
                "token-dir",
                format!(
                    "`{}` (mode {:04o}) can be written by others: they can replace the token files in it",
                    show(dir),
                    m & 0o7777
                ),
            )
            .fix(format!(
                "if you are its only user, `chmod go-w {}` (hfenv leaves directories alone)",
                shell_word(dir)
            )),
        );
    }
}

/// A file others can read is a problem when it holds a secret (✗), a warning otherwise;
/// `--fix` removes group and other access from the file itself, never through a link, only
/// when it is the user's own, and says which mode it set.
fn mode(ctx: &Ctx, what: &str, path: &Path, secret: bool, report: &mut Vec<Finding>) {
    let Ok(link) = std::fs::symlink_metadata(path) else {
        return;
    };
    let is_link = link.file_type().is_symlink();
    let Ok(meta) = std::fs::metadata(path) else {
        return;
    };
    if !meta.is_file() {
        return;
    }
    let target = if is_link {
        std::fs::canonicalize(path).ok()
    } else {
        None
    };
    let name = match &target {
        Some(t) => format!("`{}` (a link to `{}`)", show(path), show(t)),
        None => format!("`{}`", show(path)),
    };
    let have = meta.mode() & 0o7777;
    if have & 0o077 == 0 {
        report.push(ok(
            G_FILES,
            "modes",
            format!("{what} {name} is private ({have:04o})"),
        ));
        return;
    }
    let want = have & !0o077;
    let readable = have & 0o044 != 0;
    let msg = format!(
        "{what} {name} is mode {have:04o}: others on this machine can {} it",
        if readable { "read" } else { "write to" }
    );
    let level = |m: String| {
        if readable && secret {
            fail(G_FILES, "modes", m)
        } else {
            warn(G_FILES, "modes", m)
        }
    };
    let real = target.as_deref().unwrap_or(path);
    let cmd = format!("chmod {want:o} {}", shell_word(real));
    // SAFETY: geteuid has no preconditions and cannot fail.
    let mine = meta.uid() == unsafe { libc::geteuid() };
    if !ctx.args.fix {
        report.push(level(msg).fix(format!("`{cmd}` (or `hfenv doctor --fix`)")));
        return;
    }
    if is_link {
        report.push(level(msg).fix(format!(
            "`{cmd}`: hfenv does not change files through links; change the file itself"
        )));
        return;
    }
    if !mine {
        report.push(
            level(format!("{msg}; it belongs to another user"))
                .fix(format!("ask its owner to run `{cmd}`")),
        );
        return;
    }
    match chmod_file(path, &meta, want) {
        Ok(()) => report.push(super::repaired(
            G_FILES,
            "modes",
            msg,
            format!("`{cmd}`: {} is now {want:04o} (was {have:04o})", show(path)),
        )),
        Err(e) => {
            report.push(level(format!("{msg}; changing it failed: {e}")).fix(format!("`{cmd}`")))
        }
    }
}

/// `fchmod` on the file itself: opened without following a link and without blocking, and
/// only if it is still the regular file that was checked.
fn chmod_file(path: &Path, checked: &std::fs::Metadata, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC | libc::O_NOCTTY)
        .open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() || meta.ino() != checked.ino() || meta.dev() != checked.dev() {
        return Err(std::io::Error::other(
            "the file changed while it was checked",
        ));
    }
    file.set_permissions(std::fs::Permissions::from_mode(mode))
}

fn has_default_section(path: &Path) -> bool {
    crate::files::read_bounded_string(path, crate::files::SMALL, Links::Follow)
        .map(|t| t.lines().any(|l| l.trim() == "[DEFAULT]"))
        .unwrap_or(false)
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

pub(super) fn project(ctx: &Ctx, report: &mut Vec<Finding>) {
    // Looked for, not asked: outside a repository no git runs at all.
    if !ctx.cwd.ancestors().any(|d| d.join(".git").exists()) {
        return;
    }
    let cwd = &ctx.cwd;
    let env_file = cwd.join(".env");
    let text = crate::files::read_bounded_string(&env_file, crate::files::SMALL, Links::Follow);
    if text.as_deref().is_ok_and(holds_token) {
        dotenv_ignored(ctx, report);
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
            Some(format!("{}:{line} ({})", super::printable(file), mask(tok)))
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

/// `.env` holds a token: git must ignore it. Asked of git itself (global excludes,
/// `info/exclude` and every `.gitignore` count); `--fix` appends to `.gitignore` only when it
/// is a regular file in the working tree (git does not read a symlinked one), and checks
/// with git again.
fn dotenv_ignored(ctx: &Ctx, report: &mut Vec<Finding>) {
    let cwd = &ctx.cwd;
    let tracked = git(cwd, &["ls-files", "--error-unmatch", "--", ".env"])
        .is_some_and(|o| o.status.success());
    if tracked {
        report.push(
            fail(G_PROJECT, "dotenv", "`.env` holds a token and is committed to git")
                .fix("`git rm --cached .env`, add `.env` to `.gitignore`, and rotate the token at https://huggingface.co/settings/tokens (it stays in history)"),
        );
        return;
    }
    let ignored =
        || git(cwd, &["check-ignore", "-q", "--", ".env"]).is_some_and(|o| o.status.success());
    if ignored() {
        return;
    }
    let problem = "`.env` holds a token and git does not ignore it: `git add .` would commit it";
    if !ctx.args.fix {
        report.push(
            fail(G_PROJECT, "dotenv", problem)
                .fix("add the line `.env` to `.gitignore` (`hfenv doctor --fix` does it)"),
        );
        return;
    }
    let gitignore = cwd.join(".gitignore");
    match add_to_gitignore(cwd, &gitignore) {
        Err(why) => report.push(
            fail(
                G_PROJECT,
                "dotenv",
                format!("{problem}; `.gitignore` was not changed: {why}"),
            )
            .fix("add the line `.env` to a `.gitignore` that is a regular file in the repository"),
        ),
        Ok(()) if ignored() => report.push(super::repaired(
            G_PROJECT,
            "dotenv",
            problem,
            format!("added `.env` to `{}`; git now ignores it", show(&gitignore)),
        )),
        Ok(()) => report.push(
            fail(
                G_PROJECT,
                "dotenv",
                format!(
                    "{problem}; `.env` was added to `{}`, but git still does not ignore it",
                    show(&gitignore)
                ),
            )
            .fix("look for a later `!.env` rule: `git check-ignore -v --no-index .env`"),
        ),
    }
}

fn add_to_gitignore(cwd: &Path, gitignore: &Path) -> std::result::Result<(), String> {
    let real_cwd = std::fs::canonicalize(cwd).map_err(|e| e.to_string())?;
    let top = real_cwd
        .ancestors()
        .find(|d| d.join(".git").exists())
        .ok_or("the directory is not in a git working tree")?;
    if !real_cwd.starts_with(top) {
        return Err("it is outside the working tree".into());
    }
    let (existing, mode) = match std::fs::symlink_metadata(gitignore) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Vec::new(), 0o644),
        Err(e) => return Err(e.to_string()),
        Ok(m) if m.file_type().is_symlink() => {
            return Err("it is a symbolic link, which git does not read".into())
        }
        Ok(m) if !m.is_file() => return Err("it is not a regular file".into()),
        Ok(m) => (
            crate::files::read_bounded(gitignore, crate::files::SMALL, Links::Refuse)
                .map_err(|e| e.to_string())?,
            m.permissions().mode() & 0o777,
        ),
    };
    let mut bytes = existing;
    if !bytes.is_empty() && !bytes.ends_with(b"\n") {
        bytes.push(b'\n');
    }
    bytes.extend_from_slice(b".env\n");
    crate::files::write_atomic(
        gitignore,
        &bytes,
        crate::files::WriteOptions {
            links: Links::Refuse,
            mode,
            durable: true,
        },
    )
    .map_err(|e| e.message)
}

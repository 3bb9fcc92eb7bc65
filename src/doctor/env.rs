//! Check 9 (variables that change huggingface_hub's behaviour, where models download and the
//! free space there) and check 10 (the shell hook), plus git's credential helper for the Hub.

use std::path::{Path, PathBuf};

use super::{fail, info, ok, show, warn, Ctx, Finding, G_ENV, G_SHELL};
use crate::paths;

/// Python's `int()` on a string: surrounding whitespace, a sign, digits with single `_`.
fn python_int(v: &str) -> bool {
    let t = v.trim();
    let t = t.strip_prefix(['+', '-']).unwrap_or(t);
    !t.is_empty()
        && !t.starts_with('_')
        && !t.ends_with('_')
        && !t.contains("__")
        && t.chars().all(|c| c.is_ascii_digit() || c == '_')
}

pub(super) fn check(ctx: &Ctx, report: &mut Vec<Finding>) {
    let env = |k: &str| paths::process_env(k);
    if let Some(reason) = super::hub::offline_reason(ctx).filter(|_| !ctx.args.offline) {
        report.push(
            warn(
                G_ENV,
                "offline",
                format!("{reason}: huggingface_hub will not download anything"),
            )
            .fix("unset it when you need downloads (`unset HF_HUB_OFFLINE TRANSFORMERS_OFFLINE`)"),
        );
    }
    for var in ["HF_HUB_ETAG_TIMEOUT", "HF_HUB_DOWNLOAD_TIMEOUT"] {
        if let Some(v) = env(var) {
            if !python_int(&v) {
                report.push(
                    fail(G_ENV, "timeouts", format!("`{var}={v}` is not an integer: `import huggingface_hub` fails with `ValueError`"))
                        .fix(format!("set it to whole seconds (`export {var}=30`) or `unset {var}`")),
                );
            }
        }
    }
    if paths::is_true(env("HF_HUB_ENABLE_HF_TRANSFER").as_deref())
        && !paths::is_true(env("HF_XET_HIGH_PERFORMANCE").as_deref())
    {
        report.push(
            warn(G_ENV, "hf-transfer", "`HF_HUB_ENABLE_HF_TRANSFER` is deprecated and does nothing (hf_transfer is no longer used)")
                .fix("`unset HF_HUB_ENABLE_HF_TRANSFER`; use `HF_XET_HIGH_PERFORMANCE=1` for fast downloads"),
        );
    }
    if paths::is_true(env("HF_DEBUG").as_deref()) {
        report.push(
            warn(
                G_ENV,
                "debug",
                "`HF_DEBUG` is on: huggingface_hub's request logs can include the token",
            )
            .fix("`unset HF_DEBUG` before sharing logs"),
        );
    }
    cache(report);
}

fn cache(report: &mut Vec<Finding>) {
    let env = |k: &str| paths::process_env(k);
    let cache = match env("HF_HUB_CACHE").or_else(|| env("HUGGINGFACE_HUB_CACHE")) {
        Some(c) => paths::python_expand(&c, &env),
        None => paths::hf_home(&env).join("hub"),
    };
    let free = free_bytes(&cache);
    let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
    match free {
        Some(b) if b < 1 << 30 => report.push(
            warn(
                G_ENV,
                "cache",
                format!(
                    "models download to `{}`: only {:.1} GiB free there",
                    show(&cache),
                    gib(b)
                ),
            )
            .fix("free space, or point `HF_HUB_CACHE` (or `HF_HOME`) at a larger disk"),
        ),
        Some(b) => report.push(ok(
            G_ENV,
            "cache",
            format!(
                "models download to `{}` ({:.1} GiB free)",
                show(&cache),
                gib(b)
            ),
        )),
        None => report.push(info(
            G_ENV,
            "cache",
            format!("models download to `{}` (free space unknown)", show(&cache)),
        )),
    }
}

/// Free space for an unprivileged user where `path` is (or would be created): `statvfs`,
/// no `df` to start.
fn free_bytes(path: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let mut p: PathBuf = path.to_path_buf();
    while !p.exists() {
        if !p.pop() {
            return None;
        }
    }
    let c = std::ffi::CString::new(p.as_os_str().as_bytes()).ok()?;
    // SAFETY: `c` is a NUL-terminated path and `st` a zeroed struct statvfs fills.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return None;
    }
    #[allow(clippy::unnecessary_cast)] // the field types differ between platforms
    Some(st.f_bavail as u64 * st.f_frsize as u64)
}

/// The rc file the user's shell reads, and the hook line for it.
fn shell_rc(ctx: &Ctx) -> Option<(PathBuf, &'static str, String)> {
    let home = ctx.home()?;
    let shell = ctx.env("SHELL").unwrap_or_default();
    let name = Path::new(&shell).file_name()?.to_string_lossy().to_string();
    Some(match name.as_str() {
        "bash" => (
            home.join(".bashrc"),
            "bash",
            "eval \"$(hfenv hook bash)\"".into(),
        ),
        "zsh" => {
            let dir = ctx.env("ZDOTDIR").map(PathBuf::from).unwrap_or(home);
            (
                dir.join(".zshrc"),
                "zsh",
                "eval \"$(hfenv hook zsh)\"".into(),
            )
        }
        "fish" => (
            home.join(".config/fish/config.fish"),
            "fish",
            "hfenv hook fish | source".into(),
        ),
        _ => return None,
    })
}

pub(super) fn hook(ctx: &Ctx, report: &mut Vec<Finding>) {
    let rc = shell_rc(ctx);
    let rc_has = rc.as_ref().map(|(path, _, _)| {
        crate::files::read_bounded_string(path, crate::files::SMALL, crate::files::Links::Follow)
            .map(|t| {
                t.lines()
                    .any(|l| !l.trim_start().starts_with('#') && l.contains("hfenv hook"))
            })
            .unwrap_or(false)
    });
    match (&ctx.marker, &rc, rc_has) {
        (Some(m), _, _) => {
            // Hooked: the profile the shell carries should be the one this directory wants.
            let want = ctx
                .wanted
                .as_ref()
                .and_then(|w| w.choice.as_ref().filter(|_| w.profile.is_some()))
                .map(|c| c.name.clone())
                .unwrap_or_default();
            let name = |p: &str| {
                if p.is_empty() {
                    "no profile".to_string()
                } else {
                    format!("profile `{p}`")
                }
            };
            if m.profile == want {
                report.push(ok(G_SHELL, "hook", "the hfenv hook is active in this shell"));
            } else if wanted_in_previous_dir(ctx).is_some_and(|before| before == m.profile) {
                // `cd ~; hfenv doctor`: no prompt yet since the directory changed.
                report.push(ok(
                    G_SHELL,
                    "hook",
                    format!(
                        "the hfenv hook is active in this shell; it applies {} here at the next prompt (the directory changed since the last one)",
                        name(&want)
                    ),
                ));
            } else {
                report.push(
                    info(
                        G_SHELL,
                        "hook",
                        format!(
                            "the hook ran in this shell; its environment is for {}, and this directory wants {}, which the hook applies at the next prompt",
                            name(&m.profile),
                            name(&want)
                        ),
                    )
                    .fix("if `hfenv status` still disagrees after a new prompt, the hook was lost (`PROMPT_COMMAND` or `precmd` rewritten after it): put the hook line last in your shell rc"),
                );
            }
        }
        (None, Some((path, shell, line)), Some(false)) => report.push(
            warn(G_SHELL, "hook", format!("this shell is not hooked: `{}` has no `hfenv hook` line", show(path)))
                .fix(format!("add `{line}` at the end of {} and open a new {shell}", show(path))),
        ),
        (None, Some((path, _, _)), Some(true)) => report.push(
            warn(G_SHELL, "hook", format!("`{}` loads the hook, but it is not active here (not an interactive shell, or the hook was lost)", show(path)))
                .fix("open a new interactive shell; if it stays inactive, move the hook line to the end of the rc file"),
        ),
        _ => report.push(
            warn(G_SHELL, "hook", "this shell is not hooked (hfenv does not know your shell's rc file)")
                .fix("add your shell's line from `hfenv hook --help` to its rc file"),
        ),
    }
    credential(ctx, report);
}

/// The profile the previous directory (`$OLDPWD`, which bash and zsh export) would get, if
/// it exists.
fn wanted_in_previous_dir(ctx: &Ctx) -> Option<String> {
    let here = ctx.here.as_ref()?;
    let before = PathBuf::from(ctx.env("OLDPWD")?);
    if !before.is_absolute() {
        return None;
    }
    let mut context = here.context();
    context.cwd = before;
    let name = crate::choose::choose(&context)
        .choice
        .map(|c| c.name)
        .filter(|n| here.loaded.config.profile(n).is_some())
        .unwrap_or_default();
    Some(name)
}

fn credential(ctx: &Ctx, report: &mut Vec<Finding>) {
    let Some(out) = super::git(
        &ctx.cwd,
        &[
            "config",
            "--get-urlmatch",
            "credential.helper",
            "https://huggingface.co",
        ],
    ) else {
        return;
    };
    let helper = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if helper.is_empty() {
        report.push(
            info(G_SHELL, "git-credential", "git has no credential helper for huggingface.co: cloning private or gated repos asks for a password")
                .fix("`git config --global credential.https://huggingface.co.helper '!hfenv credential'`"),
        );
    } else {
        report.push(ok(
            G_SHELL,
            "git-credential",
            format!(
                "git's credential helper for huggingface.co: `{}`",
                super::printable(&helper)
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn python_int_like() {
        for ok in ["10", " 10 ", "+5", "-1", "1_000"] {
            assert!(super::python_int(ok), "{ok}");
        }
        for bad in ["", "ten", "1.5", "1__0", "_1", "10s"] {
            assert!(!super::python_int(bad), "{bad}");
        }
    }
}

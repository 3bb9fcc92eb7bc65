//! Checks 1 and 2: the `hf` CLI on PATH (or where installers put it), a leftover
//! `huggingface-cli`, and which Python the `hf` found runs.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::{fail, info, ok, run_bounded, shell_word, show, warn, Ctx, Finding, G_CLI};
use crate::{paths, state};

const INSTALL: &str = "`pip install -U huggingface_hub` (or `curl -LsSf https://hf.co/cli/install.sh | bash`, or `brew install hf`)";

pub fn check(ctx: &Ctx, report: &mut Vec<Finding>) {
    match which::which("hf") {
        Ok(found) => {
            report.push(ok(
                G_CLI,
                "hf",
                format!("`hf` is on PATH: {}", show(&found)),
            ));
            interpreter(&found, report);
        }
        Err(_) => off_path(ctx, report),
    }
    if let Ok(old) = which::which("huggingface-cli") {
        report.push(
            warn(
                G_CLI,
                "huggingface-cli",
                format!(
                    "`huggingface-cli` at {} is a leftover: it is gone (or a stub that exits 1) since huggingface_hub 1.0",
                    show(&old)
                ),
            )
            .fix(format!(
                "use `hf` instead (`hf auth login`, `hf download`); remove the old one with `rm {}` or upgrade that environment",
                shell_word(&old)
            )),
        );
    }
}

fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Where installers put `hf`, most likely first.
fn candidates(ctx: &Ctx) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    let home = ctx.home();
    if let Some(h) = &home {
        dirs.push(h.join(".local/bin"));
    }
    if let Some(base) = user_base() {
        dirs.push(base.join("bin"));
    }
    for var in ["VIRTUAL_ENV", "CONDA_PREFIX"] {
        if let Some(v) = ctx.env(var).filter(|v| !v.is_empty()) {
            dirs.push(PathBuf::from(v).join("bin"));
        }
    }
    dirs.push(ctx.cwd.join(".venv/bin"));
    if let Some(h) = &home {
        dirs.push(h.join(".hf-cli/venv/bin"));
    }
    dirs.push(paths::hf_home(&paths::process_env).join("cli/venv/bin"));
    if let Some(h) = &home {
        let lib = h.join("Library/Python");
        if let Ok(entries) = std::fs::read_dir(&lib) {
            let mut versions: Vec<PathBuf> = entries
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with("3."))
                .map(|e| e.path().join("bin"))
                .collect();
            versions.sort();
            versions.reverse();
            dirs.extend(versions);
        }
    }
    dirs.push(PathBuf::from("/opt/homebrew/bin"));
    let mut seen = std::collections::HashSet::new();
    dirs.retain(|d| seen.insert(d.clone()));
    dirs
}

/// `python3 -m site --user-base`, bounded: pip `--user` installs scripts in its `bin`.
fn user_base() -> Option<PathBuf> {
    let python = which::which("python3").ok()?;
    let out = run_bounded(
        Command::new(python).args(["-m", "site", "--user-base"]),
        Duration::from_secs(3),
    )?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (!text.is_empty()).then(|| PathBuf::from(text))
}

fn off_path(ctx: &Ctx, report: &mut Vec<Finding>) {
    let found = candidates(ctx)
        .into_iter()
        .find(|d| is_executable(&d.join("hf")));
    let Some(dir) = found else {
        let fallback = python_module_works();
        let f = if fallback {
            warn(
                G_CLI,
                "hf",
                "`hf` is not installed as a command, but `python3 -m huggingface_hub.cli.hf` works",
            )
            .fix(format!(
                "install the command with {INSTALL}; until then run `python3 -m huggingface_hub.cli.hf auth whoami`"
            ))
        } else {
            fail(G_CLI, "hf", "`hf` (huggingface_hub's CLI) is not installed")
                .fix(format!("install it with {INSTALL}"))
        };
        report.push(f);
        return;
    };
    let recorded = ctx
        .here
        .as_ref()
        .is_some_and(|h| state::path_additions(&h.state).contains(&dir));
    let hooked = ctx.marker.is_some();
    if recorded {
        report.push(
            warn(
                G_CLI,
                "hf",
                format!(
                    "`hf` is installed in {} — recorded for the hook, but not on this shell's PATH",
                    show(&dir)
                ),
            )
            .fix(if hooked {
                "press Enter for a new prompt (the hook adds it)".to_string()
            } else {
                "open a new shell with the hfenv hook (see the shell section)".to_string()
            }),
        );
        return;
    }
    let manual = format!(
        "add `export PATH=\"{}:$PATH\"` to your shell rc",
        show(&dir).replacen('~', "$HOME", 1)
    );
    if ctx.args.fix {
        match state::add_path_addition(&dir) {
            Ok(_) => {
                let mut f = ok(
                    G_CLI,
                    "hf",
                    format!("`hf` is installed in {}, which was not on PATH", show(&dir)),
                );
                f.fixed = Some(format!(
                    "recorded {}: the hook puts it on PATH in every hooked shell{}",
                    show(&dir),
                    if hooked {
                        " (from the next prompt)"
                    } else {
                        " (this shell is not hooked; open a new one)"
                    }
                ));
                report.push(f);
            }
            Err(e) => report.push(
                fail(
                    G_CLI,
                    "hf",
                    format!(
                        "`hf` is installed in {} but not on PATH; recording it failed: {}",
                        show(&dir),
                        e.message
                    ),
                )
                .fix(manual),
            ),
        }
        return;
    }
    report.push(
        fail(
            G_CLI,
            "hf",
            format!(
                "`hf` is installed in {} but that directory is not on PATH (\"command not found\")",
                show(&dir)
            ),
        )
        .fix(format!(
            "`hfenv doctor --fix` (the hook then adds it to PATH in every hooked shell), or {manual}"
        )),
    );
}

fn python_module_works() -> bool {
    let Ok(python) = which::which("python3") else {
        return false;
    };
    run_bounded(
        Command::new(python).args([
            "-c",
            // Locate without importing: importing huggingface_hub takes seconds on a cold cache.
            "import importlib.util as u, os, sys; s = u.find_spec('huggingface_hub'); \
             sys.exit(not (s and any(os.path.isfile(os.path.join(p, 'cli', 'hf.py')) \
             for p in (s.submodule_search_locations or []))))",
        ]),
        Duration::from_secs(3),
    )
    .is_some_and(|o| o.status.success())
}

/// The Python a console script runs, from its shebang.
fn shebang_python(script: &Path) -> Option<PathBuf> {
    let mut buf = [0u8; 256];
    let n = std::io::Read::read(&mut std::fs::File::open(script).ok()?, &mut buf).ok()?;
    let text = String::from_utf8_lossy(&buf[..n]);
    let first = text.lines().next()?.strip_prefix("#!")?.trim();
    let mut words = first.split_whitespace();
    let prog = words.next()?;
    let interp = if prog.ends_with("/env") {
        which::which(words.find(|w| !w.starts_with('-'))?).ok()?
    } else {
        PathBuf::from(prog)
    };
    interp
        .file_name()?
        .to_string_lossy()
        .starts_with("python")
        .then_some(interp)
}

fn hub_version(python: &Path) -> Option<String> {
    let out = run_bounded(
        Command::new(python).args([
            "-c",
            "import importlib.metadata as m; print(m.version('huggingface_hub'))",
        ]),
        Duration::from_secs(3),
    )?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|v| !v.is_empty())
}

fn interpreter(hf: &Path, report: &mut Vec<Finding>) {
    let Some(python) = shebang_python(hf) else {
        return;
    };
    let version = hub_version(&python);
    let python3 = which::which("python3").ok();
    let same = python3
        .as_ref()
        .is_some_and(|p| std::fs::canonicalize(p).ok() == std::fs::canonicalize(&python).ok());
    let ver = version
        .as_deref()
        .map(|v| format!("huggingface_hub {v}"))
        .unwrap_or_else(|| "huggingface_hub version unknown".into());
    let major: Option<u32> = version
        .as_deref()
        .and_then(|v| v.split('.').next())
        .and_then(|m| m.parse().ok());
    if major.is_some_and(|m| m < 1) {
        report.push(
            warn(
                G_CLI,
                "hf-python",
                format!("`hf` runs {} with an old {ver}", show(&python)),
            )
            .fix(format!(
                "upgrade it: `{} -m pip install -U huggingface_hub`",
                shell_word(&python)
            )),
        );
    } else if let (false, Some(p3)) = (same, python3) {
        report.push(info(
            G_CLI,
            "hf-python",
            format!(
                "`hf` runs {} ({ver}), while `python3` on PATH is {} — scripts and the CLI may see different versions",
                show(&python),
                show(&p3)
            ),
        ));
    } else {
        report.push(ok(
            G_CLI,
            "hf-python",
            format!("`hf` runs {} ({ver})", show(&python)),
        ));
    }
}

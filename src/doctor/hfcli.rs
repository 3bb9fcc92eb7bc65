//! Checks 1 and 2: the `hf` CLI on PATH or wherever Python tools put it, a leftover
//! `huggingface-cli`, and which Python the `hf` found runs.
//!
//! Nothing here starts a program unless its answer is needed: install locations are
//! directories to look at, and huggingface_hub's version is read from its `.dist-info`.
//! `python3` runs only when `hf` is found nowhere (is the module importable?) or its version
//! cannot be read from disk.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::{fail, info, ok, run_bounded, shell_word, show, warn, Ctx, Finding, G_CLI};
use crate::{paths, state, userpath};

const INSTALL: &str = "`pip install -U huggingface_hub` (or `curl -LsSf https://hf.co/cli/install.sh | bash`, or `brew install hf`)";

pub(super) fn check(ctx: &Ctx, report: &mut Vec<Finding>) {
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
    recorded_but_refused(ctx, report);
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

/// A place Python tools install `hf` into.
struct Place {
    bin: PathBuf,
    /// What put it there, for people: "pip --user", "pipx", "a project virtualenv", ...
    what: String,
}

fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    found.sort();
    found
}

/// Every place where Python tools put `hf`, most deliberate first: the shared user bin
/// directory (pip `--user`, pipx and uv tools link there), tool environments, virtualenvs the
/// user named, pyenv and conda, and last project virtualenvs from here up.
fn places(ctx: &Ctx) -> Vec<Place> {
    let env = |k: &str| ctx.env(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    let home = ctx.home();
    let in_home = |rel: &str| home.as_ref().map(|h| h.join(rel));
    let data_home = env("XDG_DATA_HOME").or_else(|| in_home(".local/share"));
    let mut out: Vec<Place> = Vec::new();
    let mut add = |bin: Option<PathBuf>, what: &str| {
        if let Some(bin) = bin {
            out.push(Place {
                bin,
                what: what.to_string(),
            });
        }
    };
    add(
        env("PYTHONUSERBASE")
            .map(|b| b.join("bin"))
            .or_else(|| in_home(".local/bin")),
        "pip --user",
    );
    add(env("PIPX_BIN_DIR"), "pipx");
    add(env("UV_TOOL_BIN_DIR"), "uv tool");
    add(env("XDG_BIN_HOME"), "uv tool");
    if let Some(h) = &home {
        for version in subdirs(&h.join("Library/Python")).into_iter().rev() {
            add(Some(version.join("bin")), "pip --user");
        }
    }
    let pipx_home = env("PIPX_HOME").or_else(|| data_home.as_ref().map(|d| d.join("pipx")));
    for root in [
        pipx_home.map(|p| p.join("venvs")),
        in_home(".local/pipx/venvs"),
    ]
    .into_iter()
    .flatten()
    {
        for venv in subdirs(&root) {
            add(Some(venv.join("bin")), "pipx");
        }
    }
    let uv_tools = env("UV_TOOL_DIR").or_else(|| data_home.as_ref().map(|d| d.join("uv/tools")));
    for tool in uv_tools.map(|d| subdirs(&d)).unwrap_or_default() {
        add(Some(tool.join("bin")), "uv tool");
    }
    add(in_home(".hf-cli/venv/bin"), "the hf installer");
    add(
        Some(paths::hf_home(&paths::process_env).join("cli/venv/bin")),
        "the hf installer",
    );
    add(env("VIRTUAL_ENV").map(|v| v.join("bin")), "virtualenv");
    add(in_home(".venv/bin"), "virtualenv");
    let pyenv = env("PYENV_ROOT").or_else(|| in_home(".pyenv"));
    for version in pyenv
        .map(|p| subdirs(&p.join("versions")))
        .unwrap_or_default()
    {
        add(Some(version.join("bin")), "pyenv");
        for venv in subdirs(&version.join("envs")) {
            add(Some(venv.join("bin")), "pyenv");
        }
    }
    add(env("CONDA_PREFIX").map(|c| c.join("bin")), "conda");
    let mut conda_roots: Vec<PathBuf> = [env("MAMBA_ROOT_PREFIX"), env("CONDA_ROOT")]
        .into_iter()
        .flatten()
        .collect();
    for rel in [
        "miniconda3",
        "anaconda3",
        "miniforge3",
        "mambaforge",
        "micromamba",
        ".conda",
        ".local/share/mamba",
    ] {
        conda_roots.extend(in_home(rel));
    }
    conda_roots.push(PathBuf::from("/opt/conda"));
    for root in conda_roots {
        add(Some(root.join("bin")), "conda");
        for e in subdirs(&root.join("envs")) {
            add(Some(e.join("bin")), "conda");
        }
    }
    // conda records every environment it creates, wherever it is.
    if let Some(list) = in_home(".conda/environments.txt").and_then(|f| {
        crate::files::read_bounded_string(&f, 1 << 20, crate::files::Links::Follow).ok()
    }) {
        for line in list.lines().map(str::trim).filter(|l| l.starts_with('/')) {
            add(Some(Path::new(line).join("bin")), "conda");
        }
    }
    add(Some(PathBuf::from("/opt/homebrew/bin")), "Homebrew");
    for dir in ctx.cwd.ancestors() {
        add(Some(dir.join(".venv/bin")), "a project virtualenv");
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| seen.insert(p.bin.clone()));
    out
}

/// What installed the `hf` at `bin/hf`, refined by where a link there points (pipx and uv
/// link their tools into the shared user bin directory).
fn installed_by(place: &Place) -> String {
    let target = std::fs::read_link(place.bin.join("hf"))
        .map(|t| t.to_string_lossy().into_owned())
        .unwrap_or_default();
    if target.contains("/pipx/") {
        "pipx".into()
    } else if target.contains("/uv/tools/") {
        "uv tool".into()
    } else {
        place.what.clone()
    }
}

fn off_path(ctx: &Ctx, report: &mut Vec<Finding>) {
    let found: Vec<Place> = places(ctx)
        .into_iter()
        .filter(|p| is_executable(&p.bin.join("hf")))
        .collect();
    // Prefer a place --fix may use; a repository's venv only when there is nothing else.
    let best = found
        .iter()
        .find(|p| userpath::refusal(&p.bin).is_none())
        .or(found.first());
    let Some(place) = best else {
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
    let dir = &place.bin;
    let hf = dir.join("hf");
    let by = installed_by(place);
    let at = format!("`hf` is installed at {} ({by}), not on PATH", show(&hf));
    if let Some(why) = userpath::refusal(dir) {
        report.push(project_venv(ctx, dir, &at, &why));
        return;
    }
    let recorded = ctx
        .here
        .as_ref()
        .is_some_and(|h| state::path_additions(&h.state).contains(dir));
    let hooked = ctx.marker.is_some();
    if recorded {
        report.push(
            warn(
                G_CLI,
                "hf",
                format!("{at} of this shell — recorded for the hook, which appends it"),
            )
            .fix(if hooked {
                "press Enter for a new prompt (the hook adds it)".to_string()
            } else {
                "open a new shell with the hfenv hook (`hfenv hook --help` has the line for your shell)".to_string()
            }),
        );
        return;
    }
    let manual = format!(
        "add `export PATH=\"$PATH:{}\"` to your shell rc",
        show(dir).replacen('~', "$HOME", 1)
    );
    let problem = || {
        fail(G_CLI, "hf", format!("{at} (\"command not found\")")).fix(format!(
            "`hfenv doctor --fix` (the hook then appends {} to PATH in every hooked shell), or {manual}",
            show(dir)
        ))
    };
    if !ctx.args.fix {
        report.push(problem());
        return;
    }
    let question = format!(
        "Append {} to PATH in every hooked shell, so `hf` is found?",
        show(dir)
    );
    match super::confirm(ctx, &question) {
        super::Answer::Yes => {}
        super::Answer::No => {
            report.push(problem());
            return;
        }
        super::Answer::CannotAsk => {
            let mut f = problem();
            f.fix = Some(format!(
                "not changed: `--fix` asks before touching PATH; run it in a terminal, or add `--yes` to agree to {}",
                show(dir)
            ));
            report.push(f);
            return;
        }
    }
    match state::add_path_addition(dir) {
        Ok(_) => report.push(super::repaired(
            G_CLI,
            "hf",
            at.clone(),
            format!(
                "recorded {}: the hook appends it to PATH in every hooked shell{}",
                show(dir),
                if hooked {
                    " (from the next prompt)"
                } else {
                    " (this shell is not hooked; open a new one)"
                }
            ),
        )),
        Err(e) => report.push(
            fail(
                G_CLI,
                "hf",
                format!("{at}; recording it failed: {}", e.message),
            )
            .fix(manual),
        ),
    }
}

/// `hf` in a directory that may not go on PATH: most often a repository's virtualenv, which
/// is activated, not added.
fn project_venv(ctx: &Ctx, dir: &Path, at: &str, why: &str) -> Finding {
    let venv = dir.parent().unwrap_or(dir);
    let rel = venv
        .strip_prefix(&ctx.cwd)
        .ok()
        .filter(|r| !r.as_os_str().is_empty())
        .map(|r| r.display().to_string())
        .unwrap_or_else(|| show(venv));
    let activate = crate::render::word(&format!("{rel}/bin/activate"));
    let hf = crate::render::word(&format!("{rel}/bin/hf"));
    let f = warn(
        G_CLI,
        "hf",
        format!("{at}; hfenv never puts it on PATH: {why}"),
    );
    if dir.ends_with("bin") && venv.join("pyvenv.cfg").is_file() {
        f.fix(format!(
            "activate the virtualenv in this shell: `source {activate}` (fish: `source {activate}.fish`), or run `{hf}` directly"
        ))
    } else {
        f.fix(format!(
            "run `{hf}` directly, or install `hf` for your user with {INSTALL}"
        ))
    }
}

/// A directory recorded by an earlier `--fix` that no longer meets the rule: the hook skips
/// it; `--fix` forgets it.
fn recorded_but_refused(ctx: &Ctx, report: &mut Vec<Finding>) {
    let Some(here) = &ctx.here else {
        return;
    };
    for dir in state::path_additions(&here.state) {
        let Some(why) = userpath::refusal(&dir) else {
            continue;
        };
        let what = format!(
            "{} was recorded for PATH, but the hook no longer adds it: {why}",
            show(&dir)
        );
        if ctx.args.fix {
            match state::remove_path_addition(&dir) {
                Ok(()) => report.push(super::repaired(
                    G_CLI,
                    "path-record",
                    what,
                    format!("forgot {}", show(&dir)),
                )),
                Err(e) => report.push(warn(
                    G_CLI,
                    "path-record",
                    format!("{what}; forgetting it failed: {}", e.message),
                )),
            }
        } else {
            report.push(warn(G_CLI, "path-record", what).fix("`hfenv doctor --fix` forgets it"));
        }
    }
}

fn python_module_works() -> bool {
    let Ok(python) = which::which("python3") else {
        return false;
    };
    run_bounded(
        Command::new(python).args([
            "-I",
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
    use std::io::Read;
    // Only the first line matters; `hf` may also be a large binary.
    let (file, _) =
        crate::files::open_regular(script, u64::MAX, crate::files::Links::Follow).ok()?;
    let mut head = Vec::with_capacity(256);
    file.take(256).read_to_end(&mut head).ok()?;
    let text = String::from_utf8_lossy(&head);
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

/// huggingface_hub's version as installed next to `hf` or its Python, read from the
/// `huggingface_hub-X.Y.Z.dist-info` directory pip, uv and conda write.
fn dist_info_version(hf: &Path, python: &Path) -> Option<String> {
    let mut prefixes: Vec<PathBuf> = Vec::new();
    for bin in [hf.parent(), python.parent()].into_iter().flatten() {
        if let Some(prefix) = bin.parent() {
            prefixes.push(prefix.to_path_buf());
        }
    }
    for prefix in prefixes {
        for lib in ["lib", "lib64", "local/lib"] {
            for py in subdirs(&prefix.join(lib)) {
                let name = py.file_name().unwrap_or_default().to_string_lossy();
                if !name.starts_with("python3") {
                    continue;
                }
                for site in ["site-packages", "dist-packages"] {
                    for entry in subdirs(&py.join(site)) {
                        let name = entry.file_name().unwrap_or_default().to_string_lossy();
                        if let Some(v) = name
                            .strip_prefix("huggingface_hub-")
                            .and_then(|r| r.strip_suffix(".dist-info"))
                        {
                            return Some(v.to_string());
                        }
                    }
                }
            }
        }
    }
    None
}

fn hub_version(python: &Path) -> Option<String> {
    let out = run_bounded(
        Command::new(python).args([
            "-I",
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
    let version = dist_info_version(hf, &python).or_else(|| hub_version(&python));
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

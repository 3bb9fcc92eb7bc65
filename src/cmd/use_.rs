use std::path::{Path, PathBuf};

use crate::choose::{self, PIN_FILE, SHELL_CHOICE_VAR};
use crate::cli::Shell;
use crate::cli::Use;
use crate::config::Edit;
use crate::error::{io_error, Error, Result};
use crate::files::{self, Links, WriteOptions};
use crate::here::Here;
use crate::render;
use crate::session::{Change, Transition};
use crate::{paths, state, ui};

/// Set by the hook's `hfenv` wrapper, which evals our standard output: when it is set, stdout
/// carries shell code only and everything for people goes to stderr.
const HOOK_SHELL_VAR: &str = "HFENV_HOOK_SHELL";

pub(crate) fn run(args: Use) -> Result<()> {
    let here = Here::load()?;
    let config = &here.loaded.config;
    if let Some(name) = &args.profile {
        if args.clear {
            return Err(Error::usage(
                "`--clear` takes no profile name",
                "run `hfenv use --clear` with the scope flag only",
            ));
        }
        if config.profile(name).is_none() {
            return Err(config.unknown_profile(name));
        }
    }
    let name = args.profile.as_deref();
    if args.shell {
        return shell_scope(name);
    }
    if let Some(dir) = &args.dir {
        dir_scope(&here, dir, name)?;
    } else if args.pin {
        pin_scope(&here.cwd, name)?;
    } else {
        state::set_global_profile(name)?;
        match name {
            Some(n) => say(&format!("global profile is now `{n}`")),
            None => say("cleared the global profile"),
        }
    }
    explain_if_shadowed(name);
    Ok(())
}

fn say(text: &str) {
    crate::ui::say(text);
}

fn shell_scope(name: Option<&str>) -> Result<()> {
    let Some(shell) = paths::process_env(HOOK_SHELL_VAR).and_then(|s| parse_shell(&s)) else {
        return Err(Error::new(
            "`--shell` needs the shell hook, which lets hfenv change this shell",
            "add `eval \"$(hfenv hook bash)\"` (or your shell's line, see `hfenv hook --help`) to your shell rc, then open a new shell",
        ));
    };
    let change = match name {
        Some(n) => Change::Set(SHELL_CHOICE_VAR.into(), n.into()),
        None => Change::Unset(SHELL_CHOICE_VAR.into()),
    };
    match name {
        Some(n) => say(&format!(
            "this shell now uses `{n}` (until it exits or `hfenv use --clear --shell`)"
        )),
        None => say("cleared this shell's profile"),
    }
    ui::print(&render::render(shell, &Transition::of(vec![change]), None))
}

fn parse_shell(s: &str) -> Option<Shell> {
    clap::ValueEnum::from_str(s, true).ok()
}

fn absolute(cwd: &Path, dir: &Path) -> Result<PathBuf> {
    let expanded = paths::expand_tilde(&dir.to_string_lossy());
    let joined = if expanded.is_absolute() {
        expanded
    } else {
        cwd.join(expanded)
    };
    // Canonical, so `.` and `..` never end up in the rule; the directory must exist.
    std::fs::canonicalize(&joined).map_err(|e| io_error("find the directory", &joined, e))
}

fn dir_scope(here: &Here, dir: &Path, name: Option<&str>) -> Result<()> {
    let target = match (absolute(&here.cwd, dir), name) {
        (Ok(t), _) => t,
        // A rule for a directory that no longer exists can still be cleared.
        (Err(_), None) => {
            let expanded = paths::expand_tilde(&dir.to_string_lossy());
            if expanded.is_absolute() {
                expanded
            } else {
                here.cwd.join(expanded)
            }
        }
        (Err(e), Some(_)) => return Err(e),
    };
    let key = paths::abbreviate_home(&target);
    let mut edit = Edit::begin()?;
    let existing: Vec<String> = edit
        .config
        .dirs
        .keys()
        .filter(|k| {
            std::fs::canonicalize(paths::expand_tilde(k)).ok().as_ref() == Some(&target)
                || **k == key
        })
        .cloned()
        .collect();
    let dirs = edit.dirs_table();
    for k in &existing {
        dirs.remove(k);
    }
    if let Some(n) = name {
        dirs.insert(&key, toml_edit::value(n));
    } else if existing.is_empty() {
        return Err(Error::new(
            format!("no directory rule for `{key}`"),
            "see the rules with `hfenv status`",
        ));
    }
    edit.drop_empty_dirs();
    edit.commit()?;
    match name {
        Some(n) => say(&format!("`{key}` and below now use `{n}`")),
        None => say(&format!("removed the directory rule for `{key}`")),
    }
    Ok(())
}

fn pin_scope(cwd: &Path, name: Option<&str>) -> Result<()> {
    let file = cwd.join(PIN_FILE);
    match name {
        Some(n) => {
            // A pin names a profile and is meant to be committed: it need not be private. A
            // link planted at its place is replaced, never written through.
            let shared = WriteOptions {
                links: Links::Refuse,
                mode: 0o644,
                durable: true,
            };
            files::write_atomic(&file, format!("{n}\n").as_bytes(), shared)?;
            say(&format!("wrote `{}` naming `{n}`", file.display()));
        }
        None => {
            if !file.exists() {
                return Err(Error::new(
                    format!("no `{PIN_FILE}` in `{}`", cwd.display()),
                    "run it in the directory whose pin you want to clear (see `hfenv status`)",
                ));
            }
            std::fs::remove_file(&file).map_err(|e| io_error("remove", &file, e))?;
            say(&format!("removed `{}`", file.display()));
        }
    }
    Ok(())
}

/// A global or directory choice does nothing where a narrower scope wins; say so.
fn explain_if_shadowed(name: Option<&str>) {
    let Ok(here) = Here::load() else { return };
    if let Some(choice) = choose::choose(&here.context()).choice {
        if Some(choice.name.as_str()) != name {
            say(&format!(
                "here `{}` still applies: {}",
                choice.name,
                choice.why.describe()
            ));
        }
    }
}

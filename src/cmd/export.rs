use std::fs;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::apply::{self, Marker, Op, STATE_VAR};
use crate::cli::{Export, ExportFormat};
use crate::error::{io_error, Error, Result};
use crate::originals::{self, Originals};
use crate::resolve::{self, Context, Here, Options, Wanted, SHELL_CHOICE_VAR};
use crate::shell::{self, HookState, Shell};
use crate::token::fingerprint;
use crate::{config, paths, state, ui};

/// Env var through which the hook hands back its stamp path, so each shell keeps one stamp.
const STAMP_VAR: &str = "__HFENV_STAMP";
/// Per-shell stamps (their mtime) and stores of values to restore (their content).
const SHELLS_DIR: &str = "shells";
/// How far back a stamp is dated. File times come from a coarse kernel clock; dating the stamp
/// before the moment we read our inputs guarantees that any later edit looks newer, at the
/// cost of one extra export after files that changed within this window.
const STAMP_MARGIN: Duration = Duration::from_secs(1);

pub fn run(args: Export) -> Result<()> {
    let shell = match args.format {
        ExportFormat::Bash => Shell::Bash,
        ExportFormat::Zsh => Shell::Zsh,
        ExportFormat::Fish => Shell::Fish,
        ExportFormat::Elvish => Shell::Elvish,
        ExportFormat::Nushell => Shell::Nushell,
        ExportFormat::Powershell => Shell::Powershell,
        data => return data_export(data, args.profile.as_deref()),
    };
    shell_export(shell, args.hook, args.profile.as_deref())
}

fn shell_export(shell: Shell, hook: bool, explicit: Option<&str>) -> Result<()> {
    let started = SystemTime::now();
    let env = &paths::process_env;
    let previous = env(STATE_VAR)
        .and_then(|m| Marker::parse(&m))
        .unwrap_or_default();
    let state_dir = state::dir()?;
    let config_path = paths::config_file()?;
    let cwd = resolve::current_dir(env)?;
    // Without a stamp the hook cannot skip work, but the environment must still be right:
    // the code is printed and the failure reported afterwards (the hook then stays quiet).
    let (stamp, mut stamp_error) = match hook.then(|| stamp_path(&state_dir)) {
        Some(Ok(path)) => (Some(path), None),
        Some(Err(e)) => (None, Some(e)),
        None => (None, None),
    };
    let hook_state = |watches: Vec<PathBuf>, names: Vec<String>| {
        hook.then(|| HookState {
            pwd: env("PWD").unwrap_or_else(|| cwd.display().to_string()),
            shell_choice: env(SHELL_CHOICE_VAR).unwrap_or_default(),
            stamp: stamp.clone().unwrap_or_default(),
            watches,
            names,
        })
    };
    // The stamp's content is this shell's store of values to restore; its mtime (set last,
    // dated before we read anything) is what the hook compares watched files against.
    let finish = |originals: Option<&Originals>| -> Result<()> {
        let Some(path) = &stamp else { return Ok(()) };
        if let Some(o) = originals {
            originals::store(path, o).map_err(|e| io_error("write", path, e))?;
        }
        touch_stamp(path, started)
    };
    let loaded = match config::load_from(&config_path) {
        Ok(l) => l,
        Err(e) => {
            // Leave the environment as it is, but record the watches so the error is said once
            // per change of the config, not at every prompt.
            crate::ui::say(&e.message);
            let mut watches = vec![config_path.clone()];
            if let Some(parent) = config_path.parent() {
                watches.push(parent.to_path_buf());
            }
            let plan = apply::Plan {
                ops: Vec::new(),
                marker: previous,
            };
            finish(None)?;
            ui::print(&shell::render(
                shell,
                &plan,
                hook_state(watches, Vec::new()).as_ref(),
            ))?;
            // The hook keeps the prompt going (its bookkeeping was printed); a script calling
            // export directly must see the failure.
            return if hook {
                Ok(())
            } else {
                Err(Error::silent(crate::error::EXIT_FAILURE))
            };
        }
    };
    let ctx = Context {
        config: &loaded.config,
        config_path: &loaded.path,
        state: state_dir.clone(),
        cwd: cwd.clone(),
        env,
    };
    let current_token = env("HF_TOKEN");
    let reuse = (!previous.profile.is_empty()
        && previous.owns("HF_TOKEN", current_token.as_deref()))
    .then(|| {
        current_token
            .clone()
            .map(|t| (previous.profile.clone(), previous.digest.clone(), t))
    })
    .flatten();
    let legacy = "HUGGING_FACE_HUB_TOKEN";
    let opts = Options {
        explicit: explicit.map(str::to_string),
        dotenv: explicit.is_none(),
        reuse,
        legacy_owned: previous.managed.contains_key(legacy) || env(legacy).is_some(),
    };
    if let Some(name) = explicit {
        if loaded.config.profile(name).is_none() {
            return Err(loaded.config.unknown_profile(name));
        }
    }
    let wanted = resolve::wanted(&ctx, &opts);
    let notices = notices_print(&wanted);
    if notices != previous.notices || !hook {
        for n in &wanted.notices {
            crate::ui::say(n);
        }
    }
    // The hook hands back its stamp from the second load on: only then did this very shell make
    // the previous changes, so a differing value is the user's own edit.
    let same_shell = hook && env(STAMP_VAR).is_some_and(|s| !s.is_empty());
    let mut plan = apply::plan_with(&wanted, &previous, env, &notices, same_shell);
    // This shell's own store, or, in a shell started from a hooked one, the parent's.
    let mut originals = stamp
        .as_deref()
        .and_then(originals::load)
        .or_else(|| inherited_originals(&state_dir, &previous.store))
        .unwrap_or_default();
    plan.ops = originals::resolve(std::mem::take(&mut plan.ops), &mut originals, env);
    if let Some(name) = stamp.as_deref().and_then(Path::file_name) {
        plan.marker.store = name.to_string_lossy().into_owned();
    }
    if let Err(e) = finish(Some(&originals)) {
        stamp_error = Some(e);
    }
    let names = std::iter::once(resolve::PIN_FILE.to_string())
        .chain(loaded.config.settings.dotenv_files.iter().cloned())
        .collect();
    let hook_state = hook_state(wanted.watches.clone(), names);
    let result = ui::print_with(|w| shell::render_to(shell, &plan, hook_state.as_ref(), w));
    if let Some(e) = stamp_error {
        return Err(e);
    }
    // The process ends right after this: freeing thousands of `.env` strings one by one would
    // only delay the prompt.
    std::mem::forget(plan);
    std::mem::forget(wanted);
    result
}

/// The values to restore recorded by the shell named in the marker (read only).
pub fn inherited_originals(state_dir: &Path, store: &str) -> Option<Originals> {
    // A name, never a path: the marker comes from the environment.
    if store.is_empty() || store.contains('/') || store.starts_with('.') {
        return None;
    }
    originals::load(&state_dir.join(SHELLS_DIR).join(store))
}

fn notices_print(wanted: &Wanted) -> String {
    if wanted.notices.is_empty() {
        String::new()
    } else {
        fingerprint(&format!(
            "{}\n{}",
            wanted.notices.join("\n"),
            wanted.notice_keys.join("\n")
        ))
    }
}

fn stamp_path(state_dir: &Path) -> Result<PathBuf> {
    let shells = state_dir.join(SHELLS_DIR);
    if let Some(p) = paths::process_env(STAMP_VAR)
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
    {
        if p.parent() == Some(shells.as_path()) {
            return Ok(p);
        }
    }
    if !shells.is_dir() {
        crate::files::private_dir(&shells)?;
    } else {
        prune_stamps(&shells, Duration::from_secs(30 * 24 * 3600));
        prune_stamps(
            &state_dir.join(apply::SPILL_DIR),
            Duration::from_secs(30 * 24 * 3600),
        );
    }
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    Ok(shells.join(format!("{}-{nanos}", std::process::id())))
}

/// Stamps of shells that are long gone; a live shell whose stamp is removed simply gets a new
/// one at its next prompt.
fn prune_stamps(shells: &Path, age: Duration) {
    let Ok(entries) = fs::read_dir(shells) else {
        return;
    };
    let cutoff = SystemTime::now() - age;
    for e in entries.flatten() {
        if e.metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|m| m < cutoff)
        {
            let _ = fs::remove_file(e.path());
        }
    }
}

fn touch_stamp(stamp: &Path, started: SystemTime) -> Result<()> {
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(stamp)
        .map_err(|e| io_error("write the stamp", stamp, e))?;
    file.set_modified(started - STAMP_MARGIN)
        .map_err(|e| io_error("date the stamp", stamp, e))
}

/// json, dotenv and github: the wanted variables as data, for editors, Docker and CI.
fn data_export(format: ExportFormat, explicit: Option<&str>) -> Result<()> {
    let here = Here::load()?;
    let wanted = here.wanted(explicit, explicit.is_none())?;
    for n in &wanted.notices {
        crate::ui::say(n);
    }
    if format != ExportFormat::Github && ui::stdout_is_tty() {
        return Err(Error::new(
            "refusing to print secrets to a terminal",
            "redirect the output (`> file`, `| tool`), or see what applies with `hfenv status`",
        ));
    }
    let vars = exported_vars(&wanted);
    match format {
        ExportFormat::Json => {
            let map: serde_json::Map<String, serde_json::Value> = vars
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.clone()
                            .map(serde_json::Value::String)
                            .unwrap_or(serde_json::Value::Null),
                    )
                })
                .collect();
            ui::print(&format!("{}\n", serde_json::Value::Object(map)))
        }
        ExportFormat::Dotenv => {
            for (k, v) in &vars {
                if v.as_deref()
                    .is_some_and(|v| !crate::formats::dotenv_literal(v))
                {
                    ui::warn(format!(
                        "`{k}` is written quoted with escapes: python-dotenv and editors read it, but Docker's `--env-file` takes values literally"
                    ));
                }
            }
            let text: String = vars
                .iter()
                .filter_map(|(k, v)| {
                    v.as_ref()
                        .map(|v| format!("{k}={}\n", crate::formats::dotenv_value(v)))
                })
                .collect();
            ui::print(&text)
        }
        ExportFormat::Github => github(&vars, wanted.token()),
        _ => unreachable!("shell formats are handled by shell_export"),
    }
}

/// The variables a fresh process should get (unsets as `None`), PATH included when hfenv adds
/// to it.
pub fn exported_vars(wanted: &Wanted) -> Vec<(String, Option<String>)> {
    let mut vars: Vec<(String, Option<String>)> = wanted
        .vars
        .iter()
        .map(|(k, v)| (k.clone(), v.value.clone()))
        .collect();
    let plan = apply::plan(wanted, &Marker::default(), &paths::process_env, "");
    for op in plan.ops {
        if let Op::Export(name, value) = op {
            if name == "PATH" {
                vars.push((name.into_owned(), Some(value.into_owned())));
            }
        }
    }
    vars
}

/// Appends to `$GITHUB_ENV` with the multi-line delimiter syntax, and masks in the log every
/// value that is not known to be harmless (the token, `.env` secrets, a profile's `env`).
fn github(vars: &[(String, Option<String>)], token: Option<&str>) -> Result<()> {
    let Some(path) = paths::process_env("GITHUB_ENV")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
    else {
        return Err(Error::new(
            "`GITHUB_ENV` is not set",
            "run this inside a GitHub Actions step",
        ));
    };
    let mut masks = String::new();
    if let Some(t) = token {
        masks.push_str(&crate::formats::github_masks(t));
    }
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    let seed = format!("{nanos}{}", std::process::id());
    let mut text = String::new();
    for (k, v) in vars {
        let Some(v) = v else { continue };
        if Some(v.as_str()) != token && !crate::formats::github_harmless(k, v) {
            masks.push_str(&crate::formats::github_masks(v));
        }
        text.push_str(&crate::formats::github_env_entry(k, v, &seed));
    }
    // Masks first: a value must be masked before anything can print it.
    ui::print(&masks)?;
    let mut f = fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&path)
        .map_err(|e| io_error("open", &path, e))?;
    f.write_all(text.as_bytes())
        .map_err(|e| io_error("write", &path, e))?;
    let names: Vec<&str> = vars
        .iter()
        .filter(|(_, v)| v.is_some())
        .map(|(k, _)| k.as_str())
        .collect();
    eprintln!("hfenv: exported {} to `GITHUB_ENV`", names.join(", "));
    Ok(())
}

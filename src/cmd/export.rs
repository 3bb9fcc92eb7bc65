use std::path::PathBuf;
use std::time::SystemTime;

use crate::choose::{self, Context, SHELL_CHOICE_VAR};
use crate::cli::{Export, ExportFormat, Shell};
use crate::error::{Error, Result};
use crate::here::{legacy_owned, Here};
use crate::render::{self, data, HookState};
use crate::session::Session;
use crate::token::fingerprint;
use crate::wanted::{self, Options, Wanted};
use crate::{config, paths, state, ui};

pub(crate) fn run(args: Export) -> Result<()> {
    match args.format {
        ExportFormat::Shell(shell) => shell_export(shell, args.hook, args.profile.as_deref()),
        data => data_export(data, args.profile.as_deref()),
    }
}

/// choose → wanted → session → render, for a shell. With `hook`, the shell is the prompt
/// hook's: notices are said once per change, a stamp dates the load, and the exit status is 0
/// whenever a complete script was printed (the hook fails closed on anything else).
fn shell_export(shell: Shell, hook: bool, explicit: Option<&str>) -> Result<()> {
    let started = SystemTime::now();
    let env = &paths::process_env;
    let state_dir = state::dir()?;
    let mut session = Session::from_env(&state_dir, env, hook);
    let (wanted, names, failed) = want(shell, explicit, &session)?;
    let mut notices = wanted.notices.clone();
    if let Some(e) = session.stamp_problem() {
        notices.push(e.message.clone());
    }
    let said = notices_print(&notices, &wanted.notice_keys);
    if said != session.notices_said() || !hook {
        for n in &notices {
            ui::say(n);
        }
    }
    let transition = session.transition(&wanted, env, &said);
    if let Err(e) = session.save(started) {
        ui::say(&e.message);
    }
    let hook_state = hook.then(|| HookState {
        pwd: env("PWD").unwrap_or_default(),
        shell_choice: env(SHELL_CHOICE_VAR).unwrap_or_default(),
        stamp: session.stamp().map(PathBuf::from).unwrap_or_default(),
        watches: wanted.watches.clone(),
        env_watches: wanted
            .env_watches
            .iter()
            .map(|name| (name.clone(), env(name)))
            .collect(),
        names,
        until: wanted.recheck_at,
    });
    ui::print_with(|w| render::render_to(shell, &transition, hook_state.as_ref(), w))?;
    // The process ends right after this: freeing thousands of `.env` strings one by one would
    // only delay the prompt.
    std::mem::forget(transition);
    std::mem::forget(wanted);
    match failed {
        // A script calling export directly must see the failure; the hook got its script.
        true if !hook => Err(Error::silent(crate::error::EXIT_FAILURE)),
        _ => Ok(()),
    }
}

/// What this directory wants, the file names looked for here (`.hfenv`, the `.env` names), and
/// `true` when hfenv could not decide (a config it cannot read, a current directory that is
/// gone), and so wants nothing: the profile's variables go.
fn want(
    shell: Shell,
    explicit: Option<&str>,
    session: &Session,
) -> Result<(Wanted, Vec<String>, bool)> {
    let env = &paths::process_env;
    let config_path = paths::config_file()?;
    let fail_closed = |problem: String| {
        let mut w = Wanted::default();
        // Said once per change of the config; recovered at the first prompt after it is mended.
        choose::watch_file_or_dir(&config_path, &mut w.watches);
        if let Some(parent) = config_path.parent() {
            choose::watch_file_or_dir(parent, &mut w.watches);
        }
        w.notices.push(format!(
            "{problem} (until then no profile applies: its variables were removed)"
        ));
        (w, Vec::new(), true)
    };
    let loaded = match config::load_from(&config_path) {
        Ok(l) => l,
        Err(e) => return Ok(fail_closed(e.message)),
    };
    let cwd = match choose::current_dir(env) {
        Ok(c) => c,
        Err(e) => return Ok(fail_closed(e.message)),
    };
    if let Some(name) = explicit {
        if loaded.config.profile(name).is_none() {
            return Err(loaded.config.unknown_profile(name));
        }
    }
    let ctx = Context {
        config: &loaded.config,
        config_path: &loaded.path,
        state: state::dir()?,
        cwd,
        env,
    };
    let chosen = match explicit {
        Some(name) => choose::Chosen {
            choice: Some(choose::Choice {
                name: name.to_string(),
                why: choose::Why::Explicit,
            }),
            ..Default::default()
        },
        None => choose::choose(&ctx),
    };
    let opts = Options {
        dotenv: explicit.is_none(),
        reuse: session.held_token(env),
        legacy_owned: legacy_owned(session),
        shell: Some(shell),
    };
    let names = std::iter::once(choose::PIN_FILE.to_string())
        .chain(loaded.config.settings.dotenv_files.iter().cloned())
        .collect();
    Ok((wanted::wanted(&ctx, chosen, &opts), names, false))
}

/// What makes the notices new: their text, and the content of each blocked file, so an edit is
/// said once more even though the notice reads the same.
fn notices_print(notices: &[String], keys: &[String]) -> String {
    if notices.is_empty() {
        String::new()
    } else {
        fingerprint(&format!("{}\n{}", notices.join("\n"), keys.join("\n")))
    }
}

/// json, dotenv and github: the wanted variables as data, for editors, Docker and CI.
fn data_export(format: ExportFormat, explicit: Option<&str>) -> Result<()> {
    let here = Here::load()?;
    let wanted = here.wanted(explicit, None)?;
    for n in &wanted.notices {
        ui::say(n);
    }
    if format != ExportFormat::Github && ui::stdout_is_tty() {
        return Err(Error::new(
            "refusing to print secrets to a terminal",
            "redirect the output (`> file`, `| tool`), or see what applies with `hfenv status`",
        ));
    }
    let vars = data::vars(&wanted);
    match format {
        ExportFormat::Json => data::json(&vars),
        ExportFormat::Dotenv => data::dotenv(&vars),
        ExportFormat::Github => data::github(&vars, wanted.token()),
        ExportFormat::Shell(_) => unreachable!("shell formats are handled by shell_export"),
    }
}

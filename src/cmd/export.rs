use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use crate::choose::{self, Context, SHELL_CHOICE_VAR};
use crate::cli::{Export, ExportFormat, Shell};
use crate::error::{Error, Result};
use crate::here::{legacy_owned, Here};
use crate::render::{self, data, HookState};
use crate::session::stamp;
use crate::session::{Change, Session};
use crate::token::fingerprint;
use crate::walk::Walk;
use crate::wanted::{self, Options, Wanted};
use crate::{config, paths, state, ui};

pub(crate) fn run(args: Export) -> Result<()> {
    match args.format {
        ExportFormat::Shell(shell) => shell_export(shell, args.hook, args.profile.as_deref()),
        data => data_export(data, args.profile.as_deref()),
    }
}

/// Variables that say where hfenv's own files are: a change means another config or state.
const LOCATORS: [&str; 4] = ["HOME", "HFENV_CONFIG", "XDG_CONFIG_HOME", "XDG_STATE_HOME"];
/// How many times an answer is made again when an input changed while it was read.
const ATTEMPTS: usize = 3;

/// choose → wanted → session → render, for a shell. With `hook`, the shell is the prompt
/// hook's: notices are said once per change, each watched path is dated in a reference file,
/// and the exit status is 0 whenever a complete script was printed (the hook fails closed on
/// anything else).
fn shell_export(shell: Shell, hook: bool, explicit: Option<&str>) -> Result<()> {
    let env = &paths::process_env;
    let state_dir = state::dir()?;
    let mut session = Session::from_env(&state_dir, env, hook);
    let mut reuse = session.held_token(env);
    let mut attempt = 1;
    // An input changed in the same tick of the clock as it was read could change again
    // unseen (its time would not move), as git's "racy clean" entries: wait for the tick to
    // pass and read everything again, so every later edit shows in the file's time.
    let (answer, seen) = loop {
        let t0 = stamp::coarse_now();
        let answer = want(shell, explicit, &session, reuse.clone())?;
        if !hook {
            break (answer, Vec::new());
        }
        let (seen, racy) = observe(&answer.wanted.watches, t0, attempt == ATTEMPTS);
        match racy {
            Some(until) if attempt < ATTEMPTS => {
                attempt += 1;
                wait_past(until);
                reuse = answer.token_held().or(reuse);
            }
            _ => break (answer, seen),
        }
    };
    let Answer {
        wanted,
        failed,
        read_env,
        ..
    } = &answer;
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
    let transition = session.transition(wanted, env, &said);
    if let Err(e) = session.save() {
        ui::say(&e.message);
    }
    let hook_state = hook.then(|| hook_state(&answer, &seen, &session, &transition, read_env));
    ui::print_with(|w| render::render_to(shell, &transition, hook_state.as_ref(), w))?;
    // The process ends right after this: freeing thousands of `.env` strings one by one would
    // only delay the prompt.
    let failed = *failed;
    std::mem::forget(transition);
    std::mem::forget(answer);
    match failed {
        // A script calling export directly must see the failure; the hook got its script.
        true if !hook => Err(Error::silent(crate::error::EXIT_FAILURE)),
        _ => Ok(()),
    }
}

/// What a watched path was once the answer was made.
enum Seen {
    /// It exists: its time (`None` when it cannot be trusted: the hook asks again).
    Timed(Option<SystemTime>),
    /// A link that leads nowhere.
    Link,
    Absent,
}

/// Each watched path as it is now, and the latest time (if any) that is not strictly older
/// than `t0`, the moment before the inputs were read. On the `last` attempt such a path is
/// left for the hook to ask about again.
fn observe(
    watches: &[PathBuf],
    t0: SystemTime,
    last: bool,
) -> (Vec<(PathBuf, Seen)>, Option<SystemTime>) {
    use std::os::unix::fs::MetadataExt;
    let mut racy: Option<SystemTime> = None;
    let mut late = |t: SystemTime| racy = Some(racy.map_or(t, |r| r.max(t)));
    let mut seen = Vec::with_capacity(watches.len());
    for p in watches {
        let s = match std::fs::metadata(p) {
            Ok(m) => {
                let t = m.modified().ok();
                match t {
                    // A whole-second time comes from a file system that keeps no finer ones
                    // (FAT, some network file systems): a later edit may keep it, so it is
                    // trusted only once it is clearly past.
                    Some(t) if m.mtime_nsec() == 0 && t + Duration::from_secs(2) > t0 => {
                        Seen::Timed(None)
                    }
                    Some(t) if t >= t0 => {
                        late(t);
                        Seen::Timed((!last).then_some(t))
                    }
                    t => Seen::Timed(t),
                }
            }
            Err(_) => {
                // Gone while it was read? Its directory's time says so.
                let moved = p
                    .parent()
                    .and_then(|d| std::fs::metadata(d).ok())
                    .and_then(|m| m.modified().ok())
                    .filter(|t| *t >= t0);
                if let Some(t) = moved {
                    late(t);
                }
                match std::fs::symlink_metadata(p) {
                    _ if last && moved.is_some() => Seen::Timed(None),
                    Ok(_) => Seen::Link,
                    Err(_) => Seen::Absent,
                }
            }
        };
        seen.push((p.clone(), s));
    }
    (seen, racy)
}

/// Sleeps until the coarse clock is past `t` (a few milliseconds at most).
fn wait_past(t: SystemTime) {
    for _ in 0..100 {
        if stamp::coarse_now() > t {
            return;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn hook_state(
    answer: &Answer,
    seen: &[(PathBuf, Seen)],
    session: &Session,
    transition: &crate::session::Transition,
    read_env: &[String],
) -> HookState {
    let env = &paths::process_env;
    let pwd = env("PWD").unwrap_or_default();
    let wanted = &answer.wanted;
    let mut timed: Vec<(PathBuf, Option<SystemTime>)> = Vec::new();
    let mut links = Vec::new();
    let mut absent = Vec::new();
    // A path the shell cannot be handed as text is not watched but asked about at every prompt.
    let unsure = |p: &PathBuf| p.to_str().is_none();
    let mut asks_always = false;
    for (p, s) in seen {
        if unsure(p) {
            asks_always = true;
            continue;
        }
        match s {
            Seen::Timed(t) => timed.push((p.clone(), *t)),
            Seen::Link => links.push(p.clone()),
            Seen::Absent => absent.push(p.clone()),
        }
    }
    let mut region = match &answer.cwd {
        Some(walk) => crate::region::region(&crate::region::Inputs {
            config: answer.config.as_ref().expect("loaded with the cwd"),
            cwd: walk.path(),
            walk,
            pwd: Some(pwd.as_str()),
            candidates: &wanted.candidates,
            dotenv: answer.dotenv,
            home: paths::home().as_deref(),
        }),
        None => Default::default(),
    };
    absent.append(&mut region.root);
    let all_text = [
        &region.here,
        &absent,
        &links,
        &region.probe,
        &region.barriers,
    ]
    .iter()
    .all(|v| v.iter().all(|p| !unsure(p)))
        && region.base.as_ref().is_none_or(|b| !unsure(b));
    if !all_text || asks_always {
        region = crate::region::Region::default();
        absent.retain(|p| !unsure(p));
        links.retain(|p| !unsure(p));
        timed.push((PathBuf::new(), None));
    }
    let times: Vec<Option<SystemTime>> = timed.iter().map(|(_, t)| *t).collect();
    let refs = session.refs(&times);
    // Each watched variable as the shell will hold it once the script has run.
    let after = |name: &str| -> Option<String> {
        for c in transition.changes.iter().rev() {
            match c {
                Change::Set(n, v) if n == name => return Some(v.to_string()),
                Change::Unset(n) if n == name => return None,
                _ => {}
            }
        }
        env(name)
    };
    // A profile's token variable is checked at every prompt; what else the answer read from
    // the environment (`.env` interpolation, huggingface_hub's locations, where hfenv's own
    // files are) at a change of directory, where the region would otherwise hide it: as
    // before the region, a changed one applies at the next `cd`.
    let mut env_watches: Vec<(String, Option<String>)> = Vec::new();
    let mut cd_env_watches: Vec<(String, Option<String>)> = Vec::new();
    let every_prompt = wanted.env_watches.iter().map(|n| (n.as_str(), true));
    let at_cd = LOCATORS
        .iter()
        .copied()
        .chain(read_env.iter().map(String::as_str))
        .map(|n| (n, false));
    for (n, prompt) in every_prompt.chain(at_cd) {
        // Only names a shell variable can have: another cannot be set in the shell, and some
        // shells would complain about it at every prompt.
        let ident =
            n.bytes().enumerate().all(|(i, b)| {
                b == b'_' || b.is_ascii_alphabetic() || (i > 0 && b.is_ascii_digit())
            }) && !n.is_empty();
        // hfenv's own bookkeeping is read, and handed over by the hook, but decides nothing.
        let own = n.starts_with("__HFENV_") || n == SHELL_CHOICE_VAR;
        let seen = env_watches
            .iter()
            .chain(&cd_env_watches)
            .any(|(e, _)| e == n);
        if ident && !own && !seen {
            let list = if prompt {
                &mut env_watches
            } else {
                &mut cd_env_watches
            };
            list.push((n.to_string(), after(n)));
        }
    }
    HookState {
        pwd,
        shell_choice: env(SHELL_CHOICE_VAR).unwrap_or_default(),
        stamp: session.stamp().map(PathBuf::from).unwrap_or_default(),
        timed: timed.into_iter().map(|(p, _)| p).zip(refs).collect(),
        links,
        absent,
        region,
        env_watches,
        cd_env_watches,
        until: wanted.recheck_at,
    }
}

/// What this directory wants, and what it was made from.
struct Answer {
    wanted: Wanted,
    /// `true` when hfenv could not decide (a config it cannot read, a current directory that
    /// is gone), and so wants nothing: the profile's variables go.
    failed: bool,
    /// The variables read from the environment while deciding (`.env` interpolation, a
    /// profile's token variable, huggingface_hub's locations).
    read_env: Vec<String>,
    config: Option<crate::config::Config>,
    /// The current directory the answer was made for, and its ancestors as they were walked.
    cwd: Option<Walk>,
    /// `.env` files were searched.
    dotenv: bool,
}

impl Answer {
    /// The token a profile fetched, so a second reading does not run its command again.
    fn token_held(&self) -> Option<(String, String, String)> {
        let w = &self.wanted;
        Some((
            w.choice.as_ref()?.name.clone(),
            w.profile.as_ref()?.digest(),
            w.token()?.to_string(),
        ))
    }
}

fn want(
    shell: Shell,
    explicit: Option<&str>,
    session: &Session,
    reuse: Option<(String, String, String)>,
) -> Result<Answer> {
    let env = &paths::process_env;
    let read = std::cell::RefCell::new(Vec::<String>::new());
    let recorded = |name: &str| {
        read.borrow_mut().push(name.to_string());
        env(name)
    };
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
        Answer {
            wanted: w,
            failed: true,
            read_env: Vec::new(),
            config: None,
            cwd: None,
            dotenv: false,
        }
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
        cwd: cwd.clone(),
        walk: Walk::new(&cwd),
        env: &recorded,
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
        reuse,
        legacy_owned: legacy_owned(session),
        shell: Some(shell),
    };
    let dotenv = opts.dotenv && loaded.config.settings.dotenv;
    let wanted = wanted::wanted(&ctx, chosen, &opts);
    // The region walks the same directories again: their descriptors are kept.
    let walk = ctx.walk;
    Ok(Answer {
        wanted,
        failed: false,
        read_env: read.into_inner(),
        config: Some(loaded.config),
        cwd: Some(walk),
        dotenv,
    })
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
    if let Some(v) = wanted.vars.get("PATH") {
        ui::say(&format!(
            "`PATH` from {} is not exported as data: it would replace the whole search path where the data is used — set `PATH` there",
            wanted.describe_origin(v.origin)
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

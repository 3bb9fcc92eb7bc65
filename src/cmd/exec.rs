use std::os::unix::process::CommandExt;
use std::process::Command;

use crate::apply::{self, Marker, Op, STATE_VAR};
use crate::cli::Exec;
use crate::error::{Error, Result};
use crate::paths;
use crate::resolve::Here;

pub fn run(args: Exec) -> Result<()> {
    let here = Here::load()?;
    let wanted = here.wanted(args.profile.as_deref(), args.profile.is_none())?;
    for n in &wanted.notices {
        crate::ui::say(n);
    }
    // Fail closed: without the profile's token the command would run as whichever account
    // huggingface_hub finds next (its token file), not the one asked for.
    if let (Some(choice), Some(_), None) = (&wanted.choice, &wanted.profile, wanted.token()) {
        crate::ui::say(&format!(
            "profile `{}` has no token, so the command was not run",
            choice.name
        ));
        return Err(Error::silent(crate::error::EXIT_FAILURE));
    }
    let previous = paths::process_env(STATE_VAR)
        .and_then(|m| Marker::parse(&m))
        .unwrap_or_default();
    let mut plan = apply::plan(&wanted, &previous, &paths::process_env, &previous.notices);
    // Values this shell had before hfenv changed them come back for the command, as they would
    // after a `cd` out of the directory.
    let mut originals = crate::state::dir()
        .ok()
        .and_then(|d| crate::cmd::export::inherited_originals(&d, &previous.store))
        .unwrap_or_default();
    plan.ops = crate::originals::resolve(
        std::mem::take(&mut plan.ops),
        &mut originals,
        &paths::process_env,
    );
    let (program, rest) = args.command.split_first().expect("clap requires a command");
    let mut command = Command::new(program);
    command.args(rest);
    for op in &plan.ops {
        match op {
            Op::Set(k, v) | Op::Export(k, v) => {
                command.env(&**k, &**v);
            }
            // A value from another directory must not leak into this command.
            Op::Unset(k) | Op::ExportUnset(k) | Op::Restore(k) => {
                command.env_remove(&**k);
            }
            Op::Save(_) | Op::Forget(_) => {}
        }
    }
    command.env(STATE_VAR, plan.marker.render());
    // Inside `exec -p NAME` everything is NAME: hfenv run by the command (git's credential
    // helper, a nested shell's hook) chooses NAME too, not the parent shell's choice.
    if let Some(name) = &args.profile {
        command.env(crate::resolve::SHELL_CHOICE_VAR, name);
    }
    // exec replaces this process: signals, exit status and the terminal behave as if the
    // command had been run directly.
    let err = command.exec();
    let name = program.to_string_lossy();
    let code = if err.kind() == std::io::ErrorKind::NotFound {
        127
    } else {
        126
    };
    eprintln!(
        "hfenv: {}",
        Error::new(
            format!("could not run `{name}`: {}", err.to_string().to_lowercase()),
            "check the command name and PATH"
        )
        .message
    );
    Err(Error::silent(code))
}

use std::os::unix::process::CommandExt;
use std::process::Command;

use crate::cli::Exec;
use crate::error::{Error, Result};
use crate::here::Here;
use crate::paths;
use crate::session::{Change, Session};

/// The same transition the hook would make, applied to a command instead of a shell.
pub(crate) fn run(mut args: Exec) -> Result<()> {
    let here = Here::load()?;
    if let Some(repo) = args.for_repo.take() {
        args.profile = Some(profile_for_repo(&here, &repo)?);
    }
    let wanted = here.wanted(args.profile.as_deref(), None)?;
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
    // Values this shell had before hfenv changed them come back for the command, as they would
    // after a `cd` out of the directory.
    let mut session = Session::from_env(&here.state, &paths::process_env, false);
    let said = session.notices_said().to_string();
    let transition = session.transition(&wanted, &paths::process_env, &said);
    let (program, rest) = args.command.split_first().expect("clap requires a command");
    let mut command = Command::new(program);
    command.args(rest);
    for change in &transition.changes {
        match change {
            Change::Set(k, v) => {
                command.env(&**k, &**v);
            }
            // A value from another directory must not leak into this command.
            Change::Unset(k) => {
                command.env_remove(&**k);
            }
        }
    }
    // Inside `exec -p NAME` everything is NAME: hfenv run by the command (git's credential
    // helper, a nested shell's hook) chooses NAME too, not the parent shell's choice.
    if let Some(name) = &args.profile {
        command.env(crate::choose::SHELL_CHOICE_VAR, name);
        command.env(crate::choose::EXEC_CHOICE_VAR, name);
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
    crate::ui::say(
        &Error::new(
            format!("could not run `{name}`: {}", err.to_string().to_lowercase()),
            "check the command name and PATH",
        )
        .message,
    );
    Err(Error::silent(code))
}

/// `--for REPO_ID`: the profile that lists the repository's owner in `owners`.
fn profile_for_repo(here: &Here, repo: &str) -> Result<String> {
    let config = &here.loaded.config;
    let Some(owner) = crate::hf::owners::owner_of(repo) else {
        return Err(Error::usage(
            format!("`{}` is not a repository id", repo.escape_debug()),
            "give one as `OWNER/NAME`, `datasets/OWNER/NAME` or a Hub URL",
        ));
    };
    crate::hf::owners::profile_for(config, owner)
        .map(str::to_string)
        .ok_or_else(|| {
            Error::new(
                format!("no profile lists `{owner}` in `owners`"),
                format!("add `owners = [\"{owner}\"]` to the profile that serves it, or pass `-p PROFILE`"),
            )
        })
}

//! `hfenv add NAME --login`: the real `hf auth login` (the browser login by default), then
//! the login it saved becomes the profile's `hf_stored` source — nobody has to learn
//! `stored_tokens` section names. huggingface_hub also makes a new login the active token;
//! hfenv puts the previous active token back, so adding a profile switches nothing elsewhere.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::stored;
use crate::config::Profile;
use crate::error::{Error, Result};
use crate::paths;

/// Runs `hf auth login` on this terminal and returns the name of the login it saved.
pub(crate) fn run(profile: &Profile) -> Result<String> {
    let lookup = super::source::login_env(profile, &paths::process_env);
    let stored_path = paths::hf_stored_tokens_path(&lookup);
    let token_path = paths::hf_token_path(&lookup);
    let before = tokens(&stored_path)?;
    let active_before =
        crate::files::read_bounded(&token_path, 64 << 10, crate::files::Links::Follow).ok();

    // `hf auth login` runs in the user's own environment: what a repository's `.env` set in
    // this shell (an endpoint, a proxy, `HF_HOME`, a `PATH` entry with an `hf` of its own)
    // neither runs nor receives the login.
    let user = crate::session::user_environment(&paths::process_env);
    let user_path = user
        .iter()
        .find(|(k, _)| k == "PATH")
        .map_or_else(|| paths::process_env("PATH"), |(_, v)| v.clone());
    let mut cmd = login_command(user_path.as_deref())?;
    // `--force`: an existing login is no reason to skip adding another one.
    cmd.args(["auth", "login", "--force"]);
    for (k, v) in &user {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    // The profile's own `HF_HOME` and endpoint decide where the login goes; a token in the
    // environment has nothing to do with a new login.
    for (k, v) in &profile.env {
        cmd.env(k, v);
    }
    cmd.env_remove("HF_TOKEN")
        .env_remove("HUGGING_FACE_HUB_TOKEN");
    let status = cmd.status().map_err(|e| {
        Error::new(
            format!("could not run `hf auth login`: {e}"),
            "install huggingface_hub (`pip install -U huggingface_hub`) so `hf` is on PATH",
        )
    })?;
    if !status.success() {
        return Err(Error::new(
            format!("`hf auth login` did not log in ({status})"),
            "run it again, or add an existing login with `--hf-stored NAME`",
        ));
    }
    let after = tokens(&stored_path)?;
    let changed: Vec<&String> = after
        .iter()
        .filter(|(name, token)| before.get(*name) != Some(*token))
        .map(|(name, _)| name)
        .collect();
    let active_now =
        crate::files::read_bounded(&token_path, 64 << 10, crate::files::Links::Follow).ok();
    let chosen = match changed.as_slice() {
        [one] => (*one).clone(),
        [] => {
            return Err(Error::new(
                format!(
                    "`hf auth login` saved no new login in `{}`",
                    stored_path.display()
                ),
                "log in again, or add an existing login with `--hf-stored NAME`",
            ))
        }
        many => {
            // Several changed at once (another login meanwhile): the one it made active.
            let active = active_now
                .as_deref()
                .and_then(|b| crate::token::clean(&String::from_utf8_lossy(b)));
            many.iter()
                .find(|n| after.get(**n) == active.as_ref())
                .map(|n| (*n).clone())
                .ok_or_else(|| {
                    Error::new(
                        "`hf auth login` changed several logins at once",
                        "add the one you mean with `--hf-stored NAME`",
                    )
                })?
        }
    };
    if active_now != active_before {
        restore_active(&token_path, active_before.as_deref())?;
        crate::ui::say("your active huggingface_hub login is unchanged (hfenv put it back)");
    }
    Ok(chosen)
}

/// `hf` on PATH, else huggingface_hub's module through `python3`.
fn login_command(path: Option<&str>) -> Result<Command> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let find = |name: &str| which::which_in(name, path, &cwd);
    if let Ok(hf) = find("hf") {
        return Ok(Command::new(hf));
    }
    if let Ok(py) = find("python3") {
        let mut c = Command::new(py);
        c.args(["-m", "huggingface_hub.cli.hf"]);
        return Ok(c);
    }
    Err(Error::new(
        "`hf` (huggingface_hub's CLI) is not installed",
        "`pip install -U huggingface_hub`, then run this again",
    ))
}

fn tokens(path: &Path) -> Result<BTreeMap<String, String>> {
    let s = stored::read(path)
        .map_err(|e| crate::error::io_error("read huggingface_hub's stored tokens", path, e))?;
    if let Some(err) = &s.python_error {
        return Err(Error::new(
            format!(
                "`{}` cannot be read by huggingface_hub ({err}); a login now would replace every token in it",
                path.display()
            ),
            "fix the file first (see `hfenv doctor`)",
        ));
    }
    Ok(s.sections
        .iter()
        .filter_map(|sec| Some((sec.name.clone(), sec.token()?)))
        .collect())
}

fn restore_active(path: &PathBuf, before: Option<&[u8]>) -> Result<()> {
    match before {
        Some(bytes) => crate::files::write_atomic(
            path,
            bytes,
            crate::files::WriteOptions {
                links: crate::files::Links::Follow,
                mode: 0o600,
                durable: true,
            },
        ),
        None => std::fs::remove_file(path)
            .or_else(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    Ok(())
                } else {
                    Err(e)
                }
            })
            .map_err(|e| crate::error::io_error("remove", path, e)),
    }
}

//! Token sources: fetching a profile's token from where it lives — inline, an environment
//! variable, a `token_command`, huggingface_hub's stored logins, or the OS credential store.

use std::process::{Command, Stdio};
use std::time::Duration;

use super::stored;
use crate::config::{Config, Profile, Source};
use crate::error::{Error, Result};
use crate::paths;
use crate::process::{run_bounded, Outcome};
use crate::token::{self, clean};

/// Fetches a profile's token from its source. `env` is the environment the token is looked up
/// in; a profile's own `HF_HOME`/`HF_TOKEN_PATH` decide which `stored_tokens` it reads.
pub fn fetch_token(
    name: &str,
    profile: &Profile,
    config: &Config,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<String> {
    let source = profile
        .source()
        .expect("validated when the config was read");
    let token = match source {
        Source::Inline(t) => token::clean(t).ok_or_else(|| {
            Error::new(
                format!("profile `{name}` has an empty `token`"),
                format!("set it with `hfenv add {name} --force`"),
            )
        })?,
        Source::Env(var) => env(var).and_then(|v| token::clean(&v)).ok_or_else(|| {
            Error::new(
                format!("profile `{name}` reads `{var}`, which is not set"),
                format!("export `{var}` before using `{name}`"),
            )
        })?,
        Source::Command(cmd) => run_command(cmd, config.settings.token_command_timeout())
            .map_err(|e| Error::plain(format!("profile `{name}`: {}", e.message)))?,
        Source::Keyring => crate::store::get(name, config.settings.store_timeout())
            .map_err(|e| e.for_profile(name))?,
        Source::HfStored(section) => {
            let lookup = |k: &str| profile.env.get(k).cloned().or_else(|| env(k));
            let path = paths::hf_stored_tokens_path(&lookup);
            let stored = stored::read(&path).map_err(|e| {
                crate::error::io_error("read huggingface_hub's stored tokens", &path, e)
            })?;
            if let Some(err) = &stored.python_error {
                return Err(Error::new(
                    format!("`{}` cannot be read by huggingface_hub ({err}), so profile `{name}` has no token", path.display()),
                    "fix the file by hand or log in again with `hf auth login`",
                ));
            }
            let Some(found) = stored.get(section) else {
                let names: Vec<String> = stored.usable().map(|s| format!("`{}`", s.name)).collect();
                let known = if names.is_empty() {
                    "it holds no tokens".to_string()
                } else {
                    format!("it holds {}", names.join(", "))
                };
                return Err(Error::new(
                    format!(
                        "profile `{name}`: no token named `{section}` in `{}` ({known})",
                        path.display()
                    ),
                    format!("log in with `hf auth login` and name the token `{section}`"),
                ));
            };
            found.token().ok_or_else(|| {
                Error::new(
                    format!("profile `{name}`: the stored token `{section}` is empty"),
                    "log in again with `hf auth login`",
                )
            })?
        }
    };
    Ok(token)
}

/// Runs a profile's `token_command` through the user's shell, bounded by `timeout`. Standard
/// error and input stay attached to the terminal so password managers can prompt.
pub fn run_command(command: &str, timeout: Duration) -> Result<String> {
    let shell = std::env::var("SHELL")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "/bin/sh".into());
    let mut cmd = Command::new(&shell);
    cmd.arg("-c").arg(command).stderr(Stdio::inherit());
    let out = match run_bounded(&mut cmd, timeout) {
        Outcome::Done(out) => out,
        Outcome::TimedOut => {
            return Err(Error::new(
                format!(
                    "`token_command` did not finish within {}s",
                    timeout.as_secs_f32()
                ),
                "check the command, or raise `token_command_timeout` in `[settings]`",
            ))
        }
        Outcome::NotStarted(e) => {
            return Err(Error::new(
                format!("could not run `token_command` with `{shell}`: {e}"),
                "check `SHELL`",
            ))
        }
    };
    if !out.status.success() {
        return Err(Error::new(
            format!("`token_command` failed ({})", out.status),
            "run it by hand to see why",
        ));
    }
    clean(&String::from_utf8_lossy(&out.stdout)).ok_or_else(|| {
        Error::new(
            "`token_command` printed nothing",
            "it must print the token on stdout",
        )
    })
}

//! Token sources: fetching a profile's token from where it lives — inline, an environment
//! variable, a `token_command`, huggingface_hub's stored logins, or the OS credential store.

use std::process::{Command, Stdio};
use std::time::Duration;

use super::{oauth, stored};
use crate::config::{Config, Profile, Source, TokenVia};
use crate::error::{Error, Result};
use crate::paths;
use crate::process::{run_bounded, Outcome};
use crate::token::{self, clean};

/// Fetches a profile's token from its source. `env` is the environment the token is looked up
/// in; a profile's own `HF_HOME`/`HF_TOKEN_PATH` decide which `stored_tokens` it reads. A
/// browser login is refreshed first when it has less than 24 h left (see [`fetch`]).
pub(crate) fn fetch_token(
    name: &str,
    profile: &Profile,
    config: &Config,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<String> {
    let fetched = fetch(name, profile, config, env)?;
    if let Some(n) = &fetched.notice {
        crate::ui::say(n);
    }
    Ok(fetched.token)
}

/// A token and, for a browser login, what the holder must know about it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Fetched {
    pub token: String,
    pub login: Option<LoginInfo>,
    /// Said once (a refresh failed but the old token still works).
    pub notice: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct LoginInfo {
    /// The login's (possibly refreshed) access token.
    pub token: String,
    pub section: String,
    pub expires_at: Option<i64>,
    pub refreshable: bool,
    pub problem: Option<oauth::Problem>,
    /// When a shell holding this token must ask again.
    pub recheck_at: Option<i64>,
    /// The token file handed to huggingface_hub (`HF_TOKEN_PATH`) instead of a copy of the
    /// token, so that huggingface_hub refreshes it itself in long-running processes.
    pub token_file: Option<std::path::PathBuf>,
}

/// [`fetch_token`] with what a browser login needs said: its expiry, the refresh problem,
/// when to ask again, and the token file for huggingface_hub.
pub(crate) fn fetch(
    name: &str,
    profile: &Profile,
    config: &Config,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Fetched> {
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
        Source::HfStored(section) => return fetch_stored(name, profile, section, env),
    };
    Ok(Fetched {
        token,
        ..Fetched::default()
    })
}

/// The environment a profile's login is looked up and refreshed in: the profile's own `env`
/// first, then the user's own environment — where a variable hfenv itself set (from a `.env`)
/// is replaced by the value it had before, so a repository never chooses where a token is sent
/// (`HF_ENDPOINT`), nor which `stored_tokens` a login is read from and refreshed into
/// (`HF_HOME`, `XDG_CACHE_HOME`, `HOME`): the same rule as [`crate::session::user_env`].
pub(crate) fn login_env<'a>(
    profile: &'a Profile,
    env: &'a dyn Fn(&str) -> Option<String>,
) -> impl Fn(&str) -> Option<String> + 'a {
    let user = crate::session::user_env_reader(env);
    move |k: &str| profile.var(k, &user)
}

fn fetch_stored(
    name: &str,
    profile: &Profile,
    section: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Fetched> {
    let lookup = login_env(profile, env);
    let path = paths::hf_stored_tokens_path(&lookup);
    let mut stored = stored::read(&path)
        .map_err(|e| crate::error::io_error("read huggingface_hub's stored tokens", &path, e))?;
    if stored.python_error.is_some() || stored.get(section).is_none() {
        // huggingface_hub rewrites the file in place: a read while it writes can see half a
        // file. Its writers hold the lock, so read once more after them.
        if let Some(again) = oauth::read_locked(&path) {
            stored = again;
        }
    }
    if let Some(err) = &stored.python_error {
        return Err(Error::new(
            format!(
                "`{}` cannot be read by huggingface_hub ({err}), so profile `{name}` has no token",
                path.display()
            ),
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
    if found.token().is_none() {
        return Err(Error::new(
            format!("profile `{name}`: the stored token `{section}` is empty"),
            "log in again with `hf auth login`",
        ));
    }
    if !found.expires() {
        return Ok(Fetched {
            token: found.token().unwrap_or_default(),
            ..Fetched::default()
        });
    }
    let place = oauth::Place::from_env(path.clone(), &lookup);
    let now = oauth::now();
    let fresh = oauth::ensure(&place, found, now);
    oauth::follow(&place, section, &fresh.token);
    let relogin = format!(
        "run `hf auth login` and name the token `{section}` (or `hfenv add {name} --login --force`)"
    );
    if fresh.expired(now) {
        let why = fresh
            .problem
            .as_ref()
            .map(|p| format!(": {}", p.describe()))
            .unwrap_or_default();
        return Err(Error::new(
            format!(
                "browser login `{section}` for profile `{name}` expired{} and could not be refreshed{why}",
                fresh.expires_at.map(|e| format!(" at {}", utc(e))).unwrap_or_default()
            ),
            relogin,
        ));
    }
    let notice = fresh.problem.as_ref().map(|p| {
        format!(
            "browser login `{section}` for profile `{name}` expires {}: {} — the current token is used until then; {}",
            fresh.expires_at.map(utc).unwrap_or_default(),
            p.describe(),
            match p {
                oauth::Problem::Revoked(_) | oauth::Problem::Unwritable(_) => relogin.clone(),
                _ => "hfenv tries again in five minutes".to_string(),
            }
        )
    });
    let token_file = (profile.token_via() == TokenVia::File
        && fresh.refreshable
        && !paths::is_true(lookup("HUGGINGFACE_CO_STAGING").as_deref()))
    .then(|| oauth::profile_token_file(&path, name));
    if let Some(f) = &token_file {
        oauth::sync_profile_token_file(&path, section, f, &fresh.token).map_err(|e| {
            Error::new(
                format!(
                    "profile `{name}`: could not write its token file for huggingface_hub: {}",
                    e.message
                ),
                "check the permissions of huggingface_hub's directory",
            )
        })?;
    }
    Ok(Fetched {
        token: fresh.token.clone(),
        notice,
        login: Some(LoginInfo {
            token: fresh.token.clone(),
            section: section.to_string(),
            expires_at: fresh.expires_at,
            refreshable: fresh.refreshable,
            problem: fresh.problem,
            recheck_at: fresh.recheck_at,
            token_file,
        }),
    })
}

/// A unix time as people read it, in UTC.
pub(crate) fn utc(at: i64) -> String {
    let days = at.div_euclid(86_400);
    let secs = at.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        secs / 3600,
        (secs % 3600) / 60
    )
}

/// Runs a profile's `token_command` through the user's shell, bounded by `timeout`. Standard
/// error and input stay attached to the terminal so password managers can prompt.
pub(crate) fn run_command(command: &str, timeout: Duration) -> Result<String> {
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

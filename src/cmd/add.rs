use std::io::{IsTerminal, Read};
use std::time::Duration;

use crate::cli::{Add, StoreArg};
use crate::config::{self, Edit, Profile, Source, StoreChoice};
use crate::error::{Error, Result};
use crate::hf;
use crate::hf::hub::{self, Hub, HubError};
use crate::token::{self, mask};
use crate::{paths, store, ui};

pub(crate) fn run(args: Add) -> Result<()> {
    config::check_profile_name(&args.name)?;
    // Said before the token is asked for: nobody should paste a secret only to be refused.
    // (Checked again under the config lock below, where it cannot race.)
    if !args.force {
        let loaded = config::load()?;
        if loaded.config.profile(&args.name).is_some() {
            return Err(already_exists(&args.name));
        }
    }
    let env = parse_env(&args.env)?;
    let mut profile = Profile {
        env,
        ..Profile::default()
    };
    if let Some(var) = &args.token_env {
        if config::TOKEN_VARS.contains(&var.as_str())
            || !config::valid_env_name(var)
            || config::looks_like_token(var)
        {
            return Err(Error::usage(
                format!("`--token-env {var}` cannot be used"),
                "name another variable (hfenv itself sets `HF_TOKEN`), such as `CI_HF_TOKEN`",
            ));
        }
    }
    // Whether a missing flag means "prompt for it": only inline tokens are typed in.
    let inline = args.token_env.is_none()
        && args.token_command.is_none()
        && args.hf_stored.is_none()
        && !args.login;
    if inline {
        let raw = if args.token_stdin {
            read_stdin()?
        } else {
            prompt_token()?
        };
        let token = token::clean(&raw)
            .ok_or_else(|| Error::new("the token is empty", "paste the token again"))?;
        token::refuse_org_token(&token)?;
        profile.token = Some(token);
    }
    profile.token_env = args.token_env.clone();
    profile.token_command = args.token_command.clone();
    profile.hf_stored = args.hf_stored.clone();
    if args.login {
        // Refused before the (interactive) login, not after it.
        let existing = config::load()?;
        if existing.config.profile(&args.name).is_some() && !args.force {
            return Err(Error::new(
                format!("profile `{}` already exists", args.name),
                format!(
                    "pass `--force` to replace it, or `hfenv remove {}` first",
                    args.name
                ),
            ));
        }
        profile.hf_stored = Some(hf::login::run(&profile)?);
    }

    let mut edit = Edit::begin()?;
    if edit.config.profile(&args.name).is_some() && !args.force {
        return Err(already_exists(&args.name));
    }
    let resolved = check_source(&args.name, &profile, &edit.config)?;
    if let Some(t) = &resolved {
        if let Some(w) = token::shape_warning(t) {
            ui::warn(w);
        }
        if !args.no_verify {
            verify(t)?;
        }
    }
    if inline {
        keep_in_store(&args, &mut profile, &edit.config)?;
    }
    let source = profile
        .source()
        .expect("exactly one source by construction");
    // A replaced profile's secret in the store would be an orphan nobody can see.
    let was_stored = edit
        .config
        .profile(&args.name)
        .is_some_and(|old| old.source() == Some(Source::Keyring));
    let timeout = edit.config.settings.store_timeout();
    let table = edit.profiles_table();
    table.insert(&args.name, toml_edit::Item::Table(to_table(&profile)));
    if let Err(e) = edit.commit() {
        // A secret just stored for a profile the config does not name would be invisible.
        if source == Source::Keyring && !was_stored {
            let _ = store::delete(&args.name, timeout);
        }
        return Err(e);
    }
    if was_stored && source != Source::Keyring {
        store::delete_orphan(&args.name, timeout);
    }
    let shown = resolved
        .as_deref()
        .map(mask)
        .map(|m| format!(", {m}"))
        .unwrap_or_default();
    ui::print_for_people(&format!(
        "added profile `{}` ({}{shown})\n",
        args.name,
        source.describe()
    ))
}

/// Moves a pasted token into the OS credential store when the user's choice allows it; with
/// `auto` and no store answering, it stays inline and the user is told once.
fn keep_in_store(args: &Add, profile: &mut Profile, config: &config::Config) -> Result<()> {
    let choice = match args.store {
        Some(StoreArg::Auto) => StoreChoice::Auto,
        Some(StoreArg::Keyring) => StoreChoice::Keyring,
        Some(StoreArg::Config) => StoreChoice::Config,
        None => config.settings.store,
    };
    let token = profile.token.as_deref().expect("an inline token was read");
    if store::keep(&args.name, token, choice, config.settings.store_timeout())? {
        profile.token = None;
        profile.keyring = Some(true);
    }
    Ok(())
}

fn already_exists(name: &str) -> Error {
    Error::new(
        format!("profile `{name}` already exists"),
        format!("pass `--force` to replace it, or `hfenv remove {name}` first"),
    )
}

fn parse_env(pairs: &[String]) -> Result<std::collections::BTreeMap<String, String>> {
    let mut env = std::collections::BTreeMap::new();
    for pair in pairs {
        let Some((k, v)) = pair.split_once('=') else {
            return Err(Error::usage(
                format!("`--env {pair}` has no `=`"),
                "write it as `--env KEY=VALUE`",
            ));
        };
        if !config::valid_env_name(k) || config::TOKEN_VARS.contains(&k) {
            return Err(Error::usage(
                format!("`{k}` cannot be set with `--env`"),
                "use a variable name (letters, digits, `_`) other than the token variables",
            ));
        }
        env.insert(k.to_string(), v.to_string());
    }
    Ok(env)
}

fn to_table(profile: &Profile) -> toml_edit::Table {
    let mut t = toml_edit::Table::new();
    match profile.source().expect("validated") {
        Source::Inline(v) => t.insert("token", toml_edit::value(v)),
        Source::Command(v) => t.insert("token_command", toml_edit::value(v)),
        Source::Env(v) => t.insert("token_env", toml_edit::value(v)),
        Source::HfStored(v) => t.insert("hf_stored", toml_edit::value(v)),
        Source::Keyring => t.insert("keyring", toml_edit::value(true)),
    };
    if !profile.env.is_empty() {
        let mut env = toml_edit::InlineTable::new();
        for (k, v) in &profile.env {
            env.insert(k, v.into());
        }
        t.insert("env", toml_edit::value(env));
    }
    t
}

/// Gets the token now when that is cheap and expected, so a typo is caught at `add` time.
fn check_source(name: &str, profile: &Profile, config: &config::Config) -> Result<Option<String>> {
    match profile.source().expect("validated") {
        Source::Inline(t) => Ok(Some(t.to_string())),
        Source::Env(var) => match paths::process_env(var).and_then(|v| token::clean(&v)) {
            Some(t) => Ok(Some(t)),
            None => {
                ui::warn(format!(
                    "`{var}` is not set now; profile `{name}` will have a token once it is"
                ));
                Ok(None)
            }
        },
        Source::Command(_) | Source::HfStored(_) | Source::Keyring => {
            hf::source::fetch_token(name, profile, config, &paths::process_env).map(Some)
        }
    }
}

fn verify(token: &str) -> Result<()> {
    // Never an endpoint a repository's `.env` put in the shell.
    let endpoint = hub::endpoint(&crate::session::user_env);
    if paths::is_true(paths::process_env("HF_HUB_OFFLINE").as_deref()) {
        ui::warn("`HF_HUB_OFFLINE` is on; the token was not checked against the Hub");
        return Ok(());
    }
    let hub = Hub::new(endpoint.clone(), Duration::from_secs(10))
        .map_err(|e| Error::plain(e.describe()))?;
    let waiting = ui::Spinner::start(&format!("checking the token with {endpoint}"));
    let answer = hub.whoami(token);
    drop(waiting);
    match answer {
        Ok(id) => {
            let role = id.role.map(|r| format!(", {r} token")).unwrap_or_default();
            ui::say(&format!(
                "token {} belongs to `{}`{role}",
                mask(token),
                id.user
            ));
            Ok(())
        }
        Err(HubError::Unauthorized) => Err(Error::new(
            format!(
                "the Hub at {endpoint} rejected token {} (invalid, expired or revoked)",
                mask(token)
            ),
            "create a new token at https://huggingface.co/settings/tokens, or pass `--no-verify`",
        )),
        Err(HubError::Insecure(url)) => Err(Error::new(
            format!("refusing to send the token to `{url}` over plain http"),
            "use an https `HF_ENDPOINT`, or pass `--no-verify`",
        )),
        Err(e) => {
            ui::warn(format!(
                "could not verify the token: {} — saved anyway",
                e.describe()
            ));
            Ok(())
        }
    }
}

fn read_stdin() -> Result<String> {
    let mut s = String::new();
    std::io::stdin()
        .take(64 * 1024)
        .read_to_string(&mut s)
        .map_err(|e| {
            Error::new(
                format!("could not read the token from standard input: {e}"),
                "pipe the token in as text",
            )
        })?;
    Ok(s)
}

/// Reads a line from the terminal with echo off (via `stty`, so no extra dependency).
fn prompt_token() -> Result<String> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::usage(
            "no token given and standard input is not a terminal",
            "pipe it with `--token-stdin`, or use `--token-env`, `--token-command` or `--hf-stored`",
        ));
    }
    use std::io::Write;
    eprint!("Token (input hidden): ");
    let _ = std::io::stderr().flush();
    let stty = |arg: &str| {
        std::process::Command::new("stty")
            .arg(arg)
            .stdin(
                std::fs::File::open("/dev/tty")
                    .map(std::process::Stdio::from)
                    .unwrap_or(std::process::Stdio::inherit()),
            )
            .status()
    };
    let _ = stty("-echo");
    let mut line = String::new();
    let read = std::io::stdin().read_line(&mut line);
    let _ = stty("echo");
    eprintln!();
    read.map_err(|e| Error::plain(format!("could not read the token: {e}")))?;
    Ok(line)
}

use std::io::{BufRead, Read, Write};
use std::time::Duration;

use crate::choose;
use crate::cli::Credential;
use crate::error::{Error, Result};
use crate::here::Here;
use crate::hf::hub::{self, Hub};
use crate::ui;

/// The most git ever sends for one request; anything longer is not git.
const MAX_REQUEST: u64 = 64 * 1024;

/// git's credential-helper protocol: `get` answers with the token of the profile active in
/// git's working directory (inside `hfenv exec -p NAME`, NAME's); `store` and `erase` are
/// accepted and ignored (the config is the source of truth). Anything that is not the Hub,
/// the Hub over cleartext http, or a request for another account gets no answer, so other
/// helpers run.
pub(crate) fn run(args: Credential) -> Result<()> {
    let mut request = std::collections::HashMap::new();
    for line in std::io::stdin().lock().take(MAX_REQUEST).lines() {
        let line = line.map_err(|e| Error::plain(format!("could not read git's request: {e}")))?;
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once('=') {
            request.insert(k.to_string(), v.to_string());
        }
    }
    if args.action != "get" {
        return Ok(());
    }
    let here = Here::load()?;
    let config = &here.loaded.config;
    // The profile is chosen before anything runs: a `token_command` (a password prompt) is
    // only worth running for a request this profile will answer. A profile that lists the
    // repository's owner (`owners`) serves it from any directory; git sends the path only with
    // `credential.useHttpPath`.
    // Inside `hfenv exec -p NAME` NAME wins over everything, the owner rule included.
    let by_exec = crate::paths::process_env(choose::EXEC_CHOICE_VAR).filter(|n| !n.is_empty());
    let by_owner = || {
        request
            .get("path")
            .and_then(|p| crate::hf::owners::owner_of(p))
            .and_then(|o| crate::hf::owners::profile_for(config, o))
            .map(str::to_string)
    };
    let name = match by_exec.or_else(by_owner) {
        Some(n) => n,
        None => match choose::choose(&here.context()).choice {
            Some(choice) => choice.name,
            None => return Ok(()),
        },
    };
    let Some(profile) = config.profile(&name) else {
        return Ok(());
    };
    // The endpoint the token is meant for, as `whoami -p` sees it: the profile's own `env`,
    // then the environment.
    // Never an endpoint a repository's `.env` put in the shell.
    let env = |k: &str| profile.var(k, crate::session::user_env);
    let endpoint = hub::endpoint(&env);
    let Ok(url) = reqwest::Url::parse(&endpoint) else {
        return Ok(());
    };
    let hub_host = match url.port() {
        Some(p) => format!("{}:{p}", url.host_str().unwrap_or("")),
        None => url.host_str().unwrap_or("").to_string(),
    };
    let host = request.get("host").map(String::as_str).unwrap_or("");
    let protocol = request.get("protocol").map(String::as_str).unwrap_or("");
    let is_hub = host.eq_ignore_ascii_case(&hub_host)
        || (url.port().is_none()
            && host.eq_ignore_ascii_case("hf.co")
            && hub_host == "huggingface.co");
    if !is_hub || protocol != url.scheme() {
        return Ok(());
    }
    if let Err(e) = hub::check_secure(&endpoint) {
        ui::say(&format!("git credentials: {}", e.describe()));
        return Ok(());
    }
    let Ok(token) = crate::hf::source::fetch_token(&name, profile, config, &env) else {
        return Ok(());
    };
    let ours = format!("hfenv-{name}");
    if let Some(user) = request.get("username").filter(|u| !u.is_empty()) {
        // huggingface_hub stores its git credential as `hf_user`; `hfenv-NAME` is what this
        // helper answers. Any other name is an account, and only its own token may answer.
        let known = *user == ours || user == "hf_user" || *user == name;
        if !known && !token_belongs_to(&endpoint, &token, user) {
            ui::say(&format!(
                "git credentials: git asked for user `{}`, and profile `{name}` is not that account, so hfenv does not answer",
                user.escape_debug()
            ));
            return Ok(());
        }
    }
    let mut out = std::io::stdout().lock();
    // The Hub ignores the user name for token authentication; naming the profile helps when
    // git shows it. A name git asked for is kept, as the protocol expects.
    let username = request
        .get("username")
        .filter(|u| !u.is_empty())
        .cloned()
        .unwrap_or(ours);
    let _ = writeln!(out, "username={username}\npassword={token}");
    Ok(())
}

/// Whether the Hub says `token` is `user`'s. Unreachable or unsure means no.
fn token_belongs_to(endpoint: &str, token: &str, user: &str) -> bool {
    let Ok(hub) = Hub::new(endpoint.to_string(), Duration::from_secs(10)) else {
        return false;
    };
    hub.whoami(token)
        .is_ok_and(|id| id.user.eq_ignore_ascii_case(user))
}

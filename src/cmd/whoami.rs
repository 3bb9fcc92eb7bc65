use std::time::Duration;

use crate::cli::Whoami;
use crate::error::{Error, Result};
use crate::here::Here;
use crate::hf::hub::{self, Hub, HubError};
use crate::token::mask;
use crate::ui;

pub(crate) fn run(args: Whoami) -> Result<()> {
    let here = Here::load()?;
    let (name, token) = here.token(args.profile.as_deref())?;
    let env = |k: &str| {
        here.loaded
            .config
            .profile(&name)
            .and_then(|p| p.env.get(k).cloned())
            // Never an endpoint a repository's `.env` put in the shell.
            .or_else(|| crate::session::user_env(k))
    };
    let endpoint = hub::endpoint(&env);
    let hub = Hub::new(endpoint.clone(), Duration::from_secs(10))
        .map_err(|e| Error::plain(e.describe()))?;
    let waiting = ui::Spinner::start(&format!("asking {endpoint}"));
    let answer = hub.whoami(&token);
    drop(waiting);
    let id = answer.map_err(|e| match e {
        HubError::Unauthorized => Error::new(
            format!("profile `{name}`: the Hub rejected token {} (invalid, expired or revoked)", mask(&token)),
            format!("create a new token at https://huggingface.co/settings/tokens and run `hfenv add {name} --force`"),
        ),
        other => Error::new(format!("profile `{name}`: {}", other.describe()), "check your network and `HF_ENDPOINT`"),
    })?;
    if args.json {
        return ui::print_json(&serde_json::json!({
            "profile": name, "user": id.user, "orgs": id.orgs, "token_name": id.token_name,
            "role": id.role, "token": mask(&token), "endpoint": endpoint,
        }));
    }
    let mut out = format!("{}  (profile `{name}`, token {})\n", id.user, mask(&token));
    if !id.orgs.is_empty() {
        out.push_str(&format!("orgs   {}\n", id.orgs.join(", ")));
    }
    if let Some(role) = &id.role {
        out.push_str(&format!(
            "role   {role}{}\n",
            id.token_name
                .as_ref()
                .map(|n| format!(" (token `{n}`)"))
                .unwrap_or_default()
        ));
    }
    if endpoint != hub::DEFAULT_ENDPOINT {
        out.push_str(&format!("hub    {endpoint}\n"));
    }
    ui::print_for_people(&out)
}

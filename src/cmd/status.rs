use crate::cli::Status;
use crate::error::Result;
use crate::here::Here;
use crate::hf::library::{effective_token, TokenOrigin};
use crate::session::{Marker, STATE_VAR};
use crate::state::Trust;
use crate::token::mask;
use crate::wanted::Origin;
use crate::{paths, ui};

pub fn run(args: Status) -> Result<()> {
    let here = Here::load()?;
    let wanted = here.wanted(None, None)?;
    // What a process started from here will see once the hook has applied this directory.
    let after = |k: &str| match wanted.value(k) {
        Some(v) => v.map(str::to_string),
        None => paths::process_env(k),
    };
    let effective = effective_token(&after);
    let hooked = paths::process_env(STATE_VAR)
        .and_then(|m| Marker::parse(&m))
        .is_some();
    let in_sync = wanted
        .vars
        .iter()
        .all(|(k, v)| paths::process_env(k) == v.value);
    let masked = |v: Option<&str>| v.map(mask);

    if args.json {
        let vars: Vec<serde_json::Value> = wanted
            .vars
            .iter()
            .map(|(k, v)| {
                serde_json::json!({
                    "name": k,
                    "action": if v.value.is_some() { "set" } else { "unset" },
                    "origin": match v.origin { Origin::Profile => "profile", Origin::Dotenv(_) => "dotenv" },
                    "from": match v.origin {
                        Origin::Profile => wanted.choice.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
                        Origin::Dotenv(i) => wanted.dotenv[i].path.display().to_string(),
                    },
                })
            })
            .collect();
        let doc = serde_json::json!({
            "profile": wanted.choice.as_ref().map(|c| &c.name),
            "profile_exists": wanted.profile.is_some(),
            "scope": wanted.choice.as_ref().map(|c| c.why.scope()),
            "reason": wanted.choice.as_ref().map(|c| c.why.describe()),
            "token": masked(wanted.token()),
            "token_source": wanted.token_source,
            "huggingface_hub": {
                "token": masked(effective.token.as_deref()),
                "source": effective.origin.describe(),
            },
            "dotenv": wanted.dotenv.iter().map(|d| serde_json::json!({
                "path": d.path,
                "trust": match d.trust { Trust::Allowed => "allowed", Trust::Blocked => "blocked", Trust::Denied => "denied" },
                "problem": d.problem,
            })).collect::<Vec<_>>(),
            "variables": vars,
            "shell_hooked": hooked,
            "shell_in_sync": in_sync,
            "notices": wanted.notices,
            "config": here.loaded.path,
        });
        return ui::print_json(&doc);
    }

    let mut out = String::new();
    match &wanted.choice {
        Some(c) => out.push_str(&format!(
            "profile   {}{}\n  why     {}\n",
            c.name,
            if wanted.profile.is_none() {
                "  (does not exist!)"
            } else {
                ""
            },
            c.why.describe()
        )),
        None => out.push_str("profile   none — hfenv leaves HF_TOKEN as it is here\n"),
    }
    if let Some(src) = &wanted.token_source {
        let token = wanted
            .token()
            .map(mask)
            .unwrap_or_else(|| "(no token: see the notice below)".into());
        out.push_str(&format!("  token   {token} from {src}\n"));
    }
    let used = match (&effective.origin, effective.token.as_deref()) {
        (TokenOrigin::Oidc, _) => effective.origin.describe(),
        (_, Some(t)) => format!("{} from {}", mask(t), effective.origin.describe()),
        (_, None) => effective.origin.describe(),
    };
    out.push_str(&format!("huggingface_hub will use  {used}\n"));
    if let Some(e) = &effective.file_error {
        out.push_str(&format!("  ✗ {e}: huggingface_hub will raise an error\n"));
    }
    if !wanted.dotenv.is_empty() {
        out.push_str(".env files\n");
        for d in &wanted.dotenv {
            let t = match d.trust {
                Trust::Allowed => "allowed",
                Trust::Blocked => "blocked (`hfenv allow` to load)",
                Trust::Denied => "denied",
            };
            out.push_str(&format!("  {}  {t}\n", d.path.display()));
        }
    }
    if !wanted.vars.is_empty() {
        out.push_str("variables\n");
        for (k, v) in &wanted.vars {
            let from = wanted.describe_origin(v.origin);
            let action = if v.value.is_some() { "set" } else { "unset" };
            out.push_str(&format!("  {k:<24} {action} by {from}\n"));
        }
    }
    out.push_str(&format!(
        "this shell  {}\n",
        match (hooked, in_sync) {
            (true, true) => "hooked, up to date",
            (true, false) => "hooked, changes apply at the next prompt",
            (false, _) =>
                "not hooked — add `eval \"$(hfenv hook bash)\"` (or your shell's line) to your rc",
        }
    ));
    out.push_str(&format!("config      {}\n", here.loaded.path.display()));
    for n in &wanted.notices {
        out.push_str(&format!("notice      {n}\n"));
    }
    ui::print_for_people(&out)
}

use std::io::{BufRead, Write};

use crate::cli::Credential;
use crate::error::{Error, Result};
use crate::hf::hub;
use crate::paths;
use crate::resolve::Here;

/// git's credential-helper protocol: `get` answers with the token of the profile active in
/// git's working directory; `store` and `erase` are accepted and ignored (the config is the
/// source of truth). Anything that is not the Hub gets no answer, so other helpers run.
pub fn run(args: Credential) -> Result<()> {
    let mut request = std::collections::HashMap::new();
    for line in std::io::stdin().lock().lines() {
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
    let endpoint = hub::endpoint(&paths::process_env);
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
    let here = Here::load()?;
    let Ok((name, token)) = here.token(None) else {
        return Ok(());
    };
    let mut out = std::io::stdout().lock();
    // The Hub ignores the user name for token authentication; naming the profile helps when
    // git shows it.
    let _ = writeln!(out, "username=hfenv-{name}\npassword={token}");
    Ok(())
}

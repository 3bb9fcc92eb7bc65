//! whoami-v2, cached: the Hub rate-limits it deliberately, so an answer is kept for a few
//! minutes in hfenv's state directory (0600, keyed by a digest of endpoint and token, never
//! the token) and each token costs at most one request per run.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

use super::hub::{Hub, HubError, Identity};
use crate::token::fingerprint;

/// How long an answer is reused.
pub(crate) const TTL: i64 = 300;

#[derive(serde::Serialize, serde::Deserialize)]
struct Cached {
    at: i64,
    identity: Identity,
}

fn cache_file(endpoint: &str, token: &str) -> Option<PathBuf> {
    let key = fingerprint(&format!("{endpoint}\n{token}"));
    Some(crate::state::dir().ok()?.join("whoami").join(key))
}

/// Answers of this run, so each token costs at most one request however many checks ask.
static THIS_RUN: Mutex<Option<HashMap<String, Result<Identity, String>>>> = Mutex::new(None);

/// whoami-v2 for `token`, from this run's memory, the cache, or the Hub.
pub(crate) fn whoami(hub: &Hub, token: &str) -> Result<Identity, HubError> {
    let key = fingerprint(&format!("{}\n{token}", hub.endpoint));
    if let Some(known) = THIS_RUN
        .lock()
        .ok()
        .and_then(|m| m.as_ref().and_then(|m| m.get(&key).cloned()))
    {
        return known.map_err(|_| HubError::Unauthorized);
    }
    let now = super::oauth::now();
    let file = cache_file(&hub.endpoint, token);
    if let Some(cached) = file
        .as_ref()
        .and_then(|f| crate::files::read_bounded(f, 64 << 10, crate::files::Links::Refuse).ok())
        .and_then(|b| serde_json::from_slice::<Cached>(&b).ok())
        .filter(|c| now >= c.at && now - c.at < TTL)
    {
        remember(&key, Ok(cached.identity.clone()));
        return Ok(cached.identity);
    }
    let answer = hub.whoami(token);
    match &answer {
        Ok(id) => {
            remember(&key, Ok(id.clone()));
            if let Some(f) = &file {
                let doc = Cached {
                    at: now,
                    identity: id.clone(),
                };
                let _ = crate::files::write_private(
                    f,
                    serde_json::to_string(&doc).expect("plain data").as_bytes(),
                );
            }
        }
        // A rejected token stays rejected for this run; anything else may be asked again.
        Err(HubError::Unauthorized) => remember(&key, Err("401".into())),
        Err(_) => {}
    }
    answer
}

fn remember(key: &str, value: Result<Identity, String>) {
    if let Ok(mut m) = THIS_RUN.lock() {
        m.get_or_insert_with(HashMap::new)
            .insert(key.to_string(), value);
    }
}

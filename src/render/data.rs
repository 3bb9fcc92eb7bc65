//! The variables as data, for editors, Docker and CI: json, dotenv, GitHub's env file. They
//! carry the profile's and the `.env` files' variables only: PATH additions are for interactive
//! shells, and a host PATH must never replace a container's (`docker run --env-file`).

use std::fs;
use std::io::Write;
use std::path::PathBuf;
use std::time::SystemTime;

use crate::error::{io_error, Error, Result};
use crate::wanted::Wanted;
use crate::{paths, ui};

/// The variables a fresh process should get (unsets as `None`), without `PATH`: where data
/// is used (`docker run --env-file`, a CI step) it replaces the whole search path, and a
/// `.env`'s `PATH=${PATH}:…` would carry this host's into it.
pub(crate) fn vars(wanted: &Wanted) -> Vec<(String, Option<String>)> {
    wanted
        .vars
        .iter()
        .filter(|(k, _)| *k != "PATH")
        .map(|(k, v)| (k.to_string(), v.value.as_deref().map(str::to_owned)))
        .collect()
}

pub(crate) fn json(vars: &[(String, Option<String>)]) -> Result<()> {
    let map: serde_json::Map<String, serde_json::Value> = vars
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                v.clone()
                    .map(serde_json::Value::String)
                    .unwrap_or(serde_json::Value::Null),
            )
        })
        .collect();
    ui::print(&format!("{}\n", serde_json::Value::Object(map)))
}

pub(crate) fn dotenv(vars: &[(String, Option<String>)]) -> Result<()> {
    for (k, v) in vars {
        if v.as_deref()
            .is_some_and(|v| !crate::formats::dotenv_literal(v))
        {
            ui::warn(format!(
                "`{k}` is written quoted with escapes: python-dotenv and editors read it, but Docker's `--env-file` takes values literally"
            ));
        }
    }
    let text: String = vars
        .iter()
        .filter_map(|(k, v)| {
            v.as_ref()
                .map(|v| format!("{k}={}\n", crate::formats::dotenv_value(v)))
        })
        .collect();
    ui::print(&text)
}

/// Appends to `$GITHUB_ENV` with the multi-line delimiter syntax, and masks in the log every
/// value that is not known to be harmless (the token, `.env` secrets, a profile's `env`).
pub(crate) fn github(vars: &[(String, Option<String>)], token: Option<&str>) -> Result<()> {
    let Some(path) = paths::process_env("GITHUB_ENV")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
    else {
        return Err(Error::new(
            "`GITHUB_ENV` is not set",
            "run this inside a GitHub Actions step",
        ));
    };
    let mut masks = String::new();
    if let Some(t) = token {
        masks.push_str(&crate::formats::github_masks(t));
    }
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    let seed = format!("{nanos}{}", std::process::id());
    let mut text = String::new();
    for (k, v) in vars {
        let Some(v) = v else { continue };
        if Some(v.as_str()) != token && !crate::formats::github_harmless(k, v) {
            masks.push_str(&crate::formats::github_masks(v));
        }
        text.push_str(&crate::formats::github_env_entry(k, v, &seed));
    }
    // Masks first: a value must be masked before anything can print it.
    ui::print(&masks)?;
    let mut f = fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&path)
        .map_err(|e| io_error("open", &path, e))?;
    f.write_all(text.as_bytes())
        .map_err(|e| io_error("write", &path, e))?;
    let names: Vec<&str> = vars
        .iter()
        .filter(|(_, v)| v.is_some())
        .map(|(k, _)| k.as_str())
        .collect();
    ui::say(&format!("exported {} to `GITHUB_ENV`", names.join(", ")));
    Ok(())
}

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;

use crate::choose;
use crate::cli::List;
use crate::config::{Config, Profile, Source};
use crate::error::Result;
use crate::here::Here;
use crate::token::mask;
use crate::{hf, paths, ui};

/// Each `stored_tokens` file, read and indexed once per run: thousands of `hf_stored` profiles
/// share one or two files, and reading one per profile made `list` quadratic.
#[derive(Default)]
struct StoredFiles(RefCell<HashMap<PathBuf, HashMap<String, Option<String>>>>);

impl StoredFiles {
    /// The masked token of section `name` in the file at `path`.
    fn masked(&self, path: PathBuf, name: &str) -> Option<String> {
        let mut files = self.0.borrow_mut();
        let sections = files.entry(path).or_insert_with_key(|path| {
            hf::stored::read(path)
                .map(|stored| {
                    stored
                        .usable()
                        .map(|s| (s.name.clone(), s.token().map(|t| mask(&t))))
                        .collect()
                })
                .unwrap_or_default()
        });
        sections.get(name).cloned().flatten()
    }
}

/// What `list` can say about a token without running anything: a command may prompt or be
/// slow, so it is described, not run.
fn masked_token(
    profile: &Profile,
    stored: &StoredFiles,
    user: &dyn Fn(&str) -> Option<String>,
) -> Option<String> {
    match profile.source()? {
        Source::Inline(t) => crate::token::clean(t).map(|t| mask(&t)),
        Source::Env(var) => paths::process_env(var)
            .and_then(|v| crate::token::clean(&v))
            .map(|t| mask(&t)),
        Source::HfStored(name) => {
            // Where the login is read from is the user's choice, never a `.env`'s.
            let lookup = |k: &str| profile.var(k, user);
            stored.masked(paths::hf_stored_tokens_path(&lookup), name)
        }
        // The store may be locked and show an unlock prompt: read only when the profile is used.
        Source::Command(_) | Source::Keyring => None,
    }
}

/// The TOKEN column: the masked token, or why there is none to show.
fn token_note(profile: &Profile, masked: Option<String>) -> String {
    match (profile.source(), masked) {
        (_, Some(m)) => m,
        (Some(Source::Command(_)), None) => "(fetched when used)".into(),
        (Some(Source::Env(_)), None) => "(variable not set)".into(),
        (Some(Source::HfStored(_)), None) => "(not found)".into(),
        (Some(Source::Keyring), None) => "(read when used)".into(),
        _ => "(empty)".into(),
    }
}

pub(crate) fn run(args: List) -> Result<()> {
    let here = Here::load()?;
    let config: &Config = &here.loaded.config;
    let active = choose::choose(&here.context()).choice;
    let stored = StoredFiles::default();
    let user = crate::session::user_env_reader(&paths::process_env);
    if args.json {
        let items: Vec<serde_json::Value> = config
            .profiles
            .iter()
            .map(|(name, p)| {
                let p = p.get_ref();
                let source = p.source().expect("validated");
                let (kind, detail) = match source {
                    Source::Inline(_) => ("token", None),
                    Source::Command(c) => ("token_command", Some(c)),
                    Source::Env(v) => ("token_env", Some(v)),
                    Source::HfStored(n) => ("hf_stored", Some(n)),
                    Source::Keyring => ("keyring", Some(name.as_str())),
                };
                let is_active = active.as_ref().is_some_and(|c| c.name == *name);
                serde_json::json!({
                    "name": name,
                    "source": kind,
                    "source_detail": detail,
                    "token": masked_token(p, &stored, &user),
                    "env": p.env.keys().collect::<Vec<_>>(),
                    "active": is_active,
                    "scope": if is_active { active.as_ref().map(|c| c.why.scope()) } else { None },
                })
            })
            .collect();
        return ui::print_json(&serde_json::Value::Array(items));
    }
    if config.profiles.is_empty() {
        ui::say("no profiles yet — add one with `hfenv add NAME`");
        return Ok(());
    }
    // Cells as shown (masked, escaped), so columns line up by what is on the screen.
    let mut rows: Vec<Vec<String>> = vec![vec!["  NAME".into(), "SOURCE".into(), "TOKEN".into()]];
    let mut active_row = None;
    // A set: it is asked once per row, and a list would make that quadratic.
    let mut missing_token = std::collections::HashSet::new();
    for (name, p) in &config.profiles {
        let p = p.get_ref();
        let is_active = active.as_ref().filter(|c| c.name == *name);
        if is_active.is_some() {
            active_row = Some(rows.len());
        }
        let masked = masked_token(p, &stored, &user);
        if masked.is_none() && !matches!(p.source(), Some(Source::Command(_))) {
            missing_token.insert(rows.len());
        }
        rows.push(vec![
            format!(
                "{} {}",
                if is_active.is_some() { '*' } else { ' ' },
                ui::cell(name)
            ),
            ui::cell(&p.source().expect("validated").describe()),
            format!(
                "{}{}",
                ui::cell(&token_note(p, masked)),
                is_active
                    .map(|c| format!("  (active: {})", c.why.scope()))
                    .unwrap_or_default()
            ),
        ]);
    }
    let color = ui::color_wanted();
    let mut out = ui::columns(&rows, |row, col, text| match (row, col) {
        (0, _) => ui::paint(color, "1", text),
        (r, 0) if Some(r) == active_row => ui::paint(color, "1;32", text),
        (r, 2) if Some(r) == active_row => ui::paint(color, "32", text),
        (r, 2) if missing_token.contains(&r) => ui::paint(color, "33", text),
        _ => text.to_string(),
    });
    if let Some(c) = active.filter(|c| config.profile(&c.name).is_none()) {
        let note = format!(
            "(`{}` is chosen by the {} but does not exist)",
            ui::cell(&c.name),
            c.why.describe()
        );
        out.push_str(&ui::paint(color, "33", &note));
        out.push('\n');
    }
    // Every cell was masked and escaped above; escaping the whole text again would also
    // escape the colours.
    let printed = ui::print(&crate::token::redact(&out));
    // The process ends right after this: freeing thousands of profiles one by one would only
    // delay it.
    std::mem::forget(here);
    printed
}

/// Profile names only, for completion scripts: must stay fast and never fail loudly.
pub(crate) fn names() -> Result<()> {
    let Ok(path) = paths::config_file() else {
        return Ok(());
    };
    let Ok(loaded) = crate::config::load_from(&path) else {
        return Ok(());
    };
    let text: String = loaded
        .config
        .names()
        .iter()
        .map(|n| format!("{n}\n"))
        .collect();
    ui::print(&text)
}

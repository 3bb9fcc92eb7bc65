use crate::cli::Import;
use crate::config::{self, Edit};
use crate::error::{Error, Result};
use crate::token::mask;
use crate::{hf, paths, store, ui};

/// A stored token name that is not a valid profile name (spaces, unicode) becomes one.
fn profile_name(token_name: &str) -> Option<String> {
    let mut name: String = token_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    while name.starts_with(['-', '.', '_']) {
        name.remove(0);
    }
    let name = name.trim_end_matches('-').to_string();
    config::valid_profile_name(&name).then_some(name)
}

pub(crate) fn run(args: Import) -> Result<()> {
    let path = paths::hf_stored_tokens_path(&paths::process_env);
    let stored = hf::stored::read(&path).map_err(|e| crate::error::io_error("read", &path, e))?;
    if let Some(err) = &stored.python_error {
        return Err(Error::new(
            format!(
                "`{}` cannot be read by huggingface_hub ({err}), so there is nothing it could use",
                path.display()
            ),
            "fix the file by hand, or log in again with `hf auth login`",
        ));
    }
    if stored.sections.is_empty() {
        return Err(Error::new(
            format!("no tokens saved in `{}`", path.display()),
            "log in first with `hf auth login`",
        ));
    }
    let mut edit = Edit::begin()?;
    let mut out = String::new();
    let mut changed = false;
    // Replaced profiles whose token was in the credential store: deleted once the config is saved.
    let mut orphans = Vec::new();
    // Profile name -> the login it was made from in this run: two logins that map to one name
    // (`[my token]`, `[my-token]`) must not overwrite each other.
    let mut taken: std::collections::HashMap<String, String> = Default::default();
    for section in stored.usable() {
        let shown = section.name.escape_debug().to_string();
        if config::looks_like_token(&section.name)
            || crate::token::redact(&section.name) != section.name
        {
            out.push_str(&format!(
                "skipped a login whose name looks like a token (`{}`): a profile name is shown and exported — add it under a name of your own with `hfenv add NAME --hf-stored '…'`\n",
                crate::token::redact(&shown)
            ));
            continue;
        }
        if section.name.chars().any(char::is_control) {
            out.push_str(&format!(
                "skipped `{shown}`: its name holds control characters, which a profile cannot reference\n"
            ));
            continue;
        }
        let Some(name) = profile_name(&section.name) else {
            out.push_str(&format!(
                "skipped `{shown}`: no usable profile name can be made from it\n"
            ));
            continue;
        };
        if let Some(first) = taken.get(&name) {
            out.push_str(&format!(
                "skipped `{shown}`: its profile name `{name}` is already taken by `{}` in this import — add it under another name with `hfenv add NAME --hf-stored {}`\n",
                first.escape_debug(),
                crate::render::word(&section.name)
            ));
            continue;
        }
        taken.insert(name.clone(), section.name.clone());
        if edit.config.profile(&name).is_some() && !args.force {
            out.push_str(&format!(
                "kept existing profile `{name}` (pass --force to replace it)\n"
            ));
            continue;
        }
        let Some(token) = section.token() else {
            out.push_str(&format!("skipped `{shown}`: its token is empty\n"));
            continue;
        };
        let mut table = toml_edit::Table::new();
        let how = if args.copy && !section.expires() {
            let settings = &edit.config.settings;
            if store::keep(&name, &token, settings.store, settings.store_timeout())? {
                table.insert("keyring", toml_edit::value(true));
                "copied into the credential store"
            } else {
                table.insert("token", toml_edit::value(&token));
                "copied"
            }
        } else {
            table.insert("hf_stored", toml_edit::value(&section.name));
            if args.copy {
                "referenced, not copied: it is a browser login that expires, and only huggingface_hub refreshes it"
            } else {
                "referenced"
            }
        };
        let was_stored = edit
            .config
            .profile(&name)
            .is_some_and(|p| p.source() == Some(crate::config::Source::Keyring));
        if was_stored && !table.contains_key("keyring") {
            orphans.push(name.clone());
        }
        edit.profiles_table()
            .insert(&name, toml_edit::Item::Table(table));
        changed = true;
        out.push_str(&format!(
            "imported `{shown}` as profile `{name}` ({}, {how})\n",
            mask(&token)
        ));
    }
    let timeout = edit.config.settings.store_timeout();
    if changed {
        edit.commit()?;
    }
    for name in &orphans {
        store::delete_orphan(name, timeout);
    }
    ui::print_for_people(&out)
}

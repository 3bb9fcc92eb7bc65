use crate::cli::Import;
use crate::config::{self, Edit};
use crate::error::{Error, Result};
use crate::token::mask;
use crate::{hf, paths, ui};

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

pub fn run(args: Import) -> Result<()> {
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
    for section in stored.usable() {
        let Some(name) = profile_name(&section.name) else {
            out.push_str(&format!(
                "skipped `{}`: no usable profile name can be made from it\n",
                section.name
            ));
            continue;
        };
        if edit.config.profile(&name).is_some() && !args.force {
            out.push_str(&format!(
                "kept existing profile `{name}` (pass --force to replace it)\n"
            ));
            continue;
        }
        let Some(token) = section.token() else {
            out.push_str(&format!("skipped `{}`: its token is empty\n", section.name));
            continue;
        };
        let mut table = toml_edit::Table::new();
        let how = if args.copy && !section.expires() {
            table.insert("token", toml_edit::value(&token));
            "copied"
        } else {
            table.insert("hf_stored", toml_edit::value(&section.name));
            if args.copy {
                "referenced, not copied: it is a browser login that expires, and only huggingface_hub refreshes it"
            } else {
                "referenced"
            }
        };
        edit.profiles_table()
            .insert(&name, toml_edit::Item::Table(table));
        changed = true;
        out.push_str(&format!(
            "imported `{}` as profile `{name}` ({}, {how})\n",
            section.name,
            mask(&token)
        ));
    }
    if changed {
        edit.commit()?;
    }
    ui::print(&out)
}

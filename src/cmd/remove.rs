use crate::cli::Remove;
use crate::config::{Edit, Source};
use crate::error::Result;
use crate::{state, store, ui};

pub(crate) fn run(args: Remove) -> Result<()> {
    let mut edit = Edit::begin()?;
    if edit.config.profile(&args.profile).is_none() {
        return Err(edit.config.unknown_profile(&args.profile));
    }
    let in_store = edit
        .config
        .profile(&args.profile)
        .is_some_and(|p| p.source() == Some(Source::Keyring));
    let timeout = edit.config.settings.store_timeout();
    edit.remove_profile(&args.profile);
    // Rules naming a profile that is gone would only produce warnings at every `cd`.
    let stale: Vec<String> = edit
        .config
        .dirs
        .iter()
        .filter(|(_, p)| **p == args.profile)
        .map(|(d, _)| d.clone())
        .collect();
    if !stale.is_empty() {
        let dirs = edit.dirs_table();
        for d in &stale {
            dirs.remove(d);
        }
        edit.drop_empty_dirs();
    }
    edit.commit()?;
    let state_dir = state::dir()?;
    let was_global = state::global_profile(&state_dir).as_deref() == Some(args.profile.as_str());
    if was_global {
        state::set_global_profile(None)?;
    }
    let mut text = format!("removed profile `{}`\n", args.profile);
    // The config goes first: a profile pointing at a deleted secret would be worse than a
    // secret nobody points at, which is said below.
    if in_store {
        match store::delete(&args.profile, timeout) {
            Ok(true) => text.push_str("deleted its token from the credential store\n"),
            Ok(false) => {}
            Err(e) => ui::warn(format!(
                "its token stays in the credential store ({}): {} — delete it in your keyring manager",
                store::describe_entry(&args.profile),
                e.describe()
            )),
        }
    }
    for d in &stale {
        text.push_str(&format!("removed directory rule `{d}`\n"));
    }
    if was_global {
        text.push_str("cleared the global choice, which named it\n");
    }
    ui::print_for_people(&text)
}

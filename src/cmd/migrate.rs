use toml_edit::{Item, Key, Table, Value};

use crate::cli::Migrate;
use crate::config::{Edit, Source};
use crate::error::{Error, Result};
use crate::{store, token, ui};

pub(crate) fn run(args: Migrate) -> Result<()> {
    let mut edit = Edit::begin()?;
    let config = &edit.config;
    let mut todo: Vec<(String, String)> = Vec::new();
    let mut notes = String::new();
    if args.profiles.is_empty() {
        for (name, p) in &config.profiles {
            if let Some(Source::Inline(t)) = p.get_ref().source() {
                todo.push((name.clone(), t.to_string()));
            }
        }
        if todo.is_empty() {
            return ui::print_for_people("no inline tokens in the config; nothing to move\n");
        }
    } else {
        for name in &args.profiles {
            let Some(profile) = config.profile(name) else {
                return Err(config.unknown_profile(name));
            };
            match profile.source().expect("validated") {
                Source::Inline(t) => {
                    if !todo.iter().any(|(n, _)| n == name) {
                        todo.push((name.clone(), t.to_string()));
                    }
                }
                Source::Keyring => {
                    notes.push_str(&format!(
                        "profile `{name}`'s token is already in the credential store\n"
                    ));
                }
                other => {
                    return Err(Error::new(
                        format!(
                            "profile `{name}` takes its token from the {}, not the config",
                            other.describe()
                        ),
                        "only inline tokens (`token = …`) move into the credential store",
                    ))
                }
            }
        }
    }
    let timeout = config.settings.store_timeout();
    let mut moved = Vec::new();
    let mut failure = None;
    for (name, raw) in &todo {
        let Some(clean) = token::clean(raw) else {
            failure = Some(Error::new(
                format!("profile `{name}` has an empty `token`"),
                format!("set it with `hfenv add {name} --force`"),
            ));
            break;
        };
        match store::set(name, &clean, timeout) {
            Ok(()) => moved.push(name.clone()),
            Err(e) => {
                failure = Some(Error::new(
                    format!(
                        "could not move profile `{name}`'s token: {}",
                        e.describe()
                    ),
                    match e {
                        store::StoreError::Locked(_) => {
                            "unlock your keyring and run `hfenv migrate` again"
                        }
                        _ => "start a credential store (a Secret Service such as GNOME Keyring or KeePassXC) and run `hfenv migrate` again",
                    },
                ));
                break;
            }
        }
    }
    if !moved.is_empty() {
        let profiles = edit
            .doc
            .get_mut("profiles")
            .and_then(Item::as_table_like_mut)
            .expect("profiles exist: they were just read");
        for name in &moved {
            let item = profiles.get_mut(name).expect("the profile was just read");
            swap_token(item);
        }
        edit.commit().map_err(|e| {
            Error::plain(format!(
                "{} (the tokens are in the credential store too; nothing was lost)",
                e.message
            ))
        })?;
        for name in &moved {
            notes.push_str(&format!(
                "moved profile `{name}`'s token into the credential store ({})\n",
                store::describe_entry(name)
            ));
        }
    }
    ui::print_for_people(&notes)?;
    match failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Replaces `token = "…"` by `keyring = true` in a profile's table, in the same place, with the
/// same comments around it.
fn swap_token(item: &mut Item) {
    if let Some(table) = item.as_table_mut() {
        swap_in_table(table);
    } else if let Some(Value::InlineTable(table)) = item.as_value_mut() {
        let keys: Vec<String> = table.iter().map(|(k, _)| k.to_string()).collect();
        for k in keys {
            let (key, value) = table.remove_entry(&k).expect("key just listed");
            if k == "token" {
                let (key, value) = replacement(&key, value.decor());
                table.insert_formatted(&key, value);
            } else {
                table.insert_formatted(&key, value);
            }
        }
    }
}

fn swap_in_table(table: &mut Table) {
    let keys: Vec<String> = table.iter().map(|(k, _)| k.to_string()).collect();
    for k in keys {
        let (key, item) = table.remove_entry(&k).expect("key just listed");
        if k == "token" {
            let decor = item
                .as_value()
                .map(|v| v.decor().clone())
                .unwrap_or_default();
            let (key, value) = replacement(&key, &decor);
            table.insert_formatted(&key, Item::Value(value));
        } else {
            table.insert_formatted(&key, item);
        }
    }
}

fn replacement(old: &Key, decor: &toml_edit::Decor) -> (Key, Value) {
    let mut key = Key::new("keyring");
    *key.leaf_decor_mut() = old.leaf_decor().clone();
    let mut value = Value::from(true);
    *value.decor_mut() = decor.clone();
    (key, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn swapped(text: &str) -> String {
        let mut doc: toml_edit::DocumentMut = text.parse().unwrap();
        let item = doc["profiles"]
            .as_table_like_mut()
            .unwrap()
            .get_mut("work")
            .unwrap();
        swap_token(item);
        doc.to_string()
    }

    #[test]
    fn keeps_subtables_order_and_comments() {
        let text = "[profiles.work]\nenv_note = 1 # before\n# about the token\ntoken = \"hf_x\" # trailing\nlast = 2\n\n[profiles.work.env]\nA = \"1\"\n";
        assert_eq!(
            swapped(text),
            "[profiles.work]\nenv_note = 1 # before\n# about the token\nkeyring = true # trailing\nlast = 2\n\n[profiles.work.env]\nA = \"1\"\n"
        );
        let text = "profiles = { work = { token = \"hf_x\" } }\n";
        assert_eq!(swapped(text), "profiles = { work = { keyring = true } }\n");
    }
}

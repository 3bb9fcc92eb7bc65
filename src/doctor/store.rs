//! Where each profile's token lives: the OS credential store (can it be read?) or inline in the
//! config (worth moving when a store answers).

use super::{fail, info, ok, show, warn, Ctx, Finding, G_TOKEN};
use crate::config::Source;
use crate::store::{self, StoreError};

const CHECK: &str = "token storage";

fn names(list: &[&str]) -> String {
    list.iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn check(ctx: &Ctx, report: &mut Vec<Finding>) {
    let Some(here) = &ctx.here else {
        return;
    };
    let config = &here.loaded.config;
    let mut inline = Vec::new();
    let mut stored = Vec::new();
    let mut elsewhere = Vec::new();
    for (name, p) in &config.profiles {
        match p.get_ref().source() {
            Some(Source::Inline(_)) => inline.push(name.as_str()),
            Some(Source::Keyring) => stored.push(name.as_str()),
            Some(Source::Command(_)) => elsewhere.push(format!("`{name}` (a `token_command`)")),
            Some(other) => elsewhere.push(format!("`{name}` ({})", other.describe())),
            None => {}
        }
    }
    if !elsewhere.is_empty() {
        report.push(info(
            G_TOKEN,
            CHECK,
            format!("tokens kept outside hfenv: {}", elsewhere.join(", ")),
        ));
    }
    if inline.is_empty() && stored.is_empty() {
        return;
    }
    let timeout = config.settings.store_timeout();
    let mut readable = Vec::new();
    let mut store_down: Option<StoreError> = None;
    for name in &stored {
        if let Some(e) = &store_down {
            report.push(
                fail(
                    G_TOKEN,
                    CHECK,
                    format!(
                        "profile `{name}`'s token is in the credential store, which cannot be read: {}",
                        e.describe()
                    ),
                )
                .fix(e.for_profile(name).message),
            );
            continue;
        }
        match store::get(name, timeout) {
            Ok(_) => readable.push(*name),
            Err(e) => {
                let level = if matches!(e, StoreError::Locked(_)) {
                    warn
                } else {
                    fail
                };
                let fix = e.for_profile(name).message;
                let fix = fix
                    .split_once(" — ")
                    .map_or(fix.clone(), |(_, f)| f.to_string());
                report.push(
                    level(
                        G_TOKEN,
                        CHECK,
                        format!(
                            "profile `{name}`'s token is in the credential store ({}), but {}",
                            store::describe_entry(name),
                            e.describe()
                        ),
                    )
                    .fix(fix),
                );
                if !matches!(e, StoreError::Missing) {
                    store_down = Some(e);
                }
            }
        }
    }
    if !readable.is_empty() {
        report.push(ok(
            G_TOKEN,
            CHECK,
            format!(
                "tokens in the OS credential store (service `{}`): {}",
                store::SERVICE,
                names(&readable)
            ),
        ));
    }
    if inline.is_empty() {
        return;
    }
    let at = show(&here.loaded.path);
    let answered = match &store_down {
        Some(e) => Err(e.describe()),
        None if !readable.is_empty() => Ok(()),
        None => store::probe(timeout).map_err(|e| e.describe()),
    };
    match answered {
        Ok(()) => report.push(
            warn(
                G_TOKEN,
                CHECK,
                format!(
                    "tokens inline in `{at}` though a credential store is available: {}",
                    names(&inline)
                ),
            )
            .fix("`hfenv migrate` moves them into the credential store and out of the config"),
        ),
        Err(why) => report.push(info(
            G_TOKEN,
            CHECK,
            format!(
                "tokens inline in `{at}` (mode 0600): {}; {why}",
                names(&inline)
            ),
        )),
    }
}

//! Moving the shell's environment to what `resolve` wants, with bookkeeping that holds no
//! secret: the exported marker keeps only fingerprints; the values to restore stay in the shell's
//! own unexported variables.

use std::borrow::Cow;

use crate::resolve::Wanted;

/// Exported marker: `2;profile;digest;notices;store;NAME=fp,NAME=-`. Non-secret by construction:
/// fingerprints, and the name of the file holding the values to restore.
pub const STATE_VAR: &str = "__HFENV_STATE";
/// Exported list of PATH entries hfenv added, so only those are ever removed.
pub const PATH_VAR: &str = "__HFENV_PATH";
const UNSET: &str = "-";
/// Above this many bytes the managed list leaves the environment for a file.
const SPILL_OVER: usize = 4096;
pub const SPILL_DIR: &str = "markers";

fn spill(list: &str) -> Option<String> {
    let dir = crate::state::ensure_dir().ok()?.join(SPILL_DIR);
    crate::files::private_dir(&dir).ok()?;
    let id = format!("{:016x}", crate::keyed::print(list.as_bytes()));
    let path = dir.join(&id);
    // Content-addressed: an existing file already holds exactly this list, and refreshing
    // its mtime keeps it from being pruned. No fsync for a new one: a spill lost in a crash
    // only means hfenv forgets what it set, while an fsync would cost milliseconds at a prompt.
    if let Ok(file) = std::fs::File::options().append(true).open(&path) {
        if file.set_modified(std::time::SystemTime::now()).is_ok() {
            return Some(id);
        }
    }
    let tmp = dir.join(format!(".{id}.{}", std::process::id()));
    std::fs::write(&tmp, list).ok()?;
    std::fs::rename(&tmp, &path).ok()?;
    Some(id)
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Marker<'a> {
    pub profile: String,
    pub digest: String,
    pub notices: String,
    /// The file (under the state directory's `shells/`) holding the values to restore.
    pub store: String,
    /// Variables hfenv set (fingerprint of the value) or unset (`-`).
    pub managed: Managed<'a>,
}

impl Marker<'_> {
    pub fn parse(text: &str) -> Option<Marker<'static>> {
        let mut parts = text.splitn(6, ';');
        if parts.next()? != "2" {
            return None;
        }
        let profile = parts.next()?.to_string();
        let digest = parts.next()?.to_string();
        let notices = parts.next()?.to_string();
        let store = parts.next()?.to_string();
        let rest = parts.next().unwrap_or("");
        // A spilled list lives in a content-addressed file: read it back. If it is gone, hfenv
        // no longer knows what it set, and treats those values as the user's own.
        let spilled;
        let list = match rest.strip_prefix('@') {
            Some(id) if id.bytes().all(|b| b.is_ascii_hexdigit()) => {
                spilled = crate::state::dir()
                    .ok()
                    .and_then(|d| std::fs::read_to_string(d.join(SPILL_DIR).join(id)).ok());
                spilled.as_deref().unwrap_or("")
            }
            Some(_) => "",
            None => rest,
        };
        let managed: Managed = list
            .split(',')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (Cow::Owned(k.to_string()), Print::parse(v)))
            .collect();
        Some(Marker {
            profile,
            digest,
            notices,
            store,
            managed,
        })
    }

    fn managed_list(&self) -> String {
        let mut list = String::with_capacity(self.managed.len() * 28);
        for (k, v) in self.managed.iter() {
            if !list.is_empty() {
                list.push(',');
            }
            list.push_str(k);
            list.push('=');
            v.write(&mut list);
        }
        list
    }

    /// The marker as exported. Small lists are inline; a large one (a `.env` with thousands of
    /// keys) would make the variable too big for `execve` (E2BIG breaks every command), so it
    /// is written to a content-addressed, immutable file under the state directory and the
    /// marker names it. Immutable, so a child shell reads what its parent had when it forked.
    pub fn render(&self) -> String {
        let list = self.managed_list();
        if list.len() > SPILL_OVER {
            if let Some(id) = spill(&list) {
                return format!(
                    "2;{};{};{};{};@{id}",
                    self.profile, self.digest, self.notices, self.store
                );
            }
        }
        format!(
            "2;{};{};{};{};{list}",
            self.profile, self.digest, self.notices, self.store
        )
    }

    /// The variable still holds what hfenv put there.
    pub fn owns(&self, name: &str, current: Option<&str>) -> bool {
        match self.managed.get(name) {
            Some(fp) => *fp == value_print(current),
            None => false,
        }
    }
}

/// Variables hfenv manages, by name. A sorted vector rather than a tree: the plan adds names
/// in order (it walks a sorted map), so building it is a push per variable.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Managed<'a>(Vec<(Cow<'a, str>, Print)>);

impl<'a> Managed<'a> {
    fn position(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_ref().cmp(name))
    }

    pub fn get(&self, name: &str) -> Option<&Print> {
        self.position(name).ok().map(|i| &self.0[i].1)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.position(name).is_ok()
    }

    pub fn insert(&mut self, name: Cow<'a, str>, print: Print) {
        if self.0.last().is_some_and(|(last, _)| *last < name) || self.0.is_empty() {
            self.0.push((name, print));
            return;
        }
        match self.position(&name) {
            Ok(i) => self.0[i].1 = print,
            Err(i) => self.0.insert(i, (name, print)),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Cow<'a, str>, &Print)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> FromIterator<(Cow<'a, str>, Print)> for Managed<'a> {
    fn from_iter<I: IntoIterator<Item = (Cow<'a, str>, Print)>>(iter: I) -> Self {
        let mut m = Managed::default();
        for (k, v) in iter {
            m.insert(k, v);
        }
        m
    }
}

/// A value's fingerprint as the marker records it (`-` for "unset"): a keyed 64-bit hash,
/// enough to recognise a value hfenv set, useless for recovering it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Print(Option<u64>);

impl Print {
    fn parse(text: &str) -> Print {
        Print(if text == UNSET {
            None
        } else {
            u64::from_str_radix(text, 16).ok().or(Some(0))
        })
    }

    fn write(self, out: &mut String) {
        match self.0 {
            Some(v) => {
                use std::fmt::Write;
                let _ = write!(out, "{v:016x}");
            }
            None => out.push_str(UNSET),
        }
    }
}

pub fn value_print(value: Option<&str>) -> Print {
    Print(value.map(|v| crate::keyed::print(v.as_bytes())))
}

#[derive(Debug, Clone, PartialEq)]
/// Names and values borrow from the wanted environment where they can: a `.env` with thousands
/// of keys would otherwise be copied once more per operation.
pub enum Op<'a> {
    /// Remember the variable's current value (or absence) before hfenv first changes it.
    Save(Cow<'a, str>),
    Set(Cow<'a, str>, Cow<'a, str>),
    Unset(Cow<'a, str>),
    /// Put back the remembered value, or unset it when nothing was remembered.
    Restore(Cow<'a, str>),
    /// The user changed the variable by hand: keep their value, drop the memory.
    Forget(Cow<'a, str>),
    /// Bookkeeping and PATH: exported without any memory.
    Export(Cow<'a, str>, Cow<'a, str>),
    ExportUnset(Cow<'a, str>),
}

pub struct Plan<'a> {
    pub ops: Vec<Op<'a>>,
    pub marker: Marker<'a>,
}

/// Computes the operations that move `env` to `wanted`, given the marker the shell carries.
pub fn plan<'a>(
    wanted: &'a Wanted,
    previous: &Marker,
    env: &dyn Fn(&str) -> Option<String>,
    notices: &str,
) -> Plan<'a> {
    plan_with(wanted, previous, env, notices, false)
}

/// Like [`plan`]; with `keep_hand_edits`, a variable the user changed by hand since hfenv set it
/// keeps the user's value for as long as hfenv would set the same value again. Only the hook of
/// a shell that did the previous load may ask for this: in a new shell the marker was inherited
/// and a different value is the rc's, not a deliberate edit.
pub fn plan_with<'a>(
    wanted: &'a Wanted,
    previous: &Marker,
    env: &dyn Fn(&str) -> Option<String>,
    notices: &str,
    keep_hand_edits: bool,
) -> Plan<'a> {
    // Up to two operations per variable; reserving once keeps a large `.env` from regrowing
    // (and re-touching) the vector.
    let mut ops = Vec::with_capacity(wanted.vars.len() * 2 + previous.managed.len() + 2);
    let mut marker = Marker {
        profile: wanted
            .choice
            .as_ref()
            .filter(|_| wanted.profile.is_some())
            .map(|c| c.name.clone())
            .unwrap_or_default(),
        digest: wanted
            .profile
            .as_ref()
            .map(|p| p.digest())
            .unwrap_or_default(),
        notices: notices.to_string(),
        store: previous.store.clone(),
        managed: Managed::default(),
    };
    for (name, var) in &wanted.vars {
        let value = &var.value;
        let current = env(name);
        let wanted_print = value_print(value.as_deref());
        match previous.managed.get(name.as_str()) {
            // Only a variable hfenv managed before can have been changed by hand since.
            Some(before) if *before != value_print(current.as_deref()) => {
                if keep_hand_edits && *before == wanted_print {
                    // Changed by hand while hfenv still wants what it set before: a reload (a
                    // touched file, another prompt) must not take the user's value away. Only
                    // a new wanted value overrides it.
                    marker.managed.insert(Cow::Borrowed(name), wanted_print);
                    continue;
                }
                // The hand-made value becomes the one to return to.
                ops.push(Op::Forget(Cow::Borrowed(name)));
                ops.push(Op::Save(Cow::Borrowed(name)));
            }
            Some(_) => {}
            // Nothing to remember for a variable that was unset: restoring it means unsetting.
            None if current.is_none() => {}
            None => ops.push(Op::Save(Cow::Borrowed(name))),
        }
        if current.as_deref() != value.as_deref() {
            ops.push(match value {
                Some(v) => Op::Set(Cow::Borrowed(name), Cow::Borrowed(v)),
                None => Op::Unset(Cow::Borrowed(name)),
            });
        }
        marker.managed.insert(Cow::Borrowed(name), wanted_print);
    }
    for (name, _) in previous.managed.iter() {
        if wanted.vars.contains_key(name.as_ref()) {
            continue;
        }
        let name = Cow::Owned(name.to_string());
        if previous.owns(&name, env(&name).as_deref()) {
            ops.push(Op::Restore(name));
        } else {
            ops.push(Op::Forget(name));
        }
    }
    plan_path(wanted, env, &mut ops);
    Plan { ops, marker }
}

/// PATH is edited entry by entry: entries hfenv added and no longer wants are removed once,
/// everything the user added in between stays.
fn plan_path(wanted: &Wanted, env: &dyn Fn(&str) -> Option<String>, ops: &mut Vec<Op<'_>>) {
    let added_before: Vec<String> = env(PATH_VAR)
        .map(|p| {
            p.split(':')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let want: Vec<String> = wanted
        .path_prepend
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    if added_before.is_empty() && want.is_empty() {
        return;
    }
    let current = env("PATH").unwrap_or_default();
    let mut entries: Vec<String> = current.split(':').map(str::to_string).collect();
    for gone in added_before.iter().filter(|e| !want.contains(e)) {
        if let Some(i) = entries.iter().position(|e| e == gone) {
            entries.remove(i);
        }
    }
    let mut added_now = Vec::new();
    for dir in &want {
        if added_before.contains(dir) && entries.contains(dir) {
            added_now.push(dir.clone());
            continue;
        }
        if !entries.contains(dir) {
            // Appended: a directory doctor recorded only fills a gap, never shadows a
            // command the user's own PATH already finds.
            entries.push(dir.clone());
            added_now.push(dir.clone());
        }
    }
    let new_path = entries.join(":");
    if new_path != current {
        ops.push(Op::Export("PATH".into(), new_path.into()));
    }
    if added_now.is_empty() {
        ops.push(Op::ExportUnset(PATH_VAR.into()));
    } else {
        ops.push(Op::Export(PATH_VAR.into(), added_now.join(":").into()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_round_trips_and_holds_no_value() {
        let mut m = Marker {
            profile: "work".into(),
            digest: "d".into(),
            notices: "n".into(),
            store: "123-456".into(),
            managed: Managed::default(),
        };
        m.managed
            .insert("HF_TOKEN".into(), value_print(Some("hf_secret_value")));
        m.managed.insert("HF_HOME".into(), value_print(None));
        let text = m.render();
        assert!(!text.contains("hf_secret_value"));
        assert_eq!(Marker::parse(&text), Some(m));
    }
}

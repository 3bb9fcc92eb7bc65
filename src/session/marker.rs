//! The marker: the one exported variable in which a shell carries hfenv's bookkeeping. It holds
//! no secret: keyed fingerprints of the values hfenv set, a check of the key they were made
//! with, and the name of the file holding the values to restore.

use std::borrow::Cow;

use super::keyed;

/// Exported marker: `3;key;profile;digest;notices;store;NAME=fp,NAME=-`. Non-secret by
/// construction: fingerprints, and the name of the file holding the values to restore.
pub(crate) const STATE_VAR: &str = "__HFENV_STATE";
/// Exported list of PATH entries hfenv added, so only those are ever removed.
pub(crate) const PATH_VAR: &str = "__HFENV_PATH";
const UNSET: &str = "-";
/// Above this many bytes the managed list leaves the environment for a file.
const SPILL_OVER: usize = 4096;
pub(crate) const SPILL_DIR: &str = "markers";

fn spill(list: &str) -> Option<String> {
    let dir = crate::state::ensure_dir().ok()?.join(SPILL_DIR);
    crate::files::private_dir(&dir).ok()?;
    let id = format!("{:016x}", keyed::print(list.as_bytes()));
    let path = dir.join(&id);
    // Content-addressed: an existing file already holds exactly this list, and refreshing
    // its mtime keeps it from being pruned. No fsync for a new one: a spill lost in a crash
    // only means hfenv forgets what it set, while an fsync would cost milliseconds at a prompt.
    if let Ok(file) = std::fs::File::options().append(true).open(&path) {
        if file.set_modified(std::time::SystemTime::now()).is_ok() {
            return Some(id);
        }
    }
    let fast = crate::files::WriteOptions {
        durable: false,
        ..crate::files::WriteOptions::PRIVATE
    };
    crate::files::write_atomic(&path, list.as_bytes(), fast).ok()?;
    Some(id)
}

#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Marker<'a> {
    /// Which key made the fingerprints ([`keyed::check`]). A marker made under another key (the
    /// key file was lost, the state directory wiped) proves nothing: see `session`.
    pub key: String,
    pub profile: String,
    pub digest: String,
    pub notices: String,
    /// The file (under the state directory's `shells/`) holding the values to restore.
    pub store: String,
    /// Variables hfenv set (fingerprint of the value) or unset (`-`).
    pub managed: Managed<'a>,
}

impl Marker<'_> {
    pub(crate) fn parse(text: &str) -> Option<Marker<'static>> {
        let (version, rest) = text.split_once(';')?;
        let (key, rest) = match version {
            "3" => rest.split_once(';')?,
            // An older hfenv's marker: its fingerprints cannot be checked against a key.
            "2" => ("", rest),
            _ => return None,
        };
        let mut parts = rest.splitn(5, ';');
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
                spilled = crate::state::dir().ok().and_then(|d| {
                    let path = d.join(SPILL_DIR).join(id);
                    let limit = crate::files::SMALL * 4;
                    crate::files::read_bounded_string(&path, limit, crate::files::Links::Refuse)
                        .ok()
                });
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
            key: key.to_string(),
            profile,
            digest,
            notices,
            store,
            managed,
        })
    }

    fn managed_list(&self) -> String {
        // Sized at once (name, `=`, at most 16 hex digits, `,`): a list of 10,000 names is not
        // copied while it grows.
        let size: usize = self.managed.keys().map(|k| k.len() + 18).sum();
        let mut list = String::with_capacity(size);
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
    pub(crate) fn render(&self) -> String {
        let list = self.managed_list();
        if list.len() > SPILL_OVER {
            if let Some(id) = spill(&list) {
                return format!(
                    "3;{};{};{};{};{};@{id}",
                    self.key, self.profile, self.digest, self.notices, self.store
                );
            }
        }
        format!(
            "3;{};{};{};{};{};{list}",
            self.key, self.profile, self.digest, self.notices, self.store
        )
    }

    /// The fingerprints were made with this user's current key, so they can prove anything.
    pub(crate) fn key_is_current(&self) -> bool {
        self.key == keyed::check()
    }

    /// The variable still holds what hfenv put there.
    pub(crate) fn owns(&self, name: &str, current: Option<&str>) -> bool {
        if !self.key_is_current() {
            return false;
        }
        match self.managed.get(name) {
            Some(fp) => *fp == value_print(current),
            None => false,
        }
    }
}

/// Variables hfenv manages, by name: the plan adds names in order (it walks the sorted wanted
/// variables), so building it is a push per variable.
pub(crate) type Managed<'a> = crate::sorted::Sorted<'a, Print>;

/// A value's fingerprint as the marker records it (`-` for "unset"): a keyed 64-bit hash,
/// enough to recognise a value hfenv set, useless for recovering it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Print(Option<u64>);

impl Print {
    /// A value was set (not an unset).
    pub(crate) fn is_set(self) -> bool {
        self.0.is_some()
    }

    fn parse(text: &str) -> Print {
        Print(if text == UNSET {
            None
        } else {
            u64::from_str_radix(text, 16).ok().or(Some(0))
        })
    }

    fn write(self, out: &mut String) {
        match self.0 {
            // `{v:016x}` by hand: the formatter is most of a marker's cost with 10,000 names.
            Some(v) => {
                const DIGITS: &[u8; 16] = b"0123456789abcdef";
                let mut hex = [0u8; 16];
                for (i, digit) in hex.iter_mut().enumerate() {
                    *digit = DIGITS[(v >> ((15 - i) * 4)) as usize & 15];
                }
                out.push_str(std::str::from_utf8(&hex).expect("ASCII digits"));
            }
            None => out.push_str(UNSET),
        }
    }
}

pub(crate) fn value_print(value: Option<&str>) -> Print {
    Print(value.map(|v| keyed::print(v.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_round_trips_and_holds_no_value() {
        let mut m = Marker {
            key: keyed::check(),
            profile: "work".into(),
            digest: "d".into(),
            notices: "n".into(),
            store: "123-456".into(),
            managed: Managed::default(),
        };
        m.managed
            .insert("HF_TOKEN", value_print(Some("hf_secret_value")));
        m.managed.insert("HF_HOME", value_print(None));
        let text = m.render();
        assert!(!text.contains("hf_secret_value"));
        assert_eq!(Marker::parse(&text), Some(m));
    }

    #[test]
    fn prints_are_sixteen_hex_digits() {
        for v in [0, 1, 0xabc, u64::MAX, 0x0123_4567_89ab_cdef] {
            let mut out = String::new();
            Print(Some(v)).write(&mut out);
            assert_eq!(out, format!("{v:016x}"));
        }
    }
}

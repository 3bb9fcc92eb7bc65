//! The session stage: a shell's bookkeeping, parsed once from its environment, and the
//! transition from what the shell holds to what `wanted` asks for.
//!
//! The bookkeeping is the exported [`marker`] (keyed fingerprints of what hfenv set, never a
//! value), the shell's private store of values to restore ([`originals`], 0600 under the state
//! directory, named by the marker; for the hook, the same file is its stamp, see [`stamp`]).
//!
//! The fail-closed rules live here, in one place:
//! - hfenv keeps a variable the user changed by hand only when it can *prove* the change: the
//!   fingerprint it recorded must be checkable, i.e. made under the current key. A marker made
//!   under a key that is gone (key file removed, state directory wiped, disk full) proves
//!   nothing, so every variable it names is treated as hfenv's: removed when it stops applying,
//!   with the user's earlier value put back where the store still knows it;
//! - names the hook cleared by itself while hfenv could not run (`__HFENV_CLEARED`) are hfenv's;
//! - values to restore are kept only while a shell can use them (see [`stamp`]).

mod keyed;
pub(crate) mod marker;
mod originals;
pub(crate) mod stamp;

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use marker::{value_print, Managed, PATH_VAR};
pub(crate) use marker::{Marker, STATE_VAR};
use originals::Originals;

use crate::error::Error;
use crate::wanted::Wanted;

/// Names the hook cleared itself because hfenv could not run; handed to the next run.
const CLEARED_VAR: &str = "__HFENV_CLEARED";
/// The stamp the hook hands back, so each shell keeps one.
pub(crate) const STAMP_VAR: &str = "__HFENV_STAMP";
/// The hook's shell process id, which names its store so the store goes when the shell does.
pub(crate) const SHELL_PID_VAR: &str = "__HFENV_PID";

/// One step of a transition. Renderers and `exec` see only these.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Change<'a> {
    Set(Cow<'a, str>, Cow<'a, str>),
    Unset(Cow<'a, str>),
}

/// What moves a shell from what it holds to what is wanted.
#[derive(Debug, Default)]
pub(crate) struct Transition<'a> {
    /// Variables first, then PATH and the bookkeeping (`__HFENV_PATH`, `__HFENV_STATE`).
    pub changes: Vec<Change<'a>>,
    /// Everything hfenv has set after this transition: what the hook clears by itself when hfenv
    /// cannot run (binary gone or failing), so no token outlives its directory.
    /// Borrowed, as the names in `changes` are, from the wanted variables.
    pub owned: Vec<Cow<'a, str>>,
}

impl<'a> Transition<'a> {
    /// A transition of plain changes, without bookkeeping (`use --shell`).
    pub(crate) fn of(changes: Vec<Change<'a>>) -> Self {
        Transition {
            changes,
            owned: Vec::new(),
        }
    }
}

/// A shell's bookkeeping, read once.
pub(crate) struct Session {
    state_dir: PathBuf,
    previous: Marker<'static>,
    /// The previous marker's fingerprints can be checked: they were made under the current key.
    provable: bool,
    cleared: Vec<String>,
    originals: Originals,
    /// The hook's stamp for this shell, or why there is none.
    stamp: Option<std::result::Result<PathBuf, Error>>,
    /// The text of this shell's own store as it was read, so an unchanged store is not written
    /// again.
    on_disk: Option<String>,
    /// Only the hook of the shell that made the previous load may keep hand edits: in a new
    /// shell the marker was inherited, and a different value is the rc's, not an edit.
    keep_hand_edits: bool,
}

impl Session {
    /// The bookkeeping in `env`; `hook` for the prompt hook, which also keeps a stamp.
    pub(crate) fn from_env(
        state_dir: &Path,
        env: &dyn Fn(&str) -> Option<String>,
        hook: bool,
    ) -> Self {
        let previous = env(STATE_VAR)
            .and_then(|m| Marker::parse(&m))
            .unwrap_or_default();
        let provable = previous.managed.is_empty() || previous.key_is_current();
        let cleared = env(CLEARED_VAR)
            .map(|c| c.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default();
        let stamp = hook.then(|| stamp::path(state_dir, env));
        let on_disk = stamp
            .as_ref()
            .and_then(|s| s.as_ref().ok())
            .and_then(|p| originals::read(p));
        let originals = on_disk
            .as_deref()
            .and_then(originals::parse)
            .or_else(|| stamp::inherited(state_dir, &previous.store))
            .unwrap_or_default();
        Session {
            state_dir: state_dir.to_path_buf(),
            keep_hand_edits: hook && env(STAMP_VAR).is_some_and(|s| !s.is_empty()),
            previous,
            provable,
            cleared,
            originals,
            stamp,
            on_disk,
        }
    }

    /// The notices' fingerprint the shell last said, so a notice is said once per change.
    pub(crate) fn notices_said(&self) -> &str {
        &self.previous.notices
    }

    /// Whether hfenv set (or unset) this variable in the shell.
    pub(crate) fn manages(&self, name: &str) -> bool {
        self.previous.managed.contains_key(name)
    }

    /// The user's own value of a variable hfenv manages (what returns on leaving), `None`
    /// when it was unset.
    pub(crate) fn original(&self, name: &str) -> Option<String> {
        self.originals.get(name).cloned().flatten()
    }

    /// The user's own value of `name` in `env`: as it is, unless hfenv put it there — then
    /// the value it had before (a hand edit since makes it the user's again).
    pub(crate) fn user_value(
        &self,
        name: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Option<String> {
        let current = env(name);
        if !self.manages(name) || (self.provable && !self.owns(name, current.as_deref())) {
            return current;
        }
        self.original(name)
    }

    /// The token this shell already holds for the profile it had, while it still holds exactly
    /// what hfenv put there: `(profile, definition digest, token)`.
    pub(crate) fn held_token(
        &self,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Option<(String, String, String)> {
        let token = env("HF_TOKEN")?;
        (!self.previous.profile.is_empty() && self.owns("HF_TOKEN", Some(&token))).then(|| {
            (
                self.previous.profile.clone(),
                self.previous.digest.clone(),
                token,
            )
        })
    }

    fn owns(&self, name: &str, current: Option<&str>) -> bool {
        self.previous.owns(name, current) || self.cleared.iter().any(|c| c == name)
    }

    /// The stamp could not be made (state directory unwritable): said as a notice.
    pub(crate) fn stamp_problem(&self) -> Option<&Error> {
        self.stamp.as_ref().and_then(|s| s.as_ref().err())
    }

    /// Dates a reference file per watched path (see [`stamp::write_refs`]).
    pub(crate) fn refs(&self, times: &[Option<SystemTime>]) -> Vec<Option<PathBuf>> {
        match self.stamp() {
            Some(path) => stamp::write_refs(path, times),
            None => vec![None; times.len()],
        }
    }

    pub(crate) fn stamp(&self) -> Option<&Path> {
        self.stamp.as_ref().and_then(|s| s.as_deref().ok())
    }

    /// The transition from what `env` holds to `wanted`; `notices` is the fingerprint of the
    /// notices said with it. Records in the store what to give back later.
    pub(crate) fn transition<'a>(
        &mut self,
        wanted: &'a Wanted,
        env: &dyn Fn(&str) -> Option<String>,
        notices: &str,
    ) -> Transition<'a> {
        let mut changes = Vec::with_capacity(wanted.vars.len() + self.previous.managed.len() + 3);
        let mut marker = Marker {
            key: keyed::check(),
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
            store: self.previous.store.clone(),
            managed: Managed::with_capacity(wanted.vars.len()),
        };
        for (name, var) in wanted.vars.iter() {
            let value = var.value.as_deref();
            let current = env(name);
            let wanted_print = value_print(value);
            match self.previous.managed.get(name) {
                // Changed by hand since hfenv set it, provably.
                Some(before)
                    if self.provable
                        && !self.cleared.iter().any(|c| c == name)
                        && *before != value_print(current.as_deref()) =>
                {
                    if self.keep_hand_edits && *before == wanted_print {
                        // hfenv still wants what it set before: a reload (a touched file,
                        // another prompt) must not take the user's value away.
                        marker
                            .managed
                            .insert(Cow::Borrowed(name.as_ref()), wanted_print);
                        continue;
                    }
                    // The hand-made value becomes the one to return to.
                    self.remember(name, current.clone());
                }
                // hfenv's own value (or unprovable, which counts as hfenv's).
                Some(_) => {}
                // Nothing to remember for a variable that was unset.
                None if current.is_none() => {}
                None => self.remember(name, current.clone()),
            }
            if current.as_deref() != value {
                changes.push(match value {
                    Some(v) => Change::Set(Cow::Borrowed(name), Cow::Borrowed(v)),
                    None => Change::Unset(Cow::Borrowed(name)),
                });
            }
            marker
                .managed
                .insert(Cow::Borrowed(name.as_ref()), wanted_print);
        }
        for (name, _) in self.previous.managed.iter() {
            if wanted.vars.contains_key(name.as_ref()) {
                continue;
            }
            let current = env(name);
            let theirs = self.provable && !self.owns(name, current.as_deref());
            let earlier = self.originals.remove(name.as_ref());
            if theirs {
                // Changed by hand: the user's value stays.
                continue;
            }
            let name = Cow::Owned(name.to_string());
            match earlier {
                Some(Some(value)) if current.as_deref() != Some(value.as_str()) => {
                    changes.push(Change::Set(name, Cow::Owned(value)))
                }
                Some(Some(_)) => {}
                _ if current.is_some() => changes.push(Change::Unset(name)),
                _ => {}
            }
        }
        path_changes(wanted, env, &mut changes);
        let owned = marker
            .managed
            .iter()
            .filter(|(_, print)| print.is_set())
            .map(|(name, _)| name.clone())
            .collect();
        if let Some(name) = self.stamp().and_then(Path::file_name) {
            marker.store = name.to_string_lossy().into_owned();
        }
        changes.push(Change::Set(STATE_VAR.into(), marker.render().into()));
        Transition { changes, owned }
    }

    /// Records the value a variable had before hfenv first changed it. Only values are kept: a
    /// variable that was unset is unset again on restore, which is what a missing entry means.
    fn remember(&mut self, name: &str, current: Option<String>) {
        match current {
            Some(value) => {
                self.originals.insert(name.to_string(), Some(value));
            }
            None => {
                self.originals.remove(name);
            }
        }
    }

    /// Writes this shell's store (the hook only).
    pub(crate) fn save(&self) -> crate::error::Result<()> {
        let Some(path) = self.stamp() else {
            return Ok(());
        };
        stamp::save(path, &self.originals, self.on_disk.as_deref())?;
        stamp::prune(&self.state_dir, path, &self.previous.store);
        Ok(())
    }
}

/// The user's own value of `name`: the environment's, unless hfenv put it there (from a
/// profile or a `.env`), in which case the value it had before hfenv changed it, if any. Where
/// a token is sent is decided from this, never from a value a repository's `.env` set.
pub(crate) fn user_env(name: &str) -> Option<String> {
    user_env_reader(&crate::paths::process_env)(name)
}

/// What a program hfenv starts for the user (`hf auth login`) must see instead of this
/// environment: each variable hfenv set, as the user had it (`None`: unset). A repository's
/// `.env` never chooses where such a program sends a login, nor which program runs.
pub(crate) fn user_environment(
    env: &dyn Fn(&str) -> Option<String>,
) -> Vec<(String, Option<String>)> {
    let Ok(state_dir) = crate::state::dir() else {
        return Vec::new();
    };
    let session = Session::from_env(&state_dir, env, false);
    session
        .previous
        .managed
        .iter()
        .map(|(name, _)| (name.to_string(), session.user_value(name, env)))
        .collect()
}

/// [`user_env`] for many lookups: the session is read once.
pub(crate) fn user_env_reader<'a>(
    env: &'a dyn Fn(&str) -> Option<String>,
) -> impl Fn(&str) -> Option<String> + 'a {
    let session = crate::state::dir()
        .ok()
        .map(|d| Session::from_env(&d, env, false));
    move |name: &str| match &session {
        Some(s) => s.user_value(name, env),
        None => env(name),
    }
}

/// PATH is edited entry by entry: entries hfenv added and no longer wants are removed once,
/// everything the user added in between stays.
fn path_changes(wanted: &Wanted, env: &dyn Fn(&str) -> Option<String>, out: &mut Vec<Change<'_>>) {
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
        out.push(Change::Set("PATH".into(), new_path.into()));
    }
    if added_now.is_empty() {
        out.push(Change::Unset(PATH_VAR.into()));
    } else {
        out.push(Change::Set(PATH_VAR.into(), added_now.join(":").into()));
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    use super::*;
    use crate::wanted::{Origin, Var};

    const PERSONAL: &str = "hf_personal_personal_1";
    const WORK: &str = "hf_work_work_work_work_2";
    const MINE: &str = "hf_mine_by_hand_3333333";

    /// One transition: the shell's bookkeeping and environment, what is wanted, and what must
    /// come out. A value of `None` is an unset variable (or, in `changes`, an `Unset`).
    struct Case {
        what: &'static str,
        /// What the previous marker says hfenv set.
        marked: &'static [(&'static str, Option<&'static str>)],
        /// The store's values to give back.
        originals: &'static [(&'static str, &'static str)],
        /// The marker was made under a key that is gone: nothing in it is provable.
        lost_key: bool,
        /// Names the hook cleared itself while hfenv could not run.
        cleared: &'static [&'static str],
        /// This shell's hook made the previous load (not a marker inherited by a new shell).
        same_shell: bool,
        env: &'static [(&'static str, &'static str)],
        wanted: &'static [(&'static str, Option<&'static str>)],
        path_prepend: &'static [&'static str],
        /// The changes before the marker, which always comes last.
        changes: &'static [(&'static str, Option<&'static str>)],
        /// What hfenv has set afterwards (the hook clears these when hfenv cannot run).
        owned: &'static [&'static str],
        /// The store afterwards: what leaving gives back.
        originals_after: &'static [(&'static str, &'static str)],
    }

    const BASE: Case = Case {
        what: "",
        marked: &[],
        originals: &[],
        lost_key: false,
        cleared: &[],
        same_shell: true,
        env: &[],
        wanted: &[],
        path_prepend: &[],
        changes: &[],
        owned: &[],
        originals_after: &[],
    };

    const MARKED_WORK: &[(&str, Option<&str>)] =
        &[("HFENV_PROFILE", Some("work")), ("HF_TOKEN", Some(WORK))];

    fn session(case: &Case) -> Session {
        let mut previous = Marker {
            key: if case.lost_key {
                "dead".into()
            } else {
                keyed::check()
            },
            ..Marker::default()
        };
        for (k, v) in case.marked {
            previous
                .managed
                .insert(Cow::Owned(k.to_string()), value_print(*v));
        }
        Session {
            state_dir: PathBuf::from("/nonexistent"),
            provable: !case.lost_key,
            previous,
            cleared: case.cleared.iter().map(|c| c.to_string()).collect(),
            originals: case
                .originals
                .iter()
                .map(|(k, v)| (k.to_string(), Some(v.to_string())))
                .collect(),
            stamp: None,
            on_disk: None,
            keep_hand_edits: case.same_shell,
        }
    }

    type Outcome = (
        Vec<(String, Option<String>)>,
        Vec<String>,
        Vec<(String, String)>,
    );

    fn run(case: &Case) -> Outcome {
        let env: BTreeMap<&str, &str> = case.env.iter().copied().collect();
        let lookup = |k: &str| env.get(k).map(|v| v.to_string());
        let mut wanted = Wanted::default();
        for (k, v) in case.wanted {
            let var = Var {
                value: v.map(|v| v.to_string().into()),
                origin: Origin::Profile,
            };
            wanted.vars.insert(k.to_string(), var);
        }
        wanted.path_prepend = case.path_prepend.iter().map(PathBuf::from).collect();
        let mut s = session(case);
        let t = s.transition(&wanted, &lookup, "");
        let (last, changes) = t.changes.split_last().expect("the marker comes last");
        assert!(
            matches!(last, Change::Set(n, _) if n == STATE_VAR),
            "{}",
            case.what
        );
        let changes = changes
            .iter()
            .map(|c| match c {
                Change::Set(n, v) => (n.to_string(), Some(v.to_string())),
                Change::Unset(n) => (n.to_string(), None),
            })
            .collect();
        let originals = s
            .originals
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.clone()?)))
            .collect();
        let owned = t.owned.iter().map(|n| n.to_string()).collect();
        (changes, owned, originals)
    }

    #[test]
    fn transition_table() {
        let cases = [
            Case {
                what: "entering: the profile's values set, the user's token kept to give back",
                env: &[("HF_TOKEN", PERSONAL)],
                wanted: &[("HFENV_PROFILE", Some("work")), ("HF_TOKEN", Some(WORK))],
                changes: &[("HFENV_PROFILE", Some("work")), ("HF_TOKEN", Some(WORK))],
                owned: &["HFENV_PROFILE", "HF_TOKEN"],
                originals_after: &[("HF_TOKEN", PERSONAL)],
                ..BASE
            },
            Case {
                what: "entering where the shell already holds the value: nothing to do but record it",
                env: &[("HF_TOKEN", WORK)],
                wanted: &[("HF_TOKEN", Some(WORK))],
                owned: &["HF_TOKEN"],
                originals_after: &[("HF_TOKEN", WORK)],
                ..BASE
            },
            Case {
                what: "a token that cannot be had is unset, never left behind",
                env: &[("HF_TOKEN", PERSONAL)],
                wanted: &[("HF_TOKEN", None)],
                changes: &[("HF_TOKEN", None)],
                originals_after: &[("HF_TOKEN", PERSONAL)],
                ..BASE
            },
            Case {
                what: "staying: nothing changes but the marker",
                marked: MARKED_WORK,
                originals: &[("HF_TOKEN", PERSONAL)],
                env: &[("HF_TOKEN", WORK), ("HFENV_PROFILE", "work")],
                wanted: MARKED_WORK,
                owned: &["HFENV_PROFILE", "HF_TOKEN"],
                originals_after: &[("HF_TOKEN", PERSONAL)],
                ..BASE
            },
            Case {
                what: "leaving: the user's token comes back, hfenv's own variable goes",
                marked: MARKED_WORK,
                originals: &[("HF_TOKEN", PERSONAL)],
                env: &[("HF_TOKEN", WORK), ("HFENV_PROFILE", "work")],
                changes: &[("HFENV_PROFILE", None), ("HF_TOKEN", Some(PERSONAL))],
                ..BASE
            },
            Case {
                what: "switching profiles keeps the user's value to give back later",
                marked: MARKED_WORK,
                originals: &[("HF_TOKEN", PERSONAL)],
                env: &[("HF_TOKEN", WORK), ("HFENV_PROFILE", "work")],
                wanted: &[("HFENV_PROFILE", Some("ci")), ("HF_TOKEN", Some("hf_ci_ci_ci_ci_ci_ci_4"))],
                changes: &[("HFENV_PROFILE", Some("ci")), ("HF_TOKEN", Some("hf_ci_ci_ci_ci_ci_ci_4"))],
                owned: &["HFENV_PROFILE", "HF_TOKEN"],
                originals_after: &[("HF_TOKEN", PERSONAL)],
                ..BASE
            },
            Case {
                what: "a value changed by hand, provably, stays on leaving",
                marked: MARKED_WORK,
                originals: &[("HF_TOKEN", PERSONAL)],
                env: &[("HF_TOKEN", MINE), ("HFENV_PROFILE", "work")],
                changes: &[("HFENV_PROFILE", None)],
                ..BASE
            },
            Case {
                what: "a variable unset by hand stays unset on leaving",
                marked: MARKED_WORK,
                originals: &[("HF_TOKEN", PERSONAL)],
                env: &[("HFENV_PROFILE", "work")],
                changes: &[("HFENV_PROFILE", None)],
                ..BASE
            },
            Case {
                what: "a hand edit survives a reload that wants what hfenv set before",
                marked: MARKED_WORK,
                originals: &[("HF_TOKEN", PERSONAL)],
                env: &[("HF_TOKEN", MINE), ("HFENV_PROFILE", "work")],
                wanted: MARKED_WORK,
                owned: &["HFENV_PROFILE", "HF_TOKEN"],
                originals_after: &[("HF_TOKEN", PERSONAL)],
                ..BASE
            },
            Case {
                what: "a hand edit becomes the value to return to when hfenv wants another",
                marked: MARKED_WORK,
                originals: &[("HF_TOKEN", PERSONAL)],
                env: &[("HF_TOKEN", MINE), ("HFENV_PROFILE", "work")],
                wanted: &[("HFENV_PROFILE", Some("ci")), ("HF_TOKEN", Some("hf_ci_ci_ci_ci_ci_ci_4"))],
                changes: &[("HFENV_PROFILE", Some("ci")), ("HF_TOKEN", Some("hf_ci_ci_ci_ci_ci_ci_4"))],
                owned: &["HFENV_PROFILE", "HF_TOKEN"],
                originals_after: &[("HF_TOKEN", MINE)],
                ..BASE
            },
            Case {
                what: "in a new shell an inherited marker keeps no hand edits: the rc's value is the user's",
                marked: MARKED_WORK,
                same_shell: false,
                env: &[("HF_TOKEN", MINE), ("HFENV_PROFILE", "work")],
                wanted: MARKED_WORK,
                changes: &[("HF_TOKEN", Some(WORK))],
                owned: &["HFENV_PROFILE", "HF_TOKEN"],
                originals_after: &[("HF_TOKEN", MINE)],
                ..BASE
            },
            Case {
                what: "lost bookkeeping counts as hfenv's: the same value goes, the store's comes back",
                marked: MARKED_WORK,
                originals: &[("HF_TOKEN", PERSONAL)],
                lost_key: true,
                env: &[("HF_TOKEN", MINE), ("HFENV_PROFILE", "work")],
                changes: &[("HFENV_PROFILE", None), ("HF_TOKEN", Some(PERSONAL))],
                ..BASE
            },
            Case {
                what: "lost bookkeeping and no store: unset, never kept",
                marked: MARKED_WORK,
                lost_key: true,
                env: &[("HF_TOKEN", WORK), ("HFENV_PROFILE", "work")],
                changes: &[("HFENV_PROFILE", None), ("HF_TOKEN", None)],
                ..BASE
            },
            Case {
                what: "lost bookkeeping while staying: hfenv's value is set again over an unprovable one",
                marked: MARKED_WORK,
                lost_key: true,
                env: &[("HF_TOKEN", MINE), ("HFENV_PROFILE", "work")],
                wanted: MARKED_WORK,
                changes: &[("HF_TOKEN", Some(WORK))],
                owned: &["HFENV_PROFILE", "HF_TOKEN"],
                ..BASE
            },
            Case {
                what: "names the hook cleared while hfenv could not run are hfenv's: the user's come back",
                marked: MARKED_WORK,
                originals: &[("HF_TOKEN", PERSONAL)],
                cleared: &["HF_TOKEN", "HFENV_PROFILE"],
                changes: &[("HF_TOKEN", Some(PERSONAL))],
                ..BASE
            },
            Case {
                what: "a cleared name wanted again is set again, the user's value kept",
                marked: MARKED_WORK,
                originals: &[("HF_TOKEN", PERSONAL)],
                cleared: &["HF_TOKEN", "HFENV_PROFILE"],
                wanted: MARKED_WORK,
                changes: &[("HFENV_PROFILE", Some("work")), ("HF_TOKEN", Some(WORK))],
                owned: &["HFENV_PROFILE", "HF_TOKEN"],
                originals_after: &[("HF_TOKEN", PERSONAL)],
                ..BASE
            },
            Case {
                what: "PATH: a recorded directory is appended, never put in front",
                env: &[("PATH", "/usr/bin:/bin")],
                path_prepend: &["/home/u/.local/bin"],
                changes: &[
                    ("PATH", Some("/usr/bin:/bin:/home/u/.local/bin")),
                    ("__HFENV_PATH", Some("/home/u/.local/bin")),
                ],
                ..BASE
            },
            Case {
                what: "PATH: what hfenv added goes once it is no longer wanted; the user's own entries stay",
                env: &[
                    ("PATH", "/usr/bin:/home/u/.local/bin:/mine"),
                    ("__HFENV_PATH", "/home/u/.local/bin"),
                ],
                changes: &[("PATH", Some("/usr/bin:/mine")), ("__HFENV_PATH", None)],
                ..BASE
            },
        ];
        let mut failed = Vec::new();
        for case in &cases {
            let got = run(case);
            let want: Outcome = (
                case.changes
                    .iter()
                    .map(|(n, v)| (n.to_string(), v.map(str::to_string)))
                    .collect(),
                case.owned.iter().map(|n| n.to_string()).collect(),
                case.originals_after
                    .iter()
                    .map(|(n, v)| (n.to_string(), v.to_string()))
                    .collect(),
            );
            if got != want {
                failed.push(format!(
                    "{}:\n  changes {:?}\n  owned {:?}\n  originals {:?}",
                    case.what, got.0, got.1, got.2
                ));
            }
        }
        assert!(failed.is_empty(), "{}", failed.join("\n"));
    }
}

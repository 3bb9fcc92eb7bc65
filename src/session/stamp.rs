//! Per-shell stamps under the state directory's `shells/`: a stamp's mtime dates the shell's
//! last load (the hook compares watched files against it), its content is the shell's store of
//! values to restore. A store is named after its shell's process (`PID-NANOS`) and removed
//! once that process is gone: a copy of the user's token is kept only while a shell can use it.

use std::fs;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::originals::{self, Originals};
use super::{SHELL_PID_VAR, STAMP_VAR};
use crate::error::{io_error, Result};

const SHELLS_DIR: &str = "shells";
/// How far back a stamp is dated. File times come from a coarse kernel clock; dating the stamp
/// before the moment we read our inputs guarantees that any later edit looks newer, at the
/// cost of one extra export after files that changed within this window.
const STAMP_MARGIN: Duration = Duration::from_secs(1);
/// Stores whose shell cannot be told (no pid in the name) and spilled markers go after this.
const MAX_AGE: Duration = Duration::from_secs(30 * 24 * 3600);

/// This shell's stamp: the one the hook handed back, or a new one.
pub(super) fn path(state_dir: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<PathBuf> {
    let shells = state_dir.join(SHELLS_DIR);
    // A wiped state directory is recreated for the shell.
    crate::files::private_dir(&shells)?;
    if let Some(p) = env(STAMP_VAR).filter(|p| !p.is_empty()).map(PathBuf::from) {
        if p.parent() == Some(shells.as_path()) {
            return Ok(p);
        }
    }
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    let pid = env(SHELL_PID_VAR)
        .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or_else(|| "0".into());
    Ok(shells.join(format!("{pid}-{nanos}")))
}

/// The values to restore recorded by the shell named in the marker (read only).
pub(super) fn inherited(state_dir: &Path, store: &str) -> Option<Originals> {
    // A name, never a path: the marker comes from the environment.
    if store.is_empty() || store.contains('/') || store.starts_with('.') {
        return None;
    }
    originals::load(&state_dir.join(SHELLS_DIR).join(store))
}

pub(super) fn save(stamp: &Path, originals: &Originals, started: SystemTime) -> Result<()> {
    originals::store(stamp, originals).map_err(|e| io_error("write", stamp, e))?;
    let file = fs::OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(stamp)
        .map_err(|e| io_error("write the stamp", stamp, e))?;
    file.set_modified(started - STAMP_MARGIN)
        .map_err(|e| io_error("date the stamp", stamp, e))
}

/// Removes stores no shell can use any more: their shell is gone, or it was replaced by
/// `exec` (same pid as this one's, but not this one's), or they are older than [`MAX_AGE`].
pub(super) fn prune(state_dir: &Path, own: &Path, inherited: &str) {
    let shells = state_dir.join(SHELLS_DIR);
    let own_pid = pid_of(own.file_name().and_then(|n| n.to_str()).unwrap_or(""));
    let Ok(entries) = fs::read_dir(&shells) else {
        return;
    };
    let cutoff = SystemTime::now() - MAX_AGE;
    for entry in entries.flatten() {
        let path = entry.path();
        if path == own {
            continue;
        }
        let name = entry.file_name();
        let name = name.to_str().unwrap_or("");
        let gone = match pid_of(name) {
            Some(pid) => !alive(pid) || (Some(pid) == own_pid && name == inherited),
            None => entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|m| m < cutoff),
        };
        if gone {
            let _ = fs::remove_file(path);
        }
    }
    let spills = state_dir.join(super::marker::SPILL_DIR);
    if let Ok(entries) = fs::read_dir(spills) {
        for e in entries.flatten() {
            if e.metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|m| m < cutoff)
            {
                let _ = fs::remove_file(e.path());
            }
        }
    }
}

fn pid_of(name: &str) -> Option<libc::pid_t> {
    let (pid, _) = name.split_once('-')?;
    pid.parse().ok().filter(|p| *p > 0)
}

fn alive(pid: libc::pid_t) -> bool {
    // SAFETY: signal 0 only asks whether the process exists; nothing is sent.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

//! Per-shell stamps under the state directory's `shells/`: a stamp's presence tells the hook
//! its bookkeeping is there (fish also reads the clock from its age), its content is the
//! shell's store of values to restore, written only when it changes. What the hook compares
//! watched files against is their references in `refs/` ([`write_refs`]). A store is named after its shell's process (`PID-NANOS`) and removed
//! once that process is gone: a copy of the user's token is kept only while a shell can use it.

use std::fs;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::originals::{self, Originals};
use super::{SHELL_PID_VAR, STAMP_VAR};
use crate::error::{io_error, Result};

const SHELLS_DIR: &str = "shells";
/// The hook's reference files, named after their shell's store (`PID-NANOS.N`).
const REFS_DIR: &str = "refs";
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

pub(super) fn save(stamp: &Path, originals: &Originals, on_disk: Option<&str>) -> Result<()> {
    originals::store(stamp, originals, on_disk).map_err(|e| io_error("write", stamp, e))
}

/// The kernel's coarse real-time clock: the one file times are taken from.
pub(crate) fn coarse_now() -> SystemTime {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec to write into.
    unsafe { libc::clock_gettime(libc::CLOCK_REALTIME_COARSE, &mut ts) };
    SystemTime::UNIX_EPOCH
        + Duration::new(
            ts.tv_sec.max(0) as u64,
            ts.tv_nsec.clamp(0, 999_999_999) as u32,
        )
}

/// One reference file per watched path, dated exactly as that path was when the answer was
/// made (`stamp.1`, `stamp.2`, …): the hook compares each path with its reference for being
/// newer *or* older, so an edit, a removal and a file renamed into place (which keeps its old
/// time) are all seen, and nothing else is. `None` for a time that cannot be trusted (changed
/// within the clock's tick): the hook then asks again at the next prompt.
pub(super) fn write_refs(stamp: &Path, times: &[Option<SystemTime>]) -> Vec<Option<PathBuf>> {
    let mut refs = Vec::with_capacity(times.len());
    let (Some(shells), Some(own)) = (stamp.parent(), stamp.file_name()) else {
        return vec![None; times.len()];
    };
    // Beside the stores, not among them: `shells/` holds exactly one file per live shell.
    let dir = shells.with_file_name(REFS_DIR);
    if crate::files::private_dir(&dir).is_err() {
        return vec![None; times.len()];
    }
    let name = |i: usize| {
        let mut p = own.to_os_string();
        p.push(format!(".{i}"));
        dir.join(p)
    };
    for (i, t) in times.iter().enumerate() {
        let path = name(i + 1);
        let dated = t.and_then(|t| date(&path, t).ok().map(|()| path.clone()));
        if dated.is_none() {
            let _ = fs::remove_file(&path);
        }
        refs.push(dated);
    }
    // References left from a longer list.
    let mut i = times.len() + 1;
    while fs::remove_file(name(i)).is_ok() {
        i += 1;
    }
    refs
}

fn date(path: &Path, t: SystemTime) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let since = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_err(|_| std::io::Error::other("before 1970"))?;
    let times = [
        libc::timespec {
            tv_sec: 0,
            tv_nsec: libc::UTIME_OMIT,
        },
        libc::timespec {
            tv_sec: since.as_secs() as libc::time_t,
            tv_nsec: since.subsec_nanos() as _,
        },
    ];
    // A reference already dated so (the same file read again) is left alone: dating it again
    // rewrites its inode, a journal write, for nothing.
    if fs::symlink_metadata(path)
        .is_ok_and(|m| m.file_type().is_file() && m.modified().ok() == Some(t))
    {
        return Ok(());
    }
    let c = std::ffi::CString::new(path.as_os_str().as_bytes())?;
    let set = |c: &std::ffi::CString| {
        // SAFETY: a valid C string and two timespecs.
        let rc = unsafe {
            libc::utimensat(
                libc::AT_FDCWD,
                c.as_ptr(),
                times.as_ptr(),
                libc::AT_SYMLINK_NOFOLLOW,
            )
        };
        if rc == 0 {
            Ok(())
        } else {
            Err(std::io::Error::last_os_error())
        }
    };
    match set(&c) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fs::OpenOptions::new()
                .write(true)
                .create(true)
                .mode(0o600)
                .custom_flags(libc::O_NOFOLLOW)
                .open(path)?;
            set(&c)
        }
        other => other,
    }
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
    // A shell's reference files go with its store.
    if let Ok(entries) = fs::read_dir(state_dir.join(REFS_DIR)) {
        let own = own.file_name().and_then(|n| n.to_str()).unwrap_or("");
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_str().unwrap_or("");
            let store = name.rsplit_once('.').map_or(name, |(s, _)| s);
            if store != own && !shells.join(store).exists() {
                let _ = fs::remove_file(entry.path());
            }
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

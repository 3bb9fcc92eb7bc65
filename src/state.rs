//! State that is not configuration: the global profile choice, trusted and denied files, PATH
//! additions from `doctor --fix`, and per-shell stamps. Lives under `$XDG_STATE_HOME/hfenv`.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{io_error, Result};
use crate::files::{self, write_private};
use crate::paths;
use crate::token::sha256_hex;

pub(crate) fn dir() -> Result<PathBuf> {
    paths::state_dir()
}

pub(crate) fn ensure_dir() -> Result<PathBuf> {
    let dir = dir()?;
    files::private_dir(&dir)?;
    Ok(dir)
}

pub(crate) fn global_file(state: &Path) -> PathBuf {
    state.join("global")
}
pub(crate) fn allow_dir(state: &Path) -> PathBuf {
    state.join("allow")
}
pub(crate) fn deny_dir(state: &Path) -> PathBuf {
    state.join("deny")
}
pub(crate) fn path_fix_file(state: &Path) -> PathBuf {
    state.join("path")
}

/// The most hfenv reads of one of its own small state files.
const OWN_FILE: u64 = 64 << 10;

/// One of hfenv's own small state files: never a link, never a FIFO, bounded.
fn own_text(path: &Path) -> Option<String> {
    files::read_bounded_string(path, OWN_FILE, files::Links::Refuse).ok()
}

pub(crate) fn global_profile(state: &Path) -> Option<String> {
    let text = own_text(&global_file(state))?;
    let name = text.trim();
    (!name.is_empty()).then(|| name.to_string())
}

pub(crate) fn set_global_profile(name: Option<&str>) -> Result<()> {
    let state = ensure_dir()?;
    let file = global_file(&state);
    match name {
        Some(n) => write_private(&file, format!("{n}\n").as_bytes()),
        None => match fs::remove_file(&file) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_error("remove", &file, e)),
        },
    }
}

/// direnv's scheme: the path is part of the hash, so a file trusted in one place is not trusted
/// when copied elsewhere, and any edit needs a new `allow`.
pub(crate) fn content_key(path: &Path, content: &[u8]) -> String {
    crate::token::sha256_hex_of(&[path.as_os_str().as_encoded_bytes(), b"\n", content])
}

fn path_key(path: &Path) -> String {
    let mut data = path.as_os_str().as_encoded_bytes().to_vec();
    data.push(b'\n');
    sha256_hex(&data)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trust {
    Allowed,
    Blocked,
    Denied,
}

pub(crate) fn trust(state: &Path, path: &Path, content: &[u8]) -> Trust {
    let allow = allow_dir(state);
    if deny_dir(state).join(path_key(path)).exists() {
        Trust::Denied
    } else if users_own(&allow, true) && users_own(&allow.join(content_key(path, content)), false) {
        Trust::Allowed
    } else {
        Trust::Blocked
    }
}

/// An approval counts only when the user made it: the record a regular file (not a link), it
/// and its directory the user's and writable by no one else. A state directory others can
/// write to (a shared `XDG_STATE_HOME`, a link into `/tmp`) must not let them allow a `.env`
/// for the user.
fn users_own(path: &Path, dir: bool) -> bool {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    let meta = if dir {
        fs::metadata(path)
    } else {
        fs::symlink_metadata(path)
    };
    meta.is_ok_and(|m| {
        let kind = if dir {
            m.file_type().is_dir()
        } else {
            m.file_type().is_file()
        };
        kind && m.uid() == me && m.mode() & 0o022 == 0
    })
}

pub(crate) fn allow(path: &Path, content: &[u8]) -> Result<()> {
    let state = ensure_dir()?;
    let allow = allow_dir(&state);
    files::private_dir(&allow)?;
    forget_allowed(&allow, path)?;
    let _ = fs::remove_file(deny_dir(&state).join(path_key(path)));
    write_private(
        &allow.join(content_key(path, content)),
        path.as_os_str().as_encoded_bytes(),
    )
}

pub(crate) fn deny(path: &Path) -> Result<()> {
    let state = ensure_dir()?;
    forget_allowed(&allow_dir(&state), path)?;
    let deny = deny_dir(&state);
    files::private_dir(&deny)?;
    write_private(
        &deny.join(path_key(path)),
        path.as_os_str().as_encoded_bytes(),
    )
}

/// Whether `path` was allowed with other content: it was edited since (an approval names its
/// path; the same content would have matched in `trust`).
pub(crate) fn was_allowed(state: &Path, path: &Path) -> bool {
    let Ok(entries) = fs::read_dir(allow_dir(state)) else {
        return false;
    };
    let wanted = path.as_os_str().as_encoded_bytes();
    entries.flatten().any(|entry| {
        crate::files::read_bounded(&entry.path(), 64 << 10, crate::files::Links::Refuse)
            .is_ok_and(|c| c == wanted)
    })
}

/// Older approvals of the same path are dropped so the allow directory does not grow with
/// every edit.
fn forget_allowed(allow: &Path, path: &Path) -> Result<()> {
    let Ok(entries) = fs::read_dir(allow) else {
        return Ok(());
    };
    let wanted = path.as_os_str().as_encoded_bytes();
    for entry in entries.flatten() {
        if files::read_bounded(&entry.path(), OWN_FILE, files::Links::Refuse)
            .is_ok_and(|c| c == wanted)
        {
            let _ = fs::remove_file(entry.path());
        }
    }
    Ok(())
}

/// Directories `doctor --fix` recorded for the hook to put on PATH, in order.
pub(crate) fn path_additions(state: &Path) -> Vec<PathBuf> {
    own_text(&path_fix_file(state))
        .map(|t| {
            t.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(PathBuf::from)
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) fn add_path_addition(dir: &Path) -> Result<bool> {
    let state = ensure_dir()?;
    let mut dirs = path_additions(&state);
    if dirs.iter().any(|d| d == dir) {
        return Ok(false);
    }
    dirs.push(dir.to_path_buf());
    let text: String = dirs.iter().map(|d| format!("{}\n", d.display())).collect();
    write_private(&path_fix_file(&state), text.as_bytes())?;
    Ok(true)
}

/// Forgets a directory `doctor --fix` recorded (it no longer meets the rule in `userpath`).
pub(crate) fn remove_path_addition(dir: &Path) -> Result<()> {
    let state = ensure_dir()?;
    let mut dirs = path_additions(&state);
    dirs.retain(|d| d != dir);
    let text: String = dirs.iter().map(|d| format!("{}\n", d.display())).collect();
    write_private(&path_fix_file(&state), text.as_bytes())
}

/// What trust is keyed by: the file's place (its directory resolved, so reaching it through a
/// symlinked directory needs no second `allow`) and, when the file itself is a link, where it
/// leads. Trust given to one `.env` link never covers another link to the same target.
pub(crate) fn trust_path(path: &Path) -> PathBuf {
    trust_key(path).0
}

/// The trust key of `path` and the file it names (the link's resolved target, or the file at
/// its place), resolved once.
fn trust_key(path: &Path) -> (PathBuf, PathBuf, bool) {
    let placed = match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => files::real_path(dir)
            .map(|d| d.join(name))
            .unwrap_or_else(|_| path.to_path_buf()),
        _ => path.to_path_buf(),
    };
    match link_target(path) {
        Some(target) => {
            let mut key = placed.into_os_string();
            key.push(" -> ");
            key.push(&target);
            (PathBuf::from(key), target, true)
        }
        None => (placed.clone(), placed, false),
    }
}

/// Where a `.env` that is a symlink leads (resolved), or `None` when it is not a link.
pub(crate) fn link_target(path: &Path) -> Option<PathBuf> {
    let meta = fs::symlink_metadata(path).ok()?;
    if !meta.file_type().is_symlink() {
        return None;
    }
    Some(files::real_path(path).unwrap_or_else(|_| fs::read_link(path).unwrap_or_default()))
}

/// A `.env` as trust sees it: the key it is trusted under and the bytes it holds, both of one
/// file.
pub(crate) struct TrustedRead {
    /// [`trust_path`]'s key: the place, and where a link led.
    pub key: PathBuf,
    /// Where the link led, when the file is one.
    pub target: Option<PathBuf>,
    pub content: Vec<u8>,
}

/// Reads a `.env` for trust without a window between checking and reading: the file is opened
/// once (non-blocking, a link followed, see [`files::open_regular`]); the link is then resolved
/// for the key, and the file the key names must be the opened one (same device and inode), or
/// the read is refused; the content is what was read from that descriptor. A repository that
/// swaps its link while hfenv reads it gets a refusal, never one target's bytes under another
/// target's trust.
pub(crate) fn read_for_trust(path: &Path, limit: u64) -> std::result::Result<TrustedRead, String> {
    use std::os::unix::fs::MetadataExt;
    let (file, opened) =
        files::open_regular(path, limit, files::Links::Follow).map_err(|e| e.to_string())?;
    let (key, named, is_link) = trust_key(path);
    let same =
        fs::metadata(&named).is_ok_and(|m| m.dev() == opened.dev() && m.ino() == opened.ino());
    if !same {
        return Err("it changed while it was read (its link was moved)".into());
    }
    let content = files::read_opened(file, limit, opened.len()).map_err(|e| e.to_string())?;
    Ok(TrustedRead {
        key,
        target: is_link.then_some(named),
        content,
    })
}

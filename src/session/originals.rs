//! The values variables had before hfenv changed them, kept per shell in that shell's stamp
//! file under the state directory (0600), never in the environment. The exported marker only
//! names the file, so a shell started from this one (`exec bash`, a subshell, a tmux pane)
//! starts from the same values and can still give the user's own `HF_TOKEN` back on leaving;
//! it then writes its own file, so neither shell disturbs the other.

use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Name → value before hfenv touched it (`None`: it was unset).
pub(super) type Originals = BTreeMap<String, Option<String>>;

pub(super) fn load(path: &Path) -> Option<Originals> {
    let limit = crate::files::SMALL * 4;
    let text = crate::files::read_bounded_string(path, limit, crate::files::Links::Refuse).ok()?;
    if text.is_empty() {
        return None;
    }
    serde_json::from_str(&text).ok()
}

/// Writes the file in place (it is this shell's own), private to the user.
pub(super) fn store(path: &Path, originals: &Originals) -> std::io::Result<()> {
    // In place, not renamed: the file's mtime is the stamp the hook compares against, and it is
    // set right after. Never through a link.
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    file.write_all(
        serde_json::to_string(originals)
            .expect("strings serialize")
            .as_bytes(),
    )
}

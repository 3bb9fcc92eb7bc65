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
    parse(&read(path)?)
}

/// The store's text as it is on disk (compared by [`store`] before writing it again).
pub(super) fn read(path: &Path) -> Option<String> {
    let limit = crate::files::SMALL * 4;
    crate::files::read_bounded_string(path, limit, crate::files::Links::Refuse).ok()
}

pub(super) fn parse(text: &str) -> Option<Originals> {
    if text.is_empty() {
        return None;
    }
    serde_json::from_str(text).ok()
}

/// Writes the file in place (it is this shell's own), private to the user, unless it already
/// holds exactly this (`on_disk`: its text as read at the start).
pub(super) fn store(
    path: &Path,
    originals: &Originals,
    on_disk: Option<&str>,
) -> std::io::Result<()> {
    let text = serde_json::to_string(originals).expect("strings serialize");
    // Most exports leave the store as it was: on ext4 rewriting it (truncating a file to zero
    // and writing it again makes the file system flush it on close) costs more than the rest
    // of the export together.
    if on_disk == Some(text.as_str()) {
        return Ok(());
    }
    // Overwritten, then cut to length, not truncated first: a file truncated to zero and
    // written again is flushed to disk at close (ext4's `auto_da_alloc`). A reader racing the
    // write sees a torn store either way, which parses as none (as before). Never through a
    // link.
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    file.write_all(text.as_bytes())?;
    if file.metadata()?.len() > text.len() as u64 {
        file.set_len(text.len() as u64)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unchanged_store_is_not_written_and_a_shorter_one_leaves_no_tail() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store");
        let long: Originals = [
            (
                "HF_TOKEN".to_string(),
                Some("hf_user_own_value".to_string()),
            ),
            ("HF_HOME".to_string(), None),
        ]
        .into();
        store(&path, &long, None).unwrap();
        assert_eq!(load(&path), Some(long.clone()));
        // Dated far back: a rewrite would move the date.
        let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(old)
            .unwrap();
        let text = read(&path).unwrap();
        store(&path, &long, Some(&text)).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), old);
        let short: Originals = [("HF_HOME".to_string(), None)].into();
        store(&path, &short, Some(&text)).unwrap();
        assert_eq!(read(&path).unwrap(), r#"{"HF_HOME":null}"#);
        assert_eq!(load(&path), Some(short));
    }
}

//! The rules for every file hfenv reads or writes (threat model, rules 2 and 3), in one place.
//!
//! Reading: [`read_bounded`] opens without blocking (`O_NONBLOCK`: a FIFO never hangs a
//! prompt), without following a final symlink unless asked ([`Links`]), checks the *opened*
//! descriptor (`fstat`, so nothing can be swapped between a check and the open), accepts only
//! regular files and reads at most `limit + 1` bytes, so `/dev/zero` or a file growing under us
//! costs nothing.
//!
//! Writing: [`write_private`] and [`write_atomic`] put a temp file (0600, created exclusively)
//! next to the target, fsync it, rename it over the target and fsync the directory: a reader
//! sees the old file or the new one, never half of one. Temp files left by a killed writer are
//! removed by the next write of the same target, so a copy of a token never lingers.
//! [`private_dir`] creates missing directories 0700 and never changes the mode of one it did
//! not create.
//!
//! ```ignore
//! let text = files::read_bounded(&path, files::SMALL, Links::Refuse)?;   // a repository file
//! files::write_private(&state.join("global"), b"work\n")?;              // hfenv's own state
//! ```

use std::fmt;
use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::error::{io_error, Result};

/// Cap for a `.env`, `.hfenv` or config file: bigger is refused rather than read at a prompt.
pub(crate) const SMALL: u64 = 4 << 20;

/// Whether a symlink in the last component of a path is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Links {
    /// The user made it (a dotfile manager's config link): read or write its target.
    Follow,
    /// Not meant to be a link (state files, anything in a repository): a link is refused when
    /// reading and replaced, never written through, when writing.
    Refuse,
}

/// Why a bounded read gave nothing. Its text never includes the file's content.
#[derive(Debug)]
pub(crate) enum ReadError {
    Missing,
    /// A symlink where [`Links::Refuse`] was asked.
    Link,
    /// A FIFO, device, socket or directory.
    NotRegular,
    TooLarge {
        limit: u64,
    },
    /// [`read_bounded_string`] on bytes that are not UTF-8.
    NotText,
    Io(io::Error),
}

impl ReadError {
    pub(crate) fn is_missing(&self) -> bool {
        matches!(self, ReadError::Missing)
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Missing => f.write_str("no such file"),
            ReadError::Link => f.write_str("a symbolic link, which is not followed here"),
            ReadError::NotRegular => f.write_str("not a regular file"),
            ReadError::TooLarge { limit } if *limit >= 1 << 20 => {
                write!(f, "larger than {} MiB", limit >> 20)
            }
            ReadError::TooLarge { limit } => write!(f, "larger than {limit} bytes"),
            ReadError::NotText => f.write_str("not UTF-8 text"),
            ReadError::Io(e) => f.write_str(&crate::error::err_text(e)),
        }
    }
}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> Self {
        match e.raw_os_error() {
            Some(libc::ENOENT) | Some(libc::ENOTDIR) => ReadError::Missing,
            // O_NOFOLLOW on a symlink.
            Some(libc::ELOOP) => ReadError::Link,
            // O_NONBLOCK on a FIFO without a writer opens fine; a device may refuse.
            Some(libc::ENXIO) | Some(libc::ENODEV) => ReadError::NotRegular,
            _ => ReadError::Io(e),
        }
    }
}

/// Opens `path` for reading without blocking, and checks the opened descriptor: a regular file
/// of at most `limit` bytes. The metadata is the descriptor's own (device and inode name the
/// very file that will be read).
pub(crate) fn open_regular(
    path: &Path,
    limit: u64,
    links: Links,
) -> std::result::Result<(File, Metadata), ReadError> {
    open_regular_with(limit, links, |flags| {
        OpenOptions::new().read(true).custom_flags(flags).open(path)
    })
}

/// [`open_regular`] where `open` opens the file with the flags it is given (relative to a
/// directory's descriptor, see `walk.rs`).
pub(crate) fn open_regular_with(
    limit: u64,
    links: Links,
    open: impl FnOnce(libc::c_int) -> io::Result<File>,
) -> std::result::Result<(File, Metadata), ReadError> {
    let mut flags = libc::O_NONBLOCK | libc::O_CLOEXEC | libc::O_NOCTTY;
    if links == Links::Refuse {
        flags |= libc::O_NOFOLLOW;
    }
    let file = open(flags).map_err(|e| match e.raw_os_error() {
        // Where links are followed, ELOOP is a loop of links, not a refused link.
        Some(libc::ELOOP) if links == Links::Follow => ReadError::Io(e),
        _ => e.into(),
    })?;
    let meta = file.metadata()?;
    if !meta.file_type().is_file() {
        return Err(ReadError::NotRegular);
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok((file, meta))
}

/// Reads an opened file, at most `limit` bytes: a file that grew past the cap after `fstat`
/// is refused, not read to its end.
/// The buffer is sized for the file's `fstat` length `len` (plus one byte, to see the end): one
/// `read` for a file that did not change, where growing from empty takes ten.
pub(crate) fn read_opened(
    file: File,
    limit: u64,
    len: u64,
) -> std::result::Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::with_capacity(len.min(limit) as usize + 1);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

/// The whole content of a small regular file; see the module docs for what is refused.
pub(crate) fn read_bounded(
    path: &Path,
    limit: u64,
    links: Links,
) -> std::result::Result<Vec<u8>, ReadError> {
    let (file, meta) = open_regular(path, limit, links)?;
    read_opened(file, limit, meta.len())
}

/// [`read_bounded`], opened by `open` (see [`open_regular_with`]).
pub(crate) fn read_bounded_with(
    limit: u64,
    links: Links,
    open: impl FnOnce(libc::c_int) -> io::Result<File>,
) -> std::result::Result<Vec<u8>, ReadError> {
    let (file, meta) = open_regular_with(limit, links, open)?;
    read_opened(file, limit, meta.len())
}

/// [`read_bounded`] for text.
pub(crate) fn read_bounded_string(
    path: &Path,
    limit: u64,
    links: Links,
) -> std::result::Result<String, ReadError> {
    String::from_utf8(read_bounded(path, limit, links)?).map_err(|_| ReadError::NotText)
}

/// `fs::canonicalize` in one lookup of `path`: glibc's `realpath` reads every prefix as a
/// link, each resolved from `/` again, which is quadratic in depth (200 `readlink`s at depth
/// 200). The kernel names an opened file in one call (`/proc/self/fd`); that name is used
/// when it still leads to the opened file (not a deleted one, nor one outside this process's
/// root), else `canonicalize` decides as before.
pub(crate) fn real_path(path: &Path) -> io::Result<PathBuf> {
    #[cfg(target_os = "linux")]
    if let Some(real) = real_path_by_fd(path) {
        return Ok(real);
    }
    fs::canonicalize(path)
}

#[cfg(target_os = "linux")]
fn real_path_by_fd(path: &Path) -> Option<PathBuf> {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::MetadataExt;
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_PATH | libc::O_CLOEXEC)
        .open(path)
        .ok()?;
    let opened = file.metadata().ok()?;
    let real = fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())).ok()?;
    let named = fs::metadata(&real).ok()?;
    (real.is_absolute() && named.dev() == opened.dev() && named.ino() == opened.ino())
        .then_some(real)
}

/// How [`write_atomic`] writes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WriteOptions {
    pub links: Links,
    /// The new file's mode (0600 for anything that may hold or point at a secret).
    pub mode: u32,
    /// fsync the file and its directory before returning. Off only for files whose loss in
    /// a crash costs nothing but a redo (caches on the prompt's hot path).
    pub durable: bool,
}

impl WriteOptions {
    /// hfenv's own state: private, durable, a link at the path is replaced.
    pub(crate) const PRIVATE: WriteOptions = WriteOptions {
        links: Links::Refuse,
        mode: 0o600,
        durable: true,
    };
}

/// hfenv's own state file: [`WriteOptions::PRIVATE`].
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic(path, bytes, WriteOptions::PRIVATE)
}

/// Replaces `path` with `bytes` atomically: a temp file next to the target (created
/// exclusively with `opts.mode`), written, fsynced, renamed over the target; the directory is
/// created 0700 if missing. Temp files a killed writer left for the same target are removed.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8], opts: WriteOptions) -> Result<()> {
    let target = match (opts.links, fs::symlink_metadata(path)) {
        (Links::Follow, Ok(m)) if m.file_type().is_symlink() => {
            fs::canonicalize(path).map_err(|e| io_error("follow the symlink", path, e))?
        }
        _ => path.to_path_buf(),
    };
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    private_dir(&dir)?;
    let file_name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    remove_stale_temps(&dir, &file_name);
    let tmp = temp_name(&dir, &file_name);
    let result = (|| -> io::Result<()> {
        // Exclusive and not following links: nothing planted at the temp name is written
        // through.
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(opts.mode)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(&tmp)?;
        // The umask may have narrowed the mode; a pin meant to be shared must be readable.
        f.set_permissions(fs::Permissions::from_mode(opts.mode))?;
        f.write_all(bytes)?;
        if opts.durable {
            f.sync_all()?;
        }
        fs::rename(&tmp, &target)?;
        if opts.durable {
            File::open(&dir)?.sync_all()?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(io_error("write", &target, e));
    }
    Ok(())
}

/// `.NAME.PID.NANOS.tmp`: unique per writer, recognisable as NAME's by [`remove_stale_temps`].
fn temp_name(dir: &Path, file_name: &str) -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .subsec_nanos();
    dir.join(format!(".{file_name}.{}.{nanos}.tmp", std::process::id()))
}

/// A writer is done within moments; a temp file older than this, or whose process is gone,
/// was left by a writer that was killed.
const STALE_AFTER: Duration = Duration::from_secs(60);

fn remove_stale_temps(dir: &Path, file_name: &str) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let prefix = format!(".{file_name}.");
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|r| r.strip_suffix(".tmp"))
        else {
            continue;
        };
        // `PID.NANOS` (this version) or `PID` (before it).
        let pid = rest.split('.').next().unwrap_or("");
        if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let Ok(meta) = entry.metadata() else { continue };
        let old = meta
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_none_or(|age| age > STALE_AFTER);
        if old || !process_alive(pid) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

fn process_alive(pid: &str) -> bool {
    let Ok(pid) = pid.parse::<libc::pid_t>() else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 only asks whether the process exists; nothing is sent.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Creates `dir` and its missing parents 0700. A directory that exists is left as it is: hfenv
/// never changes the mode of a directory it did not create.
pub(crate) fn private_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| io_error("create", dir, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn tmp() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    #[test]
    fn reads_regular_files_up_to_the_cap() {
        let d = tmp();
        let p = d.path().join("f");
        fs::write(&p, b"12345").unwrap();
        assert_eq!(read_bounded(&p, 5, Links::Refuse).unwrap(), b"12345");
        assert!(matches!(
            read_bounded(&p, 4, Links::Refuse),
            Err(ReadError::TooLarge { limit: 4 })
        ));
        assert!(read_bounded(&d.path().join("nope"), 5, Links::Refuse)
            .unwrap_err()
            .is_missing());
    }

    #[test]
    fn refuses_what_is_not_a_small_regular_file() {
        let d = tmp();
        // A FIFO without a writer: opening it blocking would hang forever.
        let fifo = d.path().join("fifo");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(matches!(
            read_bounded(&fifo, SMALL, Links::Follow),
            Err(ReadError::NotRegular)
        ));
        // /dev/zero is endless; a directory is not a file.
        for p in [Path::new("/dev/zero"), d.path()] {
            assert!(matches!(
                read_bounded(p, SMALL, Links::Follow),
                Err(ReadError::NotRegular)
            ));
        }
        let link = d.path().join("link");
        symlink("/dev/zero", &link).unwrap();
        assert!(matches!(
            read_bounded(&link, SMALL, Links::Refuse),
            Err(ReadError::Link)
        ));
        assert!(matches!(
            read_bounded(&link, SMALL, Links::Follow),
            Err(ReadError::NotRegular)
        ));
        let content = d.path().join("content");
        fs::write(&content, "secret").unwrap();
        symlink(&content, d.path().join("to-content")).unwrap();
        let e = read_bounded(&d.path().join("to-content"), SMALL, Links::Refuse).unwrap_err();
        assert!(!e.to_string().contains("secret"));
        assert_eq!(
            read_bounded(&d.path().join("to-content"), SMALL, Links::Follow).unwrap(),
            b"secret"
        );
    }

    #[test]
    fn writes_privately_and_atomically() {
        let d = tmp();
        let p = d.path().join("new/dir/state");
        write_private(&p, b"one").unwrap();
        write_private(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            fs::metadata(p.parent().unwrap())
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o700
        );
    }

    #[test]
    fn a_link_is_replaced_unless_it_is_meant() {
        let d = tmp();
        let target = d.path().join("target");
        fs::write(&target, "keep").unwrap();
        let link = d.path().join("link");
        symlink(&target, &link).unwrap();
        write_private(&link, b"new").unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"keep");
        assert!(!fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());

        let link2 = d.path().join("link2");
        symlink(&target, &link2).unwrap();
        let follow = WriteOptions {
            links: Links::Follow,
            ..WriteOptions::PRIVATE
        };
        write_atomic(&link2, b"through", follow).unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"through");
        assert!(fs::symlink_metadata(&link2)
            .unwrap()
            .file_type()
            .is_symlink());
    }

    #[test]
    fn temp_files_of_killed_writers_do_not_survive_the_next_write() {
        let d = tmp();
        let p = d.path().join("config.toml");
        // A pid that cannot be alive, in both the old and the new naming; and another file's
        // temp, which is not ours to remove.
        let stale = [
            d.path().join(".config.toml.999999999.tmp"),
            d.path().join(".config.toml.999999999.12345.tmp"),
        ];
        for s in &stale {
            fs::write(s, "hf_secret").unwrap();
        }
        let other = d.path().join(".other.999999999.tmp");
        fs::write(&other, "x").unwrap();
        write_private(&p, b"x").unwrap();
        for s in &stale {
            assert!(!s.exists(), "{s:?} survived");
        }
        assert!(other.exists());
        let left: Vec<_> = fs::read_dir(d.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left.len(), 2, "{left:?}");
    }

    #[test]
    fn an_existing_directory_keeps_its_mode() {
        let d = tmp();
        let dir = d.path().join("shared");
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        private_dir(&dir).unwrap();
        write_private(&dir.join("f"), b"x").unwrap();
        assert_eq!(
            fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
            0o755
        );
    }
}

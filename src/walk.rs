//! The walk up from the current directory: every ancestor is looked in for `.hfenv`, the
//! `.env` names and `.git`. Looked up by absolute path, each lookup makes the kernel resolve
//! every component from `/` again: at depth 200, ~600 lookups of ~200 components each,
//! quadratic (11–14 ms). Here each ancestor is opened once (`O_PATH`), from `/` down, each
//! relative to the one above, and every lookup in it is relative to that descriptor: one
//! component each, linear in depth.
//!
//! The semantics are exactly those of the absolute paths, because opening from `/` down is
//! what the kernel does for an absolute path: a component that is a symlink is followed where
//! it stands, so a logical path through a symlinked directory (`$PWD` as the shell keeps it)
//! reaches the same directories as before, never the physical `..` of the link's target.
//! Lookups keep their own flags (`O_NOFOLLOW`, `O_NONBLOCK`, `AT_SYMLINK_NOFOLLOW`). Where an
//! ancestor cannot be opened (a path with `.` or `..`, a component gone, no descriptors
//! left), the lookups there fall back to the absolute path, which then fails or succeeds as it
//! always did.

use std::cell::OnceCell;
use std::ffi::{CStr, CString, OsStr};
use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

#[cfg(any(target_os = "linux", target_os = "android"))]
const DIR_FLAGS: libc::c_int = libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
const DIR_FLAGS: libc::c_int = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC;

/// A directory and its ancestors, nearest first, as `Path::ancestors` names them.
#[derive(Debug)]
pub(crate) struct Walk {
    path: PathBuf,
    /// The length of each ancestor's path within `path`, nearest first.
    ends: Vec<usize>,
    /// Each ancestor's descriptor, nearest first, opened on first use.
    fds: OnceCell<Vec<Option<OwnedFd>>>,
}

impl Walk {
    pub(crate) fn new(dir: &Path) -> Walk {
        Walk {
            path: dir.to_path_buf(),
            ends: dir.ancestors().map(|a| a.as_os_str().len()).collect(),
            fds: OnceCell::new(),
        }
    }

    /// The directory the walk starts from.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The directory and each ancestor up to `/`, nearest first.
    pub(crate) fn levels(&self) -> impl Iterator<Item = Level<'_>> {
        (0..self.ends.len()).map(move |i| Level { walk: self, i })
    }

    fn path_of(&self, i: usize) -> &Path {
        Path::new(OsStr::from_bytes(
            &self.path.as_os_str().as_bytes()[..self.ends[i]],
        ))
    }

    /// The last component of level `i` (below `/`), as it is opened in level `i + 1`.
    fn name_of(&self, i: usize) -> Option<&OsStr> {
        let bytes = self.path.as_os_str().as_bytes();
        let name = bytes.get(*self.ends.get(i + 1)?..self.ends[i])?;
        let start = name.iter().position(|b| *b != b'/')?;
        let end = name.iter().rposition(|b| *b != b'/')? + 1;
        let name = &name[start..end];
        // One plain component, as `Path::ancestors` made it; anything else is not walked.
        (!name.contains(&b'/') && name != b"." && name != b"..").then(|| OsStr::from_bytes(name))
    }

    fn fds(&self) -> &[Option<OwnedFd>] {
        self.fds.get_or_init(|| self.open_all())
    }

    /// Opens `/`, then each level below it relative to the one above: what resolving the
    /// absolute path does, one component at a time.
    fn open_all(&self) -> Vec<Option<OwnedFd>> {
        let n = self.ends.len();
        let mut fds: Vec<Option<OwnedFd>> = (0..n).map(|_| None).collect();
        let top = self.path_of(n - 1);
        if !top.has_root() || top.components().count() != 1 {
            return fds;
        }
        count(|| 1);
        fds[n - 1] = open_at(libc::AT_FDCWD, OsStr::new("/"), DIR_FLAGS).ok();
        for i in (0..n - 1).rev() {
            let (Some(Some(above)), Some(name)) = (fds.get(i + 1), self.name_of(i)) else {
                break;
            };
            count(|| 1);
            match open_at(above.as_raw_fd(), name, DIR_FLAGS) {
                Ok(fd) => fds[i] = Some(fd),
                // Below here, lookups go by absolute path, as before.
                Err(_) => break,
            }
        }
        fds
    }
}

/// One directory of a [`Walk`].
#[derive(Clone, Copy)]
pub(crate) struct Level<'a> {
    walk: &'a Walk,
    i: usize,
}

impl<'a> Level<'a> {
    pub(crate) fn path(&self) -> &'a Path {
        self.walk.path_of(self.i)
    }

    fn fd(&self) -> Option<RawFd> {
        self.walk.fds()[self.i].as_ref().map(AsRawFd::as_raw_fd)
    }

    /// Where `name` in this directory is looked up relative to its descriptor: never for an
    /// empty name (`dir/` is the directory itself, which `openat` would not find).
    fn relative(&self, name: &OsStr) -> Option<RawFd> {
        (!name.is_empty()).then(|| self.fd())?
    }

    /// Whether anything (a file, a link, dangling or not, a FIFO) is at `name` here, as
    /// `symlink_metadata(dir.join(name)).is_ok()`.
    pub(crate) fn has(&self, name: impl AsRef<OsStr>) -> bool {
        let name = name.as_ref();
        match self.relative(name) {
            Some(fd) => {
                count(|| Path::new(name).components().count());
                lstat_at(fd, name).is_ok()
            }
            None => {
                let path = self.path().join(name);
                count(|| path.components().count());
                std::fs::symlink_metadata(path).is_ok()
            }
        }
    }

    /// Whether this directory, as named by its path, is a symlink (`/` never is).
    pub(crate) fn is_symlink(&self) -> io::Result<bool> {
        let above = self.walk.fds().get(self.i + 1).and_then(|f| f.as_ref());
        match (above, self.walk.name_of(self.i)) {
            (Some(above), Some(name)) => {
                count(|| 1);
                Ok(lstat_at(above.as_raw_fd(), name)?.st_mode & libc::S_IFMT == libc::S_IFLNK)
            }
            _ => {
                count(|| self.path().components().count());
                Ok(std::fs::symlink_metadata(self.path())?
                    .file_type()
                    .is_symlink())
            }
        }
    }

    /// Opens `name` here for reading with `flags` (`O_NOFOLLOW`, `O_NONBLOCK`, …), as opening
    /// `dir.join(name)` with them would.
    pub(crate) fn open(&self, name: impl AsRef<OsStr>, flags: libc::c_int) -> io::Result<File> {
        let name = name.as_ref();
        match self.relative(name) {
            Some(fd) => {
                count(|| Path::new(name).components().count());
                let fd = open_at(fd, name, libc::O_RDONLY | libc::O_CLOEXEC | flags)?;
                Ok(File::from(fd))
            }
            None => {
                use std::os::unix::fs::OpenOptionsExt;
                let path = self.path().join(name);
                count(|| path.components().count());
                std::fs::OpenOptions::new()
                    .read(true)
                    .custom_flags(flags)
                    .open(path)
            }
        }
    }
}

/// Calls `f` with `name` as a C string: on the stack for a short name (a lookup per level
/// should not cost an allocation), else allocated.
fn with_c_name<T>(name: &OsStr, f: impl FnOnce(&CStr) -> io::Result<T>) -> io::Result<T> {
    let bytes = name.as_bytes();
    let invalid = || io::Error::from(io::ErrorKind::InvalidInput);
    let mut buf = [0u8; 256];
    if bytes.len() < buf.len() {
        buf[..bytes.len()].copy_from_slice(bytes);
        f(CStr::from_bytes_with_nul(&buf[..=bytes.len()]).map_err(|_| invalid())?)
    } else {
        f(&CString::new(bytes).map_err(|_| invalid())?)
    }
}

fn open_at(dir: RawFd, name: &OsStr, flags: libc::c_int) -> io::Result<OwnedFd> {
    with_c_name(name, |c| {
        // SAFETY: a valid C string; the descriptor returned is owned by nothing else.
        let fd = unsafe { libc::openat(dir, c.as_ptr(), flags, 0) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just opened and is owned here only.
        Ok(unsafe { OwnedFd::from_raw_fd(fd) })
    })
}

fn lstat_at(dir: RawFd, name: &OsStr) -> io::Result<libc::stat> {
    with_c_name(name, |c| {
        // SAFETY: zeroed memory is a valid `stat` to write into; `c` is a valid C string.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        let rc = unsafe { libc::fstatat(dir, c.as_ptr(), &mut st, libc::AT_SYMLINK_NOFOLLOW) };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(st)
    })
}

#[cfg(test)]
thread_local! {
    static RESOLVED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Tests count the path components the kernel resolves for the walk's lookups: linear in
/// depth, not quadratic.
fn count(_components: impl FnOnce() -> usize) {
    #[cfg(test)]
    RESOLVED.with(|c| c.set(c.get() + _components()));
}

/// The components resolved by lookups on this thread so far (tests only).
#[cfg(test)]
pub(crate) fn resolved() -> usize {
    RESOLVED.with(|c| c.get())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::symlink;

    fn fifo(path: &Path) {
        let c = CString::new(path.as_os_str().as_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    }

    /// What an absolute lookup gives, in the walk's terms.
    fn by_path(path: &Path, flags: libc::c_int) -> (bool, Result<(), Option<i32>>) {
        use std::os::unix::fs::OpenOptionsExt;
        let there = fs::symlink_metadata(path).is_ok();
        let opened = fs::OpenOptions::new()
            .read(true)
            .custom_flags(flags)
            .open(path)
            .map(|_| ())
            .map_err(|e| e.raw_os_error());
        (there, opened)
    }

    /// Every lookup relative to an ancestor's descriptor finds what the absolute path finds:
    /// through a symlinked directory (relative and absolute targets), where the logical
    /// parent differs from the physical `..`; for dangling links, FIFOs (never waited on),
    /// links to files, and names with spaces, newlines or bytes that are not UTF-8.
    #[test]
    fn lookups_find_what_the_absolute_path_finds() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let odd = OsStr::from_bytes(b"odd \n\xff name");
        let real = root.join("real/deep");
        fs::create_dir_all(real.join("sub").join(odd)).unwrap();
        fs::create_dir_all(root.join("logical")).unwrap();
        // `logical/rel` and `logical/abs` both lead to `real/deep`, whose `..` is `real`,
        // while their logical parent is `logical`.
        symlink("../real/deep", root.join("logical/rel")).unwrap();
        symlink(&real, root.join("logical/abs")).unwrap();
        for d in [&root, &root.join("real"), &root.join("logical"), &real] {
            fs::write(
                d.join(".hfenv"),
                format!("{}\n", d.display().to_string().len()),
            )
            .unwrap();
        }
        fs::write(root.join("logical/.env"), "A=1\n").unwrap();
        symlink("nowhere", root.join("real/.env")).unwrap();
        fifo(&real.join(".env"));
        symlink("../.hfenv", real.join("sub/.hfenv")).unwrap();
        fs::write(real.join("sub").join(odd).join(odd), "x").unwrap();
        let names = [".hfenv", ".env", ".git", "sub", "..", "odd \n\u{fffd} name"];
        let flags = [
            libc::O_NONBLOCK | libc::O_NOFOLLOW,
            libc::O_NONBLOCK,
            libc::O_NONBLOCK | libc::O_DIRECTORY,
        ];
        for start in ["logical/rel/sub", "logical/abs/sub", "real/deep/sub"] {
            let cwd = root.join(start).join(odd);
            let walk = Walk::new(&cwd);
            let levels: Vec<_> = walk.levels().collect();
            let expected: Vec<&Path> = cwd.ancestors().collect();
            assert_eq!(
                levels.iter().map(|l| l.path()).collect::<Vec<_>>(),
                expected
            );
            for level in levels {
                assert!(level.fd().is_some(), "{:?} was not opened", level.path());
                assert_eq!(
                    level.is_symlink().unwrap(),
                    fs::symlink_metadata(level.path())
                        .unwrap()
                        .file_type()
                        .is_symlink(),
                    "{:?}",
                    level.path()
                );
                for name in names.iter().map(OsStr::new).chain([odd]) {
                    let path = level.path().join(name);
                    for flags in flags {
                        let (there, opened) = by_path(&path, flags);
                        let got = level
                            .open(name, flags)
                            .map(|_| ())
                            .map_err(|e| e.raw_os_error());
                        assert_eq!(level.has(name), there, "{path:?}");
                        assert_eq!(got, opened, "{path:?} opened with {flags:#o}");
                    }
                }
            }
        }
    }

    /// A path the walk cannot open level by level (`..` in it, a component gone) is looked up
    /// by absolute path, with the same outcome.
    #[test]
    fn what_cannot_be_walked_is_looked_up_by_path() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        fs::create_dir_all(root.join("a/b")).unwrap();
        fs::write(root.join("a/.hfenv"), "work\n").unwrap();
        for cwd in [root.join("a/b/../b"), root.join("a/gone/b")] {
            let walk = Walk::new(&cwd);
            for level in walk.levels() {
                let path = level.path().join(".hfenv");
                assert_eq!(
                    level.has(".hfenv"),
                    path.symlink_metadata().is_ok(),
                    "{path:?}"
                );
                assert_eq!(
                    level.open(".hfenv", libc::O_NOFOLLOW).is_ok(),
                    fs::File::open(&path).is_ok(),
                    "{path:?}"
                );
            }
        }
    }

    /// The kernel's work for the whole walk — pins (`choose`), `.env` files (`wanted`), `.git`
    /// and symlinks (`region`) — is linear in depth: counted in path components resolved, not
    /// timed. By absolute paths it was quadratic: ~3 lookups of `depth` components per level.
    #[test]
    fn the_walk_is_linear_in_depth() {
        let work = |depth: usize| {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path().canonicalize().unwrap();
            let mut cwd = root.join("home");
            for i in 0..depth {
                cwd.push(format!("d{i}"));
            }
            fs::create_dir_all(&cwd).unwrap();
            // Nothing to find: every walk goes all the way up.
            let config_path = root.join("config.toml");
            let config =
                crate::config::parse(&config_path, "[profiles.work]\ntoken_env = \"W\"\n").unwrap();
            let env = |_: &str| None;
            let ctx = crate::choose::Context {
                config: &config,
                config_path: &config_path,
                state: root.join("state"),
                cwd: cwd.clone(),
                walk: Walk::new(&cwd),
                env: &env,
            };
            let before = resolved();
            let chosen = crate::choose::choose(&ctx);
            let mut candidates = chosen.candidates;
            crate::wanted::dotenv_candidates(&ctx, &mut candidates);
            let pwd = cwd.to_str().unwrap();
            crate::region::region(&crate::region::Inputs {
                config: &config,
                cwd: &cwd,
                walk: &ctx.walk,
                pwd: Some(pwd),
                candidates: &candidates,
                dotenv: true,
                home: None,
            });
            let resolved = resolved() - before;
            assert!(candidates.len() > 2 * depth, "the walk went all the way up");
            // Every candidate was looked up through the walk (and so counted).
            assert!(
                resolved >= candidates.len(),
                "{resolved} < {}",
                candidates.len()
            );
            resolved
        };
        let (shallow, deep) = (work(50), work(200));
        assert!(
            deep < 5 * shallow && deep < 12 * 200,
            "depth 50: {shallow} components resolved, depth 200: {deep}"
        );
    }
}

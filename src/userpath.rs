//! The one rule for a directory hfenv puts on PATH (`doctor --fix` records it, the hook adds
//! it): a directory the user owns, nobody else can write, outside any working tree. A cloned
//! repository's `.venv/bin` must never end up on PATH: it would own every command the user
//! types afterwards. The hook appends such a directory (the user's own PATH wins), and checks
//! the rule again each time it reads the recorded list, so a directory that stopped meeting
//! it (a `git init` above it, a `chmod`) is dropped.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Version-control directories that make their parent a working tree.
const WORKTREE_MARKERS: [&str; 4] = [".git", ".hg", ".jj", ".svn"];

/// Why `dir` may not go on PATH, or `None` when it may.
pub(crate) fn refusal(dir: &Path) -> Option<String> {
    if !dir.is_absolute() {
        return Some("it is not an absolute path".into());
    }
    let real = match std::fs::canonicalize(dir) {
        Ok(real) => real,
        Err(_) => return Some("it does not exist".into()),
    };
    let meta = match std::fs::metadata(&real) {
        Ok(m) if m.is_dir() => m,
        _ => return Some("it is not a directory".into()),
    };
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if meta.uid() != me {
        return Some("you do not own it".into());
    }
    if meta.mode() & 0o022 != 0 {
        return Some("others can write to it".into());
    }
    if let Some(tree) = working_tree(&real) {
        return Some(format!(
            "it is inside the working tree {}",
            crate::paths::abbreviate_home(&tree)
        ));
    }
    None
}

/// The nearest directory at or above `dir` (a real path) holding `.git`, `.hg`, `.jj` or `.svn`.
pub(crate) fn working_tree(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| {
            WORKTREE_MARKERS
                .iter()
                .any(|m| std::fs::symlink_metadata(d.join(m)).is_ok())
        })
        .map(Path::to_path_buf)
}

/// The recorded directories that still meet the rule, in order.
pub(crate) fn recorded(state: &Path) -> Vec<PathBuf> {
    let mut dirs = crate::state::path_additions(state);
    dirs.retain(|d| refusal(d).is_none());
    dirs
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn own_private_directories_outside_working_trees_only() {
        let root = tempfile::tempdir().unwrap();
        let root = root.path().canonicalize().unwrap();
        let bin = root.join("home/.local/bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(refusal(&bin), None);
        assert_eq!(
            refusal(Path::new("rel/bin")).as_deref(),
            Some("it is not an absolute path")
        );
        assert_eq!(
            refusal(&root.join("missing")).as_deref(),
            Some("it does not exist")
        );
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o777)).unwrap();
        assert_eq!(refusal(&bin).as_deref(), Some("others can write to it"));
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();

        let venv = root.join("proj/.venv/bin");
        std::fs::create_dir_all(&venv).unwrap();
        std::fs::set_permissions(&venv, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(root.join("proj/.git"), "gitdir: elsewhere\n").unwrap();
        let why = refusal(&venv).unwrap();
        assert!(why.starts_with("it is inside the working tree "), "{why}");
        // Through a symlink, the real place counts.
        std::os::unix::fs::symlink(&venv, root.join("home/linked")).unwrap();
        assert!(refusal(&root.join("home/linked")).is_some());
    }
}

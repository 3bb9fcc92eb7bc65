//! Where this hfenv binary lives and which installer put it there: the path the shell hook pins
//! (one that an upgrade replaces rather than removes) and what `doctor` says about the install.

use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};

/// How this binary was installed, judged from where it lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Installer {
    /// A Python virtual environment's `bin` (`pip install hfenv` in a venv).
    Pip { venv: PathBuf },
    /// pipx's own virtual environment for hfenv.
    Pipx { venv: PathBuf },
    /// `uv tool install hfenv`.
    UvTool { venv: PathBuf },
    /// `cargo install`.
    Cargo,
    /// Anything else: a package manager, a copied binary, a build tree.
    Other,
}

impl Installer {
    /// Judged at each hop of the symlink chain from `exe`, the first that says more than
    /// `Other` winning: pipx and uv link `~/.local/bin/hfenv` to their venv's `bin/hfenv`.
    pub(crate) fn find(exe: &Path) -> Installer {
        let mut hop = exe.to_path_buf();
        for _ in 0..40 {
            let installer = Installer::of(&hop);
            if installer != Installer::Other {
                return installer;
            }
            match std::fs::read_link(&hop) {
                Ok(next) => hop = hop.parent().unwrap_or(Path::new("/")).join(next),
                Err(_) => break,
            }
        }
        Installer::Other
    }

    pub(crate) fn of(exe: &Path) -> Installer {
        let bin = exe.parent();
        let venv = bin
            .filter(|b| b.file_name() == Some(OsStr::new("bin")))
            .and_then(Path::parent)
            .filter(|root| root.join("pyvenv.cfg").is_file());
        if let Some(venv) = venv {
            let venv = venv.to_path_buf();
            let under = |a: &str, b: &str| {
                let names: Vec<_> = venv.components().map(|c| c.as_os_str()).collect();
                names.windows(2).any(|w| w[0] == a && w[1] == b)
            };
            return if under("pipx", "venvs") {
                Installer::Pipx { venv }
            } else if under("uv", "tools") {
                Installer::UvTool { venv }
            } else {
                Installer::Pip { venv }
            };
        }
        let cargo_bin = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| crate::paths::home().map(|h| h.join(".cargo")))
            .map(|c| c.join("bin"));
        if bin.is_some() && bin == cargo_bin.as_deref() {
            Installer::Cargo
        } else {
            Installer::Other
        }
    }

    /// One line for people: how hfenv got here.
    pub(crate) fn describe(&self) -> String {
        let show = crate::paths::abbreviate_home;
        match self {
            Installer::Pip { venv } => {
                format!("installed with pip in the virtualenv {}", show(venv))
            }
            Installer::Pipx { venv } => format!("installed with pipx ({})", show(venv)),
            Installer::UvTool { venv } => format!("installed with `uv tool` ({})", show(venv)),
            Installer::Cargo => "installed with `cargo install`".into(),
            Installer::Other => "installed by hand or by a package manager".into(),
        }
    }

    /// The command that upgrades it in place, where one is known.
    pub(crate) fn upgrade(&self) -> Option<String> {
        match self {
            Installer::Pip { venv } => Some(format!(
                "{} -m pip install -U hfenv",
                crate::render::word(&crate::paths::abbreviate_home(&venv.join("bin/python")))
            )),
            Installer::Pipx { .. } => Some("pipx upgrade hfenv".into()),
            Installer::UvTool { .. } => Some("uv tool upgrade hfenv".into()),
            Installer::Cargo | Installer::Other => None,
        }
    }
}

/// The running binary, as the path the user reached it by when that path leads to this very
/// file: `~/.local/bin/hfenv` rather than the versioned directory a symlink points into (pipx,
/// Homebrew, mise and Nix keep one directory per version and delete the old one on upgrade,
/// while the symlink is re-pointed). pip and uv replace `venv/bin/hfenv` in place, so either
/// form survives `pip install -U hfenv`.
pub(crate) fn stable_exe() -> std::io::Result<PathBuf> {
    let real = std::env::current_exe()?.canonicalize()?;
    let invoked = std::env::args_os()
        .next()
        .and_then(|arg0| invoked_path(&arg0));
    Ok(match invoked {
        Some(path) if path.canonicalize().ok().as_ref() == Some(&real) => path,
        _ => real,
    })
}

/// argv[0] made absolute without resolving symlinks: as given when it holds a `/`, else the
/// first executable of that name in PATH's absolute directories (what the shell ran).
fn invoked_path(arg0: &OsStr) -> Option<PathBuf> {
    let given = Path::new(arg0);
    if given.components().count() > 1 || given.is_absolute() {
        let cwd = std::env::current_dir().ok()?;
        return Some(lexically_normal(&cwd.join(given)));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(given))
        .find(|candidate| is_executable_file(candidate))
        .map(|p| lexically_normal(&p))
}

fn is_executable_file(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// `a/./b` → `a/b`; `..` is kept (it may cross a symlink), so the result names the same file.
fn lexically_normal(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn venvs_are_told_apart_by_their_installer() {
        let dir = tempfile::tempdir().unwrap();
        let make = |rel: &str| {
            let venv = dir.path().join(rel);
            std::fs::create_dir_all(venv.join("bin")).unwrap();
            std::fs::write(venv.join("pyvenv.cfg"), "home = /usr/bin\n").unwrap();
            venv
        };
        let pip = make("proj/.venv");
        let pipx = make("home/.local/share/pipx/venvs/hfenv");
        let uv = make("home/.local/share/uv/tools/hfenv");
        assert_eq!(
            Installer::of(&pip.join("bin/hfenv")),
            Installer::Pip { venv: pip.clone() }
        );
        assert_eq!(
            Installer::of(&pipx.join("bin/hfenv")),
            Installer::Pipx { venv: pipx }
        );
        assert_eq!(
            Installer::of(&uv.join("bin/hfenv")),
            Installer::UvTool { venv: uv }
        );
        // A `bin` without pyvenv.cfg is not a venv.
        std::fs::create_dir_all(dir.path().join("opt/bin")).unwrap();
        assert_eq!(
            Installer::of(&dir.path().join("opt/bin/hfenv")),
            Installer::Other
        );
    }

    #[test]
    fn dot_components_go_but_dotdot_stays() {
        assert_eq!(
            lexically_normal(Path::new("/a/./b/../c")),
            PathBuf::from("/a/b/../c")
        );
    }
}

//! Where this hfenv runs from (a venv's `bin` after `pip install hfenv`, pipx, `uv tool`,
//! cargo), and whether the `hfenv` a new shell finds on PATH is this one: a hook line
//! `eval "$(hfenv hook bash)"` runs whatever PATH finds first.

use std::path::Path;

use super::{info, ok, show, warn, Ctx, Finding, G_SHELL};
use crate::install::{stable_exe, Installer};

pub(super) fn check(_ctx: &Ctx, report: &mut Vec<Finding>) {
    let Ok(exe) = stable_exe() else {
        return;
    };
    let installer = Installer::find(&exe);
    let version = env!("CARGO_PKG_VERSION");
    let upgrade = installer
        .upgrade()
        .map(|u| format!("; upgrade with `{u}`"))
        .unwrap_or_default();
    let on_path = which::which("hfenv").ok();
    let same = |p: &Path| p.canonicalize().ok() == exe.canonicalize().ok();
    match on_path {
        Some(found) if same(&found) => report.push(ok(
            G_SHELL,
            "install",
            format!(
                "hfenv {version} at {} ({}){upgrade}",
                show(&exe),
                installer.describe()
            ),
        )),
        Some(found) => report.push(
            warn(
                G_SHELL,
                "install",
                format!(
                    "this hfenv ({}, {}) is not the `hfenv` on PATH: new shells run {}",
                    show(&exe),
                    installer.describe(),
                    show(&found)
                ),
            )
            .fix(format!(
                "keep one: remove {} or put {} first in PATH",
                show(&found),
                show(exe.parent().unwrap_or(Path::new("/")))
            )),
        ),
        None => {
            let bin = exe.parent().unwrap_or(Path::new("/"));
            // Not a problem in itself (an rc line may name hfenv by its full path), so a note.
            report.push(
                info(
                    G_SHELL,
                    "install",
                    format!(
                        "hfenv {version} at {} ({}) is not on PATH: a hook line must name it by its full path",
                        show(&exe),
                        installer.describe()
                    ),
                )
                .fix(match installer {
                    Installer::Pip { .. } => format!(
                        "add {} to PATH in your shell rc, or write the hook line with the full path: `eval \"$({} hook bash)\"`",
                        show(bin),
                        show(&exe)
                    ),
                    Installer::Pipx { .. } => "run `pipx ensurepath` and open a new shell".into(),
                    Installer::UvTool { .. } => {
                        "run `uv tool update-shell` and open a new shell".into()
                    }
                    _ => format!("add {} to PATH", show(bin)),
                }),
            );
        }
    }
}

//! `hfenv --version` names the commit it was built from: `0.1.0 (commit 1a2b3c4d5e6f, 2026-11-27)`.
//!
//! Only a git checkout of hfenv itself has a commit to name: the crate directory must hold
//! `.git` (a source tarball unpacked inside some other repository must not borrow its commit).
//! Without one (`cargo install` from crates.io, a wheel's sdist) the version is the crate's own,
//! or `HFENV_BUILD_COMMIT` if the packager sets it.

use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "core.fsmonitor=false", "--no-pager"])
        .args(args)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}

fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&dir);
    let version = std::env::var("CARGO_PKG_VERSION").expect("cargo sets CARGO_PKG_VERSION");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=HFENV_BUILD_COMMIT");

    let mut commit = std::env::var("HFENV_BUILD_COMMIT")
        .ok()
        .filter(|c| !c.is_empty());
    if commit.is_none() && dir.join(".git").exists() {
        // Rebuild when HEAD moves: HEAD itself, the branch it names, packed refs.
        if let Some(git_dir) = git(dir, &["rev-parse", "--absolute-git-dir"]) {
            let git_dir = Path::new(&git_dir);
            println!("cargo:rerun-if-changed={}", git_dir.join("HEAD").display());
            let common = git(dir, &["rev-parse", "--git-common-dir"])
                .map(|c| dir.join(c))
                .unwrap_or_else(|| git_dir.to_path_buf());
            println!(
                "cargo:rerun-if-changed={}",
                common.join("packed-refs").display()
            );
            if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
                println!("cargo:rerun-if-changed={}", common.join(branch).display());
            }
        }
        commit = git(dir, &["log", "-1", "--format=%h, %cs", "--abbrev=12"]);
    }
    // The manual page's date: the commit's, else none (a build stays reproducible).
    let date = commit
        .as_deref()
        .and_then(|c| c.split(", ").nth(1))
        .unwrap_or("")
        .to_string();
    let full = match commit {
        Some(c) => format!("{version} (commit {c})"),
        None => version,
    };
    println!("cargo:rustc-env=HFENV_VERSION={full}");
    println!("cargo:rustc-env=HFENV_MAN_DATE={date}");
}

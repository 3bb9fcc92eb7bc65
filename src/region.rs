//! What the prompt hook watches, and where a `cd` cannot change the answer (the region), made
//! from what `choose` and `wanted` looked at. The hook tests all of it with builtins only:
//!
//! - at every prompt: the candidate files absent from the current directory and from the
//!   working tree's root (a `git checkout` that brings a `.hfenv` there is seen at once), by
//!   appearing; the files that were found, the config and hfenv's state, by their times (the
//!   export sorts those, see `cmd/export.rs`). Intermediate ancestors are not watched at a
//!   steady prompt, so that its cost does not grow with depth: a hand-made file appearing there
//!   is seen at the next `cd` (below) or export;
//! - at a change of directory: whether the new directory lies in the region, where the answer
//!   is provably the same. The region is everything below `base` (the deepest directory that
//!   decided anything: a found pin or `.env` and the working tree's root, the point where the
//!   deepest matching `[dirs]` rule starts to match, the last symlink of the path, `$HOME` for
//!   the `.env` search), except what lies at or below a `barrier` (a `[dirs]` rule, or `$HOME`,
//!   below `base`). A directory is inside when no directory from `base` down to it is a
//!   symlink or holds a candidate file or `.git`, and every candidate in `probe` (the absent
//!   ones from `base` up) is still absent. Otherwise the hook asks the binary, as before.
//!
//! Anything unsure gives no region (`base` is `None`): every change of directory exports.

use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::choose;
use crate::config::{Config, DotenvSearch};

/// The directory entry that marks a working tree's root.
const TREE_MARK: &str = ".git";

#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Region {
    /// The candidate names that matter in the current directory (and anywhere in the region).
    pub names: Vec<String>,
    /// The names a directory between `base` and the new one must not hold: `names` and `.git`.
    pub marks: Vec<String>,
    /// Candidates absent from the current directory, watched at every prompt: relative
    /// (`./.hfenv`), so the check costs the same at any depth (an absolute path is looked up
    /// one component at a time, 200 lookups at depth 200).
    pub here: Vec<PathBuf>,
    /// Candidates absent from the working tree's root (when it is not the current directory).
    pub root: Vec<PathBuf>,
    pub base: Option<PathBuf>,
    pub barriers: Vec<PathBuf>,
    /// Candidates absent from `base` and its ancestors, where they would matter: checked at a
    /// change of directory within the region.
    pub probe: Vec<PathBuf>,
}

/// What the region is made from.
pub(crate) struct Inputs<'a> {
    pub config: &'a Config,
    /// The logical current directory the answer was made for.
    pub cwd: &'a Path,
    /// `cwd` and its ancestors as `choose` and `wanted` walked them (descriptors kept).
    pub walk: &'a crate::walk::Walk,
    /// The shell's `$PWD` (the hook compares its own with `base`).
    pub pwd: Option<&'a str>,
    /// Every candidate looked at, and whether something was there.
    pub candidates: &'a [(PathBuf, bool)],
    /// `.env` files were searched.
    pub dotenv: bool,
    pub home: Option<&'a Path>,
}

pub(crate) fn region(i: &Inputs) -> Region {
    let cwd = i.cwd;
    let mut r = Region::default();
    for (path, there) in i.candidates {
        if path.parent() == Some(cwd) {
            if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
                if !r.names.iter().any(|n| n == name) {
                    r.names.push(name.to_string());
                }
            }
            if !there {
                if let Some(name) = path.file_name() {
                    r.here.push(Path::new(".").join(name));
                }
            }
        }
    }
    r.marks = r.names.clone();
    r.marks.push(TREE_MARK.to_string());
    let root = i.walk.levels().find(|l| l.has(TREE_MARK)).map(|l| l.path());
    if let Some(root) = root.filter(|r| *r != cwd) {
        r.root = absent_in(i.candidates, root);
    }
    let Some(base) = base(i, root) else {
        return r;
    };
    let base_within = Within::new(cwd, &base.0);
    r.probe = i
        .candidates
        .iter()
        .filter(|(p, there)| !there && p.parent().is_some_and(|d| base_within.holds(d)))
        .map(|(p, _)| p.clone())
        .collect();
    r.barriers = base.2;
    r.base = Some(base.0);
    r
}

/// `base.starts_with(dir)` for each directory `dir` a candidate was looked for in. Those are
/// the current directory's ancestors: where the current directory is a plain absolute path
/// (no `//`, `.` or trailing `/`) and both are its prefixes by bytes, it is a comparison of
/// lengths. Parsing components for each of the ~400 candidates of a deep directory made the
/// region quadratic in depth.
struct Within<'a> {
    cwd: &'a [u8],
    base: &'a Path,
    /// `base`'s length, when it and `cwd` are plain and it is a prefix of `cwd`.
    base_len: Option<usize>,
}

impl<'a> Within<'a> {
    fn new(cwd: &'a Path, base: &'a Path) -> Self {
        let plain = cwd.to_str().is_some_and(|p| {
            p.starts_with('/')
                && (p.len() == 1 || !p.ends_with('/'))
                && !p.ends_with("/.")
                && !p.contains("//")
                && !p.contains("/./")
        });
        let cwd = cwd.as_os_str().as_bytes();
        let base_len = (plain && prefix_of(base.as_os_str().as_bytes(), cwd))
            .then_some(base.as_os_str().len());
        Within {
            cwd,
            base,
            base_len,
        }
    }

    fn holds(&self, dir: &Path) -> bool {
        let d = dir.as_os_str().as_bytes();
        match self.base_len {
            Some(base_len) if prefix_of(d, self.cwd) => d.len() <= base_len,
            _ => self.base.starts_with(dir),
        }
    }
}

/// `p` is `path` or one of its ancestors, by bytes (`path` plain).
fn prefix_of(p: &[u8], path: &[u8]) -> bool {
    path.starts_with(p)
        && (p == b"/" || (!p.ends_with(b"/") && (path.len() == p.len() || path[p.len()] == b'/')))
}

fn absent_in(candidates: &[(PathBuf, bool)], dir: &Path) -> Vec<PathBuf> {
    candidates
        .iter()
        .filter(|(p, there)| !there && p.parent() == Some(dir))
        .map(|(p, _)| p.clone())
        .collect()
}

/// `(base, its physical path, barriers)`, or `None` when no region can be proven.
fn base(i: &Inputs, root: Option<&Path>) -> Option<(PathBuf, PathBuf, Vec<PathBuf>)> {
    let cwd = i.cwd;
    let settings = &i.config.settings;
    // The hook compares its `$PWD` with the base as text: they must be the same path.
    if i.pwd.map(Path::new) != Some(cwd) || !cwd.is_absolute() {
        return None;
    }
    if cwd.components().any(|c| {
        !matches!(
            c,
            std::path::Component::RootDir | std::path::Component::Normal(_)
        )
    }) {
        return None;
    }
    let physical = choose::physical_dir(cwd)?;
    let mut base: PathBuf = PathBuf::from("/");
    let deepen = |base: &mut PathBuf, d: &Path| {
        if d.starts_with(&*base) && cwd.starts_with(d) {
            *base = d.to_path_buf();
        }
    };
    for (path, there) in i.candidates {
        if *there {
            if let Some(dir) = path.parent() {
                deepen(&mut base, dir);
            }
        }
    }
    if let Some(root) = root {
        deepen(&mut base, root);
    }
    if i.dotenv {
        match settings.dotenv_search {
            // Only the current directory's own `.env` counts: one found there holds nowhere else.
            DotenvSearch::Cwd => {
                let here_env = i.candidates.iter().any(|(p, there)| {
                    *there
                        && p.parent() == Some(cwd)
                        && p.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| settings.dotenv_files.iter().any(|f| f == n))
                });
                if here_env {
                    return None;
                }
            }
            // Below `$HOME` the search stops there; elsewhere it goes to `/`.
            DotenvSearch::Home => {
                if let Some(home) = i.home.filter(|h| cwd.starts_with(h)) {
                    deepen(&mut base, home);
                }
            }
            DotenvSearch::Root => {}
        }
    }
    // Logical and physical paths agree below the last symlink of the path: the hook's test
    // (no symlink from base down) keeps it so for the new directory.
    if physical != cwd {
        for level in i.walk.levels() {
            let d = level.path();
            if d == base {
                break;
            }
            match level.is_symlink() {
                Ok(true) => {
                    deepen(&mut base, d);
                    break;
                }
                Ok(false) => {}
                Err(_) => return None,
            }
        }
    }
    let mut base_phys = physical_of(cwd, &physical, &base)?;
    // A `[dirs]` rule that applies here must apply in the whole region: the base goes down to
    // where it starts to match.
    let rules: Vec<(PathBuf, Option<PathBuf>)> = i
        .config
        .dirs
        .keys()
        .map(|rule| {
            let p = choose::rule_path(rule);
            let c = fs::canonicalize(&p).ok();
            (p, c)
        })
        .collect();
    let matches = |l: &Path, p: &Path, (r, c): &(PathBuf, Option<PathBuf>)| {
        l.starts_with(r) || p.starts_with(r) || c.as_ref().is_some_and(|c| p.starts_with(c))
    };
    for rule in &rules {
        if !matches(cwd, &physical, rule) || matches(&base, &base_phys, rule) {
            continue;
        }
        // Where, below the base, the rule starts to match, as a logical path.
        let mut starts: Vec<PathBuf> = Vec::new();
        if cwd.starts_with(&rule.0) {
            starts.push(rule.0.clone());
        }
        for r in std::iter::once(&rule.0).chain(rule.1.as_ref()) {
            if let Ok(rest) = r.strip_prefix(&base_phys) {
                if physical.starts_with(r) {
                    starts.push(base.join(rest));
                }
            }
        }
        let start = starts
            .into_iter()
            .filter(|s| s.starts_with(&base) && cwd.starts_with(s))
            .min_by_key(|s| s.components().count())?;
        base = start;
        base_phys = physical_of(cwd, &physical, &base)?;
    }
    let mut barriers = Vec::new();
    let mut bar = |b: PathBuf| {
        if b != base && b.starts_with(&base) && !barriers.contains(&b) {
            barriers.push(b);
        }
    };
    for rule in &rules {
        if matches(cwd, &physical, rule) {
            continue;
        }
        bar(rule.0.clone());
        for r in std::iter::once(&rule.0).chain(rule.1.as_ref()) {
            if let Ok(rest) = r.strip_prefix(&base_phys) {
                bar(base.join(rest));
            }
        }
    }
    if i.dotenv && settings.dotenv_search == DotenvSearch::Home {
        if let Some(home) = i.home.filter(|h| !cwd.starts_with(h)) {
            bar(home.to_path_buf());
        }
    }
    Some((base, base_phys, barriers))
}

/// The physical path of `dir`, an ancestor of `cwd` with no symlink between them.
fn physical_of(cwd: &Path, physical: &Path, dir: &Path) -> Option<PathBuf> {
    let below = cwd.strip_prefix(dir).ok()?;
    let mut p = physical.to_path_buf();
    for c in below.components().rev() {
        if p.file_name() != Some(c.as_os_str()) {
            return None;
        }
        p.pop();
    }
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn within_is_starts_with() {
        let paths = [
            "/", "/a", "/a/", "/ab", "/a/b", "/a//b", "/a/./b", "/a/b/.", "/a/../b", "/a/b/c", "a",
            "a/b", "", ".", "//a", "/a/b/c/d",
        ];
        for cwd in paths {
            for base in Path::new(cwd).ancestors() {
                let within = Within::new(Path::new(cwd), base);
                for d in paths
                    .iter()
                    .map(Path::new)
                    .chain(Path::new(cwd).ancestors())
                {
                    assert_eq!(
                        within.holds(d),
                        base.starts_with(d),
                        "{cwd:?}: {base:?} within {d:?}"
                    );
                }
            }
        }
    }
}

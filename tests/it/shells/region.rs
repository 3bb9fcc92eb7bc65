//! Issue 11, items 3, 4 and 6 in the real shells: one change costs one export, an unrelated
//! one none; a `cd` that cannot change the answer starts nothing, one that can exports; the
//! prompt's checks do not grow with depth. Spawns are counted by a wrapper around the binary
//! that logs each run; the shell copies the log at chosen points (`cp`, the same in every shell).

use super::*;

/// A session whose hook runs the binary through a counting wrapper.
struct Counted<'a> {
    ses: Session<'a>,
    log: PathBuf,
    snaps: PathBuf,
}

impl<'a> Counted<'a> {
    fn new(s: &'a Sandbox, sh: Sh) -> Counted<'a> {
        let snaps = s.root.path().join("counts");
        std::fs::create_dir_all(&snaps).unwrap();
        let log = snaps.join("log");
        std::fs::write(&log, "").unwrap();
        let ses = counting_session(s, sh, &log);
        Counted { ses, log, snaps }
    }

    /// Records how many times the binary ran so far, under `tag`.
    fn snap(&mut self, tag: &str) -> &mut Self {
        let sh = self.ses.sh;
        let to = quote_for(
            sh,
            &self.snaps.join(format!("n.{tag}")).display().to_string(),
        );
        let from = quote_for(sh, &self.log.display().to_string());
        self.ses.line(&format!("cp {from} {to}"));
        self
    }

    /// `n` prompts at which nothing happens.
    fn prompts(&mut self, n: usize) -> &mut Self {
        for _ in 0..n {
            self.ses.line(if self.ses.sh == Sh::Nu {
                "null"
            } else {
                "true"
            });
        }
        self
    }

    /// A command run by `sh` (the same line in every shell).
    fn sh_c(&mut self, script: &str) -> &mut Self {
        assert!(!script.contains('\''));
        let caret = if self.ses.sh == Sh::Nu { "^" } else { "" };
        self.ses.line(&format!("{caret}sh -c '{script}'"));
        self
    }

    fn runs(&self, tag: &str) -> usize {
        std::fs::read_to_string(self.snaps.join(format!("n.{tag}")))
            .unwrap_or_else(|_| panic!("no snapshot {tag}"))
            .lines()
            .filter(|l| l.starts_with("export"))
            .count()
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// Item 3: after an edit of the pin or the config, exactly one export at the next ten prompts;
/// after a new unrelated file in the current directory, none.
#[test]
fn one_change_costs_one_export_and_an_unrelated_one_none() {
    each_shell(&ALL, |sh| {
        let s = Sandbox::new();
        three_profiles(&s, "");
        s.write("proj/.hfenv", "work\n");
        s.mkdir("proj/src");
        let mut c = Counted::new(&s, sh);
        c.ses.cd("proj/src").show("HF_TOKEN", "t0");
        c.snap("a").prompts(10).snap("b");
        c.sh_c("echo personal > ~/proj/.hfenv");
        c.prompts(10).snap("c");
        c.ses.show("HF_TOKEN", "t1");
        c.sh_c("echo \"# a comment\" >> ~/.config/hfenv/config.toml");
        c.prompts(10).snap("d");
        c.sh_c("touch ~/proj/src/newfile ~/proj/newfile");
        c.prompts(10).snap("e");
        // An edit in the same clock tick as the export that follows it.
        c.sh_c("echo team > ~/proj/.hfenv");
        c.ses.show("HF_TOKEN", "t2");
        c.sh_c("echo work > ~/proj/.hfenv");
        c.ses.show("HF_TOKEN", "t3");
        c.prompts(10).snap("f");
        let o = c.ses.run();
        o.is("t0", TOKEN_WORK);
        o.is("t1", TOKEN_PERSONAL);
        o.is("t2", TOKEN_TEAM);
        o.is("t3", TOKEN_WORK);
        let n = |t: &str| c.runs(t);
        let log = c.log();
        assert_eq!(n("a"), n("b"), "a steady prompt ran hfenv:\n{log}");
        assert_eq!(n("c"), n("b") + 1, "the pin's edit:\n{log}");
        assert_eq!(n("d"), n("c") + 1, "the config's edit:\n{log}");
        assert_eq!(n("e"), n("d"), "an unrelated new file:\n{log}");
        assert_eq!(n("f"), n("e") + 2, "two edits, two exports:\n{log}");
    });
}

/// Item 6: moving between directories under the same pin starts nothing, in every shell.
#[test]
fn a_cd_within_the_same_outcome_starts_no_process() {
    each_shell(&ALL, |sh| {
        let s = Sandbox::new();
        three_profiles(&s, "");
        s.write("proj/.hfenv", "work\n");
        s.mkdir("proj/src/deep/er");
        s.mkdir("proj/tests");
        let mut c = Counted::new(&s, sh);
        c.ses.cd("proj/src").show("HF_TOKEN", "src");
        c.snap("a");
        c.ses
            .cd("proj/tests")
            .cd("proj/src/deep/er")
            .cd("proj")
            .cd("proj/src/deep")
            .cd("proj/tests");
        c.snap("b");
        c.ses.show("HF_TOKEN", "tests");
        // Leaving the region asks again.
        c.ses.cd("").show("HF_TOKEN", "home");
        c.snap("c");
        let o = c.ses.run();
        o.is("src", TOKEN_WORK);
        o.is("tests", TOKEN_WORK);
        o.unset("home");
        let log = c.log();
        assert_eq!(
            c.runs("a"),
            c.runs("b"),
            "a cd under the same pin ran hfenv:\n{log}"
        );
        assert!(
            c.runs("c") > c.runs("b"),
            "leaving did not run hfenv:\n{log}"
        );
    });
}

/// A directory name as hostile as the shell can type: spaces, glob characters, `$(…)`, quotes,
/// and (where the shell reads it from a script) a newline.
fn hostile_name(sh: Sh) -> &'static str {
    match sh {
        Sh::Nu => "we ird*[x]?$(id) 'q'",
        _ => "we ird*[x]?$(id) 'q'\nline",
    }
}

/// As hostile, but without a newline: fish's test falls back to an export for those.
const HOSTILE_PLAIN: &str = "pl ain*[x]?$(id) 'q' ..";

/// Item 6: a `cd` across anything that decides exports and gets the right profile: into a
/// nested pin, a `.env`, under a `[dirs]` rule, through a symlink, into hostile names — and
/// after each, back within the same outcome without a process.
#[test]
fn a_cd_across_what_decides_gets_the_right_profile() {
    each_shell(&ALL, |sh| {
        let s = Sandbox::new();
        three_profiles(&s, "");
        s.hfenv(&["use", "team"]).ok();
        s.write("proj/.hfenv", "work\n");
        s.mkdir("proj/src");
        s.write("proj/sub/.hfenv", "personal\n");
        s.mkdir("proj/sub/inner");
        s.write("proj/envdir/.env", "REGION_X=from-env\n");
        s.hfenv(&["allow", &s.path("proj/envdir/.env").display().to_string()])
            .ok();
        s.mkdir("proj/envdir/below");
        dir_rule(&s, "personal", "proj/ruled");
        s.mkdir("proj/ruled/below");
        // A link inside the project to a directory a rule gives to `personal`: the rule
        // matches the physical path there, and wins over the pin at the same depth.
        dir_rule(&s, "personal", "other");
        std::os::unix::fs::symlink(s.path("other"), s.path("proj/link")).unwrap();
        let hostile = hostile_name(sh);
        s.write(&format!("proj/{hostile}/.hfenv"), "team\n");
        s.mkdir(&format!("proj/{hostile}/in"));
        s.mkdir(&format!("proj/src/{HOSTILE_PLAIN}"));
        let cd_abs =
            |sh: Sh, rel: &str| format!("cd {}", quote_for(sh, &s.path(rel).display().to_string()));
        let mut c = Counted::new(&s, sh);
        c.ses.cd("proj/src").show("HF_TOKEN", "src");
        c.ses.cd("proj/sub/inner").show("HF_TOKEN", "sub");
        c.ses.cd("proj/envdir/below").show("REGION_X", "env");
        c.ses.cd("proj/src").show("REGION_X", "env_gone");
        c.ses.cd("proj/ruled/below").show("HF_TOKEN", "ruled");
        c.ses.cd("proj/link").show("HF_TOKEN", "link");
        c.ses.cd("").show("HF_TOKEN", "home_global");
        let l = cd_abs(sh, &format!("proj/{hostile}/in"));
        c.ses.line(&l).show("HF_TOKEN", "hostile");
        let l = cd_abs(sh, "proj/src");
        c.ses.line(&l).show("HF_TOKEN", "src2");
        c.snap("a");
        let l = cd_abs(sh, &format!("proj/src/{HOSTILE_PLAIN}"));
        c.ses.line(&l).show("HF_TOKEN", "hostile_plain");
        c.snap("b");
        let o = c.ses.run();
        o.is("src", TOKEN_WORK);
        o.is("sub", TOKEN_PERSONAL);
        o.is("env", "from-env");
        o.unset("env_gone");
        o.is("ruled", TOKEN_PERSONAL);
        o.is("link", TOKEN_PERSONAL);
        o.is("home_global", TOKEN_TEAM);
        o.is("hostile", TOKEN_TEAM);
        o.is("src2", TOKEN_WORK);
        o.is("hostile_plain", TOKEN_WORK);
        // A hostile name with nothing in it is still within the same outcome.
        assert_eq!(c.runs("a"), c.runs("b"), "{}", c.log());
        // Every cd above crossed something that decides: each one exported.
        assert!(c.runs("a") >= 9, "{}", c.log());
    });
}

/// Item 4: a `git checkout` of a branch with a `.hfenv` at the repository's root is seen at
/// the next prompt by a shell sitting deep in a subdirectory (the root is watched, whatever
/// the depth), with one export.
#[test]
fn a_pin_checked_out_at_the_repository_root_is_seen_from_a_subdirectory() {
    if !have("git") {
        return;
    }
    each_shell(&ALL, |sh| {
        let s = Sandbox::new();
        three_profiles(&s, "");
        s.mkdir("repo/src/deep");
        s.write("repo/src/deep/code.py", "print()\n");
        let git = |args: &[&str]| {
            Run::new(s.command("git", args))
                .dir(s.path("repo"))
                .env("GIT_AUTHOR_NAME", "t")
                .env("GIT_AUTHOR_EMAIL", "t@example.com")
                .env("GIT_COMMITTER_NAME", "t")
                .env("GIT_COMMITTER_EMAIL", "t@example.com")
                .ok()
        };
        git(&["init", "-q", "-b", "main"]);
        git(&["add", "."]);
        git(&["commit", "-q", "-m", "code"]);
        git(&["checkout", "-q", "-b", "pinned"]);
        s.write("repo/.hfenv", "work\n");
        git(&["add", ".hfenv"]);
        git(&["commit", "-q", "-m", "pin"]);
        git(&["checkout", "-q", "main"]);
        let mut c = Counted::new(&s, sh);
        c.ses.cd("repo/src/deep").show("HF_TOKEN", "before");
        c.prompts(3).snap("a");
        let caret = if sh == Sh::Nu { "^" } else { "" };
        c.ses.line(&format!("{caret}git checkout -q pinned"));
        c.ses.show("HF_TOKEN", "after");
        c.prompts(5).snap("b");
        c.ses.line(&format!("{caret}git checkout -q main"));
        c.ses.show("HF_TOKEN", "back");
        let o = c.ses.run();
        o.unset("before");
        o.is("after", TOKEN_WORK);
        o.unset("back");
        assert_eq!(c.runs("b"), c.runs("a") + 1, "{}", c.log());
    });
}

/// Item 4: what a steady prompt checks does not grow with depth: the lists the export hands the
/// hook hold as many entries at depth 200 as at depth 5.
#[test]
fn the_prompt_checks_as_much_at_depth_200_as_at_depth_5() {
    let s = Sandbox::new();
    three_profiles(&s, "");
    s.write("proj/.hfenv", "work\n");
    s.write("proj/.env", "A=1\n");
    s.hfenv(&["allow", &s.path("proj/.env").display().to_string()])
        .ok();
    let deep = |n: usize| {
        let rel: Vec<String> = (1..=n).map(|i| format!("d{i}")).collect();
        let rel = format!("proj/{}", rel.join("/"));
        s.mkdir(&rel)
    };
    let checks = |dir: &Path| -> (usize, String) {
        let out = s
            .hfenv(&["export", "bash", "--hook"])
            .dir(dir)
            .env("PWD", dir)
            .ok()
            .stdout;
        let mut n = 0;
        for line in out.lines() {
            for list in ["watch", "links", "absent", "here", "env"] {
                if let Some(items) = line.strip_prefix(&format!("__hfenv_{list}=(")) {
                    n += items.matches("' '").count() + usize::from(items != ")");
                }
            }
        }
        (n, out)
    };
    let (shallow, out5) = checks(&deep(5));
    let (deep200, out200) = checks(&deep(200));
    assert!(shallow > 0);
    assert_eq!(shallow, deep200, "depth 5:\n{out5}\ndepth 200:\n{out200}");
}

/// The known limit's safety net: a pin made by hand in a directory between the current one and
/// the working tree's root is not watched at a steady prompt (so the prompt's cost does not
/// grow with depth), but the next `cd` sees it, even one within the region.
#[test]
fn a_pin_made_between_the_directory_and_the_root_is_seen_at_the_next_cd() {
    each_shell(&ALL, |sh| {
        let s = Sandbox::new();
        three_profiles(&s, "");
        s.mkdir("proj/a/b/c");
        let mut c = Counted::new(&s, sh);
        c.ses.cd("proj/a/b").show("HF_TOKEN", "none");
        c.sh_c("echo work > ~/proj/.hfenv");
        c.ses.cd("proj/a/b/c").show("HF_TOKEN", "below");
        c.ses.cd("proj/a").show("HF_TOKEN", "above");
        let o = c.ses.run();
        o.unset("none");
        o.is("below", TOKEN_WORK);
        o.is("above", TOKEN_WORK);
    });
}

/// Times are compared for equality, not only for being newer: a pin or `.env` replaced by a
/// file renamed into place with an old date (`mv`, `cp -p`, an unpacked archive) is seen at the
/// next prompt, with one export.
#[test]
fn a_file_renamed_into_place_with_an_old_date_is_seen() {
    each_shell(&ALL, |sh| {
        let s = Sandbox::new();
        three_profiles(&s, "");
        s.write("proj/.hfenv", "work\n");
        s.write("proj/.env", "DATED=new\n");
        s.hfenv(&["allow", &s.path("proj/.env").display().to_string()])
            .ok();
        s.write("old.env", "DATED=old\n");
        s.hfenv(&["allow", &s.path("old.env").display().to_string()])
            .ok();
        let mut c = Counted::new(&s, sh);
        c.ses.cd("proj").show("HF_TOKEN", "t0").show("DATED", "d0");
        c.snap("a");
        c.sh_c("echo personal > ~/p2 && touch -d 2001-01-01 ~/p2 && mv ~/p2 ~/proj/.hfenv");
        c.ses.show("HF_TOKEN", "t1");
        c.snap("b");
        // Trust covers the content, wherever it was allowed: the old file's content is trusted.
        c.sh_c("touch -d 2001-01-01 ~/old.env && mv ~/old.env ~/proj/.env");
        c.ses.show("DATED", "d1");
        c.prompts(3).snap("c");
        let o = c.ses.run();
        o.is("t0", TOKEN_WORK);
        o.is("d0", "new");
        o.is("t1", TOKEN_PERSONAL);
        let log = c.log();
        assert_eq!(c.runs("b"), c.runs("a") + 1, "{log}");
        assert_eq!(c.runs("c"), c.runs("b") + 1, "{log}");
        // Either it loads (content allowed) or it is blocked: never the old value kept.
        assert_ne!(o.get("d1").as_deref(), Some("new"), "{}", o.transcript);
    });
}

/// A `.env` whose value reads `${PWD}` makes the answer depend on the directory itself: every
/// `cd` asks again, so each directory gets its own value.
#[test]
fn a_dotenv_reading_pwd_is_asked_again_at_every_cd() {
    each_shell(&ALL, |sh| {
        let s = Sandbox::new();
        three_profiles(&s, "");
        s.write("proj/.env", "WHERE=\"at ${PWD}\"\n");
        s.hfenv(&["allow", &s.path("proj/.env").display().to_string()])
            .ok();
        s.mkdir("proj/src");
        s.mkdir("proj/tests");
        let o = Session::new(&s, sh)
            .cd("proj/src")
            .show("WHERE", "src")
            .cd("proj/tests")
            .show("WHERE", "tests")
            .run();
        o.is("src", &format!("at {}", s.path("proj/src").display()));
        o.is("tests", &format!("at {}", s.path("proj/tests").display()));
    });
}

/// In the region test a candidate counts whatever it is: a dangling link or a FIFO named
/// `.env` in the new directory makes the `cd` ask the binary (which says it was not loaded).
#[test]
fn a_dangling_link_or_fifo_named_like_a_candidate_is_asked_about() {
    each_shell(&ALL, |sh| {
        let s = Sandbox::new();
        three_profiles(&s, "");
        s.write("proj/.hfenv", "work\n");
        s.mkdir("proj/src");
        s.mkdir("proj/dangling");
        std::os::unix::fs::symlink(s.path("nowhere"), s.path("proj/dangling/.env")).unwrap();
        s.mkdir("proj/fifo");
        let fifo = std::ffi::CString::new(s.path("proj/fifo/.env").display().to_string()).unwrap();
        // SAFETY: a valid C string.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        let mut c = Counted::new(&s, sh);
        c.ses.cd("proj/src").show("HF_TOKEN", "src");
        c.snap("a");
        c.ses.cd("proj/dangling");
        c.snap("b");
        c.ses.cd("proj/fifo").show("HF_TOKEN", "fifo");
        c.snap("c");
        let o = c.ses.run();
        o.is("src", TOKEN_WORK);
        o.is("fifo", TOKEN_WORK);
        let log = c.log();
        assert_eq!(c.runs("b"), c.runs("a") + 1, "{log}");
        assert_eq!(c.runs("c"), c.runs("b") + 1, "{log}");
        assert!(o.count("was not loaded") >= 2, "{}", o.transcript);
    });
}

/// Directory names that are not UTF-8 (bash and zsh type them as `$'\xff'`): the region test
/// cannot be handed such a path as text, so it falls back to an export, and the answer is right.
#[test]
fn directory_names_that_are_not_utf8_get_the_right_profile() {
    use std::os::unix::ffi::OsStrExt;
    each_shell(&[Sh::Bash, Sh::Zsh], |sh| {
        let s = Sandbox::new();
        three_profiles(&s, "");
        s.write("proj/.hfenv", "work\n");
        let odd = s.path("proj").join(std::ffi::OsStr::from_bytes(b"n\xffu"));
        std::fs::create_dir_all(odd.join("in")).unwrap();
        std::fs::write(odd.join(".hfenv"), "team\n").unwrap();
        let plain = s.path("proj").join(std::ffi::OsStr::from_bytes(b"p\xfel"));
        std::fs::create_dir_all(&plain).unwrap();
        let o = Session::new(&s, sh)
            .line("cd ~/proj/$'n\\xffu'/in")
            .show("HF_TOKEN", "odd")
            .line("cd ~/proj/$'p\\xfel'")
            .show("HF_TOKEN", "plain")
            .line("cd ~/proj/$'n\\xffu'")
            .show("HF_TOKEN", "odd2")
            .run();
        o.is("odd", TOKEN_TEAM);
        o.is("plain", TOKEN_WORK);
        o.is("odd2", TOKEN_TEAM);
    });
}

/// Item 6's bound: a walk of more than 12 levels below the deciding directory costs more lookups
/// than the one process it would save, so the hook asks the binary (one export per such `cd`,
/// the right profile), while a `cd` within 12 levels still starts nothing. In every shell.
#[test]
fn a_cd_deeper_than_the_walk_bound_asks_the_binary_once() {
    each_shell(&ALL, |sh| {
        let s = Sandbox::new();
        three_profiles(&s, "");
        s.write("proj/.hfenv", "work\n");
        let deep = (1..=13)
            .map(|i| format!("d{i}"))
            .collect::<Vec<_>>()
            .join("/");
        s.mkdir(&format!("proj/{deep}/x"));
        s.mkdir("proj/a/b");
        let mut c = Counted::new(&s, sh);
        c.ses.cd("proj").show("HF_TOKEN", "top");
        c.snap("a");
        c.ses.cd("proj/a/b");
        c.snap("b");
        c.ses.cd(&format!("proj/{deep}/x")).show("HF_TOKEN", "deep");
        c.snap("c");
        let o = c.ses.run();
        o.is("top", TOKEN_WORK);
        o.is("deep", TOKEN_WORK);
        let log = c.log();
        assert_eq!(
            c.runs("b"),
            c.runs("a"),
            "{sh:?}: a shallow cd ran hfenv:\n{log}"
        );
        assert_eq!(c.runs("c"), c.runs("b") + 1, "{sh:?}: a deep cd:\n{log}");
    });
}

/// The steady check is made from what the last export handed over, once per load and per `cd`
/// (bash, zsh: a `[[ ]]` over variables; fish: one `test`'s arguments). Under a directory whose
/// name is as hostile as the shell can type, with a pin and a `.env` there: steady prompts start
/// nothing, sourcing the hook again keeps the check (no process either), and an edit of each
/// file is seen at the next prompt with one export.
#[test]
fn the_steady_check_holds_hostile_paths_and_survives_sourcing_again() {
    each_shell(&POSIXISH, |sh| {
        let s = Sandbox::new();
        three_profiles(&s, "");
        let hostile = hostile_name(sh);
        s.write(&format!("{hostile}/.hfenv"), "work\n");
        let env = s.write(&format!("{hostile}/.env"), "STEADY=one\n");
        s.hfenv(&["allow", &env.display().to_string()]).ok();
        s.mkdir(&format!("{hostile}/src"));
        let mut c = Counted::new(&s, sh);
        let again = s.write("hook-again", c.ses.hook_text.as_deref().unwrap());
        let cd = format!(
            "cd {}",
            quote_for(sh, &s.path(&format!("{hostile}/src")).display().to_string())
        );
        c.ses.line(&cd).show("HF_TOKEN", "t0").show("STEADY", "e0");
        c.snap("a").prompts(5);
        c.ses.line(&format!(
            "source {}",
            quote_for(sh, &again.display().to_string())
        ));
        c.prompts(5).snap("b");
        // The same file, written in place through a link-free path the shell need not quote.
        std::os::unix::fs::symlink(s.path(hostile), s.path("plain")).unwrap();
        c.sh_c("echo personal > ~/plain/.hfenv");
        c.prompts(5).snap("c");
        c.ses.show("HF_TOKEN", "t1");
        c.sh_c("echo STEADY=two > ~/plain/.env");
        c.prompts(5).snap("d");
        c.ses.show("STEADY", "e1");
        let o = c.ses.run();
        o.is("t0", TOKEN_WORK);
        o.is("e0", "one");
        o.is("t1", TOKEN_PERSONAL);
        let log = c.log();
        assert_eq!(
            c.runs("b"),
            c.runs("a"),
            "a steady or re-sourced prompt ran hfenv:\n{log}"
        );
        assert_eq!(c.runs("c"), c.runs("b") + 1, "the pin's edit:\n{log}");
        assert_eq!(c.runs("d"), c.runs("c") + 1, "the .env's edit:\n{log}");
        // An edited `.env` is blocked until allowed again, or loaded: never the old value kept.
        assert_ne!(o.get("e1").as_deref(), Some("one"), "{}", o.transcript);
    });
}

/// `set -u` in the user's bash: the hook reads no unset variable, at a steady prompt, at a
/// `cd` within the region (where the variables the answer read are compared, some of them
/// unset), or on leaving.
#[test]
fn bash_with_nounset_says_nothing_and_gets_it_right() {
    each_shell(&[Sh::Bash], |sh| {
        let s = Sandbox::new();
        three_profiles(&s, "");
        s.write("proj/.hfenv", "work\n");
        s.mkdir("proj/src/deep");
        let mut c = Counted::new(&s, sh);
        c.ses.rc("set -u");
        c.ses.cd("proj").show("HF_TOKEN", "t0");
        c.snap("a").prompts(3);
        c.ses.cd("proj/src/deep").show("HF_TOKEN", "t1");
        c.prompts(3).snap("b");
        c.ses.cd("").show("HF_TOKEN", "t2");
        let o = c.ses.run();
        o.is("t0", TOKEN_WORK);
        o.is("t1", TOKEN_WORK);
        o.unset("t2");
        assert_eq!(o.count("unbound variable"), 0, "{}", o.transcript);
        assert_eq!(c.runs("b"), c.runs("a"), "{}", c.log());
    });
}

//! A sandbox per test: its own HOME and XDG directories, an environment cleared of every
//! variable except a few harmless ones, and a fluent way to run `hfenv` in it.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_hfenv");

/// Obviously fake tokens, long enough to be masked.
pub const TOKEN_WORK: &str = "hf_FakeWorkTokenAAAAAAAAAAAAAAAAAAA1111";
pub const TOKEN_PERSONAL: &str = "hf_FakePersonalTokenBBBBBBBBBBBBBBB2222";
pub const TOKEN_CI: &str = "hf_FakeCiTokenCCCCCCCCCCCCCCCCCCCCCC3333";
pub const TOKEN_TEAM: &str = "hf_FakeTeamTokenDDDDDDDDDDDDDDDDDDDD4444";

pub struct Sandbox {
    pub root: tempfile::TempDir,
    pub home: PathBuf,
    pub env: BTreeMap<String, OsString>,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox::new_in(&std::env::temp_dir())
    }

    /// A sandbox under `dir`: hooks watch every directory above the current one, so a test
    /// that counts what a quiet prompt does needs ancestors nobody else writes to (unlike /tmp).
    pub fn new_in(dir: &Path) -> Sandbox {
        let root = tempfile::Builder::new()
            .prefix("hfenv-test")
            .tempdir_in(dir)
            .expect("tempdir");
        // Canonical, so paths printed by hfenv compare equal to ours (macOS /var -> /private/var).
        let base = root.path().canonicalize().expect("canonical tempdir");
        let home = base.join("home");
        std::fs::create_dir_all(&home).unwrap();
        // An interactive fish that finds no generated completions starts a background Python
        // job parsing every man page; dozens of test sessions would leave dozens running.
        std::fs::create_dir_all(home.join(".local/share/fish/generated_completions")).unwrap();
        let mut env = BTreeMap::new();
        env.insert("HOME".into(), home.clone().into());
        env.insert("XDG_CONFIG_HOME".into(), home.join(".config").into());
        env.insert("XDG_STATE_HOME".into(), home.join(".local/state").into());
        env.insert("XDG_CACHE_HOME".into(), home.join(".cache").into());
        env.insert("XDG_DATA_HOME".into(), home.join(".local/share").into());
        env.insert("PATH".into(), std::env::var_os("PATH").unwrap_or_default());
        env.insert("LANG".into(), "C.UTF-8".into());
        env.insert("TERM".into(), "dumb".into());
        env.insert("SHELL".into(), "/bin/sh".into());
        // Nothing reaches the internet: a Hub is only ever a loopback server a test starts.
        env.insert("HF_ENDPOINT".into(), "http://127.0.0.1:9".into());
        env.insert("HF_HUB_DISABLE_UPDATE_CHECK".into(), "1".into());
        // No test reaches the desktop's own keyring: a credential store is only ever a private
        // Secret Service a test starts (tests/it/keychain.rs).
        env.insert(
            "DBUS_SESSION_BUS_ADDRESS".into(),
            format!("unix:path={}", base.join("no-bus").display()).into(),
        );
        Sandbox { root, home, env }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.home.join(rel)
    }

    pub fn config_path(&self) -> PathBuf {
        self.home.join(".config/hfenv/config.toml")
    }

    pub fn state_dir(&self) -> PathBuf {
        self.home.join(".local/state/hfenv")
    }

    pub fn write(&self, rel: &str, content: &str) -> PathBuf {
        let p = self.home.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, content).unwrap();
        p
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.home.join(rel)).unwrap()
    }

    pub fn mkdir(&self, rel: &str) -> PathBuf {
        let p = self.home.join(rel);
        std::fs::create_dir_all(&p).unwrap();
        p
    }

    pub fn write_config(&self, content: &str) {
        let p = self.config_path();
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }

    pub fn config(&self) -> String {
        std::fs::read_to_string(self.config_path()).unwrap_or_default()
    }

    pub fn set_env(&mut self, key: &str, value: impl Into<OsString>) {
        self.env.insert(key.into(), value.into());
    }

    pub fn hfenv(&self, args: &[&str]) -> Run {
        Run::new(self.command(BIN, args)).in_sandbox(self)
    }

    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Command {
        let mut cmd = Command::new(program);
        cmd.args(args)
            .env_clear()
            .envs(&self.env)
            .current_dir(&self.home);
        cmd
    }

    /// Adds a profile with an inline token, without asking the (absent) Hub.
    pub fn add_inline(&self, name: &str, token: &str) {
        self.hfenv(&["add", name, "--token-stdin", "--no-verify"])
            .stdin(&format!("{token}\n"))
            .ok();
    }
}

/// The profiles most tests use: `work`, `personal` and `team`, inline, then `extra`.
pub fn three_profiles(s: &Sandbox, extra: &str) {
    s.write_config(&format!(
        "[profiles.work]\ntoken = \"{TOKEN_WORK}\"\n\n[profiles.personal]\ntoken = \"{TOKEN_PERSONAL}\"\n\n[profiles.team]\ntoken = \"{TOKEN_TEAM}\"\n\n{extra}"
    ));
}

/// A `[dirs]` rule: the directory `rel` (made) uses profile `name`.
pub fn dir_rule(s: &Sandbox, name: &str, rel: &str) {
    s.mkdir(rel);
    s.hfenv(&["use", name, "--dir", &s.path(rel).display().to_string()])
        .ok();
}

impl Sandbox {
    /// The hooked-shell tests' usual start: the three profiles, and `work` in `~/rel`.
    pub fn with_work_in(rel: &str) -> Sandbox {
        let s = Sandbox::new();
        three_profiles(&s, "");
        dir_rule(&s, "work", rel);
        s
    }

    /// The token `hfenv token -p PROFILE` prints, which must succeed.
    pub fn token_of(&self, profile: &str) -> String {
        self.hfenv(&["token", "-p", profile])
            .ok()
            .stdout
            .trim()
            .to_string()
    }

    /// Runs `git` in `dir` and insists on success.
    pub fn git(&self, dir: &Path, args: &[&str]) {
        let out = self.command("git", args).current_dir(dir).output().unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// What `git credential fill` answers in `dir` for `input` (hfenv is the helper there).
    pub fn git_credential_fill(&self, dir: &Path, input: &str) -> String {
        let mut cmd = self.command("git", &["credential", "fill"]);
        cmd.current_dir(dir)
            .env("PWD", dir)
            .env("GIT_TERMINAL_PROMPT", "0")
            .env_remove("HF_ENDPOINT");
        let out = spawn_with_input(&mut cmd, input)
            .wait_with_output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// An executable that says `fake`: a stand-in `hf` or `huggingface-cli` on PATH.
pub fn fake_exe(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, "#!/bin/sh\necho fake\n").unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The first line of `text` holding `needle`.
#[track_caller]
pub fn line_with<'a>(text: &'a str, needle: &str) -> &'a str {
    text.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in:\n{text}"))
}

/// The finding of a report (`doctor`) whose first line holds `needle`: that line and the
/// lines indented under it (its fix), each ending in a newline.
#[track_caller]
pub fn finding(text: &str, needle: &str) -> String {
    let mut lines = text.lines().skip_while(|l| !l.contains(needle));
    let first = lines
        .next()
        .unwrap_or_else(|| panic!("no line with {needle:?} in:\n{text}"));
    let indent = first.len() - first.trim_start().len();
    let mut out = format!("{first}\n");
    for l in lines.take_while(|l| l.len() - l.trim_start().len() > indent && !l.trim().is_empty()) {
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// Asserts the whole finding for `needle` (see [`finding`]): its mark, words and fix.
#[track_caller]
pub fn assert_finding(text: &str, needle: &str, want: impl AsRef<str>) {
    let got = finding(text, needle);
    if let Some(record) = std::env::var_os("HFENV_TEST_RECORD") {
        record_outcome(&record, &(None, got, String::new()));
        return;
    }
    assert!(
        got == want.as_ref(),
        "the finding for {needle:?} (- expected, + got):\n{}got, to paste: {}\nin:\n{text}",
        diff(want.as_ref(), &got),
        literal(&got)
    );
}

/// Waits for `child` at most `secs` (a guard against hanging the suite, not a measure of
/// speed); kills it and fails naming `what` past that.
pub fn wait_or_kill(child: &mut std::process::Child, secs: u64, what: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("{what} did not finish within {secs}s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Runs `program` (a shell, say) on a pseudo-terminal, typing `lines` into it, and waits for
/// it to end (at most `secs`). Its input stays open until then, so the terminal does not see
/// the end of input before the program has read its lines.
pub fn on_a_pty(s: &Sandbox, program: &str, lines: &[&str], secs: u64) {
    use std::io::Write;
    let mut child = s
        .command("script", &["-qfec", program, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for line in lines {
        writeln!(stdin, "{line}").unwrap();
    }
    wait_or_kill(&mut child, secs, program);
}

/// What `command` prints in a new interactive bash (hooked through `~/.bashrc`, when the
/// test wrote one) on a pseudo-terminal.
pub fn hooked_bash(s: &Sandbox, command: &str) -> String {
    let out_file = s.path("hooked-out");
    let line = format!("{{ {command}; }} > {} 2>&1; exit", out_file.display());
    on_a_pty(s, "bash -i", &[&line], 30);
    std::fs::read_to_string(&out_file).unwrap_or_default()
}

/// A PATH of a directory holding only `tools` (linked to the real ones) and the system
/// directories, so that no `hf` of the machine's leaks into a test.
pub fn tool_path(s: &Sandbox, tools: &[&str]) -> String {
    let bin = s.root.path().join("toolbin");
    std::fs::create_dir_all(&bin).unwrap();
    for tool in tools {
        if let Some(real) = real_tool(tool) {
            let _ = std::os::unix::fs::symlink(real, bin.join(tool));
        }
    }
    format!("{}:/usr/bin:/bin", bin.display())
}

/// The real program, resolved in the test's own environment (pyenv shims need the real HOME).
pub fn real_tool(tool: &str) -> Option<PathBuf> {
    if tool == "python3" {
        let out = Command::new("python3")
            .args(["-c", "import sys; print(sys.executable)"])
            .output()
            .ok()?;
        let p = String::from_utf8_lossy(&out.stdout).trim().to_string();
        return (!p.is_empty()).then(|| PathBuf::from(p));
    }
    which::which(tool).ok()
}

/// Makes a FIFO at `path`: a file no read of hfenv's may wait on.
pub fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {path:?}");
}

pub struct Run {
    pub cmd: Command,
    stdin: Option<Vec<u8>>,
    /// What `expect` writes in place of text that changes from run to run, longest first.
    placeholders: Vec<(String, String)>,
    /// Whether `expect` reads times of day (`2026-01-31 12:00 UTC`) as `DATE UTC`.
    dates: bool,
}

pub struct Done {
    pub output: Output,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Any command, run with the same fluent helpers.
    pub fn new(cmd: Command) -> Run {
        Run {
            cmd,
            stdin: None,
            placeholders: Vec::new(),
            dates: false,
        }
    }

    /// The sandbox's temporary paths read `$HOME` (its home) and `$ROOT` (the directory
    /// around it) in what `expect` compares.
    pub fn in_sandbox(self, s: &Sandbox) -> Run {
        let root = s.home.parent().unwrap().display().to_string();
        self.placeholder(&s.home.display().to_string(), "$HOME")
            .placeholder(&root, "$ROOT")
    }

    /// `expect` compares the output with `text` written as `placeholder`: a temporary path, a
    /// masked token made up by the test, a port.
    pub fn placeholder(mut self, text: &str, placeholder: &str) -> Run {
        self.placeholders.push((text.into(), placeholder.into()));
        self.placeholders
            .sort_by_key(|(text, _)| std::cmp::Reverse(text.len()));
        self
    }

    /// `expect` reads each UTC time of day hfenv prints (`2026-01-31 12:00 UTC`, an expiry
    /// relative to the test's clock) as `DATE UTC`.
    pub fn placeholder_dates(mut self) -> Run {
        self.dates = true;
        self
    }

    /// Runs and checks the whole outcome: the exit code, and stdout and stderr to the letter
    /// (after placeholders), as just's test builder does. A message is the behaviour: a
    /// fragment would still pass after a wording change. Returns the run for further checks.
    #[track_caller]
    pub fn expect(self, code: i32, stdout: impl AsRef<str>, stderr: impl AsRef<str>) -> Done {
        self.expect_parts(code, Some(stdout.as_ref()), stderr.as_ref())
    }

    #[track_caller]
    fn expect_parts(self, code: i32, stdout: Option<&str>, stderr: &str) -> Done {
        let cmdline = format!("{:?}", self.cmd);
        let placeholders = self.placeholders.clone();
        let dates = self.dates;
        let done = self.run();
        let normal = |text: &str| {
            let text = placeholders
                .iter()
                .fold(text.to_string(), |t, (from, to)| t.replace(from, to));
            if dates {
                without_dates(&text)
            } else {
                text
            }
        };
        let got = (
            done.output.status.code(),
            normal(&done.stdout),
            normal(&done.stderr),
        );
        let want = (Some(code), stdout.unwrap_or(&got.1), stderr);
        if let Some(record) = std::env::var_os("HFENV_TEST_RECORD") {
            record_outcome(&record, &got);
            return done;
        }
        if (got.0, got.1.as_str(), got.2.as_str()) != want {
            panic!(
                "`{cmdline}`\nexit code: expected {:?}, got {:?}\nstdout (- expected, + got):\n{}stderr (- expected, + got):\n{}got, to paste: {}, {}, {}",
                want.0,
                got.0,
                diff(want.1, &got.1),
                diff(want.2, &got.2),
                got.0.unwrap_or(-1),
                literal(&got.1),
                literal(&got.2),
            );
        }
        done
    }

    /// The exit code and the whole stderr, for output whose stdout is checked apart: a hook's
    /// script carries bookkeeping that differs per run, JSON is compared as data.
    #[track_caller]
    pub fn expect_notices(self, code: i32, stderr: impl AsRef<str>) -> Done {
        self.expect_parts(code, None, stderr.as_ref())
    }

    /// `expect` for a command that prints nothing on stdout: a failure, or a notice only.
    #[track_caller]
    pub fn expect_stderr(self, code: i32, stderr: impl AsRef<str>) -> Done {
        self.expect(code, "", stderr)
    }

    pub fn stdin(mut self, input: &str) -> Run {
        self.stdin = Some(input.as_bytes().to_vec());
        self
    }

    pub fn env(mut self, k: &str, v: impl AsRef<std::ffi::OsStr>) -> Run {
        self.cmd.env(k, v);
        self
    }

    pub fn env_remove(mut self, k: &str) -> Run {
        self.cmd.env_remove(k);
        self
    }

    pub fn dir(mut self, dir: impl AsRef<Path>) -> Run {
        self.cmd.current_dir(dir.as_ref());
        self.cmd.env("PWD", dir.as_ref());
        self
    }

    pub fn run(mut self) -> Done {
        self.cmd.stdin(if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        self.cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = self.cmd.spawn().expect("spawn hfenv");
        if let Some(input) = self.stdin.take() {
            let mut stdin = child.stdin.take().unwrap();
            std::thread::spawn(move || {
                let _ = stdin.write_all(&input);
            });
        }
        let output = child.wait_with_output().expect("wait");
        Done {
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            output,
        }
    }

    /// Runs and insists on success.
    pub fn ok(self) -> Done {
        let cmdline = format!("{:?}", self.cmd);
        let done = self.run();
        assert!(
            done.output.status.success(),
            "`{cmdline}` failed ({}).\nstdout:\n---\n{}---\nstderr:\n---\n{}---",
            done.output.status,
            done.stdout,
            done.stderr
        );
        done
    }

    /// Runs and insists on the given exit code.
    pub fn code(self, code: i32) -> Done {
        let cmdline = format!("{:?}", self.cmd);
        let done = self.run();
        assert_eq!(
            done.output.status.code(),
            Some(code),
            "`{cmdline}`\nstdout:\n---\n{}---\nstderr:\n---\n{}---",
            done.stdout,
            done.stderr
        );
        done
    }
}

/// Whether an external tool the tests need is present. In CI (`CI=true`) a missing tool is a
/// failure, never a silent skip.
pub fn have(tool: &str) -> bool {
    let found = which::which(tool).is_ok();
    if !found {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("`{tool}` is required in CI but was not found on PATH");
        }
        eprintln!("skipping: `{tool}` is not installed");
    }
    found
}

/// Asserts that no whole fake token appears in some output.
#[track_caller]
pub fn assert_no_token(text: &str) {
    for t in [TOKEN_WORK, TOKEN_PERSONAL, TOKEN_CI, TOKEN_TEAM] {
        assert!(
            !text.contains(t),
            "a whole token leaked into output:\n{text}"
        );
    }
}

/// The `__HFENV_STATE` marker a hook-mode `export bash` printed, for handing back to the next
/// run the way the shell would.
pub fn marker_in(stdout: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("export __HFENV_STATE="))
        .expect("export printed a marker")
        .trim_matches('\'')
        .to_string()
}

impl Sandbox {
    /// What the real python-dotenv's `dotenv_values()` gives for `file`, as JSON.
    pub fn python_dotenv_values(&self, file: &Path) -> serde_json::Value {
        let out = self
            .command(
                "python3",
                &["-c", "import json,sys; from dotenv import dotenv_values; print(json.dumps(dotenv_values(sys.argv[1])))", file.to_str().unwrap()],
            )
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "python-dotenv failed (installed?): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

/// Starts `cmd` with `input` on its standard input and both outputs captured.
pub fn spawn_with_input(cmd: &mut Command, input: &str) -> std::process::Child {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child
}

/// How many times `path` was opened while `during` ran, counted by the kernel (inotify), so a
/// test can say "read once" without timing anything.
pub fn opens_of<T>(path: &Path, during: impl FnOnce() -> T) -> (usize, T) {
    use std::os::unix::ffi::OsStrExt;
    let fd = unsafe { libc::inotify_init1(libc::IN_NONBLOCK | libc::IN_CLOEXEC) };
    assert!(fd >= 0, "inotify: {}", std::io::Error::last_os_error());
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // Closes are watched too: the kernel folds identical events that follow each other, and
    // an open-close-open-close run has none.
    let wd =
        unsafe { libc::inotify_add_watch(fd, c_path.as_ptr(), libc::IN_OPEN | libc::IN_CLOSE) };
    assert!(
        wd >= 0,
        "inotify {path:?}: {}",
        std::io::Error::last_os_error()
    );
    let result = during();
    let mut opens = 0;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        if n <= 0 {
            break;
        }
        let mut at = 0;
        while at < n as usize {
            let event: libc::inotify_event =
                unsafe { std::ptr::read_unaligned(buf[at..].as_ptr().cast()) };
            assert!(
                event.mask & libc::IN_Q_OVERFLOW == 0,
                "{path:?} was opened more often than inotify can count"
            );
            if event.mask & libc::IN_OPEN != 0 {
                opens += 1;
            }
            at += std::mem::size_of::<libc::inotify_event>() + event.len as usize;
        }
    }
    unsafe { libc::close(fd) };
    (opens, result)
}

/// Lines joined as a command prints them, each ending in a newline: multi-line expectations
/// read as the output does.
pub fn lines(lines: &[&str]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// A line diff of `want` and `got` (`-` expected, `+` got), the lines they share unmarked.
pub fn diff(want: &str, got: &str) -> String {
    if want == got {
        return "  (as expected)\n".into();
    }
    let (a, b): (Vec<&str>, Vec<&str>) = (
        want.split_inclusive('\n').collect(),
        got.split_inclusive('\n').collect(),
    );
    // Longest common subsequence, from the end; outputs are short.
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut out = String::new();
    let mut line = |mark: char, l: &str| {
        let shown = l
            .strip_suffix('\n')
            .map_or(format!("{l:?} (no newline)"), |l| l.to_string());
        out.push_str(&format!("{mark} {shown}\n"));
    };
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            line(' ', a[i]);
            (i, j) = (i + 1, j + 1);
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            line('+', b[j]);
            j += 1;
        } else {
            line('-', a[i]);
            i += 1;
        }
    }
    out
}

/// `text` as Rust source for an expectation: a literal, or `lines(&[…])` when it has several.
pub fn literal(text: &str) -> String {
    let quote = |l: &str| {
        let mut q = String::from("\"");
        for c in l.chars() {
            match c {
                '"' => q.push_str("\\\""),
                '\\' => q.push_str("\\\\"),
                '\n' => q.push_str("\\n"),
                '\t' => q.push_str("\\t"),
                c if c.is_control() => q.push_str(&format!("\\u{{{:x}}}", c as u32)),
                c => q.push(c),
            }
        }
        q.push('"');
        q
    };
    match text.strip_suffix('\n') {
        Some(body) if body.contains('\n') => {
            let ls: Vec<String> = body.split('\n').map(quote).collect();
            format!("lines(&[{}])", ls.join(", "))
        }
        _ => quote(text),
    }
}

/// With `HFENV_TEST_RECORD=FILE`, `expect` records what it got (for writing expectations)
/// instead of comparing.
#[track_caller]
fn record_outcome(file: &std::ffi::OsStr, got: &(Option<i32>, String, String)) {
    let at = std::panic::Location::caller();
    let line = serde_json::json!({
        "file": at.file(),
        "line": at.line(),
        "code": got.0,
        "stdout": literal(&got.1),
        "stderr": literal(&got.2),
    });
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
        .unwrap();
    writeln!(f, "{line}").unwrap();
}

/// `text` with each `YYYY-MM-DD HH:MM UTC` written `DATE UTC`.
pub fn without_dates(text: &str) -> String {
    const SHAPE: &[u8] = b"0000-00-00 00:00 UTC";
    let fits = |at: &[u8]| {
        at.len() >= SHAPE.len()
            && SHAPE.iter().zip(at).all(|(s, c)| {
                if *s == b'0' {
                    c.is_ascii_digit()
                } else {
                    s == c
                }
            })
    };
    let mut out = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        if fits(rest.as_bytes()) {
            out.push_str("DATE UTC");
            rest = &rest[SHAPE.len()..];
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

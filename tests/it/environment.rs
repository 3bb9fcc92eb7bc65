//! What `hfenv export` wants for a directory, checked at the binary level (the real-shell
//! tests in `shells` cover the same ground through bash, zsh and fish).

use crate::support::*;

fn json(s: &Sandbox, dir: &std::path::Path) -> serde_json::Value {
    let out = s.hfenv(&["export", "json"]).dir(dir).ok();
    serde_json::from_str(&out.stdout).unwrap()
}

#[test]
fn dotenv_is_blocked_until_allowed_and_again_after_an_edit() {
    let s = Sandbox::new();
    let proj = s.mkdir("proj/sub");
    s.write("proj/.env", "GREETING=hello\n");
    let out = s.hfenv(&["export", "json"]).dir(&proj).expect_notices(
        0,
        "hfenv: `$HOME/proj/.env` is blocked — run `hfenv allow $HOME/proj/.env` to load it\n",
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out.stdout).unwrap()["GREETING"],
        serde_json::Value::Null
    );

    s.hfenv(&["allow"]).dir(s.path("proj")).ok();
    assert_eq!(json(&s, &proj)["GREETING"], "hello");

    s.write("proj/.env", "GREETING=changed\n");
    // An edited file is blocked again.
    s.hfenv(&["export", "json"])
        .dir(&proj)
        .expect_notices(0, "hfenv: `$HOME/proj/.env` changed since you allowed it — run `hfenv allow $HOME/proj/.env` to load it\n");
    s.hfenv(&["allow", "../.env"]).dir(&proj).ok();
    assert_eq!(json(&s, &proj)["GREETING"], "changed");

    s.hfenv(&["deny"]).dir(s.path("proj")).ok();
    // A denied file is silent.
    let out = s
        .hfenv(&["export", "json"])
        .dir(&proj)
        .expect_notices(0, "");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out.stdout).unwrap()["GREETING"],
        serde_json::Value::Null
    );
}

#[test]
fn nearer_dotenv_wins_and_search_stops_at_home() {
    let s = Sandbox::new();
    let deep = s.mkdir("a/b/c");
    s.write("a/.env", "A=outer\nB=outer\n");
    s.write("a/b/c/.env", "B=inner\nC=${A}-${B}\n");
    // Above the home directory: must not be read.
    std::fs::write(s.home.parent().unwrap().join(".env"), "OUTSIDE=1\n").unwrap();
    s.hfenv(&["allow", "a/.env", "a/b/c/.env"]).ok();
    let v = json(&s, &deep);
    assert_eq!(v["A"], "outer");
    assert_eq!(v["B"], "inner");
    assert_eq!(v["C"], "outer-inner");
    assert!(v.get("OUTSIDE").is_none());
}

#[test]
fn dotenv_values_equal_python_dotenv_end_to_end() {
    if !have("python3") {
        return;
    }
    let s = Sandbox::new();
    let dir = s.mkdir("proj");
    let content = "# comment\nexport A=plain\nB='single ${A}'\nC=\"double\\ttab\\nnl ${A} ${MISSING:-dflt}\"\nD=unquoted value # comment\nE=\"multi\nline\"\nF=$A\nG=${HOME}/x\n";
    let file = s.write("proj/.env", content);
    s.hfenv(&["allow"]).dir(&dir).ok();
    let ours = json(&s, &dir);
    let theirs = s.python_dotenv_values(&file);
    let theirs = theirs.as_object().unwrap();
    for (k, v) in theirs {
        assert_eq!(&ours[k], v, "{k}");
    }
}

#[test]
fn dotenv_cannot_override_the_profile_token_or_endpoint() {
    let s = Sandbox::new();
    s.add_inline("work", TOKEN_WORK);
    s.hfenv(&["use", "work"]).ok();
    let dir = s.mkdir("proj");
    s.write(
        "proj/.env",
        &format!("HF_TOKEN={TOKEN_PERSONAL}\nHF_ENDPOINT=https://evil.example\nOTHER=1\n"),
    );
    s.hfenv(&["allow"]).dir(&dir).ok();
    let out = s.hfenv(&["export", "json"]).dir(&dir).ok();
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["HF_TOKEN"], TOKEN_WORK);
    assert!(v.get("HF_ENDPOINT").is_none());
    assert_eq!(v["OTHER"], "1");
    let owned = "the active profile owns it; set it in the profile instead";
    assert_eq!(
        out.stderr,
        format!(
            "hfenv: `{}`: not set: `HF_TOKEN` ({owned}), `HF_ENDPOINT` ({owned}) — the rest applies\n",
            dir.join(".env").display()
        )
    );
}

#[test]
fn fifo_and_huge_files_never_hang() {
    let s = Sandbox::new();
    let dir = s.mkdir("proj");
    let fifo = dir.join(".env");
    mkfifo(&fifo);
    s.hfenv(&["export", "json"]).dir(&dir).expect(
        0,
        "{}\n",
        "hfenv: `$HOME/proj/.env` was not loaded: not a regular file\n",
    );
    std::fs::remove_file(&fifo).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &fifo).unwrap();
    s.hfenv(&["export", "json"]).dir(&dir).expect(
        0,
        "{}\n",
        "hfenv: `$HOME/proj/.env` was not loaded: not a regular file\n",
    );
}

/// The hook hands the marker back at each run; notices are said once per change.
#[test]
fn blocked_notice_is_said_once_per_change() {
    let s = Sandbox::new();
    let dir = s.mkdir("proj");
    s.write("proj/.env", "A=1\n");
    let first = s
        .hfenv(&["export", "bash", "--hook"])
        .dir(&dir)
        .expect_notices(
            0,
            "hfenv: `$HOME/proj/.env` is blocked — run `hfenv allow $HOME/proj/.env` to load it\n",
        );
    let marker = marker_in(&first.stdout);
    // Not repeated.
    s.hfenv(&["export", "bash", "--hook"])
        .dir(&dir)
        .env("__HFENV_STATE", &marker)
        .expect_notices(0, "");
    s.write("proj/.env", "A=2\n");
    // An edit is a change: said once more.
    s.hfenv(&["export", "bash", "--hook"])
        .dir(&dir)
        .env("__HFENV_STATE", &marker)
        .expect_notices(
            0,
            "hfenv: `$HOME/proj/.env` is blocked — run `hfenv allow $HOME/proj/.env` to load it\n",
        );
    s.write("proj2/.env", "B=1\n");
    s.hfenv(&["export", "bash", "--hook"])
        .dir(s.path("proj2"))
        .env("__HFENV_STATE", &marker)
        .expect_notices(0, "hfenv: `$HOME/proj2/.env` is blocked — run `hfenv allow $HOME/proj2/.env` to load it\n");
}

#[test]
fn marker_and_bookkeeping_hold_no_token() {
    let mut s = Sandbox::new();
    s.add_inline("work", TOKEN_WORK);
    s.hfenv(&["use", "work"]).ok();
    s.set_env("HF_TOKEN", TOKEN_PERSONAL);
    let out = s.hfenv(&["export", "bash", "--hook"]).ok();
    let bookkeeping: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| !l.starts_with("export HF_TOKEN="))
        .collect();
    assert_no_token(&bookkeeping.join("\n"));
    assert!(out
        .stdout
        .contains(&format!("export HF_TOKEN='{TOKEN_WORK}'")));
}

#[test]
fn unknown_profile_in_a_pin_warns_and_exports_nothing() {
    let mut s = Sandbox::new();
    s.add_inline("work", TOKEN_WORK);
    s.hfenv(&["use", "work"]).ok();
    s.write("proj/.hfenv", "nosuch\n");
    s.set_env("HF_TOKEN", TOKEN_PERSONAL);
    let out = s
        .hfenv(&["export", "json"])
        .dir(s.path("proj"))
        .expect_notices(0, "hfenv: profile `nosuch` (pin file `$HOME/proj/.hfenv`) does not exist, so no token is exported — known profiles: `work`\n");
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(v.get("HF_TOKEN").is_none(), "{v}");
}

#[test]
fn pins_precedence_deepest_wins_and_config_wins_a_tie() {
    let s = Sandbox::new();
    s.add_inline("work", TOKEN_WORK);
    s.add_inline("personal", TOKEN_PERSONAL);
    s.add_inline("ci", TOKEN_CI);
    s.hfenv(&["use", "ci"]).ok();
    s.mkdir("a/b/c");
    s.hfenv(&["use", "work", "--dir", "a"]).ok();
    s.write("a/b/.hfenv", "personal\n");
    let at = |rel: &str| json(&s, &s.path(rel))["HFENV_PROFILE"].clone();
    assert_eq!(at("a"), "work");
    assert_eq!(at("a/b/c"), "personal");
    assert_eq!(at("."), "ci");
    s.hfenv(&["use", "work", "--dir", "a/b"]).ok();
    assert_eq!(at("a/b/c"), "work");
    let shell = s
        .hfenv(&["export", "json"])
        .dir(s.path("a/b/c"))
        .env("HFENV_SHELL_PROFILE", "ci")
        .ok();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&shell.stdout).unwrap()["HFENV_PROFILE"],
        "ci"
    );
}

#[test]
fn token_command_runs_once_per_activation() {
    let s = Sandbox::new();
    let counter = s.path("runs");
    s.write_config(&format!(
        "[profiles.vault]\ntoken_command = \"echo run >> '{}'; echo {TOKEN_WORK}\"\n",
        counter.display()
    ));
    s.hfenv(&["use", "vault"]).ok();
    let first = s.hfenv(&["export", "bash", "--hook"]).ok();
    let marker = marker_in(&first.stdout);
    s.mkdir("sub");
    // The shell now has the token the hook set; a `cd` within the profile reuses it.
    s.hfenv(&["export", "bash", "--hook"])
        .dir(s.path("sub"))
        .env("__HFENV_STATE", &marker)
        .env("HF_TOKEN", TOKEN_WORK)
        .ok();
    assert_eq!(
        std::fs::read_to_string(&counter).unwrap().lines().count(),
        1
    );
}

/// Thousands of `.env` keys must not turn the exported marker into a variable too big for
/// `execve` (E2BIG would break every command in the shell).
#[test]
fn a_huge_dotenv_keeps_the_exported_marker_small() {
    let s = Sandbox::new();
    let dir = s.mkdir("proj");
    let content: String = (0..10_000)
        .map(|i| format!("KEY_{i:05}=value-{i}\n"))
        .collect();
    s.write("proj/.env", &content);
    s.hfenv(&["allow"]).dir(&dir).ok();
    let out = s.hfenv(&["export", "bash", "--hook"]).dir(&dir).ok();
    let marker = marker_in(&out.stdout);
    assert!(marker.len() < 512, "marker is {} bytes", marker.len());
    // The spilled list is read back: leaving restores every key.
    let env: Vec<(String, String)> = (0..10_000)
        .map(|i| (format!("KEY_{i:05}"), format!("value-{i}")))
        .collect();
    let mut run = s
        .hfenv(&["export", "bash", "--hook"])
        .dir(&s.home)
        .env("__HFENV_STATE", &marker);
    for (k, v) in &env {
        run = run.env(k, v);
    }
    let out = run.ok();
    assert_eq!(out.stdout.matches("unset KEY_").count(), 10_000);
}

#[test]
fn every_line_python_dotenv_cannot_parse_gets_a_notice() {
    let s = Sandbox::new();
    let dir = s.mkdir("proj");
    s.write("proj/.env", "A=1\n\nnot a binding\nB=\"unclosed\nC=2\n");
    s.hfenv(&["allow"]).dir(&dir).ok();
    let out = s.hfenv(&["export", "json"]).dir(&dir).ok();
    let file = dir.join(".env");
    let file = file.display();
    assert_eq!(
        out.stderr,
        format!(
            "hfenv: `{file}:3`: python-dotenv cannot parse this line, so it is skipped — fix or remove it\n\
             hfenv: `{file}:4`: python-dotenv cannot parse this line, so it is skipped — fix or remove it\n"
        )
    );
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!((&v["A"], &v["C"]), (&"1".into(), &"2".into()));

    // Many bad lines: the first few by line, then one count.
    s.write("proj/.env", &"bad line\n".repeat(10));
    s.hfenv(&["allow"]).dir(&dir).ok();
    let out = s.hfenv(&["export", "json"]).dir(&dir).ok();
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(
        lines,
        [
            format!("hfenv: `{file}:1`: python-dotenv cannot parse this line, so it is skipped — fix or remove it"),
            format!("hfenv: `{file}:2`: python-dotenv cannot parse this line, so it is skipped — fix or remove it"),
            format!("hfenv: `{file}:3`: python-dotenv cannot parse this line, so it is skipped — fix or remove it"),
            format!("hfenv: `{file}`: 7 more lines python-dotenv cannot parse are skipped (lines 4 to 10)"),
        ]
    );
}

#[test]
fn dotenv_reads_as_python_dotenv_1_2_4() {
    let s = Sandbox::new();
    let dir = s.mkdir("proj");
    s.write(
        "proj/.env",
        "\u{feff}FIRST=1\nWIN=\"C:\\\\Users\\\\\"\nEMPTY= # a comment\nGLUED=#kept\n",
    );
    s.hfenv(&["allow"]).dir(&dir).ok();
    let out = s.hfenv(&["export", "json"]).dir(&dir).ok();
    assert_eq!(out.stderr, "");
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["FIRST"], "1");
    assert_eq!(v["WIN"], "C:\\Users\\");
    assert_eq!(v["EMPTY"], "");
    assert_eq!(v["GLUED"], "#kept");
}

//! `hfenv doctor`, `hfenv whoami` and `hfenv add` verification against a scripted Hub on
//! loopback, and the PATH scenarios (a fake `hf` and the real one from `pip install --user`).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::hubmock::{HubMock, Reply};
use crate::support::*;

/// A sandbox with a controlled PATH, a fake `hf` on it, and a Hub mock as `HF_ENDPOINT`.
fn setup() -> (Sandbox, HubMock) {
    let mut s = Sandbox::new();
    let hub = HubMock::start();
    s.set_env("HF_ENDPOINT", &hub.url);
    let bin = s.mkdir("bin");
    fake_exe(&bin.join("hf"));
    let path = format!("{}:{}", bin.display(), tool_path(&s, &["git", "python3"]));
    s.set_env("PATH", path);
    (s, hub)
}

fn both(d: &Done) -> String {
    let text = format!("{}{}", d.stdout, d.stderr);
    assert_no_token(&text);
    text
}

fn with_profile(s: &Sandbox) {
    s.add_inline("work", TOKEN_WORK);
    s.hfenv(&["use", "work"]).ok();
}

// ---- the Hub: whoami verdicts ----

fn whoami_case(reply: Reply) -> (Done, String) {
    let (s, hub) = setup();
    with_profile(&s);
    hub.whoami(reply);
    let d = s.hfenv(&["doctor"]).run();
    let text = both(&d);
    // The token reached the mock, whole, and only in the header.
    let seen = hub.seen();
    assert!(seen.iter().any(|r| r.path == "/api/whoami-v2"
        && r.authorization.as_deref() == Some(&format!("Bearer {TOKEN_WORK}"))));
    assert!(seen
        .iter()
        .all(|r| r.user_agent.as_deref().unwrap_or("").starts_with("hfenv/")));
    (d, text)
}

#[test]
fn whoami_read_token_names_user_orgs_and_role() {
    let (d, text) = whoami_case(Reply::whoami("alice", "read", &["acme", "hf-club"]));
    assert_finding(&text, "belongs to", "  ✓ token hf_Fa…1111 (profile `work`) belongs to `alice`, orgs acme, hf-club; token `alice-token`, read\n");
    assert_finding(
        &text,
        "without write access",
        "  ✓ profile `work` holds a read token without write access\n",
    );
    // The mock's port changes from run to run.
    assert!(line_with(&text, "HF_ENDPOINT").contains("127.0.0.1"));
    let _ = d;
}

#[test]
fn whoami_401_is_a_failure_with_the_fix_for_the_profile() {
    let (d, text) = whoami_case(Reply::invalid_token());
    assert_eq!(d.output.status.code(), Some(1), "{text}");
    assert_finding(&text, "rejected token", lines(&["  ✗ the Hub rejected token hf_Fa…1111 from profile `work` (401: invalid, expired or revoked)", "      fix: create a new token at https://huggingface.co/settings/tokens, then `hfenv add work --force`"]));
}

#[test]
fn whoami_429_500_and_garbage_are_named_warnings() {
    for (reply, needle) in [
        (Reply::new(429, "{}"), "rate-limiting (429)"),
        (Reply::new(500, "oops"), "server error (500)"),
        (Reply::new(503, "oops"), "server error (503)"),
        (Reply::garbage(), "not the Hub's"),
    ] {
        let (d, text) = whoami_case(reply);
        assert!(line_with(&text, needle).contains('⚠'), "{text}");
        assert_eq!(d.output.status.code(), Some(0), "{text}");
    }
}

#[test]
fn whoami_slow_hub_times_out_within_the_budget() {
    let start = Instant::now();
    let (_d, text) = whoami_case(Reply::slow(30));
    assert_finding(
        &text,
        "timeout",
        lines(&[
            "  ⚠ checking the token: the Hub did not answer in time (timeout)",
            "      fix: check your network, proxy and `HF_ENDPOINT`, then run `hfenv doctor` again",
        ]),
    );
    assert!(
        start.elapsed() < Duration::from_secs(12),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn unreachable_hub_is_named() {
    let (mut s, _hub) = setup();
    s.set_env("HF_ENDPOINT", "http://127.0.0.1:9");
    with_profile(&s);
    let text = both(&s.hfenv(&["doctor"]).run());
    assert_finding(
        &text,
        "could not reach the Hub",
        lines(&[
            "  ⚠ checking the token: could not reach the Hub (connection refused)",
            "      fix: check your network, proxy and `HF_ENDPOINT`, then run `hfenv doctor` again",
        ]),
    );
}

#[test]
fn plain_http_to_a_remote_host_is_refused() {
    let (mut s, hub) = setup();
    s.set_env("HF_ENDPOINT", "http://hub.example.invalid");
    with_profile(&s);
    let d = s.hfenv(&["doctor"]).code(1);
    let text = both(&d);
    assert_finding(&text, "plain http", lines(&["  ✗ checking the token: refusing to send a token to `http://hub.example.invalid` over plain http (only loopback may use http)", "      fix: use an https `HF_ENDPOINT` (plain http is allowed only for loopback)"]));
    assert!(hub.seen().is_empty());
}

#[test]
fn write_tokens_in_a_profile_are_flagged() {
    for (reply, needle) in [
        (Reply::whoami("alice", "write", &[]), "holds a write token"),
        (
            Reply::whoami("alice", "fineGrained", &[]),
            "write-capable fine-grained",
        ),
    ] {
        let (d, text) = whoami_case(reply);
        let line = line_with(&text, needle);
        assert!(
            line.contains('⚠') && line.contains("profile `work`"),
            "{text}"
        );
        assert!(text.contains("read token"), "{text}");
        assert_eq!(d.output.status.code(), Some(0));
    }
}

#[test]
fn offline_skips_the_hub_with_a_note() {
    let (s, hub) = setup();
    with_profile(&s);
    hub.whoami(Reply::whoami("alice", "read", &[]));
    for (k, v) in [("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "yes")] {
        let text = both(&s.hfenv(&["doctor"]).env(k, v).ok());
        assert!(text.contains("Hub checks skipped"), "{text}");
        assert_finding(
            &text,
            "will not download",
            lines(&[
                &format!("  ⚠ `{k}` is on: huggingface_hub will not download anything"),
                "      fix: unset it when you need downloads (`unset HF_HUB_OFFLINE TRANSFORMERS_OFFLINE`)",
            ]),
        );
    }
    let text = both(&s.hfenv(&["doctor", "--offline"]).ok());
    assert!(text.contains("Hub checks skipped: `--offline`"), "{text}");
    // HF_HUB_OFFLINE=0 wins over TRANSFORMERS_OFFLINE, as in huggingface_hub.
    let text = both(
        &s.hfenv(&["doctor"])
            .env("HF_HUB_OFFLINE", "0")
            .env("TRANSFORMERS_OFFLINE", "1")
            .ok(),
    );
    assert!(!text.contains("skipped"), "{text}");
    assert_eq!(
        hub.seen()
            .iter()
            .filter(|r| r.path == "/api/whoami-v2")
            .count(),
        1
    );
}

// ---- gated and private repositories ----

#[test]
fn auth_check_verdicts() {
    let (s, hub) = setup();
    with_profile(&s);
    hub.whoami(Reply::whoami("alice", "read", &[]));
    hub.route("/api/models/acme/open/auth-check", Reply::new(200, "{}"));
    hub.route(
        "/api/models/meta/gated/auth-check",
        Reply::error(403, "GatedRepo", "Access to model meta/gated is restricted"),
    );
    hub.route(
        "/api/models/meta/anon/auth-check",
        Reply::error(401, "GatedRepo", "You must be authenticated"),
    );
    hub.route(
        "/api/models/acme/nope/auth-check",
        Reply::error(404, "RepoNotFound", "Repository not found"),
    );
    hub.route(
        "/api/datasets/acme/scoped/auth-check",
        Reply::new(403, "{}").header("X-Error-Message", "no permission"),
    );
    hub.route("/api/spaces/acme/demo/auth-check", Reply::new(200, "{}"));

    let ok = both(
        &s.hfenv(&["doctor", "--model", "acme/open", "--space", "acme/demo"])
            .ok(),
    );
    assert_finding(
        &ok,
        "model `acme/open`",
        "  ✓ model `acme/open`: access granted\n",
    );
    assert_finding(
        &ok,
        "space `acme/demo`",
        "  ✓ space `acme/demo`: access granted\n",
    );

    for (args, needle, fix) in [
        (
            ["--model", "meta/gated"],
            "has not been granted",
            "request access at http://127.0.0.1",
        ),
        (["--model", "meta/anon"], "no valid token", "hfenv add NAME"),
        (
            ["--model", "acme/nope"],
            "does not exist, or it is private",
            "check the spelling",
        ),
        (
            ["--dataset", "acme/scoped"],
            "lacks permission",
            "fine-grained",
        ),
    ] {
        let mut argv = vec!["doctor"];
        argv.extend(args);
        let d = s.hfenv(&argv).code(1);
        let text = both(&d);
        assert!(line_with(&text, needle).contains('✗'), "{text}");
        assert!(text.contains(fix), "{text}");
    }
    let gated = both(&s.hfenv(&["doctor", "--model", "meta/gated"]).code(1));
    assert!(gated.contains("/meta/gated"), "{gated}");
    assert!(hub
        .seen()
        .iter()
        .any(|r| r.path == "/api/datasets/acme/scoped/auth-check"));
    // A malformed id is a usage error.
    let e = s.hfenv(&["doctor", "--model", "a b/c d/e"]).code(2);
    assert!(e.stderr.starts_with("hfenv: `--model"), "{}", e.stderr);
}

// ---- which token wins ----

#[test]
fn hf_token_exported_in_an_rc_file_overrides_the_profile() {
    let (s, _hub) = setup();
    with_profile(&s);
    s.write(
        ".bashrc",
        &format!("# mine\nexport HF_TOKEN={TOKEN_PERSONAL}\n"),
    );
    let d = s
        .hfenv(&["doctor", "--offline"])
        .env("HF_TOKEN", TOKEN_PERSONAL)
        .code(1);
    let text = both(&d);
    assert_finding(&text, "exported outside hfenv", lines(&["  ✗ `HF_TOKEN` (hf_Fa…2222) was exported outside hfenv in ~/.bashrc:2 and overrides profile `work` (hf_Fa…1111)", "      fix: remove the `HF_TOKEN` line from ~/.bashrc:2 and `unset HF_TOKEN`; hfenv sets it per directory"]));
}

#[test]
fn profile_without_hook_is_a_warning() {
    let (s, _hub) = setup();
    with_profile(&s);
    let text = both(&s.hfenv(&["doctor", "--offline"]).ok());
    assert_finding(&text, "not hooked, so huggingface_hub uses", lines(&["  ⚠ profile `work` applies here, but this shell is not hooked, so huggingface_hub uses nothing (not logged in)", "      fix: install the hook (see the shell section), or run commands with `hfenv exec -- COMMAND`"]));
}

#[test]
fn token_variable_quirks() {
    let (s, _hub) = setup();
    s.write(".cache/huggingface/token", TOKEN_PERSONAL);
    let text = both(
        &s.hfenv(&["doctor", "--offline"])
            .env("HUGGING_FACE_HUB_TOKEN", TOKEN_CI)
            .env("HUGGINGFACE_TOKEN", TOKEN_TEAM)
            .env("HUGGINGFACEHUB_API_TOKEN", TOKEN_TEAM)
            .run(),
    );
    assert_finding(&text, "shadows your `hf auth login`", lines(&["  ⚠ the legacy `HUGGING_FACE_HUB_TOKEN` shadows your `hf auth login` token in `~/.cache/huggingface/token`", "      fix: `unset HUGGING_FACE_HUB_TOKEN` and remove it from your shell rc"]));
    assert_finding(&text, "`HUGGINGFACE_TOKEN` is set", lines(&["  ⚠ `HUGGINGFACE_TOKEN` is set, but huggingface_hub never reads it", "      fix: use `HF_TOKEN` (hfenv sets it per directory), or `hfenv add NAME --token-env HUGGINGFACE_TOKEN`"]));
    assert_finding(&text, "`HUGGINGFACEHUB_API_TOKEN` is set", lines(&["  ⚠ `HUGGINGFACEHUB_API_TOKEN` is set, but huggingface_hub never reads it", "      fix: use `HF_TOKEN` (hfenv sets it per directory), or `hfenv add NAME --token-env HUGGINGFACEHUB_API_TOKEN`"]));

    let text = both(
        &s.hfenv(&["doctor", "--offline"])
            .env("HF_TOKEN", format!("{TOKEN_CI}\r\n"))
            .run(),
    );
    assert_finding(&text, "line break", lines(&["  ⚠ `HF_TOKEN` (hf_Fa…3333) contains a line break or surrounding spaces: huggingface_hub strips them, but curl, git and tokens passed explicitly fail", "      fix: set `HF_TOKEN` again without the whitespace (`printf %s`, not `echo`)"]));

    let text = both(
        &s.hfenv(&["doctor", "--offline"])
            .env("HF_TOKEN", "   ")
            .run(),
    );
    assert_finding(&text, "only whitespace", lines(&["  ⚠ `HF_TOKEN` is only whitespace: it hides `HUGGING_FACE_HUB_TOKEN` and falls through to the token file", "      fix: `unset HF_TOKEN`"]));

    let text = both(
        &s.hfenv(&["doctor", "--offline"])
            .env("HF_TOKEN", "abcdefghijklmnopqrstuvwxyz")
            .run(),
    );
    assert_finding(&text, "does not start with `hf_`", "  ⚠ `HF_TOKEN`: token abcde…wxyz does not start with `hf_` — Hugging Face user access tokens do; check you copied the right value\n");
}

#[test]
fn token_path_directory_and_empty_hf_home_fail() {
    let (s, _hub) = setup();
    let dir = s.mkdir("adir");
    let d = s
        .hfenv(&["doctor", "--offline"])
        .env("HF_TOKEN_PATH", &dir)
        .code(1);
    assert_finding(
        &both(&d).replace(&s.home.display().to_string(), "$HOME"),
        "points at a directory",
        lines(&["  ✗ `HF_TOKEN_PATH` points at a directory: every huggingface_hub call raises `IsADirectoryError` (reading `$HOME/adir` fails: not a regular file)", "      fix: point `HF_TOKEN_PATH` at a file, or `unset HF_TOKEN_PATH`"]),
    );
    let d = s.hfenv(&["doctor", "--offline"]).env("HF_HOME", "").code(1);
    assert_finding(&both(&d), "`HF_HOME` is set but empty", lines(&["  ✗ `HF_HOME` is set but empty: huggingface_hub then reads `token` and caches relative to the current directory", "      fix: `unset HF_HOME` (and remove the empty export from your shell rc)"]));
}

// ---- files ----

#[test]
fn file_modes_are_reported_and_fixed() {
    let (s, _hub) = setup();
    let token = s.write(".cache/huggingface/token", TOKEN_PERSONAL);
    let stored = s.write(
        ".cache/huggingface/stored_tokens",
        &format!("[me]\nhf_token = {TOKEN_PERSONAL}\n"),
    );
    let dir = token.parent().unwrap().to_path_buf();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
    for (p, m) in [(&token, 0o644), (&stored, 0o620), (&dir, 0o2755)] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    }
    // Readable by others: a problem (exit 1); only writable: a warning.
    let text = both(&s.hfenv(&["doctor", "--offline"]).code(1));
    assert!(
        text.contains(
            "  ✗ token file `~/.cache/huggingface/token` is mode 0644: others on this machine can read it\n      \
             fix: `chmod 600 ~/.cache/huggingface/token` (or `hfenv doctor --fix`)\n"
        ),
        "{text}"
    );
    assert!(
        line_with(
            &text,
            "stored_tokens `~/.cache/huggingface/stored_tokens` is mode 0620"
        )
        .contains('⚠'),
        "{text}"
    );
    let text = both(&s.hfenv(&["doctor", "--offline", "--fix"]).run());
    assert!(
        text.contains(
            "  ↺ repaired: token file `~/.cache/huggingface/token` is mode 0644: others on this machine can read it\n      \
             fixed: `chmod 600 ~/.cache/huggingface/token`: ~/.cache/huggingface/token is now 0600 (was 0644)\n"
        ),
        "{text}"
    );
    assert_eq!(mode(&token), 0o600);
    assert_eq!(mode(&stored), 0o600);
    // The directory is not hfenv's: its mode (setgid included) stays.
    assert_eq!(mode(&dir), 0o2755);
    let text = both(&s.hfenv(&["doctor", "--offline"]).run());
    assert!(!text.contains("is mode"), "{text}");
}

#[test]
fn stored_tokens_python_reads_as_empty() {
    let (s, _hub) = setup();
    s.write(
        ".cache/huggingface/stored_tokens",
        &format!("[a]\nhf_token = {TOKEN_CI}\n[a]\nhf_token = {TOKEN_TEAM}\n"),
    );
    let d = s.hfenv(&["doctor", "--offline"]).code(1);
    assert_finding(
        &both(&d),
        "reads `~/.cache/huggingface/stored_tokens` as empty",
        lines(&["  ✗ huggingface_hub reads `~/.cache/huggingface/stored_tokens` as empty (line 3: section `a` appears twice); the next `hf auth login` rewrites it and loses the other tokens", "      fix: edit ~/.cache/huggingface/stored_tokens so it is UTF-8 and each `[name]` and each key in it appears once"]),
    );
    s.write(
        ".cache/huggingface/stored_tokens",
        &format!("[DEFAULT]\nhf_token = {TOKEN_CI}\n[b]\nfoo = bar\n"),
    );
    let text = both(&s.hfenv(&["doctor", "--offline"]).run());
    assert_finding(&text, "[DEFAULT]", lines(&["  ⚠ `~/.cache/huggingface/stored_tokens` has a `[DEFAULT]` section: its keys leak into every token section", "      fix: remove the `[DEFAULT]` section from ~/.cache/huggingface/stored_tokens"]));
}

// ---- project hygiene ----

#[test]
fn dotenv_not_ignored_fails_and_fix_adds_gitignore() {
    if !have("git") {
        return;
    }
    let (s, _hub) = setup();
    let proj = s.mkdir("proj");
    s.git(&proj, &["init", "-q"]);
    s.write("proj/.env", &format!("HF_TOKEN={TOKEN_CI}\n"));
    s.write("proj/.gitignore", "target/");
    let d = s.hfenv(&["doctor", "--offline"]).dir(&proj).code(1);
    let text = both(&d);
    assert_finding(
        &text,
        "git does not ignore it",
        lines(&[
            "  ✗ `.env` holds a token and git does not ignore it: `git add .` would commit it",
            "      fix: add the line `.env` to `.gitignore` (`hfenv doctor --fix` does it)",
        ]),
    );
    assert!(
        text.contains("add the line `.env` to `.gitignore`"),
        "{text}"
    );
    let text = both(&s.hfenv(&["doctor", "--offline", "--fix"]).dir(&proj).run());
    assert!(
        text.contains(
            "  ↺ repaired: `.env` holds a token and git does not ignore it: `git add .` would commit it\n      \
             fixed: added `.env` to `~/proj/.gitignore`; git now ignores it\n"
        ),
        "{text}"
    );
    assert_eq!(s.read("proj/.gitignore"), "target/\n.env\n");
    // Ignored now: nothing to say about it.
    let text = both(&s.hfenv(&["doctor", "--offline"]).dir(&proj).run());
    assert!(!text.contains("`.env`"), "{text}");
}

#[test]
fn tracked_token_shaped_strings_are_reported_masked() {
    if !have("git") {
        return;
    }
    let (s, _hub) = setup();
    let proj = s.mkdir("proj");
    s.git(&proj, &["init", "-q"]);
    s.write(
        "proj/src/app.py",
        &format!("x = 1\nTOKEN = \"{TOKEN_TEAM}\"\n"),
    );
    s.git(&proj, &["add", "."]);
    let d = s.hfenv(&["doctor", "--offline"]).dir(&proj).code(1);
    let text = both(&d);
    assert_finding(&text, "token-shaped", lines(&["  ✗ tracked files contain token-shaped strings: src/app.py:2 (hf_Fa…4444)", "      fix: remove them, and revoke each real token at https://huggingface.co/settings/tokens (git history keeps them)"]));
}

// ---- environment ----

#[test]
fn environment_variables_that_break_or_mislead() {
    let (s, _hub) = setup();
    let d = s
        .hfenv(&["doctor", "--offline"])
        .env("HF_HUB_ETAG_TIMEOUT", "10s")
        .env("HF_HUB_DOWNLOAD_TIMEOUT", " 30 ")
        .env("HF_HUB_ENABLE_HF_TRANSFER", "1")
        .env("HF_HUB_CACHE", s.path("models"))
        .code(1);
    let text = both(&d);
    assert_finding(&text, "`HF_HUB_ETAG_TIMEOUT=10s` is not an integer", lines(&["  ✗ `HF_HUB_ETAG_TIMEOUT=10s` is not an integer: `import huggingface_hub` fails with `ValueError`", "      fix: set it to whole seconds (`export HF_HUB_ETAG_TIMEOUT=30`) or `unset HF_HUB_ETAG_TIMEOUT`"]));
    assert!(!text.contains("HF_HUB_DOWNLOAD_TIMEOUT"), "{text}");
    assert_finding(&text, "HF_HUB_ENABLE_HF_TRANSFER", lines(&["  ⚠ `HF_HUB_ENABLE_HF_TRANSFER` is deprecated and does nothing (hf_transfer is no longer used)", "      fix: `unset HF_HUB_ENABLE_HF_TRANSFER`; use `HF_XET_HIGH_PERFORMANCE=1` for fast downloads"]));
    // The free space is the machine's.
    assert!(
        line_with(&text, "models download to `~/models`").contains("GiB free"),
        "{text}"
    );
}

// ---- the hook ----

#[test]
fn hook_missing_from_rc_or_inactive_is_a_warning_not_a_failure() {
    let (mut s, _hub) = setup();
    s.set_env("SHELL", "/bin/bash");
    let text = both(&s.hfenv(&["doctor", "--offline"]).ok());
    assert_finding(&text, "has no `hfenv hook` line", lines(&["  ⚠ this shell is not hooked: `~/.bashrc` has no `hfenv hook` line", "      fix: add `eval \"$(hfenv hook bash)\"` at the end of ~/.bashrc and open a new bash"]));
    s.write(".bashrc", "eval \"$(hfenv hook bash)\"\n");
    let text = both(&s.hfenv(&["doctor", "--offline"]).ok());
    assert_finding(&text, "loads the hook, but it is not active", lines(&["  ⚠ `~/.bashrc` loads the hook, but it is not active here (not an interactive shell, or the hook was lost)", "      fix: open a new interactive shell; if it stays inactive, move the hook line to the end of the rc file"]));
    s.set_env("SHELL", "/usr/bin/zsh");
    let text = both(&s.hfenv(&["doctor", "--offline"]).ok());
    assert_finding(
        &text,
        "`~/.zshrc` has no",
        lines(&[
            "  ⚠ this shell is not hooked: `~/.zshrc` has no `hfenv hook` line",
            "      fix: add `eval \"$(hfenv hook zsh)\"` at the end of ~/.zshrc and open a new zsh",
        ]),
    );
}

#[test]
fn healthy_setup_is_all_green_and_exits_0() {
    let (mut s, hub) = setup();
    s.set_env("SHELL", "/bin/bash");
    with_profile(&s);
    hub.whoami(Reply::whoami("alice", "read", &["acme"]));
    s.write(".bashrc", &format!("eval \"$({BIN} hook bash)\"\n"));
    s.write(
        ".gitconfig",
        "[credential \"https://huggingface.co\"]\n\thelper = !hfenv credential\n",
    );
    // `hfenv exec` applies the profile and the hook's marker, as a hooked shell would.
    let d = s.hfenv(&["exec", "--", BIN, "doctor"]).ok();
    let text = both(&d);
    assert!(!text.contains('⚠') && !text.contains('✗'), "{text}");
    assert!(text.contains("all good"), "{text}");
    assert_finding(
        &text,
        "hook is active",
        "  ✓ the hfenv hook is active in this shell\n",
    );
    assert_finding(&text, "uses profile `work`", "  ✓ huggingface_hub uses profile `work`'s token hf_Fa…1111 (global choice (`hfenv use NAME`); from `HF_TOKEN`)\n");
    assert!(!text.contains("\x1b["), "piped output must be plain");

    let json: serde_json::Value = serde_json::from_str(
        &s.hfenv(&["exec", "--", BIN, "doctor", "--json"])
            .ok()
            .stdout,
    )
    .unwrap();
    assert_eq!(json["ok"], true);
    let checks = json["checks"].as_array().unwrap();
    assert!(checks
        .iter()
        .all(|c| c["status"] != "fail" && c["status"] != "warn"));
    assert!(checks
        .iter()
        .any(|c| c["check"] == "whoami" && c["status"] == "ok"));
}

#[test]
fn json_reports_failures_and_exits_1() {
    let (s, hub) = setup();
    with_profile(&s);
    hub.whoami(Reply::invalid_token());
    let d = s.hfenv(&["doctor", "--json"]).code(1);
    both(&d);
    let json: serde_json::Value = serde_json::from_str(&d.stdout).unwrap();
    assert_eq!(json["ok"], false);
    let whoami = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "whoami")
        .unwrap();
    assert_eq!(whoami["status"], "fail");
    assert_eq!(whoami["group"], "Hub");
    assert!(whoami["fix"]
        .as_str()
        .unwrap()
        .contains("hfenv add work --force"));
}

#[test]
fn color_on_a_tty_unless_no_color() {
    if !have("script") {
        return;
    }
    let (s, _hub) = setup();
    let run = |no_color: bool| {
        let mut cmd = s.command(
            "script",
            &["-qfec", &format!("{BIN} doctor --offline"), "/dev/null"],
        );
        cmd.env("TERM", "xterm");
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        String::from_utf8_lossy(&cmd.stdin(Stdio::null()).output().unwrap().stdout).into_owned()
    };
    assert!(run(false).contains("\x1b[32m✓"), "{}", run(false));
    assert!(!run(true).contains("\x1b["));
}

// ---- the hf CLI and PATH ----

#[test]
fn leftover_huggingface_cli_is_flagged() {
    let (s, _hub) = setup();
    fake_exe(&s.path("bin/huggingface-cli"));
    let text = both(&s.hfenv(&["doctor", "--offline"]).run());
    assert_finding(&text, "`huggingface-cli` at ~/bin/huggingface-cli", lines(&["  ⚠ `huggingface-cli` at ~/bin/huggingface-cli is a leftover: it is gone (or a stub that exits 1) since huggingface_hub 1.0", "      fix: use `hf` instead (`hf auth login`, `hf download`); remove the old one with `rm ~/bin/huggingface-cli` or upgrade that environment"]));
}

#[test]
fn hf_missing_suggests_install_and_the_module_fallback() {
    if !have("python3") {
        return;
    }
    let mut s = Sandbox::new();
    s.set_env("PATH", tool_path(&s, &["git", "python3"]));
    let text = both(&s.hfenv(&["doctor", "--offline"]).run());
    let line = line_with(&text, "`hf`");
    assert!(text.contains("pip install -U huggingface_hub"), "{text}");
    let importable = Command::new(real_tool("python3").unwrap())
        .args(["-c", "import huggingface_hub.cli.hf"])
        .status()
        .is_ok_and(|s| s.success());
    if importable {
        assert!(line.contains('⚠'), "{text}");
        assert!(text.contains("python3 -m huggingface_hub.cli.hf"), "{text}");
    } else {
        assert!(line.contains('✗'), "{text}");
    }
}

/// `hf` in `~/.local/bin` (off PATH): doctor says where, `--fix` records it, and a new hooked
/// bash on a pty finds it.
fn off_path_then_fix_then_hooked_shell(s: &mut Sandbox) {
    s.set_env("SHELL", "/bin/bash");
    let text = both(&s.hfenv(&["doctor", "--offline"]).code(1));
    assert_finding(&text, "`hf` is installed at ~/.local/bin/hf", lines(&["  ✗ `hf` is installed at ~/.local/bin/hf (pip --user), not on PATH (\"command not found\")", "      fix: `hfenv doctor --fix` (the hook then appends ~/.local/bin to PATH in every hooked shell), or add `export PATH=\"$PATH:$HOME/.local/bin\"` to your shell rc"]));

    // Without a terminal to ask on, `--fix` changes no PATH unless told `--yes`.
    let text = both(&s.hfenv(&["doctor", "--offline", "--fix"]).run());
    assert!(
        text.contains("not changed: `--fix` asks before touching PATH"),
        "{text}"
    );
    assert!(!s.state_dir().join("path").exists());
    let text = both(&s.hfenv(&["doctor", "--offline", "--fix", "--yes"]).run());
    assert!(text.contains("fixed: recorded ~/.local/bin"), "{text}");
    assert_eq!(
        std::fs::read_to_string(s.state_dir().join("path")).unwrap(),
        format!("{}\n", s.path(".local/bin").display())
    );
    // Recorded, but this (unhooked) process still lacks it: a warning, not a failure.
    let text = both(&s.hfenv(&["doctor", "--offline"]).run());
    assert_finding(&text, "recorded for the hook", lines(&["  ⚠ `hf` is installed at ~/.local/bin/hf (pip --user), not on PATH of this shell — recorded for the hook, which appends it", "      fix: open a new shell with the hfenv hook (`hfenv hook --help` has the line for your shell)"]));

    s.write(".bashrc", &format!("eval \"$({BIN} hook bash)\"\n"));
    let found = hooked_bash(s, "command -v hf");
    assert_eq!(found.trim(), s.path(".local/bin/hf").display().to_string());
}

#[test]
fn fake_hf_off_path_is_fixed_through_the_hook() {
    if !have("bash") || !have("script") {
        return;
    }
    let (mut s, _hub) = setup();
    std::fs::remove_file(s.path("bin/hf")).unwrap();
    fake_exe(&s.path(".local/bin/hf"));
    off_path_then_fix_then_hooked_shell(&mut s);
}

/// The wheel, downloaded once per target directory (CI has PyPI; offline machines reuse it).
fn hf_wheel_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hf-wheels");
    let has = |d: &Path| {
        std::fs::read_dir(d).is_ok_and(|mut e| {
            e.any(|f| {
                f.is_ok_and(|f| {
                    f.file_name()
                        .to_string_lossy()
                        .starts_with("huggingface_hub-2.4.0")
                })
            })
        })
    };
    if !has(&dir) {
        let status = Command::new(real_tool("python3")?)
            .args([
                "-m",
                "pip",
                "download",
                "-q",
                "--no-deps",
                "huggingface_hub==2.4.0",
                "-d",
            ])
            .arg(&dir)
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
            .status()
            .ok()?;
        if !status.success() {
            return None;
        }
    }
    has(&dir).then_some(dir)
}

#[test]
fn real_hf_from_pip_user_is_found_fixed_and_on_path_in_a_hooked_shell() {
    if !have("python3") || !have("bash") || !have("script") {
        return;
    }
    let Some(wheels) = hf_wheel_dir() else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("could not download the huggingface_hub 2.4.0 wheel");
        }
        eprintln!("skipping: no huggingface_hub wheel (no network?)");
        return;
    };
    let (mut s, _hub) = setup();
    std::fs::remove_file(s.path("bin/hf")).unwrap();
    s.set_env("PYTHONUSERBASE", s.path(".local"));
    s.set_env("PIP_DISABLE_PIP_VERSION_CHECK", "1");
    let out = s
        .command(
            real_tool("python3").unwrap(),
            &[
                "-m",
                "pip",
                "install",
                "-q",
                "--user",
                "--no-index",
                "--no-deps",
                "--ignore-installed",
                "--no-warn-script-location",
                "--find-links",
            ],
        )
        .arg(&wheels)
        .arg("huggingface_hub==2.4.0")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pip: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hf = s.path(".local/bin/hf");
    assert!(hf.is_file(), "pip put no `hf` in ~/.local/bin");
    off_path_then_fix_then_hooked_shell(&mut s);
    // Now on PATH, doctor names the Python `hf` runs and its huggingface_hub version.
    let text = both(
        &s.hfenv(&["doctor", "--offline"])
            .env(
                "PATH",
                format!(
                    "{}:{}",
                    s.path(".local/bin").display(),
                    tool_path(&s, &["git", "python3"])
                ),
            )
            .run(),
    );
    // Which Python runs `hf` is the machine's.
    assert!(
        line_with(&text, "`hf` runs").contains("(huggingface_hub 2.4.0)"),
        "{text}"
    );
}

// ---- whoami and add verification against the mock ----

#[test]
fn whoami_command_against_the_mock() {
    let (s, hub) = setup();
    s.add_inline("work", TOKEN_WORK);
    hub.whoami(Reply::whoami("alice", "write", &["acme"]));
    let d = s.hfenv(&["whoami", "-p", "work"]).ok();
    let text = both(&d);
    assert!(
        d.stdout
            .starts_with("alice  (profile `work`, token hf_Fa…1111)"),
        "{text}"
    );
    assert!(text.contains("acme") && text.contains("write"), "{text}");
    let json: serde_json::Value =
        serde_json::from_str(&s.hfenv(&["whoami", "-p", "work", "--json"]).ok().stdout).unwrap();
    assert_eq!(json["user"], "alice");
    assert_eq!(json["token"], "hf_Fa…1111");
    hub.whoami(Reply::invalid_token());
    let e = s.hfenv(&["whoami", "-p", "work"]).code(1);
    assert!(
        both(&e).contains("rejected token hf_Fa…1111"),
        "{}",
        e.stderr
    );
    assert!(e.stderr.starts_with("hfenv: "), "{}", e.stderr);
}

#[test]
fn add_verifies_the_token() {
    let (mut s, hub) = setup();
    s.add_inline("keep", TOKEN_TEAM);
    let before = s.config();

    hub.whoami(Reply::invalid_token());
    let e = s
        .hfenv(&["add", "bad", "--token-stdin"])
        .stdin(&format!("{TOKEN_WORK}\n"))
        .code(1);
    assert!(
        both(&e).contains("rejected token hf_Fa…1111"),
        "{}",
        e.stderr
    );
    assert_eq!(
        s.config(),
        before,
        "a refused token must leave the config untouched"
    );

    hub.whoami(Reply::whoami("alice", "read", &[]));
    let d = s
        .hfenv(&["add", "good", "--token-stdin"])
        .stdin(&format!("{TOKEN_WORK}\n"))
        .ok();
    assert!(both(&d).contains("belongs to `alice`"), "{}", d.stderr);

    let n = hub.seen().len();
    s.hfenv(&["add", "skip", "--token-stdin", "--no-verify"])
        .stdin(&format!("{TOKEN_CI}\n"))
        .ok();
    assert_eq!(hub.seen().len(), n, "--no-verify must not ask the Hub");

    s.set_env("HF_ENDPOINT", "http://127.0.0.1:9");
    let d = s
        .hfenv(&["add", "later", "--token-stdin"])
        .stdin(&format!("{TOKEN_PERSONAL}\n"))
        .ok();
    assert!(
        both(&d).contains("could not verify the token"),
        "{}",
        d.stderr
    );
    assert!(s.config().contains("[profiles.later]") || s.config().contains("later"));
}

#[test]
fn tls_failure_is_named() {
    let (mut s, hub) = setup();
    // The mock speaks plain http: an https client fails the TLS handshake.
    s.set_env("HF_ENDPOINT", hub.url.replace("http://", "https://"));
    with_profile(&s);
    let text = both(&s.hfenv(&["doctor"]).run());
    let line = line_with(&text, "could not reach the Hub");
    assert!(line.contains('⚠') && line.contains("tls error"), "{text}");
}

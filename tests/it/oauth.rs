//! Browser (OAuth) logins: hfenv refreshes them as huggingface_hub does, against the loopback
//! Hub's `/oauth/token`, and races the real huggingface_hub on the same `stored_tokens`.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, SystemTime};

use crate::hubmock::HubMock;
use crate::support::*;

const CLIENT_ID: &str = "26be6b09-91c5-47da-9861-d2d2bb7a7e36";

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The real Python interpreter (not a pyenv shim, which needs the real HOME).
pub fn python() -> Option<PathBuf> {
    if !have("python3") {
        return None;
    }
    let out = Command::new("python3")
        .args(["-c", "import sys, huggingface_hub; print(sys.executable)"])
        .output()
        .ok()?;
    if !out.status.success() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "huggingface_hub is required in CI"
        );
        return None;
    }
    let p = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (!p.is_empty()).then(|| PathBuf::from(p))
}

pub struct Login {
    pub name: String,
    pub access: String,
    pub refresh: String,
    pub expires_at: i64,
}

pub fn stored_text(logins: &[&Login], plain: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for l in logins {
        out.push_str(&format!(
            "[{}]\nhf_token = {}\nrefresh_token = {}\nexpires_at = {}\n\n",
            l.name, l.access, l.refresh, l.expires_at
        ));
    }
    for (name, token) in plain {
        out.push_str(&format!("[{name}]\nhf_token = {token}\n\n"));
    }
    out
}

/// A sandbox whose endpoint is the mock, with a browser login for `user` expiring in
/// `expires_in` seconds stored as `oauth-<user>` and made the active token.
pub fn setup(expires_in: i64) -> (Sandbox, HubMock, Login) {
    let mut s = Sandbox::new();
    let hub = HubMock::start();
    s.set_env("HF_ENDPOINT", &hub.url);
    let (access, refresh) = hub.login("alice");
    let login = Login {
        name: "oauth-alice".into(),
        access,
        refresh,
        expires_at: now() + expires_in,
    };
    s.write(
        ".cache/huggingface/stored_tokens",
        &stored_text(&[&login], &[("ci", TOKEN_CI)]),
    );
    s.write(".cache/huggingface/token", &login.access);
    (s, hub, login)
}

fn section<'a>(text: &'a str, name: &str) -> Vec<(&'a str, &'a str)> {
    let header = format!("[{name}]\n");
    let start = text
        .find(&header)
        .unwrap_or_else(|| panic!("no [{name}] in\n{text}"))
        + header.len();
    text[start..]
        .lines()
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(" = "))
        .collect()
}

fn value<'a>(text: &'a str, name: &str, key: &str) -> &'a str {
    section(text, name)
        .into_iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no {key} in [{name}]:\n{text}"))
}

fn profile(s: &Sandbox, name: &str, section: &str, via: &str) {
    let mut config = s.config();
    config.push_str(&format!(
        "[profiles.{name}]\nhf_stored = \"{section}\"\ntoken_via = \"{via}\"\n\n"
    ));
    s.write_config(&config);
}

#[test]
fn a_login_due_for_refresh_is_refreshed_as_huggingface_hub_does() {
    let (s, hub, login) = setup(3600);
    hub.oauth.lock().unwrap().expires_in = 3 * 86400;
    profile(&s, "work", "oauth-alice", "env");
    let before = now();
    let out = s.hfenv(&["token", "-p", "work"]).ok();
    let token = out.stdout.trim().to_string();
    assert_ne!(token, login.access, "the token was not refreshed");
    assert!(hub.alive(&token));
    assert_eq!(out.stderr, "", "a successful refresh is silent");

    // The exact request huggingface_hub makes.
    let seen = hub.seen();
    let grant = seen
        .iter()
        .find(|r| r.path == "/oauth/token")
        .expect("a refresh request");
    assert_eq!(grant.method, "POST");
    assert_eq!(
        grant.body,
        format!(
            "grant_type=refresh_token&refresh_token={}&client_id={CLIENT_ID}",
            login.refresh
        )
    );
    assert_eq!(
        grant.authorization, None,
        "the refresh carries no bearer token"
    );

    // Written back in huggingface_hub's format: sorted sections, the rotated refresh token,
    // the new expiry; other logins untouched; 0600.
    let stored = s.read(".cache/huggingface/stored_tokens");
    let rotated = value(&stored, "oauth-alice", "refresh_token").to_string();
    assert_ne!(rotated, login.refresh);
    assert!(hub.refresh_valid(&rotated));
    let expires: i64 = value(&stored, "oauth-alice", "expires_at").parse().unwrap();
    assert!((before + 3 * 86400..=now() + 3 * 86400).contains(&expires));
    assert_eq!(
        stored,
        format!(
            "[ci]\nhf_token = {TOKEN_CI}\n\n[oauth-alice]\nhf_token = {token}\nrefresh_token = {rotated}\nexpires_at = {expires}\n\n"
        )
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(s.path(".cache/huggingface/stored_tokens"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    // The active token file followed, since it held the old token.
    assert_eq!(s.read(".cache/huggingface/token"), token);

    // Fresh now: no second request.
    assert_eq!(s.token_of("work"), token);
    assert_eq!(hub.oauth.lock().unwrap().grants, 1);
}

#[test]
fn the_token_file_is_left_alone_when_another_login_is_active() {
    let (s, hub, _login) = setup(3600);
    s.write(".cache/huggingface/token", TOKEN_CI);
    profile(&s, "work", "oauth-alice", "env");
    let token = s.hfenv(&["token", "-p", "work"]).ok().stdout;
    assert!(hub.alive(token.trim()));
    assert_eq!(s.read(".cache/huggingface/token"), TOKEN_CI);
}

#[test]
fn a_revoked_login_keeps_its_token_while_valid_and_says_so() {
    let (s, hub, login) = setup(3600);
    profile(&s, "work", "oauth-alice", "env");
    hub.revoke(&login.refresh);
    s.hfenv(&["token", "-p", "work"])
        .placeholder(&login.access, "ACCESS")
        .placeholder_dates()
        .expect(0, "ACCESS\n", "hfenv: browser login `oauth-alice` for profile `work` expires DATE UTC: its session expired or was revoked: Invalid refresh token — the current token is used until then; run `hf auth login` and name the token `oauth-alice` (or `hfenv add work --login --force`)\n");
    // Remembered: not asked again at every use.
    s.hfenv(&["token", "-p", "work"]).ok();
    assert_eq!(hub.oauth.lock().unwrap().refused, 1);
    // status names the cause and the fix without asking the Hub.
    let status = s.hfenv(&["status"]).env("HFENV_SHELL_PROFILE", "work").ok();
    assert_finding(
        &without_dates(&status.stdout),
        "expired or was revoked",
        "                      ✗ refresh: its session expired or was revoked: Invalid refresh token — run `hf auth login` and name the token `oauth-alice`\n",
    );
    let doctor = s
        .hfenv(&["doctor", "--offline"])
        .env("HFENV_SHELL_PROFILE", "work")
        .code(1);
    assert_finding(
        &without_dates(&doctor.stdout),
        "browser login `oauth-alice`",
        lines(&["  ✗ browser login `oauth-alice`, expires DATE UTC: its session expired or was revoked: Invalid refresh token", "      fix: run `hf auth login` and name the token `oauth-alice`"]),
    );
}

#[test]
fn an_expired_login_that_cannot_be_refreshed_is_never_exported() {
    let (s, hub, login) = setup(-60);
    profile(&s, "work", "oauth-alice", "env");
    hub.revoke(&login.refresh);
    s.hfenv(&["token", "-p", "work"])
        .placeholder_dates()
        .expect_stderr(1, "hfenv: browser login `oauth-alice` for profile `work` expired at DATE UTC and could not be refreshed: its session expired or was revoked: Invalid refresh token — run `hf auth login` and name the token `oauth-alice` (or `hfenv add work --login --force`)\n");
    let out = s
        .hfenv(&["export", "json", "-p", "work"])
        .placeholder_dates()
        .expect_notices(0, "hfenv: browser login `oauth-alice` for profile `work` expired at DATE UTC and could not be refreshed: its session expired or was revoked: Invalid refresh token — run `hf auth login` and name the token `oauth-alice` (or `hfenv add work --login --force`) (no token exported)\n");
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["HF_TOKEN"], serde_json::Value::Null, "{}", out.stdout);
}

#[test]
fn a_slow_or_unreachable_hub_keeps_the_valid_token_and_retries_later() {
    let (mut s, hub, login) = setup(3600);
    profile(&s, "work", "oauth-alice", "env");
    // Slow but within huggingface_hub's timeout: the refresh waits for it.
    hub.oauth.lock().unwrap().delay = Duration::from_secs(2);
    let token = s.hfenv(&["token", "-p", "work"]).ok().stdout;
    assert!(hub.alive(token.trim()) && token.trim() != login.access);

    // Slower than `HF_HUB_DOWNLOAD_TIMEOUT`: the old (still valid) token, said once.
    let (s2, hub2, login2) = setup(3600);
    drop(s);
    s = s2;
    profile(&s, "work", "oauth-alice", "env");
    s.set_env("HF_HUB_DOWNLOAD_TIMEOUT", "1");
    hub2.oauth.lock().unwrap().delay = Duration::from_secs(3);
    s.hfenv(&["token", "-p", "work"])
        .placeholder(&login2.access, "ACCESS")
        .placeholder_dates()
        .expect(0, "ACCESS\n", "hfenv: browser login `oauth-alice` for profile `work` expires DATE UTC: refreshing it failed: the Hub did not answer in time — the current token is used until then; hfenv tries again in five minutes\n");
    let asked = |h: &HubMock| h.seen().iter().filter(|r| r.path == "/oauth/token").count();
    let before = asked(&hub2);
    s.hfenv(&["token", "-p", "work"]).ok();
    assert_eq!(
        asked(&hub2),
        before,
        "a failure is retried after a while, not at once"
    );
    let _ = hub;
}

#[test]
fn offline_means_no_request() {
    let (mut s, hub, login) = setup(3600);
    profile(&s, "work", "oauth-alice", "env");
    s.set_env("HF_HUB_OFFLINE", "1");
    s.hfenv(&["token", "-p", "work"])
        .placeholder(&login.access, "ACCESS")
        .placeholder_dates()
        .expect(0, "ACCESS\n", "hfenv: browser login `oauth-alice` for profile `work` expires DATE UTC: `HF_HUB_OFFLINE` is set, so it was not refreshed — the current token is used until then; hfenv tries again in five minutes\n");
    assert!(hub.seen().is_empty());
}

#[test]
fn a_refresh_goes_to_the_users_endpoint_never_one_from_a_dotenv() {
    let (s, hub, login) = setup(3600);
    profile(&s, "work", "oauth-alice", "env");
    let evil = HubMock::start();
    // A trusted `.env` in another directory set HF_ENDPOINT; the shell still holds it when it
    // enters the work directory.
    s.write("proj/.env", &format!("HF_ENDPOINT={}\n", evil.url));
    s.write("work/.hfenv", "work\n");
    let proj = s.path("proj");
    s.hfenv(&["allow", ".env"]).dir(&proj).ok();
    let first = s.hfenv(&["export", "bash", "--hook"]).dir(&proj).ok();
    let marker = marker_in(&first.stdout);
    let out = s
        .hfenv(&["export", "bash", "--hook"])
        .dir(s.path("work"))
        .env("__HFENV_STATE", &marker)
        .env("HF_ENDPOINT", &evil.url)
        .ok();
    assert!(
        evil.seen().is_empty(),
        "a token went to the .env's endpoint"
    );
    assert!(
        hub.seen().iter().any(|r| r.path == "/oauth/token"),
        "the refresh should go to the user's own endpoint: {}",
        out.stderr
    );
    let _ = (out, login);
}

#[test]
fn a_token_file_hands_huggingface_hub_a_login_it_refreshes_itself() {
    let (s, hub, login) = setup(3 * 86400);
    profile(&s, "work", "oauth-alice", "file");
    let out = s.hfenv(&["export", "json", "-p", "work"]).ok();
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let file = s.path(".cache/huggingface/token.hfenv.work");
    assert_eq!(json["HF_TOKEN"], serde_json::Value::Null);
    assert_eq!(json["HF_TOKEN_PATH"], file.display().to_string());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), login.access);
    // `hfenv token`, git and `exec` still get the token itself.
    assert_eq!(s.token_of("work"), login.access);
    // huggingface_hub reads the token from that file.
    let Some(py) = python() else { return };
    let got = s
        .hfenv(&[
            "exec",
            "-p",
            "work",
            "--",
            py.to_str().unwrap(),
            "-c",
            "from huggingface_hub import get_token; print(get_token())",
        ])
        .ok();
    assert_eq!(got.stdout.trim(), login.access);
    let _ = hub;
}

/// What a long-running Python process started in a profile's directory sees when its browser
/// login must be refreshed while it runs: with a copy in `HF_TOKEN` (`token_via = "env"`) it
/// keeps the old token and gets 401 once that dies; with the token file (the default)
/// huggingface_hub refreshes it and the process keeps working.
#[test]
fn a_long_running_python_process_stays_valid_only_with_the_token_file() {
    let Some(py) = python() else { return };
    let script = r#"
import time, sys
from huggingface_hub import whoami, get_token
from huggingface_hub.utils import HfHubHTTPError
def check():
    try:
        whoami(); return "ok"
    except HfHubHTTPError as e:
        print(e, file=sys.stderr)
        return "401" if "401" in str(e) or "Invalid user token" in str(e) else "error"
first = check()
# Until the first token is surely dead (the mock's clock is the test's).
time.sleep(max(0, float(sys.argv[1]) + 1 - time.time()))
print(first, check())
"#;
    let run = |via: &'static str, want: &'static str| {
        // Tokens advertised for a day and 4 s, so huggingface_hub refreshes after 4 s; the
        // mock lets each die after 8 s. The second check comes after the first token died.
        let (s, hub, _login) = setup(86400 + 3);
        {
            let mut o = hub.oauth.lock().unwrap();
            o.expires_in = 86400 + 4;
            o.lives = Duration::from_secs(8);
        }
        // The stored login itself is fresh from the mock.
        let (access, refresh) = hub.login("alice");
        let dead_at = (now() + 8).to_string();
        let login = Login {
            name: "oauth-alice".into(),
            access,
            refresh,
            expires_at: now() + 86400 + 4,
        };
        s.write(
            ".cache/huggingface/stored_tokens",
            &stored_text(&[&login], &[]),
        );
        profile(&s, "work", "oauth-alice", via);
        let out = s
            .hfenv(&[
                "exec",
                "-p",
                "work",
                "--",
                py.to_str().unwrap(),
                "-c",
                script,
                &dead_at,
            ])
            .ok();
        assert_eq!(out.stdout.trim(), want, "token_via = {via}: {}", out.stderr);
        let _ = login;
    };
    std::thread::scope(|scope| {
        let file = scope.spawn(|| run("file", "ok ok"));
        run("env", "ok 401");
        file.join().unwrap();
    });
}

/// 50 refreshes at once, hfenv and the real huggingface_hub mixed, on three browser logins
/// whose refresh tokens rotate: no login is lost, the file stays readable, and every token
/// handed out works.
#[test]
fn fifty_racing_refreshes_with_huggingface_hub_lose_nothing() {
    let Some(py) = python() else { return };
    let mut s = Sandbox::new();
    let hub = HubMock::start();
    s.set_env("HF_ENDPOINT", &hub.url);
    // Every token is due for a refresh as soon as it is issued (a minute of life, less than
    // huggingface_hub's 24 h margin), so every racer that does not adopt another's result
    // makes a request.
    hub.oauth.lock().unwrap().expires_in = 60;
    let logins: Vec<Login> = ["alice", "bob", "carol"]
        .iter()
        .map(|u| {
            let (access, refresh) = hub.login(u);
            Login {
                name: format!("oauth-{u}"),
                access,
                refresh,
                expires_at: now() + 60,
            }
        })
        .collect();
    let refs: Vec<&Login> = logins.iter().collect();
    s.write(
        ".cache/huggingface/stored_tokens",
        &stored_text(&refs, &[("ci", TOKEN_CI)]),
    );
    s.write(".cache/huggingface/token", &logins[0].access);
    profile(&s, "a", "oauth-alice", "env");
    profile(&s, "b", "oauth-bob", "file");
    profile(&s, "c", "oauth-carol", "env");
    // Creates b's token file for huggingface_hub.
    s.hfenv(&["export", "json", "-p", "b"]).ok();
    let b_file = s.path(".cache/huggingface/token.hfenv.b");
    assert!(b_file.exists());

    let get_token = "from huggingface_hub import get_token; print(get_token())";
    let mut children = Vec::new();
    for i in 0..50 {
        let mut cmd = match i % 5 {
            0 => s.command(BIN, &["token", "-p", "a"]),
            1 => s.command(BIN, &["token", "-p", "b"]),
            2 => s.command(BIN, &["token", "-p", "c"]),
            // huggingface_hub refreshing the active login (alice) ...
            3 => s.command(&py, &["-c", get_token]),
            // ... and bob's login through hfenv's token file.
            _ => {
                let mut c = s.command(&py, &["-c", get_token]);
                c.env("HF_TOKEN_PATH", &b_file);
                c
            }
        };
        cmd.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        children.push((i, cmd.spawn().unwrap()));
    }
    for (i, child) in children {
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "racer {i} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let token = stdout.trim();
        assert!(
            token.starts_with("hf_oauthAccess"),
            "racer {i} got {token:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let o = hub.oauth.lock().unwrap();
    assert_eq!(
        o.refused, 0,
        "a rotated refresh token was used twice: a login was lost"
    );
    assert!(o.grants >= 3, "only {} refreshes happened", o.grants);
    assert!(o.client_ids.iter().all(|c| c == CLIENT_ID));
    drop(o);

    // Every login is still there, readable by huggingface_hub, with a live refresh token.
    let stored = s.read(".cache/huggingface/stored_tokens");
    for l in &logins {
        let refresh = value(&stored, &l.name, "refresh_token");
        assert!(
            hub.refresh_valid(refresh),
            "{}'s login was lost:\n{stored}",
            l.name
        );
        assert!(hub.alive(value(&stored, &l.name, "hf_token")));
    }
    let list = s
        .command(&py, &["-m", "huggingface_hub.cli.hf", "auth", "list"])
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&list.stdout);
    for name in ["oauth-alice", "oauth-bob", "oauth-carol", "ci"] {
        assert!(
            listed.contains(name),
            "`hf auth list` lost {name}:\n{listed}"
        );
    }
    // The token files point at live tokens.
    assert!(hub.alive(&s.read(".cache/huggingface/token")));
    assert!(hub.alive(&std::fs::read_to_string(&b_file).unwrap()));
    // And in b's directory, huggingface_hub's get_token() gives a token the Hub accepts.
    s.write("work/.hfenv", "b\n");
    let got = s
        .hfenv(&[
            "exec",
            "--",
            py.to_str().unwrap(),
            "-c",
            "from huggingface_hub import get_token, whoami; print(get_token()); print(whoami()['name'])",
        ])
        .dir(s.path("work"))
        .ok();
    let mut lines = got.stdout.lines();
    assert!(hub.alive(lines.next().unwrap_or("")), "{}", got.stdout);
    assert_eq!(lines.next(), Some("bob"), "{}", got.stderr);
}

/// The threat model's B2 for a new login: run where an allowed `.env` (no profile active) set
/// an endpoint, a proxy, `HF_HOME` and a `PATH` entry with an `hf` of its own, `add --login`
/// still runs the user's `hf` against the user's Hub and saves the login where the user keeps
/// theirs. The repository's `hf` never runs and its endpoint hears nothing.
#[test]
fn add_login_runs_in_the_users_environment_not_the_repositorys() {
    let Some(py) = python() else { return };
    let mut s = Sandbox::new();
    let hub = HubMock::start();
    let decoy = HubMock::start();
    s.set_env("HF_ENDPOINT", &hub.url);
    hub.oauth.lock().unwrap().device_user = "bob".into();
    let bin = s.mkdir("bin");
    std::fs::write(
        bin.join("hf"),
        format!(
            "#!/bin/sh\nexec '{}' -m huggingface_hub.cli.hf \"$@\"\n",
            py.display()
        ),
    )
    .unwrap();
    let repo = s.mkdir("repo");
    let evil = s.mkdir("repo/bin");
    std::fs::write(
        evil.join("hf"),
        "#!/bin/sh\ntouch \"$HOME/repository-hf-ran\"\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    for f in [bin.join("hf"), evil.join("hf")] {
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    s.set_env(
        "PATH",
        format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
    );
    s.write(
        "repo/.env",
        &format!(
            "HF_ENDPOINT={}\nHTTPS_PROXY={}\nHF_HOME=./hf\nPATH={}:${{PATH}}\n",
            decoy.url,
            decoy.url,
            evil.display()
        ),
    );
    s.hfenv(&["allow"]).dir(&repo).ok();
    let script = format!(
        "eval \"$({BIN} export bash --hook)\"; test \"$HF_HOME\" = ./hf || exit 9; \
         {BIN} add work --login"
    );
    let mut bash = s.command("bash", &["--noprofile", "--norc", "-c", &script]);
    bash.env("__HFENV_PID", std::process::id().to_string());
    let done = Run::new(bash).dir(&repo).run();
    assert_eq!(done.output.status.code(), Some(0), "{}", done.stderr);
    assert!(
        !s.path("repository-hf-ran").exists(),
        "the repository's `hf` ran"
    );
    assert!(
        !s.path("repo/hf").exists(),
        "the login went into the repository"
    );
    assert!(
        s.read(".cache/huggingface/stored_tokens")
            .contains("[oauth-bob]"),
        "{}",
        done.stderr
    );
    assert!(
        decoy.seen().is_empty(),
        "the repository's endpoint was asked"
    );
    let token = s.hfenv(&["token", "-p", "work"]).ok().stdout;
    assert!(hub.alive(token.trim()));
}

#[test]
fn add_login_runs_hf_auth_login_and_references_the_saved_login() {
    let Some(py) = python() else { return };
    let mut s = Sandbox::new();
    let hub = HubMock::start();
    s.set_env("HF_ENDPOINT", &hub.url);
    hub.oauth.lock().unwrap().device_user = "bob".into();
    // `hf` is the real huggingface_hub CLI, through a shim that needs no pyenv.
    let bin = s.mkdir("bin");
    let hf = bin.join("hf");
    std::fs::write(
        &hf,
        format!(
            "#!/bin/sh\nexec '{}' -m huggingface_hub.cli.hf \"$@\"\n",
            py.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hf, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    s.set_env("PATH", path);
    // An earlier login stays the active one.
    s.write(
        ".cache/huggingface/stored_tokens",
        &format!("[personal]\nhf_token = {TOKEN_PERSONAL}\n\n"),
    );
    s.write(".cache/huggingface/token", TOKEN_PERSONAL);
    let out = s.hfenv(&["add", "work", "--login"]).ok();
    assert!(
        out.stdout.contains("added profile `work`"),
        "{}\n{}",
        out.stdout,
        out.stderr
    );
    assert!(
        out.stderr
            .contains("active huggingface_hub login is unchanged"),
        "{}",
        out.stderr
    );
    assert!(
        s.config()
            .contains("[profiles.work]\nhf_stored = \"oauth-bob\""),
        "{}",
        s.config()
    );
    assert_eq!(s.read(".cache/huggingface/token"), TOKEN_PERSONAL);
    let stored = s.read(".cache/huggingface/stored_tokens");
    assert!(
        stored.contains("[personal]") && stored.contains("[oauth-bob]"),
        "{stored}"
    );
    let token = s.hfenv(&["token", "-p", "work"]).ok().stdout;
    assert!(hub.alive(token.trim()));
    // A second `--login` for the same name needs --force, and is refused before logging in.
    s.hfenv(&["add", "work", "--login"])
        .expect_stderr(1, "hfenv: profile `work` already exists — pass `--force` to replace it, or `hfenv remove work` first\n");
}

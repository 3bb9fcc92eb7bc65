//! Tokens in a real Secret Service: a private `dbus-daemon` and `gnome-keyring-daemon`,
//! unlocked with a test password, per test and inside the test's own HOME. `secret-tool`
//! (libsecret) checks from the outside what hfenv stored.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;

/// A private session bus with GNOME Keyring's Secret Service on it, stopped on drop. The bus
/// has no service activation: nothing else starts behind the test's back (no prompter, no
/// second keyring).
pub struct SecretService {
    bus: Child,
    keyring: Child,
}

impl Drop for SecretService {
    fn drop(&mut self) {
        let _ = self.keyring.kill();
        let _ = self.keyring.wait();
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

const PASSWORD: &str = "hfenv-test-password";

impl SecretService {
    /// Starts the bus and the keyring for `s` (and points `s` at them). `None` when the tools
    /// are missing outside CI; in CI that is a failure.
    pub fn start(s: &mut Sandbox) -> Option<SecretService> {
        for tool in [
            "dbus-daemon",
            "dbus-send",
            "gnome-keyring-daemon",
            "secret-tool",
        ] {
            if !have(tool) {
                return None;
            }
        }
        let run = s.root.path().join("run");
        std::fs::create_dir_all(&run).unwrap();
        std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700)).unwrap();
        let socket = run.join("bus");
        let conf = run.join("bus.conf");
        std::fs::write(
            &conf,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                socket.display()
            ),
        )
        .unwrap();
        let address = format!("unix:path={}", socket.display());
        s.set_env("XDG_RUNTIME_DIR", &run);
        s.set_env("DBUS_SESSION_BUS_ADDRESS", &address);
        let bus = s
            .command("dbus-daemon", &["--nofork", "--config-file"])
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dbus-daemon");
        wait_for(|| socket.exists(), "the private D-Bus socket");
        let mut keyring = s
            .command(
                "gnome-keyring-daemon",
                &["--foreground", "--unlock", "--components=secrets"],
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start gnome-keyring-daemon");
        // `--unlock` reads the password on stdin until it closes; the login keyring is created
        // with it (and unlocked) in $XDG_DATA_HOME/keyrings.
        {
            let mut stdin = keyring.stdin.take().unwrap();
            stdin.write_all(PASSWORD.as_bytes()).unwrap();
        }
        let ss = SecretService { bus, keyring };
        wait_for(
            || {
                let out = s
                    .command(
                        "dbus-send",
                        &[
                            "--session",
                            "--print-reply",
                            "--dest=org.freedesktop.DBus",
                            "/org/freedesktop/DBus",
                            "org.freedesktop.DBus.NameHasOwner",
                            "string:org.freedesktop.secrets",
                        ],
                    )
                    .output()
                    .unwrap();
                String::from_utf8_lossy(&out.stdout).contains("boolean true")
            },
            "gnome-keyring-daemon on the private bus",
        );
        Some(ss)
    }
}

fn wait_for(mut ready: impl FnMut() -> bool, what: &str) {
    let start = Instant::now();
    while !ready() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{what} did not come up within 20s"
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// What `secret-tool` finds for a profile's entry (service `hfenv`, account = profile).
pub fn stored(s: &Sandbox, profile: &str) -> Option<String> {
    let out = s
        .command(
            "secret-tool",
            &["lookup", "service", "hfenv", "username", profile],
        )
        .output()
        .unwrap();
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Puts a secret in the store the way another program would.
fn store_with_secret_tool(s: &Sandbox, profile: &str, token: &str) {
    let mut cmd = s.command(
        "secret-tool",
        &[
            "store",
            "--label=test",
            "service",
            "hfenv",
            "username",
            profile,
        ],
    );
    let out = spawn_with_input(&mut cmd, token)
        .wait_with_output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Locks the login collection, as a screen lock or `seahorse` would.
pub fn lock(s: &Sandbox) {
    let out = s
        .command(
            "dbus-send",
            &[
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.secrets",
                "/org/freedesktop/secrets",
                "org.freedesktop.Secret.Service.Lock",
                "array:objpath:/org/freedesktop/secrets/collection/login",
            ],
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn add_stored(s: &Sandbox, name: &str, token: &str) -> Done {
    s.hfenv(&["add", name, "--token-stdin", "--no-verify"])
        .stdin(&format!("{token}\n"))
        .ok()
}

fn exec_token(s: &Sandbox, profile: &str) -> Done {
    s.hfenv(&[
        "exec",
        "-p",
        profile,
        "--",
        "sh",
        "-c",
        "printf '%s|%s' \"${HF_TOKEN-unset}\" \"${HFENV_PROFILE-unset}\"",
    ])
    .run()
}

#[test]
fn add_keeps_the_token_in_the_store_and_only_a_reference_in_the_config() {
    let mut s = Sandbox::new();
    let Some(_ss) = SecretService::start(&mut s) else {
        return;
    };
    let d = add_stored(&s, "work", TOKEN_WORK);
    assert_eq!(
        d.stdout,
        "added profile `work` (credential store, hf_Fa…1111)\n"
    );
    assert_no_token(&d.stderr);
    assert_eq!(s.config(), "[profiles.work]\nkeyring = true\n");
    assert_eq!(stored(&s, "work").as_deref(), Some(TOKEN_WORK));

    // Read back through `token`, `exec` (explicit and chosen) and `export`.
    assert_eq!(
        s.hfenv(&["token", "-p", "work"]).ok().stdout,
        format!("{TOKEN_WORK}\n")
    );
    assert_eq!(exec_token(&s, "work").stdout, format!("{TOKEN_WORK}|work"));
    s.hfenv(&["use", "work"]).ok();
    let d = s
        .hfenv(&["exec", "--", "sh", "-c", "printf %s \"$HF_TOKEN\""])
        .ok();
    assert_eq!(d.stdout, TOKEN_WORK);
    let d = s.hfenv(&["export", "json"]).ok();
    assert!(d.stdout.contains(TOKEN_WORK), "{}", d.stdout);

    // `list` names the store as the source and reads nothing.
    let d = s.hfenv(&["list"]).ok();
    assert_eq!(
        d.stdout,
        "  NAME  SOURCE            TOKEN\n* work  credential store  (read when used)  (active: global)\n"
    );
    let d = s.hfenv(&["list", "--json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&d.stdout).unwrap();
    assert_eq!(v[0]["source"], "keyring");
    assert_eq!(v[0]["source_detail"], "work");
}

#[test]
fn store_choice_config_and_settings_keep_tokens_inline() {
    let mut s = Sandbox::new();
    let Some(_ss) = SecretService::start(&mut s) else {
        return;
    };
    let d = s
        .hfenv(&[
            "add",
            "inline",
            "--token-stdin",
            "--no-verify",
            "--store",
            "config",
        ])
        .stdin(&format!("{TOKEN_PERSONAL}\n"))
        .ok();
    assert_eq!(d.stderr, "");
    assert!(s
        .config()
        .contains(&format!("token = \"{TOKEN_PERSONAL}\"")));
    assert_eq!(stored(&s, "inline"), None);

    s.write_config("[settings]\nstore = \"config\"\n");
    add_stored(&s, "byset", TOKEN_CI);
    assert!(s.config().contains(&format!("token = \"{TOKEN_CI}\"")));
    assert_eq!(stored(&s, "byset"), None);

    // `--store keyring` overrides the setting.
    s.hfenv(&[
        "add",
        "kr",
        "--token-stdin",
        "--no-verify",
        "--store",
        "keyring",
    ])
    .stdin(TOKEN_TEAM)
    .ok();
    assert_eq!(stored(&s, "kr").as_deref(), Some(TOKEN_TEAM));
    assert!(!s.config().contains(TOKEN_TEAM));

    // `--store` only applies to pasted tokens.
    s.hfenv(&[
            "add",
            "x",
            "--token-env",
            "CI_HF_TOKEN",
            "--store",
            "keyring",
        ])
        .expect_stderr(2, "hfenv: the argument '--token-env <VAR>' cannot be used with '--store <WHERE>' — see `hfenv add --help`\n");

    s.write_config("[settings]\nstore = \"vault\"\n");
    s.hfenv(&["list"]).expect_stderr(1, "hfenv: $HOME/.config/hfenv/config.toml:2:9: unknown variant `vault`, expected one of `auto`, `keyring`, `config` — fix the config by hand; hfenv did not change it\n");
}

#[test]
fn force_replaces_into_the_store_and_cleans_up_after_itself() {
    let mut s = Sandbox::new();
    let Some(_ss) = SecretService::start(&mut s) else {
        return;
    };
    s.add_inline_config("work", TOKEN_WORK);
    // add --force with a pasted token moves the profile into the store.
    add_stored_force(&s, "work", TOKEN_PERSONAL);
    assert_eq!(s.config(), "[profiles.work]\nkeyring = true\n");
    assert_eq!(stored(&s, "work").as_deref(), Some(TOKEN_PERSONAL));
    // Replaced by another kind of source: the stored secret goes too.
    s.hfenv(&["add", "work", "--token-env", "CI_HF_TOKEN", "--force"])
        .ok();
    assert_eq!(stored(&s, "work"), None);
    assert_eq!(s.config(), "[profiles.work]\ntoken_env = \"CI_HF_TOKEN\"\n");
}

fn add_stored_force(s: &Sandbox, name: &str, token: &str) {
    s.hfenv(&["add", name, "--token-stdin", "--no-verify", "--force"])
        .stdin(&format!("{token}\n"))
        .ok();
}

impl Sandbox {
    fn add_inline_config(&self, name: &str, token: &str) {
        self.hfenv(&[
            "add",
            name,
            "--token-stdin",
            "--no-verify",
            "--store",
            "config",
        ])
        .stdin(&format!("{token}\n"))
        .ok();
    }
}

const COMMENTED: &str = r#"# my accounts
[settings]
dotenv = true   # load .env files

# The day job.
[profiles.work]
# pasted from the settings page
token = "hf_FakeWorkTokenAAAAAAAAAAAAAAAAAAA1111"   # rotated in May
env = { HF_HOME = "/data/work" }

[profiles]
personal = { token = "hf_FakePersonalTokenBBBBBBBBBBBBBBB2222", env = { A = "1" } }

[profiles.ci]
token_env = "CI_HF_TOKEN"

[dirs]
"~/acme" = "work"   # the client
"#;

#[test]
fn migrate_moves_inline_tokens_keeping_comments_and_layout() {
    let mut s = Sandbox::new();
    let Some(_ss) = SecretService::start(&mut s) else {
        return;
    };
    s.write_config(COMMENTED);
    let d = s.hfenv(&["migrate"]).ok();
    assert_eq!(
        d.stdout,
        "moved profile `personal`'s token into the credential store (service `hfenv`, account `personal`)\n\
         moved profile `work`'s token into the credential store (service `hfenv`, account `work`)\n"
    );
    assert_no_token(&d.stderr);
    let want = COMMENTED
        .replace(
            "token = \"hf_FakeWorkTokenAAAAAAAAAAAAAAAAAAA1111\"   # rotated in May",
            "keyring = true   # rotated in May",
        )
        .replace(
            "personal = { token = \"hf_FakePersonalTokenBBBBBBBBBBBBBBB2222\",",
            "personal = { keyring = true,",
        );
    assert_eq!(s.config(), want);
    assert_no_token(&s.config());
    assert_eq!(stored(&s, "work").as_deref(), Some(TOKEN_WORK));
    assert_eq!(stored(&s, "personal").as_deref(), Some(TOKEN_PERSONAL));
    let mode = std::fs::metadata(s.config_path())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    // The profiles still work, their env included.
    assert_eq!(exec_token(&s, "work").stdout, format!("{TOKEN_WORK}|work"));
    let d = s
        .hfenv(&[
            "exec",
            "-p",
            "personal",
            "--",
            "sh",
            "-c",
            "printf %s \"$A\"",
        ])
        .ok();
    assert_eq!(d.stdout, "1");
    // Nothing left to do; naming a profile that is not inline says why.
    assert_eq!(
        s.hfenv(&["migrate"]).ok().stdout,
        "no inline tokens in the config; nothing to move\n"
    );
    assert_eq!(
        s.hfenv(&["migrate", "work"]).ok().stdout,
        "profile `work`'s token is already in the credential store\n"
    );
    s.hfenv(&["migrate", "ci"]).expect_stderr(1, "hfenv: profile `ci` takes its token from the variable `CI_HF_TOKEN`, not the config — only inline tokens (`token = …`) move into the credential store\n");
    s.hfenv(&["migrate", "nope"]).expect_stderr(
        1,
        "hfenv: no profile named `nope` — known profiles: `ci`, `personal`, `work`\n",
    );
}

#[test]
fn migrate_one_profile_and_a_dotted_table() {
    let mut s = Sandbox::new();
    let Some(_ss) = SecretService::start(&mut s) else {
        return;
    };
    let text = format!(
        "[profiles]\nwork.token = \"{TOKEN_WORK}\"\nwork.env = {{ B = \"2\" }}\nci.token = \"{TOKEN_CI}\"\n"
    );
    s.write_config(&text);
    s.hfenv(&["migrate", "work"]).ok();
    assert_eq!(
        s.config(),
        format!("[profiles]\nwork.keyring = true\nwork.env = {{ B = \"2\" }}\nci.token = \"{TOKEN_CI}\"\n")
    );
    assert_eq!(stored(&s, "work").as_deref(), Some(TOKEN_WORK));
    assert_eq!(stored(&s, "ci"), None);
}

#[test]
fn remove_deletes_the_stored_token() {
    let mut s = Sandbox::new();
    let Some(_ss) = SecretService::start(&mut s) else {
        return;
    };
    add_stored(&s, "work", TOKEN_WORK);
    add_stored(&s, "personal", TOKEN_PERSONAL);
    let d = s.hfenv(&["remove", "work"]).ok();
    assert_eq!(
        d.stdout,
        "removed profile `work`\ndeleted its token from the credential store\n"
    );
    assert_eq!(stored(&s, "work"), None);
    assert_eq!(stored(&s, "personal").as_deref(), Some(TOKEN_PERSONAL));
    // A secret already gone is not an error.
    store_with_secret_tool(&s, "gone", TOKEN_CI);
    s.write_config(&format!(
        "{}\n[profiles.gone]\nkeyring = true\n",
        s.config()
    ));
    s.command(
        "secret-tool",
        &["clear", "service", "hfenv", "username", "gone"],
    )
    .status()
    .unwrap();
    assert_eq!(
        s.hfenv(&["remove", "gone"]).ok().stdout,
        "removed profile `gone`\n"
    );
}

#[test]
fn a_token_put_there_by_another_program_is_read() {
    let mut s = Sandbox::new();
    let Some(_ss) = SecretService::start(&mut s) else {
        return;
    };
    store_with_secret_tool(&s, "team", &format!("  {TOKEN_TEAM}\n"));
    s.write_config("[profiles.team]\nkeyring = true\n");
    assert_eq!(
        s.hfenv(&["token", "-p", "team"]).ok().stdout,
        format!("{TOKEN_TEAM}\n")
    );
    s.hfenv(&["token", "-p", "nothing"]).expect_stderr(
        1,
        "hfenv: no profile named `nothing` — known profiles: `team`\n",
    );
    s.write_config("[profiles.missing]\nkeyring = true\n");
    let e = s.hfenv(&["token", "-p", "missing"]).code(1);
    assert_eq!(
        e.stderr,
        "hfenv: profile `missing`: the credential store holds no token for it — store it again with `hfenv add missing --force`\n"
    );
}

#[test]
fn a_locked_store_exports_nothing_of_the_profile_and_says_why() {
    let mut s = Sandbox::new();
    let Some(_ss) = SecretService::start(&mut s) else {
        return;
    };
    add_stored(&s, "work", TOKEN_WORK);
    s.write_config(&format!(
        "[settings]\ntoken_command_timeout = 5\n\n{}\n[profiles.work.env]\nHF_HOME = \"/data/work\"\n",
        s.config()
    ));
    lock(&s);
    s.hfenv(&["token", "-p", "work"])
        .expect_stderr(1, "hfenv: profile `work`: the credential store is locked (SS error: prompt dismissed) — unlock your keyring (your desktop login or keyring manager does) and try again; a hooked shell tries again at the next `cd`\n");
    s
        .hfenv(&[
            "exec",
            "-p",
            "work",
            "--",
            "sh",
            "-c",
            "printf '%s|%s|%s' \"${HF_TOKEN-unset}\" \"${HFENV_PROFILE-unset}\" \"${HF_HOME-unset}\"",
        ])
        // exec must not run without the profile's token.
        .expect_stderr(1, lines(&["hfenv: profile `work`: the credential store is locked (SS error: prompt dismissed) — unlock your keyring (your desktop login or keyring manager does) and try again; a hooked shell tries again at the next `cd` (no token exported)", "hfenv: profile `work` has no token, so the command was not run"]));
    let d = s.hfenv(&["export", "json", "-p", "work"]).run();
    let v: serde_json::Value = serde_json::from_str(&d.stdout).unwrap();
    assert_eq!(v["HF_TOKEN"], serde_json::Value::Null, "{}", d.stdout);
    assert!(
        v.get("HFENV_PROFILE").is_none_or(|p| p.is_null()),
        "{}",
        d.stdout
    );
    assert!(v.get("HF_HOME").is_none(), "{}", d.stdout);
    // `add` does not fall back to the config when a store answers but is locked.
    s.hfenv(&["add", "other", "--token-stdin", "--no-verify"])
        .stdin(TOKEN_CI)
        .expect_stderr(1, "hfenv: could not keep the token in the credential store: the credential store is locked (SS error: prompt dismissed) — unlock your keyring and try again, or pass `--store config`\n");
    assert!(!s.config().contains("other"));
}

#[test]
fn no_daemon_falls_back_to_the_config_with_one_line() {
    // The sandbox's bus address names a socket that does not exist.
    let s = Sandbox::new();
    s.hfenv(&["add", "work", "--token-stdin", "--no-verify"])
        .stdin(&format!("{TOKEN_WORK}\n"))
        .expect(0, "added profile `work` (inline token, hf_Fa…1111)\n", "hfenv: no credential store answers (zbus error: Failed to connect to address `unix:path=$ROOT/no-bus`: No such file or directory (os error 2)); the token is kept in the config file (mode 0600) — `hfenv migrate` moves it once a store answers, `--store config` keeps it there quietly\n");
    assert!(s.config().contains(TOKEN_WORK));
    // An explicit choice of the store does not fall back.
    s.hfenv(&[
        "add",
        "k",
        "--token-stdin",
        "--no-verify",
        "--store",
        "keyring",
    ])
    .stdin(TOKEN_CI)
    .expect_stderr(1, "hfenv: could not keep the token in the credential store: no credential store answers (zbus error: Failed to connect to address `unix:path=$ROOT/no-bus`: No such file or directory (os error 2)) — pass `--store config` to keep it in the config file\n");
    s.write_config(&format!(
        "{}\n[settings]\nstore = \"keyring\"\n",
        s.config()
    ));
    s.hfenv(&["add", "k", "--token-stdin", "--no-verify"])
        .stdin(TOKEN_CI)
        .code(1);
    assert!(!s.config().contains(TOKEN_CI));
    // Reading a stored profile without a store: a clear message, nothing exported.
    s.write_config("[profiles.work]\nkeyring = true\n");
    s.hfenv(&["token", "-p", "work"])
        .expect_stderr(1, "hfenv: profile `work`: no credential store answers (zbus error: Failed to connect to address `unix:path=$ROOT/no-bus`: No such file or directory (os error 2)) — start your desktop session's keyring (or run `hfenv doctor`); `--store config` keeps tokens in the config\n");
    s.hfenv(&["migrate"])
        .expect(0, "no inline tokens in the config; nothing to move\n", "");
    s.write_config(&format!("[profiles.w]\ntoken = \"{TOKEN_WORK}\"\n"));
    s.hfenv(&["migrate"]).expect_stderr(1, "hfenv: could not move profile `w`'s token: no credential store answers (zbus error: Failed to connect to address `unix:path=$ROOT/no-bus`: No such file or directory (os error 2)) — start a credential store (a Secret Service such as GNOME Keyring or KeePassXC) and run `hfenv migrate` again\n");
    assert!(
        s.config().contains(TOKEN_WORK),
        "the config keeps the token"
    );
}

#[test]
fn a_hung_daemon_is_abandoned_after_the_timeout() {
    let mut s = Sandbox::new();
    // A socket that accepts connections and never says a word.
    let path: PathBuf = s.root.path().join("silent.sock");
    let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    let held = std::thread::spawn(move || {
        let mut keep = Vec::new();
        for c in listener.incoming().take(8) {
            keep.push(c);
        }
    });
    drop(held);
    s.set_env(
        "DBUS_SESSION_BUS_ADDRESS",
        format!("unix:path={}", path.display()),
    );
    s.write_config("[settings]\ntoken_command_timeout = 1\n");
    s.hfenv(&["add", "work", "--token-stdin", "--no-verify"])
        .stdin(&format!("{TOKEN_WORK}\n"))
        .expect(0, "added profile `work` (inline token, hf_Fa…1111)\n", "hfenv: the credential store did not answer within 1s; the token is kept in the config file (mode 0600) — `hfenv migrate` moves it once a store answers, `--store config` keeps it there quietly\n");
    assert!(s.config().contains(TOKEN_WORK));
    s.write_config("[settings]\ntoken_command_timeout = 1\n[profiles.k]\nkeyring = true\n");
    s.hfenv(&["token", "-p", "k"]).expect_stderr(1, "hfenv: profile `k`: the credential store did not answer within 1s — check that the keyring daemon runs and is unlocked, or raise `token_command_timeout` in `[settings]`\n");
}

/// doctor's findings of the token storage check, as (status, message, fix).
fn storage_findings(s: &Sandbox) -> Vec<(String, String, String)> {
    let d = s.hfenv(&["doctor", "--offline", "--json"]).run();
    let v: serde_json::Value = serde_json::from_str(&d.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", d.stdout, d.stderr));
    assert_no_token(&d.stdout);
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["check"] == "token storage")
        .map(|c| {
            (
                c["status"].as_str().unwrap().to_string(),
                c["message"].as_str().unwrap().to_string(),
                c["fix"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn doctor_says_where_each_token_lives() {
    let mut s = Sandbox::new();
    // No store: inline tokens are only noted.
    s.add_inline_config("home", TOKEN_PERSONAL);
    let f = storage_findings(&s);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].0, "info");
    assert!(
        f[0].1.contains("inline") && f[0].1.contains("`home`"),
        "{f:?}"
    );
    assert!(f[0].1.contains("no credential store answers"), "{f:?}");

    let Some(_ss) = SecretService::start(&mut s) else {
        return;
    };
    add_stored(&s, "work", TOKEN_WORK);
    s.hfenv(&["add", "ci", "--token-env", "CI_HF_TOKEN"]).ok();
    let f = storage_findings(&s);
    assert_eq!(f.len(), 3, "{f:?}");
    assert_eq!(f[0].0, "info");
    assert_eq!(
        f[0].1,
        "tokens kept outside hfenv: `ci` (variable `CI_HF_TOKEN`)"
    );
    let f = f[1..].to_vec();
    assert_eq!(f[0].0, "ok");
    assert_eq!(
        f[0].1,
        "tokens in the OS credential store (service `hfenv`): `work`"
    );
    assert_eq!(f[1].0, "warn");
    assert!(
        f[1].1.contains("inline") && f[1].1.contains("`home`"),
        "{f:?}"
    );
    assert!(f[1].2.contains("hfenv migrate"), "{f:?}");

    // A reference with nothing behind it is a problem with a fix.
    s.write_config(&format!(
        "{}\n[profiles.gone]\nkeyring = true\n",
        s.config()
    ));
    let f = storage_findings(&s);
    let gone = f
        .iter()
        .find(|x| x.1.contains("`gone`"))
        .expect("gone reported");
    assert_eq!(gone.0, "fail");
    assert!(gone.2.contains("hfenv add gone --force"), "{f:?}");

    lock(&s);
    let f = storage_findings(&s);
    assert!(
        f.iter().any(|x| x.0 == "warn" && x.1.contains("locked")),
        "{f:?}"
    );
}

#[test]
fn import_copy_puts_tokens_in_the_store() {
    let mut s = Sandbox::new();
    let Some(_ss) = SecretService::start(&mut s) else {
        return;
    };
    s.write(
        ".cache/huggingface/stored_tokens",
        &format!("[fine]\nhf_token = {TOKEN_WORK}\n\n[team]\nhf_token = {TOKEN_TEAM}\n"),
    );
    add_stored(&s, "team", TOKEN_CI);
    let d = s.hfenv(&["import", "--copy"]).ok();
    assert!(
        d.stdout
            .contains("as profile `fine` (hf_Fa…1111, copied into the credential store)"),
        "{}",
        d.stdout
    );
    assert_eq!(stored(&s, "fine").as_deref(), Some(TOKEN_WORK));
    assert_no_token(&s.config());
    assert!(
        s.config().contains("[profiles.fine]\nkeyring = true\n"),
        "{}",
        s.config()
    );
    // Replacing a stored profile by a reference leaves no orphan in the store.
    s.hfenv(&["import", "--force"]).ok();
    assert!(
        s.config().contains("[profiles.team]\nhf_stored = \"team\""),
        "{}",
        s.config()
    );
    assert_eq!(stored(&s, "team"), None);
    assert_eq!(s.token_of("team"), TOKEN_TEAM);
}

#[test]
fn remove_without_a_store_still_removes_the_profile_and_says_where_the_secret_stays() {
    // The sandbox's bus address names a socket that does not exist.
    let s = Sandbox::new();
    s.write_config(
        "[profiles.work]\nkeyring = true\n\n[profiles.home]\ntoken_env = \"HOME_HF_TOKEN\"\n",
    );
    let d = s.hfenv(&["remove", "work"]).ok();
    assert_eq!(d.stdout, "removed profile `work`\n");
    assert!(
        d.stderr.starts_with("hfenv: warning: its token stays in the credential store (service `hfenv`, account `work`): no credential store answers"),
        "{}",
        d.stderr
    );
    assert_eq!(
        s.config().trim_start(),
        "[profiles.home]\ntoken_env = \"HOME_HF_TOKEN\"\n"
    );
}

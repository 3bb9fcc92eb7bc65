//! Issue 9 B and C: a repository never steers hfenv, and secrets stay off disk and screen.
//! Where a message is the behaviour, the whole stderr is stated.

use std::os::unix::fs::symlink;
use std::time::{Duration, Instant};

use crate::hubmock::{HubMock, Reply};
use crate::support::*;

/// B1: a pin is a small regular file holding a profile name, nothing else: a link (to the
/// environment, to `.netrc`), escape sequences or a FIFO are refused with a notice that never
/// quotes them.
#[test]
fn a_pin_is_a_profile_name_and_nothing_else() {
    let mut s = Sandbox::new();
    s.add_inline("work", TOKEN_WORK);
    s.set_env("SENTINEL_SECRET", "password-from-the-environment");
    s.write(".netrc", "machine x login me password hunter2\n");
    type Make<'a> = &'a dyn Fn(&std::path::Path);
    let cases: [(&str, Make); 4] = [
        ("environ", &|p| symlink("/proc/self/environ", p).unwrap()),
        ("netrc", &|p| symlink("../.netrc", p).unwrap()),
        ("escape", &|p| {
            std::fs::write(p, "\u{1b}]0;pwnd-title\u{7}\u{1b}[31mwork\n").unwrap()
        }),
        ("fifo", &|p| mkfifo(p)),
    ];
    for (name, make) in cases {
        let dir = s.mkdir(name);
        let pin = dir.join(".hfenv");
        make(&pin);
        let started = Instant::now();
        for args in [
            &["status"][..],
            &["status", "--json"],
            &["export", "bash", "--hook"],
        ] {
            let out = s.hfenv(args).dir(&dir).run();
            let all = format!("{}{}", out.stdout, out.stderr);
            for secret in ["password-from", "hunter2", "\u{1b}", "pwnd-title"] {
                assert!(
                    !all.contains(secret),
                    "{name} {args:?} leaked {secret:?}:\n{all}"
                );
            }
            assert!(!all.contains(TOKEN_WORK));
            assert!(
                all.contains("was ignored"),
                "{name} {args:?}: no notice:\n{all}"
            );
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{name}: waited"
        );
    }
}

/// B1: no repository text reaches the terminal with its control characters: a `.env` path
/// (a directory name) is escaped in every message.
#[test]
fn directory_names_are_escaped_in_messages() {
    let s = Sandbox::new();
    s.add_inline("work", TOKEN_WORK);
    let dir = s.mkdir("evil\u{1b}[2Jname");
    s.write("evil\u{1b}[2Jname/.env", "A=1\n");
    let out = s.hfenv(&["export", "bash"]).dir(&dir).ok();
    assert_eq!(
        out.stderr,
        format!(
            "hfenv: `{}/evil\\u{{1b}}[2Jname/.env` is blocked — run `hfenv allow '{}/evil\\u{{1b}}[2Jname/.env'` to load it\n",
            s.home.display(),
            s.home.display()
        )
    );
}

/// B2: an endpoint a repository's `.env` put in the shell never receives a token: `whoami`,
/// `add` and `doctor` use the profile's, the user's own or the default.
#[test]
fn a_dotenv_endpoint_never_receives_a_token() {
    let s = Sandbox::new();
    s.add_inline("personal", TOKEN_PERSONAL);
    let hub = HubMock::start();
    hub.whoami(Reply::whoami("me", "read", &[]));
    let dir = s.mkdir("repo");
    s.write("repo/.env", &format!("HF_ENDPOINT={}\n", hub.url));
    s.hfenv(&["allow"]).dir(&dir).ok();
    // A shell as the hook leaves it in this directory, then the commands that send a token.
    let script = format!(
        "eval \"$({BIN} export bash --hook)\"; test \"$HF_ENDPOINT\" = {url} || exit 9; \
         {BIN} whoami -p personal; {BIN} doctor --json >/dev/null; \
         printf '%s\\n' {TOKEN_PERSONAL} | {BIN} add other --token-stdin",
        url = hub.url
    );
    let mut bash = s.command("bash", &["--noprofile", "--norc", "-c", &script]);
    bash.env("__HFENV_PID", std::process::id().to_string());
    let done = Run::new(bash).dir(&dir).run();
    assert_ne!(
        done.output.status.code(),
        Some(9),
        "the .env was not applied: {}",
        done.stderr
    );
    let seen = hub.seen();
    assert!(
        seen.iter().all(|r| r.authorization.is_none()),
        "a token went to the .env's endpoint: {:?}",
        seen.iter().map(|r| &r.path).collect::<Vec<_>>()
    );
}

/// B3: trust is for a file at its place: allowing one `.env` link does not trust another link
/// to the same file, and `allow` says where a link leads.
#[test]
fn trust_covers_the_link_and_its_target() {
    let s = Sandbox::new();
    s.add_inline("work", TOKEN_WORK);
    let target = s.write("shared.env", "SHARED=1\n");
    let a = s.mkdir("a");
    let b = s.mkdir("b");
    symlink(&target, a.join(".env")).unwrap();
    symlink(&target, b.join(".env")).unwrap();
    let allowed = s.hfenv(&["allow"]).dir(&a).ok();
    assert_eq!(
        allowed.stderr,
        format!(
            "hfenv: `{}` is a symbolic link to `{}`: trusted only as this link to that file, until either changes\n",
            a.join(".env").display(),
            target.display()
        )
    );
    let json = |dir: &std::path::Path| {
        let out = s.hfenv(&["export", "json"]).dir(dir).ok();
        serde_json::from_str::<serde_json::Value>(&out.stdout).unwrap()
    };
    assert_eq!(json(&a)["SHARED"], "1");
    assert!(
        json(&b).get("SHARED").is_none(),
        "trusted through another link"
    );
}

/// B4: a `.env` or `.hfenv` that is (or turns into) a FIFO never hangs a command.
#[test]
fn fifos_never_hang_a_command() {
    let s = Sandbox::new();
    s.add_inline("work", TOKEN_WORK);
    let dir = s.mkdir("p");
    mkfifo(&dir.join(".env"));
    mkfifo(&dir.join(".hfenv"));
    let started = Instant::now();
    for args in [
        &["status"][..],
        &["export", "json"],
        &["allow"],
        &["export", "zsh", "--hook"],
    ] {
        s.hfenv(args).dir(&dir).run();
    }
    assert!(started.elapsed() < Duration::from_secs(20));
}

/// C1: a writer killed mid-write leaves a temp file holding every token; the next write of the
/// config removes it.
#[test]
fn temp_files_of_killed_writers_do_not_survive() {
    let s = Sandbox::new();
    s.add_inline("work", TOKEN_WORK);
    let dir = s.config_path().parent().unwrap().to_path_buf();
    let stale = dir.join(".config.toml.999999999.tmp");
    std::fs::write(&stale, s.config()).unwrap();
    s.add_inline("personal", TOKEN_PERSONAL);
    assert!(!stale.exists(), "stale temp file survived a write");
}

/// C2: a token pasted as a profile name, or inside a token command, is masked in every
/// message.
#[test]
fn tokens_in_arguments_are_masked() {
    let s = Sandbox::new();
    let out = s.hfenv(&["add", TOKEN_WORK, "--no-verify"]).code(2);
    assert_eq!(
        out.stderr,
        "hfenv: `hf_Fa…1111` looks like a token, not a profile name — a token is never an argument: run `hfenv add NAME` and paste it at the prompt (and revoke it if it reached your shell history)\n"
    );
    let cmd = format!("echo {TOKEN_CI}");
    let out = s
        .hfenv(&["add", "ci", "--token-command", &cmd, "--no-verify"])
        .ok();
    assert_no_token(&format!("{}{}", out.stdout, out.stderr));
    assert!(out.stdout.contains("hf_Fa…3333"), "{}", out.stdout);
    let out = s.hfenv(&["list"]).ok();
    assert_no_token(&format!("{}{}", out.stdout, out.stderr));
    let out = s.hfenv(&["remove", "ci"]).ok();
    assert_no_token(&format!("{}{}", out.stdout, out.stderr));
}

/// C4: data exports carry the profile's variables, never the host PATH (a container's PATH is
/// replaced by whatever `--env-file` holds).
#[test]
fn data_exports_carry_no_host_path() {
    let s = Sandbox::new();
    s.add_inline("work", TOKEN_WORK);
    s.hfenv(&["use", "work"]).ok();
    let bin = s.mkdir("tools/bin");
    s.write(".local/state/hfenv/path", &format!("{}\n", bin.display()));
    let json = s.hfenv(&["export", "json"]).ok().stdout;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v.get("PATH").is_none(), "{json}");
    let dotenv = s.hfenv(&["export", "dotenv"]).ok().stdout;
    assert!(!dotenv.contains("PATH="), "{dotenv}");
    // Nor through a `.env`: `${PATH}` there is this host's whole PATH. (Without a profile: while
    // one is active a `.env` cannot set PATH at all, see
    // `a_dotenv_cannot_choose_what_runs_with_the_token`.)
    s.hfenv(&["use", "--clear"]).ok();
    let dir = s.mkdir("p");
    s.write("p/.env", "PATH=${PATH}:/opt/tool/bin\nX=1\n");
    s.hfenv(&["allow"]).dir(&dir).ok();
    for format in ["json", "dotenv", "github"] {
        let out = s
            .hfenv(&["export", format])
            .env("GITHUB_ENV", s.path("github-env"))
            .dir(&dir)
            .ok();
        let github = std::fs::read_to_string(s.path("github-env")).unwrap_or_default();
        let all = format!("{}{github}", out.stdout);
        assert!(!all.contains("/opt/tool/bin"), "{format}: {all}");
        assert!(all.contains('X'), "{format}: {all}");
        let said = format!(
            "`PATH` from `{}` is not exported as data",
            dir.join(".env").display()
        );
        assert!(out.stderr.contains(&said), "{format}: {}", out.stderr);
    }
}

/// B3: trust is checked on the very file that is read. A repository swapping its `.env` link
/// between two targets while the hook and `allow` read it never gets a target's values loaded
/// under another's trust, nor a target trusted with another's content: the file is opened
/// once, the link's target checked against that descriptor, and what is hashed is what was
/// read from it. The same holds for a pin swapped between a file and a link.
#[test]
fn swapping_a_link_while_it_is_read_never_mixes_trust() {
    use sha2::{Digest, Sha256};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    let s = Sandbox::new();
    s.add_inline("work", TOKEN_WORK);
    s.add_inline("personal", TOKEN_PERSONAL);
    let dir = s.mkdir("p");
    s.write("p/a.env", "FROM=a\n");
    s.write("p/b.env", "FROM=b\n");
    s.write("p/pin-work", "work\n");
    s.write("p/pin-personal", "personal\n");
    symlink("a.env", dir.join(".env")).unwrap();
    std::fs::copy(dir.join("pin-work"), dir.join(".hfenv")).unwrap();
    s.hfenv(&["allow"]).dir(&dir).ok();

    // Swaps `.env` between the two targets, and `.hfenv` between a file and a link to another
    // pin, each by an atomic rename, until told to stop.
    let stop = Arc::new(AtomicBool::new(false));
    let swapper = {
        let (stop, dir) = (stop.clone(), dir.clone());
        std::thread::spawn(move || {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let tmp = dir.join(".env.swap");
                let _ = std::fs::remove_file(&tmp);
                symlink(
                    if n.is_multiple_of(2) {
                        "b.env"
                    } else {
                        "a.env"
                    },
                    &tmp,
                )
                .unwrap();
                std::fs::rename(&tmp, dir.join(".env")).unwrap();
                let tmp = dir.join(".hfenv.swap");
                let _ = std::fs::remove_file(&tmp);
                if n.is_multiple_of(2) {
                    symlink("pin-personal", &tmp).unwrap();
                } else {
                    std::fs::copy(dir.join("pin-work"), &tmp).unwrap();
                }
                std::fs::rename(&tmp, dir.join(".hfenv")).unwrap();
                n += 1;
            }
            n
        })
    };
    let mut wrong = Vec::new();
    // The hook's read: only the trusted link's values, only the pin that is a file.
    for _ in 0..150 {
        let out = s.hfenv(&["export", "json"]).dir(&dir).ok();
        let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        if v["FROM"] == "b" {
            wrong.push("b.env's values loaded under a.env's trust".to_string());
        }
        if v.get("HF_TOKEN").is_some() && v["HFENV_PROFILE"] != "work" {
            wrong.push(format!(
                "the pin's link was followed: {}",
                v["HFENV_PROFILE"]
            ));
        }
    }
    // `allow` while the link moves: each approval pairs a target with that target's content,
    // checked after every `allow` (a later one replaces an earlier approval of the same link).
    let place = dir.canonicalize().unwrap().join(".env");
    let check = |wrong: &mut Vec<String>| {
        for entry in std::fs::read_dir(s.state_dir().join("allow"))
            .unwrap()
            .flatten()
        {
            let key = std::fs::read_to_string(entry.path()).unwrap();
            let Some(target) = key.strip_prefix(&format!("{} -> ", place.display())) else {
                wrong.push(format!("an approval not as a link: {key}"));
                continue;
            };
            let content = std::fs::read(target).unwrap();
            let mut hash = Sha256::new();
            hash.update(key.as_bytes());
            hash.update(b"\n");
            hash.update(&content);
            let expected: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
            if entry.file_name().to_string_lossy() != expected {
                wrong.push(format!("`{target}` trusted with another file's content"));
            }
        }
    };
    for _ in 0..150 {
        s.hfenv(&["allow"]).dir(&dir).run();
        check(&mut wrong);
    }
    stop.store(true, Ordering::Relaxed);
    let swaps = swapper.join().unwrap();
    assert!(swaps > 0);
    assert_eq!(wrong, Vec::<String>::new(), "{swaps} swaps");
}

/// B2, the whole class: in a directory without a profile, a `.env` naming an endpoint gets no
/// answer from git's credential helper for that endpoint's host (the user's own token stays
/// theirs), and while a profile is active a `.env` cannot switch huggingface_hub to another Hub
/// by `HUGGINGFACE_CO_STAGING` any more than by `HF_ENDPOINT`.
#[test]
fn a_dotenv_cannot_steer_the_credential_helper_or_the_hub() {
    let mut s = Sandbox::new();
    s.add_inline("work", TOKEN_WORK);
    s.set_env("HF_TOKEN", TOKEN_PERSONAL);
    let bare = s.mkdir("bare");
    s.write(
        "bare/.env",
        "HF_ENDPOINT=http://127.0.0.1:18008\nHUGGINGFACE_CO_STAGING=1\n",
    );
    s.hfenv(&["allow"]).dir(&bare).ok();
    let script = format!(
        "eval \"$({BIN} export bash --hook)\"; test \"$HF_ENDPOINT\" = http://127.0.0.1:18008 || exit 9; \
         printf 'protocol=http\\nhost=127.0.0.1:18008\\n\\n' | {BIN} credential get"
    );
    let mut bash = s.command("bash", &["--noprofile", "--norc", "-c", &script]);
    bash.env("__HFENV_PID", std::process::id().to_string());
    let done = Run::new(bash).dir(&bare).run();
    assert_ne!(done.output.status.code(), Some(9), "{}", done.stderr);
    assert!(
        !done.stdout.contains("password") && !done.stdout.contains("hf_Fake"),
        "the helper answered the .env's endpoint"
    );

    let pinned = s.mkdir("pinned");
    s.write("pinned/.hfenv", "work\n");
    s.write(
        "pinned/.env",
        "HUGGINGFACE_CO_STAGING=1\nhuggingface_co_staging=1\nOK=1\n",
    );
    s.hfenv(&["allow"]).dir(&pinned).ok();
    let out = s.hfenv(&["export", "json"]).dir(&pinned).ok();
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["OK"], "1");
    assert!(v.get("HUGGINGFACE_CO_STAGING").is_none(), "{}", out.stdout);
    assert!(v.get("huggingface_co_staging").is_none(), "{}", out.stdout);
    assert!(
        out.stderr
            .contains("`HUGGINGFACE_CO_STAGING` (the active profile owns it"),
        "{}",
        out.stderr
    );
}

/// A6, the whole class: a profile's `env` adding up to more than commands can be started with
/// is cut at the same bound as a `.env`, with a notice, so every command keeps working.
#[test]
fn a_profiles_env_too_big_for_exec_is_refused() {
    let s = Sandbox::new();
    let big = "x".repeat(100_000);
    let mut config = format!("[profiles.work]\ntoken = \"{TOKEN_WORK}\"\n\n[profiles.work.env]\n");
    for i in 0..24 {
        config.push_str(&format!("BIG{i:02} = \"{big}\"\n"));
    }
    s.write_config(&config);
    s.write("p/.hfenv", "work\n");
    let out = s.hfenv(&["export", "json"]).dir(s.path("p")).ok();
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let total: usize = v
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| k.len() + v.as_str().unwrap().len() + 2)
        .sum();
    assert!(total <= 1 << 20, "{total} bytes exported");
    assert_eq!(v["HF_TOKEN"], TOKEN_WORK);
    assert!(
        out.stderr.contains("profile `work`: not set: `BIG")
            && out
                .stderr
                .contains("more than commands can be started with"),
        "{}",
        out.stderr
    );
}

/// C2, the whole class: a usage error quoting an argument (a token pasted in the wrong place,
/// escape sequences) shows it masked and escaped, as every other message.
#[test]
fn usage_errors_mask_tokens_and_escape_arguments() {
    let s = Sandbox::new();
    for args in [
        &["status", TOKEN_WORK][..],
        &["hook", TOKEN_WORK],
        &["whoami", "--bogus", TOKEN_WORK],
        &[TOKEN_WORK],
        &["export", "\u{1b}]0;title\u{7}"],
    ] {
        let out = s.hfenv(args).code(2);
        assert!(
            out.stderr.starts_with("hfenv: "),
            "{args:?}: {}",
            out.stderr
        );
        assert_no_token(&out.stderr);
        assert!(!out.stderr.contains('\u{1b}'), "{args:?}: {:?}", out.stderr);
    }
}

/// A4, the whole class: a `token_env` profile cannot read its token from a variable hfenv sets
/// itself (its own names, the marker) or from a case variant of the token's (nushell folds
/// case): the config says so, with file:line:col.
#[test]
fn token_env_cannot_name_hfenvs_own_or_the_tokens_variables() {
    let s = Sandbox::new();
    for var in [
        "HFENV_PROFILE",
        "__HFENV_STATE",
        "hf_token",
        "Hugging_Face_Hub_Token",
    ] {
        s.write_config(&format!("[profiles.e]\ntoken_env = \"{var}\"\n"));
        let out = s.hfenv(&["list"]).code(1);
        assert!(
            out.stderr.contains(&format!(
                "config.toml:1:1: profile `e` reads its token from `{var}` — name another variable"
            )),
            "{var}: {}",
            out.stderr
        );
    }
}

/// B3, the whole class: trust is what the user gave. An approval record others can write, one
/// that is a link, or an approvals directory others can write (a shared state directory)
/// trusts nothing.
#[test]
fn approvals_others_could_have_written_trust_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let s = Sandbox::new();
    s.add_inline("work", TOKEN_WORK);
    let dir = s.mkdir("p");
    s.write("p/.env", "FROM=env\n");
    s.hfenv(&["allow"]).dir(&dir).ok();
    let allow = s.state_dir().join("allow");
    let record = std::fs::read_dir(&allow)
        .unwrap()
        .flatten()
        .next()
        .unwrap()
        .path();
    let loaded = || {
        let out = s.hfenv(&["export", "json"]).dir(&dir).ok();
        serde_json::from_str::<serde_json::Value>(&out.stdout).unwrap()["FROM"] == "env"
    };
    let mode = |p: &std::path::Path, m: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap()
    };
    assert!(loaded());
    mode(&record, 0o666);
    assert!(!loaded(), "a record others can write");
    mode(&record, 0o600);
    assert!(loaded());
    mode(&allow, 0o777);
    assert!(!loaded(), "an approvals directory others can write");
    mode(&allow, 0o700);
    let target = s.write("elsewhere", "");
    std::fs::rename(&record, &target).unwrap();
    symlink(&target, &record).unwrap();
    assert!(!loaded(), "a record that is a link");
    std::fs::remove_file(&record).unwrap();
    std::fs::rename(&target, &record).unwrap();
    assert!(loaded());
}

/// B4, the whole class: a `.env` that is a loop of links, a directory, a socket or a link to a
/// terminal is never read or waited on, by the hook or by `allow`, and the notice says why
/// (a loop is a loop, not a link refused: `.env` links are followed).
#[test]
fn special_dotenv_files_are_refused_with_their_reason() {
    let s = Sandbox::new();
    s.add_inline("work", TOKEN_WORK);
    type Make<'a> = &'a dyn Fn(&std::path::Path);
    let cases: [(&str, Make, &str); 4] = [
        (
            "loop",
            &|p| symlink(".env", p).unwrap(),
            "too many levels of symbolic links",
        ),
        (
            "dir",
            &|p| std::fs::create_dir(p).unwrap(),
            "not a regular file",
        ),
        (
            "socket",
            &|p| drop(std::os::unix::net::UnixListener::bind(p).unwrap()),
            "not a regular file",
        ),
        (
            "tty",
            &|p| symlink("/dev/tty", p).unwrap(),
            "not a regular file",
        ),
    ];
    for (name, make, why) in cases {
        let dir = s.mkdir(name);
        make(&dir.join(".env"));
        let out = s.hfenv(&["export", "json"]).dir(&dir).ok();
        assert_eq!(out.stdout.trim(), "{}", "{name}");
        assert!(
            out.stderr
                .to_lowercase()
                .contains(&format!("was not loaded: {why}")),
            "{name}: {}",
            out.stderr
        );
        let allow = s
            .hfenv(&["allow", dir.join(".env").to_str().unwrap()])
            .code(1);
        assert!(
            allow.stderr.to_lowercase().contains(why),
            "{name}: {}",
            allow.stderr
        );
    }
}

/// B1, the whole class: `.env` keys holding escape sequences, a bell or a line break reach no
/// terminal raw, whichever command shows them (the hook's notice, `status`, `allow`).
#[test]
fn dotenv_keys_with_control_characters_are_escaped_everywhere() {
    let s = Sandbox::new();
    s.add_inline("work", TOKEN_WORK);
    let dir = s.mkdir("p");
    s.write(
        "p/.env",
        "\"K\u{1b}]0;title\u{7}\"=1\n\"A\nB\"=2\nC\u{1b}[2J=3\nOK=4\n",
    );
    let allow = s.hfenv(&["allow"]).dir(&dir).ok();
    for (what, out) in [
        ("allow", format!("{}{}", allow.stdout, allow.stderr)),
        ("status", {
            let o = s.hfenv(&["status"]).dir(&dir).ok();
            format!("{}{}", o.stdout, o.stderr)
        }),
        ("status --json", {
            let o = s.hfenv(&["status", "--json"]).dir(&dir).ok();
            format!("{}{}", o.stdout, o.stderr)
        }),
        ("export bash", {
            let o = s.hfenv(&["export", "bash"]).dir(&dir).ok();
            o.stderr
        }),
    ] {
        assert!(!out.contains(['\u{1b}', '\u{7}']), "{what}: {out:?}");
    }
    let out = s.hfenv(&["export", "json"]).dir(&dir).ok();
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["OK"], "4");
    assert!(
        out.stderr.contains("not set: `\"K\\u{1b}]0;title\\u{7}\"`"),
        "{}",
        out.stderr
    );
}

/// A `.env` allowed in a directory pinned to `work`, exported as JSON: the variables and what
/// was said.
fn export_under_work(s: &Sandbox, dotenv: &str) -> (serde_json::Value, String) {
    s.add_inline("work", TOKEN_WORK);
    let pinned = s.mkdir("pinned");
    s.write("pinned/.hfenv", "work\n");
    s.write("pinned/.env", dotenv);
    s.hfenv(&["allow"]).dir(&pinned).ok();
    let out = s.hfenv(&["export", "json"]).dir(&pinned).ok();
    (serde_json::from_str(&out.stdout).unwrap(), out.stderr)
}

/// B2, the whole class: while a profile is active an allowed `.env` cannot choose how its token
/// travels either — a proxy with the repository's certificate, verification turned off or a
/// TLS key log hand the token over as surely as `HF_ENDPOINT` does. Without a profile they
/// are ordinary values.
#[test]
fn a_dotenv_cannot_route_or_open_the_profiles_connections() {
    let s = Sandbox::new();
    let (v, stderr) = export_under_work(
        &s,
        "https_proxy=http://127.0.0.1:18009\nREQUESTS_CA_BUNDLE=./ca.pem\nSSLKEYLOGFILE=./keys\nOK=1\n",
    );
    assert_eq!(v["OK"], "1");
    for name in ["https_proxy", "REQUESTS_CA_BUNDLE", "SSLKEYLOGFILE"] {
        assert!(v.get(name).is_none(), "{name}: {v}");
    }
    let why = "it decides how the active profile's token travels (proxy, certificates, TLS keys); set it in your shell or the profile's `env`";
    assert_eq!(
        stderr,
        format!(
            "hfenv: `{}/pinned/.env`: not set: `https_proxy` ({why}), `REQUESTS_CA_BUNDLE` ({why}), `SSLKEYLOGFILE` ({why}) — the rest applies\n",
            s.home.display()
        )
    );

    let plain = s.mkdir("plain");
    s.write("plain/.env", "HTTPS_PROXY=http://127.0.0.1:18009\n");
    s.hfenv(&["allow"]).dir(&plain).ok();
    let out = s.hfenv(&["export", "json"]).dir(&plain).ok();
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["HTTPS_PROXY"], "http://127.0.0.1:18009");
}

/// B2 and "a repository's files are never code": while a profile is active an allowed `.env`
/// cannot choose which programs run with the token in their environment — a PATH entry
/// shadowing `hf`, a preloaded library, git's askpass, ssh command or configuration by
/// environment (a credential helper). Ordinary values such as `PYTHONPATH` stay.
#[test]
fn a_dotenv_cannot_choose_what_runs_with_the_token() {
    let s = Sandbox::new();
    let (v, stderr) = export_under_work(
        &s,
        "PATH=./bin:${PATH}\nLD_PRELOAD=./evil.so\nGIT_CONFIG_COUNT=1\ngit_config_key_0=credential.helper\nGIT_CONFIG_VALUE_0=!./steal\nGIT_ASKPASS=./askpass\nPYTHONPATH=src\n",
    );
    assert_eq!(v["PYTHONPATH"], "src");
    for name in [
        "PATH",
        "LD_PRELOAD",
        "GIT_CONFIG_COUNT",
        "git_config_key_0",
        "GIT_CONFIG_VALUE_0",
        "GIT_ASKPASS",
    ] {
        assert!(v.get(name).is_none(), "{name}: {v}");
    }
    let why = "it decides which programs run, and they would run with the active profile's token; set it in your shell or the profile's `env`";
    assert_eq!(
        stderr,
        format!(
            "hfenv: `{}/pinned/.env`: not set: `PATH` ({why}), `LD_PRELOAD` ({why}), `GIT_CONFIG_COUNT` ({why}), `git_config_key_0` ({why}), `GIT_CONFIG_VALUE_0` ({why}) and 1 more — the rest applies\n",
            s.home.display()
        )
    );
}

/// B2, where a login is read from: an allowed `.env` may give a repository its own `HF_HOME`
/// (a model cache of its own), but the `stored_tokens` an `hf_stored` profile is read from
/// (and a browser login refreshed into) stays the user's. Otherwise the repository would choose
/// the profile's token by shipping a `stored_tokens` of its own, and receive refreshed ones.
#[test]
fn a_dotenv_hf_home_never_chooses_where_a_login_is_read() {
    let s = Sandbox::new();
    s.write(
        ".cache/huggingface/stored_tokens",
        &format!("[team]\nhf_token = {TOKEN_TEAM}\n\n"),
    );
    s.hfenv(&["add", "team", "--hf-stored", "team", "--no-verify"])
        .ok();
    let repo = s.mkdir("repo");
    s.write("repo/.hfenv", "team\n");
    s.write("repo/.env", "HF_HOME=./hf\nXDG_CACHE_HOME=./cache\n");
    for planted in [
        "repo/hf/stored_tokens",
        "repo/cache/huggingface/stored_tokens",
    ] {
        s.write(planted, &format!("[team]\nhf_token = {TOKEN_PERSONAL}\n\n"));
    }
    s.hfenv(&["allow"]).dir(&repo).ok();
    // The second export runs in the environment the first one made, as the hook's next one does.
    let script = format!(
        "eval \"$({BIN} export bash --hook)\"; test \"$HF_HOME\" = ./hf || exit 9; \
         echo changed >>.env; {BIN} allow >/dev/null 2>&1; eval \"$({BIN} export bash --hook)\"; \
         {BIN} list --json; {BIN} token | sed 's/hf_FakeTeam.*/tokcmd:team/; s/hf_FakePersonal.*/tokcmd:personal/'; printf 'token:%s\\n' \"$HF_TOKEN\" | sed 's/hf_FakeTeam.*/team/; s/hf_FakePersonal.*/personal/'"
    );
    let mut bash = s.command("bash", &["--noprofile", "--norc", "-c", &script]);
    bash.env("__HFENV_PID", std::process::id().to_string());
    let done = Run::new(bash).dir(&repo).run();
    assert_eq!(done.output.status.code(), Some(0), "{}", done.stderr);
    assert!(done.stdout.ends_with("token:team\n"), "{}", done.stdout);
    assert!(
        done.stdout.contains("\"token\": \"hf_Fa…4444\""),
        "{}",
        done.stdout
    );
}

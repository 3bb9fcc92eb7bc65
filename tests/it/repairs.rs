//! Issue #13 items 4–12 and #9 D: tokens reach the right place and account only, every read
//! and every Hub answer is bounded, config values are checked, `list` scales.

use std::time::{Duration, Instant};

use crate::support::*;

#[test]
fn token_command_timeout_holds_when_a_background_child_keeps_stdout_open() {
    let s = Sandbox::new();
    s.write_config(&format!(
        "[settings]\ntoken_command_timeout = 2\n\n[profiles.vault]\ntoken_command = \"echo {TOKEN_WORK}; sleep 30 2>/dev/null &\"\n"
    ));
    let started = Instant::now();
    let out = s.hfenv(&["token", "-p", "vault"]).ok();
    assert_eq!(out.stdout.trim(), TOKEN_WORK);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "a leftover `sleep 30 &` held hfenv for {:?}",
        started.elapsed()
    );
    // (The leftover's stderr is sent away only because this test waits for hfenv's own stderr
    // to close; in a prompt it is the terminal.)
    // The same with a command that never finishes itself: killed at the bound.
    s.write_config(
        "[settings]\ntoken_command_timeout = 1\n\n[profiles.vault]\ntoken_command = \"sleep 30 2>/dev/null & sleep 30\"\n",
    );
    let started = Instant::now();
    let e = s.hfenv(&["token", "-p", "vault"]).code(1);
    assert!(
        e.stderr.contains("did not finish within 1s"),
        "{}",
        e.stderr
    );
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn every_config_value_is_checked_with_file_line_and_column() {
    let s = Sandbox::new();
    let config = s.config_path();
    for (text, want) in [
        (
            "[settings]\ntoken_command_timeout = nan\n",
            ":2:25: `token_command_timeout` is NaN",
        ),
        (
            "[settings]\ntoken_command_timeout = -3\n",
            ":2:25: `token_command_timeout` is -3",
        ),
        (
            "[settings]\ntoken_command_timeout = 1e12\n",
            ":2:25: `token_command_timeout` is 1",
        ),
        (
            "[settings]\ndotenv_files = [\"../../etc/x\"]\n",
            ":2:17: `dotenv_files` holds",
        ),
        (
            "[profiles.a]\ntoken_env = \"X\"\nenv = { __HFENV_STATE = \"x\" }\n",
            ":3:25: profile `a` sets `__HFENV_STATE`",
        ),
    ] {
        s.write_config(&format!("[profiles.p]\ntoken = \"{TOKEN_WORK}\"\n{text}"));
        for args in [
            &["list"][..],
            &["token", "-p", "p"],
            &["export", "bash"],
            &["status"],
        ] {
            let e = s.hfenv(args).code(1);
            let want = format!(
                "hfenv: {}{}",
                config.display(),
                want.replace(":2:", ":4:").replace(":3:", ":5:")
            );
            assert!(
                e.stderr.starts_with(&want),
                "{args:?} {text:?}:\n{}",
                e.stderr
            );
            assert!(!e.stderr.contains("panicked"), "{}", e.stderr);
        }
    }
}

/// `list` is linear in the number of profiles: 10,000 took 22 s in a debug build (`--json`
/// masked tokens in a quadratic pass), 20,000 over a minute.
#[test]
fn list_is_linear_in_the_number_of_profiles() {
    let s = Sandbox::new();
    let config: String = (0..10_000)
        .map(|i| format!("[profiles.p{i:05}]\ntoken = \"hf_FakeScaleTokenAAAAAAAAAAAAAA{i:05}\"\n"))
        .collect();
    s.write_config(&config);
    let started = Instant::now();
    let out = s.hfenv(&["list", "--json"]).ok();
    let items = serde_json::from_str::<serde_json::Value>(&out.stdout).unwrap();
    assert_eq!(items.as_array().unwrap().len(), 10_000);
    assert_eq!(items[9_999]["token"], "hf_Fa…9999");
    s.hfenv(&["list"]).ok();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

/// An unknown name gets the closest few, not every name, wherever it is met.
#[test]
fn unknown_profiles_get_did_you_mean_everywhere() {
    let s = Sandbox::new();
    let mut config: String = (0..50)
        .map(|i| format!("[profiles.p{i:02}]\ntoken = \"hf_FakeScaleTokenAAAAAAAAAAAAAA{i:05}\"\n"))
        .collect();
    config.push_str(&format!("[profiles.work]\ntoken = \"{TOKEN_WORK}\"\n"));
    s.write_config(&config);
    for args in [
        &["token", "-p", "wrok"][..],
        &["exec", "-p", "wrok", "--", "true"],
        &["export", "json", "-p", "wrok"],
        &["export", "bash", "-p", "wrok"],
        &["whoami", "-p", "wrok"],
        &["use", "wrok"],
        &["remove", "wrok"],
    ] {
        let e = s.hfenv(args).code(1);
        assert!(
            e.stderr
                .contains("no profile named `wrok` — did you mean `work`?"),
            "{args:?}: {}",
            e.stderr
        );
        assert!(e.stderr.len() < 300, "{args:?}: {}", e.stderr);
    }
    let e = s.hfenv(&["token", "-p", "zzzzzzzz"]).code(1);
    assert!(
        e.stderr.contains("`hfenv list` shows all 51 profiles"),
        "{}",
        e.stderr
    );
    s.write("proj/.hfenv", "wrok\n");
    let e = s.hfenv(&["export", "bash"]).dir(s.path("proj")).ok();
    assert!(e.stderr.contains("did you mean `work`?"), "{}", e.stderr);
    assert!(e.stderr.len() < 400, "{}", e.stderr);
}

fn credential_get(s: &Sandbox, input: &str) -> crate::support::Done {
    s.hfenv(&["credential", "get"]).stdin(input).ok()
}

/// Inside `hfenv exec -p NAME` everything is NAME: the real git asking hfenv's credential
/// helper gets NAME's token, even with the parent shell's own choice in the environment.
#[test]
fn exec_p_makes_git_use_that_profile_too() {
    if !have("git") {
        return;
    }
    let mut s = Sandbox::new();
    s.add_inline("work", TOKEN_WORK);
    s.add_inline("personal", TOKEN_PERSONAL);
    s.hfenv(&["use", "personal"]).ok();
    s.env.remove("HF_ENDPOINT");
    s.set_env("HFENV_SHELL_PROFILE", "personal");
    let helper = format!("!'{BIN}' credential");
    assert!(s
        .command(
            "git",
            &[
                "config",
                "--global",
                "credential.https://huggingface.co.helper",
                &helper
            ]
        )
        .status()
        .unwrap()
        .success());
    let repo = s.mkdir("repo");
    let fill = |args: &[&str]| {
        let mut cmd = s.command(BIN, args);
        cmd.current_dir(&repo)
            .env("PWD", &repo)
            .env("GIT_TERMINAL_PROMPT", "0");
        let child = spawn_with_input(&mut cmd, "protocol=https\nhost=huggingface.co\n\n");
        String::from_utf8_lossy(&child.wait_with_output().unwrap().stdout).into_owned()
    };
    let work = fill(&["exec", "-p", "work", "--", "git", "credential", "fill"]);
    assert!(work.contains(&format!("password={TOKEN_WORK}\n")), "{work}");
    let own = fill(&["exec", "--", "git", "credential", "fill"]);
    assert!(
        own.contains(&format!("password={TOKEN_PERSONAL}\n")),
        "{own}"
    );
    // And hfenv itself, run by the command, agrees.
    let out = s.hfenv(&["exec", "-p", "work", "--", BIN, "token"]).ok();
    assert_eq!(out.stdout.trim(), TOKEN_WORK);
}

/// The credential helper refuses cleartext http where `add` and `whoami` do (loopback
/// excepted), and a request for another account's user name gets no answer.
#[test]
fn credential_helper_refuses_cleartext_and_other_accounts() {
    let mut s = Sandbox::new();
    s.add_inline("work", TOKEN_WORK);
    s.hfenv(&["use", "work"]).ok();
    for endpoint in [
        "http://10.1.2.3",
        "http://hub.example.com:8080",
        "http://[fd00::1]",
    ] {
        s.set_env("HF_ENDPOINT", endpoint);
        let url = reqwest_like_host(endpoint);
        let out = credential_get(&s, &format!("protocol=http\nhost={url}\n\n"));
        assert_eq!(out.stdout, "", "{endpoint}");
        assert!(out.stderr.contains("plain http"), "{}", out.stderr);
        let e = s.hfenv(&["whoami"]).code(1);
        assert!(e.stderr.contains("plain http"), "{}", e.stderr);
    }
    // A profile's own endpoint counts the same way.
    s.env.remove("HF_ENDPOINT");
    s.write_config(&format!(
        "[profiles.work]\ntoken = \"{TOKEN_WORK}\"\nenv = {{ HF_ENDPOINT = \"http://10.9.9.9\" }}\n"
    ));
    s.hfenv(&["use", "work"]).ok();
    let out = credential_get(&s, "protocol=http\nhost=10.9.9.9\n\n");
    assert_eq!(out.stdout, "");

    let hub = crate::hubmock::HubMock::start();
    hub.route_for_token(
        "/api/whoami-v2",
        TOKEN_WORK,
        crate::hubmock::Reply::whoami("work-user", "write", &[]),
    );
    s.write_config(&format!("[profiles.work]\ntoken = \"{TOKEN_WORK}\"\n"));
    s.hfenv(&["use", "work"]).ok();
    s.set_env("HF_ENDPOINT", &hub.url);
    let host = hub.url.trim_start_matches("http://").to_string();
    let ask = |user: &str| {
        let user = if user.is_empty() {
            String::new()
        } else {
            format!("username={user}\n")
        };
        credential_get(&s, &format!("protocol=http\nhost={host}\n{user}\n")).stdout
    };
    // Loopback is allowed (tests); no user name, ours, huggingface_hub's, or the account's own.
    assert!(ask("").contains(&format!("password={TOKEN_WORK}")));
    for user in ["hfenv-work", "hf_user", "work-user", "WORK-USER"] {
        assert!(
            ask(user).contains(&format!("password={TOKEN_WORK}")),
            "{user}"
        );
    }
    for user in ["mallory", "work-user2", "hfenv-personal"] {
        assert_eq!(ask(user), "", "{user}");
    }
}

fn reqwest_like_host(endpoint: &str) -> String {
    endpoint.trim_start_matches("http://").to_string()
}

/// `export github` masks every value it writes unless it is known harmless: a trusted `.env`'s
/// API keys and a profile's `env` secrets never appear in later steps' logs.
#[test]
fn export_github_masks_every_value_not_known_harmless() {
    let mut s = Sandbox::new();
    s.write_config(&format!(
        "[profiles.ci]\ntoken = \"{TOKEN_CI}\"\nenv = {{ HF_HOME = \"/data/hf\", HF_HUB_OFFLINE = \"1\", VAULT_SECRET = \"s3cr%t\\nsecond line\" }}\n"
    ));
    s.hfenv(&["use", "ci"]).ok();
    s.write(
        "proj/.env",
        "WANDB_API_KEY=wandb0123456789abcdef\nOPENAI_API_KEY=sk-proj-abcdefghijkl\nDEBUG=true\n",
    );
    s.hfenv(&["allow", ".env"]).dir(s.path("proj")).ok();
    let github_env = s.write("gh/env", "");
    s.set_env("GITHUB_ENV", &github_env);
    let out = s.hfenv(&["export", "github"]).dir(s.path("proj")).ok();
    let masks: Vec<&str> = out.stdout.lines().collect();
    for secret in [
        TOKEN_CI,
        "wandb0123456789abcdef",
        "sk-proj-abcdefghijkl",
        "s3cr%25t",
        "second line",
        "s3cr%25t%0Asecond line",
    ] {
        assert!(
            masks.contains(&format!("::add-mask::{secret}").as_str()),
            "{secret}: {}",
            out.stdout
        );
    }
    for harmless in ["ci", "/data/hf", "1", "true"] {
        assert!(
            !masks.contains(&format!("::add-mask::{harmless}").as_str()),
            "{harmless}: {}",
            out.stdout
        );
    }
    let written = std::fs::read_to_string(&github_env).unwrap();
    assert!(written.contains("\nwandb0123456789abcdef\n"), "{written}");
}

/// Values python-dotenv (the release .ci/run pins, the newest) must read back byte for byte:
/// thousands of generated values from fragments that trip it up.
#[test]
fn export_dotenv_round_trips_thousands_of_values_through_python_dotenv() {
    if !have("python3") {
        return;
    }
    const FRAGMENTS: &[&str] = &[
        "a",
        "Z9",
        " ",
        "  ",
        "\t",
        "#",
        " #",
        "\t#",
        "\u{b}#",
        "\u{c}#",
        "\u{a0}#",
        "\u{85}#",
        "\u{1f}#",
        "\u{1c}",
        "\u{2028}",
        "\u{3000}",
        "\u{b}",
        "\u{c}",
        "\u{a0}",
        "\u{85}",
        "${",
        "}",
        "${HOME}",
        "${A:-b}",
        "${:-$}",
        "$",
        "$$",
        "{",
        "'",
        "\"",
        "\\",
        "\\n",
        "\\\"",
        "\\'",
        "\n",
        "\r",
        "\r\n",
        "=",
        "export ",
        ":-",
        "é",
        "😀",
        "\u{feff}",
        "\u{1b}[31m",
        "\u{7f}",
        "%",
        "`",
        "!",
        "*",
        "~/",
        "/x",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut values: Vec<String> = vec![
        "x${HOME}y".into(),
        "a\u{b}#b".into(),
        "a\u{c}#b".into(),
        "a\u{a0}#b".into(),
        "a\u{85}#b".into(),
        "a\u{1f}#b".into(),
        String::new(),
    ];
    while values.len() < 3000 {
        let n = (next() % 9) as usize;
        values.push(
            (0..n)
                .map(|_| FRAGMENTS[(next() % FRAGMENTS.len() as u64) as usize])
                .collect(),
        );
    }
    let toml_str = |v: &str| {
        let mut out = String::from("\"");
        for c in v.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    };
    let mut config = format!("[profiles.p]\ntoken = \"{TOKEN_WORK}\"\n\n[profiles.p.env]\n");
    for (i, v) in values.iter().enumerate() {
        config.push_str(&format!("V{i} = {}\n", toml_str(v)));
    }
    let s = Sandbox::new();
    s.write_config(&config);
    let out = s.hfenv(&["export", "dotenv", "-p", "p"]).ok();
    let file = s.write("exported.env", &out.stdout);
    let parsed = s.python_dotenv_values(&file);
    let mut wrong = Vec::new();
    for (i, v) in values.iter().enumerate() {
        if parsed[format!("V{i}")].as_str() != Some(v.as_str()) {
            wrong.push(format!("{v:?} -> {:?}", parsed[format!("V{i}")]));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} values changed:\n{}",
        wrong.len(),
        values.len(),
        wrong[..wrong.len().min(20)].join("\n")
    );
    assert_eq!(parsed["HF_TOKEN"], TOKEN_WORK);
    // hfenv's own `.env` reader, which follows the same python-dotenv, agrees.
    let dir = s.mkdir("roundtrip");
    std::fs::write(dir.join(".env"), &out.stdout).unwrap();
    s.hfenv(&["allow", ".env"]).dir(&dir).ok();
    let json = s.hfenv(&["export", "json"]).dir(&dir).ok();
    let ours: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let differ = values
        .iter()
        .enumerate()
        .filter(|(i, v)| ours[format!("V{i}")].as_str() != Some(v.as_str()))
        .count();
    assert_eq!(differ, 0, "hfenv read back {differ} values differently");
}

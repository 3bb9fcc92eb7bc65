use crate::support::*;

fn two_accounts() -> Sandbox {
    let s = Sandbox::new();
    s.add_inline("work", TOKEN_WORK);
    s.add_inline("personal", TOKEN_PERSONAL);
    s.hfenv(&["use", "personal"]).ok();
    s.mkdir("acme/model");
    s.hfenv(&["use", "work", "--dir", "acme"]).ok();
    s
}

#[test]
fn exec_runs_with_the_directory_profile_or_the_named_one() {
    let s = two_accounts();
    let out = s
        .hfenv(&[
            "exec",
            "--",
            "sh",
            "-c",
            "printf '%s|%s' \"$HF_TOKEN\" \"$HFENV_PROFILE\"",
        ])
        .dir(s.path("acme/model"))
        .ok();
    assert_eq!(out.stdout, format!("{TOKEN_WORK}|work"));
    let out = s
        .hfenv(&["exec", "--", "sh", "-c", "printf %s \"$HF_TOKEN\""])
        .ok();
    assert_eq!(out.stdout, TOKEN_PERSONAL);
    let out = s
        .hfenv(&[
            "exec",
            "-p",
            "work",
            "--",
            "sh",
            "-c",
            "printf %s \"$HF_TOKEN\"",
        ])
        .ok();
    assert_eq!(out.stdout, TOKEN_WORK);
}

#[test]
fn exec_passes_the_exit_status_and_arguments_through() {
    let s = two_accounts();
    s.hfenv(&["exec", "--", "sh", "-c", "exit 7"]).code(7);
    let out = s
        .hfenv(&[
            "exec", "-p", "work", "--", "printf", "%s|", "-p", "--x", "a b",
        ])
        .ok();
    assert_eq!(out.stdout, "-p|--x|a b|");
    s.hfenv(&["exec", "--", "definitely-not-a-command-hfenv"])
        .expect_stderr(127, "hfenv: could not run `definitely-not-a-command-hfenv`: no such file or directory (os error 2) — check the command name and PATH\n");
}

#[test]
fn exec_replaces_the_process_so_signals_reach_the_command() {
    let s = two_accounts();
    // The command runs in hfenv's own process (same pid as the `sh` that exec'd hfenv): no
    // hfenv process stays in between to swallow signals.
    let out = s
        .command(
            "sh",
            &[
                "-c",
                &format!("echo $$; exec '{BIN}' exec -- sh -c 'echo $$'"),
            ],
        )
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(
        lines[0], lines[1],
        "the command should replace hfenv: {text}"
    );
}

#[test]
fn exec_with_unknown_profile_fails_listing_known() {
    let s = two_accounts();
    s.hfenv(&["exec", "-p", "nope", "--", "true"])
        .expect_stderr(
            1,
            "hfenv: no profile named `nope` — known profiles: `personal`, `work`\n",
        );
}

#[test]
fn export_json_and_dotenv() {
    let s = two_accounts();
    s.write_config(&format!("{}\n", s.config().replace("[profiles.work]\n", "[profiles.work]\nenv = { HF_HOME = \"/data/hf work\", NOTE = \"a \\\"quoted\\\" #1\" }\n")));
    let out = s.hfenv(&["export", "json", "-p", "work"]).ok();
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["HF_TOKEN"], TOKEN_WORK);
    assert_eq!(json["HF_HOME"], "/data/hf work");
    assert_eq!(json["HFENV_PROFILE"], "work");
    let out = s.hfenv(&["export", "dotenv"]).dir(s.path("acme")).ok();
    assert!(
        out.stdout.contains(&format!("HF_TOKEN={TOKEN_WORK}\n")),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("HF_HOME=/data/hf work\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("NOTE=\"a \\\"quoted\\\" #1\"\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn export_dotenv_round_trips_through_python_dotenv() {
    if !have("python3") {
        return;
    }
    let s = two_accounts();
    s.write_config(&s.config().replace("[profiles.work]\n", "[profiles.work]\nenv = { A = \"two\\nlines\", B = \"tab\\there\", C = \"x #y\", D = \" padded \", E = \"'single'\" }\n"));
    let out = s.hfenv(&["export", "dotenv", "-p", "work"]).ok();
    let file = s.write("exported.env", &out.stdout);
    let parsed = s.python_dotenv_values(&file);
    assert_eq!(parsed["A"], "two\nlines");
    assert_eq!(parsed["B"], "tab\there");
    assert_eq!(parsed["C"], "x #y");
    assert_eq!(parsed["D"], " padded ");
    assert_eq!(parsed["E"], "'single'");
    assert_eq!(parsed["HF_TOKEN"], TOKEN_WORK);
}

#[test]
fn export_github_appends_with_delimiters_and_masks_the_token() {
    let mut s = two_accounts();
    let github_env = s.write("gh/env", "EXISTING=1\n");
    s.set_env("GITHUB_ENV", &github_env);
    let out = s.hfenv(&["export", "github", "-p", "work"]).ok();
    assert_eq!(out.stdout, format!("::add-mask::{TOKEN_WORK}\n"));
    let content = std::fs::read_to_string(&github_env).unwrap();
    assert!(content.starts_with("EXISTING=1\n"));
    let re_start = content.find("HF_TOKEN<<ghadelimiter_").expect(&content);
    let rest = &content[re_start..];
    let delimiter = rest
        .lines()
        .next()
        .unwrap()
        .trim_start_matches("HF_TOKEN<<");
    assert_eq!(rest.lines().nth(1), Some(TOKEN_WORK));
    assert_eq!(rest.lines().nth(2), Some(delimiter));
    s.env.remove("GITHUB_ENV");
    s.hfenv(&["export", "github", "-p", "work"]).expect_stderr(
        1,
        "hfenv: `GITHUB_ENV` is not set — run this inside a GitHub Actions step\n",
    );
}

#[test]
fn import_references_stored_tokens_and_copies_only_non_expiring_ones() {
    let s = Sandbox::new();
    s.write(
        ".cache/huggingface/stored_tokens",
        &format!(
            "[my fine token]\nhf_token = {TOKEN_WORK}\n\n[oauth-alice]\nhf_token = {TOKEN_PERSONAL}\nrefresh_token = hf_oauth_refresh\nexpires_at = 1999999999\n\n[team]\nhf_token = {TOKEN_TEAM}\n\n"
        ),
    );
    s.add_inline("team", TOKEN_CI);
    let out = s.hfenv(&["import", "--copy"]).expect(0, lines(&["imported `my fine token` as profile `my-fine-token` (hf_Fa…1111, copied)", "imported `oauth-alice` as profile `oauth-alice` (hf_Fa…2222, referenced, not copied: it is a browser login that expires, and only huggingface_hub refreshes it)", "kept existing profile `team` (pass --force to replace it)"]), "hfenv: no credential store answers (zbus error: Failed to connect to address `unix:path=$ROOT/no-bus`: No such file or directory (os error 2)); the token is kept in the config file (mode 0600) — `hfenv migrate` moves it once a store answers, `--store config` keeps it there quietly\n");
    assert_no_token(&out.stdout);
    let config = s.config();
    assert!(
        config.contains(&format!(
            "[profiles.my-fine-token]\ntoken = \"{TOKEN_WORK}\""
        )),
        "{config}"
    );
    assert!(
        config.contains("[profiles.oauth-alice]\nhf_stored = \"oauth-alice\""),
        "{config}"
    );
    assert_eq!(s.token_of("oauth-alice"), TOKEN_PERSONAL);
    assert_eq!(s.token_of("team"), TOKEN_CI);
    s.hfenv(&["import", "--force"]).ok();
    assert_eq!(s.token_of("team"), TOKEN_TEAM);
}

#[test]
fn import_refuses_a_file_python_would_read_as_empty() {
    let s = Sandbox::new();
    s.write(
        ".cache/huggingface/stored_tokens",
        &format!("[a]\nhf_token = {TOKEN_WORK}\n[a]\nhf_token = {TOKEN_TEAM}\n"),
    );
    s.hfenv(&["import"]).expect_stderr(1, "hfenv: `$HOME/.cache/huggingface/stored_tokens` cannot be read by huggingface_hub (line 3: section `a` appears twice), so there is nothing it could use — fix the file by hand, or log in again with `hf auth login`\n");
}

#[test]
fn git_credential_helper_answers_per_directory() {
    if !have("git") {
        return;
    }
    let s = two_accounts();
    let helper = format!("!'{BIN}' credential");
    let cfg = s
        .command(
            "git",
            &[
                "config",
                "--global",
                "credential.https://huggingface.co.helper",
                &helper,
            ],
        )
        .status()
        .unwrap();
    assert!(cfg.success());
    for repo in ["acme/model", "own/model"] {
        let dir = s.mkdir(repo);
        assert!(s
            .command("git", &["init", "-q", dir.to_str().unwrap()])
            .status()
            .unwrap()
            .success());
    }
    let work = s.git_credential_fill(
        &s.path("acme/model"),
        "protocol=https\nhost=huggingface.co\n\n",
    );
    assert!(work.contains(&format!("password={TOKEN_WORK}\n")), "{work}");
    let own = s.git_credential_fill(
        &s.path("own/model"),
        "protocol=https\nhost=huggingface.co\n\n",
    );
    assert!(
        own.contains(&format!("password={TOKEN_PERSONAL}\n")),
        "{own}"
    );
    // Other hosts get no answer from hfenv.
    let other = s.git_credential_fill(&s.path("acme/model"), "protocol=https\nhost=github.com\n\n");
    assert!(!other.contains("hf_Fake"), "{other}");
}

/// The promise of `import`: profiles made from `hf auth login` tokens work in `exec`, and the
/// real `hf auth whoami` agrees about whose token each is.
#[test]
fn imported_profiles_agree_with_the_real_hf_cli() {
    if !have("hf") {
        return;
    }
    let mut s = Sandbox::new();
    let hub = crate::hubmock::HubMock::start();
    hub.route_for_token(
        "/api/whoami-v2",
        TOKEN_TEAM,
        crate::hubmock::Reply::whoami("team-user", "read", &["acme"]),
    );
    hub.route_for_token(
        "/api/whoami-v2",
        TOKEN_WORK,
        crate::hubmock::Reply::whoami("work-user", "read", &[]),
    );
    s.set_env("HF_ENDPOINT", &hub.url);
    s.write(
        ".cache/huggingface/stored_tokens",
        &format!("[team]\nhf_token = {TOKEN_TEAM}\n\n[work]\nhf_token = {TOKEN_WORK}\n\n"),
    );
    s.write(".cache/huggingface/token", TOKEN_WORK);
    s.hfenv(&["import"]).ok();
    let hf = which::which("hf").unwrap();
    let out = s
        .hfenv(&[
            "exec",
            "-p",
            "team",
            "--",
            hf.to_str().unwrap(),
            "auth",
            "whoami",
        ])
        .ok();
    assert!(
        out.stdout.contains("team-user"),
        "{}\n{}",
        out.stdout,
        out.stderr
    );
    assert_no_token(&out.stdout);
    // A pinned repository uses its profile without `-p`.
    s.mkdir("repo");
    s.hfenv(&["use", "team", "--pin"]).dir(s.path("repo")).ok();
    let out = s
        .hfenv(&["exec", "--", hf.to_str().unwrap(), "auth", "whoami"])
        .dir(s.path("repo"))
        .ok();
    assert!(
        out.stdout.contains("team-user"),
        "{}\n{}",
        out.stdout,
        out.stderr
    );
    // Outside it, hf falls back to its own login (the token file): the work account.
    let out = s.command(&hf, &["auth", "whoami"]).output().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("work-user"),
        "{out:?}"
    );
}

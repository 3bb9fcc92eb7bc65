use std::os::unix::fs::PermissionsExt;

use crate::support::*;

#[test]
fn add_from_every_source_then_list_and_token() {
    let mut s = Sandbox::new();
    s.add_inline("work", TOKEN_WORK);
    s.set_env("CI_HF_TOKEN", TOKEN_CI);
    s.hfenv(&["add", "ci", "--token-env", "CI_HF_TOKEN", "--no-verify"])
        .ok();
    s.set_env("VAULT_SECRET", TOKEN_PERSONAL);
    s.hfenv(&[
        "add",
        "vault",
        "--token-command",
        "printf '%s\\n' \"$VAULT_SECRET\"",
        "--no-verify",
    ])
    .ok();
    s.write(
        ".cache/huggingface/stored_tokens",
        &format!("[team token]\nhf_token = {TOKEN_TEAM}\n\n"),
    );
    s.hfenv(&["add", "team", "--hf-stored", "team token", "--no-verify"])
        .ok();

    let list = s.hfenv(&["list"]).expect(
        0,
        lines(&[
            "  NAME   SOURCE                                   TOKEN",
            "  ci     variable `CI_HF_TOKEN`                   hf_Fa…3333",
            "  team   hf stored token `team token`             hf_Fa…4444",
            "  vault  command `printf '%s\\n' \"$VAULT_SECRET\"`  (fetched when used)",
            "  work   inline token                             hf_Fa…1111",
        ]),
        "",
    );
    assert_no_token(&list.stdout);
    assert_no_token(&list.stderr);

    let json: serde_json::Value =
        serde_json::from_str(&s.hfenv(&["list", "--json"]).ok().stdout).unwrap();
    let team = json
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "team")
        .unwrap();
    assert_eq!(team["source"], "hf_stored");
    assert_eq!(team["token"], "hf_Fa…4444");

    for (name, token) in [
        ("work", TOKEN_WORK),
        ("ci", TOKEN_CI),
        ("vault", TOKEN_PERSONAL),
        ("team", TOKEN_TEAM),
    ] {
        assert_eq!(
            s.hfenv(&["token", "-p", name]).ok().stdout,
            format!("{token}\n"),
            "{name}"
        );
    }
}

#[test]
fn token_is_cleaned_like_huggingface_hub() {
    let s = Sandbox::new();
    s.hfenv(&["add", "w", "--token-stdin", "--no-verify"])
        .stdin(&format!("  {TOKEN_WORK}\r\n"))
        .ok();
    assert_eq!(
        s.hfenv(&["token", "-p", "w"]).ok().stdout,
        format!("{TOKEN_WORK}\n")
    );
}

#[test]
fn add_refuses_org_tokens_and_warns_on_odd_shapes() {
    let s = Sandbox::new();
    s.hfenv(&["add", "org", "--token-stdin", "--no-verify"])
        .stdin("api_org_abcdefghijklmnop\n")
        .expect_stderr(1, "hfenv: `api_org…` organization tokens are not accepted by huggingface_hub — create a user access token at https://huggingface.co/settings/tokens\n");
    assert!(!s.config_path().exists());
    s.hfenv(&["add", "odd", "--token-stdin", "--no-verify"])
        .stdin("abcdefghijklmnopqrstu\n")
        .expect(0, "added profile `odd` (inline token, abcde…rstu)\n", lines(&["hfenv: warning: token abcde…rstu does not start with `hf_` — Hugging Face user access tokens do; check you copied the right value", "hfenv: no credential store answers (zbus error: Failed to connect to address `unix:path=$ROOT/no-bus`: No such file or directory (os error 2)); the token is kept in the config file (mode 0600) — `hfenv migrate` moves it once a store answers, `--store config` keeps it there quietly"]));
}

#[test]
fn add_without_token_and_without_terminal_says_how() {
    let s = Sandbox::new();
    s.hfenv(&["add", "x", "--no-verify"])
        .expect_stderr(2, "hfenv: no token given and standard input is not a terminal — pipe it with `--token-stdin`, or use `--token-env`, `--token-command` or `--hf-stored`\n");
}

#[test]
fn names_are_checked_with_the_rule_stated() {
    let s = Sandbox::new();
    for bad in ["-x", "a b", "a/b", "é", ".hidden"] {
        s.hfenv(&["add", "--token-stdin", "--no-verify", "--", bad])
            .stdin(TOKEN_WORK)
            .expect_stderr(2, format!("hfenv: invalid profile name `{bad}` — a profile name starts with a letter or digit, contains only letters, digits, `.`, `_` and `-`, and does not look like a token\n"));
    }
    s.add_inline("ok.name_1-x", TOKEN_WORK);
}

#[test]
fn existing_profile_needs_force() {
    let s = Sandbox::new();
    s.add_inline("work", TOKEN_WORK);
    s.hfenv(&["add", "work", "--token-stdin", "--no-verify"])
        .stdin(TOKEN_PERSONAL)
        .expect_stderr(1, "hfenv: profile `work` already exists — pass `--force` to replace it, or `hfenv remove work` first\n");
    s.hfenv(&["add", "work", "--token-stdin", "--no-verify", "--force"])
        .stdin(TOKEN_PERSONAL)
        .ok();
    assert_eq!(s.token_of("work"), TOKEN_PERSONAL);
}

#[test]
fn remove_and_unknown_profile_lists_known_ones() {
    let s = Sandbox::new();
    s.add_inline("work", TOKEN_WORK);
    s.add_inline("personal", TOKEN_PERSONAL);
    s.hfenv(&["use", "work"]).ok();
    s.hfenv(&["remove", "work"]).ok();
    assert!(!s.config().contains("[profiles.work]"));
    s.hfenv(&["use", "nope"]).expect_stderr(
        1,
        "hfenv: no profile named `nope` — known profiles: `personal`\n",
    );
    s.hfenv(&["remove", "nope"]).expect_stderr(
        1,
        "hfenv: no profile named `nope` — known profiles: `personal`\n",
    );
}

#[test]
fn masked_everywhere_but_token() {
    let s = Sandbox::new();
    s.add_inline("work", TOKEN_WORK);
    s.hfenv(&["use", "work"]).ok();
    for args in [
        &["list"][..],
        &["list", "--json"],
        &["status"],
        &["status", "--json"],
        &["use", "work"],
    ] {
        let d = s.hfenv(args).ok();
        assert_no_token(&d.stdout);
        assert_no_token(&d.stderr);
    }
}

#[test]
fn config_and_directory_modes() {
    let s = Sandbox::new();
    s.add_inline("work", TOKEN_WORK);
    let mode = std::fs::metadata(s.config_path())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    let dir_mode = std::fs::metadata(s.config_path().parent().unwrap())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(dir_mode, 0o700);
}

#[test]
fn comments_order_and_spacing_survive_edits() {
    let s = Sandbox::new();
    let original = "# my hfenv config\n\n[settings]\ntoken_command_timeout = 5   # seconds\n\n# the work account\n[profiles.work]\ntoken_env = \"WORK_TOKEN\"    # from CI\nenv = { HF_HOME = \"/data/hf-work\" }\n";
    s.write_config(original);
    s.add_inline("personal", TOKEN_PERSONAL);
    let after = s.config();
    assert!(
        after.starts_with(original),
        "edited config lost text:\n{after}"
    );
    s.mkdir("acme");
    s.hfenv(&["use", "work", "--dir", "acme"]).ok();
    s.hfenv(&["remove", "personal"]).ok();
    let after = s.config();
    assert!(after.starts_with(original), "{after}");
    assert!(after.contains("[dirs]\n\"~/acme\" = \"work\""), "{after}");
}

#[test]
fn parse_errors_give_file_line_column_and_leave_the_file_alone() {
    let s = Sandbox::new();
    let broken = "[profiles.work]\ntokn = \"hf_x\"\n";
    s.write_config(broken);
    s.hfenv(&["list"]).expect_stderr(1, "hfenv: $HOME/.config/hfenv/config.toml:2:1: unknown field `tokn`, expected one of `token`, `token_command`, `token_env`, `hf_stored`, `keyring`, `env`, `token_via`, `owners` — fix the config by hand; hfenv did not change it\n");
    s.hfenv(&["add", "x", "--token-stdin", "--no-verify"])
        .stdin(TOKEN_WORK)
        .expect_stderr(1, "hfenv: $HOME/.config/hfenv/config.toml:2:1: unknown field `tokn`, expected one of `token`, `token_command`, `token_env`, `hf_stored`, `keyring`, `env`, `token_via`, `owners` — fix the config by hand; hfenv did not change it\n");
    assert_eq!(s.config(), broken);

    s.write_config("[profiles.work]\ntoken = \"a\"\n[profiles.work2\n");
    s.hfenv(&["list"]).expect_stderr(1, "hfenv: $HOME/.config/hfenv/config.toml:3:16: unclosed table, expected `]` — fix the config by hand; hfenv did not change it\n");

    s.write_config("\n[profiles.both]\ntoken = \"hf_a\"\ntoken_env = \"X\"\n");
    s.hfenv(&["list"]).expect_stderr(1, "hfenv: $HOME/.config/hfenv/config.toml:2:1: profile `both` has several token sources (token, token_env) — give exactly one of `token`, `token_command`, `token_env`, `hf_stored` or `keyring = true`\n");
}

#[test]
fn help_and_version_work_with_a_broken_config() {
    let s = Sandbox::new();
    s.write_config("this is [ not toml");
    let h = s.hfenv(&["--help"]).ok();
    assert!(h.stdout.contains("Usage"));
    let v = s.hfenv(&["--version"]).ok();
    assert!(v.stdout.starts_with("hfenv "));
    s.hfenv(&["add", "--help"]).ok();
}

#[test]
fn usage_errors_exit_2() {
    let s = Sandbox::new();
    s.hfenv(&["frobnicate"]).expect_stderr(
        2,
        "hfenv: unrecognized subcommand 'frobnicate' — see `hfenv --help`\n",
    );
    s.hfenv(&["add"]).expect_stderr(2, "hfenv: the following required arguments were not provided: <NAME> — see `hfenv add --help`\n");
}

#[test]
fn symlinked_config_is_written_through() {
    let s = Sandbox::new();
    let real = s.write("dotfiles/hfenv.toml", "# managed by my dotfiles\n");
    std::fs::create_dir_all(s.config_path().parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&real, s.config_path()).unwrap();
    s.add_inline("work", TOKEN_WORK);
    assert!(std::fs::symlink_metadata(s.config_path())
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::read_to_string(&real)
        .unwrap()
        .contains("[profiles.work]"));
}

#[test]
fn thirty_concurrent_adds_are_all_kept() {
    let s = Sandbox::new();
    let children: Vec<_> = (0..30)
        .map(|i| {
            let mut cmd = s.command(
                BIN,
                &["add", &format!("p{i}"), "--token-stdin", "--no-verify"],
            );
            spawn_with_input(&mut cmd, &format!("hf_FakeConcurrent{i:020}\n"))
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let config = s.config();
    for i in 0..30 {
        assert!(
            config.contains(&format!("[profiles.p{i}]")),
            "p{i} lost:\n{config}"
        );
    }
}

#[test]
fn unknown_keys_are_errors() {
    let s = Sandbox::new();
    s.write_config("[settings]\ndotenv_serch = \"home\"\n");
    s.hfenv(&["list"]).expect_stderr(1, "hfenv: $HOME/.config/hfenv/config.toml:2:1: unknown field `dotenv_serch`, expected one of `token_command_timeout`, `dotenv`, `dotenv_files`, `dotenv_search`, `store` — fix the config by hand; hfenv did not change it\n");
}

#[test]
fn hfenv_config_overrides_the_location() {
    let mut s = Sandbox::new();
    let custom = s.path("elsewhere/my.toml");
    s.set_env("HFENV_CONFIG", &custom);
    s.add_inline("work", TOKEN_WORK);
    assert!(custom.exists());
    assert!(!s.config_path().exists());
}

#[test]
fn global_use_lives_in_state_not_config() {
    let s = Sandbox::new();
    s.add_inline("work", TOKEN_WORK);
    let before = s.config();
    s.hfenv(&["use", "work"]).ok();
    assert_eq!(s.config(), before);
    assert_eq!(
        std::fs::read_to_string(s.state_dir().join("global"))
            .unwrap()
            .trim(),
        "work"
    );
    s.hfenv(&["list"]).expect(
        0,
        lines(&[
            "  NAME  SOURCE        TOKEN",
            "* work  inline token  hf_Fa…1111  (active: global)",
        ]),
        "",
    );
    assert_eq!(s.hfenv(&["token"]).ok().stdout.trim(), TOKEN_WORK);
    s.hfenv(&["use", "--clear"])
        .expect(0, "", "hfenv: cleared the global profile\n");
    s.hfenv(&["token"]).expect_stderr(1, "hfenv: no profile applies in this directory — pass `-p PROFILE` or choose one with `hfenv use PROFILE`\n");
}

#[test]
fn token_command_timeout_is_bounded() {
    let s = Sandbox::new();
    s.write_config(
        "[settings]\ntoken_command_timeout = 0.5\n[profiles.slow]\ntoken_command = \"sleep 30\"\n",
    );
    let started = std::time::Instant::now();
    // Whole: the tree is frozen before it is killed, so no shell reports the kill.
    s.hfenv(&["token", "-p", "slow"]).expect_stderr(1, "hfenv: profile `slow`: `token_command` did not finish within 0.5s — check the command, or raise `token_command_timeout` in `[settings]`\n");
    // Not a timing assertion on speed: only that the 30 s command did not run to completion.
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

#[test]
fn every_scope_can_be_cleared() {
    let s = Sandbox::new();
    s.add_inline("work", TOKEN_WORK);
    let acme = s.mkdir("acme");
    s.hfenv(&["use", "work", "--dir", "acme"]).ok();
    assert!(s.config().contains("\"~/acme\" = \"work\""));
    std::fs::remove_dir(&acme).unwrap();
    s.hfenv(&["use", "--clear", "--dir", "acme"]).ok();
    assert!(!s.config().contains("~/acme"), "{}", s.config());
    s.mkdir("proj");
    s.hfenv(&["use", "work", "--pin"]).dir(s.path("proj")).ok();
    assert_eq!(s.read("proj/.hfenv"), "work\n");
    s.hfenv(&["use", "--clear", "--pin"])
        .dir(s.path("proj"))
        .ok();
    assert!(!s.path("proj/.hfenv").exists());
    s.hfenv(&["use", "work", "--shell"]).expect_stderr(1, "hfenv: `--shell` needs the shell hook, which lets hfenv change this shell — add `eval \"$(hfenv hook bash)\"` (or your shell's line, see `hfenv hook --help`) to your shell rc, then open a new shell\n");
    let out = s
        .hfenv(&["use", "work", "--shell"])
        .env("HFENV_HOOK_SHELL", "bash")
        .ok();
    assert_eq!(out.stdout, "export HFENV_SHELL_PROFILE='work'\n");
    let out = s
        .hfenv(&["use", "--clear", "--shell"])
        .env("HFENV_HOOK_SHELL", "fish")
        .ok();
    assert_eq!(out.stdout, "set -e HFENV_SHELL_PROFILE\n");
}

/// A token pasted into the wrong place comes back masked in errors and listings.
#[test]
fn tokens_in_the_wrong_place_are_masked_in_errors() {
    let s = Sandbox::new();
    s.write_config(&format!("[settings]\ndotenv_search = \"{TOKEN_WORK}\"\n"));
    s.hfenv(&["list"]).expect_stderr(1, "hfenv: $HOME/.config/hfenv/config.toml:2:17: unknown variant `hf_Fa…1111`, expected one of `home`, `root`, `cwd` — fix the config by hand; hfenv did not change it\n");
    s.write_config(&format!("[profiles.w]\ntoken_env = \"{TOKEN_WORK}\"\n"));
    s.hfenv(&["list"]).expect_stderr(1, "hfenv: $HOME/.config/hfenv/config.toml:1:1: profile `w` reads its token from `hf_Fa…1111` — name another variable (hfenv itself sets `HF_TOKEN`), such as `CI_HF_TOKEN`\n");
    s.write_config(&format!(
        "[profiles.w]\ntoken = \"{TOKEN_CI}\"\n[dirs]\n\"~/p\" = \"{TOKEN_WORK}\"\n"
    ));
    s.mkdir("p");
    // A token is not a profile name: the rule naming one is a config error, said masked.
    for args in [&["status"][..], &["status", "--json"], &["list"]] {
        let d = s.hfenv(args).dir(s.path("p")).expect(1, "", "hfenv: $HOME/.config/hfenv/config.toml:4:9: directory rule `~/p` names `hf_Fa…1111`, which is not a profile name — a profile name starts with a letter or digit, contains only letters, digits, `.`, `_` and `-`, and does not look like a token\n");
        assert_no_token(&d.stdout);
        assert_no_token(&d.stderr);
    }
}

#[test]
fn removing_the_first_profile_keeps_the_file_header() {
    let s = Sandbox::new();
    s.write_config("# my hfenv config\n# (managed by hand)\n\n# the work account\n[profiles.work]  # trailing\ntoken_env = \"WORK_TOKEN\"\n\n[profiles.home]\ntoken_env = \"HOME_TOKEN\"\n");
    s.hfenv(&["remove", "work"]).ok();
    let after = s.config();
    assert!(
        after.starts_with("# my hfenv config\n# (managed by hand)\n\n"),
        "{after}"
    );
    assert!(!after.contains("the work account"), "{after}");
    assert!(after.contains("[profiles.home]"), "{after}");
    s.hfenv(&["remove", "home"]).ok();
    assert!(
        s.config().starts_with("# my hfenv config\n"),
        "{}",
        s.config()
    );
    s.add_inline("x", TOKEN_WORK);
    s.mkdir("d");
    s.hfenv(&["use", "x", "--dir", "d"]).ok();
    s.hfenv(&["use", "--clear", "--dir", "d"]).ok();
    assert!(!s.config().contains("[dirs]"), "{}", s.config());
}

//! What a user reads: help, version, manual page, `list` and `status` tables and colours,
//! `add` refusing early, the network spinner, `allow`/`deny` applying at once in real shells,
//! and the notice after a `.env` edit.

use std::process::Stdio;
use std::time::Duration;

use crate::hubmock::{HubMock, Reply};
use crate::support::*;

#[test]
fn hook_help_shows_every_shells_rc_line() {
    let s = Sandbox::new();
    let out = s.hfenv(&["hook", "--help"]).ok();
    assert!(
        out.stdout.contains(
            "Add one line to your shell's rc file:\n  \
             bash        ~/.bashrc                  eval \"$(hfenv hook bash)\"\n  \
             zsh         ~/.zshrc                   eval \"$(hfenv hook zsh)\"\n  \
             fish        ~/.config/fish/config.fish hfenv hook fish | source\n  \
             elvish      ~/.config/elvish/rc.elv    eval (hfenv hook elvish | slurp)\n  \
             nushell     once:    hfenv hook nushell | save -f ($nu.default-config-dir | path join hfenv.nu)\n              \
             config.nu: use ($nu.default-config-dir | path join hfenv.nu)\n  \
             powershell  $PROFILE                   Invoke-Expression (& hfenv hook powershell | Out-String)\n"
        ),
        "{}",
        out.stdout
    );
    // The messages that send people there.
    s.hfenv(&["status"]).expect(0, lines(&["profile               none — hfenv leaves HF_TOKEN as it is here", "this shell            not hooked — add your shell's line from `hfenv hook --help` to its rc file", "  HF_TOKEN            unset in this shell", "huggingface_hub uses  nothing (not logged in)", "config                $HOME/.config/hfenv/config.toml"]), "");
}

#[test]
fn version_names_the_commit_and_only_the_top_level_has_it() {
    let s = Sandbox::new();
    let v = s.hfenv(&["--version"]).ok().stdout;
    let in_git = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(".git")
        .exists();
    if in_git {
        // `hfenv 0.1.0 (commit 1a2b3c4d5e6f, 2026-11-27)`
        let rest = v
            .strip_prefix(&format!("hfenv {} (commit ", env!("CARGO_PKG_VERSION")))
            .unwrap_or_else(|| panic!("{v}"));
        let (hash, date) = rest
            .trim_end()
            .trim_end_matches(')')
            .split_once(", ")
            .unwrap();
        assert!(
            hash.len() >= 7 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
            "{v}"
        );
        assert_eq!(date.len(), 10, "{v}");
    } else {
        assert_eq!(v, format!("hfenv {}\n", env!("CARGO_PKG_VERSION")));
    }
    s.hfenv(&["add", "-V"]).expect_stderr(
        2,
        "hfenv: unexpected argument '-V' found — to pass '-V' as a value, use '-- -V'\n",
    );
}

#[test]
fn man_pages_print_as_roff() {
    let s = Sandbox::new();
    let page = s.hfenv(&["man"]).ok().stdout;
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq") || page.contains(".TH hfenv 1"),
        "{page}"
    );
    assert!(page.contains(".TH hfenv 1"), "{page}");
    assert!(page.contains("hfenv\\-doctor(1)"), "{page}");
    let add = s.hfenv(&["man", "add"]).ok().stdout;
    assert!(add.contains(".TH hfenv-add 1"), "{add}");
    assert!(add.contains("\\-\\-token\\-stdin"), "{add}");
    s.hfenv(&["man", "nope"]).expect_stderr(2, "hfenv: `nope` is not an hfenv command — pick one of: add, list, remove, token, use, status, allow, deny, hook, export, exec, whoami, doctor, import, credential, migrate, completions, profiles, man\n");
}

#[test]
fn list_aligns_by_what_is_shown_and_colours_on_request() {
    let mut s = Sandbox::new();
    s.add_inline("work", TOKEN_WORK);
    s.hfenv(&[
        "add",
        "cmd",
        "--no-verify",
        "--token-command",
        &format!("printf %s {TOKEN_CI} # 日本語"),
    ])
    .ok();
    s.hfenv(&["add", "x", "--no-verify", "--token-env", "X_TOKEN"])
        .ok();
    s.hfenv(&["use", "work"]).ok();
    let out = s.hfenv(&["list"]).ok();
    // The command's token is masked before widths are measured; 日本語 takes six columns.
    assert_eq!(
        out.stdout,
        "  NAME  SOURCE                                   TOKEN\n  \
         cmd   command `printf %s hf_Fa…3333 # 日本語`  (fetched when used)\n\
         * work  inline token                             hf_Fa…1111  (active: global)\n  \
         x     variable `X_TOKEN`                       (variable not set)\n"
    );
    assert!(!out.stdout.contains('\x1b'));
    s.set_env("CLICOLOR_FORCE", "1");
    let out = s.hfenv(&["list"]).ok();
    assert!(
        out.stdout
            .starts_with("\x1b[1m  NAME\x1b[0m  \x1b[1mSOURCE\x1b[0m"),
        "{:?}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("\x1b[1;32m* work\x1b[0m  inline token                             \x1b[32mhf_Fa…1111  (active: global)\x1b[0m\n"),
        "{:?}",
        out.stdout
    );
    s.hfenv(&["status"]).expect(0, lines(&["\u{1b}[1mprofile\u{1b}[0m               \u{1b}[32mwork\u{1b}[0m", "  why                 global choice (`hfenv use NAME`)", "  token               hf_Fa…1111 from inline token", "\u{1b}[1mthis shell\u{1b}[0m            \u{1b}[33mnot hooked — add your shell's line from `hfenv hook --help` to its rc file\u{1b}[0m", "  HF_TOKEN            unset in this shell", "                      \u{1b}[33m✗ `HFENV_PROFILE` is unset, this directory wants work: no hook applies it\u{1b}[0m", "                      \u{1b}[33m✗ `HF_TOKEN` is unset, this directory wants hf_Fa…1111: no hook applies it\u{1b}[0m", "\u{1b}[1mhuggingface_hub uses\u{1b}[0m  nothing (not logged in)", "\u{1b}[1mvariables\u{1b}[0m", "  HFENV_PROFILE       set by profile `work`", "  HF_TOKEN            set by profile `work`", "\u{1b}[1mconfig\u{1b}[0m                $HOME/.config/hfenv/config.toml"]), "");
    // NO_COLOR wins over CLICOLOR_FORCE.
    s.set_env("NO_COLOR", "1");
    assert!(!s.hfenv(&["list"]).ok().stdout.contains('\x1b'));
    assert!(!s.hfenv(&["status"]).ok().stdout.contains('\x1b'));
}

#[test]
fn status_aligns_and_its_json_has_plain_values() {
    let s = Sandbox::new();
    s.add_inline("work", TOKEN_WORK);
    let proj = s.mkdir("proj");
    s.hfenv(&["use", "work", "--dir", proj.to_str().unwrap()])
        .ok();
    s.write("proj/.env", "A=1\n");
    let out = s.hfenv(&["status"]).dir(&proj).ok();
    let config = s.config_path().display().to_string();
    let file = proj.join(".env").display().to_string();
    // The label column is as wide as its widest label: here the indented `.env` path.
    let w = ("huggingface_hub uses".len()).max(2 + file.len());
    let rows = [
        ("profile".to_string(), "work".to_string()),
        (
            "  why".into(),
            "directory rule `~/proj` in the config".into(),
        ),
        ("  token".into(), "hf_Fa…1111 from inline token".into()),
        // What this (unhooked) shell really holds, and what a process started here gets.
        (
            "this shell".into(),
            "not hooked — add your shell's line from `hfenv hook --help` to its rc file".into(),
        ),
        ("  HF_TOKEN".into(), "unset in this shell".into()),
        (
            String::new(),
            "✗ `HFENV_PROFILE` is unset, this directory wants work: no hook applies it".into(),
        ),
        (
            String::new(),
            "✗ `HF_TOKEN` is unset, this directory wants hf_Fa…1111: no hook applies it".into(),
        ),
        (
            "huggingface_hub uses".into(),
            "nothing (not logged in)".into(),
        ),
        (".env files".into(), String::new()),
        (
            format!("  {file}"),
            "blocked (`hfenv allow` to load)".into(),
        ),
        ("variables".into(), String::new()),
        ("  HFENV_PROFILE".into(), "set by profile `work`".into()),
        ("  HF_TOKEN".into(), "set by profile `work`".into()),
        ("config".into(), config.clone()),
        (
            "notice".into(),
            format!("`{file}` is blocked — run `hfenv allow {file}` to load it"),
        ),
    ];
    let want: String = rows
        .iter()
        .map(|(l, v)| format!("{}\n", format!("{l:w$}  {v}").trim_end()))
        .collect();
    assert_eq!(out.stdout, want);
    let json = s.hfenv(&["status", "--json"]).dir(&proj).ok().stdout;
    assert!(!json.contains('`'), "{json}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["reason"], "directory rule ~/proj in the config");
    assert_eq!(v["huggingface_hub"]["source"], "nothing (not logged in)");
    assert_eq!(v["token"], "hf_Fa…1111");
}

#[test]
fn add_refuses_a_taken_name_before_asking_for_the_token() {
    let s = Sandbox::new();
    s.add_inline("work", TOKEN_WORK);
    // No --token-stdin: it would prompt on a terminal; it must fail before that.
    let e = s.hfenv(&["add", "work"]).code(1);
    assert_eq!(
        e.stderr,
        "hfenv: profile `work` already exists — pass `--force` to replace it, or `hfenv remove work` first\n"
    );
    if have("script") {
        let out = s
            .command(
                "script",
                &["-qfec", &format!("{BIN} add work"), "/dev/null"],
            )
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.to_lowercase().contains("token:"), "{text}");
        assert!(text.contains("already exists"), "{text}");
    }
}

#[test]
fn a_slow_hub_shows_a_spinner_on_a_terminal_only() {
    if !have("script") {
        return;
    }
    let mut s = Sandbox::new();
    let hub = HubMock::start();
    s.set_env("HF_ENDPOINT", &hub.url);
    s.add_inline("work", TOKEN_WORK);
    let mut slow = Reply::whoami("alice", "read", &[]);
    slow.delay = Duration::from_millis(1200);
    hub.whoami(slow);
    let out = s
        .command(
            "script",
            &["-qfec", &format!("{BIN} whoami -p work"), "/dev/null"],
        )
        .env("TERM", "xterm")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("⠋ asking {}…", hub.url)), "{text}");
    assert!(
        text.contains("\r\x1b[2K"),
        "the spinner is erased: {text:?}"
    );
    assert!(text.contains("alice"), "{text}");
    // Piped: nothing but the answer.
    let out = s.hfenv(&["whoami", "-p", "work"]).ok();
    assert!(!out.stderr.contains('⠋') && !out.stdout.contains('⠋'));
}

#[test]
fn an_edited_dotenv_says_it_changed_since_it_was_allowed() {
    let s = Sandbox::new();
    let proj = s.mkdir("proj");
    s.write("proj/.env", "A=1\n");
    s.hfenv(&["allow"]).dir(&proj).ok();
    s.write("proj/.env", "A=2\n");
    let out = s.hfenv(&["export", "json"]).dir(&proj).ok();
    let file = proj.join(".env");
    assert_eq!(
        out.stderr,
        format!(
            "hfenv: `{0}` changed since you allowed it — run `hfenv allow {0}` to load it\n",
            file.display()
        )
    );
    // Never allowed: blocked, in those words.
    s.write("proj2/.env", "A=1\n");
    let out = s.hfenv(&["export", "json"]).dir(s.path("proj2")).ok();
    assert!(
        out.stderr.contains("` is blocked — run `hfenv allow"),
        "{}",
        out.stderr
    );
}

/// Runs `command` in an interactive `shell` on a pty, whose rc file holds the hook; returns
/// what the command wrote to the output file named by `{out}` in it.
fn in_hooked_shell(s: &Sandbox, shell: &str, command: &str) -> String {
    let out_file = s.path(&format!("out-{shell}"));
    let (program, rc, hook) = match shell {
        "bash" => (
            "bash -i",
            ".bashrc",
            format!("eval \"$({BIN} hook bash)\"\n"),
        ),
        "zsh" => ("zsh -i", ".zshrc", format!("eval \"$({BIN} hook zsh)\"\n")),
        "fish" => (
            "fish -i",
            ".config/fish/config.fish",
            format!("{BIN} hook fish | source\n"),
        ),
        "elvish" => (
            "elvish -i",
            ".config/elvish/rc.elv",
            format!("eval ({BIN} hook elvish | slurp)\n"),
        ),
        _ => unreachable!(),
    };
    s.write(rc, &hook);
    let line = command.replace("{out}", &out_file.display().to_string());
    on_a_pty(s, program, &[&line, "exit"], 40);
    std::fs::read_to_string(&out_file).unwrap_or_default()
}

#[test]
fn allow_and_deny_apply_at_once_in_every_hooked_shell() {
    if !have("script") {
        return;
    }
    for shell in ["bash", "zsh", "fish", "elvish"] {
        if !have(shell) {
            continue;
        }
        let s = Sandbox::new();
        let proj = s.mkdir("proj");
        s.write("proj/.env", "GREETING=hello\n");
        let p = proj.display();
        let command = if shell == "elvish" {
            format!(
                "cd {p}; hfenv allow > /dev/null; echo 'after allow: '$E:GREETING > {{out}}; \
                 hfenv deny > /dev/null; echo 'after deny: -'$E:GREETING >> {{out}}"
            )
        } else {
            format!(
                "cd {p}; hfenv allow >/dev/null; echo \"after allow: ${{GREETING:--}}\" > {{out}}; \
                 hfenv deny >/dev/null; echo \"after deny: ${{GREETING:--}}\" >> {{out}}"
            )
        };
        // fish has no ${VAR:--}: spell it out.
        let command = if shell == "fish" {
            format!(
                "cd {p}; hfenv allow >/dev/null; echo \"after allow: $GREETING\" > {{out}}; \
                 hfenv deny >/dev/null; echo \"after deny: -$GREETING\" >> {{out}}"
            )
        } else {
            command
        };
        let out = in_hooked_shell(&s, shell, &command);
        assert_eq!(out, "after allow: hello\nafter deny: -\n", "{shell}");
    }
}

/// hfenv starts without std's runtime (src/main.rs) and does itself what it relied on: a
/// reader that goes away is a quiet end, not a signal, and closed standard descriptors are
/// never reused for a file hfenv writes. Driven through real bash, as a pipeline would be.
#[test]
fn a_closed_reader_or_closed_descriptors_are_taken_in_stride() {
    let s = Sandbox::new();
    for i in 0..300 {
        s.add_inline(&format!("p{i:03}"), TOKEN_WORK);
    }
    let bin = BIN;
    // `list` writes far more than a pipe holds after `head` has gone: EPIPE, exit 0, silent.
    let out = s
        .command(
            "bash",
            &[
                "-c",
                &format!("'{bin}' list | head -c1 >/dev/null; echo \"status=${{PIPESTATUS[0]}}\""),
            ],
        )
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "status=0\n");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    // With 0, 1 and 2 closed, a command that writes a file still works and the file holds
    // only what belongs there.
    let out = s
        .command(
            "bash",
            &[
                "-c",
                &format!("'{bin}' use p001 <&- >&- 2>&-; echo \"status=$?\""),
            ],
        )
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "status=0\n");
    let global = std::fs::read_to_string(s.state_dir().join("global")).unwrap();
    assert_eq!(global.trim(), "p001");
    let config = std::fs::read_to_string(s.config_path()).unwrap();
    assert!(!config.contains("hfenv:"), "a message landed in the config");
}

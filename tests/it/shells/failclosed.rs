//! Issue 9: no token where it does not belong, and no repository steering hfenv. Each rule is
//! tried in the real shells (bash, zsh, fish, elvish, nushell) where a shell is involved.

use super::*;

/// A command every shell runs the same way: `sh -c '…'` (single quotes mean the same in all).
fn sh_c(script: &str) -> String {
    assert!(!script.contains('\''));
    format!("sh -c '{script}'")
}

/// A1: with the key or the whole state directory gone, what hfenv set cannot be proven the
/// user's, so it goes on leaving; the user's value returns where the store still has it.
#[test]
fn lost_key_or_wiped_state_removes_the_profile_on_leaving() {
    each_shell(&ALL, |sh| {
        let s = Sandbox::with_work_in("work");
        let o = Session::new(&s, sh)
            .rc_export("HF_TOKEN", TOKEN_PERSONAL)
            .cd("work")
            .show("HF_TOKEN", "in1")
            .line(&sh_c("rm -f ~/.local/state/hfenv/key"))
            .cd("")
            .show("HF_TOKEN", "out1")
            .show("HFENV_PROFILE", "prof1")
            .cd("work")
            .show("HF_TOKEN", "in2")
            .line(&sh_c("rm -rf ~/.local/state/hfenv"))
            .cd("")
            .show("HF_TOKEN", "out2")
            .show("HFENV_PROFILE", "prof2")
            .cd("work")
            .show("HF_TOKEN", "in3")
            .run();
        o.is("in1", TOKEN_WORK);
        o.is("out1", TOKEN_PERSONAL);
        o.unset("prof1");
        o.is("in2", TOKEN_WORK);
        // The store went with the state directory: the work token goes, nothing comes back.
        o.unset("out2");
        o.unset("prof2");
        o.is("in3", TOKEN_WORK);
        assert!(s.state_dir().join("key").is_file(), "state not recreated");
        assert_no_token(&o.transcript);
    });
}

/// A3: a config that cannot be read (garbage, a FIFO, a link to /dev/zero) means hfenv cannot
/// decide: the profile's variables go (the user's own stay), it is said once per fault, and
/// the first prompt after the fix brings the profile back. Nothing waits on the FIFO.
#[test]
fn broken_config_fails_closed_once_and_recovers() {
    each_shell(&ALL, |sh| {
        let s = Sandbox::with_work_in("acme");
        s.mkdir("oss");
        let good = s.path("good.toml");
        std::fs::copy(s.config_path(), &good).unwrap();
        let restore =
            sh_c("rm -f ~/.config/hfenv/config.toml; cp ~/good.toml ~/.config/hfenv/config.toml");
        let o = Session::new(&s, sh)
            .rc_export("HF_TOKEN", TOKEN_PERSONAL)
            .rc_export("MINE", "kept")
            .cd("acme")
            .show("HF_TOKEN", "acme")
            .line(&sh_c("echo \"[broken\" >> ~/.config/hfenv/config.toml"))
            .cd("oss")
            .show("HF_TOKEN", "garbage")
            .show("HFENV_PROFILE", "garbage_prof")
            .show("MINE", "mine")
            .line("true")
            .cd("acme")
            .show("HF_TOKEN", "garbage_acme")
            .line(&restore)
            .line("true")
            .show("HF_TOKEN", "fixed1")
            .line(&sh_c(
                "rm ~/.config/hfenv/config.toml; mkfifo ~/.config/hfenv/config.toml",
            ))
            .line("true")
            .show("HF_TOKEN", "fifo")
            .line(&restore)
            .line("true")
            .show("HF_TOKEN", "fixed2")
            .line(&sh_c(
                "rm ~/.config/hfenv/config.toml; ln -s /dev/zero ~/.config/hfenv/config.toml",
            ))
            .line("true")
            .show("HF_TOKEN", "zero")
            .line(&restore)
            .line("true")
            .show("HF_TOKEN", "fixed3")
            .run();
        o.is("acme", TOKEN_WORK);
        o.is("garbage", TOKEN_PERSONAL);
        o.unset("garbage_prof");
        o.is("mine", "kept");
        o.is("garbage_acme", TOKEN_PERSONAL);
        o.is("fixed1", TOKEN_WORK);
        o.is("fifo", TOKEN_PERSONAL);
        o.is("fixed2", TOKEN_WORK);
        o.is("zero", TOKEN_PERSONAL);
        o.is("fixed3", TOKEN_WORK);
        assert_eq!(
            o.count("no profile applies: its variables were removed"),
            3,
            "once per fault:\n{}",
            o.transcript
        );
    });
}

/// A2, A5: names a shell treats specially and hfenv's own names are refused when the `.env`
/// is read, with one notice; the rest applies, and leaving still removes the token.
#[test]
fn dotenv_cannot_set_special_or_hfenvs_own_names() {
    each_shell(&ALL, |sh| {
        let s = Sandbox::with_work_in("proj");
        let hostile = [
            "path=x",
            "status=1",
            "argv=a",
            "PPID=1",
            "EUID=0",
            "fpath=x",
            "history=x",
            "PROMPT_COMMAND=touch ~/pwned",
            "PS1=$(touch ~/pwned)",
            "fish_function_path=/tmp",
            "config=x",
            "FILE_PWD=/",
            "PWD=/",
            "SHLVL=x",
            "__HFENV_PATH=/usr/bin",
            "__HFENV_STATE=x",
            "HFENV_SHELL_PROFILE=team",
            "HFENV_CONFIG=/tmp/x",
            "__hfenv_bin=/bin/false",
            "pipestatus=x",
            "umask=0",
        ];
        let mut env = hostile.join("\n");
        env.push_str("\nOK_VAR=yes\n");
        s.write("proj/.env", &env);
        s.hfenv(&["allow"]).dir(s.path("proj")).ok();
        let o = Session::new(&s, sh)
            .cd("proj")
            .show("OK_VAR", "ok")
            .show("HF_TOKEN", "tok")
            .show("HFENV_SHELL_PROFILE", "sp")
            .show("HFENV_CONFIG", "cfg")
            .line("true")
            .cd("")
            .show("HF_TOKEN", "left")
            .show("OK_VAR", "ok_left")
            .show("__HFENV_PATH", "hp")
            .run();
        o.is("ok", "yes");
        o.is("tok", TOKEN_WORK);
        o.unset("sp");
        o.unset("cfg");
        o.unset("left");
        o.unset("ok_left");
        o.unset("hp");
        assert!(!s.path("pwned").exists(), "a value ran");
        assert_eq!(o.count("not set:"), 1, "one notice:\n{}", o.transcript);
    });
}

/// A4: a `token_env` profile follows its variable at the next prompt, not at the next `cd`.
#[test]
fn token_env_profiles_follow_their_variable() {
    each_shell(&ALL, |sh| {
        let s = Sandbox::new();
        three_profiles(&s, "[profiles.ci]\ntoken_env = \"CI_HF_TOKEN\"\n");
        let o = Session::new(&s, sh)
            .line("hfenv use ci --shell")
            .show("HF_TOKEN", "none")
            .export("CI_HF_TOKEN", TOKEN_CI)
            .show("HF_TOKEN", "first")
            .export("CI_HF_TOKEN", TOKEN_TEAM)
            .show("HF_TOKEN", "second")
            .unset_line("CI_HF_TOKEN")
            .show("HF_TOKEN", "gone")
            .run();
        o.unset("none");
        o.is("first", TOKEN_CI);
        o.is("second", TOKEN_TEAM);
        o.unset("gone");
    });
}

/// A6: a token or a `.env` value `execve` would refuse is not exported, with a notice; every
/// command (hfenv included) keeps working, so the user can leave.
#[test]
fn values_exec_would_refuse_are_refused() {
    each_shell(&ALL, |sh| {
        let s = Sandbox::new();
        three_profiles(
            &s,
            "[profiles.big]\ntoken_command = \"printf %0200000d 0\"\n",
        );
        dir_rule(&s, "big", "big");
        s.write(
            "dot/.env",
            &format!("HUGE={}\nSMALL=1\n", "b".repeat(200_000)),
        );
        s.hfenv(&["allow"]).dir(s.path("dot")).ok();
        let o = Session::new(&s, sh)
            .cd("big")
            .show("HF_TOKEN", "big")
            .line(&sh_c("echo ran > ~/ran1"))
            .cd("dot")
            .show("HUGE", "huge")
            .show("SMALL", "small")
            .line(&sh_c("echo ran > ~/ran2"))
            .run();
        o.unset("big");
        o.unset("huge");
        o.is("small", "1");
        assert!(s.path("ran1").exists() && s.path("ran2").exists());
        assert_eq!(o.count("Argument list too long"), 2, "{}", o.transcript);
    });
}

/// C3: values to restore live only as long as a shell can use them: twenty shells replaced in
/// turn by `exec` leave one store (the live shell's) holding the user's token, not twenty, in
/// every hooked shell; a shell that exited leaves none once the next shell prompts.
#[test]
fn stores_go_with_their_shells() {
    each_shell(&ALL, |sh| {
        let mut s = Sandbox::new();
        three_profiles(&s, "");
        dir_rule(&s, "work", "work");
        s.set_env("HF_TOKEN", TOKEN_PERSONAL);
        let child = child_shell(sh);
        // Counts the stores that hold the user's token, as a file the test reads back.
        let count = |tag: &str| {
            sh_c(&format!(
                "grep -l {} ~/.local/state/hfenv/shells/* | wc -l > ~/{tag}",
                &TOKEN_PERSONAL[..20]
            ))
        };
        let mut session = Session::new(&s, sh);
        session.cd("work").line(&count("first"));
        for _ in 0..20 {
            session.line(&format!("exec {child}"));
        }
        session
            .line(&count("after"))
            .cd("")
            .show("HF_TOKEN", "left");
        let o = session.run();
        o.is("left", TOKEN_PERSONAL);
        let read = |tag: &str| s.read(tag).trim().to_string();
        assert_eq!(read("first"), "1", "{sh:?}: one store while in the shell");
        assert_eq!(read("after"), "1", "{sh:?}: stores left behind by exec");
        // The next shell's first prompt finds every one of them gone.
        s.hfenv(&["export", "bash", "--hook"])
            .env("__HFENV_PID", std::process::id().to_string())
            .ok();
        let left: Vec<_> = std::fs::read_dir(s.state_dir().join("shells"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left.len(), 1, "stores left behind: {left:?}");
    });
}

/// A4: `status` says what the shell really holds (masked), and when that differs from what
/// this directory wants, why and what to do: a change the hook has not applied yet, a hand
/// edit the hook keeps, a value left by a profile that no longer applies, no hook at all.
#[test]
fn status_says_what_the_shell_really_holds() {
    each_shell(&ALL, |sh| {
        let s = Sandbox::new();
        three_profiles(&s, "[profiles.ci]\ntoken_env = \"CI_HF_TOKEN\"\n");
        s.write("pinned/.hfenv", "work\n");
        // `sh` inherits exactly what the shell exports.
        let status = |tag: &str| sh_c(&format!("{BIN} status --json > ~/{tag}.json"));
        let mut session = Session::new(&s, sh);
        let edit = session.export_line("HF_TOKEN", TOKEN_TEAM);
        let ci = session.export_line("CI_HF_TOKEN", TOKEN_CI);
        let o = session
            .cd("pinned")
            .line(&status("entered"))
            .line(&format!("{edit}; {}", status("edited")))
            .line(&status("kept"))
            .line(&format!(
                "{}; {}",
                sh_c("rm ~/pinned/.hfenv"),
                status("unpinned")
            ))
            .line(&status("left"))
            .line("hfenv use ci --shell")
            .line(&format!("{ci}; {}", status("pending")))
            .line(&status("applied"))
            .run();
        let json = |tag: &str| -> serde_json::Value {
            let text = s.read(&format!("{tag}.json"));
            assert_no_token(&text);
            serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{sh:?} {tag}: {e}: {text}\n{}", o.transcript))
        };
        let differs = |tag: &str| -> Vec<(String, String)> {
            let v = json(tag);
            assert_eq!(v["shell"]["hooked"], true, "{sh:?} {tag}: {v}");
            v["shell"]["differs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| {
                    (
                        d["name"].as_str().unwrap().to_string(),
                        d["why"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        };
        let pair = |n: &str, w: &str| (n.to_string(), w.to_string());
        let masked = |t: &str| format!("{}…{}", &t[..5], &t[t.len() - 4..]);
        assert_eq!(differs("entered"), [], "{sh:?}");
        assert_eq!(json("entered")["shell"]["token"], masked(TOKEN_WORK));
        assert_eq!(differs("edited"), [pair("HF_TOKEN", "hand_edit")], "{sh:?}");
        assert_eq!(json("edited")["shell"]["token"], masked(TOKEN_TEAM));
        assert_eq!(differs("kept"), [pair("HF_TOKEN", "hand_edit")], "{sh:?}");
        assert_eq!(
            differs("unpinned"),
            [pair("HFENV_PROFILE", "left_over")],
            "{sh:?}"
        );
        assert_eq!(differs("left"), [], "{sh:?}");
        assert_eq!(json("left")["shell"]["token"], masked(TOKEN_TEAM));
        // Without its variable `ci` had no token, so hfenv had set neither.
        assert_eq!(
            differs("pending"),
            [
                pair("HFENV_PROFILE", "pending"),
                pair("HF_TOKEN", "pending")
            ],
            "{sh:?}"
        );
        assert_eq!(json("pending")["profile"], "ci");
        assert_eq!(json("pending")["token"], masked(TOKEN_CI));
        assert!(json("pending")["shell"]["token"].is_null());
        assert_eq!(differs("applied"), [], "{sh:?}");
        assert_eq!(json("applied")["shell"]["token"], masked(TOKEN_CI));
        assert_eq!(
            json("applied")["huggingface_hub"]["token"],
            masked(TOKEN_CI)
        );
    });
}

/// A4: without a hook, `status` says the shell holds none of it, and how to hook it.
#[test]
fn status_in_an_unhooked_shell_says_so() {
    let s = Sandbox::new();
    three_profiles(&s, "");
    s.write("pinned/.hfenv", "work\n");
    let out = s.hfenv(&["status"]).dir(s.path("pinned")).ok().stdout;
    assert!(out.contains("this shell            not hooked — add your shell's line from `hfenv hook --help` to its rc file\n  HF_TOKEN            unset in this shell\n"), "{out}");
    assert!(
        out.contains("✗ `HF_TOKEN` is unset, this directory wants hf_Fa…1111: no hook applies it"),
        "{out}"
    );
    assert!(
        out.contains("huggingface_hub uses  nothing (not logged in)"),
        "{out}"
    );
    let v: serde_json::Value = serde_json::from_str(
        &s.hfenv(&["status", "--json"])
            .dir(s.path("pinned"))
            .ok()
            .stdout,
    )
    .unwrap();
    assert_eq!(v["shell"]["hooked"], false);
    assert_eq!(v["shell"]["differs"][1]["why"], "not_hooked");
    assert_eq!(v["shell"]["differs"][1]["wants"], "hf_Fa…1111");
}

/// B1/A3, the whole class: a `.hfenv` hfenv cannot read as a profile name (a symlink loop, a
/// directory, a socket, an empty file, escape sequences) means hfenv cannot tell which profile
/// the directory wants: none applies there, neither the pin above it nor the global profile,
/// and the user's own token stays. Said without quoting the file.
#[test]
fn an_unreadable_pin_applies_no_profile() {
    each_shell(&ALL, |sh| {
        let s = Sandbox::new();
        three_profiles(&s, "");
        s.hfenv(&["use", "personal"]).ok();
        s.write("outer/.hfenv", "work\n");
        for kind in ["loop", "dir", "sock", "empty", "junk"] {
            let pin = s.mkdir(&format!("outer/{kind}")).join(".hfenv");
            match kind {
                "loop" => std::os::unix::fs::symlink(".hfenv", &pin).unwrap(),
                "dir" => std::fs::create_dir(&pin).unwrap(),
                "sock" => drop(std::os::unix::net::UnixListener::bind(&pin).unwrap()),
                "empty" => std::fs::write(&pin, "").unwrap(),
                _ => std::fs::write(&pin, "\u{1b}]0;title\u{7}work\n").unwrap(),
            }
        }
        let mut session = Session::new(&s, sh);
        session
            .rc_export("HF_TOKEN", TOKEN_TEAM)
            .cd("outer")
            .show("HF_TOKEN", "outer");
        for kind in ["loop", "dir", "sock", "empty", "junk"] {
            session
                .cd(&format!("outer/{kind}"))
                .show("HF_TOKEN", kind)
                .show("HFENV_PROFILE", &format!("{kind}_profile"));
        }
        let o = session.cd("").show("HF_TOKEN", "home").run();
        o.is("outer", TOKEN_WORK);
        for kind in ["loop", "dir", "sock", "empty", "junk"] {
            o.is(kind, TOKEN_TEAM);
            o.unset(&format!("{kind}_profile"));
        }
        o.is("home", TOKEN_PERSONAL);
        assert!(
            !o.transcript.contains("title"),
            "{sh:?}: the pin was quoted"
        );
        assert!(
            o.count("so no profile applies here") >= 5,
            "{sh:?}:\n{}",
            o.transcript
        );
    });
}

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
        let s = Sandbox::new();
        three_profiles(&s, "");
        dir_rule(&s, "work", "work");
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
        let s = Sandbox::new();
        three_profiles(&s, "");
        dir_rule(&s, "work", "acme");
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
        let s = Sandbox::new();
        three_profiles(&s, "");
        dir_rule(&s, "work", "proj");
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

/// C3: values to restore live only as long as a shell can use them: a shell replaced by
/// `exec` and a shell that exited leave no store behind.
#[test]
fn stores_go_with_their_shells() {
    each_shell(&POSIXISH, |sh| {
        let mut s = Sandbox::new();
        three_profiles(&s, "");
        dir_rule(&s, "work", "work");
        s.set_env("HF_TOKEN", TOKEN_PERSONAL);
        let child = child_shell(sh);
        let o = Session::new(&s, sh)
            .cd("work")
            .line(&format!("exec {child}"))
            .line(&format!("exec {child}"))
            .line(&format!("exec {child}"))
            .cd("")
            .show("HF_TOKEN", "left")
            .run();
        o.is("left", TOKEN_PERSONAL);
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

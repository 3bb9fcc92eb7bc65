//! `hfenv doctor` finds `hf` wherever Python tools put it, and `--fix` does no harm: no
//! repository directory on PATH, PATH appended only after a yes, modes changed on the token
//! file itself only, `.gitignore` edited only as git reads it, git run so a repository's
//! config runs nothing.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use crate::support::*;

fn sandbox() -> Sandbox {
    let mut s = Sandbox::new();
    let path = tool_path(&s, &["git"]);
    s.set_env("PATH", path);
    s
}

/// A sandbox whose PATH finds a stand-in `hf` in `~/bin`: doctor's checks of `hf` pass.
fn sandbox_with_hf() -> Sandbox {
    let mut s = Sandbox::new();
    fake_exe(&s.path("bin/hf"));
    let path = format!("{}:{}", s.path("bin").display(), tool_path(&s, &["git"]));
    s.set_env("PATH", path);
    s
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

fn doctor(s: &Sandbox, args: &[&str], dir: &Path) -> Run {
    let mut all = vec!["doctor", "--offline"];
    all.extend_from_slice(args);
    s.hfenv(&all).dir(dir)
}

#[test]
fn hf_is_found_wherever_python_tools_put_it() {
    // (where `hf` is, relative to HOME; extra variables; what doctor calls the place)
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
    let cases: &[Case] = &[
        (".local/bin/hf", &[], "pip --user"),
        (".venv/bin/hf", &[], "virtualenv"),
        (
            "envs/mine/bin/hf",
            &[("VIRTUAL_ENV", "envs/mine")],
            "virtualenv",
        ),
        (".pyenv/versions/3.12.4/bin/hf", &[], "pyenv"),
        (".pyenv/versions/3.12.4/envs/tools/bin/hf", &[], "pyenv"),
        ("miniconda3/envs/ml/bin/hf", &[], "conda"),
        ("miniforge3/bin/hf", &[], "conda"),
        ("mm/envs/x/bin/hf", &[("MAMBA_ROOT_PREFIX", "mm")], "conda"),
        (
            ".local/share/pipx/venvs/huggingface-hub/bin/hf",
            &[],
            "pipx",
        ),
        (
            ".local/share/uv/tools/huggingface-hub/bin/hf",
            &[],
            "uv tool",
        ),
        (
            "pyuser/bin/hf",
            &[("PYTHONUSERBASE", "pyuser")],
            "pip --user",
        ),
    ];
    for (rel, vars, what) in cases {
        let mut s = sandbox();
        for (k, v) in *vars {
            let v = s.path(v);
            s.set_env(k, v);
        }
        fake_exe(&s.path(rel));
        let d = doctor(&s, &[], &s.home).code(1);
        assert!(
            d.stdout.contains(&format!(
                "  ✗ `hf` is installed at ~/{rel} ({what}), not on PATH (\"command not found\")\n"
            )),
            "{rel}:\n{}",
            d.stdout
        );
    }
    // pipx and uv link their tools into ~/.local/bin: the link says which.
    let s = sandbox();
    let real = s.path(".local/share/uv/tools/huggingface-hub/bin/hf");
    fake_exe(&real);
    std::fs::create_dir_all(s.path(".local/bin")).unwrap();
    std::os::unix::fs::symlink(&real, s.path(".local/bin/hf")).unwrap();
    let d = doctor(&s, &[], &s.home).code(1);
    assert!(
        d.stdout
            .contains("`hf` is installed at ~/.local/bin/hf (uv tool), not on PATH"),
        "{}",
        d.stdout
    );
}

#[test]
fn a_repository_venv_is_activated_never_put_on_path() {
    let s = sandbox();
    let proj = s.mkdir("proj");
    std::fs::create_dir_all(proj.join(".git")).unwrap();
    let venv = proj.join(".venv");
    fake_exe(&venv.join("bin/hf"));
    std::fs::write(venv.join("pyvenv.cfg"), "home = /usr/bin\n").unwrap();
    // Found from a subdirectory too: a project venv in a parent directory.
    let sub = s.mkdir("proj/src/pkg");
    for args in [&[][..], &["--fix", "--yes"][..]] {
        let d = doctor(&s, args, &sub).run();
        assert!(
            d.stdout.contains(
                "  ⚠ `hf` is installed at ~/proj/.venv/bin/hf (a project virtualenv), not on PATH; \
                 hfenv never puts it on PATH: it is inside the working tree ~/proj\n      \
                 fix: activate the virtualenv in this shell: `source ~/proj/.venv/bin/activate` \
                 (fish: `source ~/proj/.venv/bin/activate.fish`), or run `~/proj/.venv/bin/hf` directly\n"
            ),
            "{}",
            d.stdout
        );
        assert!(!s.state_dir().join("path").exists(), "{args:?}");
    }
    // From the project's root the command is relative.
    let d = doctor(&s, &[], &proj).run();
    assert!(
        d.stdout.contains("`source .venv/bin/activate`"),
        "{}",
        d.stdout
    );
    // A user-level install wins over the repository's one.
    fake_exe(&s.path(".local/bin/hf"));
    let d = doctor(&s, &[], &sub).code(1);
    assert!(
        d.stdout
            .contains("`hf` is installed at ~/.local/bin/hf (pip --user)"),
        "{}",
        d.stdout
    );
}

#[test]
fn a_recorded_repository_directory_is_not_added_and_fix_forgets_it() {
    let s = sandbox();
    // What an older hfenv recorded: a repository's venv.
    let proj = s.mkdir("proj");
    std::fs::create_dir_all(proj.join(".git")).unwrap();
    let bin = s.mkdir("proj/.venv/bin");
    fake_exe(&bin.join("hf"));
    std::fs::create_dir_all(s.state_dir()).unwrap();
    std::fs::write(s.state_dir().join("path"), format!("{}\n", bin.display())).unwrap();
    let out = s.hfenv(&["export", "bash"]).ok();
    assert!(!out.stdout.contains(".venv"), "{}", out.stdout);
    let d = doctor(&s, &[], &s.home).run();
    assert!(
        d.stdout.contains(
            "  ⚠ ~/proj/.venv/bin was recorded for PATH, but the hook no longer adds it: \
             it is inside the working tree ~/proj\n      fix: `hfenv doctor --fix` forgets it\n"
        ),
        "{}",
        d.stdout
    );
    let d = doctor(&s, &["--fix"], &s.home).run();
    assert!(
        d.stdout
            .contains("  ↺ repaired: ~/proj/.venv/bin was recorded for PATH")
            && d.stdout.contains("      fixed: forgot ~/proj/.venv/bin\n"),
        "{}",
        d.stdout
    );
    assert_eq!(s.read(".local/state/hfenv/path"), "");
}

/// `doctor --fix` on a terminal: the directory is shown and asked about.
fn fix_on_a_terminal(s: &Sandbox, answer: &str) -> String {
    let out = s
        .command(
            "script",
            &[
                "-qfec",
                &format!("{BIN} doctor --offline --fix"),
                "/dev/null",
            ],
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = out;
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        std::thread::sleep(Duration::from_millis(300));
        writeln!(stdin, "{answer}").unwrap();
        wait_or_kill(&mut child, 30, "doctor");
    }
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).replace('\r', "")
}

#[test]
fn fix_asks_then_the_hook_appends_the_directory() {
    if !have("bash") || !have("script") {
        return;
    }
    let mut s = sandbox();
    s.set_env("SHELL", "/bin/bash");
    s.set_env("NO_COLOR", "1");
    fake_exe(&s.path(".local/bin/hf"));
    let text = fix_on_a_terminal(&s, "n");
    assert!(
        text.contains("Append ~/.local/bin to PATH in every hooked shell, so `hf` is found? [y/N]"),
        "{text}"
    );
    assert!(!s.state_dir().join("path").exists(), "{text}");
    let text = fix_on_a_terminal(&s, "y");
    assert!(text.contains("fixed: recorded ~/.local/bin"), "{text}");

    s.write(".bashrc", &format!("eval \"$({BIN} hook bash)\"\n"));
    let out = hooked_bash(&s, "command -v hf; printf '%s\\n' \"$PATH\"");
    let lines: Vec<&str> = out.lines().collect();
    let bin = s.path(".local/bin").display().to_string();
    assert_eq!(
        lines.first().copied(),
        Some(format!("{bin}/hf").as_str()),
        "{out}"
    );
    // Appended: every directory the user had comes first.
    assert!(
        lines
            .get(1)
            .is_some_and(|p| p.ends_with(&format!(":{bin}"))),
        "{out}"
    );
}

#[test]
fn no_lost_hook_right_after_cd() {
    if !have("bash") || !have("script") {
        return;
    }
    let mut s = sandbox_with_hf();
    s.set_env("SHELL", "/bin/bash");
    s.add_inline("work", TOKEN_WORK);
    let proj = s.mkdir("proj");
    s.hfenv(&["use", "work", "--dir", proj.to_str().unwrap()])
        .ok();
    s.write(
        ".bashrc",
        &format!("eval \"$({BIN} hook bash)\"\ncd {}\n", proj.display()),
    );
    let out = hooked_bash(&s, &format!("cd ~; {BIN} doctor --offline"));
    assert!(
        out.contains(
            "  ✓ the hfenv hook is active in this shell; it applies no profile here at the next prompt \
             (the directory changed since the last one)\n"
        ),
        "{out}"
    );
    assert!(!out.contains("lost"), "{out}");
}

#[test]
fn fix_changes_the_token_file_only_never_its_directory_or_a_link() {
    let mut s = sandbox_with_hf();
    // A sticky shared directory, like /tmp, and a team's setgid HF_HOME.
    let shared = s.mkdir("shared");
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let token = shared.join("hf_token");
    std::fs::write(&token, TOKEN_PERSONAL).unwrap();
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o644)).unwrap();
    s.set_env("HF_TOKEN_PATH", &token);
    let d = doctor(&s, &["--fix"], &s.home).run();
    assert!(
        d.stdout.contains(
            "fixed: `chmod 600 ~/shared/hf_token`: ~/shared/hf_token is now 0600 (was 0644)"
        ),
        "{}",
        d.stdout
    );
    assert_eq!(mode(&token), 0o600);
    assert_eq!(mode(&shared), 0o1777);

    let team = s.mkdir("team-hf");
    std::fs::set_permissions(&team, std::fs::Permissions::from_mode(0o2775)).unwrap();
    let team_token = team.join("token");
    std::fs::write(&team_token, TOKEN_TEAM).unwrap();
    std::fs::set_permissions(&team_token, std::fs::Permissions::from_mode(0o640)).unwrap();
    s.set_env("HF_TOKEN_PATH", &team_token);
    let d = doctor(&s, &["--fix"], &s.home).run();
    assert_eq!(mode(&team_token), 0o600, "{}", d.stdout);
    assert_eq!(mode(&team), 0o2775);
    // Others can write into it: said, not changed.
    assert!(
        line_with(
            &d.stdout,
            "`~/team-hf` (mode 2775) can be written by others"
        )
        .contains('⚠'),
        "{}",
        d.stdout
    );

    // Through a link: named, never changed through it.
    let real = s.write("elsewhere/real-token", TOKEN_CI);
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o644)).unwrap();
    let link = s.path(".cache/huggingface/token");
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&real, &link).unwrap();
    s.env.remove("HF_TOKEN_PATH");
    let d = doctor(&s, &["--fix"], &s.home).code(1);
    assert!(
        d.stdout.contains(
            "  ✗ token file `~/.cache/huggingface/token` (a link to `~/elsewhere/real-token`) is mode 0644: \
             others on this machine can read it\n      \
             fix: `chmod 600 ~/elsewhere/real-token`: hfenv does not change files through links; change the file itself\n"
        ),
        "{}",
        d.stdout
    );
    assert_eq!(mode(&real), 0o644);
}

#[test]
fn only_token_in_an_unread_variable_is_a_problem() {
    let s = sandbox_with_hf();
    let d = s
        .hfenv(&["doctor", "--offline"])
        .env("HUGGINGFACE_TOKEN", TOKEN_TEAM)
        .code(1);
    assert!(
        d.stdout.contains(
            "  ✗ `HUGGINGFACE_TOKEN` holds your only token, but huggingface_hub never reads it: it runs without a token\n"
        ),
        "{}",
        d.stdout
    );
    // Beside a token that is read, only a warning.
    s.write(".cache/huggingface/token", TOKEN_PERSONAL);
    std::fs::set_permissions(
        s.path(".cache/huggingface/token"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    let d = s
        .hfenv(&["doctor", "--offline"])
        .env("HUGGINGFACE_TOKEN", TOKEN_TEAM)
        .ok();
    assert!(
        line_with(
            &d.stdout,
            "`HUGGINGFACE_TOKEN` is set, but huggingface_hub never reads it"
        )
        .contains('⚠'),
        "{}",
        d.stdout
    );
}

#[test]
fn gitignore_is_edited_only_as_git_reads_it() {
    if !have("git") {
        return;
    }
    let s = sandbox_with_hf();
    let proj = s.mkdir("proj");
    s.git(&proj, &["init", "-q"]);
    s.write("proj/.env", &format!("HF_TOKEN={TOKEN_CI}\n"));
    // A symlinked .gitignore (git ignores it) pointing outside the repository.
    let outside = s.write("outside-ignore", "# mine\n");
    std::os::unix::fs::symlink(&outside, proj.join(".gitignore")).unwrap();
    let d = doctor(&s, &["--fix"], &proj).code(1);
    assert!(
        d.stdout.contains(
            "`.gitignore` was not changed: it is a symbolic link, which git does not read"
        ),
        "{}",
        d.stdout
    );
    assert_eq!(s.read("outside-ignore"), "# mine\n");

    // Ignored already (here through .git/info/exclude): no advice at all.
    std::fs::remove_file(proj.join(".gitignore")).unwrap();
    std::fs::write(proj.join(".git/info/exclude"), ".env\n").unwrap();
    let d = doctor(&s, &[], &proj).run();
    assert!(!d.stdout.contains("`.env`"), "{}", d.stdout);
    assert!(!d.stdout.contains("gitignore"), "{}", d.stdout);

    // A new .gitignore is created, and git is asked again.
    std::fs::write(proj.join(".git/info/exclude"), "").unwrap();
    let d = doctor(&s, &["--fix"], &proj).run();
    assert!(
        d.stdout
            .contains("fixed: added `.env` to `~/proj/.gitignore`; git now ignores it"),
        "{}",
        d.stdout
    );
    assert_eq!(s.read("proj/.gitignore"), ".env\n");
}

#[test]
fn a_repository_config_runs_nothing() {
    if !have("git") {
        return;
    }
    let s = sandbox_with_hf();
    let proj = s.mkdir("proj");
    s.git(&proj, &["init", "-q"]);
    s.write("proj/src/a.py", "x = 1\n");
    s.git(&proj, &["add", "."]);
    let pwned = s.path("pwned");
    let script = s.write(
        "evil.sh",
        &format!("#!/bin/sh\ntouch {}\n", pwned.display()),
    );
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    for (k, v) in [
        ("core.fsmonitor", script.to_str().unwrap()),
        ("core.pager", script.to_str().unwrap()),
        ("core.hooksPath", s.path("").to_str().unwrap()),
    ] {
        s.git(&proj, &["config", k, v]);
    }
    s.write("proj/.env", &format!("HF_TOKEN={TOKEN_CI}\n"));
    doctor(&s, &["--fix"], &proj).run();
    assert!(!pwned.exists(), "a repository's git config ran a program");
}

#[test]
fn a_config_holding_tokens_readable_by_others_is_a_problem_fixed_in_place() {
    let s = sandbox_with_hf();
    // In the config file itself, whatever credential store the machine has.
    s.hfenv(&[
        "add",
        "work",
        "--token-stdin",
        "--no-verify",
        "--store",
        "config",
    ])
    .stdin(&format!("{TOKEN_WORK}\n"))
    .ok();
    let config = s.config_path();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
    let d = doctor(&s, &[], &s.home).code(1);
    assert!(
        d.stdout.contains(
            "  ✗ hfenv config `~/.config/hfenv/config.toml` is mode 0644: others on this machine can read it\n"
        ),
        "{}",
        d.stdout
    );
    let d = doctor(&s, &["--fix"], &s.home).run();
    assert!(
        d.stdout.contains(
            "      fixed: `chmod 600 ~/.config/hfenv/config.toml`: ~/.config/hfenv/config.toml is now 0600 (was 0644)\n"
        ),
        "{}",
        d.stdout
    );
    assert_eq!(mode(&config), 0o600);
}

use std::path::Path;

use crate::support::*;

const FILES: [(&str, &str); 6] = [
    ("bash", "hfenv.bash"),
    ("zsh", "_hfenv"),
    ("fish", "hfenv.fish"),
    ("elvish", "hfenv.elv"),
    ("nushell", "hfenv-completions.nu"),
    ("powershell", "_hfenv.ps1"),
];

/// The checked-in scripts are exactly what the binary prints. Set `HFENV_UPDATE_COMPLETIONS=1`
/// to rewrite them after changing the CLI.
#[test]
fn checked_in_completions_are_current() {
    let s = Sandbox::new();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let update = std::env::var_os("HFENV_UPDATE_COMPLETIONS").is_some();
    let mut stale = Vec::new();
    for (shell, file) in FILES {
        let generated = s.hfenv(&["completions", shell]).ok().stdout;
        let path = dir.join(file);
        if update {
            std::fs::write(&path, &generated).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(generated.as_str()) {
            stale.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "completions/{stale:?} differ from `hfenv completions`; regenerate with `HFENV_UPDATE_COMPLETIONS=1 cargo test --test it completions`"
    );
}

/// PATH with the built `hfenv` first: completion scripts call `hfenv profiles` by name.
fn path_with_hfenv() -> String {
    let bin_dir = Path::new(BIN).parent().unwrap();
    format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

fn sandbox_with_profiles() -> Sandbox {
    let s = Sandbox::new();
    s.add_inline("work", TOKEN_WORK);
    s.add_inline("personal", TOKEN_PERSONAL);
    s
}

/// Runs bash's registered completion function the way readline would, and returns COMPREPLY.
fn bash_complete(s: &Sandbox, script_source: &str, words: &[&str]) -> Vec<String> {
    let line = words.join(" ");
    let words_array: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        r#"{script_source}
COMP_WORDS=({words})
COMP_CWORD={cword}
COMP_LINE='{line}'
COMP_POINT=${{#COMP_LINE}}
spec=$(complete -p hfenv)
fn=${{spec#*-F }}; fn=${{fn%% *}}
"$fn" hfenv "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}""#,
        words = words_array.join(" "),
        cword = words.len() - 1,
    );
    let path = path_with_hfenv();
    let out = s
        .command("bash", &["--noprofile", "--norc", "-c", &program])
        .env("PATH", path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// A directory with files to offer: `allow` and `exec … -- cmd` complete file names.
fn project(s: &Sandbox) -> std::path::PathBuf {
    s.write("proj/.env", "A=1\n");
    s.write("proj/notes.txt", "");
    s.mkdir("proj/data");
    s.path("proj")
}

fn has(got: &[String], want: &str) -> bool {
    got.iter().any(|g| g == want)
}

#[test]
fn bash_completes_every_argument_from_the_cli() {
    if !have("bash") {
        return;
    }
    let s = sandbox_with_profiles();
    let proj = project(&s);
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/hfenv.bash");
    let source = format!("source '{}'; cd '{}'", file.display(), proj.display());
    let c = |words: &[&str]| bash_complete(&s, &source, words);
    let got = c(&["hfenv", "use", ""]);
    assert!(has(&got, "personal") && has(&got, "work"), "{got:?}");
    assert_eq!(c(&["hfenv", "token", "-p", "w"]), ["work"]);
    assert_eq!(c(&["hfenv", "exec", "--profile", "p"]), ["personal"]);
    assert_eq!(c(&["hfenv", "remove", "pe"]), ["personal"]);
    assert_eq!(c(&["hfenv", "migrate", "wo"]), ["work"]);
    assert!(has(&c(&["hfenv", "st"]), "status"));
    assert!(has(&c(&["hfenv", "use", "--c"]), "--clear"));
    // Files where files are taken.
    let got = c(&["hfenv", "allow", ""]);
    assert!(has(&got, "notes.txt") && has(&got, "data/"), "{got:?}");
    assert_eq!(c(&["hfenv", "deny", ".e"]), [".env"]);
    // Formats and shells, not directories; the hook's own flag never.
    let got = c(&["hfenv", "export", ""]);
    for want in ["json", "dotenv", "github", "bash", "nushell"] {
        assert!(has(&got, want), "{want}: {got:?}");
    }
    assert!(!has(&got, "data/"), "{got:?}");
    let got = c(&["hfenv", "export", "--"]);
    assert!(has(&got, "--profile") && !has(&got, "--hook"), "{got:?}");
    assert!(has(&c(&["hfenv", "hook", "nu"]), "nushell"));
    assert!(has(&c(&["hfenv", "completions", "p"]), "powershell"));
    assert!(c(&["hfenv", "hook", "bash", ""])
        .iter()
        .all(|w| w.starts_with('-')));
    // `exec … --`: a command, then its arguments' files.
    let got = c(&["hfenv", "exec", "-p", "work", "--", "bas"]);
    assert!(has(&got, "bash"), "{got:?}");
    let got = c(&["hfenv", "exec", "--", "cat", "no"]);
    assert_eq!(got, ["notes.txt"]);
}

#[test]
fn the_bash_hook_registers_completion_unless_told_not_to() {
    if !have("bash") {
        return;
    }
    let s = sandbox_with_profiles();
    let got = bash_complete(
        &s,
        &format!("eval \"$('{BIN}' hook bash)\""),
        &["hfenv", "use", ""],
    );
    assert!(has(&got, "personal") && has(&got, "work"), "{got:?}");
    let hook = s.hfenv(&["hook", "bash", "--no-completions"]).ok().stdout;
    assert!(
        !hook.contains("complete -"),
        "completion registered despite --no-completions"
    );
}

#[test]
fn fish_completes_every_argument_from_the_cli() {
    if !have("fish") {
        return;
    }
    let s = sandbox_with_profiles();
    let proj = project(&s);
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/hfenv.fish");
    let path = path_with_hfenv();
    let run = |line: &str| -> Vec<String> {
        let program = format!(
            "source '{}'; cd '{}'; complete -C'{line}'",
            file.display(),
            proj.display()
        );
        let out = s
            .command("fish", &["--no-config", "-c", &program])
            .env("PATH", &path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.split('\t').next().unwrap().to_string())
            .collect()
    };
    let got = run("hfenv use ");
    assert!(has(&got, "work") && has(&got, "personal"), "{got:?}");
    assert_eq!(run("hfenv token -p w"), ["work"]);
    assert!(has(&run("hfenv st"), "status"));
    let got = run("hfenv allow ");
    assert!(has(&got, "notes.txt"), "{got:?}");
    let got = run("hfenv export ");
    assert!(has(&got, "json") && has(&got, "nushell"), "{got:?}");
    assert!(!has(&run("hfenv export --"), "--hook"));
    assert!(has(&run("hfenv hook "), "elvish"));
    assert!(has(&run("hfenv exec -- bas"), "bash"));
    assert_eq!(run("hfenv exec -- cat no"), ["notes.txt"]);
}

/// What an interactive shell in tmux shows after `typed` and a TAB, once `until` holds.
fn tab_in_tmux(s: &Sandbox, program: &[&str], typed: &str, until: &dyn Fn(&str) -> bool) -> String {
    let root = s.root.path();
    // A server per call: one being killed may still hold a reused socket.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let sock = root.join(format!("tmux-{call}.sock"));
    let tmux = |args: &[&str]| -> String {
        let mut all = vec!["-S", sock.to_str().unwrap(), "-f", "/dev/null"];
        all.extend_from_slice(args);
        let out = s.command("tmux", &all).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let mut start = vec!["new-session", "-d", "-x", "160", "-y", "50", "--"];
    start.extend_from_slice(program);
    tmux(&start);
    let screen = || tmux(&["capture-pane", "-p", "-J"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    // The prompt is up when the screen shows the marker the rc prints last.
    while !screen().contains("READY") && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    tmux(&["send-keys", "-l", "--", typed]);
    tmux(&["send-keys", "Tab"]);
    let mut shown = screen();
    while !until(&shown) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
        shown = screen();
    }
    tmux(&["kill-server"]);
    shown
}

#[test]
fn zsh_completes_even_when_compinit_runs_after_the_hook() {
    if !have("zsh") || !have("tmux") {
        return;
    }
    let s = sandbox_with_profiles();
    // The hook line first, then compinit: the order many .zshrc files have.
    s.write(
        ".zshrc",
        &format!(
            "PS1='$ '\neval \"$('{BIN}' hook zsh)\"\nautoload -Uz compinit && compinit -u\necho READY\n"
        ),
    );
    let shown = tab_in_tmux(&s, &["zsh", "-i"], "hfenv use ", &|t| {
        t.contains("personal") && t.contains("work")
    });
    assert!(
        shown.contains("personal") && shown.contains("work"),
        "{shown}"
    );
    let shown = tab_in_tmux(&s, &["zsh", "-i"], "hfenv export --", &|t| {
        t.contains("--profile")
    });
    assert!(
        shown.contains("--profile") && !shown.contains("--hook"),
        "{shown}"
    );
}

#[test]
fn elvish_completes_profile_names_and_values() {
    if !have("elvish") || !have("tmux") {
        return;
    }
    let s = sandbox_with_profiles();
    s.write(
        ".config/elvish/rc.elv",
        &format!("eval ('{BIN}' hook elvish | slurp)\necho READY\n"),
    );
    let shown = tab_in_tmux(&s, &["elvish"], "hfenv use ", &|t| {
        t.contains("personal") && t.contains("work")
    });
    assert!(
        shown.contains("personal") && shown.contains("work"),
        "{shown}"
    );
    let shown = tab_in_tmux(&s, &["elvish"], "hfenv hook ", &|t| t.contains("nushell"));
    assert!(
        shown.contains("nushell") && shown.contains("powershell"),
        "{shown}"
    );
}

#[test]
fn nushell_completes_profile_names_and_values() {
    if !have("nu") || !have("tmux") {
        return;
    }
    let s = sandbox_with_profiles();
    let path = path_with_hfenv();
    s.write(".config/nushell/env.nu", "");
    s.write(
        ".config/nushell/config.nu",
        "$env.config.show_banner = false\nuse ($nu.default-config-dir | path join hfenv.nu)\nprint READY\n",
    );
    Run::new(s.command(
        "nu",
        &[
            "-c",
            "hfenv hook nushell | save -f ($nu.default-config-dir | path join hfenv.nu)",
        ],
    ))
    .env("PATH", &path)
    .ok();
    let shown = tab_in_tmux(&s, &["nu"], "hfenv use ", &|t| {
        t.contains("personal") && t.contains("work")
    });
    assert!(
        shown.contains("personal") && shown.contains("work"),
        "{shown}"
    );
    let shown = tab_in_tmux(&s, &["nu"], "hfenv export ", &|t| t.contains("dotenv"));
    assert!(
        shown.contains("dotenv") && shown.contains("github"),
        "{shown}"
    );
}

#[test]
fn completion_scripts_load_cleanly_in_their_shells() {
    let s = Sandbox::new();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    if have("bash") {
        let out = s
            .command(
                "bash",
                &[
                    "--noprofile",
                    "--norc",
                    "-c",
                    &format!("source '{}'", dir.join("hfenv.bash").display()),
                ],
            )
            .output()
            .unwrap();
        assert!(
            out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
            "{out:?}"
        );
    }
    if have("zsh") {
        let program = format!(
            "autoload -Uz compinit && compinit -u && source '{}'",
            dir.join("_hfenv").display()
        );
        let out = s
            .command("zsh", &["--no-rcs", "-c", &program])
            .output()
            .unwrap();
        assert!(out.status.success() && out.stderr.is_empty(), "{out:?}");
    }
    if have("fish") {
        let out = s
            .command(
                "fish",
                &[
                    "--no-config",
                    "-c",
                    &format!("source '{}'", dir.join("hfenv.fish").display()),
                ],
            )
            .output()
            .unwrap();
        assert!(out.status.success() && out.stderr.is_empty(), "{out:?}");
    }
}

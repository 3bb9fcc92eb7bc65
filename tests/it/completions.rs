use std::path::Path;

use crate::support::*;

const FILES: [(&str, &str); 5] = [
    ("bash", "hfenv.bash"),
    ("zsh", "_hfenv"),
    ("fish", "hfenv.fish"),
    ("elvish", "hfenv.elv"),
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

#[test]
fn bash_completes_profile_names_and_subcommands() {
    if !have("bash") {
        return;
    }
    let s = sandbox_with_profiles();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/hfenv.bash");
    let source = format!("source '{}'", file.display());
    let mut got = bash_complete(&s, &source, &["hfenv", "use", ""]);
    got.sort();
    assert_eq!(got, ["personal", "work"]);
    assert_eq!(
        bash_complete(&s, &source, &["hfenv", "token", "-p", "w"]),
        ["work"]
    );
    assert_eq!(
        bash_complete(&s, &source, &["hfenv", "exec", "--profile", "p"]),
        ["personal"]
    );
    assert_eq!(
        bash_complete(&s, &source, &["hfenv", "remove", "pe"]),
        ["personal"]
    );
    let subs = bash_complete(&s, &source, &["hfenv", "st"]);
    assert!(subs.contains(&"status".to_string()), "{subs:?}");
    let flags = bash_complete(&s, &source, &["hfenv", "use", "--c"]);
    assert!(flags.contains(&"--clear".to_string()), "{flags:?}");
}

#[test]
fn the_bash_hook_registers_completion_unless_told_not_to() {
    if !have("bash") {
        return;
    }
    let s = sandbox_with_profiles();
    let mut got = bash_complete(
        &s,
        &format!("eval \"$('{BIN}' hook bash)\""),
        &["hfenv", "use", ""],
    );
    got.sort();
    assert_eq!(got, ["personal", "work"]);
    let hook = s.hfenv(&["hook", "bash", "--no-completions"]).ok().stdout;
    assert!(
        !hook.contains("complete -F"),
        "completion registered despite --no-completions"
    );
}

#[test]
fn fish_completes_profile_names() {
    if !have("fish") {
        return;
    }
    let s = sandbox_with_profiles();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/hfenv.fish");
    let path = path_with_hfenv();
    let run = |line: &str| -> Vec<String> {
        let program = format!("source '{}'; complete -C'{line}'", file.display());
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
    let mut got = run("hfenv use ");
    got.sort();
    assert!(
        got.contains(&"work".to_string()) && got.contains(&"personal".to_string()),
        "{got:?}"
    );
    assert_eq!(run("hfenv token -p w"), ["work"]);
    assert!(run("hfenv st").contains(&"status".to_string()));
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

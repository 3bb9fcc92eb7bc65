//! Tab completion in every hooked shell, from one source: the clap definition in `cli.rs`.
//!
//! Each shell gets a small registration script that, at each TAB, asks the binary itself
//! (`_HFENV_COMPLETE=<shell> hfenv -- <words>`), and clap's completion engine answers from
//! the command line as it is: subcommands and flags (never hidden ones), the values an
//! argument takes (formats, shells), files where files are taken, command names after
//! `exec --`, and profile names read from the config at that moment.

use std::ffi::OsStr;
use std::io::Write;

use clap::CommandFactory;
use clap_complete::engine::{CompletionCandidate, PathCompleter, ValueCompleter};
use clap_complete::env::{Bash, CompleteEnv, Elvish, EnvCompleter, Fish, Powershell, Shells, Zsh};

use crate::cli::{Cli, Completions, Shell};
use crate::error::Result;
use crate::ui;

/// Set by the registered scripts to the shell asking; a name of our own, so a `COMPLETE` set
/// for some other tool never turns a normal run into a completion answer.
pub(crate) const VAR: &str = "_HFENV_COMPLETE";

const SHELLS: Shells<'static> = Shells(&[&Bash, &Zsh, &Fish, &Elvish, &Powershell, &Nushell]);

pub(crate) fn run(args: Completions) -> Result<()> {
    ui::print(&script(args.shell))
}

/// Answers a completion request and exits; any other run goes on untouched.
pub(crate) fn answer_if_asked() {
    if std::env::var_os(VAR).is_some() {
        CompleteEnv::with_factory(Cli::command)
            .var(VAR)
            .shells(SHELLS)
            .complete();
    }
}

/// The registration for `hfenv completions SHELL`: it finds `hfenv` on PATH at each TAB.
pub(crate) fn script(shell: Shell) -> String {
    registration(shell, "hfenv", false)
}

/// Completion registration appended to the hook, so one rc line is enough; it runs the
/// binary by the same absolute path as the hook. nushell's hook module always names a
/// completer for its `hfenv` command, so without completions it gets one that offers nothing
/// of its own (nushell then completes file names).
pub(crate) fn for_hook(shell: Shell, exe: &str, enabled: bool) -> String {
    match (shell, enabled) {
        (_, true) => registration(shell, exe, true),
        (Shell::Nushell, false) => "\ndef __hfenv_complete [context: string] { null }\n".into(),
        (_, false) => String::new(),
    }
}

fn registration(shell: Shell, completer: &str, in_hook: bool) -> String {
    let mut buf = Vec::new();
    let env_completer: &dyn EnvCompleter = match shell {
        Shell::Bash => &Bash,
        Shell::Zsh => &Zsh,
        Shell::Fish => &Fish,
        Shell::Elvish => &Elvish,
        Shell::Powershell => &Powershell,
        Shell::Nushell if in_hook => &NushellInHook,
        Shell::Nushell => &Nushell,
    };
    env_completer
        .write_registration(VAR, "hfenv", "hfenv", completer, &mut buf)
        .expect("writing to memory cannot fail");
    let script = String::from_utf8(buf).expect("registration scripts are UTF-8");
    match shell {
        // Without matches bash would fall back to its own completions (file names after
        // `hook bash`); the engine already offers files where files are taken.
        Shell::Bash => script.replace(" -o bashdefault", ""),
        Shell::Zsh => zsh_registration(&script),
        _ => script,
    }
}

/// `compdef` exists only once `compinit` ran, which many rc files do after the hook line:
/// then the registration waits for the first prompt where it exists.
fn zsh_registration(script: &str) -> String {
    let register = "compdef _clap_dynamic_completer_hfenv hfenv";
    let Some(at) = script.rfind(register) else {
        return script.to_string();
    };
    format!(
        "{}{}{}",
        &script[..at],
        r#"if (( $+functions[compdef] )); then
    compdef _clap_dynamic_completer_hfenv hfenv
else
    __hfenv_compdef() {
        (( $+functions[compdef] )) || return 0
        compdef _clap_dynamic_completer_hfenv hfenv
        add-zsh-hook -d precmd __hfenv_compdef
    }
    autoload -Uz add-zsh-hook
    add-zsh-hook precmd __hfenv_compdef
fi"#,
        &script[at + register.len()..]
    )
}

/// Profile names from the config as it is now, so a profile added a moment ago completes.
pub(crate) fn profile_names(current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(prefix) = current.to_str() else {
        return Vec::new();
    };
    let Ok(path) = crate::paths::config_file() else {
        return Vec::new();
    };
    let Ok(loaded) = crate::config::load_from(&path) else {
        return Vec::new();
    };
    loaded
        .config
        .names()
        .into_iter()
        .filter(|n| n.starts_with(prefix))
        .map(CompletionCandidate::new)
        .collect()
}

/// `exec … -- CMD ARGS`: a command name on PATH first, then file names.
pub(crate) struct CommandLine;

impl ValueCompleter for CommandLine {
    fn complete(&self, current: &OsStr) -> Vec<CompletionCandidate> {
        self.complete_at(0, current)
    }

    fn complete_at(&self, arg_index: usize, current: &OsStr) -> Vec<CompletionCandidate> {
        let prefix = current.to_string_lossy();
        if arg_index > 0 || command_named_before_cursor() || prefix.contains('/') {
            return PathCompleter::any().complete(current);
        }
        let mut names = std::collections::BTreeSet::new();
        for dir in std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()) {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name();
                let Some(name) = name.to_str() else { continue };
                if name.starts_with(prefix.as_ref()) && is_executable(&entry.path()) {
                    names.insert(name.to_string());
                }
            }
        }
        names.into_iter().map(CompletionCandidate::new).collect()
    }
}

/// Whether the words being completed (this process's arguments after the protocol's `--`)
/// already name `exec`'s command before the word under the cursor. clap counts every value
/// after `--` as the first, so the words are read here.
fn command_named_before_cursor() -> bool {
    let words: Vec<String> = std::env::args_os()
        .skip_while(|a| a != "--")
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let cursor = std::env::var("_CLAP_COMPLETE_INDEX")
        .ok()
        .and_then(|i| i.parse().ok())
        .unwrap_or_else(|| words.len().saturating_sub(1))
        .min(words.len());
    let Some(exec) = words.iter().position(|w| w == "exec") else {
        return false;
    };
    let mut options = true;
    let mut i = exec + 1;
    while i < cursor {
        let w = words[i].as_str();
        if options && w == "--" {
            options = false;
        } else if options && (w == "-p" || w == "--profile") {
            i += 1;
        } else if !(options && w.starts_with('-')) {
            return true;
        }
        i += 1;
    }
    false
}

fn is_executable(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// nushell: a module whose `hfenv` is an extern with a completer that asks the binary.
struct Nushell;

const NU_COMPLETER: &str = r#"
# Splits the line at blanks (nushell hands a completer the line as text) and asks the binary.
def __hfenv_complete [context: string] {
    let words = ($context | str trim --left | split row --regex '\s+')
    let index = (($words | length) - 1 | into string)
    with-env {VAR: 'nushell', _CLAP_COMPLETE_INDEX: $index} {
        ^COMPLETER -- ...$words | lines
    }
}
"#;

impl EnvCompleter for Nushell {
    fn name(&self) -> &'static str {
        "nushell"
    }
    fn is(&self, name: &str) -> bool {
        name == "nushell" || name == "nu"
    }
    fn write_registration(
        &self,
        var: &str,
        _name: &str,
        bin: &str,
        completer: &str,
        buf: &mut dyn Write,
    ) -> std::io::Result<()> {
        let header = "# hfenv completion for nushell (the hook registers it too). Save it once:\n\
             #   hfenv completions nushell | save -f ($nu.default-config-dir | path join hfenv-completions.nu)\n\
             # and in config.nu:\n\
             #   use ($nu.default-config-dir | path join hfenv-completions.nu) *\n";
        // A bare name is looked up on PATH; a path is quoted.
        let completer = if completer.chars().all(|c| c.is_ascii_alphanumeric()) {
            completer.to_string()
        } else {
            crate::render::quote_nushell(completer)
        };
        let body = NU_COMPLETER
            .replace("VAR", var)
            .replace("COMPLETER", &completer);
        write!(
            buf,
            "{header}{body}\nexport extern {bin} [...args: string@__hfenv_complete]\n"
        )
    }
    fn write_complete(
        &self,
        cmd: &mut clap::Command,
        args: Vec<std::ffi::OsString>,
        current_dir: Option<&std::path::Path>,
        buf: &mut dyn Write,
    ) -> std::io::Result<()> {
        let index = std::env::var("_CLAP_COMPLETE_INDEX")
            .ok()
            .and_then(|i| i.parse().ok())
            .unwrap_or_else(|| args.len().saturating_sub(1));
        for candidate in clap_complete::engine::complete(cmd, args, index, current_dir)? {
            writeln!(buf, "{}", candidate.get_value().to_string_lossy())?;
        }
        Ok(())
    }
}

/// The hook module's `main` (the command `hfenv`) names `__hfenv_complete` as its completer.
struct NushellInHook;

impl EnvCompleter for NushellInHook {
    fn name(&self) -> &'static str {
        Nushell.name()
    }
    fn is(&self, name: &str) -> bool {
        Nushell.is(name)
    }
    fn write_registration(
        &self,
        var: &str,
        _name: &str,
        _bin: &str,
        _completer: &str,
        buf: &mut dyn Write,
    ) -> std::io::Result<()> {
        let body = NU_COMPLETER
            .replace("VAR", var)
            .replace("COMPLETER", "$HFENV_BIN");
        write!(buf, "{body}")
    }
    fn write_complete(
        &self,
        cmd: &mut clap::Command,
        args: Vec<std::ffi::OsString>,
        current_dir: Option<&std::path::Path>,
        buf: &mut dyn Write,
    ) -> std::io::Result<()> {
        Nushell.write_complete(cmd, args, current_dir, buf)
    }
}

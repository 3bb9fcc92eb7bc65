//! Which variables a file (a trusted `.env`, a profile's `env`) may set, and how big they may
//! be. Decided when the file is read (the wanted stage), so nothing a file holds can stop the
//! rest of a change from applying in any shell.
//!
//! Refused everywhere: hfenv's own names (`HFENV_*`, `__HFENV_*` and the hooks' `__hfenv_*`),
//! names no environment can hold, and values `execve` would refuse. Refused per shell: the
//! names that shell treats specially — read-only ones (an assignment aborts zsh's whole
//! `eval`), ones tied to the shell's own state (zsh's `path`, fish's `fish_function_path`),
//! integer ones (zsh evaluates what is assigned to them as arithmetic, which can run code) and
//! prompts and startup hooks (code the shell runs). The lists come from the shells themselves
//! (`${(k)parameters}` in zsh, `readonly -p` in bash, `set -n` in fish); the `names_*` tests
//! in tests/it/failclosed.rs check them against the installed shells.

use crate::cli::Shell;

/// Linux refuses a single `NAME=value` string longer than this (`MAX_ARG_STRLEN`, 32 pages):
/// every later `execve` would fail with "Argument list too long".
const MAX_VAR_BYTES: usize = 128 * 1024;
/// What hfenv lets its variables add up to: well under the usual 2 MiB `ARG_MAX`, so commands
/// still have room for their arguments and the rest of the environment.
pub(crate) const MAX_TOTAL_BYTES: usize = 1024 * 1024;

/// Names a variant in case must never reach (nushell treats `path` as `PATH`).
const CASELESS: &[&str] = &[
    "HF_TOKEN",
    "HUGGING_FACE_HUB_TOKEN",
    "HF_ENDPOINT",
    "PATH",
    "HFENV_PROFILE",
];

/// Special in every shell hfenv hooks, or read by every shell at start-up.
const ALL_SHELLS: &[&str] = &["PWD", "OLDPWD", "SHLVL", "_", "BASH_ENV", "ENV", "ZDOTDIR"];

const BASH: &[&str] = &[
    "BASHOPTS",
    "BASHPID",
    "CDPATH",
    "COPROC",
    "DIRSTACK",
    "EPOCHREALTIME",
    "EPOCHSECONDS",
    "EUID",
    "EXECIGNORE",
    "FUNCNAME",
    "FUNCNEST",
    "GLOBIGNORE",
    "GLOBSORT",
    "GROUPS",
    "HISTCMD",
    "HOSTTYPE",
    "IFS",
    "LINENO",
    "MACHTYPE",
    "MAILPATH",
    "OPTARG",
    "OPTERR",
    "OPTIND",
    "OSTYPE",
    "PIPESTATUS",
    "POSIXLY_CORRECT",
    "PPID",
    "PROMPT_COMMAND",
    "PROMPT_DIRTRIM",
    "PS0",
    "PS1",
    "PS2",
    "PS3",
    "PS4",
    "RANDOM",
    "REPLY",
    "SECONDS",
    "SHELLOPTS",
    "SRANDOM",
    "TIMEFORMAT",
    "TMOUT",
    "UID",
    "INPUTRC",
    "HISTCONTROL",
    "HISTIGNORE",
    "HISTFILE",
    "HISTFILESIZE",
    "HISTSIZE",
    "HISTTIMEFORMAT",
    "MAILCHECK",
    "IGNOREEOF",
    "HOSTFILE",
    "CHILD_MAX",
];
const BASH_PREFIXES: &[&str] = &["BASH", "COMP_", "READLINE_"];

const ZSH: &[&str] = &[
    "ARGC",
    "CDPATH",
    "COLUMNS",
    "EGID",
    "EUID",
    "FIGNORE",
    "FPATH",
    "FUNCNEST",
    "GID",
    "HISTCHARS",
    "HISTCMD",
    "HISTSIZE",
    "HISTFILE",
    "IFS",
    "KEYBOARD_HACK",
    "KEYTIMEOUT",
    "LINENO",
    "LINES",
    "MAILPATH",
    "MANPATH",
    "MODULE_PATH",
    "NULLCMD",
    "OPTARG",
    "OPTIND",
    "POSTEDIT",
    "PPID",
    "PROMPT",
    "PROMPT2",
    "PROMPT3",
    "PROMPT4",
    "PROMPT_EOL_MARK",
    "PS1",
    "PS2",
    "PS3",
    "PS4",
    "PSVAR",
    "RANDOM",
    "READNULLCMD",
    "RPROMPT",
    "RPROMPT2",
    "RPS1",
    "RPS2",
    "SAVEHIST",
    "SECONDS",
    "SPROMPT",
    "TMOUT",
    "TRY_BLOCK_ERROR",
    "TRY_BLOCK_INTERRUPT",
    "TTYIDLE",
    "UID",
    "USERNAME",
    "WATCH",
    "WORDCHARS",
    "ERRNO",
    "LOGCHECK",
    "REPORTTIME",
    "REPORTMEMORY",
    "aliases",
    "argv",
    "builtins",
    "cdpath",
    "commands",
    "dirstack",
    "dis_aliases",
    "dis_builtins",
    "dis_functions",
    "dis_functions_source",
    "dis_galiases",
    "dis_patchars",
    "dis_reswords",
    "dis_saliases",
    "errnos",
    "fignore",
    "fpath",
    "funcfiletrace",
    "funcsourcetrace",
    "funcstack",
    "functions",
    "functions_source",
    "functrace",
    "galiases",
    "histchars",
    "history",
    "historywords",
    "jobdirs",
    "jobstates",
    "jobtexts",
    "keymaps",
    "mailpath",
    "manpath",
    "mapfile",
    "module_path",
    "modules",
    "nameddirs",
    "options",
    "parameters",
    "patchars",
    "path",
    "pipestatus",
    "prompt",
    "psvar",
    "reswords",
    "saliases",
    "signals",
    "status",
    "sysparams",
    "termcap",
    "terminfo",
    "userdirs",
    "usergroups",
    "watch",
    "widgets",
    "zsh_eval_context",
    "zsh_scheduled_events",
];
const ZSH_PREFIXES: &[&str] = &["ZSH_", "ZLE_", "zle_"];
const ZSH_SUFFIXES: &[&str] = &["_functions"];

const FISH: &[&str] = &[
    "CMD_DURATION",
    "COLUMNS",
    "EUID",
    "FISH_VERSION",
    "LINES",
    "argv",
    "history",
    "hostname",
    "pipestatus",
    "status",
    "status_generation",
    "umask",
    "version",
    "fish_pid",
    "fish_kill_signal",
    "fish_killring",
    "fish_bind_mode",
    "fish_private_mode",
];
const FISH_PREFIXES: &[&str] = &["fish_", "__fish"];

/// nushell compares environment names without case (`path=x` would replace `PATH`).
const NUSHELL: &[&str] = &[
    "PWD",
    "OLDPWD",
    "FILE_PWD",
    "CURRENT_FILE",
    "config",
    "ENV_CONVERSIONS",
    "LAST_EXIT_CODE",
    "CMD_DURATION_MS",
    "PROMPT_COMMAND",
    "PROMPT_COMMAND_RIGHT",
    "PROMPT_INDICATOR",
    "PROMPT_MULTILINE_INDICATOR",
];
const NUSHELL_PREFIXES: &[&str] = &["NU_", "PROMPT_", "TRANSIENT_PROMPT_"];

/// Why a file may not set `name` to `value` for `shell` (`None`: data exports and `exec`), or
/// `None` when it may.
pub(crate) fn refusal(name: &str, value: &str, shell: Option<Shell>) -> Option<String> {
    if !crate::config::valid_env_name(name) {
        return Some("not a name a shell can export".into());
    }
    if is_hfenvs_own(name) {
        return Some("hfenv's own variable, which no file may set".into());
    }
    if value.contains('\0') {
        return Some("the value contains a NUL byte, which no environment can hold".into());
    }
    if name.len() + value.len() + 2 > MAX_VAR_BYTES {
        return Some(format!(
            "the value is larger than {} KiB, and every command would then fail with \"Argument list too long\"",
            MAX_VAR_BYTES / 1024
        ));
    }
    if ALL_SHELLS.contains(&name) {
        return Some("the shell keeps it itself".into());
    }
    // nushell's environment ignores case: `hf_token` would replace the profile's `HF_TOKEN`.
    if let Some(same) = CASELESS
        .iter()
        .find(|n| n.eq_ignore_ascii_case(name) && **n != name)
    {
        return Some(format!(
            "it differs from `{same}` only in case, and nushell takes it for that"
        ));
    }
    let shell = shell?;
    if special_in(shell, name) {
        return Some(format!("{} treats it specially", shell_name(shell)));
    }
    None
}

/// `HFENV_*`, `__HFENV_*`, and the hooks' own `__hfenv_*` shell variables (a file exporting
/// `__hfenv_bin` would choose what the hook runs).
pub(crate) fn is_hfenvs_own(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    upper.starts_with("HFENV_") || upper.starts_with("__HFENV")
}

fn special_in(shell: Shell, name: &str) -> bool {
    let listed = |list: &[&str]| list.contains(&name);
    let prefixed = |prefixes: &[&str]| prefixes.iter().any(|p| name.starts_with(p));
    match shell {
        Shell::Bash => listed(BASH) || prefixed(BASH_PREFIXES),
        Shell::Zsh => {
            listed(ZSH) || prefixed(ZSH_PREFIXES) || ZSH_SUFFIXES.iter().any(|s| name.ends_with(s))
        }
        Shell::Fish => listed(FISH) || prefixed(FISH_PREFIXES),
        Shell::Nushell => {
            let upper = name.to_ascii_uppercase();
            NUSHELL.iter().any(|n| n.eq_ignore_ascii_case(name))
                || NUSHELL_PREFIXES.iter().any(|p| upper.starts_with(p))
                || (upper == "PATH" && name != "PATH")
        }
        // elvish keeps its own state apart from the environment (`$paths` follows `PATH`).
        Shell::Elvish => false,
        // PowerShell's automatic variables are not environment variables.
        Shell::Powershell => false,
    }
}

fn shell_name(shell: Shell) -> &'static str {
    match shell {
        Shell::Bash => "bash",
        Shell::Zsh => "zsh",
        Shell::Fish => "fish",
        Shell::Elvish => "elvish",
        Shell::Nushell => "nushell",
        Shell::Powershell => "PowerShell",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_file_may_set() {
        #[track_caller]
        fn case(name: &str, value: &str, shell: Option<Shell>, refused: bool) {
            assert_eq!(
                refusal(name, value, shell).is_some(),
                refused,
                "{name} in {shell:?}: {:?}",
                refusal(name, value, shell)
            );
        }
        let big = "x".repeat(200_000);
        case("DATABASE_URL", "x", Some(Shell::Zsh), false);
        case("path", "x", Some(Shell::Zsh), true);
        // A case variant of `PATH` or the token is refused everywhere (nushell folds case).
        case("path", "x", Some(Shell::Bash), true);
        case("manpath", "x", Some(Shell::Bash), false);
        case("status", "x", Some(Shell::Fish), true);
        case("PROMPT_COMMAND", "x", Some(Shell::Bash), true);
        case("precmd_functions", "x", Some(Shell::Zsh), true);
        case("fish_function_path", "x", Some(Shell::Fish), true);
        case("pwd", "x", Some(Shell::Nushell), true);
        case("Path", "x", Some(Shell::Nushell), true);
        case("hf_token", "x", Some(Shell::Bash), true);
        case("PATH", "/bin", Some(Shell::Nushell), false);
        case("file_pwd", "x", Some(Shell::Nushell), true);
        case("__HFENV_PATH", "x", None, true);
        case("HFENV_SHELL_PROFILE", "x", None, true);
        case("__hfenv_bin", "x", Some(Shell::Elvish), true);
        case("PWD", "x", None, true);
        case("OK", &big, None, true);
        case("OK", "a\0b", None, true);
        case("1X", "x", None, true);
    }
}

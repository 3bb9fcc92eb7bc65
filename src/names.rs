//! Which variables a file (a trusted `.env`, a profile's `env`) may set, and how big they may
//! be. Decided when the file is read (the wanted stage), so nothing a file holds can stop the
//! rest of a change from applying in any shell.
//!
//! Refused everywhere: hfenv's own names (`HFENV_*`, `__HFENV_*` and the hooks' `__hfenv_*`),
//! names no environment can hold, and values `execve` would refuse. Refused per shell: the
//! names that shell treats specially — read-only ones (an assignment aborts zsh's whole
//! `eval`), ones tied to the shell's own state (zsh's `path`, fish's `fish_function_path`),
//! integer ones (zsh evaluates what is assigned to them as arithmetic, which can run code) and
//! prompts and startup hooks (code the shell runs). nushell reads and sets names without case,
//! so there a name that differs only in case from one in the shell's environment, or from
//! another of the same file, is refused too.
//!
//! The lists are checked against the installed shells both ways: every name a real shell
//! reports as special or read-only and whose assignment errors, aborts the script or changes
//! another variable is refused (`every_special_name_the_installed_shells_report_is_refused` in
//! tests/it/shells/specials.rs), and every refused name is one its shell reports or reads
//! (`each_refused_name_is_known_to_its_shell` below).

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
    // zle reloads the terminal's description and complains at each assignment of an unknown one.
    "TERM",
    // Read-only or of another type once a module is loaded, as many rc files do (zsh/datetime
    // for prompt timing, zsh/langinfo, zsh/db/gdbm).
    "EPOCHREALTIME",
    "EPOCHSECONDS",
    "epochtime",
    "langinfo",
    "zgdbm_tied",
];
const ZSH_PREFIXES: &[&str] = &[
    "ZSH_", "ZLE_", "zle_", // The modules zsh/zftp and zsh/curses.
    "ZFTP_", "ZCURSES_", "zcurses_",
];
const ZSH_SUFFIXES: &[&str] = &["_functions"];

const FISH: &[&str] = &[
    // fish splits command substitutions on it.
    "IFS",
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
    if value.as_bytes().contains(&0) {
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
    if shell == Shell::Nushell {
        if let Some(twin) = case_twin_in_environment(name) {
            return Some(format!(
                "it differs from `{twin}` only in case, and nushell takes it for that"
            ));
        }
    }
    None
}

/// A variable of this process's environment (the shell's, for the hook) whose name differs
/// from `name` only in case: nushell reads and sets names without case, so assigning `home`
/// changes what its scripts see as `HOME` while child processes get both.
fn case_twin_in_environment(name: &str) -> Option<String> {
    use std::collections::HashMap;
    static FOLDED: std::sync::OnceLock<HashMap<String, Vec<String>>> = std::sync::OnceLock::new();
    let folded = FOLDED.get_or_init(|| {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for (k, _) in std::env::vars_os() {
            if let Ok(k) = k.into_string() {
                map.entry(k.to_ascii_lowercase()).or_default().push(k);
            }
        }
        map
    });
    folded
        .get(&name.to_ascii_lowercase())?
        .iter()
        .find(|k| *k != name)
        .cloned()
}

/// Two names of one file (or of hfenv's variables) that differ only in case: nushell would take
/// them for one variable. `seen` maps the lower-case form to the first name given.
pub(crate) fn case_twin_among(
    name: &str,
    seen: &mut std::collections::HashMap<String, String>,
) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    match seen.get(&lower) {
        Some(first) if first != name => Some(format!(
            "it differs from `{first}` only in case, and nushell takes them for one variable"
        )),
        Some(_) => None,
        None => {
            seen.insert(lower, name.to_string());
            None
        }
    }
}

/// `HFENV_*`, `__HFENV_*`, and the hooks' own `__hfenv_*` shell variables (a file exporting
/// `__hfenv_bin` would choose what the hook runs).
pub(crate) fn is_hfenvs_own(name: &str) -> bool {
    // Asked for every name of a `.env`: compared in place, not through an upper-case copy.
    let starts = |prefix: &str| {
        name.get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    starts("HFENV_") || starts("__HFENV")
}

/// A list of names, asked about for every name of a large `.env`: a scan of a hundred names,
/// std's hashing and even a search by halves each showed in its profile, while nearly every
/// name asked about is not listed. So a table of (first byte, length) pairs that occur in the
/// list answers most questions at once; only a name of such a shape is searched for.
struct Listed {
    sorted: Vec<&'static str>,
    /// Per first byte, bit `n` is set when a listed name of that first byte has length `n`
    /// (63 standing for 63 and longer).
    shapes: [u64; 256],
}

impl Listed {
    fn new(list: &[&'static str]) -> Listed {
        let mut sorted = list.to_vec();
        sorted.sort_unstable();
        let mut shapes = [0; 256];
        for name in &sorted {
            let (first, bit) = Self::shape(name);
            shapes[first] |= bit;
        }
        Listed { sorted, shapes }
    }

    fn shape(name: &str) -> (usize, u64) {
        let first = name.as_bytes().first().copied().unwrap_or(0);
        (usize::from(first), 1 << name.len().min(63))
    }

    fn contains(&self, name: &str) -> bool {
        let (first, bit) = Self::shape(name);
        self.shapes[first] & bit != 0 && self.sorted.binary_search(&name).is_ok()
    }
}

fn special_in(shell: Shell, name: &str) -> bool {
    type Set = std::sync::OnceLock<Listed>;
    static SETS: [Set; 3] = [Set::new(), Set::new(), Set::new()];
    let listed = |set: &Set, list: &'static [&'static str]| {
        set.get_or_init(|| Listed::new(list)).contains(name)
    };
    let prefixed = |prefixes: &[&str]| prefixes.iter().any(|p| name.starts_with(p));
    match shell {
        Shell::Bash => listed(&SETS[0], BASH) || prefixed(BASH_PREFIXES),
        Shell::Zsh => {
            listed(&SETS[1], ZSH)
                || prefixed(ZSH_PREFIXES)
                || ZSH_SUFFIXES.iter().any(|s| name.ends_with(s))
        }
        Shell::Fish => listed(&SETS[2], FISH) || prefixed(FISH_PREFIXES),
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
        // Within one file, nushell would take `Foo` and `FOO` for one variable.
        let mut seen = std::collections::HashMap::new();
        assert_eq!(case_twin_among("Foo", &mut seen), None);
        assert_eq!(case_twin_among("Foo", &mut seen), None);
        assert!(case_twin_among("FOO", &mut seen).is_some());
    }

    /// The installed shell's own account of its names: `(reported, program bytes)`, `None` when
    /// the shell is not installed (a failure in CI).
    fn ask(program: &str, script: &str) -> Option<(Vec<String>, String)> {
        let Ok(path) = which::which(program) else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "`{program}` is required in CI"
            );
            return None;
        };
        let flags: &[&str] = match program {
            "zsh" => &["-fic"],
            "bash" => &["--norc", "--noprofile", "-ic"],
            "fish" => &["--no-config", "-ic"],
            _ => &["-n", "-c"],
        };
        let out = std::process::Command::new(&path)
            .args(flags)
            .arg(script)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", std::env::temp_dir())
            .env("TERM", "dumb")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let reported = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.trim().to_string())
            .collect();
        // The program, and for zsh its modules (zle's names live there).
        let mut bytes = std::fs::read(path.canonicalize().unwrap()).unwrap();
        if program == "zsh" {
            let dirs = std::process::Command::new(&path)
                .args(["-fc", "print -l $module_path"])
                .output()
                .unwrap();
            for dir in String::from_utf8_lossy(&dirs.stdout).lines() {
                let mut stack = vec![std::path::PathBuf::from(dir)];
                while let Some(d) = stack.pop() {
                    for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                        let p = e.path();
                        if p.is_dir() {
                            stack.push(p);
                        } else if p.extension().is_some_and(|x| x == "so") {
                            bytes.extend(std::fs::read(&p).unwrap_or_default());
                        }
                    }
                }
            }
        }
        // Searched as text: the names are ASCII, and `str::contains` is fast on 50 MB.
        Some((reported, String::from_utf8_lossy(&bytes).into_owned()))
    }

    /// A2: each name refused for a shell is that shell's: the installed shell reports it as
    /// special or read-only (zsh's `${parameters}` types, bash's `compgen -v`, fish's `set -n`,
    /// nushell's `$env`), or its program holds the name, i.e. reads a variable by it when set
    /// (prompts and hooks, code the shell runs; history and terminal settings). The few named
    /// below come from other releases than the ones tested. Whether assigning a name breaks
    /// the shell is tried the other way round, in tests/it/shells/specials.rs.
    #[test]
    fn each_refused_name_is_known_to_its_shell() {
        // bash 5.3's glob order; nushell sets CMD_DURATION_MS at its prompt from a name it
        // builds, so the string is not in the program.
        const OTHER_RELEASES: &[&str] = &["GLOBSORT", "CMD_DURATION_MS"];
        let known = |list: &[&str], prefixes: &[&str], (reported, text): &(Vec<String>, String)| {
            let holds = |n: &str| text.contains(n);
            let mut unknown = Vec::new();
            for n in list {
                if !reported.iter().any(|r| r == n) && !holds(n) && !OTHER_RELEASES.contains(n) {
                    unknown.push(n.to_string());
                }
            }
            for p in prefixes {
                if !reported.iter().any(|r| r.starts_with(p)) && !holds(p) {
                    unknown.push(format!("{p}*"));
                }
            }
            unknown
        };
        let mut all_known: Vec<(Vec<String>, String)> = Vec::new();
        let zsh = ask(
            "zsh",
            "for k in ${(k)parameters}; do [[ ${parameters[$k]} == *(special|readonly)* ]] && print -r -- $k; done",
        );
        if let Some(z) = zsh {
            let mut suffixes_known = known(ZSH, ZSH_PREFIXES, &z);
            for sfx in ZSH_SUFFIXES {
                // `precmd_functions` and the like: hook arrays zsh reads by these names.
                if !z.1.contains(sfx) {
                    suffixes_known.push(format!("*{sfx}"));
                }
            }
            assert_eq!(
                suffixes_known,
                Vec::<String>::new(),
                "zsh does not know these"
            );
            all_known.push(z);
        }
        if let Some(b) = ask("bash", "compgen -v") {
            assert_eq!(known(BASH, BASH_PREFIXES, &b), Vec::<String>::new(), "bash");
            all_known.push(b);
        }
        if let Some(f) = ask("fish", "set -n") {
            assert_eq!(known(FISH, FISH_PREFIXES, &f), Vec::<String>::new(), "fish");
            all_known.push(f);
        }
        if let Some(n) = ask("nu", "$env | columns | str join \"\\n\"") {
            assert_eq!(
                known(NUSHELL, NUSHELL_PREFIXES, &n),
                Vec::<String>::new(),
                "nushell"
            );
            all_known.push(n);
        }
        if all_known.len() == 4 {
            let unknown: Vec<_> = ALL_SHELLS
                .iter()
                .filter(|n| all_known.iter().all(|k| !known(&[n], &[], k).is_empty()))
                .collect();
            assert!(unknown.is_empty(), "no shell knows {unknown:?}");
        }
    }
}

//! Every clap type, and nothing else: the command line is readable in one file.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum, ValueHint};
use clap_complete::engine::ArgValueCompleter;

use crate::cmd::completions::{profile_names, CommandLine};

const ENV_HELP: &str = "\
Environment:
  HFENV_CONFIG          config file (default: $XDG_CONFIG_HOME/hfenv/config.toml)
  XDG_STATE_HOME        state: global choice, trusted files (default: ~/.local/state)
  HFENV_SHELL_PROFILE   this shell's profile, set by `hfenv use NAME --shell`
  HFENV_PROFILE         set by hfenv to the active profile's name (for prompts)
  HF_TOKEN              set by hfenv to the active profile's token
  HF_ENDPOINT           the Hub hfenv talks to (default: https://huggingface.co)

Exit codes: 0 ok, 1 failure (or `doctor` found problems), 2 usage error.";

/// Per-directory Hugging Face tokens and environments, direnv-style.
#[derive(Debug, Parser)]
#[command(name = "hfenv", version = crate::VERSION, after_help = ENV_HELP, disable_help_subcommand = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The prompt hook's own command lines (`export SHELL`, `export SHELL --hook`), recognised
    /// without building clap's whole command tree: that tree is most of the page faults and
    /// allocations of a run, and the hook starts hfenv at every directory change. Anything else,
    /// including every spelling clap would also accept, goes through clap as usual.
    pub(crate) fn parse_hook_line(args: &[OsString]) -> Option<Cli> {
        let [export, rest @ ..] = args.get(1..)? else {
            return None;
        };
        if export != "export" || rest.is_empty() || rest.len() > 2 {
            return None;
        }
        let mut format = None;
        let mut hook = false;
        for arg in rest {
            let arg = arg.to_str()?;
            if arg == "--hook" && !hook {
                hook = true;
            } else if format.is_none() && !arg.starts_with('-') {
                format = Some(ExportFormat::from_str(arg, false).ok()?);
            } else {
                return None;
            }
        }
        Some(Cli {
            command: Command::Export(Export {
                format: format?,
                profile: None,
                hook,
            }),
        })
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    Add(Add),
    List(List),
    Remove(Remove),
    Token(TokenCmd),
    Use(Use),
    Status(Status),
    Allow(Allow),
    Deny(Deny),
    Hook(Hook),
    Export(Export),
    Exec(Exec),
    Whoami(Whoami),
    Doctor(Doctor),
    Import(Import),
    Credential(Credential),
    Migrate(Migrate),
    Completions(Completions),
    /// Print profile names, one per line (for scripts and shell completion)
    Profiles,
    Man(Man),
}

/// Add a profile (or replace one with --force)
///
/// The token is never taken as an argument (shell history, `ps`): it is read from the
/// terminal without echo, or from standard input with --token-stdin.
/// A token read that way goes into the OS credential store when one answers (the config then
/// holds `keyring = true`); see --store.
#[derive(Debug, Args)]
pub(crate) struct Add {
    /// Profile name: letters, digits, `.`, `_`, `-`
    pub name: String,
    /// Read the token from standard input
    #[arg(long, group = "source")]
    pub token_stdin: bool,
    /// Take the token from this environment variable when the profile is used
    #[arg(long, value_name = "VAR", group = "source")]
    pub token_env: Option<String>,
    /// Run this command (through your shell) to get the token when the profile is used
    #[arg(long, value_name = "COMMAND", group = "source")]
    pub token_command: Option<String>,
    /// Use a token saved by `hf auth login` under this name
    #[arg(long, value_name = "TOKEN_NAME", group = "source")]
    pub hf_stored: Option<String>,
    /// Log in with `hf auth login` (the browser login) and use the login it saves
    #[arg(long, group = "source")]
    pub login: bool,
    /// Extra environment for the profile, repeatable: --env HF_HOME=/data/hf-work
    #[arg(long = "env", value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    /// Do not check the token against the Hub
    #[arg(long)]
    pub no_verify: bool,
    /// Replace an existing profile of that name
    #[arg(long)]
    pub force: bool,
    /// Where a pasted token is kept: `keyring` (the OS credential store), `config` (inline in
    /// the config file), `auto` (the store when one answers, else the config) [default:
    /// `settings.store`, else auto]
    #[arg(long, value_name = "WHERE", conflicts_with_all = ["token_env", "token_command", "hf_stored"])]
    pub store: Option<StoreArg>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum StoreArg {
    Auto,
    Keyring,
    Config,
}

/// Move inline tokens from the config into the OS credential store
///
/// Each token is stored and read back before it leaves the config; the config keeps
/// `keyring = true` in its place, with its comments and layout.
#[derive(Debug, Args)]
pub(crate) struct Migrate {
    /// Profiles to move (default: every profile with an inline token)
    #[arg(value_name = "PROFILE", add = ArgValueCompleter::new(profile_names))]
    pub profiles: Vec<String>,
}

/// List profiles: where each token comes from, masked, and which is active here
#[derive(Debug, Args)]
pub(crate) struct List {
    /// Print JSON (an array of profiles, tokens masked) instead of a table
    #[arg(long)]
    pub json: bool,
}

/// Remove a profile (and the directory rules that name it)
#[derive(Debug, Args)]
pub(crate) struct Remove {
    /// The profile to remove (`hfenv list` shows them)
    #[arg(value_name = "PROFILE", add = ArgValueCompleter::new(profile_names))]
    pub profile: String,
}

/// Print a profile's whole token (the one command that does)
#[derive(Debug, Args)]
pub(crate) struct TokenCmd {
    /// Profile (default: the one active here)
    #[arg(short, long, value_name = "PROFILE", add = ArgValueCompleter::new(profile_names))]
    pub profile: Option<String>,
}

/// Choose the profile: globally, for a directory, or for this shell only
///
/// Which applies, first match wins: this shell's choice, the nearest directory pin
/// (a --dir rule or a `.hfenv` file), the global choice, none.
#[derive(Debug, Args)]
pub(crate) struct Use {
    /// The profile to use (omit it with --clear)
    #[arg(value_name = "PROFILE", add = ArgValueCompleter::new(profile_names), required_unless_present = "clear")]
    pub profile: Option<String>,
    /// Pin a directory (default: the current one) and everything below it
    #[arg(long, value_name = "DIR", num_args = 0..=1, default_missing_value = ".", conflicts_with_all = ["shell", "pin"], value_hint = ValueHint::DirPath)]
    pub dir: Option<PathBuf>,
    /// This shell only, until it exits (needs the shell hook)
    #[arg(long, conflicts_with = "pin")]
    pub shell: bool,
    /// Write a committable `.hfenv` file naming the profile in the current directory
    #[arg(long)]
    pub pin: bool,
    /// Clear the choice in the given scope instead of setting it
    #[arg(long)]
    pub clear: bool,
}

/// Show which profile applies here, why, and what huggingface_hub will use
#[derive(Debug, Args)]
pub(crate) struct Status {
    /// Print JSON (plain values, tokens masked) instead of text
    #[arg(long)]
    pub json: bool,
}

/// Trust `.env` files so the hook loads them (default: those in the current directory)
///
/// Trust is for this path and this content: an edited file is blocked again until you allow
/// it again. In a hooked shell the change applies at once.
#[derive(Debug, Args)]
pub(crate) struct Allow {
    /// `.env` files to trust (default: the current directory's)
    #[arg(value_name = "FILES", value_hint = ValueHint::FilePath)]
    pub files: Vec<PathBuf>,
}

/// Stop trusting `.env` files and silence their notices
///
/// In a hooked shell the change applies at once: the file's variables go.
#[derive(Debug, Args)]
pub(crate) struct Deny {
    /// `.env` files to stop trusting (default: the current directory's)
    #[arg(value_name = "FILES", value_hint = ValueHint::FilePath)]
    pub files: Vec<PathBuf>,
}

const HOOK_HELP: &str = "\
Add one line to your shell's rc file:
  bash        ~/.bashrc                  eval \"$(hfenv hook bash)\"
  zsh         ~/.zshrc                   eval \"$(hfenv hook zsh)\"
  fish        ~/.config/fish/config.fish hfenv hook fish | source
  elvish      ~/.config/elvish/rc.elv    eval (hfenv hook elvish | slurp)
  nushell     once:    hfenv hook nushell | save -f ($nu.default-config-dir | path join hfenv.nu)
              config.nu: use ($nu.default-config-dir | path join hfenv.nu)
  powershell  $PROFILE                   Invoke-Expression (& hfenv hook powershell | Out-String)

Then open a new shell. The hook also registers tab completion (--no-completions to opt out).";

/// Print the shell hook, for your shell's rc file: eval "$(hfenv hook bash)"
#[derive(Debug, Args)]
#[command(after_help = HOOK_HELP)]
pub(crate) struct Hook {
    /// The shell to hook: bash, zsh, fish, elvish, nushell (nu), powershell (pwsh)
    pub shell: Shell,
    /// Do not register tab completion
    #[arg(long)]
    pub no_completions: bool,
}

/// Every shell hfenv speaks: hooks, exports, completions and `use --shell` all take this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Shell {
    Bash,
    Zsh,
    Fish,
    Elvish,
    #[value(alias = "nu")]
    Nushell,
    #[value(alias = "pwsh")]
    Powershell,
}

/// Print what moves this environment to the one the current directory wants
#[derive(Debug, Args)]
pub(crate) struct Export {
    /// What to print: shell code (bash, zsh, fish, elvish, nushell, powershell), json, dotenv
    /// (for `docker --env-file`) or github (appends to $GITHUB_ENV)
    pub format: ExportFormat,
    /// Export this profile instead of the current directory's choice
    #[arg(short, long, value_name = "PROFILE", add = ArgValueCompleter::new(profile_names))]
    pub profile: Option<String>,
    /// Called by the shell hook (adds bookkeeping for the prompt fast path)
    #[arg(long, hide = true)]
    pub hook: bool,
}

/// `hfenv export`'s output: code for a shell, or the variables as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExportFormat {
    Shell(Shell),
    Json,
    Dotenv,
    Github,
}

impl ValueEnum for ExportFormat {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            ExportFormat::Shell(Shell::Bash),
            ExportFormat::Shell(Shell::Zsh),
            ExportFormat::Shell(Shell::Fish),
            ExportFormat::Shell(Shell::Elvish),
            ExportFormat::Shell(Shell::Nushell),
            ExportFormat::Shell(Shell::Powershell),
            ExportFormat::Json,
            ExportFormat::Dotenv,
            ExportFormat::Github,
        ]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        use clap::builder::PossibleValue;
        match self {
            ExportFormat::Shell(shell) => shell.to_possible_value(),
            ExportFormat::Json => Some(PossibleValue::new("json")),
            ExportFormat::Dotenv => Some(PossibleValue::new("dotenv")),
            ExportFormat::Github => Some(PossibleValue::new("github")),
        }
    }
}

/// Run a command with a profile's environment (default: the current directory's)
#[derive(Debug, Args)]
pub(crate) struct Exec {
    /// Use this profile instead of the current directory's choice
    #[arg(short, long, value_name = "PROFILE", add = ArgValueCompleter::new(profile_names))]
    pub profile: Option<String>,
    /// Use the profile that lists this repository's owner in `owners` (e.g. `acme/model`,
    /// `datasets/acme/data` or a Hub URL)
    #[arg(long = "for", value_name = "REPO_ID", conflicts_with = "profile")]
    pub for_repo: Option<String>,
    /// The command and its arguments (after `--`)
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND",
        add = ArgValueCompleter::new(CommandLine)
    )]
    pub command: Vec<OsString>,
}

/// Ask the Hub who a token belongs to
#[derive(Debug, Args)]
pub(crate) struct Whoami {
    /// Ask about this profile's token (default: the one active here)
    #[arg(short, long, value_name = "PROFILE", add = ArgValueCompleter::new(profile_names))]
    pub profile: Option<String>,
    /// Print the Hub's answer as JSON
    #[arg(long)]
    pub json: bool,
}

/// Find PATH, token and setup problems, and fix the safe ones with --fix
#[derive(Debug, Args)]
pub(crate) struct Doctor {
    /// Repair what can be repaired safely: `hf` on PATH through the hook (asks first), the
    /// token files' modes, `.env` in `.gitignore`
    #[arg(long)]
    pub fix: bool,
    /// With --fix: agree to what it would ask (for scripts; without a terminal it asks nothing
    /// and changes no PATH)
    #[arg(long, short = 'y', requires = "fix")]
    pub yes: bool,
    /// Skip the checks that talk to the Hub
    #[arg(long)]
    pub offline: bool,
    /// Print the findings as JSON
    #[arg(long)]
    pub json: bool,
    /// Check access to this model (ORG/NAME)
    #[arg(long, value_name = "REPO_ID")]
    pub model: Option<String>,
    /// Check access to this dataset (ORG/NAME)
    #[arg(long, value_name = "REPO_ID")]
    pub dataset: Option<String>,
    /// Check access to this Space (ORG/NAME)
    #[arg(long, value_name = "REPO_ID")]
    pub space: Option<String>,
}

/// Turn tokens saved by `hf auth login` into profiles
#[derive(Debug, Args)]
pub(crate) struct Import {
    /// Copy the token into the config instead of referencing huggingface_hub's file
    #[arg(long)]
    pub copy: bool,
    /// Replace existing profiles of the same name
    #[arg(long)]
    pub force: bool,
}

/// Git credential helper for the Hub: git config --global credential.https://huggingface.co.helper '!hfenv credential'
#[derive(Debug, Args)]
pub(crate) struct Credential {
    /// git's action: get, store or erase
    pub action: String,
}

/// Print a shell completion script (the hook already registers one)
#[derive(Debug, Args)]
pub(crate) struct Completions {
    /// The shell to complete for
    pub shell: Shell,
}

/// Print the manual page (roff): `hfenv man | man -l -`
///
/// Install it with `hfenv man > ~/.local/share/man/man1/hfenv.1`; each subcommand has its own
/// page (`hfenv man add > ~/.local/share/man/man1/hfenv-add.1`).
#[derive(Debug, Args)]
pub(crate) struct Man {
    /// A subcommand's page instead of the main one
    #[arg(value_name = "SUBCOMMAND")]
    pub subcommand: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// The hook's fast reading must give exactly what clap gives, and leave every other line
    /// (options, typos, `--`, help) to clap.
    #[test]
    fn the_hook_line_reads_as_clap_reads_it() {
        let lines: &[&[&str]] = &[
            &["export", "bash"],
            &["export", "bash", "--hook"],
            &["export", "--hook", "zsh"],
            &["export", "fish", "--hook"],
            &["export", "elvish", "--hook"],
            &["export", "nushell", "--hook"],
            &["export", "powershell"],
            &["export", "json"],
            &["export", "dotenv"],
            &["export", "github"],
            &["export", "nu"],
            &["export", "BASH"],
            &["export", "bash", "--hook", "--hook"],
            &["export", "bash", "zsh"],
            &["export", "--hook"],
            &["export"],
            &["export", "bash", "-p", "work"],
            &["export", "-p", "work", "bash"],
            &["export", "--", "bash"],
            &["export", "bash", "--help"],
            &["export", "--hook=true", "bash"],
            &["status"],
            &[],
        ];
        for line in lines {
            let args: Vec<OsString> = std::iter::once("hfenv")
                .chain(line.iter().copied())
                .map(OsString::from)
                .collect();
            let clap = Cli::try_parse_from(&args).map(|c| format!("{c:?}"));
            match Cli::parse_hook_line(&args) {
                Some(fast) => assert_eq!(Ok(format!("{fast:?}")), clap.map_err(|_| ()), "{line:?}"),
                None => {
                    let plain_hook_line = line.first() == Some(&"export")
                        && clap.is_ok()
                        && !line.iter().any(|a| a.starts_with('-') && *a != "--hook");
                    assert!(
                        !plain_hook_line || line.len() > 3,
                        "{line:?} should be read fast"
                    );
                }
            }
        }
    }

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// Every argument and flag a user can see says what it does; `-V` is the top level's only.
    #[test]
    fn every_argument_has_help_and_version_is_only_at_the_top() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>, top: bool) {
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if arg.is_hide_set() || id == "help" {
                    continue;
                }
                if id == "version" && !top {
                    missing.push(format!("{path}: has -V"));
                }
                if arg.get_help().is_none() && id != "version" {
                    missing.push(format!("{path} {id}: no help"));
                }
            }
            for sub in cmd.get_subcommands() {
                if sub.get_about().is_none() {
                    missing.push(format!("{path} {}: no about", sub.get_name()));
                }
                walk(sub, &format!("{path} {}", sub.get_name()), missing, false);
            }
        }
        let mut cmd = Cli::command();
        cmd.build();
        let mut missing = Vec::new();
        walk(&cmd, "hfenv", &mut missing, true);
        assert!(missing.is_empty(), "{missing:#?}");
        assert!(cmd.get_arguments().any(|a| a.get_id() == "version"));
    }
}

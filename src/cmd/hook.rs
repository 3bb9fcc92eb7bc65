use crate::cli::{Hook, HookShell};
use crate::error::{Error, Result};
use crate::shell::{self, Shell};
use crate::ui;

pub fn run(args: Hook) -> Result<()> {
    let shell = match args.shell {
        HookShell::Bash => Shell::Bash,
        HookShell::Zsh => Shell::Zsh,
        HookShell::Fish => Shell::Fish,
        HookShell::Elvish => Shell::Elvish,
        HookShell::Nushell => Shell::Nushell,
        HookShell::Powershell => Shell::Powershell,
    };
    // The absolute path, so the hook keeps working whatever PATH becomes.
    let exe = std::env::current_exe()
        .and_then(std::fs::canonicalize)
        .map_err(|e| {
            Error::new(
                format!("could not find hfenv's own path: {e}"),
                "run hfenv by its full path",
            )
        })?;
    ui::print(&shell::hook_script(shell, &exe, !args.no_completions))
}

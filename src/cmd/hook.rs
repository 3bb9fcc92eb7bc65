use std::path::Path;

use crate::cli::{Hook, Shell};
use crate::error::{Error, Result};
use crate::render::quote;
use crate::ui;

pub(crate) fn run(args: Hook) -> Result<()> {
    // An absolute path, so the hook keeps working whatever PATH becomes, and the one the user
    // reached hfenv by, so an upgrade that re-points a symlink does not strand the hook.
    let exe = crate::install::stable_exe().map_err(|e| {
        Error::new(
            format!("could not find hfenv's own path: {e}"),
            "run hfenv by its full path",
        )
    })?;
    ui::print(&hook_script(args.shell, &exe, !args.no_completions))
}

const BASH: &str = include_str!("../../shell/hfenv.bash");
const ZSH: &str = include_str!("../../shell/hfenv.zsh");
const FISH: &str = include_str!("../../shell/hfenv.fish");
const ELVISH: &str = include_str!("../../shell/hfenv.elv");
const NUSHELL: &str = include_str!("../../shell/hfenv.nu");
const POWERSHELL: &str = include_str!("../../shell/hfenv.ps1");

/// The hook script for `shell`, with the binary's absolute path quoted for that shell.
fn hook_script(shell: Shell, exe: &Path, completions: bool) -> String {
    let template = match shell {
        Shell::Bash => BASH,
        Shell::Zsh => ZSH,
        Shell::Fish => FISH,
        Shell::Elvish => ELVISH,
        Shell::Nushell => NUSHELL,
        Shell::Powershell => POWERSHELL,
    };
    let exe_text = exe.display().to_string();
    let mut script = template.replace("::HFENV::", &quote(shell, &exe_text));
    script.push_str(&super::completions::for_hook(shell, &exe_text, completions));
    script
}

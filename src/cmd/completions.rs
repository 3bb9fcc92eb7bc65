use clap::CommandFactory;
use clap_complete::Shell as Generator;

use crate::cli::{Cli, CompletionShell, Completions};
use crate::error::Result;
use crate::shell::Shell;
use crate::ui;

pub fn run(args: Completions) -> Result<()> {
    ui::print(&script(args.shell))
}

/// The generated script plus a small hand-written layer that completes profile names by asking
/// `hfenv profiles` (clap's static generators cannot know them).
pub fn script(shell: CompletionShell) -> String {
    let generator = match shell {
        CompletionShell::Bash => Generator::Bash,
        CompletionShell::Zsh => Generator::Zsh,
        CompletionShell::Fish => Generator::Fish,
        CompletionShell::Elvish => Generator::Elvish,
        CompletionShell::Powershell => Generator::PowerShell,
    };
    let mut buf = Vec::new();
    clap_complete::generate(generator, &mut Cli::command(), "hfenv", &mut buf);
    let generated = String::from_utf8(buf).expect("clap_complete writes UTF-8");
    match shell {
        CompletionShell::Bash => format!("{generated}{}", include_str!("../../shell/complete-profiles.bash")),
        CompletionShell::Fish => format!("{generated}{}", include_str!("../../shell/complete-profiles.fish")),
        CompletionShell::Zsh => generated.replace(":PROFILE:_default", ":PROFILE:_hfenv_profiles").replace(":profile:_default", ":profile:_hfenv_profiles").replace(
            "#compdef hfenv\n",
            "#compdef hfenv\n\n_hfenv_profiles() {\n    local -a profiles\n    profiles=(${(f)\"$(${__hfenv_bin:-hfenv} profiles 2>/dev/null)\"})\n    _describe -t profiles 'profile' profiles\n}\n",
        ),
        CompletionShell::Elvish | CompletionShell::Powershell => generated,
    }
}

/// Completion registration appended to the hook, so one rc line is enough.
pub fn for_hook(shell: Shell) -> String {
    match shell {
        Shell::Bash => script(CompletionShell::Bash),
        Shell::Fish => script(CompletionShell::Fish),
        Shell::Zsh => {
            // compdef exists only once compinit ran; users who never run it get no completion
            // rather than an error.
            format!(
                "if (( $+functions[compdef] )); then\n{}\nfi\n",
                script(CompletionShell::Zsh).replace("#compdef hfenv\n", "").replace(
                    "if [ \"$funcstack[1]\" = \"_hfenv\" ]; then\n    _hfenv \"$@\"\nelse\n    compdef _hfenv hfenv\nfi",
                    "compdef _hfenv hfenv"
                )
            )
        }
        Shell::Elvish => script(CompletionShell::Elvish),
        Shell::Powershell => script(CompletionShell::Powershell),
        Shell::Nushell => String::new(),
    }
}

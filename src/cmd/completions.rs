use clap::CommandFactory;
use clap_complete::Shell as Generator;

use crate::cli::{Cli, Completions, Shell};
use crate::error::Result;
use crate::ui;

pub fn run(args: Completions) -> Result<()> {
    match script(args.shell) {
        Some(text) => ui::print(&text),
        None => Err(crate::error::Error::usage(
            "no completion script for nushell yet",
            "use bash, zsh, fish, elvish or powershell",
        )),
    }
}

/// The generated script plus a small hand-written layer that completes profile names by asking
/// `hfenv profiles` (clap's static generators cannot know them).
pub fn script(shell: Shell) -> Option<String> {
    let generator = match shell {
        Shell::Bash => Generator::Bash,
        Shell::Zsh => Generator::Zsh,
        Shell::Fish => Generator::Fish,
        Shell::Elvish => Generator::Elvish,
        Shell::Powershell => Generator::PowerShell,
        Shell::Nushell => return None,
    };
    let mut buf = Vec::new();
    clap_complete::generate(generator, &mut Cli::command(), "hfenv", &mut buf);
    let generated = String::from_utf8(buf).expect("clap_complete writes UTF-8");
    Some(match shell {
        Shell::Bash => format!("{generated}{}", include_str!("../../shell/complete-profiles.bash")),
        Shell::Fish => format!("{generated}{}", include_str!("../../shell/complete-profiles.fish")),
        Shell::Zsh => generated.replace(":PROFILE:_default", ":PROFILE:_hfenv_profiles").replace(":profile:_default", ":profile:_hfenv_profiles").replace(
            "#compdef hfenv\n",
            "#compdef hfenv\n\n_hfenv_profiles() {\n    local -a profiles\n    profiles=(${(f)\"$(${__hfenv_bin:-hfenv} profiles 2>/dev/null)\"})\n    _describe -t profiles 'profile' profiles\n}\n",
        ),
        Shell::Elvish | Shell::Powershell | Shell::Nushell => generated,
    })
}

/// Completion registration appended to the hook, so one rc line is enough.
pub fn for_hook(shell: Shell) -> String {
    match shell {
        Shell::Bash => script(Shell::Bash).unwrap_or_default(),
        Shell::Fish => script(Shell::Fish).unwrap_or_default(),
        Shell::Zsh => {
            // compdef exists only once compinit ran; users who never run it get no completion
            // rather than an error.
            format!(
                "if (( $+functions[compdef] )); then\n{}\nfi\n",
                script(Shell::Zsh).unwrap_or_default().replace("#compdef hfenv\n", "").replace(
                    "if [ \"$funcstack[1]\" = \"_hfenv\" ]; then\n    _hfenv \"$@\"\nelse\n    compdef _hfenv hfenv\nfi",
                    "compdef _hfenv hfenv"
                )
            )
        }
        Shell::Elvish => script(Shell::Elvish).unwrap_or_default(),
        Shell::Powershell => script(Shell::Powershell).unwrap_or_default(),
        Shell::Nushell => String::new(),
    }
}

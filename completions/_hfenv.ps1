
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'hfenv' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'hfenv'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'hfenv' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a profile (or replace one with --force)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List profiles: where each token comes from, masked, and which is active here')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a profile (and the directory rules that name it)')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Print a profile''s whole token (the one command that does)')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Choose the profile: globally, for a directory, or for this shell only')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show which profile applies here, why, and what huggingface_hub will use')
            [CompletionResult]::new('allow', 'allow', [CompletionResultType]::ParameterValue, 'Trust `.env` files so the hook loads them (default: those in the current directory)')
            [CompletionResult]::new('deny', 'deny', [CompletionResultType]::ParameterValue, 'Stop trusting `.env` files and silence their notices')
            [CompletionResult]::new('hook', 'hook', [CompletionResultType]::ParameterValue, 'Print the shell hook, for your shell''s rc file: eval "$(hfenv hook bash)"')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Print what moves this environment to the one the current directory wants')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Run a command with a profile''s environment (default: the current directory''s)')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Ask the Hub who a token belongs to')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Find PATH, token and setup problems, and fix the safe ones with --fix')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Turn tokens saved by `hf auth login` into profiles')
            [CompletionResult]::new('credential', 'credential', [CompletionResultType]::ParameterValue, 'Git credential helper for the Hub: git config --global credential.https://huggingface.co.helper ''!hfenv credential''')
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Move inline tokens from the config into the OS credential store')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script (the hook already registers one)')
            [CompletionResult]::new('profiles', 'profiles', [CompletionResultType]::ParameterValue, 'Print profile names, one per line (for scripts and shell completion)')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the manual page (roff): `hfenv man | man -l -`')
            break
        }
        'hfenv;add' {
            [CompletionResult]::new('--token-env', '--token-env', [CompletionResultType]::ParameterName, 'Take the token from this environment variable when the profile is used')
            [CompletionResult]::new('--token-command', '--token-command', [CompletionResultType]::ParameterName, 'Run this command (through your shell) to get the token when the profile is used')
            [CompletionResult]::new('--hf-stored', '--hf-stored', [CompletionResultType]::ParameterName, 'Use a token saved by `hf auth login` under this name')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Extra environment for the profile, repeatable: --env HF_HOME=/data/hf-work')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where a pasted token is kept: `keyring` (the OS credential store), `config` (inline in the config file), `auto` (the store when one answers, else the config) [default: `settings.store`, else auto]')
            [CompletionResult]::new('--token-stdin', '--token-stdin', [CompletionResultType]::ParameterName, 'Read the token from standard input')
            [CompletionResult]::new('--no-verify', '--no-verify', [CompletionResultType]::ParameterName, 'Do not check the token against the Hub')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace an existing profile of that name')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'hfenv;list' {
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON (an array of profiles, tokens masked) instead of a table')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hfenv;remove' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hfenv;token' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile (default: the one active here)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile (default: the one active here)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hfenv;use' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Pin a directory (default: the current one) and everything below it')
            [CompletionResult]::new('--shell', '--shell', [CompletionResultType]::ParameterName, 'This shell only, until it exits (needs the shell hook)')
            [CompletionResult]::new('--pin', '--pin', [CompletionResultType]::ParameterName, 'Write a committable `.hfenv` file naming the profile in the current directory')
            [CompletionResult]::new('--clear', '--clear', [CompletionResultType]::ParameterName, 'Clear the choice in the given scope instead of setting it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'hfenv;status' {
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON (plain values, tokens masked) instead of text')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hfenv;allow' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'hfenv;deny' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'hfenv;hook' {
            [CompletionResult]::new('--no-completions', '--no-completions', [CompletionResultType]::ParameterName, 'Do not register tab completion')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hfenv;export' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Export this profile instead of the current directory''s choice')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Export this profile instead of the current directory''s choice')
            [CompletionResult]::new('--hook', '--hook', [CompletionResultType]::ParameterName, 'Called by the shell hook (adds bookkeeping for the prompt fast path)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hfenv;exec' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile instead of the current directory''s choice')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile instead of the current directory''s choice')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hfenv;whoami' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Ask about this profile''s token (default: the one active here)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Ask about this profile''s token (default: the one active here)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the Hub''s answer as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hfenv;doctor' {
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'Check access to this model (ORG/NAME)')
            [CompletionResult]::new('--dataset', '--dataset', [CompletionResultType]::ParameterName, 'Check access to this dataset (ORG/NAME)')
            [CompletionResult]::new('--space', '--space', [CompletionResultType]::ParameterName, 'Check access to this Space (ORG/NAME)')
            [CompletionResult]::new('--fix', '--fix', [CompletionResultType]::ParameterName, 'Repair what can be repaired safely: `hf` on PATH through the hook (asks first), the token files'' modes, `.env` in `.gitignore`')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'With --fix: agree to what it would ask (for scripts; without a terminal it asks nothing and changes no PATH)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'With --fix: agree to what it would ask (for scripts; without a terminal it asks nothing and changes no PATH)')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Skip the checks that talk to the Hub')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the findings as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hfenv;import' {
            [CompletionResult]::new('--copy', '--copy', [CompletionResultType]::ParameterName, 'Copy the token into the config instead of referencing huggingface_hub''s file')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace existing profiles of the same name')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hfenv;credential' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hfenv;migrate' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'hfenv;completions' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hfenv;profiles' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hfenv;man' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}

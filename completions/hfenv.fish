# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_hfenv_global_optspecs
    string join \n h/help V/version
end

function __fish_hfenv_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_hfenv_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_hfenv_using_subcommand
    set -l cmd (__fish_hfenv_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c hfenv -n "__fish_hfenv_needs_command" -s h -l help -d 'Print help'
complete -c hfenv -n "__fish_hfenv_needs_command" -s V -l version -d 'Print version'
complete -c hfenv -n "__fish_hfenv_needs_command" -f -a "add" -d 'Add a profile (or replace one with --force)'
complete -c hfenv -n "__fish_hfenv_needs_command" -f -a "list" -d 'List profiles: where each token comes from, masked, and which is active here'
complete -c hfenv -n "__fish_hfenv_needs_command" -f -a "remove" -d 'Remove a profile (and the directory rules that name it)'
complete -c hfenv -n "__fish_hfenv_needs_command" -f -a "token" -d 'Print a profile\'s whole token (the one command that does)'
complete -c hfenv -n "__fish_hfenv_needs_command" -f -a "use" -d 'Choose the profile: globally, for a directory, or for this shell only'
complete -c hfenv -n "__fish_hfenv_needs_command" -f -a "status" -d 'Show which profile applies here, why, and what huggingface_hub will use'
complete -c hfenv -n "__fish_hfenv_needs_command" -f -a "allow" -d 'Trust `.env` files so the hook loads them (default: those in the current directory)'
complete -c hfenv -n "__fish_hfenv_needs_command" -f -a "deny" -d 'Stop trusting `.env` files and silence their notices'
complete -c hfenv -n "__fish_hfenv_needs_command" -f -a "hook" -d 'Print the shell hook, for your shell\'s rc file: eval "$(hfenv hook bash)"'
complete -c hfenv -n "__fish_hfenv_needs_command" -f -a "export" -d 'Print what moves this environment to the one the current directory wants'
complete -c hfenv -n "__fish_hfenv_needs_command" -f -a "exec" -d 'Run a command with a profile\'s environment (default: the current directory\'s)'
complete -c hfenv -n "__fish_hfenv_needs_command" -f -a "whoami" -d 'Ask the Hub who a token belongs to'
complete -c hfenv -n "__fish_hfenv_needs_command" -f -a "doctor" -d 'Find PATH, token and setup problems, and fix the safe ones with --fix'
complete -c hfenv -n "__fish_hfenv_needs_command" -f -a "import" -d 'Turn tokens saved by `hf auth login` into profiles'
complete -c hfenv -n "__fish_hfenv_needs_command" -f -a "credential" -d 'Git credential helper for the Hub: git config --global credential.https://huggingface.co.helper \'!hfenv credential\''
complete -c hfenv -n "__fish_hfenv_needs_command" -f -a "migrate" -d 'Move inline tokens from the config into the OS credential store'
complete -c hfenv -n "__fish_hfenv_needs_command" -f -a "completions" -d 'Print a shell completion script (the hook already registers one)'
complete -c hfenv -n "__fish_hfenv_needs_command" -f -a "profiles" -d 'Print profile names, one per line (for scripts and shell completion)'
complete -c hfenv -n "__fish_hfenv_needs_command" -f -a "man" -d 'Print the manual page (roff): `hfenv man | man -l -`'
complete -c hfenv -n "__fish_hfenv_using_subcommand add" -l token-env -d 'Take the token from this environment variable when the profile is used' -r
complete -c hfenv -n "__fish_hfenv_using_subcommand add" -l token-command -d 'Run this command (through your shell) to get the token when the profile is used' -r
complete -c hfenv -n "__fish_hfenv_using_subcommand add" -l hf-stored -d 'Use a token saved by `hf auth login` under this name' -r
complete -c hfenv -n "__fish_hfenv_using_subcommand add" -l env -d 'Extra environment for the profile, repeatable: --env HF_HOME=/data/hf-work' -r
complete -c hfenv -n "__fish_hfenv_using_subcommand add" -l store -d 'Where a pasted token is kept: `keyring` (the OS credential store), `config` (inline in the config file), `auto` (the store when one answers, else the config) [default: `settings.store`, else auto]' -r -f -a "auto\t''
keyring\t''
config\t''"
complete -c hfenv -n "__fish_hfenv_using_subcommand add" -l token-stdin -d 'Read the token from standard input'
complete -c hfenv -n "__fish_hfenv_using_subcommand add" -l no-verify -d 'Do not check the token against the Hub'
complete -c hfenv -n "__fish_hfenv_using_subcommand add" -l force -d 'Replace an existing profile of that name'
complete -c hfenv -n "__fish_hfenv_using_subcommand add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hfenv -n "__fish_hfenv_using_subcommand list" -l json -d 'Print JSON (an array of profiles, tokens masked) instead of a table'
complete -c hfenv -n "__fish_hfenv_using_subcommand list" -s h -l help -d 'Print help'
complete -c hfenv -n "__fish_hfenv_using_subcommand remove" -s h -l help -d 'Print help'
complete -c hfenv -n "__fish_hfenv_using_subcommand token" -s p -l profile -d 'Profile (default: the one active here)' -r
complete -c hfenv -n "__fish_hfenv_using_subcommand token" -s h -l help -d 'Print help'
complete -c hfenv -n "__fish_hfenv_using_subcommand use" -l dir -d 'Pin a directory (default: the current one) and everything below it' -r -F
complete -c hfenv -n "__fish_hfenv_using_subcommand use" -l shell -d 'This shell only, until it exits (needs the shell hook)'
complete -c hfenv -n "__fish_hfenv_using_subcommand use" -l pin -d 'Write a committable `.hfenv` file naming the profile in the current directory'
complete -c hfenv -n "__fish_hfenv_using_subcommand use" -l clear -d 'Clear the choice in the given scope instead of setting it'
complete -c hfenv -n "__fish_hfenv_using_subcommand use" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hfenv -n "__fish_hfenv_using_subcommand status" -l json -d 'Print JSON (plain values, tokens masked) instead of text'
complete -c hfenv -n "__fish_hfenv_using_subcommand status" -s h -l help -d 'Print help'
complete -c hfenv -n "__fish_hfenv_using_subcommand allow" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hfenv -n "__fish_hfenv_using_subcommand deny" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hfenv -n "__fish_hfenv_using_subcommand hook" -l no-completions -d 'Do not register tab completion'
complete -c hfenv -n "__fish_hfenv_using_subcommand hook" -s h -l help -d 'Print help'
complete -c hfenv -n "__fish_hfenv_using_subcommand export" -s p -l profile -d 'Export this profile instead of the current directory\'s choice' -r
complete -c hfenv -n "__fish_hfenv_using_subcommand export" -l hook -d 'Called by the shell hook (adds bookkeeping for the prompt fast path)'
complete -c hfenv -n "__fish_hfenv_using_subcommand export" -s h -l help -d 'Print help'
complete -c hfenv -n "__fish_hfenv_using_subcommand exec" -s p -l profile -d 'Use this profile instead of the current directory\'s choice' -r
complete -c hfenv -n "__fish_hfenv_using_subcommand exec" -s h -l help -d 'Print help'
complete -c hfenv -n "__fish_hfenv_using_subcommand whoami" -s p -l profile -d 'Ask about this profile\'s token (default: the one active here)' -r
complete -c hfenv -n "__fish_hfenv_using_subcommand whoami" -l json -d 'Print the Hub\'s answer as JSON'
complete -c hfenv -n "__fish_hfenv_using_subcommand whoami" -s h -l help -d 'Print help'
complete -c hfenv -n "__fish_hfenv_using_subcommand doctor" -l model -d 'Check access to this model (ORG/NAME)' -r
complete -c hfenv -n "__fish_hfenv_using_subcommand doctor" -l dataset -d 'Check access to this dataset (ORG/NAME)' -r
complete -c hfenv -n "__fish_hfenv_using_subcommand doctor" -l space -d 'Check access to this Space (ORG/NAME)' -r
complete -c hfenv -n "__fish_hfenv_using_subcommand doctor" -l fix -d 'Repair what can be repaired safely: `hf` on PATH through the hook (asks first), the token files\' modes, `.env` in `.gitignore`'
complete -c hfenv -n "__fish_hfenv_using_subcommand doctor" -s y -l yes -d 'With --fix: agree to what it would ask (for scripts; without a terminal it asks nothing and changes no PATH)'
complete -c hfenv -n "__fish_hfenv_using_subcommand doctor" -l offline -d 'Skip the checks that talk to the Hub'
complete -c hfenv -n "__fish_hfenv_using_subcommand doctor" -l json -d 'Print the findings as JSON'
complete -c hfenv -n "__fish_hfenv_using_subcommand doctor" -s h -l help -d 'Print help'
complete -c hfenv -n "__fish_hfenv_using_subcommand import" -l copy -d 'Copy the token into the config instead of referencing huggingface_hub\'s file'
complete -c hfenv -n "__fish_hfenv_using_subcommand import" -l force -d 'Replace existing profiles of the same name'
complete -c hfenv -n "__fish_hfenv_using_subcommand import" -s h -l help -d 'Print help'
complete -c hfenv -n "__fish_hfenv_using_subcommand credential" -s h -l help -d 'Print help'
complete -c hfenv -n "__fish_hfenv_using_subcommand migrate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hfenv -n "__fish_hfenv_using_subcommand completions" -s h -l help -d 'Print help'
complete -c hfenv -n "__fish_hfenv_using_subcommand profiles" -s h -l help -d 'Print help'
complete -c hfenv -n "__fish_hfenv_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'

# Profile names come from `hfenv profiles` at completion time, so profiles added after this
# script was generated complete too. Everything else is clap's completion above.
function __hfenv_complete_profiles
    if set -q __hfenv_bin
        $__hfenv_bin profiles 2>/dev/null
    else
        command hfenv profiles 2>/dev/null
    end
end
complete -c hfenv -n "__fish_hfenv_using_subcommand use; and not __fish_seen_argument -l clear" -f -a "(__hfenv_complete_profiles)"
complete -c hfenv -n "__fish_hfenv_using_subcommand remove" -f -a "(__hfenv_complete_profiles)"
complete -c hfenv -n "__fish_hfenv_using_subcommand token exec whoami export" -s p -l profile -x -a "(__hfenv_complete_profiles)"


use builtin;
use str;

set edit:completion:arg-completer[hfenv] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'hfenv'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'hfenv'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand add 'Add a profile (or replace one with --force)'
            cand list 'List profiles: where each token comes from, masked, and which is active here'
            cand remove 'Remove a profile (and the directory rules that name it)'
            cand token 'Print a profile''s whole token (the one command that does)'
            cand use 'Choose the profile: globally, for a directory, or for this shell only'
            cand status 'Show which profile applies here, why, and what huggingface_hub will use'
            cand allow 'Trust `.env` files so the hook loads them (default: those in the current directory)'
            cand deny 'Stop trusting `.env` files and silence their notices'
            cand hook 'Print the shell hook, for your shell''s rc file: eval "$(hfenv hook bash)"'
            cand export 'Print what moves this environment to the one the current directory wants'
            cand exec 'Run a command with a profile''s environment (default: the current directory''s)'
            cand whoami 'Ask the Hub who a token belongs to'
            cand doctor 'Find PATH, token and setup problems, and fix the safe ones with --fix'
            cand import 'Turn tokens saved by `hf auth login` into profiles'
            cand credential 'Git credential helper for the Hub: git config --global credential.https://huggingface.co.helper ''!hfenv credential'''
            cand migrate 'Move inline tokens from the config into the OS credential store'
            cand completions 'Print a shell completion script (the hook already registers one)'
            cand profiles 'Print profile names, one per line (for scripts and shell completion)'
            cand man 'Print the manual page (roff): `hfenv man | man -l -`'
        }
        &'hfenv;add'= {
            cand --token-env 'Take the token from this environment variable when the profile is used'
            cand --token-command 'Run this command (through your shell) to get the token when the profile is used'
            cand --hf-stored 'Use a token saved by `hf auth login` under this name'
            cand --env 'Extra environment for the profile, repeatable: --env HF_HOME=/data/hf-work'
            cand --store 'Where a pasted token is kept: `keyring` (the OS credential store), `config` (inline in the config file), `auto` (the store when one answers, else the config) [default: `settings.store`, else auto]'
            cand --token-stdin 'Read the token from standard input'
            cand --no-verify 'Do not check the token against the Hub'
            cand --force 'Replace an existing profile of that name'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'hfenv;list'= {
            cand --json 'Print JSON (an array of profiles, tokens masked) instead of a table'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hfenv;remove'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hfenv;token'= {
            cand -p 'Profile (default: the one active here)'
            cand --profile 'Profile (default: the one active here)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hfenv;use'= {
            cand --dir 'Pin a directory (default: the current one) and everything below it'
            cand --shell 'This shell only, until it exits (needs the shell hook)'
            cand --pin 'Write a committable `.hfenv` file naming the profile in the current directory'
            cand --clear 'Clear the choice in the given scope instead of setting it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'hfenv;status'= {
            cand --json 'Print JSON (plain values, tokens masked) instead of text'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hfenv;allow'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'hfenv;deny'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'hfenv;hook'= {
            cand --no-completions 'Do not register tab completion'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hfenv;export'= {
            cand -p 'Export this profile instead of the current directory''s choice'
            cand --profile 'Export this profile instead of the current directory''s choice'
            cand --hook 'Called by the shell hook (adds bookkeeping for the prompt fast path)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hfenv;exec'= {
            cand -p 'Use this profile instead of the current directory''s choice'
            cand --profile 'Use this profile instead of the current directory''s choice'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hfenv;whoami'= {
            cand -p 'Ask about this profile''s token (default: the one active here)'
            cand --profile 'Ask about this profile''s token (default: the one active here)'
            cand --json 'Print the Hub''s answer as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hfenv;doctor'= {
            cand --model 'Check access to this model (ORG/NAME)'
            cand --dataset 'Check access to this dataset (ORG/NAME)'
            cand --space 'Check access to this Space (ORG/NAME)'
            cand --fix 'Repair what can be repaired safely: `hf` on PATH through the hook (asks first), the token files'' modes, `.env` in `.gitignore`'
            cand -y 'With --fix: agree to what it would ask (for scripts; without a terminal it asks nothing and changes no PATH)'
            cand --yes 'With --fix: agree to what it would ask (for scripts; without a terminal it asks nothing and changes no PATH)'
            cand --offline 'Skip the checks that talk to the Hub'
            cand --json 'Print the findings as JSON'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hfenv;import'= {
            cand --copy 'Copy the token into the config instead of referencing huggingface_hub''s file'
            cand --force 'Replace existing profiles of the same name'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hfenv;credential'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hfenv;migrate'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'hfenv;completions'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hfenv;profiles'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hfenv;man'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
    ]
    $completions[$command]
}

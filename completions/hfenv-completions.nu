# hfenv completion for nushell (the hook registers it too). Save it once:
#   hfenv completions nushell | save -f ($nu.default-config-dir | path join hfenv-completions.nu)
# and in config.nu:
#   use ($nu.default-config-dir | path join hfenv-completions.nu) *

# Splits the line at blanks (nushell hands a completer the line as text) and asks the binary.
def __hfenv_complete [context: string] {
    let words = ($context | str trim --left | split row --regex '\s+')
    let index = (($words | length) - 1 | into string)
    with-env {_HFENV_COMPLETE: 'nushell', _CLAP_COMPLETE_INDEX: $index} {
        ^hfenv -- ...$words | lines
    }
}

export extern hfenv [...args: string@__hfenv_complete]

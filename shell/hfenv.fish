# hfenv hook for fish. Install with this line in ~/.config/fish/config.fish:
#   hfenv hook fish | source
#
# At each prompt, and whenever PWD changes, the shell checks with builtins alone whether
# anything hfenv watches changed (`test -nt` compares nanosecond mtimes against a stamp); only
# then does it run `hfenv export`. The values to restore are kept by hfenv in a private file
# under its state directory, never in the environment.

set -g __hfenv_bin ::HFENV::

function __hfenv_changed
    set -q __hfenv_stamp; and test -e "$__hfenv_stamp"; or return 0
    test "$PWD" = "$__hfenv_pwd"; or return 0
    test "$HFENV_SHELL_PROFILE" = "$__hfenv_sp"; or return 0
    for f in $__hfenv_watch
        test "$f" -nt "$__hfenv_stamp"; and return 0
    end
    return 1
end

function __hfenv_load
    if not test -x "$__hfenv_bin"
        if not set -q __hfenv_warned
            # Once per shell: a prompt that nags at every command gets the hook removed by hand.
            printf 'hfenv: %s is missing — reinstall hfenv or remove the hook from your config.fish\n' "$__hfenv_bin" >&2
            set -g __hfenv_warned 1
        end
        return 0
    end
    set -l stamp
    set -q __hfenv_stamp; and set stamp $__hfenv_stamp
    # A failing binary is said once: after that its complaints are silenced until it works
    # again, so a broken state never nags at every prompt.
    set -l rc 0
    if set -q __hfenv_failed
        __HFENV_STAMP="$stamp" $__hfenv_bin export fish --hook 2>/dev/null | source
        set rc $pipestatus[1]
    else
        __HFENV_STAMP="$stamp" $__hfenv_bin export fish --hook | source
        set rc $pipestatus[1]
    end
    if test "$rc" = 0
        set -e __hfenv_failed
    else
        set -g __hfenv_failed 1
    end
end

function __hfenv_hook --on-event fish_prompt --on-variable PWD
    set -l hfenv_status $status
    __hfenv_changed; and __hfenv_load
    return $hfenv_status
end

# `use --shell` must change this shell, which only shell code can do. Everything else (help
# included) runs as is, so nothing meant for people is ever evaluated.
function hfenv
    if test "$argv[1]" = use; and contains -- --shell $argv; and not contains -- --help $argv; and not contains -- -h $argv
        set -l code (HFENV_HOOK_SHELL=fish $__hfenv_bin $argv)
        or return
        string join \n -- $code | source
    else
        $__hfenv_bin $argv
        or return
    end
    # A new choice applies to the very next command, not only after the next prompt.
    if test "$argv[1]" = use
        __hfenv_changed; and __hfenv_load
    end
    return 0
end

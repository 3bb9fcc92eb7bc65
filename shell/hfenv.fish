# hfenv hook for fish. Install with this line in ~/.config/fish/config.fish:
#   hfenv hook fish | source
#
# At each prompt, and whenever PWD changes, the shell checks with builtins alone whether
# anything hfenv watches changed (`test -nt` compares nanosecond mtimes against a stamp, a
# watched variable is compared with its value at the last load); only then does it run
# `hfenv export`. The values to restore are kept by hfenv in a private file under its state
# directory, never in the environment.
#
# Failing closed: `hfenv export` exits 0 exactly when it printed a complete script. When it
# cannot run (binary gone, crashed, failing), the hook clears the variables hfenv set
# (`__hfenv_owned`, names only) itself, says so once, and tries again at every prompt; the
# next run is told which names it cleared (`__HFENV_CLEARED`) so the user's own values return.

set -g __hfenv_bin ::HFENV::

function __hfenv_changed
    set -q __hfenv_failed; and return 0
    set -q __hfenv_stamp; and test -e "$__hfenv_stamp"; or return 0
    test "$PWD" = "$__hfenv_pwd"; or return 0
    test "$HFENV_SHELL_PROFILE" = "$__hfenv_sp"; or return 0
    # A browser login due for a refresh. fish has no clock builtin, but `path mtime` is one:
    # the stamp's age plus its mtime is now.
    if test -n "$__hfenv_until"
        set -l t (path mtime $__hfenv_stamp) (path mtime --relative $__hfenv_stamp)
        test (math $t[1] + $t[2]) -lt $__hfenv_until; or return 0
    end
    for f in $__hfenv_watch
        test "$f" -nt "$__hfenv_stamp"; and return 0
    end
    set -l i 0
    for name in $__hfenv_env
        set i (math $i + 1)
        if set -q $name
            test "S:$$name" = "$__hfenv_envval[$i]"; or return 0
        else
            test U = "$__hfenv_envval[$i]"; or return 0
        end
    end
    return 1
end

# hfenv cannot run: no token may outlive its directory, so what it set goes.
function __hfenv_fail_closed
    if not set -q __hfenv_failed
        printf 'hfenv: %s — the variables hfenv set were removed until it works again\n' $argv[1] >&2
    end
    set -g __hfenv_failed 1
    if set -q __hfenv_owned[1]
        for name in $__hfenv_owned
            set -e $name 2>/dev/null
        end
        set -g __hfenv_cleared $__hfenv_cleared $__hfenv_owned
        set -g __hfenv_owned
    end
end

function __hfenv_load
    if not test -x "$__hfenv_bin"
        __hfenv_fail_closed "$__hfenv_bin is missing (reinstall hfenv or remove the hook from your config.fish)"
        return 0
    end
    set -l stamp
    set -q __hfenv_stamp; and set stamp $__hfenv_stamp
    # The whole script first: only a run that finished (status 0) is applied. A failing binary
    # is said once: after that its complaints are silenced until it works again.
    set -l code
    set -l rc 0
    if set -q __hfenv_failed
        set code (__HFENV_STAMP="$stamp" __HFENV_PID=$fish_pid __HFENV_CLEARED="$__hfenv_cleared" $__hfenv_bin export fish --hook 2>/dev/null)
        set rc $status
    else
        set code (__HFENV_STAMP="$stamp" __HFENV_PID=$fish_pid __HFENV_CLEARED="$__hfenv_cleared" $__hfenv_bin export fish --hook)
        set rc $status
    end
    if test "$rc" != 0
        __hfenv_fail_closed "`hfenv export` failed"
        return 0
    end
    set -e __hfenv_failed
    set -g __hfenv_cleared
    string join \n -- $code | source
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
    # A new choice, or a file allowed or denied, applies to the very next command, not only
    # after the next prompt.
    if contains -- "$argv[1]" use allow deny
        __hfenv_changed; and __hfenv_load
    end
    return 0
end

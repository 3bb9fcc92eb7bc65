# hfenv hook for fish. Install with this line in ~/.config/fish/config.fish:
#   hfenv hook fish | source
#
# At each prompt, and whenever PWD changes, the shell checks with builtins alone whether
# anything that decides hfenv's answer changed; only then does it run `hfenv export`. What it
# checks, all handed over by the last export (src/region.rs says why these and no more):
# - each file or directory hfenv read (config, pin, `.env`, state), against a reference file
#   dated exactly as it was read: newer or older (`test -nt`/`-ot`, nanoseconds) means
#   changed, so one edit costs one export, and a file renamed into place with an old date is
#   seen too;
# - the candidate files absent from the current directory and the working tree's root, and
#   the config or state files that do not exist yet: they changed when they appear (`-e`/`-L`:
#   a dangling link or a FIFO counts);
# - a `token_env` profile's variable, against its value at the last load.
# The checks are armed once per load and per `cd` (`__hfenv_arm`) as one `test`'s argument
# list, so a steady prompt runs a single command and no loop (every fish command costs).
# A change of directory within the region where the answer is provably the same (below
# `__hfenv_base`, no symlink, candidate file or `.git` on the way, no `[dirs]` rule crossed,
# the other variables the answer read unchanged: `.env` interpolation, where files are looked
# for) runs nothing either. The values to restore are kept by hfenv in a private file under its
# state directory, never in the environment.
#
# Failing closed: `hfenv export` exits 0 exactly when it printed a complete script. When it
# cannot run (binary gone, crashed, failing), the hook clears the variables hfenv set
# (`__hfenv_owned`, names only) itself, says so once, and tries again at every prompt; the
# next run is told which names it cleared (`__HFENV_CLEARED`) so the user's own values return.

set -g __hfenv_bin ::HFENV::

# `$argv[2]` is `$argv[1]` or lies below it (text compared, not a pattern).
function __hfenv_under
    test "$argv[2]" = "$argv[1]"; and return 0
    set -l n (string length -- "$argv[1]/")
    test (string sub -l $n -- "$argv[2]") = "$argv[1]/"
end

# The shell moved to `$PWD`: is it in the region where the answer cannot change? Then the
# current directory's candidates are watched from now on and no process is started.
function __hfenv_within
    set -l b $__hfenv_base
    test -n "$b"; or return 1
    # A name with a newline would be split by the command substitutions below.
    string match -q -- '*'\n'*' "$PWD"; and return 1
    test "$b" = /; and set b ''
    set -l rest
    if test "$PWD" != "$b"
        __hfenv_under "$b" "$PWD"; or return 1
        set rest (string sub -s (math (string length -- "$b/") + 1) -- "$PWD")
    end
    for d in $__hfenv_bars
        __hfenv_under "$d" "$PWD"; and return 1
    end
    # The variables the answer read besides a profile's (`.env` interpolation, where files are
    # looked for), as the environment sees them.
    __hfenv_env_same __hfenv_cdenv __hfenv_cdenvval $__hfenv_cdenvidx; or return 1
    set -l d $b
    if test -n "$rest"
        set -l parts (string split -- / "$rest")
        # The walk below looks each path up from `/`, a lookup per component: past a dozen
        # levels below the base, or in a very deep tree, one export (about a millisecond) costs
        # less.
        test (count $parts) -le 12; and test (count (string split -- / "$PWD")) -le 65; or return 1
        for c in $parts
            # `//`, `.` or `..`: not a path this test can follow.
            contains -- "$c" '' . ..; and return 1
            set d "$d/$c"
            test -d "$d"; or return 1
            test -L "$d"; and return 1
            for n in $__hfenv_marks
                test -e "$d/$n"; or test -L "$d/$n"; and return 1
            end
        end
    end
    for p in $__hfenv_probe
        test -e "$p"; or test -L "$p"; and return 1
    end
    set -g __hfenv_pwd $PWD
    set -g __hfenv_here
    # Those present are the files the answer was read from (at the base), watched already.
    # Relative: the prompt runs in `$PWD`, and a relative lookup costs the same at any depth.
    for n in $__hfenv_names
        test -e "./$n"; or test -L "./$n"; or set -a __hfenv_here "./$n"
    end
    __hfenv_arm_here
    return 0
end

# Whether the variables named in list `$argv[1]` hold the values in list `$argv[2]` (at the
# indexes after them), as the environment sees them: exported, or not there. fish exports a
# list joined by `:` when its name ends in PATH, else by spaces.
function __hfenv_env_same
    set -l names $$argv[1]
    set -l values $$argv[2]
    for i in $argv[3..]
        set -l name $names[$i]
        if set -qx $name
            test "S:$$name" = "$values[$i]"; and continue
            string match -q -- '*PATH' $name; or return 1
            test "S:"(string join : -- $$name) = "$values[$i]"; or return 1
        else
            test U = "$values[$i]"; or return 1
        end
    end
end

# The steady check as one `test`'s arguments, made once per load (and per `cd` within the
# region) from what the export handed over: a steady prompt runs one command, with no loop
# (every command costs in fish). Lists, not code: each path is one argument whatever it holds.
# Any term true means "look closer": the stamp is gone; a watched path is newer or older than
# its reference (`-nt`/`-ot`, nanoseconds; `-ot` is also true when the path is gone); a
# dangling link leads somewhere or is gone; an absent path appears (`-e`/`-L`: a dangling link
# or a FIFO counts). A time the binary could not trust (no reference) looks closer at every
# prompt until it can.
function __hfenv_arm
    set -g __hfenv_check
    if test -z "$__hfenv_stamp"
        set __hfenv_check -o x = x
    else
        set __hfenv_check -o ! -e $__hfenv_stamp
    end
    for i in $__hfenv_idx
        if test -z "$__hfenv_ref[$i]"
            set __hfenv_check -o x = x
            break
        end
        set -a __hfenv_check -o $__hfenv_watch[$i] -nt $__hfenv_ref[$i] -o $__hfenv_watch[$i] -ot $__hfenv_ref[$i]
    end
    for f in $__hfenv_links
        set -a __hfenv_check -o -e $f -o ! -L $f
    end
    for f in $__hfenv_absent
        set -a __hfenv_check -o -e $f -o -L $f
    end
    # A browser login's deadline and watched variables need commands: the prompt looks closer
    # at each prompt only when there are.
    set -g __hfenv_more
    if test -n "$__hfenv_until"; or set -q __hfenv_envidx[1]
        set __hfenv_more -o x = x
    end
    __hfenv_arm_here
end

# The current directory's candidates join the check (after a load, and after a `cd`).
function __hfenv_arm_here
    set -g __hfenv_herecheck
    for f in $__hfenv_here
        set -a __hfenv_herecheck -o -e $f -o -L $f
    end
end

function __hfenv_changed
    set -q __hfenv_failed; and return 0
    if test "$PWD" != "$__hfenv_pwd"
        __hfenv_within; or return 0
    end
    test "x$HFENV_SHELL_PROFILE" != "x$__hfenv_sp" $__hfenv_check $__hfenv_herecheck; and return 0
    # A browser login due for a refresh. fish has no clock builtin, but `path mtime` is one:
    # the stamp's age plus its mtime is now.
    if test -n "$__hfenv_until"
        set -l t (path mtime $__hfenv_stamp) (path mtime --relative $__hfenv_stamp)
        test (math $t[1] + $t[2]) -lt $__hfenv_until; or return 0
    end
    if set -q __hfenv_envidx[1]
        __hfenv_env_same __hfenv_env __hfenv_envval $__hfenv_envidx; or return 0
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
    __hfenv_arm
end

# A steady prompt: one `test` (see `__hfenv_arm`), here rather than in a function of its own.
# fish gives `$status` back after an event handler itself: nothing to keep here.
function __hfenv_hook --on-event fish_prompt --on-variable PWD
    if test "x$PWD" != "x$__hfenv_pwd" -o "x$HFENV_SHELL_PROFILE" != "x$__hfenv_sp" -o -n "$__hfenv_failed" $__hfenv_check $__hfenv_herecheck $__hfenv_more
        __hfenv_changed; and __hfenv_load
    end
end

# The check for what the lists hold now: nothing yet in a new shell (the first prompt asks),
# the last load's lists when this is sourced again.
__hfenv_arm

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

# shellcheck shell=bash
# hfenv hook for bash (>= 4). Install with this line in ~/.bashrc:
#   eval "$(hfenv hook bash)"
#
# At each prompt the shell decides with builtins alone whether anything that decides hfenv's
# answer changed; only then does it run `hfenv export`. What it checks, all handed over by the
# last export (src/region.rs says why these and no more):
# - each file or directory hfenv read (config, pin, `.env`, state), against a reference file
#   dated exactly as it was read: newer or older (`-nt`/`-ot`, nanoseconds) means changed, so
#   one edit costs one export, and a file renamed into place with an old date is seen too;
# - the candidate files absent from the current directory and the working tree's root, and
#   the config or state files that do not exist yet: they changed when they appear (`-e`/`-L`:
#   a dangling link or a FIFO counts);
# - a `token_env` profile's variable, against its value at the last load.
# The checks are armed once per load and per `cd` (`__hfenv_arm`): the hook function is written
# again with one `[[ ]]` over plain variables holding the paths, so a steady prompt runs a
# single test and no loop (each bash statement costs about as much as a `stat`).
# A change of directory within the region where the answer is provably the same (below
# `__hfenv_base`, no symlink, candidate file or `.git` on the way, no `[dirs]` rule crossed,
# the other variables the answer read unchanged: `.env` interpolation, where files are looked
# for) runs nothing either. The values to restore are kept by hfenv in a private file under its
# state directory, never in the environment. Sourcing this again (a re-read rc) registers the
# hook only once.
#
# Failing closed: `hfenv export` exits 0 exactly when it printed a complete script. When it
# cannot run (binary gone, crashed, failing), the hook clears the variables hfenv set
# (`__hfenv_owned`, names only) itself, says so once, and tries again at every prompt; the
# next run is told which names it cleared (`__HFENV_CLEARED`) so the user's own values return.

__hfenv_bin=::HFENV::
# Filled by the code `hfenv export` prints; declared so `set -u` shells can read them before.
declare -ga __hfenv_watch __hfenv_ref __hfenv_links __hfenv_absent __hfenv_here __hfenv_names \
    __hfenv_marks __hfenv_bars __hfenv_probe __hfenv_owned __hfenv_env __hfenv_envval __hfenv_cdenv \
    __hfenv_cdenvval
# The shell moved to `$PWD`: is it in the region where the answer cannot change? Then the
# current directory's candidates are watched from now on and no process is started.
__hfenv_within() {
    local __hfenv_b=${__hfenv_base-} __hfenv_d __hfenv_rest __hfenv_c __hfenv_n
    [[ -n $__hfenv_b ]] || return 1
    [[ $__hfenv_b == / ]] && __hfenv_b=
    [[ $PWD == "$__hfenv_b" || $PWD == "$__hfenv_b"/* ]] || return 1
    for __hfenv_d in ${__hfenv_bars[@]+"${__hfenv_bars[@]}"}; do
        [[ $PWD == "$__hfenv_d" || $PWD == "$__hfenv_d"/* ]] && return 1
    done
    # The variables the answer read besides a profile's (`.env` interpolation, where files are
    # looked for), as the environment sees them.
    for __hfenv_n in ${__hfenv_cdenv[@]+"${!__hfenv_cdenv[@]}"}; do
        __hfenv_c=${__hfenv_cdenv[__hfenv_n]}
        # `${!name+…}` first: under `set -u` an unset one must not be read.
        if [[ ${!__hfenv_c+set} && ${!__hfenv_c@a} == *x* ]]; then
            [[ S:${!__hfenv_c} == "${__hfenv_cdenvval[__hfenv_n]-}" ]] || return 1
        else
            [[ U == "${__hfenv_cdenvval[__hfenv_n]-}" ]] || return 1
        fi
    done
    __hfenv_d=$__hfenv_b
    __hfenv_rest=${PWD#"$__hfenv_b"}
    # The walk below looks each path up from `/`, a lookup per component: past a dozen levels
    # below the base, or in a very deep tree, one export (about a millisecond) costs less.
    __hfenv_c=${__hfenv_rest//[!\/]/}
    __hfenv_n=${PWD//[!\/]/}
    ((${#__hfenv_c} <= 12 && ${#__hfenv_n} <= 64)) || return 1
    while [[ -n $__hfenv_rest ]]; do
        __hfenv_rest=${__hfenv_rest#/}
        __hfenv_c=${__hfenv_rest%%/*}
        __hfenv_rest=${__hfenv_rest#"$__hfenv_c"}
        # `//`, `.` or `..`: not a path this test can follow.
        [[ -n $__hfenv_c && $__hfenv_c != . && $__hfenv_c != .. ]] || return 1
        __hfenv_d+=/$__hfenv_c
        [[ -d $__hfenv_d && ! -L $__hfenv_d ]] || return 1
        for __hfenv_n in ${__hfenv_marks[@]+"${__hfenv_marks[@]}"}; do
            [[ -e $__hfenv_d/$__hfenv_n || -L $__hfenv_d/$__hfenv_n ]] && return 1
        done
    done
    for __hfenv_d in ${__hfenv_probe[@]+"${__hfenv_probe[@]}"}; do
        [[ -e $__hfenv_d || -L $__hfenv_d ]] && return 1
    done
    __hfenv_pwd=$PWD
    __hfenv_here=()
    # Those present are the files the answer was read from (at the base), watched already.
    # Relative: the prompt runs in `$PWD`, and a relative lookup costs the same at any depth.
    for __hfenv_n in ${__hfenv_names[@]+"${__hfenv_names[@]}"}; do
        __hfenv_d=./$__hfenv_n
        [[ -e $__hfenv_d || -L $__hfenv_d ]] || __hfenv_here+=("$__hfenv_d")
    done
    __hfenv_arm_here
    return 0
}

# The steady check, made once per load (and per `cd` within the region) from what the export
# handed over: one `[[ ]]` whose operands are plain variables (`$__hfenv_p3`), so a steady
# prompt runs no loop and no array lookup. In bash each statement, and each literal or quoted
# word, costs about as much as the `stat` it leads to; an unquoted variable in `[[ ]]` (never
# split or globbed there) costs almost nothing. The body is made of variable names only: no
# path or value is ever part of the code. Any term true means "look closer": the directory or
# this shell's choice moved; the stamp is gone; a watched path is newer or older than its
# reference (`-nt`/`-ot`, nanoseconds); a dangling link leads somewhere or is gone; an absent
# path appears (`-e`/`-L`: a dangling link or a FIFO counts). A time the binary could not
# trust (no reference) looks closer at every prompt until it can.
__hfenv_arm() {
    local __hfenv_i __hfenv_f __hfenv_n=0
    # shellcheck disable=SC2016 # code, expanded where the check runs
    __hfenv_fixed='-z ${__hfenv_stamp-} || ${HFENV_SHELL_PROFILE-} != "${__hfenv_sp-}" || ! -e $__hfenv_stamp'
    for __hfenv_i in ${__hfenv_watch[@]+"${!__hfenv_watch[@]}"}; do
        __hfenv_f=${__hfenv_ref[__hfenv_i]-}
        if [[ -z $__hfenv_f ]]; then
            __hfenv_fixed='-n always'
            break
        fi
        printf -v "__hfenv_p$((++__hfenv_n))" %s "${__hfenv_watch[__hfenv_i]}"
        printf -v "__hfenv_p$((++__hfenv_n))" %s "$__hfenv_f"
        __hfenv_fixed+=" || \$__hfenv_p$((__hfenv_n - 1)) -nt \$__hfenv_p$__hfenv_n"
        __hfenv_fixed+=" || \$__hfenv_p$((__hfenv_n - 1)) -ot \$__hfenv_p$__hfenv_n"
    done
    for __hfenv_f in ${__hfenv_links[@]+"${__hfenv_links[@]}"}; do
        printf -v "__hfenv_p$((++__hfenv_n))" %s "$__hfenv_f"
        __hfenv_fixed+=" || -e \$__hfenv_p$__hfenv_n || ! -L \$__hfenv_p$__hfenv_n"
    done
    for __hfenv_f in ${__hfenv_absent[@]+"${__hfenv_absent[@]}"}; do
        printf -v "__hfenv_p$((++__hfenv_n))" %s "$__hfenv_f"
        __hfenv_fixed+=" || -e \$__hfenv_p$__hfenv_n || -L \$__hfenv_p$__hfenv_n"
    done
    # A browser login's deadline and watched variables need statements: only when there are.
    __hfenv_more=
    if [[ -n ${__hfenv_until-}${__hfenv_env[*]+1} ]]; then
        __hfenv_more=' || __hfenv_env_moved'
    fi
    __hfenv_arm_here
}

# The current directory's candidates join the check (after a load, and after a `cd`).
__hfenv_arm_here() {
    # shellcheck disable=SC2016 # code, expanded where the check runs
    local __hfenv_i __hfenv_t='$PWD != "${__hfenv_pwd-}" || '$__hfenv_fixed
    for __hfenv_i in ${__hfenv_here[@]+"${!__hfenv_here[@]}"}; do
        printf -v "__hfenv_h$__hfenv_i" %s "${__hfenv_here[__hfenv_i]}"
        __hfenv_t+=" || -e \$__hfenv_h$__hfenv_i || -L \$__hfenv_h$__hfenv_i"
    done
    eval "__hfenv_moved() { [[ $__hfenv_t ]]$__hfenv_more; }"
    # The prompt's hook holds the same check itself, one function call fewer per prompt.
    eval "__hfenv_hook() {
        __hfenv_status=\$?
        if { [[ $__hfenv_t ]]$__hfenv_more; } && __hfenv_changed; then
            __hfenv_load
        fi
        return \"\$__hfenv_status\"
    }"
}

__hfenv_env_moved() {
    local __hfenv_f __hfenv_i __hfenv_now
    # A browser login due for a refresh: `printf %(%s)T` is bash's builtin clock.
    if [[ -n ${__hfenv_until-} ]]; then
        printf -v __hfenv_now '%(%s)T' -1
        ((__hfenv_now < __hfenv_until)) || return 0
    fi
    # A variable counts as the environment sees it: exported, or not there.
    for __hfenv_i in ${__hfenv_env[@]+"${!__hfenv_env[@]}"}; do
        __hfenv_f=${__hfenv_env[__hfenv_i]}
        if [[ ${!__hfenv_f+set} && ${!__hfenv_f@a} == *x* ]]; then
            [[ S:${!__hfenv_f} == "${__hfenv_envval[__hfenv_i]-}" ]] || return 0
        else
            [[ U == "${__hfenv_envval[__hfenv_i]-}" ]] || return 0
        fi
    done
    return 1
}

# Whether hfenv must run: `__hfenv_moved` says where to look closer.
__hfenv_changed() {
    [[ -z ${__hfenv_failed-} ]] || return 0
    if [[ $PWD != "${__hfenv_pwd-}" ]]; then
        __hfenv_within || return 0
    fi
    __hfenv_moved
}

# hfenv cannot run: no token may outlive its directory, so what it set goes.
__hfenv_fail_closed() {
    if [[ -z ${__hfenv_failed-} ]]; then
        printf 'hfenv: %s — the variables hfenv set were removed until it works again\n' "$1" >&2
    fi
    __hfenv_failed=1
    # shellcheck disable=SC2317 # called by the hook
    __hfenv_moved() { return 0; }
    if [[ -n ${__hfenv_owned[*]+set} ]]; then
        unset -v "${__hfenv_owned[@]}" 2>/dev/null
        __hfenv_cleared="${__hfenv_cleared-} ${__hfenv_owned[*]}"
        __hfenv_owned=()
    fi
}

__hfenv_load() {
    if [[ ! -x $__hfenv_bin ]]; then
        __hfenv_fail_closed "$__hfenv_bin is missing (reinstall hfenv or remove the hook from your shell rc)"
        return 0
    fi
    local __hfenv_code __hfenv_int
    # A failing binary is said once: after that its complaints are silenced until it works
    # again, so a broken state never nags at every prompt.
    if [[ -z ${__hfenv_failed-} ]]; then
        __hfenv_code=$(__HFENV_STAMP="${__hfenv_stamp-}" __HFENV_PID=$$ __HFENV_CLEARED="${__hfenv_cleared-}" "$__hfenv_bin" export bash --hook)
    else
        __hfenv_code=$(__HFENV_STAMP="${__hfenv_stamp-}" __HFENV_PID=$$ __HFENV_CLEARED="${__hfenv_cleared-}" "$__hfenv_bin" export bash --hook 2>/dev/null)
    fi || {
        __hfenv_fail_closed "\`hfenv export\` failed"
        return 0
    }
    __hfenv_failed=
    __hfenv_cleared=
    # Ctrl-C must not leave the environment half-applied; the user's own trap comes back after.
    __hfenv_int=$(trap -p SIGINT)
    trap -- '' SIGINT
    eval "$__hfenv_code"
    __hfenv_arm
    if [[ -n $__hfenv_int ]]; then
        eval "$__hfenv_int"
    else
        trap - SIGINT
    fi
}

# Made again by `__hfenv_arm_here` with the check written in (see there).
__hfenv_hook() {
    # Kept in a global: `local` costs at every prompt, and the hook never runs nested.
    __hfenv_status=$?
    if __hfenv_moved && __hfenv_changed; then
        __hfenv_load
    fi
    return "$__hfenv_status"
}

# `use --shell` must change this shell, which only shell code can do. Everything else (help
# included) runs as is, so nothing meant for people is ever evaluated.
hfenv() {
    local __hfenv_a __hfenv_code __hfenv_eval=
    if [[ ${1-} == use ]]; then
        for __hfenv_a in "$@"; do
            case $__hfenv_a in
            --shell) __hfenv_eval=1 ;;
            -h | --help) __hfenv_eval= && break ;;
            esac
        done
    fi
    if [[ -n $__hfenv_eval ]]; then
        __hfenv_code=$(HFENV_HOOK_SHELL=bash "$__hfenv_bin" "$@") || return
        eval "$__hfenv_code"
    else
        "$__hfenv_bin" "$@" || return
    fi
    # A new choice, or a file allowed or denied, applies to the very next command, not only
    # after the next prompt.
    case ${1-} in
    use | allow | deny)
        if __hfenv_changed; then
            __hfenv_load
        fi
        ;;
    esac
}

__hfenv_registered() {
    local __hfenv_pc
    for __hfenv_pc in ${PROMPT_COMMAND[@]+"${PROMPT_COMMAND[@]}"}; do
        __hfenv_pc=${__hfenv_pc//$'\n'/;}
        [[ ";${__hfenv_pc// /};" == *";__hfenv_hook;"* ]] && return 0
    done
    return 1
}

# The check for what the arrays hold now: nothing yet in a new shell (the first prompt asks),
# the last load's lists when this is sourced again.
__hfenv_arm

# First, so the variables are in place before other prompt hooks run; bash 5.1 also allows
# PROMPT_COMMAND to be an array (Ubuntu's vte.sh makes it one).
if ! __hfenv_registered; then
    if [[ ${PROMPT_COMMAND+${PROMPT_COMMAND@a}} == *a* ]]; then
        PROMPT_COMMAND=(__hfenv_hook "${PROMPT_COMMAND[@]}")
    else
        # shellcheck disable=SC2128,SC2178 # a string here: the array case is the branch above
        PROMPT_COMMAND="__hfenv_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}"
    fi
fi

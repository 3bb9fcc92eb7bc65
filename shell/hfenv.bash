# shellcheck shell=bash
# hfenv hook for bash (>= 4). Install with this line in ~/.bashrc:
#   eval "$(hfenv hook bash)"
#
# At each prompt the shell decides with builtins alone whether anything hfenv watches changed
# (`-nt` compares nanosecond mtimes against a stamp, a watched variable is compared with its
# value at the last load); only then does it run `hfenv export`. The values to restore are
# kept by hfenv in a private file under its state directory, never in the environment.
# Sourcing this again (a re-read rc) registers the hook only once.
#
# Failing closed: `hfenv export` exits 0 exactly when it printed a complete script. When it
# cannot run (binary gone, crashed, failing), the hook clears the variables hfenv set
# (`__hfenv_owned`, names only) itself, says so once, and tries again at every prompt; the
# next run is told which names it cleared (`__HFENV_CLEARED`) so the user's own values return.

__hfenv_bin=::HFENV::
# Filled by the code `hfenv export` prints; declared so `set -u` shells can read them before.
declare -ga __hfenv_watch __hfenv_owned __hfenv_env __hfenv_envval

__hfenv_changed() {
    [[ -z ${__hfenv_failed-} ]] || return 0
    [[ -n ${__hfenv_stamp-} && -e $__hfenv_stamp ]] || return 0
    [[ $PWD == "${__hfenv_pwd-}" && ${HFENV_SHELL_PROFILE-} == "${__hfenv_sp-}" ]] || return 0
    local __hfenv_f __hfenv_i __hfenv_now
    # A browser login due for a refresh: `printf %(%s)T` is bash's builtin clock.
    if [[ -n ${__hfenv_until-} ]]; then
        printf -v __hfenv_now '%(%s)T' -1
        ((__hfenv_now < __hfenv_until)) || return 0
    fi
    for __hfenv_f in ${__hfenv_watch[@]+"${__hfenv_watch[@]}"}; do
        [[ $__hfenv_f -nt $__hfenv_stamp ]] && return 0
    done
    for __hfenv_i in ${__hfenv_env[@]+"${!__hfenv_env[@]}"}; do
        __hfenv_f=${__hfenv_env[__hfenv_i]}
        if [[ -n ${!__hfenv_f+x} ]]; then
            [[ S:${!__hfenv_f} == "${__hfenv_envval[__hfenv_i]-}" ]] || return 0
        else
            [[ U == "${__hfenv_envval[__hfenv_i]-}" ]] || return 0
        fi
    done
    return 1
}

# hfenv cannot run: no token may outlive its directory, so what it set goes.
__hfenv_fail_closed() {
    if [[ -z ${__hfenv_failed-} ]]; then
        printf 'hfenv: %s — the variables hfenv set were removed until it works again\n' "$1" >&2
    fi
    __hfenv_failed=1
    if ((${#__hfenv_owned[@]})); then
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
    if [[ -n $__hfenv_int ]]; then
        eval "$__hfenv_int"
    else
        trap - SIGINT
    fi
}

__hfenv_hook() {
    local __hfenv_status=$?
    if __hfenv_changed; then
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

# First, so the variables are in place before other prompt hooks run; bash 5.1 also allows
# PROMPT_COMMAND to be an array (Ubuntu's vte.sh makes it one).
if ! __hfenv_registered; then
    if [[ ${PROMPT_COMMAND@a} == *a* ]]; then
        PROMPT_COMMAND=(__hfenv_hook "${PROMPT_COMMAND[@]}")
    else
        # shellcheck disable=SC2128,SC2178 # a string here: the array case is the branch above
        PROMPT_COMMAND="__hfenv_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}"
    fi
fi

# shellcheck shell=bash
# hfenv hook for bash (>= 4). Install with this line in ~/.bashrc:
#   eval "$(hfenv hook bash)"
#
# At each prompt the shell decides with builtins alone whether anything hfenv watches changed
# (`-nt` compares nanosecond mtimes against a stamp); only then does it run `hfenv export`.
# The values to restore are kept by hfenv in a private file under its state directory, never
# in the environment. Sourcing this again (a re-read rc) registers the hook only once.

__hfenv_bin=::HFENV::
# Filled by the code `hfenv export` prints; declared so `set -u` shells can read it before.
declare -ga __hfenv_watch

__hfenv_changed() {
    [[ -n ${__hfenv_stamp-} && -e $__hfenv_stamp ]] || return 0
    [[ $PWD == "${__hfenv_pwd-}" && ${HFENV_SHELL_PROFILE-} == "${__hfenv_sp-}" ]] || return 0
    local __hfenv_f
    for __hfenv_f in ${__hfenv_watch[@]+"${__hfenv_watch[@]}"}; do
        [[ $__hfenv_f -nt $__hfenv_stamp ]] && return 0
    done
    return 1
}

__hfenv_load() {
    if [[ ! -x $__hfenv_bin ]]; then
        # Once per shell: a prompt that nags at every command gets the hook removed by hand.
        if [[ -z ${__hfenv_warned-} ]]; then
            printf 'hfenv: %s is missing — reinstall hfenv or remove the hook from your shell rc\n' "$__hfenv_bin" >&2
            __hfenv_warned=1
        fi
        return 0
    fi
    local __hfenv_code __hfenv_int
    # A failing binary is said once: after that its complaints are silenced until it works
    # again, so a broken state never nags at every prompt.
    local __hfenv_quiet=${__hfenv_failed-}
    __hfenv_failed=1
    if [[ -z $__hfenv_quiet ]]; then
        __hfenv_code=$(__HFENV_STAMP="${__hfenv_stamp-}" "$__hfenv_bin" export bash --hook) && __hfenv_failed=
    else
        __hfenv_code=$(__HFENV_STAMP="${__hfenv_stamp-}" "$__hfenv_bin" export bash --hook 2>/dev/null) && __hfenv_failed=
    fi
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
    # A new choice applies to the very next command, not only after the next prompt.
    if [[ ${1-} == use ]] && __hfenv_changed; then
        __hfenv_load
    fi
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

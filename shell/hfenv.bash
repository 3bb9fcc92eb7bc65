# shellcheck shell=bash
# hfenv hook for bash (>= 4). Install with this line in ~/.bashrc:
#   eval "$(hfenv hook bash)"
#
# At each prompt the shell decides with builtins alone whether anything hfenv watches changed
# (`-nt` compares nanosecond mtimes against a stamp); only then does it run `hfenv export`.
# Values to restore live in unexported arrays, never in the environment.

__hfenv_bin=::HFENV::
declare -gA __hfenv_orig __hfenv_had

__hfenv_save() {
    if [[ -n ${!1+set} ]]; then
        __hfenv_had[$1]=1
        __hfenv_orig[$1]=${!1}
    else
        __hfenv_had[$1]=0
        unset '__hfenv_orig[$1]'
    fi
}

__hfenv_restore() {
    if [[ ${__hfenv_had[$1]-} == 1 ]]; then
        export "$1=${__hfenv_orig[$1]}"
    else
        unset "$1"
    fi
    __hfenv_forget "$1"
}

__hfenv_forget() {
    unset '__hfenv_had[$1]' '__hfenv_orig[$1]'
}

__hfenv_changed() {
    [[ -n ${__hfenv_stamp-} && -e $__hfenv_stamp ]] || return 0
    [[ $PWD == "${__hfenv_pwd-}" && ${HFENV_SHELL_PROFILE-} == "${__hfenv_sp-}" ]] || return 0
    local __hfenv_f
    for __hfenv_f in "${__hfenv_watch[@]}"; do
        [[ $__hfenv_f -nt $__hfenv_stamp ]] && return 0
    done
    return 1
}

__hfenv_load() {
    if [[ ! -x $__hfenv_bin ]]; then
        if [[ -z ${__hfenv_warned-} ]]; then
            printf 'hfenv: `%s` is missing — reinstall hfenv or remove the hook from your shell rc\n' "$__hfenv_bin" >&2
            __hfenv_warned=1
        fi
        return 0
    fi
    local __hfenv_code
    __hfenv_code=$(__HFENV_STAMP="${__hfenv_stamp-}" "$__hfenv_bin" export bash --hook)
    # Ctrl-C must not leave the environment half-applied.
    trap -- '' SIGINT
    eval "$__hfenv_code"
    trap - SIGINT
}

__hfenv_hook() {
    local __hfenv_status=$?
    if __hfenv_changed; then
        __hfenv_load
    fi
    return "$__hfenv_status"
}

# `use --shell` must change this shell, which only shell code can do.
hfenv() {
    case ${1-} in
    use)
        local __hfenv_code
        __hfenv_code=$(HFENV_HOOK_SHELL=bash "$__hfenv_bin" "$@") || return
        eval "$__hfenv_code"
        ;;
    *) "$__hfenv_bin" "$@" ;;
    esac
}

if [[ ";${PROMPT_COMMAND[*]-};" != *";__hfenv_hook;"* ]]; then
    if [[ ${PROMPT_COMMAND@a} == *a* ]]; then
        PROMPT_COMMAND=(__hfenv_hook "${PROMPT_COMMAND[@]}")
    else
        PROMPT_COMMAND="__hfenv_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}"
    fi
fi

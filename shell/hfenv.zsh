# hfenv hook for zsh. Install with this line in ~/.zshrc:
#   eval "$(hfenv hook zsh)"
#
# precmd and chpwd both check, with builtins alone, whether anything hfenv watches changed
# (`-nt` compares nanosecond mtimes against a stamp); only then does it run `hfenv export`.
# Values to restore live in unexported associative arrays, never in the environment.

typeset -g __hfenv_bin=::HFENV::
typeset -gA __hfenv_orig __hfenv_had

__hfenv_save() {
    if [[ -v $1 ]]; then
        __hfenv_had[$1]=1
        __hfenv_orig[$1]=${(P)1}
    else
        __hfenv_had[$1]=0
        unset "__hfenv_orig[$1]"
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
    unset "__hfenv_had[$1]" "__hfenv_orig[$1]"
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
            print -ru2 -- "hfenv: \`$__hfenv_bin\` is missing — reinstall hfenv or remove the hook from your shell rc"
            typeset -g __hfenv_warned=1
        fi
        return 0
    fi
    local __hfenv_code
    __hfenv_code=$(__HFENV_STAMP="${__hfenv_stamp-}" "$__hfenv_bin" export zsh --hook)
    eval "$__hfenv_code"
}

__hfenv_hook() {
    local __hfenv_status=$?
    __hfenv_changed && __hfenv_load
    return $__hfenv_status
}

hfenv() {
    case ${1-} in
    use)
        local __hfenv_code
        __hfenv_code=$(HFENV_HOOK_SHELL=zsh "$__hfenv_bin" "$@") || return
        eval "$__hfenv_code"
        ;;
    *) "$__hfenv_bin" "$@" ;;
    esac
}

autoload -Uz add-zsh-hook
add-zsh-hook precmd __hfenv_hook
add-zsh-hook chpwd __hfenv_hook

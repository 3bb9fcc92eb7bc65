# hfenv hook for zsh. Install with this line in ~/.zshrc:
#   eval "$(hfenv hook zsh)"
#
# precmd and chpwd both check, with builtins alone, whether anything hfenv watches changed
# (`-nt` compares nanosecond mtimes against a stamp); only then does it run `hfenv export`.
# The values to restore are kept by hfenv in a private file under its state directory, never
# in the environment.
# Every function runs under `emulate -L zsh`, so the user's options (ksh_arrays, nounset, ...)
# cannot change what it does.

typeset -g __hfenv_bin=::HFENV::
# Sourcing this again (a re-read rc) keeps the arrays and registers the hooks only once.

__hfenv_changed() {
    emulate -L zsh
    [[ -n ${__hfenv_stamp-} && -e $__hfenv_stamp ]] || return 0
    [[ $PWD == "${__hfenv_pwd-}" && ${HFENV_SHELL_PROFILE-} == "${__hfenv_sp-}" ]] || return 0
    local __hfenv_f
    for __hfenv_f in "${__hfenv_watch[@]}"; do
        [[ $__hfenv_f -nt $__hfenv_stamp ]] && return 0
    done
    return 1
}

__hfenv_load() {
    emulate -L zsh
    if [[ ! -x $__hfenv_bin ]]; then
        # Once per shell: a prompt that nags at every command gets the hook removed by hand.
        if [[ -z ${__hfenv_warned-} ]]; then
            print -ru2 -- "hfenv: $__hfenv_bin is missing — reinstall hfenv or remove the hook from your shell rc"
            typeset -g __hfenv_warned=1
        fi
        return 0
    fi
    # Ctrl-C must not leave the environment half-applied; `emulate -L` gives the user's trap
    # back on return.
    trap '' INT
    local __hfenv_code __hfenv_stamp_in=${__hfenv_stamp-}
    # chpwd also fires in subshells: they must not advance the parent's stamp, or the parent
    # would miss a change made before that.
    (( ZSH_SUBSHELL )) && __hfenv_stamp_in=
    # A failing binary is said once: after that its complaints are silenced until it works
    # again, so a broken state never nags at every prompt.
    if [[ -z ${__hfenv_failed-} ]]; then
        __hfenv_code=$(__HFENV_STAMP=$__hfenv_stamp_in "$__hfenv_bin" export zsh --hook)
    else
        __hfenv_code=$(__HFENV_STAMP=$__hfenv_stamp_in "$__hfenv_bin" export zsh --hook 2>/dev/null)
    fi
    if (( $? == 0 )); then
        typeset -g __hfenv_failed=
    else
        typeset -g __hfenv_failed=1
    fi
    eval "$__hfenv_code"
}

__hfenv_hook() {
    local __hfenv_status=$?
    __hfenv_changed && __hfenv_load
    return $__hfenv_status
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
        __hfenv_code=$(HFENV_HOOK_SHELL=zsh "$__hfenv_bin" "$@") || return
        eval "$__hfenv_code"
    else
        "$__hfenv_bin" "$@" || return
    fi
    # A new choice applies to the very next command, not only after the next prompt.
    if [[ ${1-} == use ]] && __hfenv_changed; then
        __hfenv_load
    fi
}

# add-zsh-hook skips functions already registered, so a re-read rc adds nothing.
autoload -Uz add-zsh-hook
add-zsh-hook precmd __hfenv_hook
add-zsh-hook chpwd __hfenv_hook

# hfenv hook for zsh. Install with this line in ~/.zshrc:
#   eval "$(hfenv hook zsh)"
#
# precmd and chpwd both check, with builtins alone, whether anything hfenv watches changed
# (`-nt` compares nanosecond mtimes against a stamp, a watched variable is compared with its
# value at the last load); only then does it run `hfenv export`. The values to restore are
# kept by hfenv in a private file under its state directory, never in the environment.
#
# Failing closed: `hfenv export` exits 0 exactly when it printed a complete script. When it
# cannot run (binary gone, crashed, failing), the hook clears the variables hfenv set
# (`__hfenv_owned`, names only) itself, says so once, and tries again at every prompt; the
# next run is told which names it cleared (`__HFENV_CLEARED`) so the user's own values return.
# Every function runs under `emulate -L zsh`, so the user's options (ksh_arrays, nounset, ...)
# cannot change what it does.

typeset -g __hfenv_bin=::HFENV::
# Sourcing this again (a re-read rc) keeps the arrays and registers the hooks only once.

__hfenv_changed() {
    emulate -L zsh
    [[ -z ${__hfenv_failed-} ]] || return 0
    [[ -n ${__hfenv_stamp-} && -e $__hfenv_stamp ]] || return 0
    [[ $PWD == "${__hfenv_pwd-}" && ${HFENV_SHELL_PROFILE-} == "${__hfenv_sp-}" ]] || return 0
    # A browser login due for a refresh: zsh/datetime's EPOCHSECONDS is a builtin clock.
    if [[ -n ${__hfenv_until-} ]]; then
        zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null
        (( EPOCHSECONDS < __hfenv_until )) || return 0
    fi
    local __hfenv_f __hfenv_i
    for __hfenv_f in "${__hfenv_watch[@]}"; do
        [[ $__hfenv_f -nt $__hfenv_stamp ]] && return 0
    done
    for (( __hfenv_i = 1; __hfenv_i <= ${#__hfenv_env[@]}; __hfenv_i++ )); do
        __hfenv_f=${__hfenv_env[__hfenv_i]}
        if (( ${+parameters[$__hfenv_f]} )); then
            [[ S:${(P)__hfenv_f} == "${__hfenv_envval[__hfenv_i]-}" ]] || return 0
        else
            [[ U == "${__hfenv_envval[__hfenv_i]-}" ]] || return 0
        fi
    done
    return 1
}

# hfenv cannot run: no token may outlive its directory, so what it set goes.
__hfenv_fail_closed() {
    emulate -L zsh
    if [[ -z ${__hfenv_failed-} ]]; then
        print -ru2 -- "hfenv: $1 — the variables hfenv set were removed until it works again"
    fi
    typeset -g __hfenv_failed=1
    if (( ${#__hfenv_owned[@]} )); then
        unset -- "${__hfenv_owned[@]}" 2>/dev/null
        typeset -g __hfenv_cleared="${__hfenv_cleared-} ${__hfenv_owned[*]}"
        typeset -ga __hfenv_owned=()
    fi
}

__hfenv_load() {
    emulate -L zsh
    if [[ ! -x $__hfenv_bin ]]; then
        __hfenv_fail_closed "$__hfenv_bin is missing (reinstall hfenv or remove the hook from your shell rc)"
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
        __hfenv_code=$(__HFENV_STAMP=$__hfenv_stamp_in __HFENV_PID=$$ __HFENV_CLEARED=${__hfenv_cleared-} "$__hfenv_bin" export zsh --hook)
    else
        __hfenv_code=$(__HFENV_STAMP=$__hfenv_stamp_in __HFENV_PID=$$ __HFENV_CLEARED=${__hfenv_cleared-} "$__hfenv_bin" export zsh --hook 2>/dev/null)
    fi
    if (( $? != 0 )); then
        __hfenv_fail_closed "\`hfenv export\` failed"
        return 0
    fi
    typeset -g __hfenv_failed= __hfenv_cleared=
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

# add-zsh-hook skips functions already registered, so a re-read rc adds nothing.
autoload -Uz add-zsh-hook
add-zsh-hook precmd __hfenv_hook
add-zsh-hook chpwd __hfenv_hook

# hfenv hook for zsh. Install with this line in ~/.zshrc:
#   eval "$(hfenv hook zsh)"
#
# precmd and chpwd both check, with builtins alone, whether anything that decides hfenv's
# answer changed; only then does it run `hfenv export`. What they check, all handed over by the
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
# single test, no loop and no other function call (a zsh function call costs as much as the test).
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
# Every function runs under `emulate -L zsh`, so the user's options (ksh_arrays, nounset, ...)
# cannot change what it does.

typeset -g __hfenv_bin=::HFENV::
# Sourcing this again (a re-read rc) keeps the arrays and registers the hooks only once.

# The shell moved to `$PWD`: is it in the region where the answer cannot change? Then the
# current directory's candidates are watched from now on and no process is started.
__hfenv_within() {
    emulate -L zsh
    local b=${__hfenv_base-} d rest c n
    [[ -n $b ]] || return 1
    [[ $b == / ]] && b=
    [[ $PWD == "$b" || $PWD == "$b"/* ]] || return 1
    for d in "${__hfenv_bars[@]}"; do
        [[ $PWD == "$d" || $PWD == "$d"/* ]] && return 1
    done
    # The variables the answer read besides a profile's (`.env` interpolation, where files are
    # looked for), as the environment sees them.
    local i
    for (( i = 1; i <= ${#__hfenv_cdenv[@]}; i++ )); do
        c=${__hfenv_cdenv[i]}
        if [[ ${parameters[$c]-} == *export* ]]; then
            [[ S:${(P)c} == "${__hfenv_cdenvval[i]-}" ]] || return 1
        else
            [[ U == "${__hfenv_cdenvval[i]-}" ]] || return 1
        fi
    done
    d=$b
    rest=${PWD#"$b"}
    # The walk below looks each path up from `/`, a lookup per component: past a dozen levels
    # below the base, or in a very deep tree, one export (about a millisecond) costs less.
    c=${rest//[^\/]/}
    n=${PWD//[^\/]/}
    (( ${#c} <= 12 && ${#n} <= 64 )) || return 1
    while [[ -n $rest ]]; do
        rest=${rest#/}
        c=${rest%%/*}
        rest=${rest#"$c"}
        # `//`, `.` or `..`: not a path this test can follow.
        [[ -n $c && $c != . && $c != .. ]] || return 1
        d+=/$c
        [[ -d $d && ! -L $d ]] || return 1
        for n in "${__hfenv_marks[@]}"; do
            [[ -e $d/$n || -L $d/$n ]] && return 1
        done
    done
    for d in "${__hfenv_probe[@]}"; do
        [[ -e $d || -L $d ]] && return 1
    done
    typeset -g __hfenv_pwd=$PWD
    typeset -ga __hfenv_here=()
    # Those present are the files the answer was read from (at the base), watched already.
    # Relative: the prompt runs in `$PWD`, and a relative lookup costs the same at any depth.
    for n in "${__hfenv_names[@]}"; do
        d=./$n
        [[ -e $d || -L $d ]] || __hfenv_here+=("$d")
    done
    __hfenv_arm_here
    return 0
}

# The steady check, made once per load (and per `cd` within the region) from what the export
# handed over: one `[[ ]]` whose operands are plain variables (`$__hfenv_p3`), so a steady
# prompt runs no loop and no array lookup (each statement costs about as much as the `stat` it
# leads to). The body is made of variable names only: no path or value is ever part of the
# code, and nothing in it depends on the user's options (no splitting or globbing happens in
# `[[ ]]`; every comparison's right side is quoted). Any term true means "look closer": the
# directory or this shell's choice moved; the stamp is gone; a watched path is newer or older
# than its reference (`-nt`/`-ot`, nanoseconds); a dangling link leads somewhere or is gone;
# an absent path appears (`-e`/`-L`: a dangling link or a FIFO counts). A time the binary
# could not trust (no reference) looks closer at every prompt until it can.
__hfenv_arm() {
    emulate -L zsh
    local f i n=0
    typeset -g __hfenv_fixed='-z ${__hfenv_stamp-} || ${HFENV_SHELL_PROFILE-} != "${__hfenv_sp-}" || ! -e $__hfenv_stamp'
    for (( i = 1; i <= ${#__hfenv_watch[@]}; i++ )); do
        f=${__hfenv_ref[i]-}
        if [[ -z $f ]]; then
            __hfenv_fixed='-n always'
            break
        fi
        typeset -g "__hfenv_p$((++n))=${__hfenv_watch[i]}" "__hfenv_p$((++n))=$f"
        __hfenv_fixed+=" || ! -e \$__hfenv_p$((n - 1)) || \$__hfenv_p$((n - 1)) -nt \$__hfenv_p$n || \$__hfenv_p$((n - 1)) -ot \$__hfenv_p$n"
    done
    for f in "${__hfenv_links[@]}"; do
        typeset -g "__hfenv_p$((++n))=$f"
        __hfenv_fixed+=" || -e \$__hfenv_p$n || ! -L \$__hfenv_p$n"
    done
    for f in "${__hfenv_absent[@]}"; do
        typeset -g "__hfenv_p$((++n))=$f"
        __hfenv_fixed+=" || -e \$__hfenv_p$n || -L \$__hfenv_p$n"
    done
    # A browser login's deadline and watched variables need statements: only when there are.
    typeset -g __hfenv_more=
    if [[ -n ${__hfenv_until-} || ${#__hfenv_env[@]} -gt 0 ]]; then
        __hfenv_more=' || __hfenv_env_moved'
    fi
    __hfenv_arm_here
}

# The current directory's candidates join the check (after a load, and after a `cd`).
__hfenv_arm_here() {
    emulate -L zsh
    local i t='$PWD != "${__hfenv_pwd-}" || '$__hfenv_fixed
    for (( i = 1; i <= ${#__hfenv_here[@]}; i++ )); do
        typeset -g "__hfenv_h$i=${__hfenv_here[i]}"
        t+=" || -e \$__hfenv_h$i || -L \$__hfenv_h$i"
    done
    eval "__hfenv_moved() { [[ $t ]]$__hfenv_more; }"
    # The prompt's hook holds the same check itself: a zsh function call costs as much as
    # the check.
    eval "__hfenv_hook() {
        typeset -g __hfenv_status=\$?
        if { [[ $t ]]$__hfenv_more; }; then
            __hfenv_changed && __hfenv_load
        fi
        return \$__hfenv_status
    }"
}

__hfenv_env_moved() {
    emulate -L zsh
    # A browser login due for a refresh: zsh/datetime's EPOCHSECONDS is a builtin clock.
    if [[ -n ${__hfenv_until-} ]]; then
        zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null
        (( EPOCHSECONDS < __hfenv_until )) || return 0
    fi
    local f i
    # A variable counts as the environment sees it: exported, or not there.
    for (( i = 1; i <= ${#__hfenv_env[@]}; i++ )); do
        f=${__hfenv_env[i]}
        if [[ ${parameters[$f]-} == *export* ]]; then
            [[ S:${(P)f} == "${__hfenv_envval[i]-}" ]] || return 0
        else
            [[ U == "${__hfenv_envval[i]-}" ]] || return 0
        fi
    done
    return 1
}

# Whether hfenv must run: `__hfenv_moved` says where to look closer.
__hfenv_changed() {
    emulate -L zsh
    [[ -z ${__hfenv_failed-} ]] || return 0
    if [[ $PWD != "${__hfenv_pwd-}" ]]; then
        __hfenv_within || return 0
    fi
    __hfenv_moved
}

# hfenv cannot run: no token may outlive its directory, so what it set goes.
__hfenv_fail_closed() {
    emulate -L zsh
    if [[ -z ${__hfenv_failed-} ]]; then
        print -ru2 -- "hfenv: $1 — the variables hfenv set were removed until it works again"
    fi
    typeset -g __hfenv_failed=1
    __hfenv_moved() { return 0; }
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
    __hfenv_arm
}

# Made again by `__hfenv_arm_here` with the check written in (see there).
__hfenv_hook() {
    # Kept in a global: `local` costs at every prompt, and the hook never runs nested.
    typeset -g __hfenv_status=$?
    __hfenv_moved && __hfenv_changed && __hfenv_load
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

# The check for what the arrays hold now: nothing yet in a new shell (the first prompt asks),
# the last load's lists when this is sourced again.
__hfenv_arm

# add-zsh-hook skips functions already registered, so a re-read rc adds nothing.
autoload -Uz add-zsh-hook
add-zsh-hook precmd __hfenv_hook
add-zsh-hook chpwd __hfenv_hook

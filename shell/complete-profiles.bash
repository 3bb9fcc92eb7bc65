
# Profile names come from `hfenv profiles` at completion time, so profiles added after this
# script was generated complete too. Everything else is clap's completion above.
_hfenv_with_profiles() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} sub="" i
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
        -*) ;;
        *)
            sub=${COMP_WORDS[i]}
            break
            ;;
        esac
    done
    if [[ $prev == -p || $prev == --profile ]] || [[ $cur != -* && ($sub == use || $sub == remove) && $prev == "$sub" ]]; then
        local IFS=$'\n'
        # shellcheck disable=SC2207 # profile names contain no whitespace or glob characters
        COMPREPLY=($(compgen -W "$("${__hfenv_bin:-hfenv}" profiles 2>/dev/null)" -- "$cur"))
        return 0
    fi
    _hfenv "$@"
}
complete -F _hfenv_with_profiles -o bashdefault -o default hfenv

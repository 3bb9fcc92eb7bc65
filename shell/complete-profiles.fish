
# Profile names come from `hfenv profiles` at completion time, so profiles added after this
# script was generated complete too. Everything else is clap's completion above.
function __hfenv_complete_profiles
    if set -q __hfenv_bin
        $__hfenv_bin profiles 2>/dev/null
    else
        command hfenv profiles 2>/dev/null
    end
end
complete -c hfenv -n "__fish_hfenv_using_subcommand use; and not __fish_seen_argument -l clear" -f -a "(__hfenv_complete_profiles)"
complete -c hfenv -n "__fish_hfenv_using_subcommand remove" -f -a "(__hfenv_complete_profiles)"
complete -c hfenv -n "__fish_hfenv_using_subcommand token exec whoami export" -s p -l profile -x -a "(__hfenv_complete_profiles)"

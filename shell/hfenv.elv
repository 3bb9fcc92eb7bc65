# hfenv hook for elvish. Install with this line in ~/.config/elvish/rc.elv:
#   eval (hfenv hook elvish | slurp)
#
# Before each prompt and after each `cd`, `hfenv export elvish --hook` prints JSON operations
# that this hook applies. elvish 0.19 has no builtin to compare file times, so unlike the bash,
# zsh and fish hooks this one asks the binary at every prompt. Evaluating this again replaces
# the hooks it registered before instead of adding more.

use path

var __hfenv_bin = ::HFENV::
var __hfenv_stamp = ''
var __hfenv_warned = $false

# hfenv keeps the values to restore itself (a private file in its state directory), so the
# operations are plain sets and unsets.
fn __hfenv_apply {|ops|
    for op $ops {
        var kind name = $op[0] $op[1]
        if (eq $kind set) {
            set-env $name $op[2]
        } elif (eq $kind unset) {
            unset-env $name
        }
    }
}

fn __hfenv_load {
    if (not (path:is-regular &follow-symlink=$true $__hfenv_bin)) {
        # Once per shell: a prompt that nags at every command gets the hook removed by hand.
        if (not $__hfenv_warned) {
            echo 'hfenv: '$__hfenv_bin' is missing — reinstall hfenv or remove the hook from your rc.elv' >&2
            set __hfenv_warned = $true
        }
        return
    }
    try {
        tmp E:__HFENV_STAMP = $__hfenv_stamp
        var doc = ($__hfenv_bin export elvish --hook | from-json)
        __hfenv_apply $doc[ops]
        if (and (has-key $doc stamp) (not-eq $doc[stamp] $nil)) {
            set __hfenv_stamp = $doc[stamp]
        }
    } catch e {
        # hfenv already said what went wrong on stderr; the prompt must still come.
    }
}

fn __hfenv_hook {|@_| __hfenv_load }

# `use --shell` must change this shell, which only shell code can do. Everything else (help
# included) runs as is, so nothing meant for people is ever parsed.
fn __hfenv_wrapper {|@args|
    var use = $false
    if (> (count $args) 0) {
        set use = (eq $args[0] use)
    }
    if (and $use (has-value $args --shell) (not (has-value $args --help)) (not (has-value $args -h))) {
        tmp E:HFENV_HOOK_SHELL = elvish
        var doc = ($__hfenv_bin $@args | from-json)
        __hfenv_apply $doc[ops]
    } else {
        $__hfenv_bin $@args
    }
    # A new choice applies to the very next command, not only after the next prompt.
    if $use {
        __hfenv_load
    }
}

# Drop the hooks an earlier evaluation registered (recognised by their body: each evaluation
# makes new closures), then add ours first so variables are set before other hooks run.
fn __hfenv_keep {|list|
    put [(each {|f|
        var ours = $false
        # Builtin functions have no body to compare.
        try { set ours = (eq $f[body] $__hfenv_hook~[body]) } catch e { }
        if (not $ours) { put $f }
    } $list)]
}
set edit:before-readline = [$__hfenv_hook~ (all (__hfenv_keep $edit:before-readline))]
set after-chdir = [$__hfenv_hook~ (all (__hfenv_keep $after-chdir))]
edit:add-var hfenv~ $__hfenv_wrapper~

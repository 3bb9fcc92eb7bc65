# hfenv hook for elvish. Install with this line in ~/.config/elvish/rc.elv:
#   eval (hfenv hook elvish | slurp)
#
# Before each prompt and after each `cd`, the hook decides with builtins alone whether anything
# that decides hfenv's answer changed; only then does it run `hfenv export elvish --hook`, whose
# JSON operations it applies. elvish 0.19 has no builtin that reads a file's time (`os:stat`
# came later), so instead of comparing times with reference files as the other hooks do, it
# remembers what each path the answer was read from held (a file's bytes, a directory's
# entries). The candidate files absent from the current directory and the working tree's root
# (and the config or state files that do not exist yet) are watched for appearing; a change of
# directory within the region where the answer is provably the same (below `base`, no symlink,
# candidate file or `.git` on the way, no `[dirs]` rule crossed; src/region.rs) runs nothing
# either. At a steady prompt, appearing means a file, a directory or a link to one (elvish 0.19
# cannot see a FIFO or a dangling link without listing the directory); the `cd` test lists
# the directories it crosses, so there any entry counts. A steady prompt starts no process.
# Evaluating this again replaces the hooks it registered before instead of adding more.

use path
use str

var __hfenv_bin = ::HFENV::
var __hfenv_stamp = ''
var __hfenv_pwd = $nil
var __hfenv_sp = ''
# What the last answer was read from (`files`: paths, what they held is in `__hfenv_seen`),
# what must stay absent (`absent`, `here`: the current directory's candidates), dangling links
# (`links`), and the region (`base`, `bars`, `probe`, `names`, `marks`).
var __hfenv_w = [&files=[] &refs=[] &absent=[] &here=[] &links=[] &base=$nil &bars=[] &probe=[] &names=[] &marks=[] &cdenv=[] &cdenvval=[]]
var __hfenv_seen = $nil
# Set when a watched path changed while the binary ran: the next prompt asks again.
var __hfenv_dirty = $true
var __hfenv_failed = $false
# Failing closed: when hfenv cannot run (binary gone, failing), the variables it set (`owned`
# in its last answer, names only) are cleared here, said once, retried at every prompt, and
# the next run is told which (`__HFENV_CLEARED`) so the user's own values return.
var __hfenv_owned = []
var __hfenv_cleared = ''
# Variables whose value decides the answer, and what they held.
var __hfenv_env = []
var __hfenv_envval = []

# Whether a variable in `names` no longer holds its value in `values`.
fn __hfenv_moved {|names values|
    var i = 0
    var moved = $false
    for name $names {
        # `after-chdir` runs before elvish updates `$E:PWD`: the directory is `$pwd`.
        var now = (if (eq $name PWD) { put 'S:'$pwd } elif (has-env $name) { put 'S:'(get-env $name) } else { put U })
        if (not-eq $now $values[$i]) { set moved = $true }
        set i = (+ $i 1)
    }
    put $moved
}

# Most answers watch no variable: then no loop is set up at every prompt.
fn __hfenv_env_moved {
    if (eq $__hfenv_env []) { put $false } else { __hfenv_moved $__hfenv_env $__hfenv_envval }
}

# A file or directory, or a link to one. Each builtin call costs in elvish: the two that follow
# links also see what is there without one.
fn __hfenv_exists {|p|
    or (path:is-regular &follow-symlink=$true $p) (path:is-dir &follow-symlink=$true $p)
}

# What the files the answer was read from hold, with builtins only. Only regular files are
# read, so nothing here ever waits on a FIFO.
fn __hfenv_snapshot {|files|
    put [(for p $files {
        if (path:is-regular &follow-symlink=$true $p) {
            slurp < $p
        } elif (path:is-dir &follow-symlink=$true $p) {
            put [(put $p/*[match-hidden][nomatch-ok])]
        } else {
            put $nil
        }
    })]
}

# The entries of a directory (any kind: a FIFO or a dangling link is one).
fn __hfenv_entries {|d|
    put [(put $d/*[match-hidden][nomatch-ok])]
}

# The shell moved to `$pwd`: is it in the region where the answer cannot change? Then the
# current directory's candidates are watched from now on and no process is started.
fn __hfenv_within {
    var w = $__hfenv_w
    var b = $w[base]
    if (eq $b $nil) { put $false; return }
    if (eq $b /) { set b = '' }
    if (not (or (eq $pwd $b) (str:has-prefix $pwd $b/))) { put $false; return }
    for d $w[bars] {
        if (or (eq $pwd $d) (str:has-prefix $pwd $d/)) { put $false; return }
    }
    # The variables the answer read besides a profile's (`.env` interpolation, where files are
    # looked for).
    if (__hfenv_moved $w[cdenv] $w[cdenvval]) { put $false; return }
    var d = $b
    var rest = (str:trim-prefix $pwd $b)
    if (not-eq $rest '') {
        var comps = [(str:split / $rest)][1..]
        # The walk below looks each path up from `/`, a lookup per component: past a dozen
        # levels below the base, or in a very deep tree, one export costs less.
        if (or (> (count $comps) 12) (> (count [(str:split / $pwd)]) 65)) { put $false; return }
        for c $comps {
            # `//`, `.` or `..`: not a path this test can follow.
            if (has-value ['' . ..] $c) { put $false; return }
            set d = $d/$c
            if (not (path:is-dir $d)) { put $false; return }
            var ents = (__hfenv_entries $d)
            for n $w[marks] {
                if (has-value $ents $d/$n) { put $false; return }
            }
        }
    }
    for p $w[probe] {
        if (__hfenv_exists $p) { put $false; return }
    }
    set __hfenv_pwd = $pwd
    var top = (if (eq $pwd /) { put '' } else { put $pwd })
    # Those present are the files the answer was read from (at the base), watched already.
    var ents = (__hfenv_entries $pwd)
    set __hfenv_w[here] = [(for n $w[names] { if (not (has-value $ents $top/$n)) { put $top/$n } })]
    put $true
}


fn __hfenv_fail_closed {|why|
    if (not $__hfenv_failed) {
        echo 'hfenv: '$why' — the variables hfenv set were removed until it works again' >&2
    }
    set __hfenv_failed = $true
    for name $__hfenv_owned {
        unset-env $name
        set __hfenv_cleared = $__hfenv_cleared' '$name
    }
    set __hfenv_owned = []
}

fn __hfenv_changed {
    if (or $__hfenv_dirty $__hfenv_failed (__hfenv_env_moved) (not-eq $E:HFENV_SHELL_PROFILE $__hfenv_sp) (not (path:is-regular $__hfenv_stamp))) {
        put $true
        return
    }
    if (and (not-eq $pwd $__hfenv_pwd) (not (__hfenv_within))) {
        put $true
        return
    }
    try {
        var w = $__hfenv_w
        # A path whose time the binary could not trust (`null` reference): ask again.
        or (has-value $w[refs] $nil) ^
            (not-eq (__hfenv_snapshot $w[files]) $__hfenv_seen) ^
            (has-value [(for p [(all $w[here]) (all $w[absent])] { __hfenv_exists $p })] $true) ^
            (has-value [(for p $w[links] {
                or (__hfenv_exists $p) (not (has-value (__hfenv_entries (path:dir $p)) $p))
            })] $true)
    } catch e {
        put $true
    }
}

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
        __hfenv_fail_closed $__hfenv_bin' is missing (reinstall hfenv or remove the hook from your rc.elv)'
        return
    }
    # What the watched files held before the binary read them: if they differ afterwards,
    # something changed while it ran, and the next prompt must ask again.
    var old = $__hfenv_w[files]
    var before = $nil
    try { set before = (__hfenv_snapshot $old) } catch e { }
    # A failing binary is said once: after that its complaints are silenced until it works
    # again, so a broken state never nags at every prompt. Only a run that finished (exit 0)
    # is applied.
    var failed = $false
    var out = (
        try {
            # `after-chdir` runs before elvish updates `$E:PWD`: hand the binary the directory.
            tmp E:PWD = $pwd
            tmp E:__HFENV_STAMP = $__hfenv_stamp
            tmp E:__HFENV_PID = $pid
            tmp E:__HFENV_CLEARED = $__hfenv_cleared
            if $__hfenv_failed {
                $__hfenv_bin export elvish --hook 2>$path:dev-null
            } else {
                $__hfenv_bin export elvish --hook
            }
        } catch e {
            set failed = $true
        } | slurp
    )
    var doc = $nil
    if (not $failed) {
        try { set doc = (echo $out | from-json) } catch e { }
    }
    if (or (eq $doc $nil) (not (has-key $doc ops))) {
        __hfenv_fail_closed '`hfenv export` failed'
        return
    }
    set __hfenv_failed = $false
    set __hfenv_cleared = ''
    __hfenv_apply $doc[ops]
    if (and (has-key $doc owned) (not-eq $doc[owned] $nil)) { set __hfenv_owned = $doc[owned] }
    if (and (has-key $doc env) (not-eq $doc[env] $nil)) {
        set __hfenv_env = $doc[env]
        set __hfenv_envval = $doc[envval]
    }
    # Compared as the shell sees them, at the next prompt.
    set __hfenv_pwd = $pwd
    set __hfenv_sp = $E:HFENV_SHELL_PROFILE
    if (and (has-key $doc stamp) (not-eq $doc[stamp] $nil)) {
        set __hfenv_stamp = $doc[stamp]
    }
    var w = [&]
    for k [watch refs absent here links bars probe names marks cdenv cdenvval] {
        var v = []
        if (and (has-key $doc $k) (not-eq $doc[$k] $nil)) { set v = $doc[$k] }
        set w[$k] = $v
    }
    set w[files] = $w[watch]
    set w[base] = (if (has-key $doc base) { put $doc[base] } else { put $nil })
    set __hfenv_w = $w
    set __hfenv_dirty = $failed
    try {
        set __hfenv_seen = (__hfenv_snapshot $w[files])
    } catch e {
        set __hfenv_dirty = $true
    }
    if (and (eq $old $w[files]) (not-eq $before $__hfenv_seen)) {
        set __hfenv_dirty = $true
    }
}

fn __hfenv_hook {|@_|
    try {
        if (__hfenv_changed) { __hfenv_load }
    } catch e {
        # The prompt must come whatever happened here.
    }
}

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
    # A new choice, or a file allowed or denied, applies to the very next command, not only
    # after the next prompt.
    if (and (> (count $args) 0) (has-value [use allow deny] $args[0])) {
        __hfenv_hook
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

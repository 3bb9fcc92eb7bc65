# hfenv hook for elvish. Install with this line in ~/.config/elvish/rc.elv:
#   eval (hfenv hook elvish | slurp)
#
# Before each prompt and after each `cd`, the hook decides with builtins alone whether anything
# hfenv watches changed; only then does it run `hfenv export elvish --hook`, whose JSON
# operations it applies. elvish 0.19 has no builtin that reads a file's time (`os:stat` came
# later), so instead of comparing times with a stamp as the other hooks do, it remembers what
# each watched path held when it last asked: a file's bytes; for the current directory and its
# ancestors, whether the files hfenv looks for there (`.hfenv`, `.env`) exist; for other
# directories, their entries. A steady prompt starts no process. Evaluating this again
# replaces the hooks it registered before instead of adding more.

use path
use str

var __hfenv_bin = ::HFENV::
var __hfenv_stamp = ''
var __hfenv_pwd = $nil
var __hfenv_sp = ''
# What a prompt checks, as lists of paths, and what each held at the last load:
#   files: regular files, by their bytes;
#   names: the names hfenv looks for in this directory and its ancestors, by being files;
#   kinds: watched paths that were neither (absent), by being a file or a directory;
#   lists: other watched directories, by their entries.
var __hfenv_paths = [&files=[] &names=[] &kinds=[] &lists=[]]
var __hfenv_seen = $nil
# Set when a watched path changed while the binary ran: the next prompt asks again.
var __hfenv_dirty = $true
var __hfenv_failed = $false
# Failing closed: when hfenv cannot run (binary gone, failing), the variables it set (`owned`
# in its last answer, names only) are cleared here, said once, retried at every prompt, and
# the next run is told which (`__HFENV_CLEARED`) so the user's own values return.
var __hfenv_owned = []
var __hfenv_cleared = ''
# Variables whose value decides the answer (a `token_env` profile's), and what they held.
var __hfenv_env = []
var __hfenv_envval = []

# One list per kind of check, each read with builtins only and few calls (every call costs in
# elvish). Only regular files are read, so nothing here ever waits on a FIFO.
fn __hfenv_snapshot {|paths|
    put [&files=[(for p $paths[files] {
            if (path:is-regular &follow-symlink=$true $p) { slurp < $p } else { put $nil }
        })]
        &names=[(for p $paths[names] { path:is-regular &follow-symlink=$true $p })]
        &kinds=[(for p $paths[kinds] {
            put (path:is-regular &follow-symlink=$true $p) (path:is-dir &follow-symlink=$true $p)
        })]
        &lists=[(for p $paths[lists] { put [(put $p/*[match-hidden][nomatch-ok])] })]]
}

# Sorts a load's watched paths into checks. The current directory and its ancestors matter
# through the names looked for in them; a directory holding another watched path matters
# through that path (a config replaced by a rename has new bytes; a missing file is watched
# itself); any other directory through its entries.
fn __hfenv_sort {|watch names|
    var files = []
    var cands = []
    var kinds = []
    var lists = []
    for p $watch {
        if (path:is-regular &follow-symlink=$true $p) {
            set files = [$@files $p]
        } elif (path:is-dir &follow-symlink=$true $p) {
            var prefix = (if (str:has-suffix $p /) { put $p } else { put $p/ })
            if (or (eq $pwd $p) (str:has-prefix $pwd $prefix)) {
                for n $names { set cands = [$@cands $prefix$n] }
            } elif (not (has-value [(for w $watch { str:has-prefix $w $prefix })] $true)) {
                set lists = [$@lists $p]
            }
        } else {
            set kinds = [$@kinds $p]
        }
    }
    put [&files=$files &names=$cands &kinds=$kinds &lists=$lists]
}

fn __hfenv_env_moved {
    var i = 0
    var moved = $false
    for name $__hfenv_env {
        var now = (if (has-env $name) { put 'S:'(get-env $name) } else { put U })
        if (not-eq $now $__hfenv_envval[$i]) { set moved = $true }
        set i = (+ $i 1)
    }
    put $moved
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
    if (or $__hfenv_dirty $__hfenv_failed (__hfenv_env_moved) (not-eq $pwd $__hfenv_pwd) (not-eq $E:HFENV_SHELL_PROFILE $__hfenv_sp) (not (path:is-regular $__hfenv_stamp))) {
        put $true
    } else {
        try {
            not-eq (__hfenv_snapshot $__hfenv_paths) $__hfenv_seen
        } catch e {
            put $true
        }
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
    # What the watched paths held before the binary read them: if they differ afterwards,
    # something changed while it ran, and the next prompt must ask again.
    var old = $__hfenv_paths
    var before = $nil
    try { set before = (__hfenv_snapshot $old) } catch e { }
    # A failing binary is said once: after that its complaints are silenced until it works
    # again, so a broken state never nags at every prompt. Only a run that finished (exit 0)
    # is applied.
    var failed = $false
    var out = (
        try {
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
    var watch names = [] []
    if (and (has-key $doc watch) (not-eq $doc[watch] $nil)) { set watch = $doc[watch] }
    if (and (has-key $doc names) (not-eq $doc[names] $nil)) { set names = $doc[names] }
    set __hfenv_paths = (__hfenv_sort $watch $names)
    set __hfenv_dirty = $failed
    try {
        set __hfenv_seen = (__hfenv_snapshot $__hfenv_paths)
    } catch e {
        set __hfenv_dirty = $true
    }
    if (and (eq $old $__hfenv_paths) (not-eq $before $__hfenv_seen)) {
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

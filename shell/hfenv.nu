# hfenv hook for nushell. Save it once (again after moving or upgrading hfenv), at a nu prompt:
#   hfenv hook nushell | save -f ($nu.default-config-dir | path join hfenv.nu)
# and load it as a module from config.nu:
#   use ($nu.default-config-dir | path join hfenv.nu)
#
# A module file cannot export a command named like itself, so the wrapper is the module's
# `main`: `use …/hfenv.nu` brings it in as the command `hfenv`.
#
# The `export-env` block installs a pre_prompt hook and an env_change.PWD hook, each tagged
# `__hfenv_hook: true` so that loading the module again replaces them instead of adding more.
# They ask `hfenv export nushell --hook` for JSON operations only when the directory, this shell's
# choice, or a watched file (newer than the stamp) changed. `hide-env` really unsets variables.
# `$env.__HFENV_LAST` (a record: nushell passes only strings to child processes, so a child
# shell starts afresh) remembers what the last load saw and what was already said.

const HFENV_BIN = ::HFENV::

export-env {
    let fresh = {pwd: null, sp: null, stamp: '', timed: [], probe: [], types: [], failed: false, owned: [], cleared: '', env: [], envval: []}
    $env.__HFENV_LAST = if ($env.__HFENV_LAST? | describe | str starts-with 'record') {
        $fresh | merge $env.__HFENV_LAST
    } else {
        $fresh
    }
    let prompt_hook = {__hfenv_hook: true, code: {|| __hfenv_hook }}
    let pwd_hook = {__hfenv_hook: true, code: {|before, after| __hfenv_hook }}
    let config = ($env.config? | default {})
    let hooks = ($config.hooks? | default {})
    let change = ($hooks.env_change? | default {})
    # First, so the variables are in place before the user's own hooks run.
    let pre = ($hooks.pre_prompt? | default [] | where {|h| not (__hfenv_tagged $h) } | prepend $prompt_hook)
    let pwd = ($change.PWD? | default [] | where {|h| not (__hfenv_tagged $h) } | prepend $pwd_hook)
    $env.config = ($config | upsert hooks ($hooks | upsert pre_prompt $pre | upsert env_change ($change | upsert PWD $pwd)))
}

def __hfenv_tagged [hook: any] {
    (($hook | describe | str starts-with 'record') and ($hook.__hfenv_hook? == true))
}

# hfenv keeps the values to restore itself (a private file in its state directory), so the
# operations are plain sets and unsets.
def --env __hfenv_apply [ops: list] {
    # In two batches: one command per variable is quadratic in nushell, and a `.env` can hold
    # thousands. Each name appears once in a transition, so the order between them is free.
    let unsets = ($ops | where {|op| ($op | get 0) == 'unset' } | each {|op| $op | get 1 })
    if ($unsets | is-not-empty) { hide-env -i ...$unsets }
    let sets = ($ops | where {|op| ($op | get 0) == 'set' })
    let plain = ($sets | where {|op| ($op | get 1) != 'PATH' })
    if ($plain | is-not-empty) {
        load-env ($plain | each {|op| {name: ($op | get 1), value: ($op | get 2)} } | transpose -r -d)
    }
    # nushell keeps PATH as a list.
    for op in ($sets | where {|op| ($op | get 1) == 'PATH' }) {
        $env.PATH = ($op | get 2 | split row (char esep))
    }
}

# Builtins only (`ls` reads nanosecond mtimes): a steady prompt starts no process.
def __hfenv_changed [] {
    let last = $env.__HFENV_LAST
    let sp = ($env.HFENV_SHELL_PROFILE? | default '')
    if $last.failed or ($last.stamp == '') or ($last.pwd != $env.PWD) or ($last.sp != $sp) { return true }
    # A watched variable (a `token_env` profile's) that no longer holds its value at the last load.
    let moved = ($last.env | enumerate | any {|e|
        let now = if ($e.item in $env) { $"S:($env | get $e.item)" } else { 'U' }
        $now != ($last.envval | get $e.index)
    })
    if $moved { return true }
    # A browser login due for a refresh (`until` is a unix time).
    let until = ($last.until? | default null)
    if $until != null and ((date now | into int) // 1_000_000_000) >= $until { return true }
    try {
        # `ls` is slow per path, so the current directory's ancestors are checked through the
        # names looked for in them (`path type`, one call for all), and one `ls` reads the
        # stamp and every other watched path.
        if (__hfenv_types $last.probe) != $last.types { return true }
        let times = (ls -D $last.stamp ...$last.timed | get modified)
        $times | skip 1 | any {|m| $m > ($times | first) }
    } catch {
        # A stamp that is gone (or anything unreadable) means: ask the binary.
        true
    }
}

# Sorts a load's watched paths: the current directory and its ancestors matter through the
# names looked for in them; other directories and files through their mtime; a path that is
# absent through appearing.
def __hfenv_sort [watch: list, names: list] {
    let here = $env.PWD
    let kinds = ($watch | zip (__hfenv_types $watch))
    let ancestors = ($kinds | where {|k| $k.1 == 'dir' and ($here == $k.0 or ($here | str starts-with ($k.0 | str trim --right --char '/' | $in + '/'))) } | each {|k| $k.0 })
    let cands = ($ancestors | each {|d| $names | each {|n| $d | path join $n } } | flatten)
    let timed = ($kinds | where {|k| $k.1 in ['file' 'dir'] and not ($k.0 in $ancestors) } | each {|k| $k.0 })
    let absent = ($kinds | where {|k| not ($k.1 in ['file' 'dir' 'symlink']) } | each {|k| $k.0 })
    let probe = ($cands | append $absent)
    {timed: $timed, probe: $probe, types: (__hfenv_types $probe)}
}

# What each path is; one that cannot even be looked at (a file where a directory should be)
# is `?` rather than an error.
def __hfenv_types [paths: list] {
    try { $paths | path type } catch { $paths | each {|p| try { $p | path type } catch { '?' } } }
}

# Failing closed: when hfenv cannot run (binary gone, failing), the variables it set (`owned`
# in its last answer, names only) go, it is said once, the hook retries at every prompt, and
# the next run is told what was cleared (`__HFENV_CLEARED`) so the user's own values return.
def --env __hfenv_fail_closed [why: string] {
    let last = $env.__HFENV_LAST
    if not $last.failed {
        print -e $"hfenv: ($why) — the variables hfenv set were removed until it works again"
    }
    if ($last.owned | is-not-empty) { hide-env -i ...$last.owned }
    $env.__HFENV_LAST = ($last | merge {
        failed: true
        cleared: ([$last.cleared ...$last.owned] | str join ' ')
        owned: []
    })
}

def --env __hfenv_load [] {
    if not ($HFENV_BIN | path exists) {
        __hfenv_fail_closed $"($HFENV_BIN) is missing \(reinstall hfenv or remove the hook from your config.nu\)"
        return
    }
    # A failing binary is said once: after that its complaints are silenced until it works
    # again, so a broken state never nags at every prompt. Only a run that finished (exit 0)
    # is applied.
    let quiet = $env.__HFENV_LAST.failed
    let out = (with-env {__HFENV_STAMP: $env.__HFENV_LAST.stamp, __HFENV_PID: ($nu.pid | into string), __HFENV_CLEARED: $env.__HFENV_LAST.cleared} {
        do { run-external $HFENV_BIN 'export' 'nushell' '--hook' } | complete
    })
    if not $quiet { print -e -n $out.stderr }
    # `catch` runs a closure, where `return` would not leave this command: yield null instead.
    let doc = if $out.exit_code == 0 { try { $out.stdout | from json } catch { null } } else { null }
    if $doc == null {
        __hfenv_fail_closed '`hfenv export` failed'
        return
    }
    __hfenv_apply $doc.ops
    let sorted = (__hfenv_sort ($doc.watch? | default []) ($doc.names? | default []))
    $env.__HFENV_LAST = ($env.__HFENV_LAST | merge $sorted | merge {
        pwd: ($doc.pwd? | default $env.PWD)
        sp: ($doc.sp? | default '')
        stamp: ($doc.stamp? | default '')
        owned: ($doc.owned? | default [])
        env: ($doc.env? | default [])
        envval: ($doc.envval? | default [])
        failed: false
        cleared: ''
        until: ($doc.until? | default null)
    })
}

def --env __hfenv_hook [] {
    if (__hfenv_changed) { __hfenv_load }
}

# `use --shell` must change this shell, which only shell code can do. Everything else (help
# included) runs as is, so nothing meant for people is ever parsed.
# Other commands' output is this command's output, so `hfenv profiles | lines` works.
export def --env --wrapped main [...args: string@__hfenv_complete] {
    let use = (($args | first 1) == ['use'])
    let help = (('--help' in $args) or ('-h' in $args))
    # Allowing or denying a `.env` applies at once too.
    let trust = (($args | first 1) == ['allow']) or (($args | first 1) == ['deny'])
    if $trust and not $help {
        run-external $HFENV_BIN ...$args
        __hfenv_hook
    } else if not $use or $help {
        run-external $HFENV_BIN ...$args
    } else {
        if ('--shell' in $args) {
            let doc = (with-env {HFENV_HOOK_SHELL: 'nushell'} { run-external $HFENV_BIN ...$args | from json })
            __hfenv_apply $doc.ops
        } else {
            run-external $HFENV_BIN ...$args
        }
        # A new choice applies to the very next command, not only after the next prompt.
        __hfenv_hook
    }
}

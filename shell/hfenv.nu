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
# They ask `hfenv export nushell --hook` for JSON operations only when something that decides the
# answer changed, checked with builtins alone: this shell's choice; a variable the answer read;
# each file or directory it was read from, whose time (`ls`) must equal its reference file's,
# read once per load (newer or older means changed: one edit costs one export, a file renamed
# into place with an old date is seen too); the candidate files absent from the current directory and the working
# tree's root, and config or state files that do not exist yet, which must stay absent (`path
# type`: a dangling link or a FIFO counts). A change of directory within the region where the
# answer is provably the same (below `base`, no symlink, candidate file or `.git` on the way, no
# `[dirs]` rule crossed; src/region.rs) runs nothing either. `hide-env` really unsets variables.
# `$env.__HFENV_LAST` (a record: nushell passes only strings to child processes, so a child
# shell starts afresh) remembers what the last load saw and what was already said.

const HFENV_BIN = ::HFENV::

export-env {
    let fresh = {pwd: null, sp: null, stamp: '', watch: [], refs: [], times: [], links: [], absent: [], here: [], names: [], marks: [], base: null, bars: [], probe: [], failed: false, owned: [], cleared: '', env: [], envval: [], cdenv: [], cdenvval: []}
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

# Builtins only (`ls` reads nanosecond mtimes, `path type` does not follow links): a steady
# prompt starts no process. Every nushell command costs, `ls` about as much as a process per
# path and a closure (`any {|x| …}`) hundreds of microseconds: the references' times are read
# once per load (`times`), a prompt lists only the watched paths, and lists are tested with
# operators rather than closures.
def --env __hfenv_changed [] {
    let last = $env.__HFENV_LAST
    let sp = ($env.HFENV_SHELL_PROFILE? | default '')
    if $last.failed or ($last.stamp == '') or ($last.sp != $sp) or not ($last.stamp | path exists) { return true }
    if ($last.pwd != $env.PWD) and not (__hfenv_within) { return true }
    let last = $env.__HFENV_LAST
    if ($last.env | is-not-empty) and (__hfenv_moved $last.env $last.envval) { return true }
    # A browser login due for a refresh (`until` is a unix time).
    let until = ($last.until? | default null)
    if $until != null and ((date now | into int) // 1_000_000_000) >= $until { return true }
    # A path whose time the binary could not trust (no reference): ask again.
    if (null in $last.times) { return true }
    try {
        let probe = ($last.here | append $last.absent)
        if ($probe | is-not-empty) and ((__hfenv_types $probe | str join '') != '') { return true }
        if ($last.links | is-not-empty) and ((__hfenv_types $last.links | uniq) != ['symlink'] or (true in ($last.links | path exists))) { return true }
        if ($last.watch | is-empty) { return false }
        # Each watched path's time against its reference's, read at the load.
        (ls -D ...$last.watch | get modified) != $last.times
    } catch {
        # A watched path that is gone (or anything unreadable) means: ask the binary.
        true
    }
}

# A watched variable that no longer holds its value at the last load (a list such as PATH
# counts joined, as a child process sees it).
def __hfenv_moved [names: list, values: list] {
    $names | enumerate | any {|e|
        let now = if ($e.item in $env) {
            let v = ($env | get $e.item)
            let v = if ($v | describe | str starts-with 'list') { $v | str join (char esep) } else { $v | into string }
            $"S:($v)"
        } else { 'U' }
        $now != ($values | get $e.index)
    }
}

# The shell moved to `$env.PWD`: is it in the region where the answer cannot change? Then the
# current directory's candidates are watched from now on and no process is started.
def --env __hfenv_within [] {
    let last = $env.__HFENV_LAST
    let here = $env.PWD
    if $last.base == null { return false }
    let b = if $last.base == '/' { '' } else { $last.base }
    if not (($here == $b) or ($here | str starts-with $"($b)/")) { return false }
    if ($last.bars | any {|d| ($here == $d) or ($here | str starts-with $"($d)/") }) { return false }
    # The variables the answer read besides a profile's (`.env` interpolation, where files are
    # looked for).
    if (__hfenv_moved $last.cdenv $last.cdenvval) { return false }
    let rest = ($here | str substring (($b | str length --grapheme-clusters)).. --grapheme-clusters)
    let comps = if $rest == '' { [] } else { $rest | split row '/' | skip 1 }
    # `//`, `.` or `..`: not a path this test can follow.
    if ($comps | any {|c| $c in ['' '.' '..'] }) { return false }
    # The walk below looks each path up from `/`, a lookup per component: past a dozen levels
    # below the base, or in a very deep tree, one export costs less.
    if (($comps | length) > 12) or (($here | split row '/' | length) > 65) { return false }
    let dirs = ($comps | enumerate | each {|c| [$b ...($comps | first ($c.index + 1))] | str join '/' })
    if ($dirs | is-not-empty) and (__hfenv_types $dirs | any {|t| $t != 'dir' }) { return false }
    let cands = ($dirs | each {|d| $last.marks | each {|n| $"($d)/($n)" } } | flatten)
    let probe = ($cands | append $last.probe)
    if ($probe | is-not-empty) and (__hfenv_types $probe | any {|t| $t | is-not-empty }) { return false }
    let top = if $here == '/' { '' } else { $here }
    # Those present are the files the answer was read from (at the base), watched already.
    let mine = ($last.names | each {|n| $"($top)/($n)" })
    let mine = ($mine | zip (__hfenv_types $mine) | where {|p| $p.1 | is-empty } | each {|p| $p.0 })
    $env.__HFENV_LAST = ($last | merge {pwd: $here, here: $mine})
    true
}

# What each path is (without following a link; empty when there is nothing); one that cannot
# even be looked at (a file where a directory should be) is `?` rather than an error.
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
    # The references' times, read once here rather than at every prompt: a reference is dated
    # exactly as its path was read, and changes only with the next load. One the binary could
    # not date (`null`), or a listing that fails, leaves a `null`: the next prompt asks again.
    let refs = ($doc.refs? | default [])
    let times = if ($refs | is-empty) or (null in $refs) { $refs } else {
        try { ls -D ...$refs | get modified } catch { [null] }
    }
    $env.__HFENV_LAST = ($env.__HFENV_LAST | merge {
        pwd: ($doc.pwd? | default $env.PWD)
        sp: ($doc.sp? | default '')
        stamp: ($doc.stamp? | default '')
        watch: ($doc.watch? | default [])
        refs: $refs
        times: $times
        links: ($doc.links? | default [])
        absent: ($doc.absent? | default [])
        here: ($doc.here? | default [])
        names: ($doc.names? | default [])
        marks: ($doc.marks? | default [])
        base: ($doc.base? | default null)
        bars: ($doc.bars? | default [])
        probe: ($doc.probe? | default [])
        owned: ($doc.owned? | default [])
        env: ($doc.env? | default [])
        envval: ($doc.envval? | default [])
        cdenv: ($doc.cdenv? | default [])
        cdenvval: ($doc.cdenvval? | default [])
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

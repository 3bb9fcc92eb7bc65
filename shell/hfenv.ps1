# hfenv hook for PowerShell 7+. Add this line to $PROFILE:
#   Invoke-Expression (& hfenv hook powershell | Out-String)
#
# The hook wraps `function global:prompt`: before the user's own prompt runs it checks, with
# cmdlets alone, whether the directory, this shell's choice, a file the answer was read from
# (its time against a reference file dated as it was read) or an absent candidate file changed;
# only then does it ask `hfenv export powershell --hook` for JSON operations. Unlike the other
# hooks it does not test the region (src/region.rs): every change of directory asks.
# `$?` and `$LASTEXITCODE` are handed to the user's prompt unchanged. hfenv keeps the values to
# restore in a private file, never in the environment. Running this again keeps the first wrapper.

$global:__hfenv_bin = ::HFENV::
if ($null -eq $global:__hfenv_last) {
    $global:__hfenv_last = @{ pwd = $null; sp = ''; stamp = ''; watch = @() }
}

# hfenv keeps the values to restore itself (a private file in its state directory), so the
# operations are plain sets and unsets.
function global:__hfenv_apply($ops) {
    foreach ($op in $ops) {
        $name = $op[1]
        switch ($op[0]) {
            'set' { Set-Item -LiteralPath "env:$name" -Value $op[2] }
            'unset' { Remove-Item -LiteralPath "env:$name" -ErrorAction SilentlyContinue }
        }
    }
}

function global:__hfenv_changed {
    $last = $global:__hfenv_last
    $sp = if ($null -ne $env:HFENV_SHELL_PROFILE) { $env:HFENV_SHELL_PROFILE } else { '' }
    if (-not $last.stamp -or -not (Test-Path -LiteralPath $last.stamp)) { return $true }
    if ($last.pwd -ne $PWD.ProviderPath -or $last.sp -ne $sp) { return $true }
    # A browser login due for a refresh (`until` is a unix time).
    if ($null -ne $last.until -and [DateTimeOffset]::UtcNow.ToUnixTimeSeconds() -ge $last.until) { return $true }
    # Each path the answer was read from against its reference file, dated as it was read:
    # newer or older means changed (an edit, or a file renamed into place with an old date).
    for ($i = 0; $i -lt $last.watch.Count; $i++) {
        $ref = $last.refs[$i]
        if (-not $ref) { return $true }
        $item = Get-Item -LiteralPath $last.watch[$i] -Force -ErrorAction SilentlyContinue
        $mark = Get-Item -LiteralPath $ref -Force -ErrorAction SilentlyContinue
        if ($null -eq $item -or $null -eq $mark -or $item.LastWriteTimeUtc -ne $mark.LastWriteTimeUtc) { return $true }
    }
    # Candidate files absent from this directory and the working tree's root, and config or
    # state files that do not exist yet, must stay absent; dangling links must stay dangling.
    foreach ($p in @($last.here) + @($last.absent)) {
        if ($p -and (Get-Item -LiteralPath $p -Force -ErrorAction SilentlyContinue)) { return $true }
    }
    foreach ($p in @($last.links)) {
        if ($p -and ((Test-Path -LiteralPath $p) -or -not (Get-Item -LiteralPath $p -Force -ErrorAction SilentlyContinue))) { return $true }
    }
    return $false
}

# Runs the binary with UTF-8 output (values may be any text) and parses its JSON.
function global:__hfenv_json([string[]]$arguments) {
    # PowerShell never updates the PWD it inherited, and hfenv prefers `$env:PWD` (the logical
    # path) when it names the current directory: keep it true.
    if ($PWD.Provider.Name -eq 'FileSystem') { $env:PWD = $PWD.ProviderPath }
    $encoding = [Console]::OutputEncoding
    try {
        [Console]::OutputEncoding = [Text.Encoding]::UTF8
        $out = (& $global:__hfenv_bin @arguments) -join "`n"
    } finally {
        [Console]::OutputEncoding = $encoding
    }
    if ($LASTEXITCODE -ne 0 -or -not $out) { return $null }
    return ($out | ConvertFrom-Json)
}

function global:__hfenv_load {
    if (-not (Test-Path -LiteralPath $global:__hfenv_bin -PathType Leaf)) {
        # Once per shell: a prompt that nags at every command gets the hook removed by hand.
        if (-not $global:__hfenv_warned) {
            [Console]::Error.WriteLine("hfenv: $($global:__hfenv_bin) is missing — reinstall hfenv or remove the hook from your profile")
            $global:__hfenv_warned = $true
        }
        return
    }
    $env:__HFENV_STAMP = $global:__hfenv_last.stamp
    try {
        $doc = __hfenv_json @('export', 'powershell', '--hook')
    } finally {
        Remove-Item env:__HFENV_STAMP -ErrorAction SilentlyContinue
    }
    if ($null -eq $doc) { return }
    __hfenv_apply $doc.ops
    $global:__hfenv_last = @{
        pwd = if ($null -ne $doc.pwd) { $doc.pwd } else { $PWD.ProviderPath }
        sp = if ($null -ne $doc.sp) { $doc.sp } else { '' }
        stamp = if ($null -ne $doc.stamp) { $doc.stamp } else { '' }
        watch = @($doc.watch)
        refs = @($doc.refs)
        here = @($doc.here)
        absent = @($doc.absent)
        links = @($doc.links)
        until = $doc.until
    }
}

function global:__hfenv_hook {
    try {
        if (__hfenv_changed) { __hfenv_load }
    } catch {
        # The prompt must come whatever happened here.
    }
}

# `use --shell` must change this shell, which only shell code can do. Everything else (help
# included) runs as is, so nothing meant for people is ever parsed.
function global:hfenv {
    $use = $args.Count -gt 0 -and $args[0] -eq 'use'
    $trust = $args.Count -gt 0 -and ($args[0] -eq 'allow' -or $args[0] -eq 'deny')
    $help = ($args -contains '--help') -or ($args -contains '-h')
    if ($use -and ($args -contains '--shell') -and -not $help) {
        $env:HFENV_HOOK_SHELL = 'powershell'
        try {
            $doc = __hfenv_json ([string[]]$args)
        } finally {
            Remove-Item env:HFENV_HOOK_SHELL -ErrorAction SilentlyContinue
        }
        if ($null -ne $doc) { __hfenv_apply $doc.ops }
    } else {
        & $global:__hfenv_bin @args
    }
    # A new choice, or a file allowed or denied, applies to the very next command, not only
    # after the next prompt.
    if ($use -or $trust) { __hfenv_hook }
}

# Wrap the prompt once: a second run must not wrap our own wrapper.
if (-not $global:__hfenv_wrapped) {
    $global:__hfenv_wrapped = $true
    $global:__hfenv_prompt = $function:prompt
    function global:prompt {
        # Both first: anything else run here would overwrite them.
        $status = $?
        $exitCode = $global:LASTEXITCODE
        __hfenv_hook
        $global:LASTEXITCODE = $exitCode
        # The user's prompt may show the last status: make `$?` false again for it.
        if (-not $status) { Write-Error '' -ErrorAction Ignore }
        if ($null -ne $global:__hfenv_prompt) { & $global:__hfenv_prompt } else { "PS $($PWD.ProviderPath)> " }
    }
}

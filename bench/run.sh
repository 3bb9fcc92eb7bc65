#!/usr/bin/env bash
# Benchmarks the hook's paths with hyperfine, against direnv when it is installed.
#   bench/run.sh [path/to/hfenv]     (default: target/release/hfenv, built if missing)
# Prints a Markdown table; bench/RESULTS.md holds the last numbers we recorded.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-target/release/hfenv}
[ -x "$BIN" ] || cargo build --release --quiet
BIN=$(realpath "$BIN")
command -v hyperfine >/dev/null || { echo "bench: hyperfine is required (apt-get install hyperfine)" >&2; exit 1; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export HOME=$T/home XDG_CONFIG_HOME=$T/home/.config XDG_STATE_HOME=$T/home/.local/state XDG_CACHE_HOME=$T/home/.cache
unset HF_TOKEN HUGGING_FACE_HUB_TOKEN __HFENV_STATE __HFENV_PATH HFENV_SHELL_PROFILE DIRENV_DIR DIRENV_FILE DIRENV_DIFF DIRENV_WATCHES
mkdir -p "$HOME/proj/model"

# --- fixture: one profile, a 100-line .env, a directory rule -------------------------------
printf '%s\n' hf_FakeBenchTokenAAAAAAAAAAAAAAAAAAAA1111 | "$BIN" add work --token-stdin --no-verify >/dev/null
"$BIN" use work --dir "$HOME/proj" 2>/dev/null
for i in $(seq 1 100); do printf 'VAR_%03d="value number %d with ${HOME} inside"\n' "$i" "$i"; done >"$HOME/proj/.env"
(cd "$HOME/proj" && "$BIN" allow >/dev/null)

# --- fixture: scale — 1,000 profiles, a 10,000-line .env, a 40-deep directory -----------------
S=$T/scale
mkdir -p "$S/home"
{
    for i in $(seq 1 1000); do printf '[profiles.p%04d]\ntoken = "hf_BenchScale%030d"\n\n' "$i" "$i"; done
    printf '[dirs]\n"%s/home/deep" = "p0500"\n' "$S"
} >"$S/config.toml"
deep=$S/home/deep
for i in $(seq 1 40); do deep=$deep/d$i; done
mkdir -p "$deep"
for i in $(seq 1 10000); do printf 'SCALE_%05d=value-%d\n' "$i" "$i"; done >"$deep/.env"
(cd "$deep" && HOME=$S/home HFENV_CONFIG=$S/config.toml "$BIN" allow >/dev/null)

cd "$HOME/proj/model"
runs=(--warmup 20 --min-runs 200 -N --export-markdown "$T/export.md")
cmds=(-n 'spawn floor (/bin/true)' /bin/true
    -n 'hfenv export bash (enter: profile + 100-line .env)' "$BIN export bash")
if command -v direnv >/dev/null; then
    printf 'dotenv\n' >"$HOME/proj/.envrc"
    (cd "$HOME/proj" && direnv allow . 2>/dev/null)
    cmds+=(-n 'direnv export bash (enter: dotenv of the same .env)' "direnv export bash")
fi
if command -v mise >/dev/null; then
    cmds+=(-n 'mise hook-env -s bash' "mise hook-env -s bash")
fi
hyperfine "${runs[@]}" "${cmds[@]}" >/dev/null 2>&1 || hyperfine "${runs[@]}" "${cmds[@]}"
echo "## Entering a directory (one \`export\`, cold state)"
echo
cat "$T/export.md"
(cd "$deep" && export HOME=$S/home HFENV_CONFIG=$S/config.toml PWD=$deep &&
    hyperfine --warmup 5 --min-runs 50 -N --export-markdown "$T/scale.md" \
        -n 'hfenv export bash (scale: 1,000 profiles, 10,000-line .env, 40 deep)' "$BIN export bash" >/dev/null)
echo
cat "$T/scale.md"

# --- steady state: the prompt hook when nothing changed --------------------------------------
n=2000
hook_loop() { # $1 = rc snippet, $2 = hook function
    bash --noprofile --norc -c "$1
cd '$HOME/proj/model'; $2
# Files changed within the stamp's one-second margin are re-read once more; wait that out so
# this measures the steady state.
sleep 1.2; $2
start=\$EPOCHREALTIME
for ((i = 0; i < $n; i++)); do $2; done
end=\$EPOCHREALTIME
awk -v s=\"\$start\" -v e=\"\$end\" -v n=$n 'BEGIN { printf \"%.3f\", (e - s) * 1000000 / n }'" 2>/dev/null
}
echo
echo "## Prompt when nothing changed (bash, mean of $n prompts)"
echo
echo "| hook | µs per prompt |"
echo "|:---|---:|"
echo "| hfenv (\`__hfenv_hook\`) | $(hook_loop "eval \"\$('$BIN' hook bash --no-completions)\"" __hfenv_hook) |"
echo "| baseline: \`\$(/bin/true)\` (one process spawn) | $(hook_loop ':' '__x=$(/bin/true)') |"
if command -v direnv >/dev/null; then
    echo "| direnv (\`_direnv_hook\`) | $(hook_loop 'eval "$(direnv hook bash)"' _direnv_hook) |"
fi

# --- steady state in elvish and nushell: their hooks without the line editor ---------------------
# The hook's own functions are called in a loop, after the same one-second wait; the baseline is
# one process spawn from that shell.
elvish_loop() { # $1 = code run per prompt
    elvish -norc -c "$("$BIN" hook elvish --no-completions | grep -v '^set edit:\|^edit:')
cd '$HOME/proj/model'; __hfenv_hook
sleep 1.2; __hfenv_hook
var t = 0
time &on-end={|d| set t = \$d } { for i [(range $n)] { $1 } }
printf '%.3f' (/ (* \$t 1000000) $n)" 2>/dev/null
}
nu_loop() { # $1 = code run per prompt, with $hook the hook's pre_prompt closure
    "$BIN" hook nushell --no-completions >"$T/hfenv.nu"
    nu --no-config-file -c "use '$T/hfenv.nu'
cd '$HOME/proj/model'
let hook = (\$env.config.hooks.pre_prompt | where {|h| (\$h | describe | str starts-with 'record') } | first | get code)
do --env \$hook
sleep 1.2sec
do --env \$hook
let t = (timeit { for i in 1..$n { $1 } })
print -n ((\$t | into int) / $n / 1000 | math round --precision 3)" 2>/dev/null
}
if command -v elvish >/dev/null && command -v nu >/dev/null; then
    echo
    echo "## Prompt when nothing changed (elvish and nushell, mean of $n prompts)"
    echo
    echo "| shell | hfenv's hook, µs | one process spawn, µs |"
    echo "|:---|---:|---:|"
    echo "| elvish $(elvish -version | cut -d+ -f1) | $(elvish_loop __hfenv_hook) | $(elvish_loop e:true) |"
    echo "| nushell $(nu --version) | $(nu_loop 'do --env $hook') | $(nu_loop '^true') |"
fi
echo
echo "Machine: $(nproc) cores, $(uname -sr); hfenv $("$BIN" --version | cut -d' ' -f2)."

#!/usr/bin/env bash
# Benchmarks every performance target of hfenv against direnv and mise on the same fixtures.
#   BENCH_QUICK=1 PROMPTS=50 PEER_PROMPTS=5 bench/run.sh ...   (a quick check of the script itself)
#   bench/run.sh [--install-peers] [path/to/hfenv]   (default: the release build, built if missing)
# Needs hyperfine and python3; direnv and mise are compared when installed, and required with
# BENCH_PEERS=required. --install-peers installs them from the registries, as .ci/run installs
# the tests' peers: direnv from Debian (apt-get), mise from npm (`@jdxcode/mise`, which brings
# the real binary).
# Prints Markdown; bench/RESULTS.md holds the last numbers we recorded. Times are medians.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = --install-peers ]; then
    shift
    as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
    command -v direnv >/dev/null || {
        as_root apt-get update -qq
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq direnv hyperfine >/dev/null
    }
    command -v mise >/dev/null || as_root npm install -g --silent @jdxcode/mise >/dev/null
    BENCH_PEERS=required
fi
BIN=${1:-}
if [ -z "$BIN" ]; then
    cargo build --release --quiet
    BIN=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
    BIN=$( (ls -t "$BIN"/*/release/hfenv "$BIN"/release/hfenv 2>/dev/null || true) | head -1)
fi
BIN=$(realpath "$BIN")
for tool in hyperfine python3 bash; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is required" >&2; exit 1; }
done
peers=()
for peer in direnv mise; do
    if command -v "$peer" >/dev/null; then
        peers+=("$peer")
    elif [ "${BENCH_PEERS:-}" = required ]; then
        echo "bench: $peer is required (BENCH_PEERS=required)" >&2
        exit 1
    fi
done
has() { [[ " ${peers[*]-} " == *" $1 "* ]]; }
shells=(bash)
for sh in zsh fish; do command -v "$sh" >/dev/null && shells+=("$sh"); done

# Fixtures live outside /tmp: the hook watches a directory's ancestors, and on a shared machine
# /tmp changes all the time, which would make every prompt an export.
T=$(mktemp -d "${BENCH_TMP:-/var/tmp}/hfenv-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT
# Measured as installed: `cargo install`, pip and the README's install copy the binary. A copy
# and the linker's own output differ at start-up: the kernel caches a file written in large
# pieces in large pages and maps more of it per fault (84 page faults for `--version` against
# 94 straight from target/, measured with `perf stat`).
install -m 755 "$BIN" "$T/hfenv"
BIN=$T/hfenv
unset HF_TOKEN HUGGING_FACE_HUB_TOKEN __HFENV_STATE __HFENV_PATH HFENV_SHELL_PROFILE HFENV_CONFIG \
    DIRENV_DIR DIRENV_FILE DIRENV_DIFF DIRENV_WATCHES __MISE_DIFF __MISE_SESSION __MISE_WATCH MISE_SHELL
# One hermetic home per fixture: config, state, and the peers' own data all live under it.
sandbox() { # $1 = home
    export HOME=$1 XDG_CONFIG_HOME=$1/.config XDG_STATE_HOME=$1/.local/state XDG_CACHE_HOME=$1/.cache \
        XDG_DATA_HOME=$1/.local/share MISE_DATA_DIR=$1/.local/share/mise MISE_CONFIG_DIR=$1/.config/mise \
        MISE_STATE_DIR=$1/.local/state/mise MISE_CACHE_DIR=$1/.cache/mise
    mkdir -p "$1/.config" "$1/.local/state" "$1/.cache"
}
# The same .env for every tool: hfenv trusts it, direnv loads it with `dotenv`, mise with `_.file`.
peer_files() { # $1 = directory holding .env
    printf 'dotenv\n' >"$1/.envrc"
    printf '[env]\n_.file = ".env"\n' >"$1/mise.toml"
    if has direnv; then (cd "$1" && direnv allow . >/dev/null 2>&1); fi
    if has mise; then (cd "$1" && mise trust --quiet . >/dev/null 2>&1); fi
    (cd "$1" && "$BIN" allow >/dev/null)
}
token() { printf 'hf_BenchFakeToken%024d' "$1"; }
deep_dir() { # $1 = base, $2 = depth
    local d=$1 i
    for ((i = 1; i <= $2; i++)); do d=$d/d$i; done
    mkdir -p "$d"
    printf '%s' "$d"
}
profiles() { # $1 = count; one per table, as `hfenv add` writes them
    awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++) printf "[profiles.p%05d]\ntoken = \"hf_BenchFakeToken%024d\"\n\n", i, i }'
}

# Each measurement: hyperfine -N (no shell in between), its JSON kept for the tables.
measure() { # $1 = id, $2 = directory, $3... = hyperfine -n NAME CMD pairs
    local id=$1 dir=$2
    shift 2
    [ -n "${BENCH_QUICK:-}" ] && RUNS=3
    (cd "$dir" && PWD=$dir hyperfine -N --warmup "${WARMUP:-10}" --min-runs "${RUNS:-100}" --export-json "$T/$id.json" "$@" >/dev/null 2>&1) ||
        (cd "$dir" && PWD=$dir hyperfine -N --warmup 3 --min-runs 10 --export-json "$T/$id.json" "$@")
}
table() { # $@ = JSON files; median, and × the first row when $RELATIVE is set
    python3 - "$@" <<'EOF'
import json, os, sys
rows = [r for f in sys.argv[1:] for r in json.load(open(f))["results"]]
base = rows[0]["median"]
rel = os.environ.get("RELATIVE")
print("| command | median ms | min ms |" + (" × first row |" if rel else ""))
print("|:---|---:|---:|" + ("---:|" if rel else ""))
for r in rows:
    line = f"| {r['command']} | {r['median'] * 1e3:.2f} | {r['min'] * 1e3:.2f} |"
    if rel:
        line += f" {r['median'] / base:.2f} |"
    print(line)
EOF
}

# --- fixture 1: enter a directory — one profile, a 100-line .env, a directory rule -----------
H1=$T/enter
sandbox "$H1"
mkdir -p "$H1/proj/model"
token 1 | "$BIN" add work --token-stdin --no-verify >/dev/null
"$BIN" use work --dir "$H1/proj" 2>/dev/null
for i in $(seq 1 100); do printf 'VAR_%03d="value number %d with ${HOME} inside"\n' "$i" "$i"; done >"$H1/proj/.env"
peer_files "$H1/proj"
# What the hook itself runs on entering also keeps its bookkeeping (the store of values to
# restore, the reference dates of what it read): measured for a shell that loaded once already.
__HFENV_PID=$$ __HFENV_STAMP=$(cd "$H1/proj/model" && PWD=$H1/proj/model __HFENV_PID=$$ "$BIN" export bash --hook |
    sed -n "s/^__hfenv_stamp='\(.*\)'\$/\1/p")
export __HFENV_PID __HFENV_STAMP
enter=(-n '/bin/true (a bare process)' /bin/true
    -n 'hfenv --version' "$BIN --version"
    -n 'hfenv export bash' "$BIN export bash"
    -n 'hfenv export bash --hook (what the hook runs)' "$BIN export bash --hook")
has direnv && enter+=(-n 'direnv export bash' 'direnv export bash')
has mise && enter+=(-n 'mise hook-env -s bash' 'mise hook-env -s bash')
RUNS=100 measure enter "$H1/proj/model" "${enter[@]}"
unset __HFENV_PID __HFENV_STAMP

echo "## Entering a directory: profile + 100-line \`.env\` (target: hfenv ≤ 1.3× \`/bin/true\`)"
echo
RELATIVE=1 table "$T/enter.json"

# --- the prompt when nothing changed, depth 5 and 200 ----------------------------------------
# Each shell runs its hook function n times in a loop after one warm-up prompt; the cost per
# prompt is the mean. (The peers' hooks get a pause first: a stamp margin of hfenv's, now gone,
# needed it, and it keeps the peers' numbers comparable with earlier recordings.)
prompt_cost() { # $1 = shell, $2 = tool, $3 = directory, $4 = prompts
    local sh=$1 tool=$2 dir=$3 n=$4 init hook
    case $tool in
    hfenv) init="$BIN hook $sh --no-completions" hook=__hfenv_hook ;;
    direnv) init="direnv hook $sh" hook=$([ "$sh" = fish ] && echo __direnv_export_eval || echo _direnv_hook) ;;
    mise) init="mise activate $sh" hook=$([ "$sh" = fish ] && echo __mise_env_eval || echo _mise_hook) ;;
    none) init=true hook=: ;;
    esac
    case $sh in
    bash) bash --noprofile --norc -c "eval \"\$($init)\"; cd '$dir'; $hook; sleep 1.2; $hook
s=\$EPOCHREALTIME; for ((i = 0; i < $n; i++)); do $hook; done; e=\$EPOCHREALTIME
echo \"\$s \$e\"" ;;
    zsh) zsh -f -c "zmodload zsh/datetime; eval \"\$($init)\"; cd '$dir'; $hook; sleep 1.2; $hook
s=\$EPOCHREALTIME; for ((i = 0; i < $n; i++)); do $hook; done; e=\$EPOCHREALTIME
echo \"\$s \$e\"" ;;
    fish) fish --no-config -c "$init | source; cd '$dir'; $hook; sleep 1.2; $hook
set s (date +%s.%N); for i in (seq $n); $hook; end; set e (date +%s.%N)
echo \$s \$e" ;;
    esac 2>/dev/null | tail -1 | awk -v n="$n" '{ printf "%.0f", ($2 - $1) * 1000000 / n }'
}
H2=$T/prompt
sandbox "$H2"
token 1 | "$BIN" add work --token-stdin --no-verify >/dev/null
for i in $(seq 1 100); do printf 'VAR_%03d=value-%d\n' "$i" "$i"; done >"$H2/.env"
"$BIN" use work --dir "$H2" 2>/dev/null
peer_files "$H2"
d5=$(deep_dir "$H2" 5)
d200=$(deep_dir "$H2" 200)
echo
echo "## Prompt when nothing changed (µs per prompt; target: hfenv no spawn, ≤ 60 µs in bash and zsh, ≤ 100 µs in fish at depth 5, ≤ 1.5× that at depth 200)"
echo
echo "| shell | depth | hfenv | direnv | mise | one spawn \`\$(/bin/true)\` |"
echo "|:---|---:|---:|---:|---:|---:|"
for sh in "${shells[@]}"; do
    for depth in 5 200; do
        dir=$d5
        [ "$depth" = 200 ] && dir=$d200
        row="| $sh | $depth | $(prompt_cost "$sh" hfenv "$dir" "${PROMPTS:-2000}")"
        for peer in direnv mise; do
            # Peers at depth 200 are slow (mise takes seconds per prompt there): fewer prompts.
            peer_n=${PEER_PROMPTS:-100}
            [ "$depth" = 200 ] && peer_n=$(((peer_n + 9) / 10))
            if has "$peer"; then row+=" | $(prompt_cost "$sh" "$peer" "$dir" "$peer_n")"; else row+=" | –"; fi
        done
        if [ "$sh" = fish ]; then
            spawn=$(fish --no-config -c "set s (date +%s.%N); for i in (seq 300); set x (/bin/true); end; set e (date +%s.%N); echo \$s \$e" | awk '{ printf "%.0f", ($2 - $1) * 1000000 / 300 }')
        else
            spawn=$("$sh" -c '[ -n "${ZSH_VERSION-}" ] && zmodload zsh/datetime; s=$EPOCHREALTIME; for ((i = 0; i < 300; i++)); do x=$(/bin/true); done; e=$EPOCHREALTIME; echo "$s $e"' 2>/dev/null |
                awk '{ printf "%.0f", ($2 - $1) * 1000000 / 300 }')
        fi
        echo "$row | $spawn |"
    done
done

# --- a cd that cannot change the answer (issue 11 item 6): hfenv's hook, no spawn ---------------
cd_cost() { # $1 = shell, $2 = directory holding x/ and y/, $3 = round trips
    local sh=$1 dir=$2 n=$3
    case $sh in
    bash) bash --noprofile --norc -c "eval \"\$($BIN hook bash --no-completions)\"; cd '$dir/x'; __hfenv_hook
s=\$EPOCHREALTIME; for ((i = 0; i < $n; i++)); do cd ../y; __hfenv_hook; cd ../x; __hfenv_hook; done; e=\$EPOCHREALTIME
echo \"\$s \$e\"" ;;
    zsh) zsh -f -c "zmodload zsh/datetime; eval \"\$($BIN hook zsh --no-completions)\"; cd '$dir/x'; __hfenv_hook
s=\$EPOCHREALTIME; for ((i = 0; i < $n; i++)); do cd ../y; __hfenv_hook; cd ../x; __hfenv_hook; done; e=\$EPOCHREALTIME
echo \"\$s \$e\"" ;;
    esac 2>/dev/null | tail -1 | awk -v n="$n" '{ printf "%.0f", ($2 - $1) * 1000000 / (2 * n) }'
}
mkdir -p "$d5/x" "$d5/y" "$d200/x" "$d200/y"
echo
echo "## A \`cd\` within the same outcome (µs per \`cd\` + hook, hfenv; no process started)"
echo
echo "| shell | depth 5 | depth 200 |"
echo "|:---|---:|---:|"
for sh in bash zsh; do
    command -v "$sh" >/dev/null || continue
    echo "| $sh | $(cd_cost "$sh" "$d5" "${CD_TRIPS:-500}") | $(cd_cost "$sh" "$d200" "${CD_TRIPS:-500}") |"
done

n=${PROMPTS:-2000}
# --- steady state in elvish and nushell: their hooks without the line editor ---------------------
# The hook's own functions are called in a loop, after the same one-second wait; the baseline is
# one process spawn from that shell.
elvish_loop() { # $1 = code run per prompt
    elvish -norc -c "$("$BIN" hook elvish --no-completions | grep -v '^set edit:\|^edit:')
cd '$d5'; __hfenv_hook
sleep 1.2; __hfenv_hook
var t = 0
time &on-end={|d| set t = \$d } { for i [(range $n)] { $1 } }
printf '%.3f' (/ (* \$t 1000000) $n)" 2>/dev/null
}
nu_loop() { # $1 = code run per prompt, with $hook the hook's pre_prompt closure
    "$BIN" hook nushell --no-completions >"$T/hfenv.nu"
    nu --no-config-file -c "use '$T/hfenv.nu'
cd '$d5'
let hook = (\$env.config.hooks.pre_prompt | where {|h| (\$h | describe | str starts-with 'record') } | first | get code)
do --env \$hook
sleep 1.2sec
do --env \$hook
let t = (timeit { for i in 1..$n { $1 } })
print -n ((\$t | into int) / $n / 1000 | math round --precision 3)" 2>/dev/null
}
if command -v elvish >/dev/null && command -v nu >/dev/null; then
    echo
    echo "## Prompt when nothing changed (elvish and nushell, mean of $n prompts, depth 5)"
    echo
    echo "| shell | hfenv's hook, µs | one process spawn, µs |"
    echo "|:---|---:|---:|"
    echo "| elvish $(elvish -version | cut -d+ -f1) | $(elvish_loop __hfenv_hook) | $(elvish_loop e:true) |"
    echo "| nushell $(nu --version) | $(nu_loop 'do --env $hook') | $(nu_loop '^true') |"
fi

# --- scale ------------------------------------------------------------------------------------
# A: 1,000 profiles, a 10,000-line .env, 40 directories deep (target ≤ 3 ms).
HA=$T/scale-a
sandbox "$HA"
deepA=$(deep_dir "$HA/work" 40)
mkdir -p "$HA/.config/hfenv"
{
    profiles 1000
    printf '[dirs]\n"%s" = "p00500"\n' "$HA/work"
} >"$HA/.config/hfenv/config.toml"
lines() { awk -v n="$1" -v p="$2" 'BEGIN { for (i = 1; i <= n; i++) printf "%s_%06d=value-%d\n", p, i, i }'; }
lines 10000 SCALE >"$deepA/.env"
peer_files "$deepA"
# The hook's own run also writes the shell's store and the marker's spilled list: measured for
# a shell that loaded once already (its stamp handed back) and is entering the directory.
stampA=$(cd "$deepA" && PWD=$deepA __HFENV_PID=$$ "$BIN" export bash --hook |
    sed -n "s/^__hfenv_stamp='\(.*\)'\$/\1/p")
scaleA=(-n 'hfenv export bash' "$BIN export bash"
    -n 'hfenv export bash --hook (what the hook runs)' "$BIN export bash --hook")
has direnv && scaleA+=(-n 'direnv export bash' 'direnv export bash')
has mise && scaleA+=(-n 'mise hook-env -s bash' 'mise hook-env -s bash')
# direnv takes seconds here: one warm-up run, a few measured.
__HFENV_STAMP=$stampA WARMUP=1 RUNS=5 measure scaleA "$deepA" "${scaleA[@]}"

# B: 10,000 profiles, the directory's profile chosen by a rule, no .env (target ≤ 8 ms).
HB=$T/scale-b
sandbox "$HB"
mkdir -p "$HB/.config/hfenv" "$HB/work"
{
    profiles 10000
    printf '[dirs]\n"%s" = "p05000"\n' "$HB/work"
} >"$HB/.config/hfenv/config.toml"
RUNS=60 measure scaleB "$HB/work" -n 'hfenv export bash (10,000 profiles)' "$BIN export bash"
RUNS=30 measure listB "$HB/work" -n 'hfenv list (10,000 profiles)' "$BIN list"

# C: a 100,000-line .env (linear: about 10× the 10,000-line case's .env share).
HC=$T/scale-c
sandbox "$HC"
mkdir -p "$HC/work"
token 1 | "$BIN" add work --token-stdin --no-verify >/dev/null
"$BIN" use work --dir "$HC/work" 2>/dev/null
lines 100000 BIG >"$HC/work/.env"
peer_files "$HC/work"
scaleC=(-n 'hfenv export bash (100,000-line .env)' "$BIN export bash")
# The peers take tens of seconds per run on 100,000 lines: only with BENCH_SLOW_PEERS=1.
if [ -n "${BENCH_SLOW_PEERS:-}" ]; then
    has direnv && scaleC+=(-n 'direnv export bash (100,000-line .env)' 'direnv export bash')
    has mise && scaleC+=(-n 'mise hook-env -s bash (100,000-line .env)' 'mise hook-env -s bash')
fi
WARMUP=2 RUNS=10 measure scaleC "$HC/work" "${scaleC[@]}"

# D: doctor without the network (target ≤ 20 ms).
RUNS=30 measure doctor "$H1/proj/model" -n 'hfenv doctor --offline' "$BIN doctor --offline"

echo
echo "## Scale (targets: 1,000 profiles + 10,000-line \`.env\` + 40 deep ≤ 3 ms; 10,000 profiles ≤ 8 ms; \`list\` of 10,000 ≤ 30 ms; \`doctor --offline\` ≤ 20 ms)"
echo
echo "1,000 profiles, a 10,000-line \`.env\`, 40 directories deep (direnv: \`dotenv\`; mise: \`_.file\`):"
echo
table "$T/scaleA.json"
echo
echo "10,000 profiles (no peer has profiles), a 100,000-line \`.env\`, and \`doctor\`:"
echo
table "$T/scaleB.json" "$T/listB.json" "$T/scaleC.json" "$T/doctor.json"
echo
peer_versions=""
has direnv && peer_versions+=", direnv $(direnv version)"
has mise && peer_versions+=", mise $(mise --version | cut -d' ' -f1)"
echo "Machine: $(nproc) cores, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end;" \
    "hfenv $("$BIN" --version | cut -d' ' -f2) ($(file -b "$BIN" | grep -o 'static-pie linked\|statically linked\|dynamically linked' || echo '?'))$peer_versions."

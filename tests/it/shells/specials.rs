//! Issue 9 A2 against the shells installed here, not against a list written from memory: each
//! real shell is asked which variables it treats specially or keeps read-only, every one is
//! assigned the way the hook assigns it (`export N=v`, `set -gx N v`, `set-env`, `load-env`),
//! and each assignment that errors, stops the rest of the script or changes another variable
//! must be one hfenv refuses for that shell. nushell's environment ignores case, so there the
//! case variants of its own names (and of `PATH`, `HOME`, the token's) are tried as well.

use std::collections::BTreeSet;

use super::*;

/// Values tried for each name: a word, a broken arithmetic expression (zsh evaluates what is
/// assigned to an integer), empty.
const VALUES: &str = "x '1+' ''";

/// Loads every module zsh has (a user's rc may load any: `zsh/datetime` makes `EPOCHSECONDS`
/// read-only), quietly.
const ZSH_MODULES: &str = r#"for __f in $module_path/zsh/**/*.so(N); do __m=${__f#$module_path/}; zmodload ${__m%.so} >/dev/null 2>&1; done"#;

/// zsh: every parameter whose type says special or read-only (`${parameters}`), in an
/// interactive shell without rc files, every module loaded (zle's parameters included).
const ZSH_PROBE: &str = r#"
MODULES
__base=$(/usr/bin/env | /usr/bin/sort)
for __n in ${(k)parameters}; do
  [[ ${parameters[$__n]} == *(special|readonly)* ]] || continue
  [[ $__n =~ '^[A-Za-z_][A-Za-z0-9_]*$' ]] || continue
  print -r -- "REPORTED $__n"
  for __v in VALUES; do
    __r=$( ( eval "export $__n=\${__v}; print -rn after"
      [[ "$(/usr/bin/env | /usr/bin/grep -v "^$__n=" | /usr/bin/sort)" == "$(print -r -- "$__base" | /usr/bin/grep -v "^$__n=")" ]] || print -rn ' (changed another variable)'
    ) 2>&1 )
    if [[ $__r != after ]]; then print -r -- "FAIL $__n ${__r//$'\n'/ }"; break; fi
  done
done
"#;

/// bash: every variable it has (`compgen -v`, read-only ones included) in an interactive shell
/// without rc files.
const BASH_PROBE: &str = r#"
__base=$(/usr/bin/env | /usr/bin/sort)
for __n in $(compgen -v); do
  [[ $__n =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
  [[ $__n == __* ]] && continue
  printf 'REPORTED %s\n' "$__n"
  for __v in VALUES; do
    __r=$( ( eval "export $__n=\${__v}; printf after"
      [[ "$(/usr/bin/env | /usr/bin/grep -v "^$__n=" | /usr/bin/sort)" == "$(printf '%s\n' "$__base" | /usr/bin/grep -v "^$__n=")" ]] || printf ' (changed another variable)'
    ) 2>&1 )
    if [[ $__r != after ]]; then printf 'FAIL %s %s\n' "$__n" "${__r//$'\n'/ }"; break; fi
  done
done
"#;

/// fish: every variable an interactive fish without config has (`set -n`), each tried in a
/// fish of its own (fish has no subshell to contain an assignment).
const FISH_PROBE: &str = r#"
set -l __base (/usr/bin/env | /usr/bin/sort)
for __n in (set -n)
    string match -qr '^[A-Za-z_][A-Za-z0-9_]*$' -- $__n; or continue
    string match -q '__*' -- $__n; and continue
    printf 'REPORTED %s\n' $__n
    for __v in VALUES
        set -l __r (fish --no-config -c "set -gx $__n '$__v'; and printf after; set -l e (/usr/bin/env | /usr/bin/grep -v '^$__n=' | /usr/bin/sort); test \"\$e\" = \"\$argv\"; or printf ' (changed another variable)'" (printf '%s\n' $__base | /usr/bin/grep -v "^$__n=") 2>&1)
        if test "$__r" != after
            printf 'FAIL %s %s\n' $__n (string join ' ' -- $__r)
            break
        end
    end
end
"#;

/// elvish keeps its own state apart from the environment: every name the other shells report
/// is tried with `set-env` (and put back).
const ELVISH_PROBE: &str = r#"
use str
var base = [(/usr/bin/env | /usr/bin/sort)]
for n [(cat NAMES)] {
  echo 'REPORTED '$n
  for v [VALUES] {
    var had = (has-env $n)
    var old = (if $had { get-env $n } else { put '' })
    var r = (try { set-env $n $v; put after } catch e { put (to-string $e[reason]) })
    var now = [(/usr/bin/env | /usr/bin/sort)]
    var a = [(for l $base { if (not (str:has-prefix $l $n'=')) { put $l } })]
    var b = [(for l $now { if (not (str:has-prefix $l $n'=')) { put $l } })]
    if (not-eq $a $b) { set r = $r' (changed another variable)' }
    if $had { set-env $n $old } else { unset-env $n }
    if (not-eq $r after) { echo 'FAIL '$n' '$r; break }
  }
}
"#;

/// nushell: one name, in a nushell of its own, applied as the hook applies it (`load-env` in a
/// `def --env` command: a `do` block would scope names differently). `SNAP` reads every name
/// the environment holds as a script reads it (`$env.HOME`, without case), so a variant that
/// shadows `HOME` shows as `HOME` changing.
const NU_TRY: &str = r#"
def --env apply [] { load-env ({} | insert $env.__N $env.__V) }
let n = $env.__N
let v = $env.__V
let snap = {|| [SNAP] }
let base = (do $snap)
try { apply } catch {|e| print -n $e.msg; exit 0 }
let a = ($base | where {|l| not ($l | str starts-with $"($n)=") })
let b = (do $snap | where {|l| not ($l | str starts-with $"($n)=") })
if $a != $b { print -n 'after (changed another variable)' } else if ($env | get $n) != $v { print -n 'after (the name does not hold the value)' } else { print -n 'after' }
"#;

struct Probe {
    /// Names the shell itself reports (or was given).
    reported: BTreeSet<String>,
    /// Names whose assignment errors, aborts or touches another variable, with what happened.
    failing: Vec<(String, String)>,
}

/// Asks the real shell. `names` are extra candidates (elvish, nushell).
fn probe(s: &Sandbox, sh: Sh, names: &BTreeSet<String>) -> Probe {
    if sh == Sh::Nu {
        return probe_nu(s, names);
    }
    let names_file = s.path("probe-names");
    std::fs::write(
        &names_file,
        names.iter().map(|n| format!("{n}\n")).collect::<String>(),
    )
    .unwrap();
    let (program, args, script): (&str, &[&str], String) = match sh {
        Sh::Zsh => (
            "zsh",
            &["-fic"],
            ZSH_PROBE
                .replace("MODULES", ZSH_MODULES)
                .replace("VALUES", VALUES),
        ),
        Sh::Bash => (
            "bash",
            &["--norc", "--noprofile", "-ic"],
            BASH_PROBE.replace("VALUES", VALUES),
        ),
        Sh::Fish => (
            "fish",
            &["--no-config", "-ic"],
            FISH_PROBE.replace("VALUES", VALUES),
        ),
        Sh::Elvish => (
            "elvish",
            &["-norc", "-c"],
            ELVISH_PROBE
                .replace("VALUES", VALUES)
                .replace("NAMES", &names_file.display().to_string()),
        ),
        Sh::Nu => unreachable!(),
    };
    let mut all = args.to_vec();
    all.push(&script);
    let done = Run::new(s.command(program, &all)).stdin("").run();
    let mut p = Probe {
        reported: BTreeSet::new(),
        failing: Vec::new(),
    };
    for line in done.stdout.lines() {
        if let Some(n) = line.strip_prefix("REPORTED ") {
            p.reported.insert(n.to_string());
        } else if let Some(rest) = line.strip_prefix("FAIL ") {
            let (n, why) = rest.split_once(' ').unwrap_or((rest, ""));
            p.failing.push((n.to_string(), why.to_string()));
        }
    }
    assert!(
        !p.reported.is_empty(),
        "{sh:?} reported nothing:\n{}\n{}",
        done.stdout,
        done.stderr
    );
    p
}

/// nushell's own names (`$env | columns`) and `names`, each tried in a nushell of its own.
fn probe_nu(s: &Sandbox, names: &BTreeSet<String>) -> Probe {
    let own = Run::new(s.command("nu", &["-n", "-c", "$env | columns | str join \"\\n\""]))
        .ok()
        .stdout;
    let mut p = Probe {
        reported: own.lines().map(String::from).collect(),
        failing: Vec::new(),
    };
    let snap: Vec<String> = own
        .lines()
        .filter(|k| !["CMD_DURATION_MS", "LAST_EXIT_CODE"].contains(k))
        .map(|k| format!("$\"{k}=($env.{k} | to nuon)\""))
        .collect();
    let script = NU_TRY.replace("SNAP", &snap.join(" "));
    p.reported.extend(names.iter().cloned());
    for n in &p.reported {
        let done = Run::new(s.command("nu", &["-n", "-c", &script]))
            .env("__N", n)
            .env("__V", "x")
            .run();
        if done.stdout != "after" {
            p.failing
                .push((n.clone(), format!("{}{}", done.stdout, done.stderr)));
        }
    }
    p
}

/// The names of `names` hfenv lets an allowed `.env` set in `sh` (what its export sets).
fn allowed_by_hfenv(s: &Sandbox, sh: Sh, names: &BTreeSet<String>) -> BTreeSet<String> {
    let dir = s.mkdir(&format!("probe-{sh:?}"));
    let env: String = names.iter().map(|n| format!("{n}=x\n")).collect();
    std::fs::write(dir.join(".env"), env).unwrap();
    s.hfenv(&["allow"]).dir(&dir).ok();
    let shell = match sh {
        Sh::Nu => "nushell",
        other => other.program(),
    };
    let out = s.hfenv(&["export", shell]).dir(&dir).ok().stdout;
    match sh {
        Sh::Bash | Sh::Zsh | Sh::Fish => out
            .lines()
            .filter_map(|l| {
                let rest = l
                    .strip_prefix("export ")
                    .or_else(|| l.strip_prefix("set -gx "))?;
                Some(rest.split(['=', ' ']).next()?.to_string())
            })
            .collect(),
        Sh::Elvish | Sh::Nu => {
            let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
            doc["ops"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|op| op[0] == "set")
                .map(|op| op[1].as_str().unwrap().to_string())
                .collect()
        }
    }
}

/// Other processes' names nushell would take for its own: each name's lower, upper and
/// capitalised forms.
fn case_variants(names: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for n in names {
        let lower = n.to_ascii_lowercase();
        let mut cap = lower.clone();
        cap[..1].make_ascii_uppercase();
        out.extend([lower, n.to_ascii_uppercase(), cap]);
    }
    out
}

fn probe_env(s: &mut Sandbox) {
    // Names a user's environment usually holds, so nushell's case folding has something to
    // fold into.
    for (k, v) in [
        ("USER", "tester"),
        ("LANG", "C.UTF-8"),
        ("EDITOR", "vi"),
        ("HF_HOME", "/tmp/hf-home"),
    ] {
        s.set_env(k, v);
    }
}

/// Every name whose assignment breaks, aborts or reaches beyond itself in an installed shell
/// is refused for that shell; the probes find some in each shell that has them.
#[test]
fn every_special_name_the_installed_shells_report_is_refused() {
    let mut reported_anywhere = BTreeSet::new();
    let mut results = Vec::new();
    for sh in [Sh::Bash, Sh::Zsh, Sh::Fish] {
        if !have(sh.program()) {
            continue;
        }
        let mut s = Sandbox::new();
        probe_env(&mut s);
        let p = probe(&s, sh, &BTreeSet::new());
        reported_anywhere.extend(p.reported.iter().cloned());
        results.push((sh, s, p));
    }
    let fixed: BTreeSet<String> = [
        "PATH",
        "HOME",
        "HF_TOKEN",
        "HUGGING_FACE_HUB_TOKEN",
        "HF_ENDPOINT",
        "HFENV_PROFILE",
        "PWD",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    if have("elvish") {
        let mut s = Sandbox::new();
        probe_env(&mut s);
        let p = probe(&s, Sh::Elvish, &reported_anywhere);
        results.push((Sh::Elvish, s, p));
    }
    if have("nu") {
        let mut s = Sandbox::new();
        probe_env(&mut s);
        // nushell's own names and the usual ones, in every case.
        let own = Run::new(s.command("nu", &["-n", "-c", "$env | columns | str join \"\\n\""]))
            .ok()
            .stdout;
        let mut names: BTreeSet<String> = own.lines().map(String::from).collect();
        names.extend(fixed.iter().cloned());
        names.extend(["USER", "LANG", "EDITOR", "HF_HOME"].map(String::from));
        let names = case_variants(&names);
        let p = probe(&s, Sh::Nu, &names);
        results.push((Sh::Nu, s, p));
    }
    let mut failures = Vec::new();
    for (sh, s, p) in &results {
        let failing: BTreeSet<String> = p.failing.iter().map(|(n, _)| n.clone()).collect();
        eprintln!(
            "{sh:?}: {} names, assigning these fails: {failing:?}",
            p.reported.len()
        );
        let allowed = allowed_by_hfenv(s, *sh, &failing);
        for (n, why) in &p.failing {
            if allowed.contains(n) {
                failures.push(format!(
                    "{sh:?}: `{n}` is not refused, yet assigning it: {why}"
                ));
            }
        }
        // The probes work: each of these shells has names an assignment breaks on.
        if *sh != Sh::Elvish {
            assert!(!failing.is_empty(), "{sh:?}: the probe found nothing");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The names the installed shells report as theirs (without trying them): zsh's special and
/// read-only parameters, bash's and fish's variables, nushell's environment, and their case
/// variants.
fn reported_names(s: &Sandbox) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut ask = |program: &str, args: &[&str]| {
        if have(program) {
            let out = Run::new(s.command(program, args)).stdin("").run().stdout;
            names.extend(
                out.lines()
                    .map(str::trim)
                    .filter(|n| {
                        let mut c = n.chars();
                        c.next()
                            .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
                            && c.all(|c| c.is_ascii_alphanumeric() || c == '_')
                    })
                    .map(String::from),
            );
        }
    };
    let zsh = format!(
        "{ZSH_MODULES}; for k in ${{(k)parameters}}; do [[ ${{parameters[$k]}} == *(special|readonly)* ]] && print -r -- $k; done"
    );
    ask("zsh", &["-fic", &zsh]);
    ask("bash", &["--norc", "--noprofile", "-ic", "compgen -v"]);
    ask("fish", &["--no-config", "-ic", "set -n"]);
    ask("nu", &["-n", "-c", "$env | columns | str join \"\\n\""]);
    let variants = case_variants(&names);
    names.extend(variants);
    names
}

/// A2: an allowed `.env` holding every name the installed shells report (and each in other
/// cases) never stops the rest of the change from applying, in any hooked shell: the ordinary
/// variable and the token arrive, leaving removes them, and the shell goes on working.
#[test]
fn a_dotenv_of_every_shell_name_never_stops_the_change() {
    let probe = Sandbox::new();
    let mut names = reported_names(&probe);
    // Their value is the value's business (a `.env` may set them), and the test's `cd ~`
    // needs HOME.
    for n in ["PATH", "HOME"] {
        names.remove(n);
    }
    assert!(names.len() > 100, "{names:?}");
    each_shell(&ALL, |sh| {
        let s = Sandbox::new();
        three_profiles(&s, "");
        dir_rule(&s, "work", "proj");
        let mut env: String = names.iter().map(|n| format!("{n}=x\n")).collect();
        env.push_str("OK_VAR=yes\n");
        s.write("proj/.env", &env);
        s.hfenv(&["allow"]).dir(s.path("proj")).ok();
        let mut session = Session::new(&s, sh);
        if sh == Sh::Zsh {
            // As an rc that loads modules (zsh/datetime makes `EPOCHSECONDS` read-only).
            session.rc(ZSH_MODULES);
        }
        let o = session
            .cd("proj")
            .show("OK_VAR", "ok")
            .show("HF_TOKEN", "tok")
            .cd("")
            .show("OK_VAR", "ok_left")
            .show("HF_TOKEN", "left")
            .line_for(|sh| match sh {
                Sh::Nu => format!("^{BIN} --version | save -f ~/alive"),
                _ => format!("{BIN} --version > ~/alive"),
            })
            .run();
        o.is("ok", "yes");
        o.is("tok", TOKEN_WORK);
        o.unset("ok_left");
        o.unset("left");
        assert!(
            s.read("alive").starts_with("hfenv "),
            "{sh:?}:\n{}",
            o.transcript
        );
        assert_no_token(&o.transcript);
    });
}

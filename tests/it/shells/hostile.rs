//! Issue 9's generated proof: per shell, 10,000 hostile values and 300 hostile key names go
//! through a trusted `.env` and a profile's `env`. Each value arrives byte for byte or is
//! refused with a notice, nothing runs, and after leaving nothing (no token) remains. One
//! session per shell, the environment read back in one dump, so it runs in seconds.

use std::collections::BTreeMap;

use super::*;

use crate::xorshift::Rng;

/// A value built from what breaks quoting in some shell, with code that must never run.
fn value(rng: &mut Rng, pwn: &str, controls: bool) -> String {
    let payloads = [
        format!("$(touch {pwn}/a)"),
        format!("`touch {pwn}/b`"),
        format!("(touch {pwn}/c)"),
        format!("{{touch {pwn}/d}}"),
        format!("'; touch {pwn}/e; '"),
        format!("\"; touch {pwn}/f; \""),
        format!("^touch {pwn}/g"),
        format!("r#'x'#; touch {pwn}/h"),
        "${HOME}".to_string(),
        "$E:HOME".to_string(),
        "\\".to_string(),
        "\\'".to_string(),
        "'#".to_string(),
    ];
    let mut palette: Vec<char> = "aZ9 _-.,:;=+*?![]{}()<>|&^%~#@'\"`$\\/\né🤗日\t"
        .chars()
        .collect();
    if controls {
        palette.extend([
            '\u{1}', '\u{1b}', '\u{7f}', '\r', '\u{b}', '\u{85}', '\u{2028}',
        ]);
    }
    let mut out = String::new();
    for _ in 0..rng.below(12) {
        if rng.below(6) == 0 {
            let p: &String = rng.pick(&payloads);
            out.push_str(p);
        } else {
            out.push(*rng.pick(&palette));
        }
    }
    // python-dotenv cannot end a single-quoted value with a backslash (`\'` reads as an
    // escaped quote); such a value goes through the profile instead.
    if !controls && out.ends_with('\\') {
        out.push('x');
    }
    // A `.env` interpolates `${…}` (as python-dotenv does): that goes through the profile.
    if !controls {
        out = out.replace("${", "$_{");
    }
    out
}

/// `'…'` for a `.env`: python-dotenv takes single-quoted values literally, except `\\` and `\'`.
fn dotenv_single(v: &str) -> String {
    format!("'{}'", v.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// Names no file should be able to set in some shell, hfenv's own, and names no shell can
/// export, made up to 300.
fn hostile_names(rng: &mut Rng) -> (Vec<String>, Vec<String>) {
    let valid: Vec<String> = [
        "path",
        "status",
        "argv",
        "PPID",
        "EUID",
        "UID",
        "fpath",
        "history",
        "commands",
        "options",
        "parameters",
        "functions",
        "aliases",
        "pipestatus",
        "PROMPT_COMMAND",
        "PS0",
        "PS1",
        "PS2",
        "PS4",
        "PROMPT",
        "RPROMPT",
        "IFS",
        "SHELLOPTS",
        "BASHOPTS",
        "BASH_ENV",
        "ENV",
        "ZDOTDIR",
        "FPATH",
        "CDPATH",
        "HISTFILE",
        "HISTCMD",
        "LINENO",
        "RANDOM",
        "SECONDS",
        "COLUMNS",
        "LINES",
        "TMOUT",
        "precmd_functions",
        "chpwd_functions",
        "fish_function_path",
        "fish_user_paths",
        "fish_pid",
        "umask",
        "version",
        "hostname",
        "FISH_VERSION",
        "CMD_DURATION",
        "config",
        "Config",
        "FILE_PWD",
        "CURRENT_FILE",
        "LAST_EXIT_CODE",
        "ENV_CONVERSIONS",
        "NU_LIB_DIRS",
        "PROMPT_INDICATOR",
        "Path",
        "pwd",
        "PWD",
        "OLDPWD",
        "SHLVL",
        "_",
        "hf_token",
        "Hf_Token",
        "hf_endpoint",
        "USERNAME",
        "ZSH_VERSION",
        "ZLE_RPROMPT_INDENT",
        "READLINE_LINE",
        "COMP_WORDS",
        "BASH_ALIASES",
        "GROUPS",
        "DIRSTACK",
        "SRANDOM",
        "EPOCHSECONDS",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut invalid: Vec<String> = [
        "__HFENV_STATE",
        "__HFENV_PATH",
        "__HFENV_CLEARED",
        "__HFENV_STAMP",
        "HFENV_CONFIG",
        "HFENV_SHELL_PROFILE",
        "HFENV_PROFILE",
        "__hfenv_bin",
        "__hfenv_owned",
        "__hfenv_watch",
        "1ABC",
        "A-B",
        "A.B",
        "É",
        "A$B",
        "A`B",
        "A;B",
        "A|B",
        "A(B)",
        "$(touch)",
        "-x",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let alphabet: Vec<char> = "abcXYZ019_-.$`;|&()!%".chars().collect();
    while valid.len() + invalid.len() < 300 {
        let n: String = (0..1 + rng.below(8))
            .map(|_| *rng.pick(&alphabet))
            .collect();
        let name = format!("{}{n}", ["1", "-", "x."][rng.below(3)]);
        if !invalid.contains(&name) {
            invalid.push(name);
        }
    }
    (valid, invalid)
}

fn read_dump(path: &std::path::Path) -> BTreeMap<String, String> {
    let bytes = std::fs::read(path).unwrap_or_default();
    String::from_utf8_lossy(&bytes)
        .split('\0')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// "… and N more — the rest applies": how many names one notice refused.
fn refused_in(transcript: &str, source: &str) -> usize {
    let Some(at) = transcript.find(&format!("{source}: not set: ")) else {
        return 0;
    };
    let line = transcript[at..].lines().next().unwrap();
    let shown = line.matches("` (").count();
    let more = line
        .split(" and ")
        .last()
        .and_then(|t| t.strip_suffix(" more — the rest applies"))
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(0);
    shown.min(5) + more
}

/// The names an export sets, from any shell's output.
fn exported_names(stdout: &str) -> std::collections::BTreeSet<String> {
    if let Ok(doc) = serde_json::from_str::<serde_json::Value>(stdout) {
        return doc["ops"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|op| op[0] == "set")
            .filter_map(|op| op[1].as_str().map(str::to_string))
            .collect();
    }
    stdout
        .lines()
        .filter_map(|l| {
            l.strip_prefix("export ")
                .or_else(|| l.strip_prefix("set -gx "))
        })
        .filter_map(|l| l.split(['=', ' ']).next())
        .map(str::to_string)
        .collect()
}

#[test]
fn hostile_values_and_names_in_every_shell() {
    each_shell(&ALL, |sh| {
        let s = Sandbox::new();
        let pwn = s.mkdir("pwned").display().to_string();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ sh as u64);
        let (special, invalid) = hostile_names(&mut rng);
        // 6,000 values through the `.env`, 4,000 (with control characters) through the profile.
        let mut dotenv = String::new();
        let mut wanted: BTreeMap<String, String> = BTreeMap::new();
        for i in 0..6000 {
            let v = value(&mut rng, &pwn, false);
            dotenv.push_str(&format!("HV_D{i}={}\n", dotenv_single(&v)));
            wanted.insert(format!("HV_D{i}"), v);
        }
        let mut profile_env = String::from("[profiles.work.env]\n");
        for i in 0..4000 {
            let v = value(&mut rng, &pwn, true);
            profile_env.push_str(&format!("HV_P{i} = {}\n", toml_str(&v)));
            wanted.insert(format!("HV_P{i}"), v);
        }
        // Hostile names: every one in the `.env`; the valid ones in the profile's `env` too
        // (the config itself refuses the rest, as a parse error).
        let hostile_value = "hostile";
        for name in special.iter().chain(&invalid) {
            dotenv.push_str(&format!("{name}={hostile_value}\n"));
        }
        for name in &special {
            profile_env.push_str(&format!("{} = \"{hostile_value}\"\n", toml_str(name)));
        }
        three_profiles(&s, &profile_env);
        dir_rule(&s, "work", "proj");
        s.write("proj/.env", &dotenv);
        s.hfenv(&["allow"]).dir(s.path("proj")).ok();

        // A dumper that changes nothing on the way (`sh` resets PPID and IFS itself).
        s.write(
            "dump.py",
            "import os, sys\nopen(sys.argv[1], 'wb').write(b'\\0'.join(k + b'=' + v for k, v in os.environb.items()))\n",
        );
        // The interpreter itself: a `python3` on PATH may be a shell-script shim.
        let out = s
            .command("python3", &["-c", "import sys; print(sys.executable)"])
            .output()
            .unwrap();
        let python = String::from_utf8(out.stdout).unwrap().trim().to_string();
        let o = Session::new(&s, sh)
            .cd("proj")
            .line(&format!("{python} ~/dump.py ~/inside.env"))
            .cd("")
            .line(&format!("{python} ~/dump.py ~/outside.env"))
            .run();
        let inside = read_dump(&s.path("inside.env"));
        let outside = read_dump(&s.path("outside.env"));
        assert_eq!(inside.get("HF_TOKEN").map(String::as_str), Some(TOKEN_WORK));
        let mut wrong = Vec::new();
        for (k, v) in &wanted {
            if inside.get(k) != Some(v) {
                wrong.push(format!("{k}: want {v:?}, got {:?}", inside.get(k)));
            }
        }
        assert!(
            wrong.is_empty(),
            "{sh:?}: {} values differ:\n{}",
            wrong.len(),
            wrong[..wrong.len().min(10)].join("\n")
        );
        // Each hostile name was either set by hfenv (then it arrived exactly: the shell took
        // it) or refused, and the notice counts the refused ones. Read from the same export the
        // hook ran, unwrapped.
        let dotenv_path = s.path("proj/.env").display().to_string();
        let direct = s
            .hfenv(&["export", sh.program(), "--hook"])
            .dir(s.path("proj"))
            .ok();
        let exported = exported_names(&direct.stdout);
        let mut refused = 0;
        let mut lost = Vec::new();
        for name in special.iter().chain(&invalid) {
            // hfenv's own (the marker, the profile's name) are set by hfenv, never from a file.
            let own = name.starts_with("__HFENV") || name.starts_with("HFENV_");
            // nushell folds names that differ only in case into one (`fpath` and `FPATH`).
            let held = |n: &str| {
                inside.get(n).map(String::as_str) == Some(hostile_value)
                    || (sh == Sh::Nu
                        && inside
                            .iter()
                            .any(|(k, v)| k.eq_ignore_ascii_case(n) && v == hostile_value))
            };
            if exported.contains(name.as_str()) && !own {
                if !held(name) {
                    lost.push(format!("{name}: {:?}", inside.get(name)));
                }
            } else {
                refused += 1;
            }
        }
        assert!(
            lost.is_empty(),
            "{sh:?}: set by hfenv but not held by the shell: {lost:?}"
        );
        let counted = refused_in(&direct.stderr, &format!("`{dotenv_path}`"));
        assert_eq!(
            counted, refused,
            "{sh:?}: {refused} refused from the .env, the notice counts {counted}:\n{}",
            direct.stderr
        );
        assert!(
            direct.stderr.contains("profile `work`: not set: "),
            "{sh:?}: no notice for the profile's refused names:\n{}",
            direct.stderr
        );
        assert!(o.count("not set:") >= 1, "{sh:?}: the shell said nothing");
        // Nothing ran, and nothing stays.
        let ran: Vec<_> = std::fs::read_dir(&pwn)
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert!(ran.is_empty(), "{sh:?}: values were executed: {ran:?}");
        assert!(
            !outside.contains_key("HF_TOKEN"),
            "{sh:?}: the token stayed"
        );
        let stayed: Vec<_> = outside
            .keys()
            .filter(|k| k.starts_with("HV_"))
            .take(5)
            .collect();
        assert!(
            stayed.is_empty(),
            "{sh:?}: values stayed after leaving: {stayed:?}"
        );
        assert_no_token(&o.transcript);
    });
}

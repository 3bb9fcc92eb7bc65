//! The hooks in real interactive shells on a pseudo-terminal, so prompts and hooks fire as they
//! do for a user. Each session is fed a script on stdin through `script(1)`; nushell, whose line
//! editor asks the terminal where the cursor is, runs inside tmux (a terminal that answers) and
//! gets its lines typed one prompt at a time. The commands report through helper functions that
//! append `tag=U` (unset) or `tag=S:<hex>` to a file, which keeps the results clear of echo,
//! prompts and escape sequences. The terminal transcript is only used to count warnings.

use std::path::{Path, PathBuf};

use crate::support::*;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Sh {
    Bash,
    Zsh,
    Fish,
    Elvish,
    Nu,
}

/// The shells whose hook evaluates shell code (the others apply JSON operations).
#[allow(dead_code)]
const POSIXISH: [Sh; 3] = [Sh::Bash, Sh::Zsh, Sh::Fish];
const ALL: [Sh; 5] = [Sh::Bash, Sh::Zsh, Sh::Fish, Sh::Elvish, Sh::Nu];
const WITH_NU: [Sh; 4] = [Sh::Bash, Sh::Zsh, Sh::Fish, Sh::Nu];

/// How the README tells a nushell user to set up the hook: once at a nu prompt, then a line in
/// config.nu. The tests run exactly these (see `readme_gives_the_tested_nushell_lines`).
const NU_SAVE_LINE: &str =
    "hfenv hook nushell | save -f ($nu.default-config-dir | path join hfenv.nu)";
const NU_USE_LINE: &str = "use ($nu.default-config-dir | path join hfenv.nu)";

impl Sh {
    fn program(self) -> &'static str {
        match self {
            Sh::Bash => "bash",
            Sh::Zsh => "zsh",
            Sh::Fish => "fish",
            Sh::Elvish => "elvish",
            Sh::Nu => "nu",
        }
    }
}

/// Runs `body` in every shell given, reporting every failing shell rather than the first.
fn each_shell(shells: &[Sh], body: impl Fn(Sh) + std::panic::RefUnwindSafe) {
    // One interactive session at a time: on two cores, a dozen shells on ptys at once stretch
    // the timing-sensitive scenarios (same-second edits, the stamp's margin) past their bounds.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut failures = Vec::new();
    for &sh in shells {
        let terminal = if sh == Sh::Nu { "tmux" } else { "script" };
        if !have(sh.program()) || !have(terminal) {
            continue;
        }
        if let Err(e) = std::panic::catch_unwind(|| body(sh)) {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failures.push(format!("[{sh:?}] {msg}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn quote_for(sh: Sh, v: &str) -> String {
    match sh {
        Sh::Bash | Sh::Zsh => format!("'{}'", v.replace('\'', r"'\''")),
        Sh::Fish => format!("'{}'", v.replace('\\', r"\\").replace('\'', r"\'")),
        Sh::Elvish => format!("'{}'", v.replace('\'', "''")),
        Sh::Nu => {
            let mut hashes = 1;
            while v.contains(&format!("'{}", "#".repeat(hashes))) {
                hashes += 1;
            }
            let h = "#".repeat(hashes);
            format!("r{h}'{v}'{h}")
        }
    }
}

/// One interactive session: rc lines, the hook, then typed lines.
struct Session<'a> {
    s: &'a Sandbox,
    sh: Sh,
    bin: PathBuf,
    rc: Vec<String>,
    hooks: usize,
    /// Hook code to load instead of what `hfenv hook` prints.
    hook_text: Option<String>,
    after_hook: Vec<String>,
    lines: Vec<String>,
}

struct Outcome {
    sh: Sh,
    vals: Vec<(String, Option<Vec<u8>>)>,
    transcript: String,
}

impl<'a> Session<'a> {
    fn new(s: &'a Sandbox, sh: Sh) -> Session<'a> {
        Session {
            s,
            sh,
            bin: PathBuf::from(BIN),
            rc: Vec::new(),
            hooks: 1,
            hook_text: None,
            after_hook: Vec::new(),
            lines: Vec::new(),
        }
    }

    /// A line of the rc file before the hook is loaded.
    fn rc(&mut self, line: &str) -> &mut Self {
        self.rc.push(line.to_string());
        self
    }

    /// The user's own exported variable, set in the rc before the hook.
    fn rc_export(&mut self, var: &str, value: &str) -> &mut Self {
        let line = self.export_line(var, value);
        self.rc.push(line);
        self
    }

    fn export_line(&self, var: &str, value: &str) -> String {
        let q = quote_for(self.sh, value);
        match self.sh {
            Sh::Bash | Sh::Zsh => format!("export {var}={q}"),
            Sh::Fish => format!("set -gx {var} {q}"),
            Sh::Elvish => format!("set-env {var} {q}"),
            Sh::Nu => format!("$env.{var} = {q}"),
        }
    }

    /// Removes a variable, as the user would type it.
    fn unset_line(&mut self, var: &str) -> &mut Self {
        let l = match self.sh {
            Sh::Bash | Sh::Zsh => format!("unset {var}"),
            Sh::Fish => format!("set -e {var}"),
            Sh::Elvish => format!("unset-env {var}"),
            Sh::Nu => format!("hide-env {var}"),
        };
        self.line(&l)
    }

    /// A line spelled per shell.
    fn line_for(&mut self, f: impl Fn(Sh) -> String) -> &mut Self {
        let l = f(self.sh);
        self.line(&l)
    }

    fn line(&mut self, l: &str) -> &mut Self {
        self.lines.push(l.to_string());
        self
    }

    fn cd(&mut self, rel: &str) -> &mut Self {
        let l = if rel.is_empty() {
            "cd ~".to_string()
        } else {
            format!("cd ~/{rel}")
        };
        self.line(&l)
    }

    fn show(&mut self, var: &str, tag: &str) -> &mut Self {
        self.line(&format!("__t_show {var} {tag}"))
    }

    /// Records the exit status the prompt left behind.
    fn status(&mut self, tag: &str) -> &mut Self {
        let l = match self.sh {
            Sh::Fish => format!("__t_put {tag} $status"),
            Sh::Nu => format!("__t_put {tag} $env.LAST_EXIT_CODE"),
            _ => format!("__t_put {tag} $?"),
        };
        self.line(&l)
    }

    fn export(&mut self, var: &str, value: &str) -> &mut Self {
        let l = self.export_line(var, value);
        self.line(&l)
    }

    fn out_file(&self) -> PathBuf {
        self.s.root.path().join(format!("out-{:?}", self.sh))
    }

    /// nushell's prompt adds a byte here each time it is drawn: the hooks ran, a line may come.
    fn ticks_file(&self) -> PathBuf {
        self.s.root.path().join(format!("ticks-{:?}", self.sh))
    }

    fn write_rc(&self) {
        let out = quote_for(self.sh, &self.out_file().display().to_string());
        let bin = quote_for(self.sh, &self.bin.display().to_string());
        let helpers = match self.sh {
            Sh::Bash => format!(
                r#"PS1='$ '
__t_hex() {{ printf %s "$1" | od -An -v -tx1 | tr -d ' \n'; }}
__t_show() {{ if [[ -n ${{!1+x}} ]]; then printf '%s=S:%s\n' "$2" "$(__t_hex "${{!1}}")"; else printf '%s=U\n' "$2"; fi >> {out}; }}
__t_put() {{ printf '%s=S:%s\n' "$1" "$(__t_hex "$2")" >> {out}; }}
"#
            ),
            Sh::Zsh => format!(
                r#"PS1='$ '
__t_hex() {{ printf %s "$1" | od -An -v -tx1 | tr -d ' \n'; }}
__t_show() {{ if [[ -v $1 ]]; then printf '%s=S:%s\n' "$2" "$(__t_hex "${{(P)1}}")"; else printf '%s=U\n' "$2"; fi >> {out}; }}
__t_put() {{ printf '%s=S:%s\n' "$1" "$(__t_hex "$2")" >> {out}; }}
"#
            ),
            Sh::Fish => format!(
                r#"set -g fish_greeting ''
function fish_prompt; printf '$ '; end
function __t_hex; printf %s $argv | od -An -v -tx1 | tr -d ' \n'; end
function __t_show
    if set -q $argv[1]
        printf '%s=S:%s\n' $argv[2] (__t_hex $$argv[1]) >> {out}
    else
        printf '%s=U\n' $argv[2] >> {out}
    end
end
function __t_put; printf '%s=S:%s\n' $argv[1] (__t_hex $argv[2]) >> {out}; end
"#
            ),
            Sh::Elvish => format!(
                r#"set edit:prompt = {{ put '$ ' }}
set edit:rprompt = {{ put '' }}
fn __t_show {{|name tag|
    if (has-env $name) {{
        var hex = (printf %s (get-env $name) | od -An -v -tx1 | tr -d " \n" | slurp)
        echo $tag'=S:'$hex >> {out}
    }} else {{
        echo $tag'=U' >> {out}
    }}
}}
fn __t_put {{|tag value|
    var hex = (printf %s $value | od -An -v -tx1 | tr -d " \n" | slurp)
    echo $tag'=S:'$hex >> {out}
}}
"#
            ),
            Sh::Nu => format!(
                r#"$env.config.show_banner = false
$env.PROMPT_COMMAND = {{|| 't' | save -a {ticks}; '$ ' }}
$env.PROMPT_COMMAND_RIGHT = {{|| '' }}
$env.PROMPT_INDICATOR = {{|| '' }}
def __t_show [name: string, tag: string] {{
    if ($name in $env) {{
        $"($tag)=S:($env | get $name | into string | encode hex)\n" | save -a {out}
    }} else {{
        $"($tag)=U\n" | save -a {out}
    }}
}}
def __t_put [tag: string, value: any] {{ $"($tag)=S:($value | into string | encode hex)\n" | save -a {out} }}
"#,
                ticks = quote_for(Sh::Nu, &self.ticks_file().display().to_string()),
            ),
        };
        let hook = match self.sh {
            Sh::Bash => format!("eval \"$({bin} hook bash)\"\n"),
            Sh::Zsh => format!("eval \"$({bin} hook zsh)\"\n"),
            Sh::Fish => format!("{bin} hook fish | source\n"),
            Sh::Elvish => format!("eval ({bin} hook elvish | slurp)\n"),
            Sh::Nu => format!("{NU_USE_LINE}\n"),
        };
        let hook = match (&self.hook_text, self.sh) {
            (Some(code), Sh::Nu) => {
                self.s.write(".config/nushell/hfenv.nu", code);
                hook
            }
            (Some(code), sh) => {
                let file = self.s.root.path().join(format!("hook-{sh:?}"));
                std::fs::write(&file, code).unwrap();
                let file = quote_for(sh, &file.display().to_string());
                match sh {
                    Sh::Elvish => format!("eval (slurp < {file})\n"),
                    _ => format!("source {file}\n"),
                }
            }
            (None, _) => hook,
        };
        let mut text = helpers;
        for l in &self.rc {
            text.push_str(l);
            text.push('\n');
        }
        for _ in 0..self.hooks {
            text.push_str(&hook);
        }
        for l in &self.after_hook {
            text.push_str(l);
            text.push('\n');
        }
        let rel = match self.sh {
            Sh::Bash => ".bashrc",
            Sh::Zsh => ".zshrc",
            Sh::Fish => ".config/fish/config.fish",
            Sh::Elvish => ".config/elvish/rc.elv",
            Sh::Nu => ".config/nushell/config.nu",
        };
        self.s.write(rel, &text);
        if self.sh == Sh::Nu && self.hook_text.is_none() {
            self.s.write(".config/nushell/env.nu", "");
            // The README's one-time step, with this session's binary first on PATH.
            let path = format!(
                "{}:{}",
                self.bin.parent().unwrap().display(),
                std::env::var("PATH").unwrap_or_default()
            );
            Run::new(self.s.command("nu", &["-c", NU_SAVE_LINE]))
                .env("PATH", path)
                .ok();
        }
    }

    fn run(&self) -> Outcome {
        self.write_rc();
        let _ = std::fs::remove_file(self.out_file());
        let transcript = if self.sh == Sh::Nu {
            self.run_in_tmux()
        } else {
            self.run_in_script()
        };
        let raw = std::fs::read_to_string(self.out_file()).unwrap_or_default();
        let vals = raw
            .lines()
            .filter_map(|l| {
                let (tag, v) = l.split_once('=')?;
                let v = match v {
                    "U" => None,
                    v => Some(unhex(
                        v.strip_prefix("S:")
                            .unwrap_or_else(|| panic!("bad line {l}")),
                    )),
                };
                Some((tag.to_string(), v))
            })
            .collect();
        Outcome {
            sh: self.sh,
            vals,
            transcript,
        }
    }

    /// Types each line at a prompt of an interactive nushell in a detached tmux server of its
    /// own, waiting for the next prompt before the next line.
    fn run_in_tmux(&self) -> String {
        let root = self.s.root.path();
        let sock = root.join("tmux.sock");
        let conf = root.join("tmux.conf");
        std::fs::write(
            &conf,
            "set -g remain-on-exit on\nset -g history-limit 100000\nset -g status off\n",
        )
        .unwrap();
        let ticks = self.ticks_file();
        let _ = std::fs::remove_file(&ticks);
        let tmux = |args: &[&str]| -> Done {
            let mut all = vec!["-S", sock.to_str().unwrap(), "-f", conf.to_str().unwrap()];
            all.extend_from_slice(args);
            Run::new(self.s.command("tmux", &all)).run()
        };
        struct Server<'t>(&'t dyn Fn(&[&str]) -> Done);
        impl Drop for Server<'_> {
            fn drop(&mut self) {
                (self.0)(&["kill-server"]);
            }
        }
        let started = tmux(&["new-session", "-d", "-x", "200", "-y", "50", "nu"]);
        assert!(started.output.status.success(), "tmux: {}", started.stderr);
        let _server = Server(&tmux);
        let prompts = || std::fs::metadata(&ticks).map(|m| m.len()).unwrap_or(0);
        let dead = || tmux(&["list-panes", "-F", "#{pane_dead}"]).stdout.trim() != "0";
        let screen = || tmux(&["capture-pane", "-p", "-J", "-S", "-", "-E", "-"]).stdout;
        let wait = |until: &dyn Fn() -> bool, what: &str| {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
            while !until() {
                assert!(
                    std::time::Instant::now() < deadline,
                    "Nu timed out {what}; screen:\n{}",
                    screen()
                );
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        };
        wait(&|| prompts() >= 1 || dead(), "before the first prompt");
        for line in self.lines.iter().map(String::as_str).chain(["exit"]) {
            let before = prompts();
            tmux(&["send-keys", "-l", "--", line]);
            tmux(&["send-keys", "Enter"]);
            wait(&|| prompts() > before || dead(), &format!("after `{line}`"));
        }
        wait(&dead, "at exit");
        screen()
    }

    fn run_in_script(&self) -> String {
        let mut input = self.lines.join("\n");
        input.push_str("\nexit\n");
        let program = match self.sh {
            Sh::Bash => "bash -i",
            Sh::Zsh => "zsh -i",
            Sh::Fish => "fish -i",
            Sh::Elvish => "elvish",
            Sh::Nu => unreachable!("nushell runs in tmux"),
        };
        let done = Run::new(
            self.s
                .command("timeout", &["120", "script", "-qfec", program, "/dev/null"]),
        )
        .stdin(&input)
        .run();
        let transcript = clean(&done.stdout);
        assert!(
            done.output.status.code() != Some(124),
            "{:?} timed out; transcript:\n{transcript}",
            self.sh
        );
        transcript
    }
}

fn unhex(h: &str) -> Vec<u8> {
    (0..h.len() / 2)
        .map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

/// The terminal transcript without carriage returns and escape sequences.
fn clean(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {}
            '\u{1b}' => match chars.next() {
                Some('[') => {
                    while let Some(&n) = chars.peek() {
                        chars.next();
                        if n.is_ascii_alphabetic() || n == '~' {
                            break;
                        }
                    }
                }
                Some(']') => {
                    for n in chars.by_ref() {
                        if n == '\u{7}' {
                            break;
                        }
                    }
                }
                _ => {}
            },
            c => out.push(c),
        }
    }
    out
}

impl Outcome {
    fn raw(&self, tag: &str) -> Option<Vec<u8>> {
        let found: Vec<_> = self.vals.iter().filter(|(t, _)| t == tag).collect();
        assert!(
            found.len() == 1,
            "{:?}: tag `{tag}` reported {} times (the session stopped early?); results: {:?}\ntranscript:\n{}",
            self.sh,
            found.len(),
            self.vals
                .iter()
                .map(|(t, v)| format!("{t}={:?}", v.as_ref().map(|v| String::from_utf8_lossy(v).into_owned())))
                .collect::<Vec<_>>(),
            self.transcript
        );
        found[0].1.clone()
    }

    fn get(&self, tag: &str) -> Option<String> {
        self.raw(tag)
            .map(|v| String::from_utf8(v).expect("utf-8 value"))
    }

    #[track_caller]
    fn is(&self, tag: &str, want: &str) {
        assert_eq!(
            self.get(tag).as_deref(),
            Some(want),
            "{:?}: `{tag}`\ntranscript:\n{}",
            self.sh,
            self.transcript
        );
    }

    #[track_caller]
    fn unset(&self, tag: &str) {
        assert_eq!(
            self.get(tag),
            None,
            "{:?}: `{tag}` should be unset\ntranscript:\n{}",
            self.sh,
            self.transcript
        );
    }

    fn count(&self, needle: &str) -> usize {
        self.transcript.matches(needle).count()
    }
}

/// A TOML basic string holding exactly `v`.
fn toml_str(v: &str) -> String {
    let mut out = String::from("\"");
    for c in v.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Profiles `work`, `personal`, `team` with inline tokens, plus extra TOML.
#[test]
fn enter_leave_restore() {
    each_shell(&ALL, |sh| {
        let s = Sandbox::with_work_in("work");
        let mut ses = Session::new(&s, sh);
        ses.rc_export("HF_TOKEN", TOKEN_PERSONAL)
            .show("HF_TOKEN", "home0")
            .cd("work")
            .show("HF_TOKEN", "work1")
            .show("HFENV_PROFILE", "prof1")
            .cd("")
            .show("HF_TOKEN", "home1")
            .show("HFENV_PROFILE", "prof2");
        // Without a token of the user's own, leaving unsets it again (not empty).
        ses.unset_line("HF_TOKEN");
        ses.cd("work")
            .show("HF_TOKEN", "work2")
            .cd("")
            .show("HF_TOKEN", "home2");
        let o = ses.run();
        o.is("home0", TOKEN_PERSONAL);
        o.is("work1", TOKEN_WORK);
        o.is("prof1", "work");
        o.is("home1", TOKEN_PERSONAL);
        o.unset("prof2");
        o.is("work2", TOKEN_WORK);
        o.unset("home2");
        assert_no_token(&o.transcript);
    });
}

#[test]
fn nested_and_sibling_directories() {
    each_shell(&ALL, |sh| {
        let s = Sandbox::with_work_in("work");
        dir_rule(&s, "team", "work/team");
        dir_rule(&s, "personal", "other");
        s.mkdir("work/team/deep/er");
        s.mkdir("work/plain");
        let o = Session::new(&s, sh)
            .cd("work/team/deep/er")
            .show("HF_TOKEN", "deep")
            .cd("work/team")
            .show("HF_TOKEN", "team")
            .cd("work/plain")
            .show("HF_TOKEN", "plain")
            .cd("other")
            .show("HF_TOKEN", "sibling")
            .line("cd /")
            .show("HF_TOKEN", "root")
            .show("HFENV_PROFILE", "rootprof")
            .run();
        o.is("deep", TOKEN_TEAM);
        o.is("team", TOKEN_TEAM);
        o.is("plain", TOKEN_WORK);
        o.is("sibling", TOKEN_PERSONAL);
        o.unset("root");
        o.unset("rootprof");
    });
}

#[test]
fn scopes_shell_beats_pin_beats_global() {
    each_shell(&ALL, |sh| {
        let s = Sandbox::new();
        three_profiles(&s, "");
        s.mkdir("proj/sub");
        let o = Session::new(&s, sh)
            .show("HF_TOKEN", "none")
            .line("hfenv use personal")
            .show("HF_TOKEN", "global")
            .cd("proj")
            .line("hfenv use work --pin")
            .show("HF_TOKEN", "pin")
            .cd("proj/sub")
            .show("HF_TOKEN", "pinsub")
            .line("hfenv use team --shell")
            .show("HF_TOKEN", "shell")
            .show("HFENV_PROFILE", "shellprof")
            .cd("")
            .show("HF_TOKEN", "shellhome")
            .cd("proj")
            .line("hfenv use --clear --shell")
            .show("HF_TOKEN", "cleared")
            .show("HFENV_SHELL_PROFILE", "sp")
            .cd("")
            .show("HF_TOKEN", "global2")
            .line("hfenv use --clear")
            .show("HF_TOKEN", "none2")
            .run();
        o.unset("none");
        o.is("global", TOKEN_PERSONAL);
        o.is("pin", TOKEN_WORK);
        o.is("pinsub", TOKEN_WORK);
        o.is("shell", TOKEN_TEAM);
        o.is("shellprof", "team");
        o.is("shellhome", TOKEN_TEAM);
        o.is("cleared", TOKEN_WORK);
        o.unset("sp");
        o.is("global2", TOKEN_PERSONAL);
        o.unset("none2");
        assert_eq!(s.read("proj/.hfenv").trim(), "work");
    });
}

#[test]
fn unknown_profile_in_a_pin_warns_once_and_exports_nothing() {
    each_shell(&ALL, |sh| {
        let s = Sandbox::new();
        three_profiles(&s, "");
        s.hfenv(&["use", "personal"]).ok();
        s.write("bad/.hfenv", "nosuch\n");
        let o = Session::new(&s, sh)
            .rc_export("HF_TOKEN", TOKEN_PERSONAL)
            .cd("bad")
            .show("HF_TOKEN", "bad")
            .show("HFENV_PROFILE", "prof")
            .line("true")
            .line("true")
            .line_for(|sh| match sh {
                Sh::Nu => "ls | ignore".into(),
                _ => "ls >/dev/null".into(),
            })
            .show("HF_TOKEN", "bad2")
            .run();
        o.is("bad", TOKEN_PERSONAL);
        o.unset("prof");
        o.is("bad2", TOKEN_PERSONAL);
        assert_eq!(
            o.count("does not exist"),
            1,
            "one warning expected:\n{}",
            o.transcript
        );
    });
}

#[test]
fn legacy_variable_follows_the_profile_and_is_restored() {
    each_shell(&ALL, |sh| {
        let s = Sandbox::with_work_in("work");
        let o = Session::new(&s, sh)
            .rc_export("HUGGING_FACE_HUB_TOKEN", TOKEN_PERSONAL)
            .cd("work")
            .show("HF_TOKEN", "tok")
            .show("HUGGING_FACE_HUB_TOKEN", "legacy")
            .cd("")
            .show("HF_TOKEN", "tok2")
            .show("HUGGING_FACE_HUB_TOKEN", "legacy2")
            .run();
        o.is("tok", TOKEN_WORK);
        o.is("legacy", TOKEN_WORK);
        o.unset("tok2");
        o.is("legacy2", TOKEN_PERSONAL);
    });
}

#[test]
fn hand_made_changes_survive_leaving() {
    each_shell(&ALL, |sh| {
        let s = Sandbox::new();
        three_profiles(&s, "[profiles.work.env]\nHF_HOME = \"/tmp/work-hf-home\"\n");
        dir_rule(&s, "work", "work");
        let o = Session::new(&s, sh)
            .rc_export("HF_TOKEN", TOKEN_PERSONAL)
            .cd("work")
            .show("HF_HOME", "home")
            .export("HF_TOKEN", "hf_FakeByHandEEEEEEEEEEEEEEEEEEEEEE5555")
            .export("HF_HOME", "/tmp/mine")
            .show("HF_TOKEN", "byhand")
            .cd("")
            .show("HF_TOKEN", "left")
            .show("HF_HOME", "lefthome")
            .cd("work")
            .show("HF_TOKEN", "again")
            .cd("")
            .show("HF_TOKEN", "left2")
            .run();
        o.is("home", "/tmp/work-hf-home");
        o.is("byhand", "hf_FakeByHandEEEEEEEEEEEEEEEEEEEEEE5555");
        o.is("left", "hf_FakeByHandEEEEEEEEEEEEEEEEEEEEEE5555");
        o.is("lefthome", "/tmp/mine");
        o.is("again", TOKEN_WORK);
        o.is("left2", "hf_FakeByHandEEEEEEEEEEEEEEEEEEEEEE5555");
    });
}

#[test]
fn subshells_child_shells_and_exec() {
    each_shell(&ALL, |sh| {
        let s = Sandbox::with_work_in("work");
        let child = child_shell(sh);
        let mut ses = Session::new(&s, sh);
        ses.rc_export("HF_TOKEN", TOKEN_PERSONAL);
        match sh {
            Sh::Fish => ses.line("fish -c 'cd ~/work; __t_show HF_TOKEN sub'"),
            // A block's directory and environment stay in the block, as in a subshell.
            Sh::Nu => ses.line("do { cd ~/work; __t_show HF_TOKEN sub }"),
            // elvish has no subshell: `cd` changes the one process.
            Sh::Elvish => ses.show("HF_TOKEN", "sub"),
            Sh::Bash | Sh::Zsh => ses.line("(cd ~/work && __t_show HF_TOKEN sub)"),
        };
        ses.show("HF_TOKEN", "parent0")
            .cd("work")
            .show("HF_TOKEN", "parent1")
            .line(child)
            .show("HF_TOKEN", "child1")
            .cd("")
            .show("HF_TOKEN", "child2")
            .line("exit")
            .show("HF_TOKEN", "parent2")
            .line(&format!("exec {child}"))
            .show("HF_TOKEN", "exec1")
            .cd("")
            .show("HF_TOKEN", "exec2")
            .cd("work")
            .show("HF_TOKEN", "exec3");
        let o = ses.run();
        // A subshell never changes its parent; where it reloads (zsh's chpwd) it gets the work
        // token, elsewhere it keeps the parent's.
        let sub = o.get("sub");
        assert!(
            sub.as_deref() == Some(TOKEN_PERSONAL) || sub.as_deref() == Some(TOKEN_WORK),
            "{sub:?}"
        );
        o.is("parent0", TOKEN_PERSONAL);
        o.is("parent1", TOKEN_WORK);
        o.is("child1", TOKEN_WORK);
        o.is("child2", TOKEN_PERSONAL);
        o.is("parent2", TOKEN_WORK);
        o.is("exec1", TOKEN_WORK);
        o.is("exec2", TOKEN_PERSONAL);
        o.is("exec3", TOKEN_WORK);
    });
}

/// An interactive child shell of the same kind, which reads the same rc.
fn child_shell(sh: Sh) -> &'static str {
    match sh {
        Sh::Bash => "bash -i",
        Sh::Zsh => "zsh -i",
        Sh::Fish => "fish -i",
        Sh::Elvish => "elvish",
        Sh::Nu => "nu",
    }
}

/// The user's own token came from outside the rc (the terminal's environment): a shell that
/// replaces this one, or a child started in the work directory, still gives it back on leaving.
#[test]
fn exec_and_child_shells_restore_a_token_they_never_saw() {
    each_shell(&ALL, |sh| {
        let mut s = Sandbox::new();
        three_profiles(&s, "");
        dir_rule(&s, "work", "work");
        s.set_env("HF_TOKEN", TOKEN_PERSONAL);
        let child = child_shell(sh);
        let o = Session::new(&s, sh)
            .cd("work")
            .show("HF_TOKEN", "work")
            .line(child)
            .cd("")
            .show("HF_TOKEN", "child_left")
            .line("exit")
            .show("HF_TOKEN", "parent_still_work")
            .line(&format!("exec {child}"))
            .show("HF_TOKEN", "exec_work")
            .cd("")
            .show("HF_TOKEN", "exec_left")
            .run();
        o.is("work", TOKEN_WORK);
        o.is("child_left", TOKEN_PERSONAL);
        o.is("parent_still_work", TOKEN_WORK);
        o.is("exec_work", TOKEN_WORK);
        o.is("exec_left", TOKEN_PERSONAL);
        // The value to restore is in a private file, not in any variable a child can read.
        let stores: Vec<_> = std::fs::read_dir(s.state_dir().join("shells"))
            .unwrap()
            .flatten()
            .collect();
        assert!(!stores.is_empty());
        for entry in stores {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                entry.metadata().unwrap().permissions().mode() & 0o777,
                0o600,
                "{:?}",
                entry.path()
            );
        }
    });
}

#[test]
fn child_processes_never_see_the_personal_token() {
    each_shell(&ALL, |sh| {
        let s = Sandbox::with_work_in("work");
        let python = have("python3");
        let mut ses = Session::new(&s, sh);
        ses.rc_export("HF_TOKEN", TOKEN_PERSONAL)
            .rc_export("HUGGING_FACE_HUB_TOKEN", TOKEN_PERSONAL)
            .cd("work");
        if sh == Sh::Nu {
            ses.line("^env | save -f ~/env.txt")
                .line("^cat /proc/self/environ | save -f ~/environ.bin");
        } else {
            ses.line("env > ~/env.txt")
                .line("cat /proc/self/environ > ~/environ.bin");
        }
        if python {
            let py = "python3 -c 'from huggingface_hub import get_token; print(get_token())'";
            if sh == Sh::Nu {
                ses.line(&format!("^{py} o+e>| save -f ~/py.txt"));
            } else {
                ses.line(&format!("{py} > ~/py.txt 2>&1"));
            }
        }
        ses.run();
        for f in ["env.txt", "environ.bin"] {
            let bytes = std::fs::read(s.path(f)).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains(TOKEN_PERSONAL), "{f}:\n{text}");
            assert!(text.contains(TOKEN_WORK), "{f}:\n{text}");
            let state = text
                .split(['\n', '\0'])
                .find(|l| l.starts_with("__HFENV_STATE="))
                .unwrap_or_else(|| panic!("no marker in {f}"));
            assert_no_token(state);
        }
        if python {
            assert_eq!(s.read("py.txt").trim(), TOKEN_WORK);
        }
    });
}

#[test]
fn hook_loaded_twice_registers_once() {
    each_shell(&ALL, |sh| {
        let s = Sandbox::with_work_in("work");
        let mut ses = Session::new(&s, sh);
        ses.hooks = 2;
        match sh {
            Sh::Bash => {
                // bash 5.1's array form, as Ubuntu's vte.sh sets it up.
                ses.rc("PROMPT_COMMAND=(__t_other)");
                ses.rc("__t_other() { :; }");
                ses.line("__t_put pc \"${PROMPT_COMMAND[*]}\"");
            }
            Sh::Zsh => {
                ses.line("__t_put pc \"${precmd_functions[*]} / ${chpwd_functions[*]}\"");
            }
            Sh::Fish => {
                ses.line("__t_put pc (functions --handlers | string match -r '__hfenv\\S*' | string join ' ')");
            }
            Sh::Elvish => {
                ses.rc("set edit:before-readline = [{ nop }]");
                ses.line("__t_put pc (count $edit:before-readline)' '(count $after-chdir)");
            }
            Sh::Nu => {
                ses.rc("$env.config.hooks.pre_prompt = [{|| null }]");
                ses.line("__t_put pc $'($env.config.hooks.pre_prompt | length) ($env.config.hooks.pre_prompt.0.__hfenv_hook? == true) ($env.config.hooks.env_change.PWD | length)'");
            }
        }
        let o = ses
            .rc_export("HF_TOKEN", TOKEN_PERSONAL)
            .cd("work")
            .show("HF_TOKEN", "work")
            .cd("")
            .show("HF_TOKEN", "home")
            .run();
        let pc = o.get("pc").unwrap();
        match sh {
            Sh::Bash => assert_eq!(pc, "__hfenv_hook __t_other"),
            // Without compinit the completion registration waits for it at each prompt.
            Sh::Zsh => assert_eq!(pc, "__hfenv_hook __hfenv_compdef / __hfenv_hook"),
            Sh::Fish => assert_eq!(pc.matches("__hfenv_hook").count(), 2, "{pc}"),
            Sh::Elvish => assert_eq!(pc, "2 1"),
            // First, so variables are in place before the user's own hooks run.
            Sh::Nu => assert_eq!(pc, "2 true 1"),
        }
        o.is("work", TOKEN_WORK);
        o.is("home", TOKEN_PERSONAL);
    });
}

#[test]
fn exit_status_survives_the_prompt() {
    // elvish has no exit status to keep: a failing command raises an exception.
    each_shell(&WITH_NU, |sh| {
        let s = Sandbox::with_work_in("work");
        // nushell's `true` and `false` are values: `^` runs the commands.
        let ext = if sh == Sh::Nu { "^" } else { "" };
        let o = Session::new(&s, sh)
            .line(&format!("{ext}false"))
            .status("st0")
            .line(&format!("cd ~/work; {ext}false"))
            .status("st1")
            .line(&format!("cd ~; {ext}sh -c 'exit 3'"))
            .status("st2")
            .line(&format!("{ext}true"))
            .status("st3")
            .run();
        o.is("st0", "1");
        o.is("st1", "1");
        o.is("st2", "3");
        o.is("st3", "0");
    });
}

#[test]
fn hook_prints_nothing_on_stdout() {
    each_shell(&ALL, |sh| {
        let s = Sandbox::with_work_in("work");
        let hook_into = |dir: &str, file: &str| {
            match sh {
            Sh::Bash | Sh::Zsh => format!("{{ cd {dir}; __hfenv_hook; }} > ~/{file}"),
            Sh::Fish => format!("begin; cd {dir}; __hfenv_hook; end > ~/{file}"),
            Sh::Elvish => format!("cd {dir}; $edit:before-readline[0] > ~/{file}"),
            // A hook's value is what nushell would show: there must be none.
            Sh::Nu => format!(
                "cd {dir}; do --env $env.config.hooks.pre_prompt.0.code | to nuon | save -f ~/{file}"
            ),
        }
        };
        let into = |cmd: &str, file: &str| match sh {
            Sh::Fish => format!("begin; {cmd}; end > ~/{file}"),
            Sh::Nu => format!("{cmd} | save -f ~/{file}"),
            _ => format!("{cmd} > ~/{file}"),
        };
        Session::new(&s, sh)
            .rc_export("HF_TOKEN", TOKEN_PERSONAL)
            .line(&hook_into("~/work", "hook1.out"))
            .line(&match sh {
                Sh::Nu => "hfenv use team --shell | to nuon | save -f ~/hook2.out".to_string(),
                _ => into("hfenv use team --shell", "hook2.out"),
            })
            .line(&hook_into("~", "hook3.out"))
            .line(&into("hfenv use --help", "help.out"))
            .show("HF_TOKEN", "x")
            .run();
        let nothing = if sh == Sh::Nu { "null" } else { "" };
        for f in ["hook1.out", "hook2.out", "hook3.out"] {
            assert_eq!(s.read(f), nothing, "{f}");
        }
        // `hfenv use --help` goes to the user, not into `eval`.
        assert!(
            s.read("help.out").contains("--shell"),
            "{}",
            s.read("help.out")
        );
    });
}

/// Issue 9 A3: without the binary hfenv cannot decide, so what it set goes (said once), and
/// the first prompt after the binary is back gives the user's own token back.
#[test]
fn missing_binary_fails_closed_once_and_recovers() {
    each_shell(&ALL, |sh| {
        let s = Sandbox::new();
        three_profiles(&s, "[profiles.work.env]\nWORK_ONLY = \"1\"\n");
        dir_rule(&s, "work", "work");
        let copy = s.path("bin/hfenv");
        std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
        std::fs::copy(BIN, &copy).unwrap();
        let mut ses = Session::new(&s, sh);
        ses.bin = copy;
        let o = ses
            .rc_export("HF_TOKEN", TOKEN_PERSONAL)
            .rc_export("MINE", "kept")
            .cd("work")
            .show("HF_TOKEN", "before")
            .line("mv ~/bin/hfenv ~/bin/gone")
            .cd("")
            .show("HF_TOKEN", "after")
            .show("WORK_ONLY", "after_env")
            .show("HFENV_PROFILE", "after_prof")
            .show("MINE", "mine")
            .line("true")
            .cd("work")
            .show("HF_TOKEN", "still")
            .line("mv ~/bin/gone ~/bin/hfenv")
            .cd("")
            .show("HF_TOKEN", "recovered")
            .cd("work")
            .show("HF_TOKEN", "again")
            .run();
        o.is("before", TOKEN_WORK);
        o.unset("after");
        o.unset("after_env");
        o.unset("after_prof");
        o.is("mine", "kept");
        o.unset("still");
        o.is("recovered", TOKEN_PERSONAL);
        o.is("again", TOKEN_WORK);
        assert_eq!(o.count("is missing"), 1, "{}", o.transcript);
    });
}

#[test]
fn failing_binary_warns_once_and_the_environment_is_still_right() {
    each_shell(&ALL, |sh| {
        let mut s = Sandbox::new();
        three_profiles(&s, "");
        dir_rule(&s, "work", "work");
        // State under a regular file: even root cannot create it, so every export fails to
        // write its stamp (and exits 1) after printing the environment.
        s.write("not-a-dir", "");
        s.set_env("XDG_STATE_HOME", s.path("not-a-dir/state"));
        let o = Session::new(&s, sh)
            .cd("work")
            .show("HF_TOKEN", "in")
            .line("true")
            .line("true")
            .cd("")
            .show("HF_TOKEN", "out")
            .run();
        o.is("in", TOKEN_WORK);
        o.unset("out");
        assert_eq!(o.count("could not create"), 1, "{}", o.transcript);
    });
}

#[test]
fn config_edit_within_the_same_second_is_seen() {
    each_shell(&ALL, |sh| {
        let s = Sandbox::new();
        three_profiles(&s, "[profiles.work.env]\nEDITED = \"one\"\n");
        dir_rule(&s, "work", "work");
        let config = std::fs::read_to_string(s.config_path()).unwrap();
        s.write("config2.toml", &config.replace("\"one\"", "\"two\""));
        let old = s.write(
            ".config/hfenv/config3.toml",
            &config.replace("\"one\"", "\"three\""),
        );
        std::fs::File::options()
            .write(true)
            .open(old)
            .unwrap()
            .set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(3600))
            .unwrap();
        let o = Session::new(&s, sh)
            .cd("work")
            .show("EDITED", "e1")
            .line(match sh {
                Sh::Nu => "open --raw ~/config2.toml | save -f ~/.config/hfenv/config.toml",
                _ => "cat ~/config2.toml > ~/.config/hfenv/config.toml",
            })
            .show("EDITED", "e2")
            // A second later, so the rename below brings a file dated an hour back, older than
            // everything the last load read: only an equality test of times sees it.
            .line(if sh == Sh::Nu {
                "sleep 1.5sec"
            } else {
                "sleep 1.5"
            })
            .line("true")
            // A rename keeps the old file's mtime: only the directory shows the change.
            .line("mv ~/.config/hfenv/config3.toml ~/.config/hfenv/config.toml")
            .show("EDITED", "e3")
            .run();
        o.is("e1", "one");
        o.is("e2", "two");
        o.is("e3", "three");
    });
}

/// Values that break naive quoting, each with what it would do if it ever ran.
fn nasty_values(pwn: &Path) -> Vec<(&'static str, String)> {
    let p = pwn.display();
    vec![
        ("V_SQ", "it's 'quoted' '\\''".to_string()),
        ("V_DQ", "say \"hi\" \"$HOME\"".to_string()),
        ("V_NL", "line1\nline2\n".to_string()),
        ("V_CMD", format!("$(touch {p}/cmd)")),
        ("V_BT", format!("`touch {p}/bt`")),
        ("V_FISH", format!("(touch {p}/fish)")),
        ("V_BS", "trail\\".to_string()),
        ("V_BSQ", "\\' x".to_string()),
        ("V_UNI", "héllo ✓ 日本 🤗".to_string()),
        ("V_CTL", "a\tb\u{1}c\u{1b}[31md\u{7f}e\rf".to_string()),
        (
            "V_MIX",
            format!("'; touch {p}/mix; echo '\"$(touch {p}/mix2)\"`touch {p}/mix3`\\"),
        ),
        (
            "V_ELV",
            format!("$E:HOME {{touch {p}/elv}} (touch {p}/elv2)"),
        ),
        (
            "V_NU",
            format!("'# r#' ^touch {p}/nu; $\"(touch {p}/nu2)\" `(touch {p}/nu3)`"),
        ),
        ("V_SPACE", "  lead and trail  ".to_string()),
        ("V_EMPTY", String::new()),
    ]
}

#[test]
fn profile_values_arrive_byte_for_byte_and_never_run() {
    each_shell(&ALL, |sh| {
        let s = Sandbox::new();
        let pwn = s.mkdir("pwned");
        let values = nasty_values(&pwn);
        let env: String = values
            .iter()
            .map(|(k, v)| format!("{k} = {}\n", toml_str(v)))
            .collect();
        three_profiles(&s, &format!("[profiles.work.env]\n{env}"));
        dir_rule(&s, "work", "work");
        let mut ses = Session::new(&s, sh);
        ses.cd("work");
        for (k, _) in &values {
            ses.show(k, k);
        }
        ses.cd("");
        for (k, _) in &values {
            ses.show(k, &format!("{k}_after"));
        }
        let o = ses.run();
        for (k, v) in &values {
            assert_eq!(
                o.raw(k).as_deref(),
                Some(v.as_bytes()),
                "{sh:?}: {k}: got {:?}, want {v:?}",
                o.raw(k).map(|b| String::from_utf8_lossy(&b).into_owned())
            );
            assert_eq!(
                o.raw(&format!("{k}_after")),
                None,
                "{sh:?}: {k} left behind"
            );
        }
        let ran: Vec<_> = std::fs::read_dir(&pwn)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(ran.is_empty(), "{sh:?}: values were executed: {ran:?}");
    });
}

#[test]
fn shellcheck_is_clean_on_the_bash_hook() {
    if !have("shellcheck") {
        return;
    }
    let s = Sandbox::new();
    let hook = s.hfenv(&["hook", "bash", "--no-completions"]).ok().stdout;
    let file = s.write("hook.bash", &hook);
    for target in [
        file.as_path(),
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/shell/hfenv.bash")),
    ] {
        let done = s
            .command(
                "shellcheck",
                &[
                    "--shell=bash",
                    "--severity=style",
                    &target.display().to_string(),
                ],
            )
            .output()
            .unwrap();
        assert!(
            done.status.success(),
            "{}:\n{}",
            target.display(),
            String::from_utf8_lossy(&done.stdout)
        );
    }
}

#[test]
fn nushell_and_powershell_hooks_name_the_binary_and_their_hooks() {
    let s = Sandbox::new();
    let bin = std::fs::canonicalize(BIN).unwrap().display().to_string();
    let nu = s.hfenv(&["hook", "nushell"]).ok().stdout;
    assert!(nu.contains(&format!("r#'{bin}'#")), "{nu}");
    for key in [
        "export-env",
        "pre_prompt",
        "env_change",
        "PWD",
        "hide-env",
        "from json",
        "__hfenv_hook",
        "HFENV_HOOK_SHELL",
        "export def --env --wrapped main",
        "--hook",
    ] {
        assert!(nu.contains(key), "nushell hook lacks `{key}`:\n{nu}");
    }
    let ps = s.hfenv(&["hook", "powershell"]).ok().stdout;
    assert!(ps.contains(&format!("'{bin}'")), "{ps}");
    for key in [
        "function global:prompt",
        "$LASTEXITCODE",
        "ConvertFrom-Json",
        "Remove-Item",
        "$global:",
        "HFENV_HOOK_SHELL",
        "function global:hfenv",
        "--hook",
    ] {
        assert!(ps.contains(key), "PowerShell hook lacks `{key}`:\n{ps}");
    }
    for (shell, text) in [("nushell", &nu), ("powershell", &ps)] {
        let export = s.hfenv(&["export", shell, "--hook"]).ok().stdout;
        let doc: serde_json::Value =
            serde_json::from_str(&export).unwrap_or_else(|e| panic!("{shell}: {e}: {export}"));
        assert!(doc["ops"].is_array(), "{export}");
        assert!(!text.is_empty());
    }
}

// `.env` loading goes through the python-dotenv-compatible parser, which lands separately.

#[test]
fn dotenv_blocked_allowed_edited_denied() {
    each_shell(&ALL, |sh| {
        let s = Sandbox::new();
        three_profiles(&s, "");
        s.write("proj/.env", "DOT_A=one\n");
        let o = Session::new(&s, sh)
            .cd("proj")
            .show("DOT_A", "blocked")
            .line("true")
            .line("true")
            .line("hfenv allow")
            .show("DOT_A", "allowed")
            .line(if sh == Sh::Nu {
                "'DOT_A=two' | save -f .env"
            } else {
                "echo DOT_A=two > .env"
            })
            .show("DOT_A", "edited")
            .line("true")
            .line("hfenv allow")
            .show("DOT_A", "reallowed")
            .line("hfenv deny")
            .show("DOT_A", "denied")
            .line("true")
            .cd("")
            .show("DOT_A", "left")
            .run();
        o.unset("blocked");
        o.is("allowed", "one");
        o.unset("edited");
        o.is("reallowed", "two");
        o.unset("denied");
        o.unset("left");
        // Blocked on entering and again after the edit: once per change, not per prompt.
        assert_eq!(o.count("is blocked"), 1, "{}", o.transcript);
        assert_eq!(
            o.count("changed since you allowed it"),
            1,
            "{}",
            o.transcript
        );
    });
}

/// The README's nushell row holds exactly the lines the sessions above run.
#[test]
fn readme_gives_the_tested_nushell_lines() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let row = readme
        .lines()
        .find(|l| l.starts_with("| nushell |"))
        .expect("a nushell row in the README's shell table")
        .replace("\\|", "|");
    for line in [NU_SAVE_LINE, NU_USE_LINE] {
        assert!(
            row.contains(&format!("`{line}`")),
            "README lacks `{line}`:\n{row}"
        );
    }
}

/// A session whose hook runs the binary through a wrapper that appends each run's arguments
/// to `log`: how the tests count the processes a hook starts.
fn counting_session<'a>(s: &'a Sandbox, sh: Sh, log: &Path) -> Session<'a> {
    let wrapper = s.write(
        "bin/hfenv",
        &format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\nexec '{BIN}' \"$@\"\n",
            log.display()
        ),
    );
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let name = match sh {
        Sh::Nu => "nushell",
        other => other.program(),
    };
    let real = std::fs::canonicalize(BIN).unwrap().display().to_string();
    let hook = s.hfenv(&["hook", name]).ok().stdout;
    assert!(hook.contains(&real));
    let mut ses = Session::new(s, sh);
    ses.hook_text = Some(hook.replace(&real, &wrapper.display().to_string()));
    ses
}

/// At a prompt where nothing changed no shell starts a process of hfenv's: the binary is
/// behind a wrapper that counts its runs.
#[test]
fn a_steady_prompt_starts_no_process() {
    each_shell(&ALL, |sh| {
        let s = Sandbox::new_in(Path::new(env!("CARGO_TARGET_TMPDIR")));
        three_profiles(&s, "");
        dir_rule(&s, "work", "work");
        // Outside every watched directory: writing here changes nothing hfenv looks at.
        let counts = s.root.path().join("counts");
        std::fs::create_dir(&counts).unwrap();
        let count = counts.join("count");
        let mut ses = counting_session(&s, sh, &count);
        let snapshot = |tag: &str| {
            let to = quote_for(
                sh,
                &counts.join(format!("count.{tag}")).display().to_string(),
            );
            format!("cp {} {to}", quote_for(sh, &count.display().to_string()))
        };
        // No pause after the load: one export per change, none at the prompts after it.
        ses.cd("work")
            .show("HF_TOKEN", "work")
            .line(&snapshot("a"))
            .show("HF_TOKEN", "w1")
            .line("cd .")
            .show("HF_TOKEN", "w2")
            .line(&snapshot("b"))
            .cd("")
            .line(&snapshot("c"));
        let o = ses.run();
        o.is("work", TOKEN_WORK);
        let runs = |tag: &str| {
            std::fs::read_to_string(counts.join(format!("count.{tag}")))
                .unwrap()
                .lines()
                .count()
        };
        assert_eq!(
            runs("a"),
            runs("b"),
            "{sh:?}: hfenv ran at a steady prompt:\n{}",
            std::fs::read_to_string(&count).unwrap()
        );
        assert!(runs("c") > runs("b"), "{sh:?}: leaving did not run hfenv");
        o.is("w2", TOKEN_WORK);
    });
}

/// Another shell or a tool changes what applies here: the next prompt sees it, in every shell
/// (elvish compares what the watched paths hold, the others their times). A pin appearing in
/// an ancestor between the current directory and the working tree's root is seen at the next
/// `cd` instead (tests/it/shells/region.rs): a steady prompt checks only the current directory
/// and the root, whatever the depth.
#[test]
fn changes_made_elsewhere_are_seen_at_the_next_prompt() {
    each_shell(&ALL, |sh| {
        let s = Sandbox::new();
        three_profiles(&s, "");
        s.mkdir("proj/sub");
        let elsewhere = |cmd: &str| {
            let caret = if sh == Sh::Nu { "^" } else { "" };
            format!("{caret}sh -c '{cmd}'")
        };
        let o = Session::new(&s, sh)
            .cd("proj")
            .show("HF_TOKEN", "none")
            .line(&elsewhere("echo work > ~/proj/.hfenv"))
            .show("HF_TOKEN", "pinned")
            .line(&elsewhere("echo personal > ~/proj/.hfenv"))
            .show("HF_TOKEN", "edited")
            .line(&elsewhere("rm ~/proj/.hfenv"))
            .show("HF_TOKEN", "removed")
            .line(&elsewhere(&format!("{BIN} use team")))
            .show("HF_TOKEN", "global")
            .line(&elsewhere(&format!("{BIN} use --clear")))
            .show("HF_TOKEN", "cleared")
            .run();
        o.unset("none");
        o.is("pinned", TOKEN_WORK);
        o.is("edited", TOKEN_PERSONAL);
        o.unset("removed");
        o.is("global", TOKEN_TEAM);
        o.unset("cleared");
    });
}

// The hooks reading tokens from a real Secret Service (tests/it/shells/keychain.rs).
mod keychain;

/// A shell that stays in a directory whose browser login comes due gets the refreshed token at
/// the first prompt after the deadline, with the builtin clock: no process at the prompts in
/// between (counted through a wrapper around the binary).
#[test]
fn an_open_shell_gets_the_refreshed_browser_login_without_a_spawn_per_prompt() {
    each_shell(&POSIXISH, |sh| {
        let (s, hub, login) = crate::oauth::setup(86400 + 7);
        hub.oauth.lock().unwrap().expires_in = 3 * 86400;
        s.write_config("[profiles.work]\nhf_stored = \"oauth-alice\"\ntoken_via = \"env\"\n");
        // Outside the shared /tmp: every ancestor of the directory is watched (for pin files),
        // and other processes touch /tmp all the time.
        let outside = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
        let work = outside.path().canonicalize().unwrap();
        s.hfenv(&["use", "work", "--dir", &work.display().to_string()])
            .ok();
        let log = s.root.path().join("runs");
        let wrapper = s.root.path().join("hfenv-counting");
        std::fs::write(
            &wrapper,
            format!(
                "#!/bin/sh\necho \"$(date +%s.%N) $* $__HFENV_STAMP\" >> '{}'\nexec '{}' \"$@\"\n",
                log.display(),
                BIN
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut ses = Session::new(&s, sh);
        // The hook names the binary it came from; point it at the counting wrapper.
        let w = quote_for(sh, &wrapper.display().to_string());
        ses.after_hook.push(match sh {
            Sh::Fish => format!("set -g __hfenv_bin {w}"),
            _ => format!("__hfenv_bin={w}"),
        });
        let log_q = log.display().to_string();
        let put_count = |sh: Sh, tag: &str| match sh {
            Sh::Fish => format!("__t_put {tag} (grep -c export '{log_q}')"),
            _ => format!("__t_put {tag} $(grep -c export '{log_q}')"),
        };
        // One change, one export: no margin after the first load or the refresh.
        ses.line(&format!(
            "cd {}",
            quote_for(sh, &work.display().to_string())
        ))
        .show("HF_TOKEN", "before")
        .line("true")
        .line("true")
        .line_for(|sh| put_count(sh, "n1"))
        .line("true")
        .line("true")
        .line_for(|sh| put_count(sh, "n2"))
        .line("sleep 7")
        .line("true")
        .show("HF_TOKEN", "after")
        .line_for(|sh| put_count(sh, "n3"))
        .line("true")
        .line_for(|sh| put_count(sh, "n4"))
        .line("true")
        .line("true")
        .line_for(|sh| put_count(sh, "n5"));
        let o = ses.run();
        o.is("before", &login.access);
        let after = o.get("after").unwrap();
        assert_ne!(after, login.access, "{}", o.transcript);
        assert!(hub.alive(&after));
        let n = |t: &str| o.get(t).unwrap().trim().parse::<u32>().unwrap();
        assert_eq!(
            n("n1"),
            n("n2"),
            "the binary ran at a steady prompt:\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        // The refresh (at the first prompt past the deadline) is one export, even though it
        // rewrote the watched `stored_tokens` while it ran.
        assert_eq!(
            n("n3"),
            n("n2") + 1,
            "{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        assert_eq!(n("n4"), n("n5"), "steady again after the refresh");
        assert_eq!(hub.oauth.lock().unwrap().grants, 1);
    });
}

// Issue 11: one change, one export; a cd within the same outcome starts nothing.
mod region;

// Issue 9's rules, each in the real shells.
mod failclosed;

// Issue 9's generated proof: hostile values and names in every shell.
mod hostile;

// Issue 9 A2: the special names, asked of the installed shells themselves.
mod specials;

//! Per-shell output: quoting (one tested escaper per shell; fish and POSIX differ), the
//! rendering of an environment plan, and the hook scripts kept as real files under `shell/`.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::apply::{Op, Plan, STATE_VAR};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Elvish,
    Nushell,
    Powershell,
}

/// POSIX single quotes: nothing inside is special, so only `'` needs care.
pub fn quote_posix(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for part in value.split_inclusive('\'') {
        match part.strip_suffix('\'') {
            Some(head) => {
                out.push_str(head);
                out.push_str(r"'\''");
            }
            None => out.push_str(part),
        }
    }
    out.push('\'');
    out
}

/// A word for a command line the user copies: bare when nothing in it is special.
pub fn word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-~+:=@%,".contains(c))
    {
        s.to_string()
    } else {
        quote_posix(s)
    }
}

/// fish treats `\\` and `\'` as escapes even inside single quotes, so a value ending in `\`
/// would swallow the closing quote if quoted the POSIX way.
pub fn quote_fish(value: &str) -> String {
    format!("'{}'", value.replace('\\', r"\\").replace('\'', r"\'"))
}

pub fn quote_elvish(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// PowerShell also ends single-quoted strings at typographic quotes.
pub fn quote_powershell(value: &str) -> String {
    let mut out = String::from("'");
    for c in value.chars() {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// A nushell raw string (`r#'…'#`): nothing inside is special, and enough `#` make sure the
/// value cannot close it early. JSON escapes such as `\u0001` are not nushell syntax.
pub fn quote_nushell(value: &str) -> String {
    let mut hashes = 1;
    while value.contains(&format!("'{}", "#".repeat(hashes))) {
        hashes += 1;
    }
    let h = "#".repeat(hashes);
    format!("r{h}'{value}'{h}")
}

pub fn quote(shell: Shell, value: &str) -> String {
    match shell {
        Shell::Bash | Shell::Zsh => quote_posix(value),
        Shell::Fish => quote_fish(value),
        Shell::Elvish => quote_elvish(value),
        Shell::Powershell => quote_powershell(value),
        Shell::Nushell => quote_nushell(value),
    }
}

/// What the hook keeps in unexported shell variables to decide, with builtins only, whether
/// anything changed since the last load.
pub struct HookState {
    pub pwd: String,
    pub shell_choice: String,
    pub stamp: PathBuf,
    pub watches: Vec<PathBuf>,
    /// The file names looked for in the current directory and its ancestors (`.hfenv`, the
    /// `.env` names): a hook that cannot read mtimes (elvish 0.19) checks these in a watched
    /// ancestor instead of reading the whole directory.
    pub names: Vec<String>,
}

/// Renders a plan, plus, for the hook (`hook` is `Some`), the bookkeeping its fast path reads:
/// the directory, this shell's choice, the stamp and the watched paths.
pub fn render(shell: Shell, plan: &Plan, hook: Option<&HookState>) -> String {
    let mut out = Vec::new();
    render_to(shell, plan, hook, &mut out).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("rendered from strings")
}

/// [`render`] straight into a writer (standard output, for the hook).
pub fn render_to(
    shell: Shell,
    plan: &Plan,
    hook: Option<&HookState>,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    match shell {
        Shell::Bash | Shell::Zsh | Shell::Fish => render_text(shell, plan, hook, w),
        Shell::Elvish | Shell::Nushell | Shell::Powershell => {
            w.write_all(render_json(plan, hook).as_bytes())
        }
    }
}

/// Operations alone, without bookkeeping: what `use --shell` hands to the hook's wrapper.
pub fn render_ops(shell: Shell, ops: &[Op]) -> String {
    match shell {
        Shell::Bash | Shell::Zsh | Shell::Fish => ops_text(shell, ops),
        Shell::Elvish | Shell::Nushell | Shell::Powershell => {
            format!("{}\n", serde_json::json!({ "ops": ops_json(ops) }))
        }
    }
}

fn ops_text(shell: Shell, ops: &[Op]) -> String {
    let mut out = Vec::new();
    write_ops(shell, ops, &mut out).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("rendered from strings")
}

/// Streams the script in chunks: a `.env` with thousands of keys makes as many lines, and a
/// script held whole in memory is that much more to fault in at a prompt.
fn write_ops(shell: Shell, ops: &[Op], w: &mut dyn Write) -> std::io::Result<()> {
    const CHUNK: usize = 64 * 1024;
    let mut out = String::with_capacity(CHUNK + 4096);
    let fish = shell == Shell::Fish;
    for op in ops {
        match op {
            // The binary keeps the values to restore (see `originals`); by the time a plan is
            // rendered these are plain sets and unsets.
            Op::Save(_) | Op::Forget(_) => {}
            Op::Restore(n) | Op::Unset(n) | Op::ExportUnset(n) => push_all(
                &mut out,
                &[if fish { "set -e " } else { "unset " }, n, "\n"],
            ),
            Op::Set(n, v) | Op::Export(n, v) => {
                push_all(
                    &mut out,
                    &[
                        if fish { "set -gx " } else { "export " },
                        n,
                        if fish { " " } else { "=" },
                    ],
                );
                out.push_str(&quote(shell, v));
                out.push('\n');
            }
        }
        if out.len() >= CHUNK {
            w.write_all(out.as_bytes())?;
            out.clear();
        }
    }
    w.write_all(out.as_bytes())
}

fn push_all(out: &mut String, parts: &[&str]) {
    for p in parts {
        out.push_str(p);
    }
}

fn render_text(
    shell: Shell,
    plan: &Plan,
    hook: Option<&HookState>,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    let q = |v: &str| quote(shell, v);
    let fish = shell == Shell::Fish;
    write_ops(shell, &plan.ops, w)?;
    let marker = [Op::Export(STATE_VAR.into(), plan.marker.render().into())];
    let mut out = ops_text(shell, &marker);
    if let Some(h) = hook {
        let watches: Vec<String> = h
            .watches
            .iter()
            .map(|p| q(&p.display().to_string()))
            .collect();
        if fish {
            out.push_str(&format!(
                "set -g __hfenv_pwd {}\nset -g __hfenv_sp {}\nset -g __hfenv_stamp {}\nset -g __hfenv_watch {}\n",
                q(&h.pwd),
                q(&h.shell_choice),
                q(&h.stamp.display().to_string()),
                watches.join(" ")
            ));
        } else {
            out.push_str(&format!(
                "__hfenv_pwd={}\n__hfenv_sp={}\n__hfenv_stamp={}\n__hfenv_watch=({})\n",
                q(&h.pwd),
                q(&h.shell_choice),
                q(&h.stamp.display().to_string()),
                watches.join(" ")
            ));
        }
    }
    w.write_all(out.as_bytes())
}

/// elvish, nushell and PowerShell parse JSON natively; their hooks apply the operations.
fn ops_json(ops: &[Op]) -> Vec<serde_json::Value> {
    ops.iter()
        .filter_map(|op| match op {
            // Resolved by the binary (see `originals`) before anything is rendered.
            Op::Save(_) | Op::Forget(_) => None,
            Op::Set(n, v) | Op::Export(n, v) => Some(serde_json::json!(["set", n, v])),
            Op::Unset(n) | Op::ExportUnset(n) | Op::Restore(n) => {
                Some(serde_json::json!(["unset", n]))
            }
        })
        .collect()
}

fn render_json(plan: &Plan, hook: Option<&HookState>) -> String {
    let mut ops = ops_json(&plan.ops);
    ops.push(serde_json::json!(["set", STATE_VAR, plan.marker.render()]));
    // `stamp` and `watch` let a hook skip the binary while nothing changed, as the text hooks
    // do: run it again when `pwd` or `sp` differ or a watch is newer than the stamp.
    let doc = serde_json::json!({
        "ops": ops,
        "pwd": hook.map(|h| h.pwd.clone()),
        "sp": hook.map(|h| h.shell_choice.clone()),
        "stamp": hook.map(|h| h.stamp.display().to_string()),
        "watch": hook.map(|h| h.watches.iter().map(|p| p.display().to_string()).collect::<Vec<_>>()),
        "names": hook.map(|h| h.names.clone()),
    });
    format!("{doc}\n")
}

pub const BASH: &str = include_str!("../shell/hfenv.bash");
pub const ZSH: &str = include_str!("../shell/hfenv.zsh");
pub const FISH: &str = include_str!("../shell/hfenv.fish");
pub const ELVISH: &str = include_str!("../shell/hfenv.elv");
pub const NUSHELL: &str = include_str!("../shell/hfenv.nu");
pub const POWERSHELL: &str = include_str!("../shell/hfenv.ps1");

/// The hook script for `shell`, with the binary's absolute path quoted for that shell.
pub fn hook_script(shell: Shell, exe: &Path, completions: bool) -> String {
    let template = match shell {
        Shell::Bash => BASH,
        Shell::Zsh => ZSH,
        Shell::Fish => FISH,
        Shell::Elvish => ELVISH,
        Shell::Nushell => NUSHELL,
        Shell::Powershell => POWERSHELL,
    };
    let exe_text = exe.display().to_string();
    let mut script = template.replace("::HFENV::", &quote(shell, &exe_text));
    if completions {
        script.push_str(&crate::cmd::completions::for_hook(shell));
    }
    script
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fish_quoting_survives_trailing_backslash() {
        assert_eq!(quote_fish(r"trail\"), r"'trail\\'");
        assert_eq!(quote_fish("it's"), r"'it\'s'");
    }

    #[test]
    fn posix_quoting() {
        assert_eq!(quote_posix("it's"), r"'it'\''s'");
        assert_eq!(quote_posix(""), "''");
    }

    #[test]
    fn nushell_raw_strings_cannot_be_closed_early() {
        assert_eq!(quote_nushell("/usr/bin/hfenv"), "r#'/usr/bin/hfenv'#");
        assert_eq!(quote_nushell("a'#b"), "r##'a'#b'##");
    }

    #[test]
    fn powershell_doubles_typographic_quotes() {
        assert_eq!(quote_powershell("a\u{2019}b'"), "'a\u{2019}\u{2019}b'''");
    }
}

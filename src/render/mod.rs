//! The render stage: a transition → code for a shell (or, in `data`, the variables as json,
//! dotenv or GitHub's env file). Renderers see only sets and unsets. Also here: quoting (one
//! tested escaper per shell; fish and POSIX differ) and the hook scripts, kept as real files
//! under `shell/`.

pub(crate) mod data;

use std::io::Write;
use std::path::PathBuf;

pub(crate) use crate::cli::Shell;
use crate::session::{Change, Transition};

/// POSIX single quotes: nothing inside is special, so only `'` needs care.
pub(crate) fn quote_posix(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    push_quoted_posix(&mut out, value);
    out
}

/// [`quote_posix`] into `out`: a large script quotes thousands of values.
fn push_quoted_posix(out: &mut String, value: &str) {
    out.push('\'');
    // Most values hold no quote: one byte scan, then a copy.
    if !value.as_bytes().contains(&b'\'') {
        out.push_str(value);
        out.push('\'');
        return;
    }
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
}

/// A word for a command line the user copies: bare when nothing in it is special.
pub(crate) fn word(s: &str) -> String {
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
pub(crate) fn quote_fish(value: &str) -> String {
    format!("'{}'", value.replace('\\', r"\\").replace('\'', r"\'"))
}

pub(crate) fn quote_elvish(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// PowerShell also ends single-quoted strings at typographic quotes.
pub(crate) fn quote_powershell(value: &str) -> String {
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
pub(crate) fn quote_nushell(value: &str) -> String {
    let mut hashes = 1;
    while value.contains(&format!("'{}", "#".repeat(hashes))) {
        hashes += 1;
    }
    let h = "#".repeat(hashes);
    format!("r{h}'{value}'{h}")
}

pub(crate) fn quote(shell: Shell, value: &str) -> String {
    match shell {
        Shell::Bash | Shell::Zsh => quote_posix(value),
        Shell::Fish => quote_fish(value),
        Shell::Elvish => quote_elvish(value),
        Shell::Powershell => quote_powershell(value),
        Shell::Nushell => quote_nushell(value),
    }
}

/// What the hook keeps in unexported shell variables to decide, with builtins only, whether
/// anything changed since the last load, and what to clear if hfenv cannot run.
pub(crate) struct HookState {
    pub pwd: String,
    pub shell_choice: String,
    pub stamp: PathBuf,
    /// Paths that exist, each with the reference file dated as it was (`None`: ask again at
    /// the next prompt): a path newer or older than its reference changed.
    pub timed: Vec<(PathBuf, Option<PathBuf>)>,
    /// Links that lead nowhere: they changed when they lead somewhere or are gone.
    pub links: Vec<PathBuf>,
    /// Paths that do not exist (besides the current directory's candidates): they changed
    /// when they appear, even as a dangling link or a FIFO.
    pub absent: Vec<PathBuf>,
    /// Where a `cd` cannot change the answer, and the current directory's absent candidates.
    pub region: crate::region::Region,
    /// Variables whose value decides the answer, with their value once the script has run:
    /// checked at every prompt (a profile's token variable)…
    pub env_watches: Vec<(String, Option<String>)>,
    /// …and at a change of directory (`.env` interpolation, where files are looked for).
    pub cd_env_watches: Vec<(String, Option<String>)>,
    /// A unix time after which the hook runs again although nothing it watches changed (a
    /// browser login due for a refresh), compared with the shell's builtin clock.
    pub until: Option<i64>,
}

/// Renders a transition, plus, for the hook (`hook` is `Some`), the bookkeeping its fast path
/// reads.
pub(crate) fn render(shell: Shell, t: &Transition, hook: Option<&HookState>) -> String {
    let mut out = Vec::new();
    render_to(shell, t, hook, &mut out).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("rendered from strings")
}

/// [`render`] straight into a writer (standard output, for the hook).
pub(crate) fn render_to(
    shell: Shell,
    t: &Transition,
    hook: Option<&HookState>,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    match shell {
        Shell::Bash | Shell::Zsh | Shell::Fish => render_text(shell, t, hook, w),
        Shell::Elvish | Shell::Nushell | Shell::Powershell => {
            w.write_all(render_json(t, hook).as_bytes())
        }
    }
}

/// Streams the script in chunks: a `.env` with thousands of keys makes as many lines, and a
/// script held whole in memory is that much more to fault in at a prompt.
fn write_changes(shell: Shell, changes: &[Change], w: &mut dyn Write) -> std::io::Result<()> {
    const CHUNK: usize = 64 * 1024;
    let mut out = String::with_capacity(CHUNK + 4096);
    let fish = shell == Shell::Fish;
    for change in changes {
        match change {
            Change::Unset(n) => push_all(
                &mut out,
                &[if fish { "set -e " } else { "unset " }, n, "\n"],
            ),
            Change::Set(n, v) => {
                push_all(
                    &mut out,
                    &[
                        if fish { "set -gx " } else { "export " },
                        n,
                        if fish { " " } else { "=" },
                    ],
                );
                match shell {
                    Shell::Bash | Shell::Zsh => push_quoted_posix(&mut out, v),
                    _ => out.push_str(&quote(shell, v)),
                }
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
    t: &Transition,
    hook: Option<&HookState>,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    write_changes(shell, &t.changes, w)?;
    let Some(h) = hook else {
        return Ok(());
    };
    let q = |v: &str| quote(shell, v);
    let words = |items: &mut dyn Iterator<Item = String>| -> String {
        items.map(|i| q(&i)).collect::<Vec<_>>().join(" ")
    };
    let paths = |items: &[PathBuf]| words(&mut items.iter().map(|p| p.display().to_string()));
    let r = &h.region;
    let lists: [(&str, String); 16] = [
        (
            "watch",
            words(&mut h.timed.iter().map(|(p, _)| p.display().to_string())),
        ),
        (
            "ref",
            words(&mut h.timed.iter().map(|(_, r)| {
                r.as_ref()
                    .map(|r| r.display().to_string())
                    .unwrap_or_default()
            })),
        ),
        ("links", paths(&h.links)),
        ("absent", paths(&h.absent)),
        ("here", paths(&r.here)),
        ("names", words(&mut r.names.iter().cloned())),
        ("marks", words(&mut r.marks.iter().cloned())),
        ("bars", paths(&r.barriers)),
        ("probe", paths(&r.probe)),
        // Names are valid variable names: nothing to quote, but quoting costs nothing.
        ("owned", words(&mut t.owned.iter().map(|n| n.to_string()))),
        (
            "env",
            words(&mut h.env_watches.iter().map(|(n, _)| n.clone())),
        ),
        (
            "envval",
            words(
                &mut h
                    .env_watches
                    .iter()
                    .map(|(_, v)| env_watch_value(v.as_deref())),
            ),
        ),
        (
            "cdenv",
            words(&mut h.cd_env_watches.iter().map(|(n, _)| n.clone())),
        ),
        (
            "cdenvval",
            words(
                &mut h
                    .cd_env_watches
                    .iter()
                    .map(|(_, v)| env_watch_value(v.as_deref())),
            ),
        ),
        ("pwd", q(&h.pwd)),
        ("sp", q(&h.shell_choice)),
    ];
    let scalars: [(&str, String); 3] = [
        ("stamp", q(&h.stamp.display().to_string())),
        (
            "base",
            q(&r.base
                .as_ref()
                .map(|b| b.display().to_string())
                .unwrap_or_default()),
        ),
        // A browser login due for a refresh: a unix time the hook compares with its builtin clock.
        ("until", h.until.map(|u| u.to_string()).unwrap_or_default()),
    ];
    let mut out = String::new();
    for (name, value) in lists.iter().take(14) {
        if shell == Shell::Fish {
            out.push_str(&format!("set -g __hfenv_{name} {value}\n"));
        } else {
            out.push_str(&format!("__hfenv_{name}=({value})\n"));
        }
    }
    if shell == Shell::Fish {
        // fish has no counting loop without `math`: the hook iterates over these indexes.
        let idx = |n: usize| (1..=n).map(|i| i.to_string()).collect::<Vec<_>>().join(" ");
        out.push_str(&format!(
            "set -g __hfenv_idx {}\nset -g __hfenv_envidx {}\nset -g __hfenv_cdenvidx {}\n",
            idx(h.timed.len()),
            idx(h.env_watches.len()),
            idx(h.cd_env_watches.len())
        ));
    }
    for (name, value) in lists.iter().skip(14).chain(scalars.iter()) {
        if shell == Shell::Fish {
            out.push_str(&format!("set -g __hfenv_{name} {value}\n"));
        } else {
            out.push_str(&format!("__hfenv_{name}={value}\n"));
        }
    }
    w.write_all(out.as_bytes())
}

/// How a hook remembers a watched variable: `S:` and the value, or `U` for unset.
fn env_watch_value(v: Option<&str>) -> String {
    match v {
        Some(v) => format!("S:{v}"),
        None => "U".into(),
    }
}

/// elvish, nushell and PowerShell parse JSON natively; their hooks apply the operations.
fn changes_json(changes: &[Change]) -> Vec<serde_json::Value> {
    changes
        .iter()
        .map(|c| match c {
            Change::Set(n, v) => serde_json::json!(["set", n, v]),
            Change::Unset(n) => serde_json::json!(["unset", n]),
        })
        .collect()
}

fn render_json(t: &Transition, hook: Option<&HookState>) -> String {
    // `stamp` and `watch` let a hook skip the binary while nothing changed, as the text hooks
    // do: run it again when `pwd` or `sp` differ, a watch is newer than the stamp, or a
    // variable in `env` no longer has its value in `envval`. `owned` is what to clear when
    // hfenv cannot run.
    let strings = |v: &[PathBuf]| {
        v.iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
    };
    let doc = serde_json::json!({
        "ops": changes_json(&t.changes),
        "pwd": hook.map(|h| h.pwd.clone()),
        "sp": hook.map(|h| h.shell_choice.clone()),
        "stamp": hook.map(|h| h.stamp.display().to_string()),
        "watch": hook.map(|h| h.timed.iter().map(|(p, _)| p.display().to_string()).collect::<Vec<_>>()),
        "refs": hook.map(|h| h.timed.iter().map(|(_, r)| r.as_ref().map(|r| r.display().to_string())).collect::<Vec<_>>()),
        "links": hook.map(|h| strings(&h.links)),
        "absent": hook.map(|h| strings(&h.absent)),
        "here": hook.map(|h| strings(&h.region.here)),
        "names": hook.map(|h| h.region.names.clone()),
        "marks": hook.map(|h| h.region.marks.clone()),
        "base": hook.map(|h| h.region.base.as_ref().map(|b| b.display().to_string())),
        "bars": hook.map(|h| strings(&h.region.barriers)),
        "probe": hook.map(|h| strings(&h.region.probe)),
        "owned": hook.map(|_| &t.owned),
        "env": hook.map(|h| h.env_watches.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>()),
        "envval": hook.map(|h| h.env_watches.iter().map(|(_, v)| env_watch_value(v.as_deref())).collect::<Vec<_>>()),
        "cdenv": hook.map(|h| h.cd_env_watches.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>()),
        "cdenvval": hook.map(|h| h.cd_env_watches.iter().map(|(_, v)| env_watch_value(v.as_deref())).collect::<Vec<_>>()),
        "until": hook.and_then(|h| h.until),
    });
    format!("{doc}\n")
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

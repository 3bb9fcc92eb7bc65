//! Small output helpers shared by commands: warnings, JSON, broken pipes.

use std::io::Write;

pub(crate) fn warn(message: impl std::fmt::Display) {
    say(&format!("warning: {message}"));
}

/// One line on stderr for people, with anything shaped like a token masked and every control
/// character escaped (a path or a `.env` key from a repository must not steer the terminal).
pub(crate) fn say(message: &str) {
    eprintln!("hfenv: {}", clean(&crate::token::redact(message), false));
}

/// Like [`print`], for text built from the user's config or a repository (names, rules,
/// commands, paths): anything shaped like a token is masked, control characters other than
/// line breaks and tabs are escaped.
pub(crate) fn print_for_people(text: &str) -> crate::error::Result<()> {
    print(&clean(&crate::token::redact(text), true))
}

/// Escapes C0 and C1 control characters and DEL as `\u{…}`; `lines` keeps `\n` and `\t`.
pub(crate) fn clean(text: &str, lines: bool) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| c.is_control() && !(lines && (c == '\n' || c == '\t'));
    if !text.chars().any(bad) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if bad(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Writes to stdout; a closed pipe (`hfenv list | head -1`) is not an error.
pub(crate) fn print(text: &str) -> crate::error::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(crate::error::Error::plain(format!(
            "could not write output: {e}"
        ))),
    }
}

/// Streams to stdout through `write`; a closed pipe is not an error.
pub(crate) fn print_with(
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> crate::error::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    match write(&mut out).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(crate::error::Error::plain(format!(
            "could not write output: {e}"
        ))),
    }
}

pub(crate) fn print_json(value: &serde_json::Value) -> crate::error::Result<()> {
    print_for_people(&format!(
        "{}\n",
        serde_json::to_string_pretty(value).expect("json serializes")
    ))
}

pub(crate) fn stdout_is_tty() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal()
}

/// Colour on stdout, decided as `doctor`, `list` and `status` all decide it: `NO_COLOR` (any
/// non-empty value) wins, then `CLICOLOR_FORCE` (non-empty, not `0`) forces it even into a
/// pipe, else a terminal that is not `TERM=dumb`.
pub(crate) fn color_wanted() -> bool {
    let env = crate::paths::process_env;
    if env("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return false;
    }
    if env("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0") {
        return true;
    }
    stdout_is_tty() && env("TERM").as_deref() != Some("dumb")
}

/// `text` in an SGR colour when `on`.
pub(crate) fn paint(on: bool, code: &str, text: &str) -> String {
    if on && !text.is_empty() {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// Columns `text` takes on a terminal (wide CJK characters take two, combining marks none).
pub(crate) fn display_width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// A table cell as shown: token-shaped text masked and control characters escaped first, so
/// the widths computed from it are the widths on the screen.
pub(crate) fn cell(text: &str) -> String {
    let masked = crate::token::redact(text);
    if !masked.chars().any(char::is_control) {
        return masked.into_owned();
    }
    let mut out = String::with_capacity(masked.len() + 8);
    for c in masked.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Rows of cells as aligned columns (two spaces apart, the last column unpadded), each cell
/// painted by `paint_cell(row, column, text)` after its width was measured.
pub(crate) fn columns(
    rows: &[Vec<String>],
    paint_cell: impl Fn(usize, usize, &str) -> String,
) -> String {
    // Each cell measured once; one output string, no buffer per line or padding.
    let cell_widths: Vec<Vec<usize>> = rows
        .iter()
        .map(|r| r.iter().map(|t| display_width(t)).collect())
        .collect();
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; n];
    for row in &cell_widths {
        for (c, w) in row.iter().enumerate() {
            widths[c] = widths[c].max(*w);
        }
    }
    let mut out = String::with_capacity(rows.len() * (widths.iter().sum::<usize>() + 2 * n + 1));
    for (i, row) in rows.iter().enumerate() {
        let line_start = out.len();
        for (c, text) in row.iter().enumerate() {
            out.push_str(&paint_cell(i, c, text));
            if c + 1 < row.len() {
                let pad = widths[c] - cell_widths[i][c] + 2;
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        let kept = out[line_start..].trim_end().len();
        out.truncate(line_start + kept);
        out.push('\n');
    }
    out
}

/// A message meant for people, as a plain value (JSON): without the Markdown backticks that
/// mark names in text.
pub(crate) fn plain(text: &str) -> String {
    text.replace('`', "")
}

/// A spinner on stderr while hfenv waits on the network: only on a terminal, only after a
/// moment (a fast answer shows nothing), and erased when the wait ends (on drop).
pub(crate) struct Spinner {
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Spinner {
    pub(crate) fn start(what: &str) -> Spinner {
        use std::io::IsTerminal;
        let off = Spinner {
            stop: None,
            thread: None,
        };
        if !std::io::stderr().is_terminal()
            || crate::paths::process_env("TERM").as_deref() == Some("dumb")
        {
            return off;
        }
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let what = what.to_string();
        let thread = std::thread::spawn(move || {
            use std::sync::mpsc::RecvTimeoutError::Timeout;
            const FRAMES: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
            if stopped.recv_timeout(std::time::Duration::from_millis(200)) != Err(Timeout) {
                return;
            }
            let mut err = std::io::stderr();
            for frame in FRAMES.iter().cycle() {
                let _ = write!(err, "\r{frame} {what}…");
                let _ = err.flush();
                if stopped.recv_timeout(std::time::Duration::from_millis(80)) != Err(Timeout) {
                    break;
                }
            }
            // Erase the line so what follows starts clean.
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        });
        Spinner {
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Text from outside (a server's answer, a file's name) as it may be written to a terminal:
/// control characters (C0, DEL, C1) and bidirectional overrides escaped as `\u{1b}`, so no
/// escape sequence reaches the terminal and nothing reads differently from what it is.
pub(crate) fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_masked_and_escaped() {
        assert_eq!(cell("work"), "work");
        assert_eq!(cell("a\tb\u{1b}c\u{85}"), "a\\tb\\u{1b}c\\u{85}");
        assert_eq!(cell("hf_AbCdEfGhIjKlMnOp7890 é"), "hf_Ab…7890 é");
    }

    #[test]
    fn columns_line_up_by_width_on_screen() {
        let rows = vec![
            vec!["NAME".to_string(), "SOURCE".into(), "TOKEN".into()],
            vec!["日本".to_string(), "x".into(), "".into()],
            vec!["a".to_string(), "inline token".into(), "hf_Ab…7890".into()],
        ];
        let painted = columns(&rows, |row, _, text| {
            if row == 0 {
                paint(true, "1", text)
            } else {
                text.to_string()
            }
        });
        assert_eq!(
            painted,
            "\x1b[1mNAME\x1b[0m  \x1b[1mSOURCE\x1b[0m        \x1b[1mTOKEN\x1b[0m\n\
             日本  x\n\
             a     inline token  hf_Ab…7890\n"
        );
    }
}

//! Small output helpers shared by commands: warnings, JSON, broken pipes.

use std::io::Write;

pub fn warn(message: impl std::fmt::Display) {
    say(&format!("warning: {message}"));
}

/// One line on stderr for people, with anything shaped like a token masked.
pub fn say(message: &str) {
    eprintln!("hfenv: {}", crate::token::redact(message));
}

/// Like [`print`], for text built from the user's config (names, rules, commands): anything
/// shaped like a token is masked.
pub fn print_for_people(text: &str) -> crate::error::Result<()> {
    print(&crate::token::redact(text))
}

/// Writes to stdout; a closed pipe (`hfenv list | head -1`) is not an error.
pub fn print(text: &str) -> crate::error::Result<()> {
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
pub fn print_with(
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

pub fn print_json(value: &serde_json::Value) -> crate::error::Result<()> {
    print_for_people(&format!(
        "{}\n",
        serde_json::to_string_pretty(value).expect("json serializes")
    ))
}

pub fn stdout_is_tty() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal()
}

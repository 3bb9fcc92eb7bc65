//! One error type for the whole tool: a message already worded for the user, and an exit code.

use std::fmt;

/// Exit codes, documented in the README: 0 ok, 1 failure (or problems found), 2 usage.
pub(crate) const EXIT_FAILURE: u8 = 1;
pub(crate) const EXIT_USAGE: u8 = 2;

#[derive(Debug)]
pub(crate) struct Error {
    pub message: String,
    pub code: u8,
}

impl Error {
    /// `what` went wrong, `fix` says what to do; rendered as `what — fix`.
    pub(crate) fn new(what: impl fmt::Display, fix: impl fmt::Display) -> Self {
        Error {
            message: format!("{what} — {fix}"),
            code: EXIT_FAILURE,
        }
    }

    pub(crate) fn plain(what: impl fmt::Display) -> Self {
        Error {
            message: what.to_string(),
            code: EXIT_FAILURE,
        }
    }

    pub(crate) fn usage(what: impl fmt::Display, fix: impl fmt::Display) -> Self {
        Error {
            message: format!("{what} — {fix}"),
            code: EXIT_USAGE,
        }
    }

    /// A failure whose explanation has already been printed (doctor's report, a child's exit).
    pub(crate) fn silent(code: u8) -> Self {
        Error {
            message: String::new(),
            code,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

pub(crate) type Result<T> = std::result::Result<T, Error>;

/// Attach the path to an I/O error, in the house style.
pub(crate) fn io_error(action: &str, path: &std::path::Path, err: std::io::Error) -> Error {
    Error::new(
        format!(
            "could not {action} `{}`: {}",
            path.display(),
            err_text(&err)
        ),
        "check that the path exists and that you may access it",
    )
}

pub(crate) fn err_text(err: &std::io::Error) -> String {
    // io::Error's Display adds "(os error N)", which says nothing to a user.
    let text = err.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_lowercase(),
        None => text.to_lowercase(),
    }
}

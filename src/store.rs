//! The operating system's credential store (Secret Service on Linux, Keychain on macOS,
//! Credential Manager on Windows) through `keyring`. A profile with `keyring = true` keeps its
//! token there under service `hfenv`, account = the profile's name.
//!
//! Every call is bounded: a D-Bus daemon may hang, and a locked store may show an unlock
//! prompt that nobody answers (a headless server, a shell hook). The store is reached only when
//! a command needs a token from it — never at start-up, never at a steady prompt.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use crate::config::StoreChoice;
use crate::error::Error;

/// The service name every hfenv secret is filed under.
pub(crate) const SERVICE: &str = "hfenv";

/// Where a stored token is, in words people can act on (`secret-tool lookup …`).
pub(crate) fn describe_entry(account: &str) -> String {
    format!("service `{SERVICE}`, account `{account}`")
}

#[derive(Debug)]
pub(crate) enum StoreError {
    /// No credential store answers: no D-Bus session, no Secret Service daemon, an
    /// unsupported platform.
    Unavailable(String),
    /// The store answers but refuses access: locked, or its unlock prompt was dismissed.
    Locked(String),
    /// The store answers but holds no secret for this account.
    Missing,
    /// The store did not answer in time (a hung daemon, an unanswered prompt).
    TimedOut(Duration),
    /// Anything else the store said.
    Failed(String),
}

impl StoreError {
    /// Whether `add` may fall back to the config: nothing answers at all.
    pub(crate) fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_) | StoreError::TimedOut(_))
    }

    pub(crate) fn describe(&self) -> String {
        match self {
            StoreError::Unavailable(why) => {
                format!("no credential store answers ({why})")
            }
            StoreError::Locked(why) => format!("the credential store is locked ({why})"),
            StoreError::Missing => "the credential store holds no token for it".into(),
            StoreError::TimedOut(t) => format!(
                "the credential store did not answer within {}s",
                t.as_secs_f32()
            ),
            StoreError::Failed(why) => format!("the credential store failed: {why}"),
        }
    }

    /// The house-style error for profile `name`.
    pub(crate) fn for_profile(&self, name: &str) -> Error {
        let fix = match self {
            StoreError::Unavailable(_) => {
                "start your desktop session's keyring (or run `hfenv doctor`); `--store config` keeps tokens in the config".to_string()
            }
            StoreError::Locked(_) => {
                "unlock your keyring (your desktop login or keyring manager does) and try again; a hooked shell tries again at the next `cd`".to_string()
            }
            StoreError::Missing => format!("store it again with `hfenv add {name} --force`"),
            StoreError::TimedOut(_) => "check that the keyring daemon runs and is unlocked, or raise `token_command_timeout` in `[settings]`".to_string(),
            StoreError::Failed(_) => "run `hfenv doctor`".to_string(),
        };
        Error::new(format!("profile `{name}`: {}", self.describe()), fix)
    }
}

/// A platform's message, fit for a terminal: masked, no control characters, short.
fn text(e: &dyn std::fmt::Display) -> String {
    crate::token::redact(&e.to_string())
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect()
}

fn classify(err: keyring::Error) -> StoreError {
    match err {
        keyring::Error::NoEntry => StoreError::Missing,
        keyring::Error::NoStorageAccess(e) => StoreError::Locked(text(&e)),
        keyring::Error::NoDefaultStore => {
            StoreError::Unavailable("no store could be opened".into())
        }
        keyring::Error::PlatformFailure(e) => StoreError::Unavailable(text(&e)),
        keyring::Error::Ambiguous(v) => StoreError::Failed(format!(
            "{} entries match; remove the extra ones in your keyring manager",
            v.len()
        )),
        other => StoreError::Failed(text(&other)),
    }
}

/// Set once a call timed out: later calls in this process fail at once instead of waiting again.
static GAVE_UP: AtomicBool = AtomicBool::new(false);

/// Runs `op` on a helper thread and waits at most `timeout`. A call still blocked after that is
/// abandoned (the process exits soon after; nothing it would do matters any more).
fn bounded<T: Send + 'static>(
    timeout: Duration,
    op: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    if GAVE_UP.load(Ordering::Relaxed) {
        return Err(StoreError::TimedOut(timeout));
    }
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("hfenv-store".into())
        .spawn(move || {
            let _ = tx.send(op());
        });
    if let Err(e) = spawned {
        return Err(StoreError::Failed(format!("could not start a thread: {e}")));
    }
    match rx.recv_timeout(timeout) {
        Ok(result) => result,
        Err(_) => {
            GAVE_UP.store(true, Ordering::Relaxed);
            Err(StoreError::TimedOut(timeout))
        }
    }
}

fn entry(account: &str) -> Result<keyring::Entry, StoreError> {
    if let Err(e) = keyring::Entry::store_status() {
        return Err(match e {
            keyring::Error::PlatformFailure(e) => StoreError::Unavailable(text(e)),
            keyring::Error::NoStorageAccess(e) => StoreError::Locked(text(e)),
            _ => StoreError::Unavailable("no store could be opened".into()),
        });
    }
    keyring::Entry::new(SERVICE, account).map_err(classify)
}

/// Whether a credential store answers at all (it may still be locked).
pub(crate) fn probe(timeout: Duration) -> Result<(), StoreError> {
    bounded(timeout, || entry("probe").map(|_| ()))
}

/// The token stored for `account`.
pub(crate) fn get(account: &str, timeout: Duration) -> Result<String, StoreError> {
    let account = account.to_string();
    let secret = bounded(timeout, move || {
        entry(&account)?.get_password().map_err(classify)
    })?;
    crate::token::clean(&secret).ok_or(StoreError::Missing)
}

/// Stores `token` for `account` (replacing what was there) and reads it back: the caller is
/// about to drop its only other copy.
pub(crate) fn set(account: &str, token: &str, timeout: Duration) -> Result<(), StoreError> {
    let account = account.to_string();
    let token = token.to_string();
    bounded(timeout, move || {
        let entry = entry(&account)?;
        entry.set_password(&token).map_err(classify)?;
        match entry.get_password() {
            Ok(back) if back == token => Ok(()),
            Ok(_) => Err(StoreError::Failed(
                "the token read back differs from the one stored".into(),
            )),
            Err(e) => Err(classify(e)),
        }
    })
}

/// Deletes the token stored for `account`; `Ok(false)` when there was none.
pub(crate) fn delete(account: &str, timeout: Duration) -> Result<bool, StoreError> {
    let account = account.to_string();
    bounded(timeout, move || {
        match entry(&account)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(classify(e)),
        }
    })
}

/// Puts a token that is about to be saved where the user's `choice` says: `Ok(true)` when it
/// is in the store, `Ok(false)` when the config should keep it. With `auto` and no store
/// answering, the config keeps it and the user is told once per run; a store that answers but
/// refuses (locked) is an error, never a silent fallback to plain text.
pub(crate) fn keep(
    account: &str,
    token: &str,
    choice: StoreChoice,
    timeout: Duration,
) -> crate::error::Result<bool> {
    static TOLD: AtomicBool = AtomicBool::new(false);
    if choice == StoreChoice::Config {
        return Ok(false);
    }
    match set(account, token, timeout) {
        Ok(()) => Ok(true),
        Err(e) if e.is_unavailable() && choice == StoreChoice::Auto => {
            if !TOLD.swap(true, Ordering::Relaxed) {
                crate::ui::say(&format!(
                    "{}; the token is kept in the config file (mode 0600) — `hfenv migrate` moves it once a store answers, `--store config` keeps it there quietly",
                    e.describe()
                ));
            }
            Ok(false)
        }
        Err(e) => Err(Error::new(
            format!(
                "could not keep the token in the credential store: {}",
                e.describe()
            ),
            match e {
                StoreError::Locked(_) => {
                    "unlock your keyring and try again, or pass `--store config`"
                }
                _ => "pass `--store config` to keep it in the config file",
            },
        )),
    }
}

/// Deletes the stored token of a profile that no longer points at it (replaced by another
/// source); a failure is a warning saying where the secret stays.
pub(crate) fn delete_orphan(account: &str, timeout: Duration) {
    if let Err(e) = delete(account, timeout) {
        crate::ui::warn(format!(
            "the old token of `{account}` stays in the credential store ({}): {} — delete it in your keyring manager",
            describe_entry(account),
            e.describe()
        ));
    }
}

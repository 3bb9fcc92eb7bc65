//! Browser (OAuth) logins: refreshing an access token before it is handed out, exactly as
//! huggingface_hub 2.4 does it (reference §1.6), so hfenv and Python processes can refresh the
//! same `stored_tokens` at once without losing a login.
//!
//! - A login is refreshed when less than 24 h of validity remain.
//! - Under `stored_tokens.lock` (flock, as Python's `filelock` takes it) the file is read again;
//!   if another process already refreshed the login, its result is adopted and no request is
//!   made — with rotating refresh tokens a second request would revoke the login.
//! - The file is written back in huggingface_hub's format, atomically; the token file (and
//!   hfenv's own per-profile token files) are rewritten only while they still hold the old token.
//! - A failure is remembered in hfenv's state directory: a revoked login is not asked for again
//!   until it changes, a transient failure is retried after five minutes, and `status`/`doctor`
//!   can name the cause.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use super::hub::{Hub, RefreshError};
use super::stored::{self, Section};
use crate::files::{self, Links};
use crate::token::{clean, fingerprint};

/// huggingface_hub refreshes when less than this much validity remains.
pub(crate) const REFRESH_MARGIN: i64 = 24 * 3600;
/// How long a transient failure waits before the next attempt (huggingface_hub's recheck).
pub(crate) const RETRY_AFTER: i64 = 300;
/// huggingface_hub's `HF_DEVICE_CODE_OAUTH_CLIENT_ID` default.
pub(crate) const DEFAULT_CLIENT_ID: &str = "26be6b09-91c5-47da-9861-d2d2bb7a7e36";
/// Prefix of the token files hfenv hands to huggingface_hub (`HF_TOKEN_PATH`), one per
/// profile, next to `stored_tokens` so huggingface_hub refreshes them itself.
pub(crate) const PROFILE_TOKEN_PREFIX: &str = "token.hfenv.";

pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Where a login lives and where its refresh may be sent.
pub(crate) struct Place {
    pub stored: PathBuf,
    /// huggingface_hub's active token file (`HF_TOKEN_PATH`).
    pub token_file: PathBuf,
    /// The endpoint the user chose (never one a repository's `.env` set).
    pub endpoint: String,
    pub client_id: String,
    /// `HF_HUB_OFFLINE`: huggingface_hub makes no request then, and neither does hfenv.
    pub offline: bool,
    /// `HF_HUB_DOWNLOAD_TIMEOUT`, which huggingface_hub uses for this request.
    pub request_timeout: Duration,
    /// hfenv's state directory, where failures are remembered.
    pub state: Option<PathBuf>,
}

impl Place {
    pub(crate) fn from_env(stored: PathBuf, env: &dyn Fn(&str) -> Option<String>) -> Place {
        let timeout = env("HF_HUB_DOWNLOAD_TIMEOUT")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|v| *v > 0)
            .unwrap_or(10);
        Place {
            token_file: crate::paths::hf_token_path(env),
            stored,
            endpoint: super::hub::endpoint(env),
            client_id: env("HF_DEVICE_CODE_OAUTH_CLIENT_ID")
                .filter(|c| !c.is_empty())
                .unwrap_or_else(|| DEFAULT_CLIENT_ID.into()),
            offline: crate::paths::is_true(
                env("HF_HUB_OFFLINE")
                    .filter(|v| !v.is_empty())
                    .or_else(|| env("TRANSFORMERS_OFFLINE"))
                    .as_deref(),
            ),
            request_timeout: Duration::from_secs(timeout.min(120)),
            state: crate::state::dir().ok(),
        }
    }
}

/// Why a login that needed a refresh did not get one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Problem {
    /// `HF_HUB_OFFLINE` is set.
    Offline,
    /// Another process held `stored_tokens.lock` for too long.
    Busy,
    /// The refresh token expired or was revoked: only `hf auth login` helps.
    Revoked(String),
    /// Offline, a timeout, a Hub error: retried after a while.
    Failed(String),
    /// The file could not be written back (or huggingface_hub could not read it).
    Unwritable(String),
}

impl Problem {
    pub(crate) fn describe(&self) -> String {
        match self {
            Problem::Offline => "`HF_HUB_OFFLINE` is set, so it was not refreshed".into(),
            Problem::Busy => {
                "another process held `stored_tokens.lock` too long, so it was not refreshed".into()
            }
            Problem::Revoked(why) => format!("its session expired or was revoked: {why}"),
            Problem::Failed(why) => format!("refreshing it failed: {why}"),
            Problem::Unwritable(why) => format!("the refreshed token could not be saved: {why}"),
        }
    }
}

/// A browser login's token, made fresh if it could be.
#[derive(Debug, Clone)]
pub(crate) struct Fresh {
    pub token: String,
    pub expires_at: Option<i64>,
    /// A refresh token and an expiry: huggingface_hub would refresh this login.
    pub refreshable: bool,
    pub problem: Option<Problem>,
    /// When the holder of this token should ask again (a shell's deadline).
    pub recheck_at: Option<i64>,
}

impl Fresh {
    pub(crate) fn expired(&self, now: i64) -> bool {
        self.expires_at.is_some_and(|e| e <= now)
    }
}

/// The token of `section`, refreshed first when it is a browser login with less than 24 h left.
pub(crate) fn ensure(place: &Place, section: &Section, now: i64) -> Fresh {
    let token = section.token().unwrap_or_default();
    let expires_at = section.expires_at();
    let plain = Fresh {
        token: token.clone(),
        expires_at,
        refreshable: section.refreshable(),
        problem: None,
        recheck_at: None,
    };
    let (Some(refresh_token), Some(expires)) = (section.refresh_token(), expires_at) else {
        return plain;
    };
    if expires - REFRESH_MARGIN > now {
        return Fresh {
            recheck_at: Some(expires - REFRESH_MARGIN),
            ..plain
        };
    }
    let memory = Memory::new(place, &section.name);
    let failed = |problem: Problem| {
        let retry = match problem {
            // Nothing changes until the user logs in again, which rewrites the watched file;
            // the deadline is the expiry, when the token must leave the shell.
            Problem::Revoked(_) => expires,
            _ => (now + RETRY_AFTER).min(expires.max(now + 1)),
        };
        Fresh {
            problem: Some(problem),
            recheck_at: (expires > now).then_some(retry),
            ..plain.clone()
        }
    };
    if place.offline {
        return failed(Problem::Offline);
    }
    if let Some(known) = memory.recall(refresh_token, now) {
        return failed(known);
    }
    // A valid token makes waiting pointless: use it and let a later call refresh.
    let valid = expires > now;
    let wait = if valid {
        Duration::from_secs(3)
    } else {
        place.request_timeout + Duration::from_secs(2)
    };
    let _lock = match lock(&place.stored, wait) {
        Ok(Some(l)) => l,
        Ok(None) => return failed(Problem::Busy),
        Err(e) => return failed(Problem::Unwritable(format!("locking: {e}"))),
    };
    // Re-read under the lock: another process (hfenv or huggingface_hub) may have refreshed.
    let current = match stored::read(&place.stored) {
        Ok(c) => c,
        Err(e) => return failed(Problem::Unwritable(format!("reading again: {e}"))),
    };
    if let Some(err) = &current.python_error {
        return failed(Problem::Unwritable(format!(
            "huggingface_hub cannot read `{}` ({err})",
            place.stored.display()
        )));
    }
    let Some(again) = current.get(&section.name) else {
        return failed(Problem::Unwritable(
            "the login was removed meanwhile".into(),
        ));
    };
    if again.token().as_deref() != Some(token.as_str()) {
        // Adopt another process's refresh.
        let adopted = again.token().unwrap_or_default();
        let new_expiry = again.expires_at();
        return Fresh {
            token: adopted,
            expires_at: new_expiry,
            refreshable: again.refreshable(),
            problem: None,
            recheck_at: new_expiry.map(|e| recheck(e, now)),
        };
    }
    let hub = match Hub::new(place.endpoint.clone(), place.request_timeout) {
        Ok(h) => h,
        Err(e) => return failed(Problem::Failed(e.describe())),
    };
    let answer = match hub.refresh(refresh_token, &place.client_id) {
        Ok(a) => a,
        Err(RefreshError::Revoked(why)) => {
            let problem = Problem::Revoked(crate::token::redact(&why).into_owned());
            memory.remember(refresh_token, &problem, now);
            return failed(problem);
        }
        Err(e @ RefreshError::Failed(_)) => {
            let problem = Problem::Failed(e.describe());
            memory.remember(refresh_token, &problem, now);
            return failed(problem);
        }
    };
    let Some(new_token) = clean(&answer.access_token) else {
        return failed(Problem::Failed("the Hub sent an empty token".into()));
    };
    let new_expiry = answer.expires_in.map(|s| now + s);
    let mut sections = current.sections.clone();
    for s in &mut sections {
        if s.name == section.name {
            // huggingface_hub replaces the whole section; a rotated refresh token replaces the
            // old one, which stays when the Hub sends none.
            s.values.clear();
            s.values.insert("hf_token".into(), new_token.clone());
            s.values.insert(
                "refresh_token".into(),
                answer
                    .refresh_token
                    .clone()
                    .unwrap_or_else(|| refresh_token.to_string()),
            );
            if let Some(e) = new_expiry {
                s.values.insert("expires_at".into(), e.to_string());
            }
        }
    }
    if let Err(e) = write_hf(&place.stored, stored::render(&sections).as_bytes()) {
        // The Hub may have rotated the refresh token: this login is now likely lost, and the
        // user must hear it.
        return failed(Problem::Unwritable(e.message));
    }
    replace_token_files(place, &token, &new_token);
    memory.forget();
    Fresh {
        token: new_token,
        expires_at: new_expiry,
        refreshable: new_expiry.is_some(),
        problem: None,
        recheck_at: new_expiry.map(|e| recheck(e, now)),
    }
}

/// When a holder of a token valid until `expires` should ask again: when huggingface_hub would
/// refresh it, but never sooner than five minutes (a token living less than a day would
/// otherwise be refreshed at every prompt), and always before it expires.
pub(crate) fn recheck(expires: i64, now: i64) -> i64 {
    let due = expires - REFRESH_MARGIN;
    if due > now {
        return due;
    }
    let left = expires - now;
    now + RETRY_AFTER.min(left / 2).max(1)
}

/// Takes `stored_tokens.lock` the way Python's `filelock` does (flock on a file that stays).
fn lock(stored: &Path, wait: Duration) -> std::io::Result<Option<File>> {
    let name = stored
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "stored_tokens".into());
    let path = stored.with_file_name(format!("{name}.lock"));
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o664)
        .open(&path)?;
    let started = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Some(file)),
            Err(std::fs::TryLockError::WouldBlock) => {
                if started.elapsed() >= wait {
                    return Ok(None);
                }
                std::thread::sleep(Duration::from_millis(25));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(e),
        }
    }
}

/// The file read while holding the lock (no writer is midway), if the lock can be had soon.
pub(crate) fn read_locked(stored: &Path) -> Option<stored::StoredTokens> {
    if !stored.exists() {
        return None;
    }
    let _lock = lock(stored, Duration::from_secs(3)).ok()??;
    stored::read(stored).ok()
}

/// huggingface_hub's token file and hfenv's per-profile token files beside `stored_tokens`.
fn token_files(place: &Place) -> Vec<PathBuf> {
    let mut files = vec![place.token_file.clone()];
    if let Some(dir) = place.stored.parent() {
        if let Ok(entries) = std::fs::read_dir(dir) {
            files.extend(
                entries
                    .flatten()
                    .filter(|e| {
                        e.file_name()
                            .to_string_lossy()
                            .starts_with(PROFILE_TOKEN_PREFIX)
                    })
                    .map(|e| e.path()),
            );
        }
    }
    files
}

/// huggingface_hub's token file and hfenv's per-profile ones follow a refresh only while they
/// still hold the old token: another process may have switched them meanwhile.
fn replace_token_files(place: &Place, old: &str, new: &str) {
    let files = token_files(place);
    for f in files {
        if read_token(&f).as_deref() == Some(old) {
            let _ = write_hf(&f, new.as_bytes());
        }
    }
}

/// huggingface_hub's files (and hfenv's token files beside them): atomically, 0600, through a
/// symlink the user made as huggingface_hub writes through it.
fn write_hf(path: &Path, bytes: &[u8]) -> crate::error::Result<()> {
    crate::files::write_atomic(
        path,
        bytes,
        crate::files::WriteOptions {
            links: crate::files::Links::Follow,
            mode: 0o600,
            durable: true,
        },
    )
}

pub(crate) fn read_token(path: &Path) -> Option<String> {
    // The user's token file may be a link they made; it is still only a small regular file,
    // checked on the opened descriptor (never a FIFO or /dev/zero).
    clean(&files::read_bounded_string(path, SMALL_FILE, Links::Follow).ok()?)
}

/// The most hfenv reads of a token file or of its own refresh bookkeeping.
const SMALL_FILE: u64 = 64 << 10;

/// hfenv's own bookkeeping under its state directory: never a link, bounded.
fn read_own(path: &Path, limit: u64) -> Option<String> {
    files::read_bounded_string(path, limit, Links::Refuse).ok()
}

/// The token file hfenv hands to huggingface_hub for `profile` (see `PROFILE_TOKEN_PREFIX`).
pub(crate) fn profile_token_file(stored: &Path, profile: &str) -> PathBuf {
    stored.with_file_name(format!("{PROFILE_TOKEN_PREFIX}{profile}"))
}

/// Keeps a profile's token file holding the login's current token; written only when it
/// differs, under the lock, with the section read again (a refresh may be under way).
pub(crate) fn sync_profile_token_file(
    stored_path: &Path,
    section: &str,
    path: &Path,
    token: &str,
) -> crate::error::Result<()> {
    if read_token(path).as_deref() == Some(token) {
        return Ok(());
    }
    let _lock = lock(stored_path, Duration::from_secs(3))
        .map_err(|e| crate::error::io_error("lock", stored_path, e))?;
    let current = stored::read(stored_path)
        .ok()
        .and_then(|s| s.get(section).and_then(Section::token))
        .unwrap_or_else(|| token.to_string());
    if read_token(path).as_deref() == Some(current.as_str()) {
        return Ok(());
    }
    write_hf(path, current.as_bytes())
}

/// What hfenv remembers about a login's last failed refresh, so a revoked login is not asked
/// for at every prompt and `status` can say why.
struct Memory {
    path: Option<PathBuf>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Remembered {
    refresh: String,
    revoked: bool,
    at: i64,
    why: String,
}

impl Memory {
    fn new(place: &Place, section: &str) -> Memory {
        let key = fingerprint(&format!("{}\n{section}", place.stored.display()));
        Memory {
            path: place.state.as_ref().map(|s| s.join("refresh").join(key)),
        }
    }

    fn recall(&self, refresh_token: &str, now: i64) -> Option<Problem> {
        let text = read_own(self.path.as_ref()?, SMALL_FILE)?;
        let r: Remembered = serde_json::from_str(&text).ok()?;
        if r.refresh != fingerprint(refresh_token) {
            return None;
        }
        if r.revoked {
            return Some(Problem::Revoked(r.why));
        }
        (now - r.at < RETRY_AFTER && now >= r.at).then_some(Problem::Failed(r.why))
    }

    fn remember(&self, refresh_token: &str, problem: &Problem, now: i64) {
        let Some(path) = &self.path else { return };
        let (revoked, why) = match problem {
            Problem::Revoked(w) => (true, w.clone()),
            Problem::Failed(w) => (false, w.clone()),
            _ => return,
        };
        let r = Remembered {
            refresh: fingerprint(refresh_token),
            revoked,
            at: now,
            why,
        };
        if let Some(dir) = path.parent() {
            if crate::files::private_dir(dir).is_err() {
                return;
            }
        }
        let _ = crate::files::write_private(
            path,
            serde_json::to_string(&r).expect("strings").as_bytes(),
        );
    }

    fn forget(&self) {
        if let Some(p) = &self.path {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// A login's earlier tokens (fingerprints), so a token file left holding one of them — after
/// huggingface_hub refreshed the login through another token file — is brought up to date.
fn history_path(place: &Place, section: &str) -> Option<PathBuf> {
    let key = fingerprint(&format!("{}\n{section}", place.stored.display()));
    Some(
        place
            .state
            .as_ref()?
            .join("refresh")
            .join(format!("{key}.seen")),
    )
}

/// Records `token` as this login's and brings stale token files (huggingface_hub's and hfenv's
/// per-profile ones) up to date, under the lock.
pub(crate) fn follow(place: &Place, section: &str, token: &str) {
    let Some(path) = history_path(place, section) else {
        return;
    };
    let print = fingerprint(token);
    let mut seen: Vec<String> = read_own(&path, 1 << 20)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect();
    let files = token_files(place);
    let stale: Vec<PathBuf> = files
        .into_iter()
        .filter(|f| {
            read_token(f).is_some_and(|t| {
                let p = fingerprint(&t);
                p != print && seen.contains(&p)
            })
        })
        .collect();
    if !stale.is_empty() {
        if let Ok(Some(_lock)) = lock(&place.stored, Duration::from_secs(3)) {
            let still = stored::read(&place.stored)
                .ok()
                .and_then(|s| s.get(section).and_then(Section::token));
            if still.as_deref() == Some(token) {
                for f in stale {
                    if read_token(&f).is_some_and(|t| seen.contains(&fingerprint(&t))) {
                        let _ = write_hf(&f, token.as_bytes());
                    }
                }
            }
        }
    }
    if seen.last() != Some(&print) {
        seen.retain(|p| *p != print);
        seen.push(print);
        let keep = seen.len().saturating_sub(32);
        if let Some(dir) = path.parent() {
            if crate::files::private_dir(dir).is_err() {
                return;
            }
        }
        let _ = crate::files::write_private(&path, seen[keep..].join("\n").as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recheck_is_before_expiry_and_never_a_busy_loop() {
        let now = 1_000_000;
        assert_eq!(recheck(now + 2 * REFRESH_MARGIN, now), now + REFRESH_MARGIN);
        assert_eq!(recheck(now + 3600, now), now + RETRY_AFTER);
        assert_eq!(recheck(now + 60, now), now + 30);
        assert_eq!(recheck(now, now), now + 1);
    }
}

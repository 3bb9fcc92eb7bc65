//! The Hub client: blocking reqwest over rustls, bounded in time, and careful with the token —
//! it is never sent over plain http except to loopback, and never follows a redirect to another
//! host.

use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use reqwest::header::{AUTHORIZATION, USER_AGENT};

pub(crate) const DEFAULT_ENDPOINT: &str = "https://huggingface.co";

pub(crate) fn endpoint(env: &dyn Fn(&str) -> Option<String>) -> String {
    if crate::paths::is_true(env("HUGGINGFACE_CO_STAGING").as_deref()) {
        return "https://hub-ci.huggingface.co".into();
    }
    env("HF_ENDPOINT")
        .filter(|e| !e.is_empty())
        .unwrap_or_else(|| DEFAULT_ENDPOINT.into())
        .trim_end_matches('/')
        .to_string()
}

#[derive(Debug)]
pub(crate) enum HubError {
    /// The token is invalid, expired or revoked (401 with the Hub's credentials message).
    Unauthorized,
    RateLimited,
    Server(u16),
    Status(u16, String),
    /// The body was not what the Hub sends.
    Garbage(String),
    Timeout,
    Connect(String),
    /// Refused before sending: the endpoint would expose the token.
    Insecure(String),
}

impl HubError {
    pub(crate) fn describe(&self) -> String {
        match self {
            HubError::Unauthorized => {
                "the Hub rejected the token (401: invalid, expired or revoked)".into()
            }
            HubError::RateLimited => {
                "the Hub is rate-limiting requests (429); try again in a minute".into()
            }
            HubError::Server(code) => {
                format!("the Hub had a server error ({code}); try again later")
            }
            HubError::Status(code, msg) => format!(
                "the Hub answered {code}{}",
                if msg.is_empty() {
                    String::new()
                } else {
                    format!(": {msg}")
                }
            ),
            HubError::Garbage(what) => format!("the Hub's answer was not understood ({what})"),
            HubError::Timeout => "the Hub did not answer in time".into(),
            HubError::Connect(e) => format!("could not reach the Hub ({e})"),
            HubError::Insecure(url) => format!(
                "refusing to send a token to `{url}` over plain http (only loopback may use http)"
            ),
        }
    }
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Identity {
    pub user: String,
    pub orgs: Vec<String>,
    pub token_name: Option<String>,
    pub role: Option<String>,
    pub fine_grained_write: bool,
    /// whoami-v2 `auth.accessToken.fineGrained`, for a fine-grained token.
    #[serde(default)]
    pub fine: Option<FineGrained>,
}

/// What a fine-grained token may do (whoami-v2 `auth.accessToken.fineGrained`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct FineGrained {
    pub can_read_gated_repos: Option<bool>,
    /// Permissions everywhere (`global`).
    pub global: Vec<String>,
    /// Permissions on one user or organisation.
    pub scoped: Vec<Scope>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Scope {
    /// `user` or `org`.
    pub kind: String,
    pub name: String,
    pub permissions: Vec<String>,
}

impl Identity {
    /// What the token may do, in one line for people.
    pub(crate) fn may_do(&self) -> String {
        let role = self.role.as_deref().unwrap_or("unknown role");
        let Some(fine) = &self.fine else {
            return match role {
                "read" => "read (download public, gated and own private repositories)".into(),
                "write" => {
                    "write (read, and push to the account's and its orgs' repositories)".into()
                }
                other => other.to_string(),
            };
        };
        let mut parts = vec!["fine-grained".to_string()];
        match fine.can_read_gated_repos {
            Some(true) => parts.push("reads gated repos it was granted".into()),
            Some(false) => parts.push("cannot read gated repos".into()),
            None => {}
        }
        if !fine.global.is_empty() {
            parts.push(format!("everywhere: {}", fine.global.join(", ")));
        }
        for s in &fine.scoped {
            parts.push(format!(
                "{} `{}`: {}",
                s.kind,
                s.name,
                if s.permissions.is_empty() {
                    "nothing".to_string()
                } else {
                    s.permissions.join(", ")
                }
            ));
        }
        if fine.scoped.is_empty() && fine.global.is_empty() {
            parts.push("no repository permissions".into());
        }
        parts.join("; ")
    }

    /// For a fine-grained token: whether it holds `permission` on `owner`'s repositories.
    /// `None` for other tokens (their role decides).
    pub(crate) fn fine_allows(&self, owner: &str, permission: &str) -> Option<bool> {
        let fine = self.fine.as_ref()?;
        let has = |perms: &[String]| {
            perms.iter().any(|p| {
                p == permission || (permission == "repo.content.read" && p == "repo.write")
            })
        };
        Some(
            has(&fine.global)
                || fine
                    .scoped
                    .iter()
                    .any(|s| s.name.eq_ignore_ascii_case(owner) && has(&s.permissions)),
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Access {
    Granted,
    GatedNotGranted,
    GatedNoToken,
    NotFoundOrPrivate,
    TokenLacksPermission,
    InvalidToken,
    Disabled,
}

pub(crate) struct Hub {
    client: Client,
    pub endpoint: String,
    /// The bound on a whole exchange: connecting, the answer's headers and its body.
    timeout: Duration,
}

impl Hub {
    pub(crate) fn new(endpoint: String, timeout: Duration) -> Result<Hub, HubError> {
        let endpoint_host = reqwest::Url::parse(&endpoint)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string));
        let policy = reqwest::redirect::Policy::custom(move |attempt| {
            // The Authorization header must never reach another host.
            let same_host = attempt.url().host_str().map(str::to_string) == endpoint_host;
            if !same_host || attempt.previous().len() > 5 {
                attempt.stop()
            } else {
                attempt.follow()
            }
        });
        crate::nss::pin_builtin_services();
        let client = Client::builder()
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .timeout(timeout)
            .redirect(policy)
            .build()
            .map_err(|e| HubError::Connect(e.to_string()))?;
        Ok(Hub {
            client,
            endpoint,
            timeout,
        })
    }

    fn check_secure(&self) -> Result<(), HubError> {
        check_secure(&self.endpoint)
    }

    fn get(
        &self,
        path: &str,
        token: Option<&str>,
    ) -> Result<reqwest::blocking::Response, HubError> {
        self.check_secure()?;
        let mut req = self
            .client
            .get(format!("{}{path}", self.endpoint))
            .header(USER_AGENT, format!("hfenv/{}", env!("CARGO_PKG_VERSION")));
        if let Some(t) = token {
            req = req.header(AUTHORIZATION, format!("Bearer {t}"));
        }
        req.send().map_err(|e| {
            if e.is_timeout() {
                HubError::Timeout
            } else {
                HubError::Connect(connect_reason(&e))
            }
        })
    }

    pub(crate) fn whoami(&self, token: &str) -> Result<Identity, HubError> {
        let started = Instant::now();
        let resp = self.get("/api/whoami-v2", Some(token))?;
        let status = resp.status().as_u16();
        match status {
            200 => {}
            401 => return Err(HubError::Unauthorized),
            429 => return Err(HubError::RateLimited),
            500..=599 => return Err(HubError::Server(status)),
            _ => return Err(HubError::Status(status, error_message(resp))),
        }
        let body = read_body(resp, started + self.timeout)?;
        let json: serde_json::Value =
            serde_json::from_slice(&body).map_err(|_| HubError::Garbage("not JSON".into()))?;
        let user = json
            .get("name")
            .and_then(|n| n.as_str())
            .map(printable)
            .ok_or_else(|| HubError::Garbage("no `name` in the answer".into()))?;
        let orgs = json
            .get("orgs")
            .and_then(|o| o.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|o| o.get("name").and_then(|n| n.as_str()).map(printable))
                    .collect()
            })
            .unwrap_or_default();
        let access = json.pointer("/auth/accessToken");
        let fine = access.and_then(|a| a.get("fineGrained"));
        let fine_grained_write = fine.is_some_and(|f| {
            let text = f.to_string();
            text.contains(".write") || text.contains("\"write\"")
        });
        Ok(Identity {
            user,
            orgs,
            token_name: access
                .and_then(|a| a.get("displayName"))
                .and_then(|n| n.as_str())
                .map(printable),
            role: access
                .and_then(|a| a.get("role"))
                .and_then(|n| n.as_str())
                .map(printable),
            fine_grained_write,
            fine: fine.map(|f| FineGrained {
                can_read_gated_repos: f.get("canReadGatedRepos").and_then(|v| v.as_bool()),
                global: strings(f.get("global")),
                scoped: f
                    .get("scoped")
                    .and_then(|s| s.as_array())
                    .map(|a| {
                        a.iter()
                            .map(|s| Scope {
                                kind: s
                                    .pointer("/entity/type")
                                    .and_then(|v| v.as_str())
                                    .unwrap_or("")
                                    .to_string(),
                                name: s
                                    .pointer("/entity/name")
                                    .and_then(|v| v.as_str())
                                    .unwrap_or("")
                                    .to_string(),
                                permissions: strings(s.get("permissions")),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            }),
        })
    }

    /// `/api/{kind}s/{id}/auth-check`, interpreted as huggingface_hub does (reference §5.3).
    pub(crate) fn auth_check(
        &self,
        kind: &str,
        repo: &str,
        token: Option<&str>,
    ) -> Result<Access, HubError> {
        let resp = self.get(&format!("/api/{kind}s/{repo}/auth-check"), token)?;
        let status = resp.status().as_u16();
        let code = resp
            .headers()
            .get("x-error-code")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let message = resp
            .headers()
            .get("x-error-message")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        if (200..300).contains(&status) {
            return Ok(Access::Granted);
        }
        if message == "Access to this resource is disabled." {
            return Ok(Access::Disabled);
        }
        Ok(match (code.as_str(), status) {
            ("GatedRepo", 401) => Access::GatedNoToken,
            ("GatedRepo", _) => Access::GatedNotGranted,
            ("RepoNotFound", _) => Access::NotFoundOrPrivate,
            (_, 401) if message == "Invalid credentials in Authorization header" => {
                Access::InvalidToken
            }
            (_, 401) => Access::NotFoundOrPrivate,
            (_, 403) => Access::TokenLacksPermission,
            (_, 404) => Access::NotFoundOrPrivate,
            (_, 429) => return Err(HubError::RateLimited),
            (_, 500..=599) => return Err(HubError::Server(status)),
            _ => return Err(HubError::Status(status, message)),
        })
    }
}

/// A token goes only over TLS, loopback excepted (the tests' mock Hub): the one rule for
/// `add`, `whoami`, `doctor` and the git credential helper.
pub(crate) fn check_secure(endpoint: &str) -> Result<(), HubError> {
    let url = reqwest::Url::parse(endpoint)
        .map_err(|_| HubError::Connect(format!("`{endpoint}` is not a URL")))?;
    let host = url
        .host_str()
        .unwrap_or("")
        .trim_start_matches('[')
        .trim_end_matches(']');
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if url.scheme() != "https" && !loopback {
        return Err(HubError::Insecure(endpoint.to_string()));
    }
    Ok(())
}

/// The answer to a refresh grant (reference §1.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refreshed {
    pub access_token: String,
    /// A rotated refresh token; `None` means the old one stays valid.
    pub refresh_token: Option<String>,
    pub expires_in: Option<i64>,
}

#[derive(Debug)]
pub(crate) enum RefreshError {
    /// `invalid_grant`: the refresh token expired or was revoked; only a new login helps.
    Revoked(String),
    /// Anything else: offline, a timeout, a server error, an answer not understood.
    Failed(HubError),
}

impl RefreshError {
    pub(crate) fn describe(&self) -> String {
        match self {
            RefreshError::Revoked(why) => format!("the Hub refused the refresh token ({why})"),
            RefreshError::Failed(e) => e.describe(),
        }
    }
}

/// Largest OAuth answer read; a token answer is a few hundred bytes.
const MAX_OAUTH_BODY: u64 = 64 << 10;

impl Hub {
    /// `POST {endpoint}/oauth/token` with a refresh grant, exactly as huggingface_hub's
    /// `refresh_access_token` sends it.
    pub(crate) fn refresh(
        &self,
        refresh_token: &str,
        client_id: &str,
    ) -> Result<Refreshed, RefreshError> {
        use std::io::Read;
        check_secure(&self.endpoint).map_err(RefreshError::Failed)?;
        let body = format!(
            "grant_type=refresh_token&refresh_token={}&client_id={}",
            form_encode(refresh_token),
            form_encode(client_id)
        );
        let resp = self
            .client
            .post(format!("{}/oauth/token", self.endpoint))
            .header(USER_AGENT, format!("hfenv/{}", env!("CARGO_PKG_VERSION")))
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body)
            .send()
            .map_err(|e| {
                RefreshError::Failed(if e.is_timeout() {
                    HubError::Timeout
                } else {
                    HubError::Connect(connect_reason(&e))
                })
            })?;
        let status = resp.status().as_u16();
        let mut text = String::new();
        resp.take(MAX_OAUTH_BODY)
            .read_to_string(&mut text)
            .map_err(|e| {
                RefreshError::Failed(if e.kind() == std::io::ErrorKind::TimedOut {
                    HubError::Timeout
                } else {
                    HubError::Garbage(e.to_string())
                })
            })?;
        let json: Option<serde_json::Value> = serde_json::from_str(&text).ok();
        let field = |k: &str| {
            json.as_ref()
                .and_then(|j| j.get(k))
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        if let Some(access_token) = field("access_token").filter(|t| !t.is_empty()) {
            let expires_in = json
                .as_ref()
                .and_then(|j| j.get("expires_in"))
                .and_then(|v| v.as_i64().or_else(|| v.as_str()?.trim().parse().ok()));
            return Ok(Refreshed {
                access_token,
                refresh_token: field("refresh_token").filter(|t| !t.is_empty()),
                expires_in,
            });
        }
        match field("error").as_deref() {
            Some("invalid_grant") => Err(RefreshError::Revoked(
                field("error_description")
                    .filter(|d| !d.is_empty())
                    .unwrap_or_else(|| "invalid_grant".into()),
            )),
            _ => Err(RefreshError::Failed(match status {
                429 => HubError::RateLimited,
                500..=599 => HubError::Server(status),
                _ if json.is_none() => HubError::Garbage("not JSON".into()),
                _ => HubError::Status(status, field("error").unwrap_or_default()),
            })),
        }
    }
}

/// `application/x-www-form-urlencoded`, as Python's `urlencode` writes it.
fn form_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn strings(v: Option<&serde_json::Value>) -> Vec<String> {
    v.and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(crate::token::redact))
                .map(|x| x.into_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn error_message(resp: reqwest::blocking::Response) -> String {
    resp.headers()
        .get("x-error-message")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

fn connect_reason(e: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut reason = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        reason = s.to_string();
        source = s.source();
    }
    let lower = reason.to_lowercase();
    if lower.contains("dns")
        || lower.contains("failed to lookup")
        || lower.contains("name or service")
    {
        format!("DNS lookup failed: {reason}")
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake")
    {
        format!("TLS error: {reason}")
    } else {
        reason
    }
}

/// Text a server chose (names, orgs) as it may reach a terminal: control characters escaped.
fn printable(text: &str) -> String {
    crate::ui::printable(text).into_owned()
}

/// Largest Hub answer read: whoami with every org is a few KiB.
const MAX_BODY: u64 = 1 << 20;

/// Reads an answer's body, at most [`MAX_BODY`] bytes and only until `deadline`: a server
/// streaming gigabytes, or one byte a second, costs a megabyte and the time bound, no more.
/// The read runs on its own thread so the deadline holds even while a read is waiting.
fn read_body(resp: reqwest::blocking::Response, deadline: Instant) -> Result<Vec<u8>, HubError> {
    use std::io::Read;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut body = Vec::new();
        let result = resp.take(MAX_BODY + 1).read_to_end(&mut body).map(|_| body);
        let _ = tx.send(result);
    });
    match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        Ok(Ok(body)) if body.len() as u64 > MAX_BODY => Err(HubError::Garbage(format!(
            "the answer is larger than {} MiB",
            MAX_BODY >> 20
        ))),
        Ok(Ok(body)) => Ok(body),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::TimedOut => Err(HubError::Timeout),
        Ok(Err(e)) => Err(HubError::Garbage(e.to_string())),
        Err(_) => Err(HubError::Timeout),
    }
}

//! A scripted Hugging Face Hub on 127.0.0.1 (std only): each path answers with a fixed reply,
//! so every verdict hfenv gives for a Hub answer can be tested without the internet.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// Wait this long before answering (a slow Hub, for timeouts).
    pub delay: Duration,
}

impl Reply {
    pub fn new(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    pub fn header(mut self, k: &str, v: &str) -> Reply {
        self.headers.push((k.into(), v.into()));
        self
    }

    /// whoami-v2 for `user` with a token of `role` ("read", "write", or "fineGrained" with
    /// write scopes) and membership in `orgs`.
    pub fn whoami(user: &str, role: &str, orgs: &[&str]) -> Reply {
        let orgs: Vec<serde_json::Value> = orgs
            .iter()
            .map(|o| serde_json::json!({"type": "org", "name": o}))
            .collect();
        let mut token = serde_json::json!({"displayName": format!("{user}-token"), "role": role});
        if role == "fineGrained" {
            token["fineGrained"] = serde_json::json!({
                "canReadGatedRepos": true,
                "global": ["discussion.write"],
                "scoped": [{"entity": {"_id": "1", "type": "user", "name": user},
                            "permissions": ["repo.content.read", "repo.write"]}],
            });
        }
        let body = serde_json::json!({
            "type": "user", "name": user, "orgs": orgs,
            "auth": {"type": "access_token", "accessToken": token},
        });
        Reply::new(200, &body.to_string())
    }

    pub fn invalid_token() -> Reply {
        Reply::new(
            401,
            r#"{"error":"Invalid credentials in Authorization header"}"#,
        )
        .header(
            "X-Error-Message",
            "Invalid credentials in Authorization header",
        )
    }

    pub fn error(status: u16, code: &str, message: &str) -> Reply {
        Reply::new(status, &serde_json::json!({ "error": message }).to_string())
            .header("X-Error-Code", code)
            .header("X-Error-Message", message)
    }

    pub fn garbage() -> Reply {
        let mut r = Reply::new(200, "<html>Welcome to the hotel wifi</html>");
        r.headers = vec![("Content-Type".into(), "text/html".into())];
        r
    }

    pub fn slow(secs: u64) -> Reply {
        let mut r = Reply::whoami("slowpoke", "read", &[]);
        r.delay = Duration::from_secs(secs);
        r
    }
}

/// The Hub's OAuth side: browser logins whose access tokens live `lives` (advertised as
/// `expires_in`), refresh grants that rotate refresh tokens (the old one is revoked), and a
/// configurable delay. Access tokens it issued answer whoami-v2 while alive.
#[derive(Debug)]
pub struct OAuth {
    pub expires_in: i64,
    pub lives: Duration,
    pub rotate: bool,
    pub delay: Duration,
    /// access token → (user, issued)
    access: HashMap<String, (String, Instant)>,
    /// refresh token → user, while valid
    refresh: HashMap<String, String>,
    counter: u64,
    /// Refresh grants answered with a new token.
    pub grants: u32,
    /// Refresh grants refused (`invalid_grant`): a revoked or reused refresh token.
    pub refused: u32,
    /// `client_id` of each grant.
    pub client_ids: Vec<String>,
    /// Who approves a device login (`hf auth login`'s browser flow) at once.
    pub device_user: String,
}

impl OAuth {
    fn issue(&mut self, user: &str) -> (String, String) {
        self.counter += 1;
        let n = self.counter;
        let access = format!("hf_oauthAccess{user}{n:08}xxxxxxxxxxxxxxxxxxxx");
        let refresh = format!("hf_oauthRefresh{user}{n:08}yyyyyyyyyyyyyyyyyy");
        self.access
            .insert(access.clone(), (user.to_string(), Instant::now()));
        self.refresh.insert(refresh.clone(), user.to_string());
        (access, refresh)
    }

    fn alive(&self, access: &str) -> Option<&str> {
        let (user, issued) = self.access.get(access)?;
        (issued.elapsed() < self.lives).then_some(user.as_str())
    }
}

#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub body: String,
    pub path: String,
    pub authorization: Option<String>,
    pub user_agent: Option<String>,
}

pub struct HubMock {
    pub url: String,
    routes: Arc<Mutex<Vec<(String, Reply)>>>,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    pub oauth: Arc<Mutex<OAuth>>,
}

impl HubMock {
    pub fn start() -> HubMock {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let routes: Arc<Mutex<Vec<(String, Reply)>>> = Arc::default();
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let oauth = Arc::new(Mutex::new(OAuth {
            expires_in: 8 * 3600,
            lives: Duration::from_secs(8 * 3600),
            rotate: true,
            delay: Duration::ZERO,
            access: HashMap::new(),
            refresh: HashMap::new(),
            counter: 0,
            grants: 0,
            refused: 0,
            client_ids: Vec::new(),
            device_user: "alice".into(),
        }));
        let (r, s, o) = (routes.clone(), seen.clone(), oauth.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (r, s, o) = (r.clone(), s.clone(), o.clone());
                std::thread::spawn(move || serve(stream, &r, &s, &o));
            }
        });
        HubMock {
            url,
            routes,
            seen,
            oauth,
        }
    }

    /// A browser login for `user`: (access token, refresh token).
    pub fn login(&self, user: &str) -> (String, String) {
        self.oauth.lock().unwrap().issue(user)
    }

    /// Revokes a refresh token (the user signed out everywhere).
    pub fn revoke(&self, refresh: &str) {
        self.oauth.lock().unwrap().refresh.remove(refresh);
    }

    /// Whether an access token this Hub issued is still alive.
    pub fn alive(&self, access: &str) -> bool {
        self.oauth.lock().unwrap().alive(access).is_some()
    }

    /// Whether a refresh token is still valid.
    pub fn refresh_valid(&self, refresh: &str) -> bool {
        self.oauth.lock().unwrap().refresh.contains_key(refresh)
    }

    /// Answers `path` (exact, without query) with `reply` from now on.
    pub fn route(&self, path: &str, reply: Reply) -> &HubMock {
        let mut routes = self.routes.lock().unwrap();
        routes.retain(|(p, _)| p != path);
        routes.push((path.into(), reply));
        self
    }

    pub fn whoami(&self, reply: Reply) -> &HubMock {
        self.route("/api/whoami-v2", reply)
    }

    /// Answers `path` with `reply` only for requests carrying `Bearer <token>`; this wins over
    /// a plain route for the same path.
    pub fn route_for_token(&self, path: &str, token: &str, reply: Reply) -> &HubMock {
        self.route(&format!("{path}#Bearer {token}"), reply)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// `POST /oauth/token` with a refresh grant, as the Hub answers it.
fn oauth_token(oauth: &Mutex<OAuth>, body: &str) -> Reply {
    let form: HashMap<String, String> = body
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), decode(v)))
        .collect();
    let delay = oauth.lock().unwrap().delay;
    std::thread::sleep(delay);
    let mut o = oauth.lock().unwrap();
    o.client_ids
        .push(form.get("client_id").cloned().unwrap_or_default());
    if form.get("grant_type").map(String::as_str)
        == Some("urn:ietf:params:oauth:grant-type:device_code")
    {
        // The user approved in the browser at once.
        let user = o.device_user.clone();
        let (access, refresh) = o.issue(&user);
        let answer = serde_json::json!({
            "access_token": access, "refresh_token": refresh, "token_type": "bearer",
            "expires_in": o.expires_in,
        });
        return Reply::new(200, &answer.to_string());
    }
    if form.get("grant_type").map(String::as_str) != Some("refresh_token") {
        return Reply::new(400, r#"{"error":"unsupported_grant_type"}"#);
    }
    let presented = form.get("refresh_token").cloned().unwrap_or_default();
    let Some(user) = o.refresh.get(&presented).cloned() else {
        o.refused += 1;
        return Reply::new(
            400,
            r#"{"error":"invalid_grant","error_description":"Invalid refresh token"}"#,
        );
    };
    o.grants += 1;
    let (access, new_refresh) = o.issue(&user);
    let mut answer = serde_json::json!({
        "access_token": access, "token_type": "bearer", "expires_in": o.expires_in,
    });
    if o.rotate {
        o.refresh.remove(&presented);
        answer["refresh_token"] = serde_json::json!(new_refresh);
    } else {
        o.refresh.remove(&new_refresh);
    }
    Reply::new(200, &answer.to_string())
}

fn decode(v: &str) -> String {
    let bytes = v.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("00");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn serve(
    stream: TcpStream,
    routes: &Mutex<Vec<(String, Reply)>>,
    seen: &Mutex<Vec<Seen>>,
    oauth: &Mutex<OAuth>,
) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut first = String::new();
    if reader.read_line(&mut first).is_err() {
        return;
    }
    let method = first.split_whitespace().next().unwrap_or("").to_string();
    let path = first
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .split('?')
        .next()
        .unwrap_or("/")
        .to_string();
    let mut authorization = None;
    let mut user_agent = None;
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            match k.trim().to_ascii_lowercase().as_str() {
                "authorization" => authorization = Some(v.trim().to_string()),
                "user-agent" => user_agent = Some(v.trim().to_string()),
                "content-length" => length = v.trim().parse().unwrap_or(0),
                _ => {}
            }
        }
    }
    let mut body = vec![0u8; length.min(1 << 20)];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let body = String::from_utf8_lossy(&body).into_owned();
    seen.lock().unwrap().push(Seen {
        method: method.clone(),
        body: body.clone(),
        path: path.clone(),
        authorization: authorization.clone(),
        user_agent,
    });
    let keyed = format!("{path}#{}", authorization.as_deref().unwrap_or(""));
    let routes_now = routes.lock().unwrap().clone();
    let bearer = authorization
        .as_deref()
        .and_then(|a| a.strip_prefix("Bearer "))
        .unwrap_or("");
    let issued = {
        let o = oauth.lock().unwrap();
        o.access
            .contains_key(bearer)
            .then(|| o.alive(bearer).map(str::to_string))
    };
    let reply = if method == "POST" && path == "/oauth/token" {
        Some(oauth_token(oauth, &body))
    } else if method == "POST" && path == "/oauth/device" {
        Some(Reply::new(
            200,
            r#"{"device_code":"dev-1","user_code":"ABCD-EFGH","verification_uri":"http://127.0.0.1/device","interval":1,"expires_in":60}"#,
        ))
    } else if path == "/api/whoami-v2" && issued.is_some() {
        Some(match issued.flatten() {
            // OAuth tokens carry no displayName (hence huggingface_hub's `oauth-<user>`).
            Some(user) => Reply::new(
                200,
                &serde_json::json!({"type": "user", "name": user, "orgs": [],
                    "auth": {"type": "oauth", "accessToken": {"role": "write"}}})
                .to_string(),
            ),
            None => Reply::invalid_token(),
        })
    } else {
        None
    };
    let reply = reply
        .or_else(|| {
            routes_now
                .iter()
                .find(|(p, _)| *p == keyed)
                .or_else(|| routes_now.iter().find(|(p, _)| *p == path))
                .map(|(_, r)| r.clone())
        })
        .unwrap_or_else(|| Reply::error(404, "EntryNotFound", "Not found"));
    std::thread::sleep(reply.delay);
    let mut out = format!(
        "HTTP/1.1 {} Mock\r\nContent-Length: {}\r\nConnection: close\r\n",
        reply.status,
        reply.body.len()
    );
    for (k, v) in &reply.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(&reply.body);
    let mut stream = stream;
    let _ = stream.write_all(out.as_bytes());
    let _ = stream.flush();
}

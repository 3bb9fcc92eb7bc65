//! A scripted Hugging Face Hub on 127.0.0.1 (std only): each path answers with a fixed reply,
//! so every verdict hfenv gives for a Hub answer can be tested without the internet.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

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

#[derive(Clone, Debug)]
pub struct Seen {
    pub path: String,
    pub authorization: Option<String>,
    pub user_agent: Option<String>,
}

pub struct HubMock {
    pub url: String,
    routes: Arc<Mutex<Vec<(String, Reply)>>>,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl HubMock {
    pub fn start() -> HubMock {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let routes: Arc<Mutex<Vec<(String, Reply)>>> = Arc::default();
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let (r, s) = (routes.clone(), seen.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (r, s) = (r.clone(), s.clone());
                std::thread::spawn(move || serve(stream, &r, &s));
            }
        });
        HubMock { url, routes, seen }
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

fn serve(stream: TcpStream, routes: &Mutex<Vec<(String, Reply)>>, seen: &Mutex<Vec<Seen>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut first = String::new();
    if reader.read_line(&mut first).is_err() {
        return;
    }
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
                _ => {}
            }
        }
    }
    seen.lock().unwrap().push(Seen {
        path: path.clone(),
        authorization: authorization.clone(),
        user_agent,
    });
    let keyed = format!("{path}#{}", authorization.as_deref().unwrap_or(""));
    let routes_now = routes.lock().unwrap().clone();
    let reply = routes_now
        .iter()
        .find(|(p, _)| *p == keyed)
        .or_else(|| routes_now.iter().find(|(p, _)| *p == path))
        .map(|(_, r)| r.clone())
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

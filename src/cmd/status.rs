use crate::cli::Status;
use crate::error::Result;
use crate::here::Here;
use crate::hf::library::{effective_token, TokenOrigin};
use crate::session::{Marker, STATE_VAR};
use crate::state::Trust;
use crate::token::mask;
use crate::wanted::Origin;
use crate::{paths, ui};

pub(crate) fn run(args: Status) -> Result<()> {
    let here = Here::load()?;
    let wanted = here.wanted(None, None)?;
    // What a process started from here will see once the hook has applied this directory.
    let after = |k: &str| match wanted.value(k) {
        Some(v) => v.map(str::to_string),
        None => paths::process_env(k),
    };
    // What a process started from this shell gets now: the shell's own variables, whatever
    // this directory wants.
    let effective = effective_token(&paths::process_env);
    let shell = ShellHolds::read(&wanted, &paths::process_env);
    let hooked = shell.hooked;
    let in_sync = shell.drifts.is_empty();
    let masked = |v: Option<&str>| v.map(mask);
    let login = wanted.login.as_ref().map(login_lines);
    let may_do = wanted.token().and_then(|t| may_do(&after, t));
    // huggingface_hub exchanges an OIDC token first and never reads `HF_TOKEN` then.
    let oidc_ignores = (effective.origin == TokenOrigin::Oidc)
        .then(|| {
            wanted.choice.as_ref().filter(|_| wanted.token().is_some()).map(|c| {
                format!(
                    "`HF_OIDC_RESOURCE` is set, so huggingface_hub exchanges an OIDC token and ignores `HF_TOKEN`: profile `{}`'s token is not used — unset `HF_OIDC_RESOURCE` to use it",
                    c.name
                )
            })
        })
        .flatten();

    if args.json {
        let vars: Vec<serde_json::Value> = wanted
            .vars
            .iter()
            .map(|(k, v)| {
                serde_json::json!({
                    "name": k,
                    "action": if v.value.is_some() { "set" } else { "unset" },
                    "origin": match v.origin { Origin::Profile => "profile", Origin::Dotenv(_) => "dotenv" },
                    "from": match v.origin {
                        Origin::Profile => wanted.choice.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
                        Origin::Dotenv(i) => wanted.dotenv[i].path.display().to_string(),
                    },
                })
            })
            .collect();
        let doc = serde_json::json!({
            "profile": wanted.choice.as_ref().map(|c| &c.name),
            "profile_exists": wanted.profile.is_some(),
            "scope": wanted.choice.as_ref().map(|c| c.why.scope()),
            "reason": wanted.choice.as_ref().map(|c| ui::plain(&c.why.describe())),
            "token": masked(wanted.token()),
            "token_source": wanted.token_source.as_deref().map(ui::plain),
            "token_may_do": may_do,
            "browser_login": wanted.login.as_ref().map(|l| serde_json::json!({
                "name": l.section,
                "expires_at": l.expires_at,
                "refreshable": l.refreshable,
                "token_file": l.token_file,
                "problem": l.problem.as_ref().map(|p| p.describe()),
            })),
            "oidc_ignores_profile": oidc_ignores.is_some(),
            "huggingface_hub": {
                "token": masked(effective.token.as_deref()),
                "source": ui::plain(&effective.origin.describe()),
            },
            "dotenv": wanted.dotenv.iter().map(|d| serde_json::json!({
                "path": d.path,
                "trust": match d.trust { Trust::Allowed => "allowed", Trust::Blocked => "blocked", Trust::Denied => "denied" },
                "problem": d.problem,
            })).collect::<Vec<_>>(),
            "variables": vars,
            "shell_hooked": hooked,
            "shell_in_sync": in_sync,
            "shell": {
                "hooked": hooked,
                "in_sync": in_sync,
                "token": masked(paths::process_env("HF_TOKEN").as_deref()),
                "differs": shell.drifts.iter().map(|d| serde_json::json!({
                    "name": d.name,
                    "holds": d.shown(d.holds.as_deref()),
                    "wants": d.shown(d.wants.as_deref()),
                    "why": d.drift.key(),
                    "say": ui::plain(&d.describe()),
                })).collect::<Vec<_>>(),
            },
            "notices": wanted.notices.iter().map(|n| ui::plain(n)).collect::<Vec<_>>(),
            "config": here.loaded.path,
        });
        return ui::print_json(&doc);
    }

    // Label and value rows, aligned by what is shown; a section title has no value.
    let color = ui::color_wanted();
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut bad = Vec::new();
    let mut row = |label: &str, value: String| rows.push(vec![label.to_string(), value]);
    match &wanted.choice {
        Some(c) => {
            row(
                "profile",
                format!(
                    "{}{}",
                    ui::cell(&c.name),
                    if wanted.profile.is_none() {
                        "  (does not exist!)"
                    } else {
                        ""
                    }
                ),
            );
            row("  why", ui::cell(&c.why.describe()));
        }
        None => row(
            "profile",
            "none — hfenv leaves HF_TOKEN as it is here".into(),
        ),
    }
    if let Some(src) = &wanted.token_source {
        let token = wanted
            .token()
            .map(mask)
            .unwrap_or_else(|| "(no token: see the notice below)".into());
        row("  token", format!("{token} from {}", ui::cell(src)));
        for (label, value) in login.iter().flatten() {
            row(label, value.clone());
        }
        if let Some(m) = &may_do {
            row("  may do", ui::cell(m));
        }
    }
    shell.rows(&mut row);
    let used = match (&effective.origin, effective.token.as_deref()) {
        (TokenOrigin::Oidc, _) => effective.origin.describe(),
        (_, Some(t)) => format!("{} from {}", mask(t), effective.origin.describe()),
        (_, None) => effective.origin.describe(),
    };
    row("huggingface_hub uses", ui::cell(&used));
    if let Some(o) = &oidc_ignores {
        row("", format!("✗ {}", ui::cell(o)));
    }
    if let Some(e) = &effective.file_error {
        row(
            "",
            format!("✗ {}: huggingface_hub will raise an error", ui::cell(e)),
        );
    }
    if !wanted.dotenv.is_empty() {
        row(".env files", String::new());
        for d in &wanted.dotenv {
            let t = match d.trust {
                Trust::Allowed => "allowed",
                Trust::Blocked => "blocked (`hfenv allow` to load)",
                Trust::Denied => "denied",
            };
            row(
                &format!("  {}", ui::cell(&d.path.display().to_string())),
                t.into(),
            );
        }
    }
    if !wanted.vars.is_empty() {
        row("variables", String::new());
        for (k, v) in wanted.vars.iter() {
            let from = wanted.describe_origin(v.origin);
            let action = if v.value.is_some() { "set" } else { "unset" };
            row(
                &format!("  {}", ui::cell(k)),
                format!("{action} by {}", ui::cell(&from)),
            );
        }
    }
    row("config", ui::cell(&here.loaded.path.display().to_string()));
    for n in &wanted.notices {
        row("notice", ui::cell(n));
    }
    // Every cell masked and escaped before colour is added: escaping the finished text would
    // escape the colours too.
    for r in rows.iter_mut() {
        for c in r.iter_mut() {
            *c = ui::cell(c);
        }
    }
    for (i, r) in rows.iter().enumerate() {
        let v = &r[1];
        if v.contains("does not exist")
            || v.starts_with('✗')
            || v.starts_with("blocked")
            || v.starts_with("not hooked")
        {
            bad.push(i);
        }
    }
    let out = ui::columns(&rows, |i, col, text| match col {
        0 if !text.starts_with(' ') => ui::paint(color, "1", text),
        1 if bad.contains(&i) || rows[i][0] == "notice" => ui::paint(color, "33", text),
        1 if i == 0 && wanted.profile.is_some() => ui::paint(color, "32", text),
        _ => text.to_string(),
    });
    ui::print(&out)
}

/// A browser login's expiry, how it is handed out, and why a refresh failed, with the fix.
fn login_lines(l: &crate::hf::source::LoginInfo) -> Vec<(&'static str, String)> {
    use crate::hf::oauth::Problem;
    use crate::hf::source::utc;
    let mut out = vec![(
        "  login",
        format!(
            "browser login `{}`{}{}",
            ui::cell(&l.section),
            l.expires_at
                .map(|e| format!(", expires {}", utc(e)))
                .unwrap_or_default(),
            if l.refreshable {
                ", refreshed before it expires"
            } else {
                " (no refresh token: it cannot be refreshed)"
            }
        ),
    )];
    out.push((
        "  handed",
        match &l.token_file {
            Some(f) => format!(
                "as the token file `{}` (`HF_TOKEN_PATH`), which huggingface_hub refreshes itself",
                ui::cell(&f.display().to_string())
            ),
            None => {
                "as `HF_TOKEN`: the hook renews it, but a process keeps the copy it started with"
                    .into()
            }
        },
    ));
    if let Some(p) = &l.problem {
        let fix = match p {
            Problem::Revoked(_) | Problem::Unwritable(_) => format!(
                "run `hf auth login` and name the token `{}`",
                ui::cell(&l.section)
            ),
            Problem::Offline => "unset `HF_HUB_OFFLINE` to let it refresh".into(),
            _ => "hfenv tries again in five minutes; check your network and `HF_ENDPOINT`".into(),
        };
        out.push((
            "",
            format!("✗ refresh: {} — {fix}", ui::cell(&p.describe())),
        ));
    }
    out
}

/// What the token may do (whoami-v2, cached for minutes), unless offline or unreachable.
fn may_do(env: &dyn Fn(&str) -> Option<String>, token: &str) -> Option<String> {
    let offline = paths::is_true(
        env("HF_HUB_OFFLINE")
            .filter(|v| !v.is_empty())
            .or_else(|| env("TRANSFORMERS_OFFLINE"))
            .as_deref(),
    );
    if offline {
        return None;
    }
    let endpoint = crate::hf::hub::endpoint(env);
    let hub = crate::hf::hub::Hub::new(endpoint, std::time::Duration::from_secs(3)).ok()?;
    crate::hf::identity::whoami(&hub, token)
        .ok()
        .map(|id| format!("{} (as `{}`)", id.may_do(), id.user))
}

/// Why this shell holds something other than what this directory wants.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Drift {
    /// No hook: nothing hfenv wants reaches this shell.
    NotHooked,
    /// The hook has not run since the change (`export X=…; hfenv status` on one line, a script,
    /// a hook that fails): the next prompt applies it.
    Pending,
    /// Changed by hand after hfenv set it; the hook keeps the user's value while the directory
    /// wants the same as before.
    HandEdit,
    /// hfenv's record was made under a key that is gone: the next prompt treats it as hfenv's.
    Unprovable,
    /// hfenv's value from a profile or `.env` that no longer applies here.
    LeftOver,
}

impl Drift {
    fn key(self) -> &'static str {
        match self {
            Drift::NotHooked => "not_hooked",
            Drift::Pending => "pending",
            Drift::HandEdit => "hand_edit",
            Drift::Unprovable => "unprovable",
            Drift::LeftOver => "left_over",
        }
    }
}

struct Drifted {
    name: String,
    holds: Option<String>,
    wants: Option<String>,
    drift: Drift,
}

impl Drifted {
    /// A value as status may show it: tokens masked, the profile name as is, anything else
    /// (a `.env` value may be a secret) only as "set".
    fn shown(&self, value: Option<&str>) -> Option<String> {
        let value = value?;
        Some(match self.name.as_str() {
            "HF_TOKEN" | "HUGGING_FACE_HUB_TOKEN" => mask(value),
            "HFENV_PROFILE" => ui::cell(value),
            _ => "(set)".into(),
        })
    }

    fn describe(&self) -> String {
        let holds = match self.shown(self.holds.as_deref()) {
            Some(v) => format!("holds {v}"),
            None => "is unset".into(),
        };
        let what = match (self.drift, self.shown(self.wants.as_deref())) {
            (Drift::LeftOver, _) => format!("{holds}, which this directory does not want"),
            (_, Some(w)) => format!("{holds}, this directory wants {w}"),
            (_, None) => format!("{holds}, this directory wants it unset"),
        };
        let why = match self.drift {
            Drift::NotHooked => "no hook applies it",
            Drift::Pending => {
                "not applied yet — the hook applies it at the next prompt (press Enter); if it stays, run `hfenv doctor`"
            }
            Drift::HandEdit => {
                "changed by hand in this shell, and hfenv keeps a hand edit while this directory wants the same — leave the directory and come back for the profile's value"
            }
            Drift::Unprovable => {
                "hfenv's record of this shell was made under a key that is gone — the next prompt replaces it (press Enter)"
            }
            Drift::LeftOver => {
                "hfenv set it for a profile or `.env` that no longer applies — the hook removes it at the next prompt (press Enter); if it stays, run `hfenv doctor`"
            }
        };
        format!("{what}: {why}")
    }
}

/// What this shell really holds, against what this directory wants.
struct ShellHolds {
    hooked: bool,
    token: Option<String>,
    drifts: Vec<Drifted>,
}

impl ShellHolds {
    fn read(wanted: &crate::wanted::Wanted, env: &dyn Fn(&str) -> Option<String>) -> ShellHolds {
        use crate::session::marker::value_print;
        let marker = env(STATE_VAR).and_then(|m| Marker::parse(&m));
        let mut drifts = Vec::new();
        for (name, var) in wanted.vars.iter() {
            let holds = env(name);
            if holds.as_deref() == var.value.as_deref() {
                continue;
            }
            let drift = match &marker {
                None => Drift::NotHooked,
                Some(m) => match m.managed.get(name) {
                    Some(_) if !m.key_is_current() => Drift::Unprovable,
                    Some(set)
                        if *set != value_print(holds.as_deref())
                            && *set == value_print(var.value.as_deref()) =>
                    {
                        Drift::HandEdit
                    }
                    _ => Drift::Pending,
                },
            };
            drifts.push(Drifted {
                name: name.to_string(),
                holds,
                wants: var.value.as_deref().map(str::to_owned),
                drift,
            });
        }
        if let Some(m) = &marker {
            for (name, set) in m.managed.iter() {
                if wanted.vars.contains_key(name.as_ref()) {
                    continue;
                }
                let holds = env(name);
                let hfenvs = !m.key_is_current() || *set == value_print(holds.as_deref());
                if holds.is_some() && hfenvs {
                    drifts.push(Drifted {
                        name: name.to_string(),
                        holds,
                        wants: None,
                        drift: Drift::LeftOver,
                    });
                }
            }
        }
        ShellHolds {
            hooked: marker.is_some(),
            token: env("HF_TOKEN"),
            drifts,
        }
    }

    /// The "this shell" section: the state, the token it holds (masked), each difference with
    /// what to do.
    fn rows(&self, row: &mut dyn FnMut(&str, String)) {
        let state = match (self.hooked, self.drifts.is_empty()) {
            (true, true) => "hooked, holds what this directory wants".to_string(),
            (true, false) => {
                "✗ hooked, but holds something else than this directory wants (below)".into()
            }
            (false, _) => {
                "not hooked — add your shell's line from `hfenv hook --help` to its rc file".into()
            }
        };
        row("this shell", state);
        row(
            "  HF_TOKEN",
            match &self.token {
                Some(t) => format!("{} (what this shell holds)", mask(t)),
                None => "unset in this shell".into(),
            },
        );
        for d in &self.drifts {
            row(
                "",
                format!("✗ `{}` {}", ui::cell(&d.name), ui::cell(&d.describe())),
            );
        }
    }
}

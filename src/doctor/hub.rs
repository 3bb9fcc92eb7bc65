//! Checks 4, 5 and 6, online and bounded (5 s in all): who the token belongs to, whether a
//! profile holds more privilege than downloads need, and access to given repositories.

use std::time::{Duration, Instant};

use super::tokens::{describe, intended, replace_fix, From};
use super::{fail, info, ok, warn, Ctx, Finding, G_HUB};
use crate::hf::hub::{self, Access, Hub, HubError};
use crate::paths;
use crate::token::mask;

const BUDGET: Duration = Duration::from_secs(5);

pub(super) fn offline_reason(ctx: &Ctx) -> Option<String> {
    if ctx.args.offline {
        return Some("`--offline`".into());
    }
    // `_is_true(HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE)`: a non-empty HF_HUB_OFFLINE wins.
    let hub = paths::process_env("HF_HUB_OFFLINE").filter(|v| !v.is_empty());
    let (var, value) = match hub {
        Some(v) => ("HF_HUB_OFFLINE", Some(v)),
        None => (
            "TRANSFORMERS_OFFLINE",
            paths::process_env("TRANSFORMERS_OFFLINE"),
        ),
    };
    paths::is_true(value.as_deref()).then(|| format!("`{var}` is on"))
}

fn problem(e: &HubError, what: &str) -> Finding {
    let msg = match e {
        HubError::RateLimited => format!("{what}: the Hub is rate-limiting (429); whoami is deliberately strict — try again in a minute"),
        HubError::Server(code) => format!("{what}: the Hub had a server error ({code}); try again later"),
        HubError::Garbage(w) => format!("{what}: the answer was not the Hub's ({w}) — is `HF_ENDPOINT` a proxy or a captive portal?"),
        HubError::Timeout => format!("{what}: the Hub did not answer in time (timeout)"),
        HubError::Connect(reason) => {
            // "(os error 111)" says nothing to a user.
            let reason = match reason.find(" (os error") {
                Some(i) => &reason[..i],
                None => reason,
            };
            format!("{what}: could not reach the Hub ({})", reason.to_lowercase())
        }
        other => format!("{what}: {}", other.describe()),
    };
    match e {
        HubError::Insecure(_) => fail(G_HUB, "whoami", msg)
            .fix("use an https `HF_ENDPOINT` (plain http is allowed only for loopback)"),
        _ => warn(G_HUB, "whoami", msg)
            .fix("check your network, proxy and `HF_ENDPOINT`, then run `hfenv doctor` again"),
    }
}

pub(super) fn check(ctx: &Ctx, report: &mut Vec<Finding>) {
    let repos: Vec<(&str, &str)> = [
        ("model", &ctx.args.model),
        ("dataset", &ctx.args.dataset),
        ("space", &ctx.args.space),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
    .collect();
    if let Some(reason) = offline_reason(ctx) {
        report.push(info(
            G_HUB,
            "online",
            format!("Hub checks skipped: {reason}"),
        ));
        return;
    }
    // The endpoint the token is meant for: the profile's (it may set `HF_ENDPOINT`), else the
    // user's own, never one a repository's `.env` put in the shell.
    let env = |k: &str| {
        ctx.wanted
            .as_ref()
            .and_then(|w| w.vars.get(k))
            .filter(|v| v.origin == crate::wanted::Origin::Profile)
            .map(|v| v.value.as_deref().map(str::to_owned))
            .unwrap_or_else(|| crate::session::user_env(k))
    };
    let endpoint = hub::endpoint(&env);
    if endpoint != hub::DEFAULT_ENDPOINT {
        report.push(info(
            G_HUB,
            "endpoint",
            format!("`HF_ENDPOINT` is {endpoint}: tokens are sent there, not to huggingface.co"),
        ));
    }
    let start = Instant::now();
    let hub = match Hub::new(endpoint.clone(), BUDGET - Duration::from_millis(500)) {
        Ok(h) => h,
        Err(e) => {
            report.push(problem(&e, "the Hub client"));
            return;
        }
    };
    let token = intended(ctx);
    let mut identity: Option<hub::Identity> = None;
    match &token {
        None => report.push(info(G_HUB, "whoami", "no token to check against the Hub")),
        // Cached for a few minutes: whoami-v2 is rate-limited.
        Some((t, from)) => match crate::hf::identity::whoami(&hub, t) {
            Ok(id) => {
                let orgs = if id.orgs.is_empty() {
                    String::new()
                } else {
                    format!(", orgs {}", id.orgs.join(", "))
                };
                let name = id
                    .token_name
                    .as_deref()
                    .map(|n| format!(" `{n}`"))
                    .unwrap_or_default();
                let role = id.role.as_deref().unwrap_or("unknown role");
                report.push(ok(
                    G_HUB,
                    "whoami",
                    format!(
                        "token {} ({}) belongs to `{}`{orgs}; token{name}, {role}",
                        mask(t),
                        describe(from),
                        id.user
                    ),
                ));
                report.push(info(
                    G_HUB,
                    "scopes",
                    format!("token {} may do: {}", mask(t), id.may_do()),
                ));
                privilege(from, &id, report);
                identity = Some(id);
            }
            Err(HubError::Unauthorized) => report.push(
                fail(
                    G_HUB,
                    "whoami",
                    format!(
                        "the Hub rejected token {} from {} (401: invalid, expired or revoked)",
                        mask(t),
                        describe(from)
                    ),
                )
                .fix(replace_fix(ctx, from)),
            ),
            Err(e) => report.push(problem(&e, "checking the token")),
        },
    }
    for (kind, repo) in repos {
        let left = BUDGET.saturating_sub(start.elapsed());
        if left < Duration::from_millis(300) {
            report.push(warn(
                G_HUB,
                "access",
                format!("{kind} `{repo}`: not checked, the 5 s budget is spent"),
            ));
            continue;
        }
        let hub = match Hub::new(endpoint.clone(), left) {
            Ok(h) => h,
            Err(e) => {
                report.push(problem(&e, "the Hub client"));
                continue;
            }
        };
        let t = token.as_ref().map(|(t, _)| t.as_str());
        let page = format!(
            "{endpoint}/{}{repo}",
            match kind {
                "dataset" => "datasets/",
                "space" => "spaces/",
                _ => "",
            }
        );
        let what = format!("{kind} `{repo}`");
        let owner = repo.split('/').next().unwrap_or(repo);
        report.push(match hub.auth_check(kind, repo, t) {
            Ok(Access::Granted) => ok(G_HUB, "access", format!("{what}: access granted")),
            Ok(Access::GatedNotGranted)
                if identity
                    .as_ref()
                    .and_then(|i| i.fine.as_ref())
                    .is_some_and(|f| f.can_read_gated_repos == Some(false)) =>
            {
                fail(
                    G_HUB,
                    "access",
                    format!("{what} is gated and this fine-grained token may not read gated repositories"),
                )
                .fix(format!(
                    "edit the token at {endpoint}/settings/tokens and allow reading the gated repositories you can access (or use a read token)"
                ))
            }
            Ok(Access::GatedNotGranted) => fail(
                G_HUB,
                "access",
                format!("{what} is gated and this account has not been granted access (its conditions are not accepted, or the request is pending)"),
            )
            .fix(format!("request access at {page} (accept the conditions there), then wait for approval")),
            Ok(Access::GatedNoToken) => fail(
                G_HUB,
                "access",
                format!("{what} is gated and no valid token was sent"),
            )
            .fix(format!(
                "add a profile (`hfenv add NAME`, `hfenv use NAME`), then request access at {page}"
            )),
            // The Hub answers a fine-grained token without access as if the repository did not
            // exist; the token's own scopes tell the two apart.
            Ok(Access::NotFoundOrPrivate | Access::TokenLacksPermission)
                if identity
                    .as_ref()
                    .and_then(|i| i.fine_allows(owner, "repo.content.read"))
                    == Some(false) =>
            {
                fail(
                    G_HUB,
                    "access",
                    format!("{what}: the fine-grained token lacks `repo.content.read` on `{owner}`"),
                )
                .fix(format!(
                    "edit the token at {endpoint}/settings/tokens and give it `repo.content.read` on `{owner}`"
                ))
            }
            Ok(Access::NotFoundOrPrivate) => fail(
                G_HUB,
                "access",
                format!("{what} does not exist, or it is private and this account cannot see it"),
            )
            .fix(format!(
                "check the spelling at {endpoint}/{owner}; for a private repo use a profile of an account or org that can read it"
            )),
            Ok(Access::TokenLacksPermission) => fail(
                G_HUB,
                "access",
                format!("{what}: the token lacks permission to read it"),
            )
            .fix(format!(
                "give the fine-grained token `repo.content.read` on `{owner}` at {endpoint}/settings/tokens, or use a read token"
            )),
            Ok(Access::InvalidToken) => fail(
                G_HUB,
                "access",
                format!("{what}: the Hub rejected the token (invalid, expired or revoked)"),
            )
            .fix(
                token
                    .as_ref()
                    .map(|(_, from)| replace_fix(ctx, from))
                    .unwrap_or_default(),
            ),
            Ok(Access::Disabled) => fail(
                G_HUB,
                "access",
                format!("{what} has been disabled on the Hub"),
            ),
            Err(e) => {
                let mut f = problem(&e, &what);
                f.check = "access";
                f
            }
        });
    }
}

/// Check 5: downloads need only read; a write-capable token in a profile is a wider risk.
fn privilege(from: &From, id: &hub::Identity, report: &mut Vec<Finding>) {
    let From::Profile(name) = from else {
        return;
    };
    let role = id.role.as_deref().unwrap_or("");
    let write =
        matches!(role, "write" | "admin") || (role == "fineGrained" && id.fine_grained_write);
    if write {
        report.push(
            warn(
                G_HUB,
                "privilege",
                format!(
                    "profile `{name}` holds a {} token; downloading needs only read",
                    if role == "fineGrained" { "write-capable fine-grained" } else { role }
                ),
            )
            .fix(format!(
                "create a read token at https://huggingface.co/settings/tokens and `hfenv add {name} --force` (keep write tokens for the profiles that push)"
            )),
        );
    } else if !role.is_empty() {
        report.push(ok(
            G_HUB,
            "privilege",
            format!("profile `{name}` holds a {role} token without write access"),
        ));
    }
}

//! Check 3: which token huggingface_hub picks (reference §1), compared with the hfenv profile
//! for this directory, and the variables and values that go wrong.

use super::{fail, find_in_rc, info, ok, warn, Ctx, Finding, G_TOKEN};
use crate::config::Source;
use crate::hf::library::{effective_token, TokenOrigin};
use crate::paths;
use crate::token::mask;

/// Where a token came from, worded for a fix.
pub(super) enum From {
    Profile(String),
    Origin(TokenOrigin),
}

/// The token a process started here will use once the hook has applied this directory, and
/// where it comes from.
pub(super) fn intended(ctx: &Ctx) -> Option<(String, From)> {
    if let Some(w) = &ctx.wanted {
        if let (Some(c), Some(t)) = (&w.choice, w.token()) {
            return Some((t.to_string(), From::Profile(c.name.clone())));
        }
    }
    let eff = effective_token(&paths::process_env);
    eff.token.map(|t| (t, From::Origin(eff.origin)))
}

/// How to replace an invalid token, depending on where it came from.
pub(super) fn replace_fix(ctx: &Ctx, from: &From) -> String {
    let new = "create a new token at https://huggingface.co/settings/tokens";
    match from {
        From::Profile(name) => {
            let profile = ctx
                .here
                .as_ref()
                .and_then(|h| h.loaded.config.profile(name).cloned());
            match profile.as_ref().and_then(|p| p.source()) {
                Some(Source::Env(var)) => {
                    format!("{new} and put it in `{var}`, which profile `{name}` reads")
                }
                Some(Source::Command(_)) => {
                    format!("{new} and update the secret profile `{name}`'s `token_command` prints")
                }
                Some(Source::HfStored(section)) => {
                    format!("{new}, then `hf auth login --force` and save it as `{section}`")
                }
                _ => format!("{new}, then `hfenv add {name} --force`"),
            }
        }
        From::Origin(TokenOrigin::HfToken) => {
            let home = ctx.home().unwrap_or_default();
            let at = find_in_rc(&home, "HF_TOKEN");
            format!(
                "{new} and update `HF_TOKEN` where it is exported{}, or `unset HF_TOKEN`",
                if at.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", at.join(", "))
                }
            )
        }
        From::Origin(TokenOrigin::LegacyVar) => {
            "`unset HUGGING_FACE_HUB_TOKEN` (legacy) and use `hf auth login` or an hfenv profile"
                .into()
        }
        From::Origin(_) => "run `hf auth login --force` with a new token".into(),
    }
}

pub(super) fn describe(from: &From) -> String {
    match from {
        From::Profile(name) => format!("profile `{name}`"),
        From::Origin(o) => o.describe(),
    }
}

pub(super) fn check(ctx: &Ctx, report: &mut Vec<Finding>) {
    let env = |k: &str| paths::process_env(k);
    let home = ctx.home().unwrap_or_default();
    let eff = effective_token(&env);
    let hooked = ctx.marker.is_some();

    if eff.origin == TokenOrigin::Oidc {
        let profile = ctx
            .wanted
            .as_ref()
            .and_then(|w| w.choice.as_ref().filter(|_| w.token().is_some()));
        report.push(match profile {
            // The profile's token is exported, and never used: say so instead of "uses it".
            Some(c) => warn(
                G_TOKEN,
                "oidc",
                format!(
                    "`HF_OIDC_RESOURCE` is set: huggingface_hub exchanges an OIDC token and ignores `HF_TOKEN`, so profile `{}`'s token is not used",
                    c.name
                ),
            )
            .fix("unset `HF_OIDC_RESOURCE` to use the profile (in CI: drop it from the job), or stop choosing a profile here"),
            None => info(
                G_TOKEN,
                "winner",
                "`HF_OIDC_RESOURCE` is set: huggingface_hub exchanges an OIDC token first and ignores `HF_TOKEN` and the token file",
            ),
        });
    }
    if let Some(err) = &eff.file_error {
        let is_dir = std::fs::metadata(paths::hf_token_path(&env)).is_ok_and(|m| m.is_dir());
        report.push(if is_dir {
            fail(
                G_TOKEN,
                "token-path",
                format!("`HF_TOKEN_PATH` points at a directory: every huggingface_hub call raises `IsADirectoryError` ({err})"),
            )
            .fix("point `HF_TOKEN_PATH` at a file, or `unset HF_TOKEN_PATH`")
        } else {
            fail(G_TOKEN, "token-path", format!("huggingface_hub cannot read its token file: {err}"))
                .fix("fix the file's permissions, or log in again with `hf auth login`")
        });
    }
    if env("HF_HOME").is_some_and(|v| v.is_empty()) {
        report.push(
            fail(
                G_TOKEN,
                "hf-home",
                "`HF_HOME` is set but empty: huggingface_hub then reads `token` and caches relative to the current directory",
            )
            .fix("`unset HF_HOME` (and remove the empty export from your shell rc)"),
        );
    }

    // A browser login: when it expires and why a refresh failed, with the fix.
    if let Some(l) = ctx.wanted.as_ref().and_then(|w| w.login.as_ref()) {
        use crate::hf::oauth::Problem;
        let when = l
            .expires_at
            .map(|e| format!(", expires {}", crate::hf::source::utc(e)))
            .unwrap_or_default();
        let relogin = format!("run `hf auth login` and name the token `{}`", l.section);
        report.push(match &l.problem {
            None => ok(
                G_TOKEN,
                "browser-login",
                format!(
                    "browser login `{}`{when}; refreshed before it expires, handed out {}",
                    l.section,
                    match &l.token_file {
                        Some(_) => "as a token file huggingface_hub refreshes itself",
                        None => "as `HF_TOKEN` (renewed by the hook)",
                    }
                ),
            ),
            Some(p @ (Problem::Revoked(_) | Problem::Unwritable(_))) => fail(
                G_TOKEN,
                "browser-login",
                format!("browser login `{}`{when}: {}", l.section, p.describe()),
            )
            .fix(relogin),
            Some(p) => warn(
                G_TOKEN,
                "browser-login",
                format!("browser login `{}`{when}: {}", l.section, p.describe()),
            )
            .fix("hfenv tries again in five minutes; check your network, `HF_HUB_OFFLINE` and `HF_ENDPOINT`"),
        });
    }
    // The profile against what the library will pick now.
    let profile = ctx.wanted.as_ref().and_then(|w| {
        w.choice
            .as_ref()
            .map(|c| (c.clone(), w.profile.is_some(), w.token()))
    });
    let raw_hf = env("HF_TOKEN");
    let hf_owned = ctx
        .marker
        .as_ref()
        .is_some_and(|m| m.owns("HF_TOKEN", raw_hf.as_deref()));
    match &profile {
        Some((choice, false, _)) => report.push(
            fail(
                G_TOKEN,
                "profile",
                format!(
                    "profile `{}` ({}) does not exist",
                    choice.name,
                    choice.why.describe()
                ),
            )
            .fix(format!(
                "`hfenv add {}`, or choose another with `hfenv use NAME` ({})",
                choice.name,
                ctx.here
                    .as_ref()
                    .map(|h| h.loaded.config.closest_profiles(&choice.name))
                    .unwrap_or_default()
            )),
        ),
        Some((choice, true, None)) => {
            let why = ctx
                .wanted
                .as_ref()
                .and_then(|w| w.notices.first().cloned())
                .unwrap_or_else(|| "its token could not be read".into());
            report.push(
                fail(
                    G_TOKEN,
                    "profile",
                    format!("profile `{}` has no token: {why}", choice.name),
                )
                .fix(format!("check it with `hfenv token -p {}`", choice.name)),
            );
        }
        Some((choice, true, Some(want))) => {
            let name = &choice.name;
            match &eff.token {
                Some(t) if t == want => report.push(ok(
                    G_TOKEN,
                    "winner",
                    format!(
                        "huggingface_hub uses profile `{name}`'s token {} ({}; from {})",
                        mask(t),
                        choice.why.describe(),
                        eff.origin.describe()
                    ),
                )),
                _ if raw_hf.as_deref().is_some_and(|v| !v.trim().is_empty()) && !hf_owned => {
                    let at = find_in_rc(&home, "HF_TOKEN");
                    let t = eff.token.as_deref().map(mask).unwrap_or_default();
                    report.push(
                        fail(
                            G_TOKEN,
                            "winner",
                            format!(
                                "`HF_TOKEN` ({t}) was exported outside hfenv{} and overrides profile `{name}` ({})",
                                if at.is_empty() { String::new() } else { format!(" in {}", at.join(", ")) },
                                mask(want)
                            ),
                        )
                        .fix(if at.is_empty() {
                            "`unset HF_TOKEN` and stop exporting it; hfenv sets it per directory".to_string()
                        } else {
                            format!("remove the `HF_TOKEN` line from {} and `unset HF_TOKEN`; hfenv sets it per directory", at.join(", "))
                        }),
                    );
                }
                _ if !hooked => report.push(
                    warn(
                        G_TOKEN,
                        "winner",
                        format!(
                            "profile `{name}` applies here, but this shell is not hooked, so huggingface_hub uses {}{}",
                            eff.origin.describe(),
                            eff.token.as_deref().map(|t| format!(" ({})", mask(t))).unwrap_or_default()
                        ),
                    )
                    .fix("install the hook (see the shell section), or run commands with `hfenv exec -- COMMAND`"),
                ),
                _ => report.push(
                    warn(
                        G_TOKEN,
                        "winner",
                        format!(
                            "huggingface_hub uses {} instead of profile `{name}`'s token {}",
                            eff.origin.describe(),
                            mask(want)
                        ),
                    )
                    .fix("press Enter for a new prompt so the hook applies the profile; see `hfenv status`"),
                ),
            }
            if let Some(w) = crate::token::shape_warning(want) {
                report.push(warn(G_TOKEN, "shape", format!("profile `{name}`: {w}")));
            }
        }
        None => match &eff.token {
            Some(t) => report.push(ok(
                G_TOKEN,
                "winner",
                format!(
                    "huggingface_hub uses {} ({}); no hfenv profile applies here",
                    eff.origin.describe(),
                    mask(t)
                ),
            )),
            None => report.push(
                warn(
                    G_TOKEN,
                    "winner",
                    "no token: no hfenv profile applies here and huggingface_hub is not logged in",
                )
                .fix("`hfenv add NAME` then `hfenv use NAME` (or `hf auth login`)"),
            ),
        },
    }

    // The legacy variable and its quirks.
    let legacy = env("HUGGING_FACE_HUB_TOKEN").filter(|v| !v.is_empty());
    let legacy_owned = ctx
        .marker
        .as_ref()
        .is_some_and(|m| m.owns("HUGGING_FACE_HUB_TOKEN", legacy.as_deref()));
    if let (Some(l), false) = (&legacy, legacy_owned) {
        let token_file = paths::hf_token_path(&env);
        let logged_in = crate::files::read_bounded_string(
            &token_file,
            crate::files::SMALL,
            crate::files::Links::Follow,
        )
        .ok()
        .and_then(|t| crate::token::clean(&t))
        .is_some();
        let at = find_in_rc(&home, "HUGGING_FACE_HUB_TOKEN");
        let at = if at.is_empty() {
            String::new()
        } else {
            format!(" (exported in {})", at.join(", "))
        };
        if eff.origin == TokenOrigin::LegacyVar && logged_in {
            report.push(
                warn(
                    G_TOKEN,
                    "legacy",
                    format!("the legacy `HUGGING_FACE_HUB_TOKEN`{at} shadows your `hf auth login` token in `{}`", super::show(&token_file)),
                )
                .fix("`unset HUGGING_FACE_HUB_TOKEN` and remove it from your shell rc"),
            );
        } else if raw_hf.as_deref().is_some_and(|v| !v.is_empty())
            && crate::token::clean(l) != raw_hf.as_deref().and_then(crate::token::clean)
        {
            report.push(
                warn(
                    G_TOKEN,
                    "legacy",
                    format!("the legacy `HUGGING_FACE_HUB_TOKEN`{at} holds another token than `HF_TOKEN`: tools that read only it use another account"),
                )
                .fix("`unset HUGGING_FACE_HUB_TOKEN`"),
            );
        }
    }
    match raw_hf.as_deref() {
        Some("") => report.push(
            warn(G_TOKEN, "hf-token-empty", "`HF_TOKEN` is set but empty: huggingface_hub falls through to `HUGGING_FACE_HUB_TOKEN`, then the token file")
                .fix("`unset HF_TOKEN` instead of setting it to \"\""),
        ),
        Some(v) if v.trim().is_empty() => report.push(
            warn(G_TOKEN, "hf-token-empty", "`HF_TOKEN` is only whitespace: it hides `HUGGING_FACE_HUB_TOKEN` and falls through to the token file")
                .fix("`unset HF_TOKEN`"),
        ),
        _ => {}
    }
    for (var, raw) in [
        ("HF_TOKEN", raw_hf.clone()),
        ("HUGGING_FACE_HUB_TOKEN", legacy.clone()),
    ] {
        let Some(raw) = raw.filter(|v| !v.trim().is_empty()) else {
            continue;
        };
        let cleaned = crate::token::clean(&raw).unwrap_or_default();
        if raw.contains(['\r', '\n']) || raw != cleaned {
            report.push(
                warn(
                    G_TOKEN,
                    "whitespace",
                    format!("`{var}` ({}) contains a line break or surrounding spaces: huggingface_hub strips them, but curl, git and tokens passed explicitly fail", mask(&cleaned)),
                )
                .fix(format!("set `{var}` again without the whitespace (`printf %s`, not `echo`)")),
            );
        }
    }
    if let Some(t) = &eff.token {
        let from_profile = profile.as_ref().and_then(|p| p.2) == Some(t.as_str());
        if t.starts_with("api_org") {
            report.push(
                fail(
                    G_TOKEN,
                    "shape",
                    format!(
                        "{} holds an `api_org…` organization token, which huggingface_hub refuses",
                        eff.origin.describe()
                    ),
                )
                .fix("create a user access token at https://huggingface.co/settings/tokens"),
            );
        } else if !from_profile {
            if let Some(w) = crate::token::shape_warning(t) {
                report.push(warn(
                    G_TOKEN,
                    "shape",
                    format!("{}: {w}", eff.origin.describe()),
                ));
            }
        }
    }
    for var in [
        "HUGGINGFACE_TOKEN",
        "HUGGINGFACEHUB_API_TOKEN",
        "HUGGINGFACE_HUB_TOKEN",
        "HF_API_TOKEN",
    ] {
        if env(var).is_some_and(|v| !v.is_empty()) {
            // Harmless beside a token that is read; the only token there means every call
            // goes out anonymous (401 on private and gated repositories).
            let only_token = eff.token.is_none() && profile.as_ref().and_then(|p| p.2).is_none();
            let finding = if only_token {
                fail(G_TOKEN, "unread-var", format!("`{var}` holds your only token, but huggingface_hub never reads it: it runs without a token"))
            } else {
                warn(
                    G_TOKEN,
                    "unread-var",
                    format!("`{var}` is set, but huggingface_hub never reads it"),
                )
            };
            report.push(
                finding
                    .fix(format!("use `HF_TOKEN` (hfenv sets it per directory), or `hfenv add NAME --token-env {var}`")),
            );
        }
    }
}

//! The account follows the repository owner (`owners = [...]`), and what `status`/`doctor`
//! say about fine-grained tokens and OIDC.

use crate::hubmock::{HubMock, Reply};
use crate::support::*;

fn owners_config(s: &Sandbox) {
    s.write_config(&format!(
        "[profiles.work]\ntoken = \"{TOKEN_WORK}\"\nowners = [\"acme\", \"acme-research\"]\n\n[profiles.personal]\ntoken = \"{TOKEN_PERSONAL}\"\n"
    ));
    s.hfenv(&["use", "personal"]).ok();
}

#[test]
fn git_picks_the_profile_by_the_repository_owner_from_any_directory() {
    if !have("git") {
        return;
    }
    let s = Sandbox::new();
    owners_config(&s);
    for (k, v) in [
        (
            "credential.https://huggingface.co.helper",
            format!("!'{BIN}' credential"),
        ),
        (
            "credential.https://huggingface.co.useHttpPath",
            "true".to_string(),
        ),
    ] {
        assert!(s
            .command("git", &["config", "--global", k, &v])
            .status()
            .unwrap()
            .success());
    }
    let anywhere = s.mkdir("somewhere/else");
    // acme's repositories (models, datasets, spaces) get the work account ...
    for url in [
        "https://huggingface.co/acme/model",
        "https://huggingface.co/datasets/acme/data.git",
        "https://huggingface.co/spaces/ACME/app",
        "https://huggingface.co/acme-research/x",
    ] {
        let out = s.git_credential_fill(&anywhere, &format!("url={url}\n\n"));
        assert!(
            out.contains(&format!("password={TOKEN_WORK}\n")),
            "{url}: {out}"
        );
        assert!(out.contains("username=hfenv-work"), "{out}");
    }
    // ... everyone else the directory's (here the global) choice.
    let other = s.git_credential_fill(&anywhere, "url=https://huggingface.co/alice/model\n\n");
    assert!(
        other.contains(&format!("password={TOKEN_PERSONAL}\n")),
        "{other}"
    );
    // Inside `hfenv exec -p NAME` everything is NAME, even a repository another profile owns.
    let mut cmd = s.command(
        BIN,
        &["exec", "-p", "personal", "--", "git", "credential", "fill"],
    );
    cmd.current_dir(&anywhere)
        .env("PWD", &anywhere)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env_remove("HF_ENDPOINT");
    let child = spawn_with_input(&mut cmd, "url=https://huggingface.co/acme/model\n\n");
    let explicit = String::from_utf8_lossy(&child.wait_with_output().unwrap().stdout).into_owned();
    assert!(
        explicit.contains(&format!("password={TOKEN_PERSONAL}\n")),
        "{explicit}"
    );
    // Without the path (useHttpPath off), the directory decides, as before.
    let no_path = s.git_credential_fill(&anywhere, "protocol=https\nhost=huggingface.co\n\n");
    assert!(
        no_path.contains(&format!("password={TOKEN_PERSONAL}\n")),
        "{no_path}"
    );
}

#[test]
fn exec_for_a_repository_uses_its_owners_profile() {
    let s = Sandbox::new();
    owners_config(&s);
    let run = |repo: &str| {
        s.hfenv(&[
            "exec",
            "--for",
            repo,
            "--",
            "sh",
            "-c",
            "printf %s \"$HF_TOKEN\"",
        ])
        .ok()
        .stdout
    };
    assert_eq!(run("acme/model"), TOKEN_WORK);
    assert_eq!(run("datasets/Acme/data"), TOKEN_WORK);
    assert_eq!(run("https://huggingface.co/acme/model"), TOKEN_WORK);
    s.hfenv(&["exec", "--for", "alice/model", "--", "true"])
        .expect_stderr(1, "hfenv: no profile lists `alice` in `owners` — add `owners = [\"alice\"]` to the profile that serves it, or pass `-p PROFILE`\n");
    s.hfenv(&["exec", "--for", "..", "--", "true"])
        .expect_stderr(2, "hfenv: `..` is not a repository id — give one as `OWNER/NAME`, `datasets/OWNER/NAME` or a Hub URL\n");
    s.hfenv(&["exec", "--for", "acme/x", "-p", "personal", "--", "true"])
        .expect_stderr(2, "hfenv: the argument '--for <REPO_ID>' cannot be used with '--profile <PROFILE>' — see `hfenv exec --help`\n");
}

#[test]
fn an_owner_listed_twice_or_malformed_is_a_config_error() {
    let s = Sandbox::new();
    s.write_config(&format!(
        "[profiles.a]\ntoken = \"{TOKEN_WORK}\"\nowners = [\"acme\"]\n\n[profiles.b]\ntoken = \"{TOKEN_TEAM}\"\nowners = [\"ACME\"]\n"
    ));
    s.hfenv(&["list"]).expect_stderr(1, "hfenv: $HOME/.config/hfenv/config.toml:1:1: owner `acme` is listed by profiles `a` and `b` — each owner may be served by one profile; remove it from one of them\n");
    s.write_config(&format!(
        "[profiles.a]\ntoken = \"{TOKEN_WORK}\"\nowners = [\"acme/model\"]\n"
    ));
    s.hfenv(&["list"]).expect_stderr(1, "hfenv: $HOME/.config/hfenv/config.toml:1:1: profile `a` lists `acme/model` in `owners`, which is not a Hub user or organisation name — use names as they appear in Hub URLs, such as `acme` for huggingface.co/acme/model\n");
}

fn fine_grained(user: &str, scoped: serde_json::Value, gated: bool) -> Reply {
    let body = serde_json::json!({
        "type": "user", "name": user, "orgs": [{"type": "org", "name": "acme"}],
        "auth": {"type": "access_token", "accessToken": {
            "displayName": "ci", "role": "fineGrained",
            "fineGrained": {"canReadGatedRepos": gated, "global": [], "scoped": scoped},
        }},
    });
    Reply::new(200, &body.to_string())
}

fn hub_sandbox() -> (Sandbox, HubMock) {
    let mut s = Sandbox::new();
    let hub = HubMock::start();
    s.set_env("HF_ENDPOINT", &hub.url);
    s.write_config(&format!("[profiles.work]\ntoken = \"{TOKEN_WORK}\"\n"));
    s.hfenv(&["use", "work"]).ok();
    (s, hub)
}

#[test]
fn status_and_doctor_show_what_a_fine_grained_token_may_do_and_ask_once() {
    let (s, hub) = hub_sandbox();
    hub.whoami(fine_grained(
        "alice",
        serde_json::json!([{"entity": {"_id": "1", "type": "org", "name": "acme"},
                            "permissions": ["repo.content.read"]}]),
        false,
    ));
    let status = s.hfenv(&["status"]).ok();
    assert!(
        status.stdout.contains("may do              fine-grained; cannot read gated repos; org `acme`: repo.content.read (as `alice`)"),
        "{}",
        status.stdout
    );
    let doctor = s.hfenv(&["doctor"]).run();
    assert!(
        doctor.stdout.contains("may do: fine-grained"),
        "{}",
        doctor.stdout
    );
    // One request for both commands: the answer is cached (0600) for a few minutes.
    let asked = hub
        .seen()
        .iter()
        .filter(|r| r.path == "/api/whoami-v2")
        .count();
    assert_eq!(asked, 1);
    use std::os::unix::fs::PermissionsExt;
    for e in std::fs::read_dir(s.state_dir().join("whoami")).unwrap() {
        let e = e.unwrap();
        assert_eq!(e.metadata().unwrap().permissions().mode() & 0o777, 0o600);
        let text = std::fs::read_to_string(e.path()).unwrap();
        assert!(!text.contains(TOKEN_WORK), "the cache holds the token");
    }
}

#[test]
fn doctor_model_tells_permission_gate_and_absence_apart() {
    let (s, hub) = hub_sandbox();
    hub.whoami(fine_grained(
        "alice",
        serde_json::json!([{"entity": {"_id": "1", "type": "user", "name": "alice"},
                            "permissions": ["repo.content.read"]}]),
        true,
    ));
    // The Hub hides a repository the token may not read: 404 as for a missing one.
    hub.route(
        "/api/models/acme/secret/auth-check",
        Reply::error(404, "RepoNotFound", "Repository not found"),
    );
    hub.route(
        "/api/models/alice/gated/auth-check",
        Reply::error(
            403,
            "GatedRepo",
            "Access to model alice/gated is restricted",
        ),
    );
    hub.route(
        "/api/models/alice/nothing/auth-check",
        Reply::error(404, "RepoNotFound", "Repository not found"),
    );
    let d = s.hfenv(&["doctor", "--model", "acme/secret"]).code(1);
    assert!(
        d.stdout
            .contains("the fine-grained token lacks `repo.content.read` on `acme`")
            && d.stdout.contains(&format!("{}/settings/tokens", hub.url)),
        "{}",
        d.stdout
    );
    let d = s.hfenv(&["doctor", "--model", "alice/gated"]).code(1);
    assert!(
        d.stdout.contains("has not been granted access")
            && d.stdout.contains(&format!("{}/alice/gated", hub.url)),
        "{}",
        d.stdout
    );
    let d = s.hfenv(&["doctor", "--model", "alice/nothing"]).code(1);
    assert!(
        d.stdout.contains("does not exist") && d.stdout.contains(&format!("{}/alice", hub.url)),
        "{}",
        d.stdout
    );
}

#[test]
fn oidc_means_huggingface_hub_ignores_the_profiles_token() {
    let (mut s, _hub) = hub_sandbox();
    s.set_env("HF_OIDC_RESOURCE", "https://huggingface.co");
    s.set_env("HF_HUB_OFFLINE", "1");
    let status = s.hfenv(&["status"]).ok();
    assert!(
        status
            .stdout
            .contains("ignores `HF_TOKEN`: profile `work`'s token is not used"),
        "{}",
        status.stdout
    );
    let json: serde_json::Value =
        serde_json::from_str(&s.hfenv(&["status", "--json"]).ok().stdout).unwrap();
    assert_eq!(json["oidc_ignores_profile"], true);
    let doctor = s.hfenv(&["doctor", "--offline"]).run();
    assert!(
        doctor.stdout.contains("ignores `HF_TOKEN`") && doctor.stdout.contains("profile `work`"),
        "{}",
        doctor.stdout
    );
}

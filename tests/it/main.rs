// Test helpers are shared between the test modules; visibility here is not an API.
#![allow(unreachable_pub)]

//! One integration-test binary (one link, not one per file). Each module drives the real
//! `hfenv` binary in a sandbox built by `support::Sandbox`.

// The sandbox, fluent command runner and shared helpers.
mod support;

// The seeded generator, shared with the unit tests in src/proptests.rs.
#[path = "../shared/xorshift.rs"]
mod xorshift;

// Profiles in the config: add, list, remove, token, use, parse errors, concurrency.
mod profiles;

// Generated completion scripts: current, and completing profile names in real shells.
mod completions;

// exec, export json/dotenv/github, import, git credentials: hfenv beside other tools.
mod beside;

// The .env parser against the real python-dotenv: a recorded corpus, live runs, generated files.
mod dotenv;

// What `export` wants per directory: pins, .env trust, notices, bookkeeping.
mod environment;

// A scripted Hub on 127.0.0.1 for whoami and auth-check verdicts.
mod hubmock;

// `hfenv doctor`, `whoami` and `add` verification against the mock; PATH and hook scenarios.
mod doctor;

// `doctor` finds `hf` wherever Python tools put it, and `--fix` does no harm.
mod doctor_fix;

// What a user reads: help, version, man page, list/status tables and colour, spinner, notices.
mod surfaces;

// The hooks in real interactive bash, zsh, fish and elvish on a pty and nushell in tmux; hook
// text for PowerShell.
mod shells;

// Issue #13 items 4–12 and #9 D: right account only, bounded reads and answers, checked config.
mod repairs;

// Tokens in a real Secret Service (gnome-keyring on a private D-Bus): add, read, migrate, remove.
mod keychain;

// Browser logins: OAuth refresh against the mock, races with the real huggingface_hub.
mod oauth;

// Built and installed: the static binary resolves names, the hook survives upgrades, doctor
// knows pip/pipx/uv installs.
mod install;

// Issue 9 B and C: repository files never steer hfenv; secrets off disk and screen.
mod repository;

// Owner routing for git and exec --for; fine-grained scopes and OIDC in status and doctor.
mod owners;

//! One integration-test binary (one link, not one per file). Each module drives the real
//! `hfenv` binary in a sandbox built by `support::Sandbox`.

// The sandbox, fluent command runner and shared helpers.
mod support;

// Profiles in the config: add, list, remove, token, use, parse errors, concurrency.
mod profiles;

// The hooks in real interactive bash, zsh, fish and elvish on a pty; hook text for nu/pwsh.
mod shells;

//! One integration-test binary (one link, not one per file). Each module drives the real
//! `hfenv` binary in a sandbox built by `support::Sandbox`.

// The sandbox, fluent command runner and shared helpers.
mod support;

// Profiles in the config: add, list, remove, token, use, parse errors, concurrency.
mod profiles;

// A scripted Hub on 127.0.0.1 for whoami and auth-check verdicts.
mod hubmock;

// `hfenv doctor`, `whoami` and `add` verification against the mock; PATH and hook scenarios.
mod doctor;

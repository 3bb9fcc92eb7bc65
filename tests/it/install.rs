//! How hfenv is built and installed: the static Linux binary still resolves host names, the
//! hook pins a path an upgrade keeps, and `doctor` knows a pip/pipx/uv install.

use std::os::unix::fs::symlink;
use std::os::unix::process::CommandExt;

use crate::hubmock::{HubMock, Reply};
use crate::support::*;

/// The binary has no program interpreter (PT_INTERP): no dynamic loader runs at start-up.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn the_linux_binary_is_statically_linked() {
    let elf = std::fs::read(BIN).unwrap();
    assert_eq!(&elf[..4], b"\x7fELF");
    let u16_at = |o: usize| u16::from_le_bytes([elf[o], elf[o + 1]]) as usize;
    let phoff = u64::from_le_bytes(elf[0x20..0x28].try_into().unwrap()) as usize;
    let (phentsize, phnum) = (u16_at(0x36), u16_at(0x38));
    let interp = (0..phnum).any(|i| {
        let at = phoff + i * phentsize;
        u32::from_le_bytes(elf[at..at + 4].try_into().unwrap()) == 3
    });
    assert!(
        !interp,
        "{BIN} is dynamically linked: .cargo/config.toml's static linking is not in effect"
    );
}

/// A Hub reached by name, not by address: static glibc must still resolve `localhost`
/// (from /etc/hosts, through the built-in `files` service, without loading any libnss module).
#[test]
fn whoami_reaches_a_hub_by_host_name() {
    let mut s = Sandbox::new();
    let hub = HubMock::start();
    hub.whoami(Reply::whoami("alice", "read", &["acme"]));
    s.set_env("HF_ENDPOINT", hub.url.replace("127.0.0.1", "localhost"));
    s.add_inline("work", TOKEN_WORK);
    let done = s.hfenv(&["whoami", "-p", "work"]).ok();
    assert!(done.stdout.contains("alice"), "{}", done.stdout);
    assert!(hub.seen().iter().any(|r| r.path == "/api/whoami-v2"));
}

/// `eval "$(hfenv hook bash)"` run through a symlink (pipx's and uv's `~/.local/bin/hfenv`,
/// Homebrew's `bin/hfenv`) pins the symlink, which an upgrade re-points, not the versioned
/// directory behind it, which an upgrade deletes.
#[test]
fn the_hook_pins_the_path_hfenv_was_run_by() {
    let s = Sandbox::new();
    let bin = s.mkdir(".local/bin");
    symlink(BIN, bin.join("hfenv")).unwrap();
    // By full path.
    let by_path = Run::new(s.command(bin.join("hfenv"), &["hook", "bash"])).ok();
    assert!(
        by_path
            .stdout
            .contains(&format!("__hfenv_bin='{}'", bin.join("hfenv").display())),
        "{}",
        by_path.stdout
    );
    // By name, found on PATH.
    let by_name = Run::new(s.command("hfenv", &["hook", "bash"]))
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .ok();
    assert!(
        by_name
            .stdout
            .contains(&format!("__hfenv_bin='{}'", bin.join("hfenv").display())),
        "{}",
        by_name.stdout
    );
    // A PATH entry that leads elsewhere is not trusted: the real path is pinned instead.
    let other = s.mkdir("other");
    std::fs::write(other.join("hfenv"), "#!/bin/sh\n").unwrap();
    let mut cmd = s.command(BIN, &["hook", "bash"]);
    cmd.arg0("hfenv");
    let elsewhere = Run::new(cmd)
        .env("PATH", format!("{}:/usr/bin:/bin", other.display()))
        .ok();
    assert!(!elsewhere.stdout.contains(&other.display().to_string()));
}

fn install_finding(s: &Sandbox, path: &str) -> serde_json::Value {
    let done = Run::new(s.command("hfenv", &["doctor", "--offline", "--json"]))
        .env("PATH", path)
        .run();
    let json: serde_json::Value = serde_json::from_str(&done.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", done.stdout, done.stderr));
    json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "install")
        .cloned()
        .unwrap_or_else(|| panic!("no install check: {json}"))
}

/// `doctor` recognises hfenv in a virtualenv's bin (pip), pipx's venv behind `~/.local/bin`, and
/// says so with the upgrade command; off PATH it warns that the rc line will not find it.
#[test]
fn doctor_recognises_venv_pipx_and_uv_installs() {
    let s = Sandbox::new();
    let venv = s.mkdir("proj/.venv");
    std::fs::create_dir_all(venv.join("bin")).unwrap();
    std::fs::write(venv.join("pyvenv.cfg"), "home = /usr/bin\n").unwrap();
    symlink(BIN, venv.join("bin/hfenv")).unwrap();
    let path = format!("{}:/usr/bin:/bin", venv.join("bin").display());
    let found = install_finding(&s, &path);
    assert_eq!(found["status"], "ok", "{found}");
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        found["message"],
        format!("hfenv {version} at ~/proj/.venv/bin/hfenv (installed with pip in the virtualenv ~/proj/.venv); upgrade with `~/proj/.venv/bin/python -m pip install -U hfenv`"),
    );

    // pipx: the venv is reached through a symlink in ~/.local/bin.
    let pipx = s.mkdir(".local/share/pipx/venvs/hfenv");
    std::fs::create_dir_all(pipx.join("bin")).unwrap();
    std::fs::write(pipx.join("pyvenv.cfg"), "home = /usr/bin\n").unwrap();
    symlink(BIN, pipx.join("bin/hfenv")).unwrap();
    let local_bin = s.mkdir(".local/bin");
    symlink(pipx.join("bin/hfenv"), local_bin.join("hfenv")).unwrap();
    let path = format!("{}:/usr/bin:/bin", local_bin.display());
    let found = install_finding(&s, &path);
    assert_eq!(
        found["message"],
        format!("hfenv {version} at ~/.local/bin/hfenv (installed with pipx (~/.local/share/pipx/venvs/hfenv)); upgrade with `pipx upgrade hfenv`"),
    );

    // The same venv binary run by its full path while PATH lacks it: a note with the fix.
    let done = Run::new(s.command(venv.join("bin/hfenv"), &["doctor", "--offline", "--json"]))
        .env("PATH", "/usr/bin:/bin")
        .run();
    let json: serde_json::Value = serde_json::from_str(&done.stdout).unwrap();
    let found = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "install")
        .unwrap();
    assert_eq!(found["status"], "info", "{found}");
    assert_eq!(
        found["message"],
        format!("hfenv {version} at ~/proj/.venv/bin/hfenv (installed with pip in the virtualenv ~/proj/.venv) is not on PATH: a hook line must name it by its full path"),
    );
    assert_eq!(
        found["fix"],
        "add ~/proj/.venv/bin to PATH in your shell rc, or write the hook line with the full path: `eval \"$(~/proj/.venv/bin/hfenv hook bash)\"`",
    );
}

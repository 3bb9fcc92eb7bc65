//! Running helper programs with a time bound: a `token_command`, `python3 -m site`, `git`,
//! `df`. A child that outlives its bound is killed with everything it started, so nothing keeps
//! our pipes (or the prompt) waiting.

use std::io::Read;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

pub enum Outcome {
    Done(Output),
    TimedOut,
    NotStarted(std::io::Error),
}

/// Runs `cmd` with stdout captured. Standard error is captured only if the caller asked for a
/// pipe (a `token_command` keeps the terminal, for password prompts).
pub fn run_bounded(cmd: &mut Command, timeout: Duration) -> Outcome {
    let mut child = match cmd.stdout(Stdio::piped()).spawn() {
        Ok(c) => c,
        Err(e) => return Outcome::NotStarted(e),
    };
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(p) = pipe {
                let _ = p.take(1 << 20).read_to_end(&mut buf);
            }
            buf
        })
    };
    let out_reader = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err_reader = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                kill_descendants(child.id());
                let _ = child.kill();
                let _ = child.wait();
                return Outcome::TimedOut;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Outcome::NotStarted(e),
        }
    };
    Outcome::Done(Output {
        status,
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    })
}

/// Linux lists a process's children under /proc; elsewhere only the direct child is killed.
fn kill_descendants(pid: u32) {
    let mut pending = vec![pid];
    let mut all = Vec::new();
    while let Some(p) = pending.pop() {
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{p}/task")) else {
            continue;
        };
        for task in tasks.flatten() {
            if let Ok(children) = std::fs::read_to_string(task.path().join("children")) {
                for c in children
                    .split_whitespace()
                    .filter_map(|c| c.parse::<u32>().ok())
                {
                    all.push(c);
                    pending.push(c);
                }
            }
        }
    }
    if !all.is_empty() {
        let _ = Command::new("kill")
            .arg("-KILL")
            .args(all.iter().map(u32::to_string))
            .stderr(Stdio::null())
            .status();
    }
}

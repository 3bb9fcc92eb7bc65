//! Running helper programs with a time bound: a `token_command`, `python3 -m site`, `git`,
//! `df`. A child that outlives its bound is killed with everything it started, and a
//! background process it leaves behind holding our pipes cannot stretch the bound: the time
//! limit covers the whole run, output included.

use std::io::Read;
use std::process::{Command, ExitStatus, Output, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// The most output kept from a helper; a token or a short report never comes near it.
const MAX_OUTPUT: u64 = 1 << 20;
/// After the command itself exits, how long a leftover background process holding its output
/// open may delay us. What the command printed is already in the pipe by then.
const DRAIN_AFTER_EXIT: Duration = Duration::from_millis(100);

pub(crate) enum Outcome {
    Done(Output),
    TimedOut,
    NotStarted(std::io::Error),
}

/// A pipe read on its own thread, so the caller can stop waiting for it at a deadline while a
/// process we no longer care about keeps it open.
struct Drain {
    shared: Arc<(Mutex<Drained>, Condvar)>,
}

/// The bytes read so far, and whether the pipe has reached its end.
type Drained = (Vec<u8>, bool);

impl Drain {
    fn start(pipe: Option<Box<dyn Read + Send>>) -> Drain {
        let shared = Arc::new((Mutex::new((Vec::new(), pipe.is_none())), Condvar::new()));
        if let Some(pipe) = pipe {
            let theirs = Arc::clone(&shared);
            std::thread::spawn(move || {
                let mut pipe = pipe.take(MAX_OUTPUT);
                let mut chunk = [0u8; 8192];
                let (lock, cvar) = &*theirs;
                loop {
                    match pipe.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => lock
                            .lock()
                            .expect("drain lock")
                            .0
                            .extend_from_slice(&chunk[..n]),
                    }
                }
                lock.lock().expect("drain lock").1 = true;
                cvar.notify_all();
            });
        }
        Drain { shared }
    }

    /// What was read by `deadline`, whether or not the pipe reached its end.
    fn take_by(self, deadline: Instant) -> Vec<u8> {
        let (lock, cvar) = &*self.shared;
        let mut guard = lock.lock().expect("drain lock");
        while !guard.1 {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            guard = cvar
                .wait_timeout(guard, deadline - now)
                .expect("drain lock")
                .0;
        }
        std::mem::take(&mut guard.0)
    }
}

/// Runs `cmd` with stdout captured. Standard error is captured only if the caller asked for a
/// pipe (a `token_command` keeps the terminal, for password prompts). Returns within `timeout`
/// (plus a few milliseconds), whatever the command leaves running.
pub(crate) fn run_bounded(cmd: &mut Command, timeout: Duration) -> Outcome {
    let started = Instant::now();
    let mut child = match cmd.stdout(Stdio::piped()).spawn() {
        Ok(c) => c,
        Err(e) => return Outcome::NotStarted(e),
    };
    let out = Drain::start(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = Drain::start(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let deadline = started + timeout;
    let status: ExitStatus = loop {
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
    let drain_until = (Instant::now() + DRAIN_AFTER_EXIT).min(deadline.max(Instant::now()));
    Outcome::Done(Output {
        status,
        stdout: out.take_by(drain_until),
        stderr: err.take_by(drain_until),
    })
}

/// Linux lists a process's children under /proc; elsewhere only the direct child is killed.
/// The tree is frozen first (SIGSTOP, parent before children, so nothing new is started and no
/// shell lives to print "Killed" for its child onto the user's terminal), then killed.
fn kill_descendants(pid: u32) {
    let stop = |p: u32| {
        // SAFETY: kill(2) on a pid this process started (or one of its descendants).
        unsafe { libc::kill(p as libc::pid_t, libc::SIGSTOP) };
    };
    stop(pid);
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
                    stop(c);
                    all.push(c);
                    pending.push(c);
                }
            }
        }
    }
    for p in all {
        // SAFETY: as above.
        unsafe { libc::kill(p as libc::pid_t, libc::SIGKILL) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_background_child_holding_stdout_does_not_stretch_the_bound() {
        let started = Instant::now();
        let mut cmd = Command::new("/bin/sh");
        cmd.arg("-c").arg("echo hf_x; sleep 30 &");
        let Outcome::Done(out) = run_bounded(&mut cmd, Duration::from_secs(2)) else {
            panic!("the command itself finished at once");
        };
        assert_eq!(String::from_utf8_lossy(&out.stdout), "hf_x\n");
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}

//! hfenv: per-directory Hugging Face tokens and environments, direnv-style.

mod choose;
mod cli;
mod cmd;
mod config;
mod config_fast;
mod doctor;
pub mod dotenv;
mod error;
mod files;
mod formats;
mod here;
pub mod hf;
mod install;
mod names;
mod nss;
mod paths;
mod process;
#[cfg(test)]
mod proptests;
mod region;
mod render;
mod session;
mod sorted;
mod state;
mod store;
mod token;
mod ui;
mod userpath;
mod walk;
mod wanted;

/// The version and, for a build from a git checkout, the commit (see build.rs).
pub const VERSION: &str = env!("HFENV_VERSION");

use clap::Parser;

/// clap's usage error in the house style: `<what> — <what to do>`, using clap's own tip when
/// it has one, else pointing at the right `--help`.
fn usage_message(rendered: &str) -> String {
    let mut what = String::new();
    let mut tip = None;
    let mut command = "hfenv".to_string();
    let mut in_error = false;
    for line in rendered.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("error: ") {
            what = rest.trim_end_matches(':').to_string();
            in_error = true;
        } else if in_error
            && !line.is_empty()
            && !line.starts_with("tip:")
            && !line.starts_with("Usage:")
        {
            // The arguments a "required arguments were not provided" error lists.
            what.push_str(if what.ends_with("provided") {
                ": "
            } else {
                ", "
            });
            what.push_str(line);
        } else if line.is_empty() {
            in_error = false;
        } else if let Some(rest) = line.strip_prefix("tip: ") {
            tip.get_or_insert(rest.to_string());
        } else if let Some(rest) = line.strip_prefix("Usage: ") {
            command = rest
                .split_whitespace()
                .take_while(|w| !w.starts_with(['[', '<', '-']))
                .collect::<Vec<_>>()
                .join(" ");
        }
    }
    let fix = tip.unwrap_or_else(|| format!("see `{command} --help`"));
    format!("{what} — {fix}")
}

/// hfenv runs for milliseconds: buffers freed midway (a parsed `.env`, a sort) are better reused
/// from the heap than handed back to the kernel and faulted in again. With a 10,000-line `.env`
/// that is a tenth of `export`'s time at a prompt.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_allocator() {
    use std::os::raw::c_int;
    extern "C" {
        fn mallopt(param: c_int, value: c_int) -> c_int;
    }
    const M_TOP_PAD: c_int = -2;
    const M_MMAP_THRESHOLD: c_int = -3;
    // SAFETY: mallopt only adjusts glibc's allocator parameters; called before any thread starts.
    unsafe {
        mallopt(M_MMAP_THRESHOLD, 32 << 20);
        mallopt(M_TOP_PAD, 8 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}

/// What std's runtime does before `main`, for the two parts hfenv relies on; `main.rs` starts
/// hfenv without that runtime (see there for why).
fn prepare_process() {
    // SAFETY: plain libc calls on this process's own descriptors and signal disposition, made
    // before anything else runs.
    unsafe {
        // A reader that goes away (`hfenv list | head`) is an `EPIPE` error handled where output
        // is written, not a signal that kills hfenv mid-write.
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
        // A closed standard descriptor would be reused by the next file hfenv opens, and a
        // message meant for the terminal would land in that file: keep 0, 1 and 2 taken.
        let mut fds = [0, 1, 2].map(|fd| libc::pollfd {
            fd,
            events: 0,
            revents: 0,
        });
        if libc::poll(fds.as_mut_ptr(), 3, 0) != -1 {
            for fd in fds {
                if fd.revents & libc::POLLNVAL != 0 {
                    let null = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
                    if null != -1 && null != fd.fd {
                        libc::dup2(null, fd.fd);
                        libc::close(null);
                    }
                }
            }
        }
    }
}

/// Runs hfenv and returns its exit status (0 ok, 1 failure, 2 usage).
pub fn run() -> i32 {
    prepare_process();
    // A shell asking for completions (its registered script sets the variable) gets its
    // answer and nothing else.
    cmd::completions::answer_if_asked();
    tune_allocator();
    if std::env::var_os("HOME").is_none_or(|h| h.is_empty()) {
        nss::pin_builtin_services();
    }
    // clap handles --help and --version before anything reads the config, so both work when
    // the config is broken.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let parsed = match cli::Cli::parse_hook_line(&args) {
        Some(cli) => Ok(cli),
        None => cli::Cli::try_parse_from(args),
    };
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            let _ = e.print();
            return 0;
        }
        Err(e) => {
            // Masked and escaped like every message: an argument may be a pasted token.
            ui::say(&usage_message(&e.render().to_string()));
            return error::EXIT_USAGE.into();
        }
    };
    match cmd::run(cli.command) {
        Ok(()) => 0,
        Err(e) => {
            if !e.message.is_empty() {
                ui::say(&e.message);
            }
            e.code.into()
        }
    }
}

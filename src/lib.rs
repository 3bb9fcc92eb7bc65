//! hfenv: per-directory Hugging Face tokens and environments, direnv-style.

pub mod apply;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod doctor;
pub mod dotenv;
pub mod error;
pub mod hflib;
pub mod hfstored;
pub mod hub;
pub mod keyed;
pub mod originals;
pub mod paths;
pub mod process;
pub mod resolve;
pub mod shell;
pub mod state;
pub mod token;
pub mod ui;

use std::process::ExitCode;

use clap::Parser;

pub fn run() -> ExitCode {
    // clap handles --help and --version before anything reads the config, so both work when
    // the config is broken.
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { error::EXIT_USAGE } else { 0 });
        }
    };
    match cmd::run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if !e.message.is_empty() {
                ui::say(&e.message);
            }
            ExitCode::from(e.code)
        }
    }
}

//! One file per subcommand; this file only dispatches.

pub mod add;
pub mod allow;
pub mod completions;
pub mod credential;
pub mod doctor;
pub mod exec;
pub mod export;
pub mod hook;
pub mod import;
pub mod list;
pub mod man;
pub mod migrate;
pub mod remove;
pub mod status;
pub mod token;
pub mod use_;
pub mod whoami;

use crate::cli::Command;
use crate::error::Result;

pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Add(a) => add::run(a),
        Command::List(a) => list::run(a),
        Command::Remove(a) => remove::run(a),
        Command::Token(a) => token::run(a),
        Command::Use(a) => use_::run(a),
        Command::Status(a) => status::run(a),
        Command::Allow(a) => allow::allow(a),
        Command::Deny(a) => allow::deny(a),
        Command::Hook(a) => hook::run(a),
        Command::Export(a) => export::run(a),
        Command::Exec(a) => exec::run(a),
        Command::Whoami(a) => whoami::run(a),
        Command::Doctor(a) => doctor::run(a),
        Command::Import(a) => import::run(a),
        Command::Credential(a) => credential::run(a),
        Command::Migrate(a) => migrate::run(a),
        Command::Completions(a) => completions::run(a),
        Command::Profiles => list::names(),
        Command::Man(a) => man::run(a),
    }
}

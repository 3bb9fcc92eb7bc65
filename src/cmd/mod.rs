//! One file per subcommand; this file only dispatches.

pub(crate) mod add;
pub(crate) mod allow;
pub(crate) mod completions;
pub(crate) mod credential;
pub(crate) mod doctor;
pub(crate) mod exec;
pub(crate) mod export;
pub(crate) mod hook;
pub(crate) mod import;
pub(crate) mod list;
pub(crate) mod man;
pub(crate) mod migrate;
pub(crate) mod remove;
pub(crate) mod status;
pub(crate) mod token;
pub(crate) mod use_;
pub(crate) mod whoami;

use crate::cli::Command;
use crate::error::Result;

pub(crate) fn run(command: Command) -> Result<()> {
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

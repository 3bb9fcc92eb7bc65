use crate::cli::TokenCmd;
use crate::error::Result;
use crate::here::Here;
use crate::ui;

/// The one command that prints a whole token, for pipes such as `docker login --password-stdin`.
pub(crate) fn run(args: TokenCmd) -> Result<()> {
    let here = Here::load()?;
    let (_, token) = here.token(args.profile.as_deref())?;
    ui::print(&format!("{token}\n"))
}

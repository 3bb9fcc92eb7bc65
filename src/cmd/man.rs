//! `hfenv man [SUBCOMMAND]`: manual pages generated from the same clap definition as `--help`
//! (clap_mangen), so they cannot drift: `hfenv.1`, and `hfenv-<sub>.1` per subcommand, like
//! git's.

use clap::CommandFactory;

use crate::cli::{Cli, Man};
use crate::error::{Error, Result};

pub(crate) fn run(args: Man) -> Result<()> {
    let top = Cli::command().version(crate::VERSION);
    let page = match args.subcommand.as_deref() {
        None => top,
        Some(name) => {
            let names: Vec<String> = top
                .get_subcommands()
                .filter(|c| !c.is_hide_set())
                .map(|c| c.get_name().to_string())
                .collect();
            let sub = top
                .find_subcommand(name)
                .filter(|c| !c.is_hide_set())
                .cloned()
                .ok_or_else(|| {
                    Error::usage(
                        format!("`{name}` is not an hfenv command"),
                        format!("pick one of: {}", names.join(", ")),
                    )
                })?;
            // clap names are &'static str without its `string` feature; this runs once.
            let page: &'static str = Box::leak(format!("hfenv-{name}").into_boxed_str());
            sub.name(page)
                .bin_name(format!("hfenv {name}"))
                .version(crate::VERSION)
                .disable_version_flag(true)
        }
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(page)
        .date(env!("HFENV_MAN_DATE"))
        .source(format!("hfenv {}", env!("CARGO_PKG_VERSION")))
        .manual("hfenv manual")
        .render(&mut out)
        .map_err(|e| Error::plain(format!("could not render the manual page: {e}")))?;
    crate::ui::print(&String::from_utf8_lossy(&out))
}

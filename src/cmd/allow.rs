use std::path::PathBuf;

use crate::cli::{Allow, Deny};
use crate::error::{Error, Result};
use crate::here::Here;
use crate::wanted;
use crate::{state, ui};

/// Files named on the command line, or the `.env` files of the current directory.
fn targets(here: &Here, files: Vec<PathBuf>) -> Result<Vec<PathBuf>> {
    if !files.is_empty() {
        return Ok(files
            .into_iter()
            .map(|f| if f.is_absolute() { f } else { here.cwd.join(f) })
            .collect());
    }
    let names = &here.loaded.config.settings.dotenv_files;
    let found: Vec<PathBuf> = names
        .iter()
        .map(|n| here.cwd.join(n))
        .filter(|p| p.exists())
        .collect();
    if found.is_empty() {
        let mut looked = Vec::new();
        let elsewhere = wanted::dotenv_candidates(&here.context(), &mut looked);
        let hint = match elsewhere.first() {
            Some(p) => format!("name the file, e.g. `hfenv allow {}`", p.display()),
            None => "name the file: `hfenv allow path/to/.env`".into(),
        };
        return Err(Error::new(
            format!("no {} in `{}`", names.join(" or "), here.cwd.display()),
            hint,
        ));
    }
    Ok(found)
}

pub(crate) fn allow(args: Allow) -> Result<()> {
    let here = Here::load()?;
    let mut out = String::new();
    for path in targets(&here, args.files)? {
        // Opened once: what is trusted is the file that was read, at the target it was read at.
        let read = state::read_for_trust(&path, wanted::MAX_FILE).map_err(|why| {
            Error::new(
                format!("cannot trust `{}`: {why}", path.display()),
                "allow a regular file",
            )
        })?;
        // Trust covers the link and its target together: say where it leads.
        if let Some(target) = &read.target {
            ui::say(&format!(
                "`{}` is a symbolic link to `{}`: trusted only as this link to that file, until either changes",
                path.display(),
                target.display()
            ));
        }
        state::allow(&read.key, &read.content)?;
        out.push_str(&format!(
            "allowed `{}` (until it changes)\n",
            path.display()
        ));
    }
    ui::print_for_people(&out)
}

pub(crate) fn deny(args: Deny) -> Result<()> {
    let here = Here::load()?;
    let mut out = String::new();
    for path in targets(&here, args.files)? {
        state::deny(&state::trust_path(&path))?;
        out.push_str(&format!("denied `{}`\n", path.display()));
    }
    ui::print_for_people(&out)
}

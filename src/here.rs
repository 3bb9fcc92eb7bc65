//! What a command loads once: the config, the state directory and the current directory, and
//! the pipeline calls every command shares (choose → wanted, for this directory or `-p`).

use std::path::PathBuf;

use crate::choose::{self, Choice, Chosen, Context, Why};
use crate::cli::Shell;
use crate::error::{Error, Result};
use crate::session::Session;
use crate::wanted::{self, Options, Wanted};
use crate::{paths, state};

/// Config, state and directory loaded once for a command.
pub(crate) struct Here {
    pub loaded: crate::config::Loaded,
    pub state: PathBuf,
    pub cwd: PathBuf,
}

impl Here {
    pub(crate) fn load() -> Result<Here> {
        let loaded = crate::config::load()?;
        let state = state::dir()?;
        let cwd = choose::current_dir(&paths::process_env)?;
        Ok(Here { loaded, state, cwd })
    }

    pub(crate) fn context(&self) -> Context<'_> {
        Context {
            config: &self.loaded.config,
            config_path: &self.loaded.path,
            state: self.state.clone(),
            cwd: self.cwd.clone(),
            walk: crate::walk::Walk::new(&self.cwd),
            env: &paths::process_env,
        }
    }

    /// `-p NAME` (which must exist), or this directory's choice.
    pub(crate) fn choose(&self, explicit: Option<&str>) -> Result<Chosen> {
        match explicit {
            Some(name) => {
                if self.loaded.config.profile(name).is_none() {
                    return Err(self.loaded.config.unknown_profile(name));
                }
                Ok(Chosen {
                    choice: Some(Choice {
                        name: name.to_string(),
                        why: Why::Explicit,
                    }),
                    ..Chosen::default()
                })
            }
            None => Ok(choose::choose(&self.context())),
        }
    }

    /// The environment a command run here (or with `-p`) should get, `.env` files included
    /// unless a profile is named.
    pub(crate) fn wanted(&self, explicit: Option<&str>, shell: Option<Shell>) -> Result<Wanted> {
        let chosen = self.choose(explicit)?;
        let session = Session::from_env(&self.state, &paths::process_env, false);
        let opts = Options {
            dotenv: explicit.is_none(),
            reuse: None,
            legacy_owned: legacy_owned(&session),
            shell,
        };
        Ok(wanted::wanted(&self.context(), chosen, &opts))
    }

    /// The profile and token for `-p NAME` or, without it, for this directory.
    pub(crate) fn token(&self, explicit: Option<&str>) -> Result<(String, String)> {
        let config = &self.loaded.config;
        let Some(choice) = self.choose(explicit)?.choice else {
            return Err(Error::new(
                "no profile applies in this directory",
                "pass `-p PROFILE` or choose one with `hfenv use PROFILE`",
            ));
        };
        let profile = config
            .profile(&choice.name)
            .ok_or_else(|| config.unknown_profile(&choice.name))?;
        let token =
            crate::hf::source::fetch_token(&choice.name, profile, config, &paths::process_env)?;
        Ok((choice.name, token))
    }
}

/// `HUGGING_FACE_HUB_TOKEN` follows the profile only when the user had it (or hfenv already
/// manages it in this shell).
pub(crate) fn legacy_owned(session: &Session) -> bool {
    const LEGACY: &str = "HUGGING_FACE_HUB_TOKEN";
    session.manages(LEGACY) || paths::process_env(LEGACY).is_some()
}

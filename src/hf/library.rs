//! What huggingface_hub 2.x itself will do with an environment (reference §1): the token it
//! picks and where from. `status` and `doctor` compare this with what hfenv intends.

use std::path::PathBuf;

use crate::paths;
use crate::token::clean;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TokenOrigin {
    /// `HF_OIDC_RESOURCE` is set: the library exchanges an OIDC token first.
    Oidc,
    HfToken,
    LegacyVar,
    File(PathBuf),
    None,
}

impl TokenOrigin {
    pub(crate) fn describe(&self) -> String {
        match self {
            TokenOrigin::Oidc => "OIDC exchange (`HF_OIDC_RESOURCE` is set)".into(),
            TokenOrigin::HfToken => "`HF_TOKEN`".into(),
            TokenOrigin::LegacyVar => "`HUGGING_FACE_HUB_TOKEN` (legacy variable)".into(),
            TokenOrigin::File(p) => format!("token file `{}`", p.display()),
            TokenOrigin::None => "nothing (not logged in)".into(),
        }
    }
}

pub(crate) struct Effective {
    pub token: Option<String>,
    pub origin: TokenOrigin,
    /// Reading the token file failed the way Python fails (a directory, no permission).
    pub file_error: Option<String>,
}

/// `get_token()`: OIDC, then `HF_TOKEN or HUGGING_FACE_HUB_TOKEN` tested raw (so `"  "` hides
/// the legacy variable and then cleans to nothing), then the token file.
pub(crate) fn effective_token(env: &dyn Fn(&str) -> Option<String>) -> Effective {
    if env("HF_OIDC_RESOURCE").is_some_and(|v| !v.is_empty()) {
        return Effective {
            token: None,
            origin: TokenOrigin::Oidc,
            file_error: None,
        };
    }
    let hf = env("HF_TOKEN").filter(|v| !v.is_empty());
    let (raw, origin) = match hf {
        Some(v) => (Some(v), TokenOrigin::HfToken),
        None => (
            env("HUGGING_FACE_HUB_TOKEN").filter(|v| !v.is_empty()),
            TokenOrigin::LegacyVar,
        ),
    };
    if let Some(token) = raw.as_deref().and_then(clean) {
        return Effective {
            token: Some(token),
            origin,
            file_error: None,
        };
    }
    let path = paths::hf_token_path(env);
    // Bounded and non-blocking: `HF_TOKEN_PATH` may name a FIFO or `/dev/zero`.
    match crate::files::read_bounded(&path, crate::files::SMALL, crate::files::Links::Follow) {
        Ok(bytes) => match clean(&String::from_utf8_lossy(&bytes)) {
            Some(t) => Effective {
                token: Some(t),
                origin: TokenOrigin::File(path),
                file_error: None,
            },
            None => Effective {
                token: None,
                origin: TokenOrigin::None,
                file_error: None,
            },
        },
        Err(e) if e.is_missing() => Effective {
            token: None,
            origin: TokenOrigin::None,
            file_error: None,
        },
        Err(e) => Effective {
            token: None,
            origin: TokenOrigin::None,
            file_error: Some(format!("reading `{}` fails: {e}", path.display())),
        },
    }
}

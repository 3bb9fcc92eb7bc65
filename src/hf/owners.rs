//! The account follows the repository owner: a profile may list the Hub owners (users or
//! organisations) it serves, and a repository id or URL picks the profile by its owner.

use crate::config::Config;

/// The owner in a repository id (`acme/model`, `datasets/acme/data`, `spaces/acme/app`), a
/// git credential path (`acme/model.git`, `/datasets/acme/data`) or a Hub URL.
pub(crate) fn owner_of(reference: &str) -> Option<&str> {
    let mut rest = reference.trim();
    if let Some(after) = rest.split_once("://").map(|(_, r)| r) {
        // Drop the host.
        rest = after.split_once('/').map(|(_, p)| p).unwrap_or("");
    }
    let rest = rest.trim_start_matches('/');
    let mut parts = rest.split('/').filter(|p| !p.is_empty());
    let first = parts.next()?;
    let owner = match first {
        "datasets" | "spaces" | "models" => parts.next()?,
        _ => first,
    };
    crate::config::valid_owner(owner).then_some(owner)
}

/// The profile that lists `owner` in its `owners` (names compare case-insensitively, as the
/// Hub's do). The config refuses an owner listed twice.
pub(crate) fn profile_for<'a>(config: &'a Config, owner: &str) -> Option<&'a str> {
    config
        .profiles
        .iter()
        .find(|(_, p)| {
            p.get_ref()
                .owners
                .iter()
                .any(|o| o.eq_ignore_ascii_case(owner))
        })
        .map(|(name, _)| name.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_in_ids_paths_and_urls() {
        assert_eq!(owner_of("acme/model"), Some("acme"));
        assert_eq!(owner_of("acme/model.git"), Some("acme"));
        assert_eq!(owner_of("/datasets/acme/data"), Some("acme"));
        assert_eq!(owner_of("spaces/acme/app"), Some("acme"));
        assert_eq!(owner_of("https://huggingface.co/acme/model"), Some("acme"));
        assert_eq!(
            owner_of("https://huggingface.co/datasets/Acme/x"),
            Some("Acme")
        );
        assert_eq!(owner_of(""), None);
        assert_eq!(owner_of("datasets"), None);
        assert_eq!(owner_of("../etc/passwd"), None);
    }
}

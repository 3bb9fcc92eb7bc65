//! Everything about huggingface_hub's world: what the library itself does with an environment
//! (`library`), its `stored_tokens` file (`stored`), the Hub's HTTP API (`hub`), and fetching a
//! profile's token from its source (`source`).

pub(crate) mod hub;
pub(crate) mod identity;
pub(crate) mod library;
pub(crate) mod login;
pub(crate) mod oauth;
pub(crate) mod owners;
pub(crate) mod source;
pub mod stored;

//! Everything about huggingface_hub's world: what the library itself does with an environment
//! (`library`), its `stored_tokens` file (`stored`), the Hub's HTTP API (`hub`), and fetching a
//! profile's token from its source (`source`).

pub mod hub;
pub mod identity;
pub mod library;
pub mod login;
pub mod oauth;
pub mod owners;
pub mod source;
pub mod stored;

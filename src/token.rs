//! Tokens: cleaning exactly as huggingface_hub does, masking for every output, fingerprints for
//! bookkeeping.

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// huggingface_hub's `_clean_token`: every CR and LF removed, then surrounding whitespace;
/// empty means "no token".
pub(crate) fn clean(raw: &str) -> Option<String> {
    if !raw.bytes().any(|b| b == b'\r' || b == b'\n') {
        let trimmed = raw.trim_matches(python_space);
        return (!trimmed.is_empty()).then(|| trimmed.to_string());
    }
    let without_newlines: String = raw.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    let trimmed = without_newlines.trim_matches(python_space);
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

/// Python's `str.isspace()` (what `strip()`, `\s` and `split()` use): Unicode White_Space
/// plus the information separators U+001C..U+001F, which Rust does not count.
pub(crate) fn python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// The only form in which a token may appear in output: `hf_Ab…7890`.
pub(crate) fn mask(token: &str) -> String {
    if token.is_ascii() {
        if token.len() < 12 {
            return "****".into();
        }
        return format!("{}…{}", &token[..5], &token[token.len() - 4..]);
    }
    let chars: Vec<char> = token.chars().collect();
    if chars.len() < 12 {
        // Too short to show any part without giving most of it away.
        return "****".into();
    }
    let head: String = chars[..5].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

/// Masks anything shaped like a token in text meant for people: a token pasted into the
/// wrong config key, a pin file or a rule must not come back whole in an error or a listing.
pub(crate) fn redact(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("hf_") && !text.contains("api_org") {
        return std::borrow::Cow::Borrowed(text);
    }
    // One pass: `list --json` with thousands of profiles hands this a text full of `hf_`.
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut i, mut copied) = (0, 0);
    while i < bytes.len() {
        // Two byte tests first: a call per byte to compare slices made this the cost of
        // `list` (its whole output passes through here).
        let may_start = match bytes[i] {
            b'h' => bytes.get(i + 1) == Some(&b'f'),
            b'a' => bytes.get(i + 1) == Some(&b'p'),
            _ => false,
        };
        if !(may_start && (bytes[i..].starts_with(b"hf_") || bytes[i..].starts_with(b"api_org"))) {
            i += 1;
            continue;
        }
        let len = bytes[i..]
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
            .unwrap_or(bytes.len() - i);
        // Long enough to be a secret; short words like `hf_token` or `hf_stored` stay readable.
        if len >= 16 {
            out.push_str(&text[copied..i]);
            out.push_str(&mask(&text[i..i + len]));
            copied = i + len;
        }
        i += len;
    }
    out.push_str(&text[copied..]);
    std::borrow::Cow::Owned(out)
}

/// A short one-way digest, safe to keep in an exported variable: it lets the hook recognise a
/// value it set without storing the value.
pub(crate) fn fingerprint(value: &str) -> String {
    hex(&Sha256::digest(value.as_bytes())[..8])
}

pub(crate) fn sha256_hex(data: &[u8]) -> String {
    sha256_hex_of(&[data])
}

/// [`sha256_hex`] of the parts one after the other, without copying them into one buffer
/// (a `.env`'s trust key hashes the whole file).
pub(crate) fn sha256_hex_of(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hex(&hasher.finalize())
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

/// A problem with a token's shape, worth a warning but not a refusal.
pub(crate) fn shape_warning(token: &str) -> Option<String> {
    if !token.starts_with("hf_") {
        return Some(format!(
            "token {} does not start with `hf_` — Hugging Face user access tokens do; check you copied the right value",
            mask(token)
        ));
    }
    if token.chars().any(char::is_whitespace) {
        return Some(format!(
            "token {} contains whitespace — tokens never do; check the value",
            mask(token)
        ));
    }
    None
}

/// huggingface_hub refuses legacy organisation tokens at login; so do we.
pub(crate) fn refuse_org_token(token: &str) -> Result<()> {
    if token.starts_with("api_org") {
        return Err(Error::new(
            "`api_org…` organization tokens are not accepted by huggingface_hub",
            "create a user access token at https://huggingface.co/settings/tokens",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_like_huggingface_hub() {
        assert_eq!(clean("  hf_pad \n").as_deref(), Some("hf_pad"));
        assert_eq!(clean("hf_a\r\nb").as_deref(), Some("hf_ab"));
        assert_eq!(clean(" \n"), None);
        assert_eq!(clean(""), None);
    }

    #[test]
    fn redacts_token_shapes_but_not_key_names() {
        let text = "unknown variant `hf_AbCdEfGhIjKlMnOp7890`, expected `hf_token` or `hf_stored`";
        assert_eq!(
            redact(text),
            "unknown variant `hf_Ab…7890`, expected `hf_token` or `hf_stored`"
        );
        assert_eq!(redact("api_org_abcdefghijklmnop"), "api_o…mnop");
    }

    #[test]
    fn masks() {
        assert_eq!(mask("hf_AbCdEfGhIjKlMnOp7890"), "hf_Ab…7890");
        assert!(!mask("hf_short").contains("short"));
    }
}

//! Fingerprints for the hook's bookkeeping: SipHash-2-4 under a random per-user key kept in
//! the state directory (0600). Keyed, so a fingerprint of a weak `.env` password cannot be
//! brute-forced by whoever reads the environment; and ten times cheaper than SHA-256, which
//! matters with thousands of `.env` keys at a prompt.

use std::io::Read;
use std::sync::OnceLock;

use crate::files::{self, Links};

const KEY_FILE: &str = "key";

fn key() -> (u64, u64) {
    static KEY: OnceLock<(u64, u64)> = OnceLock::new();
    *KEY.get_or_init(|| {
        // Never a fixed key: without a key file (state lost, disk full) this process uses a
        // random one. Its fingerprints then prove nothing to the next process, which is what
        // makes the session fail closed (see `Marker::key_is_current`).
        // Unit tests never touch the developer's state directory.
        let bytes = if cfg!(test) {
            fresh()
        } else {
            load_or_create().unwrap_or_else(fresh)
        };
        let (a, b) = bytes.split_at(8);
        (
            u64::from_le_bytes(a.try_into().expect("8 bytes")),
            u64::from_le_bytes(b.try_into().expect("8 bytes")),
        )
    })
}

/// 16 random bytes: the kernel's, or, if `/dev/urandom` cannot be read, the standard library's
/// randomly seeded hasher (never a constant).
fn fresh() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    let from_kernel =
        std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    if from_kernel.is_err() {
        use std::hash::{BuildHasher, Hasher};
        for half in bytes.chunks_mut(8) {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u128(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_nanos(),
            );
            half.copy_from_slice(&h.finish().to_le_bytes());
        }
    }
    bytes
}

fn load_or_create() -> Option<[u8; 16]> {
    let path = crate::state::dir().ok()?.join(KEY_FILE);
    let read = |path: &std::path::Path| -> Option<[u8; 16]> {
        let bytes = files::read_bounded(path, 16, Links::Refuse).ok()?;
        let key: [u8; 16] = bytes.as_slice().try_into().ok()?;
        // An all-zero file is not a key anyone should trust.
        (key != [0; 16]).then_some(key)
    };
    if let Some(key) = read(&path) {
        return Some(key);
    }
    // A wiped state directory is recreated for the shell.
    crate::state::ensure_dir().ok()?;
    files::write_private(&path, &fresh()).ok()?;
    // Another process may have won the race: use whatever is on disk now.
    read(&path)
}

/// A short public check of the key, carried in the marker: a marker whose check differs was
/// made under a key that is gone, and its fingerprints prove nothing.
pub(super) fn check() -> String {
    format!("{:08x}", print(b"hfenv marker key check") >> 32)
}

/// The keyed 64-bit fingerprint of `data`.
pub(super) fn print(data: &[u8]) -> u64 {
    let (k0, k1) = key();
    siphash24(k0, k1, data)
}

fn siphash24(k0: u64, k1: u64, data: &[u8]) -> u64 {
    let mut v = [
        k0 ^ 0x736f6d6570736575,
        k1 ^ 0x646f72616e646f6d,
        k0 ^ 0x6c7967656e657261,
        k1 ^ 0x7465646279746573,
    ];
    fn round(v: &mut [u64; 4]) {
        v[0] = v[0].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(13) ^ v[0];
        v[0] = v[0].rotate_left(32);
        v[2] = v[2].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(16) ^ v[2];
        v[0] = v[0].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(21) ^ v[0];
        v[2] = v[2].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(17) ^ v[2];
        v[2] = v[2].rotate_left(32);
    }
    let mut chunks = data.chunks_exact(8);
    for chunk in &mut chunks {
        let m = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        v[3] ^= m;
        round(&mut v);
        round(&mut v);
        v[0] ^= m;
    }
    let mut last = [0u8; 8];
    let rest = chunks.remainder();
    last[..rest.len()].copy_from_slice(rest);
    last[7] = data.len() as u8;
    let m = u64::from_le_bytes(last);
    v[3] ^= m;
    round(&mut v);
    round(&mut v);
    v[0] ^= m;
    v[2] ^= 0xff;
    for _ in 0..4 {
        round(&mut v);
    }
    v[0] ^ v[1] ^ v[2] ^ v[3]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference vectors of the SipHash paper: key 00..0f, messages 00, 00 01, ….
    #[test]
    fn matches_the_reference_implementation() {
        let k0 = u64::from_le_bytes([0, 1, 2, 3, 4, 5, 6, 7]);
        let k1 = u64::from_le_bytes([8, 9, 10, 11, 12, 13, 14, 15]);
        assert_eq!(siphash24(k0, k1, &[]), 0x726fdb47dd0e0e31);
        let fifteen: Vec<u8> = (0..15).collect();
        assert_eq!(siphash24(k0, k1, &fifteen), 0xa129ca6149be45e5);
    }
}

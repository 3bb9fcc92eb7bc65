//! Fingerprints for the hook's bookkeeping: SipHash-2-4 under a random per-user key kept in
//! the state directory (0600). Keyed, so a fingerprint of a weak `.env` password cannot be
//! brute-forced by whoever reads the environment; and ten times cheaper than SHA-256, which
//! matters with thousands of `.env` keys at a prompt.

use std::io::Read;
use std::sync::OnceLock;

const KEY_FILE: &str = "key";

fn key() -> (u64, u64) {
    static KEY: OnceLock<(u64, u64)> = OnceLock::new();
    *KEY.get_or_init(|| {
        let bytes = load_or_create().unwrap_or([0; 16]);
        let (a, b) = bytes.split_at(8);
        (
            u64::from_le_bytes(a.try_into().expect("8 bytes")),
            u64::from_le_bytes(b.try_into().expect("8 bytes")),
        )
    })
}

fn load_or_create() -> Option<[u8; 16]> {
    let path = crate::state::dir().ok()?.join(KEY_FILE);
    if let Ok(existing) = std::fs::read(&path) {
        if let Ok(key) = existing.as_slice().try_into() {
            return Some(key);
        }
    }
    let mut fresh = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .ok()?
        .read_exact(&mut fresh)
        .ok()?;
    crate::state::ensure_dir().ok()?;
    crate::files::write_private(&path, &fresh).ok()?;
    // Another process may have won the race: use whatever is on disk now.
    std::fs::read(&path).ok()?.as_slice().try_into().ok()
}

/// The keyed 64-bit fingerprint of `data`.
pub fn print(data: &[u8]) -> u64 {
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

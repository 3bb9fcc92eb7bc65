//! The one seeded generator of the tests. It is included by path both by the unit tests
//! (`src/proptests.rs`) and by the integration tests (`tests/it/main.rs`): test code shared
//! this way stays out of the library's API, and the two cannot drift apart.

// Each includer uses a part of it.
#![allow(dead_code)]

/// xorshift64*: small, seeded, the same values on every run and every machine.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

//! A seeded xorshift64 for the crash tests: the same seed replays the same kills.
#![allow(dead_code)]

/// xorshift64.
pub struct Rng(pub u64);

impl Rng {
    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        lo + self.0 % (hi - lo + 1)
    }
}

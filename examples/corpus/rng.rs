//! Pseudo-random numbers: splitmix64, deterministic for a seed (no clock, no
//! thread RNG).

/// The generator's state.
#[derive(Clone)]
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next() >> 32) * n as u64) >> 32) as usize
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True `percent` times out of 100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// One item, all equally likely.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// One item, the first ones much more likely (roughly Zipf-like, as
    /// words are in a text).
    pub fn skewed<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        let i = ((u * u * u) * items.len() as f64) as usize;
        &items[i.min(items.len() - 1)]
    }

    /// A generator for a sub-task, so that adding draws to one part of the
    /// corpus does not shift every other part.
    pub fn fork(&mut self) -> Rng {
        Rng(self.next())
    }
}

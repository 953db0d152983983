//! A seeded pseudo-random generator for tests (Knuth's MMIX LCG): the same
//! seed gives the same sequence, so a failing case can be replayed.

/// A 64-bit linear congruential generator.
pub(crate) struct Lcg(u64);

impl Lcg {
    /// A generator starting from `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Lcg(seed)
    }

    /// The next 64 bits (the whole state: low bits are weak).
    pub(crate) fn bits(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0
    }

    /// A number in `0..m` (`0` when `m` is 0), from the high bits.
    pub(crate) fn below(&mut self, m: usize) -> usize {
        (self.bits() >> 33) as usize % m.max(1)
    }

    /// A number in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.bits() >> 11) as f64 / (1u64 << 53) as f64
    }
}

//! A small deterministic generator (SplitMix64) for test and benchmark data,
//! shared by `tests/it` and `benches/` (included with `#[path]`).

/// SplitMix64.
pub struct Rng(pub u64);

impl Rng {
    /// Next value in [0, 1).
    pub fn f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Next integer in [0, n).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.f64() * n as f64) as usize).min(n - 1)
    }
}

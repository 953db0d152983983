//! Tobler's hiking function (Tobler 1993): walking speed on a slope,
//! `v = 6·exp(−3.5·|s + 0.05|)` km/h for a slope `s = dh/dx` (rise over
//! horizontal run, signed in the direction of travel). It peaks at 6 km/h
//! on a 5 % descent and gives 5.04 km/h on the flat.
//!
//! The engine keeps each profile's configured flat speed and uses Tobler's
//! function as a ratio to the flat: [`factor`] `= v(s) / v(0) =
//! exp(3.5·0.05 − 3.5·|s + 0.05|)`, exactly 1 on the flat. So a walk
//! profile's `offroad_kmh = 3.5` (Tobler's own off-path 0.6 × 5.04 km/h
//! ≈ 3.0, the engine's default a little faster) walks at 3.5 km/h on flat
//! ground with or without a DEM, at 3.5 × 0.350 = 1.22 km/h up a 30 %
//! slope and 3.5 × 0.497 = 1.74 km/h down it.

/// Tobler's speed (km/h) on slope `s` (dh/dx, dimensionless).
pub fn speed_kmh(s: f64) -> f64 {
    6.0 * (-3.5 * (s + 0.05).abs()).exp()
}

/// Tobler's speed on slope `s` relative to the flat (1 at `s = 0`).
pub fn factor(s: f64) -> f64 {
    (3.5 * 0.05 - 3.5 * (s + 0.05).abs()).exp()
}

/// The largest [`factor`] (at a 5 % descent): `exp(0.175)`. Bounds how far
/// a trip can get in a given time.
pub fn max_factor() -> f64 {
    (3.5_f64 * 0.05).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tobler_by_hand() {
        assert_eq!(factor(0.0), 1.0);
        assert!((speed_kmh(0.0) - 5.0367).abs() < 1e-4);
        assert!((speed_kmh(-0.05) - 6.0).abs() < 1e-12);
        // 30 % up: 6·e^(−1.225) = 1.7625 km/h; down: 6·e^(−0.875) = 2.5012.
        assert!((speed_kmh(0.3) - 1.7625).abs() < 1e-4);
        assert!((speed_kmh(-0.3) - 2.5012).abs() < 1e-4);
        assert!((factor(0.3) - (-1.05f64).exp()).abs() < 1e-15);
        assert!((factor(-0.3) - (-0.7f64).exp()).abs() < 1e-15);
        assert!(factor(-0.05) == max_factor());
    }
}

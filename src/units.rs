//! Unit newtypes: lengths in metres, durations in seconds or minutes, people.
//!
//! Values cross module borders in these types so that a distance can never be
//! added to a time by accident. All are thin `f64` wrappers with explicit
//! conversions; arithmetic stays inside the modules that own a formula.

use serde::Serialize;

/// A length in metres.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default, Serialize)]
pub struct Meters(pub f64);

/// A duration in seconds.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default, Serialize)]
pub struct Seconds(pub f64);

/// A speed in kilometres per hour, as speed tables are written.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
pub struct KmPerHour(pub f64);

/// A number of people (fractional after allocation of zone totals).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default, Serialize)]
pub struct Population(pub f64);

impl Population {
    /// The largest population one settlement may have: 10⁹ people. A larger
    /// figure is an input error (and would overflow sums and ratios).
    pub const MAX_SETTLEMENT: f64 = 1e9;
    /// The largest census total of one zone: 10¹⁰ people.
    pub const MAX_ZONE: f64 = 1e10;

    /// `v` as a population when it is finite and in `[0, max]`; otherwise
    /// why not, in words.
    pub fn checked(v: f64, max: f64) -> Result<Population, String> {
        if !v.is_finite() {
            Err(format!("population {v} is not a finite number"))
        } else if v < 0.0 {
            Err(format!("negative population {v}"))
        } else if v > max {
            Err(format!("population {v} is out of range (0 to {max:e})"))
        } else {
            Ok(Population(v))
        }
    }
}

/// The largest capacity of one facility (beds, pupils, m³…): 10⁹. A larger
/// figure is an input error (and would overflow ratios).
pub const MAX_CAPACITY: f64 = 1e9;

impl Seconds {
    /// The duration in minutes.
    pub fn minutes(self) -> f64 {
        self.0 / 60.0
    }
}

impl KmPerHour {
    /// Time to cover `dist` at this speed: `t = d / (v / 3.6)` seconds.
    pub fn time_for(self, dist: Meters) -> Seconds {
        Seconds(dist.0 / (self.0 / 3.6))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_for_distance() {
        // 5 km at 5 km/h is one hour.
        assert_eq!(KmPerHour(5.0).time_for(Meters(5000.0)), Seconds(3600.0));
        assert_eq!(Seconds(90.0).minutes(), 1.5);
    }
}

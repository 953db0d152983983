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

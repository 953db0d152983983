//! Coverage at several thresholds in one run.
//!
//! Settlement `i` is covered at threshold `T` (minutes) when its trip to the
//! nearest facility takes `t_i ≤ T`; a settlement without a trip is not
//! covered, one with an invalid location is unknown (`None`). Population
//! covered at `T` is `Σ_{i covered} P_i`, not covered `Σ_{i not covered} P_i`
//! (settlements with an unknown state count in neither).

use serde::Serialize;

use crate::search::access::{Access, Status};

/// Covered flags at each threshold: `[threshold][settlement]`.
pub fn flags(access: &[Access], thresholds_min: &[f64]) -> Vec<Vec<Option<bool>>> {
    thresholds_min
        .iter()
        .map(|&t| {
            access
                .iter()
                .map(|a| match a.status {
                    Status::InvalidLocation => None,
                    _ => Some(a.time.is_some_and(|s| s.minutes() <= t)),
                })
                .collect()
        })
        .collect()
}

/// Population covered and not covered at one threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Covered {
    /// Threshold, minutes.
    pub threshold_min: f64,
    /// People within it.
    pub covered: f64,
    /// People beyond it (or without a trip).
    pub not_covered: f64,
}

/// Population totals of `members` (settlement indices) at each threshold.
pub fn totals(
    flags: &[Vec<Option<bool>>],
    thresholds_min: &[f64],
    population: &[f64],
    members: impl Iterator<Item = usize> + Clone,
) -> Vec<Covered> {
    flags
        .iter()
        .zip(thresholds_min)
        .map(|(f, &t)| {
            let (mut covered, mut not_covered) = (0.0, 0.0);
            for i in members.clone() {
                match f[i] {
                    Some(true) => covered += population[i],
                    Some(false) => not_covered += population[i],
                    None => {}
                }
            }
            Covered {
                threshold_min: t,
                covered,
                not_covered,
            }
        })
        .collect()
}

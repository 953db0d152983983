//! Gravity remoteness in the form of Statistics Canada's Index of Remoteness
//! (Alasia et al. 2017, *Measuring remoteness and accessibility: a set of
//! indices for Canadian communities*).
//!
//! Population centres `j` (settlements with at least a configured
//! population) have population `P_j` (people); `c_ij` is the travel cost
//! from settlement `i` to centre `j` (minutes), `c₀` the cutoff (the radius
//! of daily interaction) and `f` the cost floor (minutes; a settlement's own
//! centre is reached at cost 0, which would weigh infinitely).
//!
//! * **Accessibility** (a gravity sum):
//!   `G_i = Σ_{j: c_ij ≤ c₀} P_j / max(c_ij, f)` (people per minute); when no
//!   centre is within `c₀`, the nearest one alone counts:
//!   `G_i = P_{j*} / max(c_ij*, f)`. No centre reachable at all: `None`.
//! * **Index** (0 = least remote, 1 = most remote): min–max rescaling over
//!   the run's settlements, by default of the logarithm (the gravity sum
//!   spans orders of magnitude):
//!   `IR_i = (ln G_max − ln G_i) / (ln G_max − ln G_min)`; with
//!   [`Transform::Linear`], `IR_i = (G_max − G_i) / (G_max − G_min)`. When
//!   every `G_i` is equal, `IR_i = 0`.

use super::fca::Pairs;
/// How the gravity sum is rescaled to the index: the setting itself.
pub use crate::config::GravityTransform as Transform;

/// The gravity sum `G_i` of every settlement.
///
/// `pairs` lists settlement → centre costs (centres as the "facilities"),
/// `centre_pop[j]` is `P_j`, `nearest[i]` is settlement `i`'s nearest centre
/// and its cost, if any (the fallback).
pub fn accessibility(
    pairs: &Pairs,
    centre_pop: &[f64],
    cutoff: f64,
    floor: f64,
    nearest: &[Option<(usize, f64)>],
) -> Vec<Option<f64>> {
    assert_eq!(nearest.len(), pairs.settlements());
    let mut g: Vec<Option<f64>> = vec![None; pairs.settlements()];
    for (i, j, c) in pairs.iter() {
        if c <= cutoff {
            *g[i].get_or_insert(0.0) += centre_pop[j] / c.max(floor);
        }
    }
    for (gi, near) in g.iter_mut().zip(nearest) {
        if gi.is_none() {
            *gi = near.map(|(j, c)| centre_pop[j] / c.max(floor));
        }
    }
    g
}

/// The index `IR_i` from the gravity sums (see the module docs); `None`
/// where the sum is `None` or not positive.
pub fn index(g: &[Option<f64>], transform: Transform) -> Vec<Option<f64>> {
    let f = |x: f64| match transform {
        Transform::Log => x.ln(),
        Transform::Linear => x,
    };
    let vals = || g.iter().flatten().filter(|x| **x > 0.0).map(|x| f(*x));
    let (Some(lo), Some(hi)) = (vals().reduce(f64::min), vals().reduce(f64::max)) else {
        return vec![None; g.len()];
    };
    g.iter()
        .map(|x| {
            x.filter(|x| *x > 0.0).map(|x| {
                if hi > lo {
                    (hi - f(x)) / (hi - lo)
                } else {
                    0.0
                }
            })
        })
        .collect()
}

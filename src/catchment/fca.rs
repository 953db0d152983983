//! Floating catchment area (FCA) methods on a sparse cost list.
//!
//! Symbols: settlements (demand sites) `i` with demand `P_i` (people);
//! facilities (supply sites) `j` with capacity `S_j` (beds, doctors,
//! classrooms… or 1 per facility); the travel cost `c_ij` of the pair, in the
//! unit of the cutoff `c₀` and of the weight function `w` (minutes in the
//! engine; any unit in the published test cases). Only pairs in the
//! [`Pairs`] list exist: a pair that is not listed is out of reach.
//!
//! The definitions are those of PySAL `access` (`access/fca.py`,
//! `access/weights.py`, version 1.1.10), so that both give the same numbers
//! on the same costs:
//!
//! * **2SFCA** (Luo & Wang 2003), with `w ≡ 1`; **E2SFCA** (Luo & Qi 2009),
//!   with step weights; **G2SFCA** (gravity-weighted), with power or
//!   Gaussian decay. Step 1, demand seen by each facility:
//!   `D_j = Σ_{i: c_ij ≤ c₀} P_i · w(c_ij)`, and its supply-to-demand ratio
//!   `R_j = S_j / D_j`. Step 2, accessibility of each settlement:
//!   `A_i = Σ_{j: c_ij ≤ c₀} R_j · w(c_ij)` (capacity per person).
//! * **3SFCA** (Wan, Zou & Sternberg 2012) adds selection weights
//!   `G_ij = w(c_ij) / Σ_k w(c_ik)`, the sum running over *every* listed pair
//!   of settlement `i` (PySAL sums over its whole cost table, cutoff or not):
//!   `D_j = Σ_{i: c_ij ≤ c₀} P_i · G_ij · w(c_ij)`, `R_j = S_j / D_j`,
//!   `A_i = Σ_{j: c_ij ≤ c₀} R_j · G_ij · w(c_ij)`.
//!
//! The cutoff is inclusive (`≤`), as in PySAL. Where PySAL's table joins give
//! NaN or infinity this module gives `None`: `A_i` is `None` when no pair of
//! `i` is within the cutoff (PySAL: NaN); `R_j` is `None` when no pair of `j`
//! is within the cutoff or `D_j < 10⁻⁹` people ([`MIN_DEMAND`]; PySAL: the
//! facility drops out, or `S_j / 0`, or a ratio that overflows), and such a
//! facility adds nothing to any `A_i`; a settlement
//! whose weights sum to 0 has `G_ij = 0` (PySAL: 0/0).
//!
//! Whatever the weights, `Σ_i P_i · A_i = Σ_{j: R_j defined} S_j`: every unit
//! of capacity within reach of some demand is shared out exactly once.

/// The smallest demand `D_j` (people) a facility ratio is computed for.
pub const MIN_DEMAND: f64 = 1e-9;

/// Sparse costs between `settlements` demand sites and facilities, grouped
/// by facility (compressed rows): never a dense settlements × facilities
/// matrix.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pairs {
    settlements: usize,
    first: Vec<usize>,
    settlement: Vec<u32>,
    cost: Vec<f64>,
}

impl Pairs {
    /// Builds the list from `(settlement, facility, cost)` triples; the order
    /// of the triples does not matter (rows are sorted by facility, then
    /// settlement). A repeated pair keeps its least cost.
    ///
    /// # Panics
    /// When a triple names a settlement or facility out of range (a caller's
    /// bug, never input data).
    pub fn from_triples(
        settlements: usize,
        facilities: usize,
        mut triples: Vec<(u32, u32, f64)>,
    ) -> Self {
        triples.sort_by(|a, b| (a.1, a.0).cmp(&(b.1, b.0)).then(a.2.total_cmp(&b.2)));
        triples.dedup_by(|later, kept| later.0 == kept.0 && later.1 == kept.1);
        let mut first = vec![0usize; facilities + 1];
        for t in &triples {
            assert!((t.0 as usize) < settlements && (t.1 as usize) < facilities);
            first[t.1 as usize + 1] += 1;
        }
        for j in 0..facilities {
            first[j + 1] += first[j];
        }
        Pairs {
            settlements,
            first,
            settlement: triples.iter().map(|t| t.0).collect(),
            cost: triples.iter().map(|t| t.2).collect(),
        }
    }

    /// Builds the list from per-facility rows `(settlement, cost)`, each
    /// sorted by settlement (as the bounded searches give them).
    pub fn from_rows(settlements: usize, rows: Vec<Vec<(u32, f64)>>) -> Self {
        let mut first = Vec::with_capacity(rows.len() + 1);
        first.push(0);
        let total = rows.iter().map(Vec::len).sum();
        let (mut settlement, mut cost) = (Vec::with_capacity(total), Vec::with_capacity(total));
        for row in rows {
            for (i, c) in row {
                settlement.push(i);
                cost.push(c);
            }
            first.push(settlement.len());
        }
        Pairs {
            settlements,
            first,
            settlement,
            cost,
        }
    }

    /// Number of demand sites.
    pub fn settlements(&self) -> usize {
        self.settlements
    }

    /// Number of facilities.
    pub fn facilities(&self) -> usize {
        self.first.len().saturating_sub(1)
    }

    /// Number of listed pairs.
    pub fn len(&self) -> usize {
        self.cost.len()
    }

    /// Whether no pair is listed.
    pub fn is_empty(&self) -> bool {
        self.cost.is_empty()
    }

    /// The pairs `(settlement, cost)` of facility `j`, by settlement.
    pub fn of_facility(&self, j: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        (self.first[j]..self.first[j + 1]).map(|k| (self.settlement[k] as usize, self.cost[k]))
    }

    /// Every pair as `(settlement, facility, cost)`, by facility then settlement.
    pub fn iter(&self) -> impl Iterator<Item = (usize, usize, f64)> + '_ {
        (0..self.facilities()).flat_map(move |j| self.of_facility(j).map(move |(i, c)| (i, j, c)))
    }
}

/// Distance-decay weight `w(c)` of a pair with cost `c` (PySAL
/// `access.weights`).
#[derive(Debug, Clone, PartialEq)]
pub enum Decay {
    /// `w = 1`: the plain 2SFCA.
    Uniform,
    /// Step weights (E2SFCA): `w = weights[k]` for the first zone `k` (in
    /// ascending `bounds`) with `c ≤ bounds[k]`, and 0 beyond the last
    /// (PySAL `step_fn`).
    Step {
        /// Upper bounds of the zones, ascending.
        bounds: Vec<f64>,
        /// Weight of each zone.
        weights: Vec<f64>,
    },
    /// Power decay `w = (max(c, floor) / scale)^exponent` (PySAL
    /// `gravity(scale, alpha, min_dist)`; decay needs `exponent < 0`).
    Power {
        /// `alpha`.
        exponent: f64,
        /// `s`, in the cost's unit.
        scale: f64,
        /// `x_min`, in the cost's unit: costs below count as this.
        floor: f64,
    },
    /// Gaussian decay `w = exp(-c² / (2σ²))`, unnormalised so `w(0) = 1`
    /// (PySAL `gaussian(sigma)`).
    Gaussian {
        /// `σ`, in the cost's unit.
        sigma: f64,
    },
}

impl Decay {
    /// The weight of a pair with cost `c`.
    pub fn weight(&self, c: f64) -> f64 {
        match self {
            Decay::Uniform => 1.0,
            Decay::Step { bounds, weights } => bounds
                .iter()
                .zip(weights)
                .find(|(b, _)| c <= **b)
                .map_or(0.0, |(_, w)| *w),
            Decay::Power {
                exponent,
                scale,
                floor,
            } => (c.max(*floor) / scale).powf(*exponent),
            Decay::Gaussian { sigma } => (-c * c / (2.0 * sigma * sigma)).exp(),
        }
    }
}

/// Result of a floating catchment computation.
#[derive(Debug, Clone, PartialEq)]
pub struct Fca {
    /// `A_i` per settlement (capacity per person); `None` when no facility
    /// is within the cutoff.
    pub access: Vec<Option<f64>>,
    /// `R_j` per facility (capacity per person); `None` when no demand is
    /// within its cutoff.
    pub ratio: Vec<Option<f64>>,
    /// `D_j` per facility: weighted demand within the cutoff (people).
    pub demand: Vec<f64>,
}

/// Whether a pair of cost `c` lies within `cutoff` (`None`: no cutoff).
fn within(c: f64, cutoff: Option<f64>) -> bool {
    cutoff.is_none_or(|c0| c <= c0)
}

/// 2SFCA, E2SFCA or G2SFCA, as the `decay` says (see the module docs).
///
/// `demand[i]` is `P_i`, `supply[j]` is `S_j`; `cutoff` is `c₀` (`None`: every
/// listed pair counts, as PySAL's `max_cost=None`).
pub fn two_step(
    pairs: &Pairs,
    demand: &[f64],
    supply: &[f64],
    cutoff: Option<f64>,
    decay: &Decay,
) -> Fca {
    stepped(pairs, demand, supply, cutoff, decay, None)
}

/// 3SFCA (see the module docs).
pub fn three_step(
    pairs: &Pairs,
    demand: &[f64],
    supply: &[f64],
    cutoff: Option<f64>,
    decay: &Decay,
) -> Fca {
    let mut wsum = vec![0.0; pairs.settlements()];
    for (i, _, c) in pairs.iter() {
        wsum[i] += decay.weight(c);
    }
    stepped(pairs, demand, supply, cutoff, decay, Some(&wsum))
}

/// The two steps, with 3SFCA's selection weights when `wsum` (per
/// settlement `Σ_k w(c_ik)`) is given.
fn stepped(
    pairs: &Pairs,
    demand: &[f64],
    supply: &[f64],
    cutoff: Option<f64>,
    decay: &Decay,
    wsum: Option<&[f64]>,
) -> Fca {
    assert_eq!(demand.len(), pairs.settlements());
    assert_eq!(supply.len(), pairs.facilities());
    // Effective weight of a pair: w, or G·w for 3SFCA.
    let weight = |i: usize, c: f64| {
        let w = decay.weight(c);
        match wsum {
            None => w,
            Some(s) if s[i] > 0.0 => w / s[i] * w,
            Some(_) => 0.0,
        }
    };
    let nf = pairs.facilities();
    let mut d = vec![0.0; nf];
    let mut ratio = vec![None; nf];
    for (j, dj) in d.iter_mut().enumerate() {
        let mut any = false;
        for (i, c) in pairs.of_facility(j) {
            if within(c, cutoff) {
                any = true;
                *dj += demand[i] * weight(i, c);
            }
        }
        // Below a billionth of a person the ratio is not a measure (and
        // could overflow): such a facility has no demand.
        if any && *dj >= MIN_DEMAND {
            ratio[j] = Some(supply[j] / *dj);
        }
    }
    let mut access: Vec<Option<f64>> = vec![None; pairs.settlements()];
    for (i, j, c) in pairs.iter() {
        if within(c, cutoff) {
            let add = ratio[j].map_or(0.0, |r| r * weight(i, c));
            *access[i].get_or_insert(0.0) += add;
        }
    }
    Fca {
        access,
        ratio,
        demand: d,
    }
}

/// PySAL's `weighted_catchment`: per settlement, the weighted supply within
/// the cutoff, `Σ_{j: c_ij ≤ c₀} S_j · w(c_ij)`; `None` when no pair is
/// within it. (Step 1 of the FCA methods, seen from the demand side.)
pub fn weighted_supply(
    pairs: &Pairs,
    supply: &[f64],
    cutoff: Option<f64>,
    decay: &Decay,
) -> Vec<Option<f64>> {
    let mut out: Vec<Option<f64>> = vec![None; pairs.settlements()];
    for (i, j, c) in pairs.iter() {
        if within(c, cutoff) {
            *out[i].get_or_insert(0.0) += supply[j] * decay.weight(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_weights_follow_pysal_step_fn() {
        // PySAL's docstring: step_fn({20: 1, 40: 0.68, 60: 0.22}) at 0..70 by 10.
        let d = Decay::Step {
            bounds: vec![20.0, 40.0, 60.0],
            weights: vec![1.0, 0.68, 0.22],
        };
        let got: Vec<f64> = (0..8).map(|k| d.weight(10.0 * k as f64)).collect();
        assert_eq!(got, [1.0, 1.0, 1.0, 0.68, 0.68, 0.22, 0.22, 0.0]);
    }

    #[test]
    fn power_and_gaussian_follow_pysal() {
        // PySAL's docstrings: gravity(scale=20, alpha=-2, min_dist=1) and gaussian(sigma=20).
        let g = Decay::Power {
            exponent: -2.0,
            scale: 20.0,
            floor: 1.0,
        };
        let r = |x: f64| (x * 100.0).round() / 100.0;
        let got: Vec<f64> = [0.0, 1.0, 2.0, 20.0, 40.0, 60.0]
            .iter()
            .map(|&t| r(g.weight(t)))
            .collect();
        assert_eq!(got, [400.0, 400.0, 100.0, 1.0, 0.25, 0.11]);
        let n = Decay::Gaussian { sigma: 20.0 };
        assert_eq!(n.weight(0.0), 1.0);
        assert!((n.weight(20.0) - 0.6065306597126334).abs() < 1e-15);
        assert!((n.weight(60.0) - 0.011108996538242306).abs() < 1e-15);
    }

    #[test]
    fn repeated_pairs_keep_the_least_cost() {
        let p = Pairs::from_triples(2, 2, vec![(1, 0, 5.0), (0, 1, 2.0), (1, 0, 3.0)]);
        let all: Vec<_> = p.iter().collect();
        assert_eq!(all, [(1, 0, 3.0), (0, 1, 2.0)]);
    }
}

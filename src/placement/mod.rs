//! Placement: where the next `k` facilities of a service should go.
//!
//! The problem ([`Problem`]) is stated on settlements and candidate sites
//! only, and knows nothing of networks or files: each settlement `i` has a
//! weight `p_i` (people) and a current trip time `b_i` (minutes; `∞` when no
//! facility is reachable), and each candidate `c` a sparse row of trip times
//! `t_ic` to the settlements it reaches within the search cutoff. With a set
//! `S` of chosen sites a settlement's time is `d_i(S) = min(b_i, min_{c∈S}
//! t_ic)`, and the objective is `Σ_i p_i u(d_i(S))` for a utility `u` that
//! does not increase with time ([`Objective`]):
//!
//! * **coverage** (MCLP): `u(d) = 1` when `d ≤ T` (the service's threshold),
//!   else 0 — people within the threshold;
//! * **median** (p-median, as time saved): `u(d) = −min(d, U)`, `U` the
//!   search cutoff — minus the population-weighted trip time, times beyond
//!   `U` counted as `U`.
//!
//! Both are monotone submodular in `S` (a facility-location function), so
//! the greedy choice is within `1 − 1/e` of the optimum, and lazy
//! evaluation (`greedy`) keeps it cheap: a candidate's gain can only fall
//! as sites are added. A swap pass (`interchange`, Teitz–Bart) then
//! exchanges chosen and unchosen sites while the objective improves; the
//! [`Solution`] carries the greedy online upper bound on the optimum, and
//! `exact` gives the true optimum of small instances (brute force, and a
//! MILP through `microlp` for coverage).

pub mod center;
pub mod exact;
pub mod flow;
pub mod greedy;
pub mod interchange;
pub mod request;
pub mod study;

use serde::Serialize;
use thiserror::Error;

/// What the sites should maximise.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// People within `threshold_min` of a facility (MCLP).
    Coverage {
        /// The service's threshold, minutes.
        threshold_min: f64,
    },
    /// Population-weighted minutes saved (p-median), times capped at
    /// `cap_min`.
    Median {
        /// Times beyond this count as this (minutes).
        cap_min: f64,
    },
    /// The longest trip of anyone (p-center), times capped at `cap_min`;
    /// solved by [`center`], not by the sum-of-utilities machinery.
    Center {
        /// Times beyond this count as this (minutes).
        cap_min: f64,
    },
    /// People served within `threshold_min` when each facility serves at
    /// most its capacity ([`flow`]; the problem's `capacities`).
    Capacity {
        /// The service's threshold, minutes.
        threshold_min: f64,
    },
}

impl Objective {
    /// The utility of a trip of `d` minutes for one person.
    pub fn utility(self, d: f64) -> f64 {
        match self {
            Objective::Coverage { threshold_min } | Objective::Capacity { threshold_min } => {
                if d <= threshold_min {
                    1.0
                } else {
                    0.0
                }
            }
            Objective::Median { cap_min } | Objective::Center { cap_min } => -d.min(cap_min),
        }
    }

    /// The unit of the objective's values, for titles and messages.
    pub fn unit(self) -> &'static str {
        match self {
            Objective::Coverage { .. } => "people",
            Objective::Capacity { .. } => "people served",
            Objective::Median { .. } => "person-minutes saved",
            Objective::Center { .. } => "minutes (minus the longest trip)",
        }
    }

    /// `run.json` / CLI name.
    pub fn as_str(self) -> &'static str {
        match self {
            Objective::Coverage { .. } => "coverage",
            Objective::Capacity { .. } => "capacity",
            Objective::Median { .. } => "median",
            Objective::Center { .. } => "center",
        }
    }
}

/// A placement problem (see the module docs).
#[derive(Debug, Clone)]
pub struct Problem {
    /// Weight (people) per settlement.
    pub weight: Vec<f64>,
    /// Current trip time per settlement, minutes (`f64::INFINITY`: none).
    pub current: Vec<f64>,
    /// Per candidate, `(settlement, minutes)` pairs within the search cutoff.
    pub rows: Vec<Vec<(u32, f64)>>,
    /// Cost per candidate (1 each when choosing `k` sites).
    pub cost: Vec<f64>,
    /// Zone per candidate, for the one-site-per-zone rule.
    pub zone: Vec<Option<usize>>,
    /// The objective.
    pub objective: Objective,
    /// Capacities of the existing facilities and the sites (the capacity
    /// objective only).
    pub capacities: Option<flow::Capacities>,
}

/// How many sites, and the planners' rules.
#[derive(Debug, Clone, Default)]
pub struct Limits {
    /// At most this many sites.
    pub k: usize,
    /// At most this total cost (`None`: only `k`).
    pub budget: Option<f64>,
    /// Each site must newly serve (coverage: bring within the threshold;
    /// median: save time for) at least this many people when chosen.
    pub min_people: f64,
    /// First one site in each of these zones (the best there), then the rest.
    pub zones_first: Vec<usize>,
}

/// One chosen site.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Site {
    /// Candidate index.
    pub candidate: usize,
    /// Objective gained when it was added (people for coverage,
    /// person-minutes for median).
    pub gain: f64,
    /// Objective after it was added.
    pub cumulative: f64,
    /// People it newly serves when added (coverage: brought within the
    /// threshold; median: whose trip it shortens).
    pub people: f64,
}

/// A placement.
#[derive(Debug, Clone, Serialize)]
pub struct Solution {
    /// Sites in the order chosen (after interchange, the swapped-in sites
    /// take the place of those they replace, and gains are recomputed in
    /// that order).
    pub sites: Vec<Site>,
    /// Objective with no new site.
    pub base: f64,
    /// Objective with the sites.
    pub value: f64,
    /// Greedy online upper bound on the best value with as many sites
    /// (Minoux): `value(S_j) + Σ of the k largest gains against S_j`,
    /// the least over the greedy steps `j`. `None` with a budget.
    pub upper_bound: Option<f64>,
    /// Swaps the interchange pass made.
    pub swaps: usize,
    /// The first `forced` sites were placed by the one-site-per-zone rule
    /// (kept by the interchange).
    pub forced: usize,
    /// Whether the value is proven optimal (by the exact MILP, or by
    /// meeting the upper bound).
    pub optimal: bool,
}

impl Solution {
    /// Whether the value meets the upper bound (to rounding): then it is
    /// optimal, and no swap or restart can improve it.
    pub fn reaches_bound(&self) -> bool {
        self.upper_bound
            .is_some_and(|ub| self.value >= ub - 1e-9 * ub.abs().max(1.0))
    }

    /// The gap to the upper bound as a share of the gain over the base
    /// (0 = proven optimal).
    pub fn gap(&self) -> Option<f64> {
        let ub = self.upper_bound?;
        let gain = ub - self.base;
        Some(if gain > 0.0 {
            ((ub - self.value) / gain).max(0.0)
        } else {
            0.0
        })
    }
}

/// A placement that cannot be made.
#[derive(Debug, Error, PartialEq)]
pub enum PlacementError {
    /// No candidate at all.
    #[error("no candidate site")]
    NoCandidate,
    /// Asked for nothing.
    #[error("k must be at least 1")]
    ZeroK,
    /// More sites than candidates.
    #[error("k = {k} is more than the {candidates} candidate sites")]
    TooManySites {
        /// Asked.
        k: usize,
        /// Available.
        candidates: usize,
    },
    /// No candidate fits the budget.
    #[error("no candidate costs at most the budget {budget} (cheapest: {cheapest})")]
    Budget {
        /// Budget.
        budget: f64,
        /// Cheapest candidate.
        cheapest: f64,
    },
    /// A rule the objective does not support.
    #[error("the {objective} objective takes only k: {rule} does not apply to it")]
    Unsupported {
        /// Objective.
        objective: &'static str,
        /// The rule given.
        rule: &'static str,
    },
    /// The zone rule needs more sites than allowed.
    #[error("one site per zone needs {zones} sites, more than k = {k}: raise k or set `one_per_zone = false`")]
    ZonesExceedK {
        /// Zones to serve.
        zones: usize,
        /// Asked.
        k: usize,
    },
}

/// Per-settlement state of a set of chosen sites: each settlement's best
/// time and which site (or `None`: the current facilities) gives it; with
/// capacities, the flow of people to the open facilities.
#[derive(Debug, Clone)]
pub(crate) struct State {
    pub best: Vec<f64>,
    pub by: Vec<Option<usize>>,
    pub flow: Option<flow::Flow>,
}

impl State {
    pub fn new(p: &Problem) -> Self {
        State {
            best: p.current.clone(),
            by: vec![None; p.current.len()],
            flow: capacities(p).map(|caps| flow::Flow::new(p, caps)),
        }
    }

    /// The objective of this state.
    pub fn value(&self, p: &Problem) -> f64 {
        if let Some(f) = &self.flow {
            return f.value();
        }
        self.best
            .iter()
            .zip(&p.weight)
            .map(|(&d, &w)| w * p.objective.utility(d))
            .sum()
    }

    /// The objective gained by adding `c`, and the people it newly serves
    /// (the state is left as it was).
    pub fn gain(&mut self, p: &Problem, c: usize) -> (f64, f64) {
        if let (Some(f), Some(caps)) = (self.flow.as_mut(), capacities(p)) {
            let g = f.gain(p, caps, c);
            return (g, g);
        }
        self.time_gain(p, c)
    }

    /// A worker's handle for trying candidates in parallel: the state
    /// itself when gains only read it, a copy of the flow otherwise.
    pub fn trial(&self) -> Trial<'_> {
        match &self.flow {
            Some(f) => Trial::Flow(Box::new(f.clone())),
            None => Trial::Times(self),
        }
    }

    /// [`State::gain`] for the objectives of trip times (no flow).
    fn time_gain(&self, p: &Problem, c: usize) -> (f64, f64) {
        let (mut gain, mut people) = (0.0, 0.0);
        for &(i, t) in &p.rows[c] {
            let i = i as usize;
            let d = self.best[i];
            if t < d {
                let g = p.weight[i] * (p.objective.utility(t) - p.objective.utility(d));
                if g > 0.0 {
                    gain += g;
                    people += p.weight[i];
                }
            }
        }
        (gain, people)
    }

    /// Adds site `c`.
    pub fn add(&mut self, p: &Problem, c: usize) {
        if let (Some(f), Some(caps)) = (self.flow.as_mut(), capacities(p)) {
            f.add(p, caps, c);
        }
        for &(i, t) in &p.rows[c] {
            let i = i as usize;
            if t < self.best[i] {
                self.best[i] = t;
                self.by[i] = Some(c);
            }
        }
    }

    /// The state of `sites` added in order.
    pub fn of(p: &Problem, sites: &[usize]) -> Self {
        let mut s = State::new(p);
        for &c in sites {
            s.add(p, c);
        }
        s
    }
}

/// See [`State::trial`].
pub(crate) enum Trial<'a> {
    /// Gains read the state.
    Times(&'a State),
    /// Gains augment and undo this copy of the flow.
    Flow(Box<flow::Flow>),
}

impl Trial<'_> {
    /// As [`State::gain`].
    pub fn gain(&mut self, p: &Problem, c: usize) -> (f64, f64) {
        match self {
            Trial::Times(s) => s.time_gain(p, c),
            // A flow exists only with capacities (see `State::new`).
            Trial::Flow(f) => capacities(p).map_or((0.0, 0.0), |caps| {
                let g = f.gain(p, caps, c);
                (g, g)
            }),
        }
    }
}

/// The capacities, when the objective uses them.
fn capacities(p: &Problem) -> Option<&flow::Capacities> {
    match p.objective {
        Objective::Capacity { .. } => p.capacities.as_ref(),
        _ => None,
    }
}

/// `sites` without the one at `pos`.
pub(crate) fn without(sites: &[usize], pos: usize) -> Vec<usize> {
    sites
        .iter()
        .enumerate()
        .filter(|&(q, _)| q != pos)
        .map(|(_, &c)| c)
        .collect()
}

/// The objective of choosing `sites` (the slow, obvious definition; with
/// capacities, the assignment solved as a linear programme).
pub fn evaluate(p: &Problem, sites: &[usize]) -> f64 {
    if capacities(p).is_some() {
        return exact::capacity_value(p, sites).unwrap_or(f64::NAN);
    }
    (0..p.weight.len())
        .map(|i| {
            let d = sites
                .iter()
                .flat_map(|&c| p.rows[c].iter().filter(|&&(j, _)| j as usize == i))
                .map(|&(_, t)| t)
                .fold(p.current[i], f64::min);
            p.weight[i] * p.objective.utility(d)
        })
        .sum()
}

/// Runs of the multi-start search for the capacity objective (the plain
/// greedy and this many less one restarts).
pub const CAPACITY_STARTS: usize = 8;

/// Greedy (lazy) then interchange, with the bound; the sites' gains are
/// recomputed in their final order.
///
/// With capacities many sites tie at the first step (each serves its full
/// capacity) and which one comes first decides the rest: when the first
/// site filled its room, the search is run again from other first sites
/// ([`CAPACITY_STARTS`] in all, see `restart_sites`) and the best answer
/// kept (ties to the earlier run); the bound is the least of the runs'
/// bounds, each valid on its own. A run
/// whose value meets its bound is optimal: no swap or restart follows.
pub fn solve(p: &Problem, limits: &Limits) -> Result<Solution, PlacementError> {
    if let Objective::Center { cap_min } = p.objective {
        return center::solve(p, limits, cap_min);
    }
    let mut best = greedy_then_swaps(p, limits, None)?;
    // Restarts pay when the rooms bind: the first site filled its room
    // (else the ties that call for them do not arise).
    let filled = |sol: &Solution| {
        let first = sol.sites.first();
        let room = first.and_then(|s| Some(capacities(p)?.site_people[s.candidate]));
        matches!((first, room), (Some(s), Some(r)) if s.gain >= r - 1e-6 * r.max(1.0))
    };
    if matches!(p.objective, Objective::Capacity { .. })
        && limits.zones_first.is_empty()
        && !best.reaches_bound()
        && filled(&best)
    {
        let first = best.sites.first().map(|s| s.candidate);
        for c in restart_sites(p, limits, first, CAPACITY_STARTS - 1) {
            let run = greedy_then_swaps(p, limits, Some(c))?;
            let bound = match (best.upper_bound, run.upper_bound) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            if run.value > best.value + 1e-9 * best.value.abs().max(1.0) {
                best = run;
            }
            best.upper_bound = bound;
            if best.reaches_bound() {
                break;
            }
        }
    }
    best.optimal = best.reaches_bound();
    Ok(best)
}

/// One greedy run (from `start` when given) and its interchange pass.
fn greedy_then_swaps(
    p: &Problem,
    limits: &Limits,
    start: Option<usize>,
) -> Result<Solution, PlacementError> {
    let mut sol = greedy::greedy_from(p, limits, start)?;
    if sol.reaches_bound() {
        return Ok(sol);
    }
    let chosen: Vec<usize> = sol.sites.iter().map(|s| s.candidate).collect();
    let (improved, swaps) = interchange::interchange(p, limits, &chosen, sol.forced);
    sol.swaps = swaps;
    sol.sites = sites_in_order(p, &improved);
    sol.value = sol.sites.last().map_or(sol.base, |s| s.cumulative);
    Ok(sol)
}

/// Up to `count` first sites for restarts: by their gain alone (largest
/// first, ties to the lower index), each sharing at most half of its
/// settlements with `first` and every site already taken, so that the
/// restarts begin in different places.
fn restart_sites(p: &Problem, limits: &Limits, first: Option<usize>, count: usize) -> Vec<usize> {
    use rayon::prelude::*;
    let base = State::new(p);
    let mut gains: Vec<(f64, usize)> = (0..p.rows.len())
        .into_par_iter()
        .map_init(
            || base.trial(),
            |s, c| {
                let (gain, people) = s.gain(p, c);
                let ok = gain > 0.0
                    && people >= limits.min_people
                    && limits.budget.is_none_or(|b| p.cost[c] <= b);
                (if ok { gain } else { f64::NEG_INFINITY }, c)
            },
        )
        .collect();
    gains.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let members = |c: usize| -> std::collections::HashSet<u32> {
        p.rows[c].iter().map(|&(i, _)| i).collect()
    };
    let mut taken: Vec<std::collections::HashSet<u32>> = first.map(members).into_iter().collect();
    let mut out = Vec::new();
    for &(g, c) in &gains {
        if out.len() == count || g == f64::NEG_INFINITY {
            break;
        }
        if Some(c) == first {
            continue;
        }
        let row = &p.rows[c];
        let apart = taken.iter().all(|t| {
            let shared = row.iter().filter(|(i, _)| t.contains(i)).count();
            2 * shared <= row.len()
        });
        if apart {
            taken.push(members(c));
            out.push(c);
        }
    }
    out
}

/// The sites of `set` ordered greedily (the largest gain first, ties to
/// the lower index), with their gains: the order a planner builds them in.
pub fn greedy_order(p: &Problem, set: &[usize]) -> Vec<Site> {
    let mut left: Vec<usize> = set.to_vec();
    left.sort_unstable();
    let mut state = State::new(p);
    let mut order = Vec::with_capacity(left.len());
    while !left.is_empty() {
        let (at, _) = left
            .iter()
            .enumerate()
            .map(|(at, &c)| (at, state.gain(p, c).0))
            .fold(
                (0, f64::NEG_INFINITY),
                |best, x| if x.1 > best.1 { x } else { best },
            );
        let c = left.remove(at);
        state.add(p, c);
        order.push(c);
    }
    sites_in_order(p, &order)
}

/// The objective of choosing `sites`, computed incrementally (the fast
/// form of [`evaluate`]).
pub fn value_of(p: &Problem, sites: &[usize]) -> f64 {
    State::of(p, sites).value(p)
}

/// `sites` with their gains, people and running objective, in order.
pub fn sites_in_order(p: &Problem, sites: &[usize]) -> Vec<Site> {
    let mut state = State::new(p);
    let mut value = state.value(p);
    sites
        .iter()
        .map(|&c| {
            let (gain, people) = state.gain(p, c);
            state.add(p, c);
            value += gain;
            Site {
                candidate: c,
                gain,
                cumulative: value,
                people,
            }
        })
        .collect()
}

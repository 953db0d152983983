//! Teitz–Bart interchange: for each chosen site (after the first `fixed`,
//! which the zone rule placed), the best unchosen candidate to put in its
//! place, taken when it raises the objective; passes repeat until none
//! does. Each swap strictly improves the objective, so the pass never
//! worsens the greedy answer and always ends. The best swap is the largest
//! value, ties to the lower candidate index: the same at any thread count.

use rayon::prelude::*;

use super::{Limits, Problem, State};

/// Relative improvement below which a swap is not worth it (float noise).
const EPS: f64 = 1e-12;

/// Most passes over the sites.
const MAX_PASSES: usize = 50;

/// Candidates evaluated together (in parallel) before the bound is checked
/// again; the result does not depend on it.
const CHUNK: usize = 256;

/// Improves `sites` by swaps; returns them and the number of swaps.
///
/// Not every candidate is tried at every position: with `S` the sites and
/// `R = S − s` the rest, a candidate `c` can gain at most what it gains
/// alone (submodularity: `g(c | R) ≤ g(c | ∅)`) and at most what `s` gave
/// plus what it would still add to `S` (monotonicity: `f(R + c) ≤ f(S + c)`,
/// so `g(c | R) ≤ f(S) − f(R) + g(c | S)`). Candidates are tried in the
/// order of that bound, a chunk at a time, until the bound falls below the
/// best found: the same answer as trying them all.
pub fn interchange(
    p: &Problem,
    limits: &Limits,
    sites: &[usize],
    fixed: usize,
) -> (Vec<usize>, usize) {
    let mut sites = sites.to_vec();
    let mut swaps = 0;
    let n = p.rows.len();
    let alone = gains(p, &State::new(p), n);
    for _ in 0..MAX_PASSES {
        let mut improved = false;
        let mut full = State::of(p, &sites);
        let mut current = full.value(p);
        let mut beyond = gains(p, &full, n);
        for pos in fixed..sites.len() {
            let others = super::without(&sites, pos);
            let rest = State::of(p, &others);
            let rest_value = rest.value(p);
            let removed = current - rest_value;
            let spent: f64 = others.iter().map(|&c| p.cost[c]).sum();
            let mut order: Vec<(f64, usize)> = (0..n)
                .filter(|c| !sites.contains(c))
                .filter(|&c| limits.budget.is_none_or(|b| spent + p.cost[c] <= b))
                .map(|c| (alone[c].min(removed + beyond[c]), c))
                .collect();
            order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let slack = 1e-9 * current.abs().max(1.0);
            let gain_needed = current + EPS * current.abs().max(1.0);
            let mut best: Option<(usize, f64)> = None;
            // One trial state per worker for the whole position (a flow is
            // worth copying once, not once a chunk).
            let workers = rayon::current_num_threads().max(1);
            let mut trials = Vec::new();
            for chunk in order.chunks(CHUNK) {
                let reach = rest_value + chunk[0].0 + slack;
                if reach < best.map_or(gain_needed, |b| b.1) {
                    break;
                }
                if trials.is_empty() {
                    trials = (0..workers).map(|_| rest.trial()).collect();
                }
                let per = chunk.len().div_ceil(workers);
                let found = trials
                    .par_iter_mut()
                    .zip(chunk.par_chunks(per))
                    .filter_map(|(trial, part)| {
                        part.iter()
                            .filter_map(|&(_, c)| {
                                let (gain, people) = trial.gain(p, c);
                                (people >= limits.min_people).then_some((c, rest_value + gain))
                            })
                            .reduce(better)
                    })
                    .reduce_with(better);
                best = match (best, found) {
                    (Some(a), Some(b)) => Some(better(a, b)),
                    (a, b) => a.or(b),
                };
            }
            if let Some((c, v)) = best {
                if v > gain_needed {
                    sites[pos] = c;
                    swaps += 1;
                    improved = true;
                    full = State::of(p, &sites);
                    current = full.value(p);
                    beyond = gains(p, &full, n);
                }
            }
        }
        if !improved {
            break;
        }
    }
    (sites, swaps)
}

/// The larger value, ties to the lower candidate index.
fn better(a: (usize, f64), b: (usize, f64)) -> (usize, f64) {
    match a.1.total_cmp(&b.1) {
        std::cmp::Ordering::Less => b,
        std::cmp::Ordering::Greater => a,
        std::cmp::Ordering::Equal => {
            if a.0 < b.0 {
                a
            } else {
                b
            }
        }
    }
}

/// Every candidate's gain against `state` (in parallel).
fn gains(p: &Problem, state: &State, n: usize) -> Vec<f64> {
    (0..n)
        .into_par_iter()
        .map_init(|| state.trial(), |s, c| s.gain(p, c).0)
        .collect()
}

//! p-center: sites that make the longest trip of anyone as short as
//! possible (times capped at the search cutoff). Not submodular, so no
//! greedy guarantee: each step adds the site giving the smallest new
//! maximum, looking only at sites that reach a settlement currently at the
//! maximum (no other site can lower it), ties to the smaller sum of
//! population-weighted times, then to the lower index; a swap pass then
//! exchanges sites while the maximum falls. One site is exact.

use rayon::prelude::*;

use super::{Limits, PlacementError, Problem, Site, Solution};

/// The objective of a set of best times: minus the longest (capped) trip
/// of a settlement with people, and minus the weighted sum as tie-break.
fn score(p: &Problem, best: &[f64], cap: f64) -> (f64, f64) {
    let mut worst = 0.0f64;
    let mut sum = 0.0;
    for (i, &d) in best.iter().enumerate() {
        if p.weight[i] > 0.0 {
            let d = d.min(cap);
            worst = worst.max(d);
            sum += p.weight[i] * d;
        }
    }
    (-worst, -sum)
}

fn with(p: &Problem, best: &[f64], c: usize) -> Vec<f64> {
    let mut b = best.to_vec();
    for &(i, t) in &p.rows[c] {
        let i = i as usize;
        if t < b[i] {
            b[i] = t;
        }
    }
    b
}

fn best_of(p: &Problem, sites: &[usize]) -> Vec<f64> {
    sites.iter().fold(p.current.clone(), |b, &c| with(p, &b, c))
}

/// The candidate (not in `taken`) giving the best score from `best`, among
/// those reaching a settlement at the current maximum.
fn step(p: &Problem, best: &[f64], cap: f64, taken: &[bool]) -> Option<(usize, (f64, f64))> {
    let (worst, _) = score(p, best, cap);
    let at_max: Vec<bool> = best
        .iter()
        .zip(&p.weight)
        .map(|(&d, &w)| w > 0.0 && d.min(cap) >= -worst)
        .collect();
    (0..p.rows.len())
        .into_par_iter()
        .filter(|&c| !taken[c] && p.rows[c].iter().any(|&(i, _)| at_max[i as usize]))
        .map(|c| (c, score(p, &with(p, best, c), cap)))
        .reduce_with(|a, b| match a.1.partial_cmp(&b.1) {
            Some(std::cmp::Ordering::Less) => b,
            Some(std::cmp::Ordering::Greater) => a,
            _ => {
                if a.0 < b.0 {
                    a
                } else {
                    b
                }
            }
        })
}

/// Chooses up to `limits.k` sites for the p-center objective with times
/// capped at `cap_min`; stops early when no site lowers the maximum or the
/// weighted sum. Budgets, minimum people and the zone rule do not apply.
pub fn solve(p: &Problem, limits: &Limits, cap_min: f64) -> Result<Solution, PlacementError> {
    super::greedy::check(p, limits)?;
    let unsupported = |rule| PlacementError::Unsupported {
        objective: "center",
        rule,
    };
    if limits.budget.is_some() {
        return Err(unsupported("a budget"));
    }
    if limits.min_people > 0.0 {
        return Err(unsupported("min_people"));
    }
    if !limits.zones_first.is_empty() {
        return Err(unsupported("one_per_zone"));
    }
    let n = p.rows.len();
    let mut taken = vec![false; n];
    let mut sites: Vec<usize> = Vec::new();
    let mut best = p.current.clone();
    let base = score(p, &best, cap_min);
    let mut now = base;
    while sites.len() < limits.k {
        let Some((c, s)) = step(p, &best, cap_min, &taken) else {
            break;
        };
        if s <= now {
            break;
        }
        taken[c] = true;
        sites.push(c);
        best = with(p, &best, c);
        now = s;
    }
    // Swaps while the score rises.
    let mut swaps = 0;
    for _ in 0..20 {
        let mut improved = false;
        for pos in 0..sites.len() {
            let others = super::without(&sites, pos);
            let rest = best_of(p, &others);
            let mut t = taken.clone();
            t[sites[pos]] = false;
            if let Some((c, s)) = step(p, &rest, cap_min, &t) {
                if s > now && c != sites[pos] {
                    taken[sites[pos]] = false;
                    taken[c] = true;
                    sites[pos] = c;
                    now = s;
                    swaps += 1;
                    improved = true;
                }
            }
        }
        if !improved {
            break;
        }
    }
    // Report in order: gains are minutes taken off the maximum.
    let mut b = p.current.clone();
    let mut prev = score(p, &b, cap_min);
    let out = sites
        .iter()
        .map(|&c| {
            let before = b.clone();
            b = with(p, &b, c);
            let s = score(p, &b, cap_min);
            let people = p.rows[c]
                .iter()
                .filter(|&&(i, t)| t < before[i as usize] && p.weight[i as usize] > 0.0)
                .map(|&(i, _)| p.weight[i as usize])
                .sum();
            let site = Site {
                candidate: c,
                gain: s.0 - prev.0,
                cumulative: s.0,
                people,
            };
            prev = s;
            site
        })
        .collect();
    Ok(Solution {
        sites: out,
        base: base.0,
        value: now.0,
        upper_bound: None,
        swaps,
        forced: 0,
        optimal: false,
    })
}

/// The longest capped trip with `sites` (the slow definition), minutes.
pub fn longest(p: &Problem, sites: &[usize], cap_min: f64) -> f64 {
    -score(p, &best_of(p, sites), cap_min).0
}

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

/// Improves `sites` by swaps; returns them and the number of swaps.
pub fn interchange(
    p: &Problem,
    limits: &Limits,
    sites: &[usize],
    fixed: usize,
) -> (Vec<usize>, usize) {
    let mut sites = sites.to_vec();
    let mut swaps = 0;
    let n = p.rows.len();
    for _ in 0..MAX_PASSES {
        let mut improved = false;
        for pos in fixed..sites.len() {
            let current = State::of(p, &sites).value(p);
            let others = super::without(&sites, pos);
            let rest = State::of(p, &others);
            let rest_value = rest.value(p);
            let spent: f64 = others.iter().map(|&c| p.cost[c]).sum();
            let best = (0..n)
                .into_par_iter()
                .filter(|c| !sites.contains(c))
                .filter(|&c| limits.budget.is_none_or(|b| spent + p.cost[c] <= b))
                .filter_map(|c| {
                    let (gain, people) = rest.gain(p, c);
                    (people >= limits.min_people).then_some((c, rest_value + gain))
                })
                .reduce_with(|a, b| match a.1.total_cmp(&b.1) {
                    std::cmp::Ordering::Less => b,
                    std::cmp::Ordering::Greater => a,
                    std::cmp::Ordering::Equal => {
                        if a.0 < b.0 {
                            a
                        } else {
                            b
                        }
                    }
                });
            if let Some((c, v)) = best {
                if v > current + EPS * current.abs().max(1.0) {
                    sites[pos] = c;
                    swaps += 1;
                    improved = true;
                }
            }
        }
        if !improved {
            break;
        }
    }
    (sites, swaps)
}

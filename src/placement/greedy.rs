//! Lazy greedy (CELF): candidates in a max-heap by their last computed
//! gain, which can only have fallen since (submodularity); the top is
//! recomputed, and taken when it is still the top. Ties go to the lower
//! candidate index, so the result does not depend on the thread count.
//!
//! With a budget the key is gain per unit cost, and the result is the better
//! of that greedy and the best single affordable site (Khuller, Moss and
//! Naor), which keeps a constant-factor guarantee.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use rayon::prelude::*;

use super::{Limits, PlacementError, Problem, Site, Solution, State};

/// A heap entry: key (gain, or gain per cost), candidate, and the number
/// of sites chosen when the key was computed.
#[derive(Debug, Clone, Copy)]
struct Entry {
    key: f64,
    candidate: usize,
    round: usize,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key
            .total_cmp(&other.key)
            .then_with(|| other.candidate.cmp(&self.candidate))
    }
}

/// Checks the limits against the problem.
pub fn check(p: &Problem, limits: &Limits) -> Result<(), PlacementError> {
    let n = p.rows.len();
    if n == 0 {
        return Err(PlacementError::NoCandidate);
    }
    if limits.k == 0 {
        return Err(PlacementError::ZeroK);
    }
    if limits.budget.is_none() && limits.k > n {
        return Err(PlacementError::TooManySites {
            k: limits.k,
            candidates: n,
        });
    }
    if let Some(budget) = limits.budget {
        let cheapest = p.cost.iter().copied().fold(f64::INFINITY, f64::min);
        if cheapest > budget {
            return Err(PlacementError::Budget { budget, cheapest });
        }
    }
    if limits.zones_first.len() > limits.k {
        return Err(PlacementError::ZonesExceedK {
            zones: limits.zones_first.len(),
            k: limits.k,
        });
    }
    Ok(())
}

/// The greedy's running state.
struct Run {
    state: State,
    value: f64,
    spent: f64,
    taken: Vec<bool>,
    sites: Vec<Site>,
}

impl Run {
    fn pick(&mut self, p: &Problem, c: usize, gain: f64, people: f64) {
        self.state.add(p, c);
        self.value += gain;
        self.spent += p.cost[c];
        self.taken[c] = true;
        self.sites.push(Site {
            candidate: c,
            gain,
            cumulative: self.value,
            people,
        });
    }
}

/// Greedy placement (see the module docs), with the online bound.
pub fn greedy(p: &Problem, limits: &Limits) -> Result<Solution, PlacementError> {
    greedy_from(p, limits, None)
}

/// Greedy placement whose first free choice (after the zone rule's sites)
/// is `start` when given: a restart of the multi-start search.
pub fn greedy_from(
    p: &Problem,
    limits: &Limits,
    start: Option<usize>,
) -> Result<Solution, PlacementError> {
    check(p, limits)?;
    let n = p.rows.len();
    let mut g = Run {
        state: State::new(p),
        value: 0.0,
        spent: 0.0,
        taken: vec![false; n],
        sites: Vec::new(),
    };
    let base = g.state.value(p);
    g.value = base;
    let fits = |c: usize, spent: f64| limits.budget.is_none_or(|b| spent + p.cost[c] <= b);

    // One site in each listed zone first: the best there.
    for &z in &limits.zones_first {
        let in_zone: Vec<usize> = (0..n)
            .filter(|&c| !g.taken[c] && p.zone[c] == Some(z) && fits(c, g.spent))
            .collect();
        let best = in_zone
            .into_iter()
            .map(|c| (c, g.state.gain(p, c)))
            .filter(|(_, (gain, people))| *gain > 0.0 && *people >= limits.min_people)
            .max_by(|a, b| a.1 .0.total_cmp(&b.1 .0).then(b.0.cmp(&a.0)));
        if let Some((c, (gain, people))) = best {
            g.pick(p, c, gain, people);
        }
    }

    let forced = g.sites.len();
    if let Some(c) = start {
        if c < n && !g.taken[c] && fits(c, g.spent) && g.sites.len() < limits.k {
            let (gain, people) = g.state.gain(p, c);
            g.pick(p, c, gain, people);
        }
    }

    // Initial gains, in parallel (each candidate on its own; a gain leaves
    // the state as it was, so each worker evaluates on its own copy).
    let initial: Vec<(f64, f64)> = (0..n)
        .into_par_iter()
        .map_init(
            || g.state.trial(),
            |state, c| {
                if g.taken[c] {
                    (0.0, 0.0)
                } else {
                    state.gain(p, c)
                }
            },
        )
        .collect();
    let key = |c: usize, gain: f64| match limits.budget {
        Some(_) if p.cost[c] > 0.0 => gain / p.cost[c],
        Some(_) => f64::INFINITY,
        None => gain,
    };
    // Upper bounds on every unchosen candidate's current gain.
    let mut upper: Vec<f64> = initial.iter().map(|x| x.0).collect();
    let round0 = g.sites.len();
    let mut heap: BinaryHeap<Entry> = (0..n)
        .filter(|&c| !g.taken[c] && initial[c].0 > 0.0 && initial[c].1 >= limits.min_people)
        .map(|c| Entry {
            key: key(c, initial[c].0),
            candidate: c,
            round: round0,
        })
        .collect();
    let mut bound = limits
        .budget
        .is_none()
        .then(|| g.value + top_sum(&upper, &g.taken, limits.k));
    while g.sites.len() < limits.k {
        let Some(top) = heap.pop() else { break };
        let c = top.candidate;
        if !fits(c, g.spent) {
            continue;
        }
        let (gain, people) = g.state.gain(p, c);
        if top.round == g.sites.len() {
            g.pick(p, c, gain, people);
            upper[c] = 0.0;
            if let Some(b) = bound.as_mut() {
                *b = b.min(g.value + top_sum(&upper, &g.taken, limits.k));
            }
            continue;
        }
        upper[c] = gain;
        if gain > 0.0 && people >= limits.min_people {
            heap.push(Entry {
                key: key(c, gain),
                candidate: c,
                round: g.sites.len(),
            });
        }
    }
    let Run {
        mut sites,
        mut value,
        ..
    } = g;

    // With a budget: the best single affordable site, if it beats the lot.
    if let Some(budget) = limits.budget {
        let mut fresh = State::new(p);
        let single = (0..n)
            .filter(|&c| p.cost[c] <= budget)
            .map(|c| (c, fresh.gain(p, c)))
            .filter(|(_, (_, people))| *people >= limits.min_people)
            .max_by(|a, b| a.1 .0.total_cmp(&b.1 .0).then(b.0.cmp(&a.0)));
        if let Some((c, (gain, people))) = single {
            if limits.zones_first.is_empty() && base + gain > value {
                sites = vec![Site {
                    candidate: c,
                    gain,
                    cumulative: base + gain,
                    people,
                }];
                value = base + gain;
            }
        }
    }
    let forced = forced.min(sites.len());
    Ok(Solution {
        sites,
        base,
        value,
        upper_bound: bound,
        swaps: 0,
        forced,
        optimal: false,
    })
}

/// The sum of the `k` largest upper bounds among unchosen candidates.
fn top_sum(upper: &[f64], taken: &[bool], k: usize) -> f64 {
    let mut v: Vec<f64> = upper
        .iter()
        .zip(taken)
        .filter(|(_, &t)| !t)
        .map(|(&u, _)| u.max(0.0))
        .collect();
    if v.len() > k {
        let at = v.len() - k;
        v.select_nth_unstable_by(at, f64::total_cmp);
        v.drain(..at);
    }
    v.iter().sum()
}

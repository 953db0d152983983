//! Incremental search updates whose results equal a full search bit for bit.
//!
//! **Adding facilities** ([`add_sources`]): new facilities take source
//! indices above every existing one (they are appended), so they win a node
//! only with a strictly smaller time. A multi-source search from their seeds
//! alone, relaxing an arc only where it beats the baseline label, settles
//! exactly the nodes the full search gives to a new facility, in the same
//! `(time, source, node)` order, so times, sources and lengths agree: every
//! predecessor that carries a new source is itself a captured node. The one
//! case where a node keeps its baseline time yet could change its length is
//! a *tie*: a new label equal in time to the baseline label of a node that
//! stays with its baseline facility (its baseline path may run through a
//! captured node). In exact arithmetic this cannot happen (a captured
//! predecessor offers a strictly smaller time); it can only come from
//! floating-point rounding (`fl(a + w) = fl(b + w)` with `a < b`). The
//! update then reports it and the caller runs the full search instead, so
//! the result is exact in every case. The cost is the
//! size of the captured region and its border, not of the graph.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap, HashSet};

use crate::index::SearchGraph;
use crate::search::access::Labels;
use crate::search::{Seed, ShortestPaths};

/// Labels that differ from the baseline: node → `(seconds, metres, source)`.
pub type Changed = HashMap<u32, (f64, f64, u32)>;

/// Baseline labels with a scenario's changed labels over them.
pub struct Overlay<'b> {
    /// The baseline search.
    pub base: &'b ShortestPaths,
    /// The nodes whose label changed.
    pub changed: &'b Changed,
}

impl Labels for Overlay<'_> {
    fn label(&self, v: u32) -> Option<(f64, f64, u32)> {
        match self.changed.get(&v) {
            Some(l) => Some(*l),
            None => self.base.label(v),
        }
    }
}

#[derive(PartialEq)]
struct Key(f64, u32, u32);
impl Eq for Key {}
impl Ord for Key {
    fn cmp(&self, o: &Self) -> Ordering {
        o.0.total_cmp(&self.0)
            .then(o.1.cmp(&self.1))
            .then(o.2.cmp(&self.2))
    }
}
impl PartialOrd for Key {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

/// The labels that change when facilities seeded by `seeds` are added to
/// the search `base` on `graph` (see the module docs). Every seed's source
/// must be above every source in `base`. `None` when a tie makes the
/// update unsafe: run the full search.
pub fn add_sources(graph: &SearchGraph, base: &ShortestPaths, seeds: &[Seed]) -> Option<Changed> {
    let mut changed: Changed = HashMap::new();
    let mut ties: HashSet<u32> = HashSet::new();
    let mut heap = BinaryHeap::new();
    let better = |t: f64, s: u32, cur: Option<&(f64, f64, u32)>| match cur {
        None => true,
        Some(&(ct, _, cs)) => t < ct || (t == ct && s < cs),
    };
    for s in seeds {
        let bt = base.time_s[s.node as usize];
        if s.time_s == bt {
            ties.insert(s.node);
        }
        if s.time_s < bt && better(s.time_s, s.source, changed.get(&s.node)) {
            changed.insert(s.node, (s.time_s, s.dist_m, s.source));
            heap.push(Key(s.time_s, s.source, s.node));
        }
    }
    while let Some(Key(t, src, u)) = heap.pop() {
        let &(ct, cd, cs) = changed.get(&u)?;
        if t != ct || src != cs {
            continue; // stale
        }
        for a in graph.arcs(u) {
            let v = a.head;
            let tv = t + a.time_s;
            let bt = base.time_s[v as usize];
            if tv == bt {
                ties.insert(v);
            }
            if tv < bt && better(tv, src, changed.get(&v)) {
                changed.insert(v, (tv, cd + a.dist_m, src));
                heap.push(Key(tv, src, v));
            }
        }
    }
    // A tie at a node that keeps its baseline label may change its length.
    if ties.iter().any(|v| !changed.contains_key(v)) {
        return None;
    }
    Some(changed)
}

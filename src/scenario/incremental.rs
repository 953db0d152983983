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
use crate::search::{Seed, ShortestPaths, NO_SOURCE};

/// Labels that differ from the baseline: node → `(seconds, metres, source)`.
pub type Changed = HashMap<u32, (f64, f64, u32)>;

/// Baseline labels with a scenario's changed labels over them.
pub struct Overlay<'b> {
    /// The baseline search.
    pub base: &'b ShortestPaths,
    /// The nodes whose label changed (source [`NO_SOURCE`]: now unreached).
    pub changed: &'b Changed,
    /// New index of each baseline source, when facilities were removed.
    pub renumber: Option<&'b [u32]>,
}

impl Labels for Overlay<'_> {
    fn label(&self, v: u32) -> Option<(f64, f64, u32)> {
        match self.changed.get(&v) {
            Some(l) => (l.2 != NO_SOURCE).then_some(*l),
            None => self.base.label(v).map(|(t, d, s)| match self.renumber {
                Some(r) => (t, d, r[s as usize]),
                None => (t, d, s),
            }),
        }
    }
}

/// The labels that change when the sources marked in `removed` are taken
/// out of the search `base` on `graph` (see the module docs). `forward` is
/// `graph` reversed (its arcs give each node's predecessors); `seeds` are
/// the remaining facilities' seeds with their *new* source indices, and
/// `renumber` maps each baseline source to its new index. `None` when a tie
/// makes the update unsafe: run the full search.
pub fn remove_sources(
    graph: &SearchGraph,
    forward: &crate::index::Csr,
    base: &ShortestPaths,
    removed: &[bool],
    renumber: &[u32],
    seeds: &[Seed],
) -> Option<Changed> {
    let in_region = |v: u32| {
        let s = base.source[v as usize];
        s != NO_SOURCE && removed[s as usize]
    };
    let region: Vec<u32> = (0..base.source.len() as u32)
        .filter(|&v| in_region(v))
        .collect();
    let mut changed: Changed = region
        .iter()
        .map(|&v| (v, (f64::INFINITY, f64::INFINITY, NO_SOURCE)))
        .collect();
    let better = |t: f64, s: u32, cur: &(f64, f64, u32)| t < cur.0 || (t == cur.0 && s < cur.2);
    let mut heap = BinaryHeap::new();
    for s in seeds {
        if let Some(cur) = changed.get_mut(&s.node) {
            if better(s.time_s, s.source, cur) {
                *cur = (s.time_s, s.dist_m, s.source);
                heap.push(Key(s.time_s, s.source, s.node));
            }
        }
    }
    // The border: nodes outside the region with an arc into it, at their
    // baseline keys (marked by a set so each enters once).
    let mut border: HashSet<u32> = HashSet::new();
    for &v in &region {
        for e in forward.arcs(v) {
            let x = forward.head[e];
            if !in_region(x) && base.source[x as usize] != NO_SOURCE && border.insert(x) {
                let tx = base.time_s[x as usize];
                // The full search queues a border node before anything
                // later than it only if its label came over an arc that
                // adds time; an arc absorbed by rounding could reorder.
                for f in forward.arcs(x) {
                    let p = forward.head[f] as usize;
                    if base.time_s[p] == tx && base.time_s[p] + forward.time_s[f] == tx {
                        return None;
                    }
                }
                let src = renumber[base.source[x as usize] as usize];
                heap.push(Key(tx, src, x));
            }
        }
    }
    while let Some(Key(t, src, u)) = heap.pop() {
        let (d, inside) = match changed.get(&u) {
            Some(&(ct, cd, cs)) => {
                if t != ct || src != cs {
                    continue; // stale
                }
                (cd, true)
            }
            None => (base.dist_m[u as usize], false),
        };
        for a in graph.arcs(u) {
            let v = a.head;
            let tv = t + a.time_s;
            if inside && tv == t {
                return None; // an arc that adds no time: see above
            }
            match changed.get_mut(&v) {
                Some(cur) if better(tv, src, cur) => {
                    *cur = (tv, d + a.dist_m, src);
                    heap.push(Key(tv, src, v));
                }
                Some(_) => {}
                None if inside => {
                    // Leaving the region: a label as good as the node's own
                    // could change its length.
                    let k = v as usize;
                    if base.source[k] == NO_SOURCE {
                        return None; // cannot happen: guarded all the same
                    }
                    let vs = renumber[base.source[k] as usize];
                    if tv < base.time_s[k] || (tv == base.time_s[k] && src <= vs) {
                        return None;
                    }
                }
                None => {}
            }
        }
    }
    Some(changed)
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

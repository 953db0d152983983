//! Multi-source Dijkstra with a binary heap: the reference search.
//!
//! The engine runs [`super::multi_source`] (a radix heap, same results bit
//! for bit); this plain version is the obvious one it is tested against.
//!
//! **Parameters**: a graph, and seeds `(node, time_s, dist_m, source)` — the
//! cost of starting at `node` on behalf of `source` (a facility index).
//!
//! **Returns**: for every node, the least time `T(v) = min_s (seed_s + path(s, v))`
//! in seconds, the length in metres of that path, and the source that
//! attains it.
//!
//! **Algorithm**: Dijkstra's algorithm on labels ordered by `(time, source)`:
//! among equally fast sources the lowest index wins, so the nearest-facility
//! assignment is deterministic and does not depend on heap order. Lengths
//! ride along the time-optimal path; they are not minimised themselves.
//! `O((V + E) log V)`.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::index::Csr;

/// Marks a node that no source reaches.
pub const NO_SOURCE: u32 = u32::MAX;

/// A starting point of a multi-source search.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seed {
    /// Node where the search starts.
    pub node: u32,
    /// Time already spent to get there, seconds.
    pub time_s: f64,
    /// Distance already covered, metres.
    pub dist_m: f64,
    /// Source (facility) index.
    pub source: u32,
}

/// The result of a search: per node time, distance and source.
#[derive(Debug, Clone, PartialEq)]
pub struct ShortestPaths {
    /// Least time, seconds (`f64::INFINITY` when unreached).
    pub time_s: Vec<f64>,
    /// Length of that path, metres.
    pub dist_m: Vec<f64>,
    /// Source reaching the node first ([`NO_SOURCE`] when unreached).
    pub source: Vec<u32>,
}

#[derive(PartialEq)]
struct Label {
    time: f64,
    source: u32,
    node: u32,
}

impl Eq for Label {}

impl Ord for Label {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap.
        other
            .time
            .total_cmp(&self.time)
            .then(other.source.cmp(&self.source))
            .then(other.node.cmp(&self.node))
    }
}

impl PartialOrd for Label {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

fn better(t: f64, s: u32, old_t: f64, old_s: u32) -> bool {
    t < old_t || (t == old_t && s < old_s)
}

/// Runs a multi-source search over `graph` (see the module docs).
///
/// # Examples
/// Two facilities at either end of a path `0 — 1 — 2`; node 1 is nearer to
/// facility 1 (seeded at node 2):
/// ```
/// use remoteness::index::Csr;
/// use remoteness::search::{multi_source_reference, Seed};
/// let arcs = vec![(0, 1, 50.0, 500.0), (1, 0, 50.0, 500.0), (1, 2, 30.0, 300.0), (2, 1, 30.0, 300.0)];
/// let g = Csr::from_arcs(3, arcs);
/// let seeds = [
///     Seed { node: 0, time_s: 0.0, dist_m: 0.0, source: 0 },
///     Seed { node: 2, time_s: 0.0, dist_m: 0.0, source: 1 },
/// ];
/// let sp = multi_source_reference(&g, &seeds);
/// assert_eq!((sp.time_s[1], sp.dist_m[1], sp.source[1]), (30.0, 300.0, 1));
/// ```
pub fn multi_source_reference(graph: &Csr, seeds: &[Seed]) -> ShortestPaths {
    let n = graph.node_count();
    let mut time_s = vec![f64::INFINITY; n];
    let mut dist_m = vec![f64::INFINITY; n];
    let mut source = vec![NO_SOURCE; n];
    let mut heap = BinaryHeap::with_capacity(seeds.len());
    for s in seeds {
        let v = s.node as usize;
        if better(s.time_s, s.source, time_s[v], source[v]) {
            time_s[v] = s.time_s;
            dist_m[v] = s.dist_m;
            source[v] = s.source;
            heap.push(Label {
                time: s.time_s,
                source: s.source,
                node: s.node,
            });
        }
    }
    while let Some(Label {
        time,
        source: src,
        node,
    }) = heap.pop()
    {
        let u = node as usize;
        if time != time_s[u] || src != source[u] {
            continue; // stale
        }
        for e in graph.arcs(node) {
            let v = graph.head[e] as usize;
            let t = time + graph.time_s[e];
            if better(t, src, time_s[v], source[v]) {
                time_s[v] = t;
                dist_m[v] = dist_m[u] + graph.dist_m[e];
                source[v] = src;
                heap.push(Label {
                    time: t,
                    source: src,
                    node: v as u32,
                });
            }
        }
    }
    ShortestPaths {
        time_s,
        dist_m,
        source,
    }
}

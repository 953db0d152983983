//! A contraction hierarchy with PHAST one-to-all queries, for repeated
//! nearest-facility searches on one graph (scenarios: the same network,
//! facility sets that change).
//!
//! **Build** ([`Hierarchy::build`], Geisberger et al. 2008): nodes are
//! contracted one by one, least *edge difference* first (shortcuts added −
//! arcs removed + contracted neighbours). Contracting `v` adds a shortcut
//! `u → x` for each pair of remaining neighbours whose path through `v` has
//! no witness: a bounded Dijkstra search from `u` avoiding `v` that finds
//! `x` no later. The rank of a node is when it was contracted.
//!
//! **Query** ([`Hierarchy::nearest`], PHAST, Delling et al. 2011): a
//! multi-source Dijkstra from the seeds over upward arcs only, then one
//! sweep over every node from the highest rank down, relaxing the arcs that
//! come down into it. Nodes are stored by level (a valid sweep order), and
//! by id within a level, so the sweep reads the arcs sequentially and the
//! labels it reads are near each other. Cost: the small upward search plus about one pass over
//! the arcs — independent of where the seeds are.
//!
//! **Exactness**: shortcut weights are sums, and floating-point sums depend
//! on their order, so the hierarchy orders labels by integer times: arc
//! times in units of `2⁻³²` s (0.23 ns), rounded, whose sums are exact. The
//! `(time, source)` order is then the exact lexicographic minimum over
//! sources, ties to the lowest source, for the rounded times. Reported times
//! and lengths are the floating-point sums along the chosen path: they equal
//! [`multi_source`](super::multi_source)'s to about `1e-15` relative, and the
//! chosen facility is the same unless two facilities are within rounding
//! (`hops × 0.23 ns`) of each other. The engine's pipeline runs the exact
//! search; this one is for repeated queries, where the build pays off.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::dijkstra::{Seed, ShortestPaths, NO_SOURCE};
use crate::index::SearchGraph;

/// Integer time units per second.
const UNITS_PER_S: f64 = 4_294_967_296.0;

/// Unreached.
const INF: u64 = u64::MAX;

fn units(time_s: f64) -> u64 {
    // Saturating conversion; times are finite and non-negative.
    (time_s * UNITS_PER_S).round() as u64
}

/// An arc of the hierarchy as the query reads it for every arc: the other
/// end (a rank position) and the integer time. Packed to 12 bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(C, packed)]
pub struct ChArc {
    /// Other end, as a rank position.
    pub other: u32,
    /// Time in units of 2⁻³² s.
    pub units: u64,
}

/// The floating-point time and length of the path an arc stands for, read
/// only for the arc a node's label finally comes through.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChPath {
    /// Time, seconds.
    pub time_s: f64,
    /// Length, metres.
    pub dist_m: f64,
}

/// A contraction hierarchy of one directed graph (see the module docs).
#[derive(Debug, Clone)]
pub struct Hierarchy {
    /// Position of each node (by level, then id; a higher level is a
    /// higher rank).
    pub position: Vec<u32>,
    /// Node at each position.
    pub node: Vec<u32>,
    /// Upward arcs `p → q` (`q` ranked higher), by tail position.
    up_first: Vec<u32>,
    up: Vec<ChArc>,
    up_path: Vec<ChPath>,
    /// Downward arcs `q → p` (`q` ranked higher) into each position `p`,
    /// by head position; `other` is the tail `q`.
    down_first: Vec<u32>,
    down: Vec<ChArc>,
    down_path: Vec<ChPath>,
    /// Shortcuts added.
    pub shortcuts: usize,
}

/// Dynamic adjacency during the build: `(neighbour, arc)`.
type Adjacency = Vec<Vec<(u32, Arc)>>;

#[derive(Debug, Clone, Copy)]
struct Arc {
    units: u64,
    time_s: f64,
    dist_m: f64,
}

/// Inserts or improves the arc to `to` in `list` (parallel arcs keep the
/// least integer time).
fn upsert(list: &mut Vec<(u32, Arc)>, to: u32, arc: Arc) {
    match list.iter_mut().find(|(x, _)| *x == to) {
        Some((_, a)) if arc.units < a.units => *a = arc,
        Some(_) => {}
        None => list.push((to, arc)),
    }
}

struct Builder {
    out: Adjacency,
    inc: Adjacency,
    contracted: Vec<bool>,
    deleted_neighbours: Vec<u32>,
    // Witness search scratch, reset after each search.
    dist: Vec<u64>,
    touched: Vec<u32>,
}

impl Builder {
    /// Bounded Dijkstra from `u` avoiding `v`: the least integer time to
    /// each node reached within `limit` units and `max_settled` nodes.
    fn witness(&mut self, u: u32, v: u32, limit: u64, max_settled: usize) {
        let mut heap = BinaryHeap::new();
        self.dist[u as usize] = 0;
        self.touched.push(u);
        heap.push(Reverse((0u64, u)));
        let mut settled = 0;
        while let Some(Reverse((d, x))) = heap.pop() {
            if d > self.dist[x as usize] {
                continue;
            }
            settled += 1;
            if d > limit || settled > max_settled {
                break;
            }
            for &(y, a) in &self.out[x as usize] {
                if y == v || self.contracted[y as usize] {
                    continue;
                }
                let nd = d.saturating_add(a.units);
                if nd < self.dist[y as usize] {
                    if self.dist[y as usize] == INF {
                        self.touched.push(y);
                    }
                    self.dist[y as usize] = nd;
                    heap.push(Reverse((nd, y)));
                }
            }
        }
    }

    fn reset(&mut self) {
        for &x in &self.touched {
            self.dist[x as usize] = INF;
        }
        self.touched.clear();
    }

    /// Shortcuts needed to contract `v`: `(u, x, arc)`.
    fn shortcuts(&mut self, v: u32, max_settled: usize) -> Vec<(u32, u32, Arc)> {
        let mut found = Vec::new();
        let ins: Vec<(u32, Arc)> = self.inc[v as usize].clone();
        let outs: Vec<(u32, Arc)> = self.out[v as usize].clone();
        for &(u, a) in &ins {
            let limit = outs
                .iter()
                .filter(|(x, _)| *x != u)
                .map(|(_, b)| a.units.saturating_add(b.units))
                .max();
            let Some(limit) = limit else { continue };
            self.witness(u, v, limit, max_settled);
            for &(x, b) in &outs {
                if x == u {
                    continue;
                }
                let via = a.units.saturating_add(b.units);
                if self.dist[x as usize] > via {
                    let arc = Arc {
                        units: via,
                        time_s: a.time_s + b.time_s,
                        dist_m: a.dist_m + b.dist_m,
                    };
                    found.push((u, x, arc));
                }
            }
            self.reset();
        }
        found
    }

    fn priority(&mut self, v: u32) -> i64 {
        let added = self.shortcuts(v, 50).len() as i64;
        let removed = (self.inc[v as usize].len() + self.out[v as usize].len()) as i64;
        2 * (added - removed) + i64::from(self.deleted_neighbours[v as usize])
    }
}

impl Hierarchy {
    /// Builds the hierarchy of `graph` (see the module docs).
    pub fn build(graph: &SearchGraph) -> Self {
        let n = graph.node_count();
        let mut b = Builder {
            out: vec![Vec::new(); n],
            inc: vec![Vec::new(); n],
            contracted: vec![false; n],
            deleted_neighbours: vec![0; n],
            dist: vec![INF; n],
            touched: Vec::new(),
        };
        for u in 0..n as u32 {
            for a in graph.arcs(u) {
                let (v, t, d) = (a.head, a.time_s, a.dist_m);
                if v == u {
                    continue;
                }
                let arc = Arc {
                    units: units(t),
                    time_s: t,
                    dist_m: d,
                };
                upsert(&mut b.out[u as usize], v, arc);
                upsert(&mut b.inc[v as usize], u, arc);
            }
        }
        let mut heap: BinaryHeap<Reverse<(i64, u32)>> =
            (0..n as u32).map(|v| Reverse((b.priority(v), v))).collect();
        let mut node = Vec::with_capacity(n);
        // Arcs of each node to the remaining (higher-ranked) nodes, in
        // node ids, captured when it is contracted.
        let mut up_nodes: Vec<Vec<(u32, Arc)>> = vec![Vec::new(); n];
        let mut down_nodes: Vec<Vec<(u32, Arc)>> = vec![Vec::new(); n];
        let mut shortcuts = 0;
        while let Some(Reverse((_, v))) = heap.pop() {
            if b.contracted[v as usize] {
                continue;
            }
            // Lazy update: contract only if still the least.
            let p = b.priority(v);
            if let Some(Reverse((next, _))) = heap.peek() {
                if p > *next {
                    heap.push(Reverse((p, v)));
                    continue;
                }
            }
            let found = b.shortcuts(v, 500);
            shortcuts += found.len();
            for (u, x, arc) in found {
                upsert(&mut b.out[u as usize], x, arc);
                upsert(&mut b.inc[x as usize], u, arc);
            }
            b.contracted[v as usize] = true;
            let outs = std::mem::take(&mut b.out[v as usize]);
            let ins = std::mem::take(&mut b.inc[v as usize]);
            for &(x, _) in &outs {
                b.inc[x as usize].retain(|(y, _)| *y != v);
                b.deleted_neighbours[x as usize] += 1;
            }
            for &(u, _) in &ins {
                b.out[u as usize].retain(|(y, _)| *y != v);
                b.deleted_neighbours[u as usize] += 1;
            }
            up_nodes[v as usize] = outs;
            down_nodes[v as usize] = ins;
            node.push(v);
        }
        // Store nodes by level (one more than the highest level among a
        // node's lower-ranked neighbours), then by id. Every arc joins two
        // levels, so sweeping the levels from the top is a valid order, and
        // within a level, ids keep neighbours near each other in memory.
        let mut level = vec![0u32; n];
        for &v in &node {
            for &(x, _) in up_nodes[v as usize].iter().chain(&down_nodes[v as usize]) {
                level[x as usize] = level[x as usize].max(level[v as usize] + 1);
            }
        }
        node.sort_unstable_by_key(|&v| (level[v as usize], v));
        let mut position = vec![0u32; n];
        for (p, &v) in node.iter().enumerate() {
            position[v as usize] = p as u32;
        }
        let pack = |lists: &mut [Vec<(u32, Arc)>]| {
            let mut first = Vec::with_capacity(n + 1);
            let mut arcs = Vec::new();
            let mut paths = Vec::new();
            first.push(0u32);
            for &v in &node {
                let list = &mut lists[v as usize];
                list.sort_by_key(|(x, _)| position[*x as usize]);
                for (x, a) in list.drain(..) {
                    arcs.push(ChArc {
                        other: position[x as usize],
                        units: a.units,
                    });
                    paths.push(ChPath {
                        time_s: a.time_s,
                        dist_m: a.dist_m,
                    });
                }
                first.push(arcs.len() as u32);
            }
            (first, arcs, paths)
        };
        let (up_first, up, up_path) = pack(&mut up_nodes);
        let (down_first, down, down_path) = pack(&mut down_nodes);
        Hierarchy {
            position,
            node,
            up_first,
            up,
            up_path,
            down_first,
            down,
            down_path,
            shortcuts,
        }
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.node.len()
    }

    /// Arcs stored: upward plus downward.
    pub fn arc_count(&self) -> usize {
        self.up.len() + self.down.len()
    }

    /// Nearest seed of every node (see the module docs for how the result
    /// relates to [`multi_source`](super::multi_source)).
    pub fn nearest(&self, seeds: &[Seed]) -> ShortestPaths {
        let n = self.node_count();
        // What the sweep compares, 12 bytes a node; time and length apart.
        let mut key = vec![
            Key {
                units: INF,
                source: NO_SOURCE
            };
            n
        ];
        let mut path = vec![
            ChPath {
                time_s: f64::INFINITY,
                dist_m: f64::INFINITY,
            };
            n
        ];
        // Upward multi-source search.
        let mut heap = BinaryHeap::new();
        for s in seeds {
            let p = self.position[s.node as usize] as usize;
            let w = units(s.time_s);
            if better(w, s.source, key[p]) {
                key[p] = Key {
                    units: w,
                    source: s.source,
                };
                path[p] = ChPath {
                    time_s: s.time_s,
                    dist_m: s.dist_m,
                };
                heap.push(Reverse((w, s.source, p as u32)));
            }
        }
        while let Some(Reverse((w, src, p))) = heap.pop() {
            let (k, from) = (key[p as usize], path[p as usize]);
            if w != k.units || src != k.source {
                continue;
            }
            let range = self.up_first[p as usize] as usize..self.up_first[p as usize + 1] as usize;
            for (a, ap) in self.up[range.clone()].iter().zip(&self.up_path[range]) {
                let q = a.other as usize;
                let nw = w.saturating_add(a.units);
                if better(nw, src, key[q]) {
                    key[q] = Key {
                        units: nw,
                        source: src,
                    };
                    path[q] = ChPath {
                        time_s: from.time_s + ap.time_s,
                        dist_m: from.dist_m + ap.dist_m,
                    };
                    heap.push(Reverse((nw, src, q as u32)));
                }
            }
        }
        // Downward sweep, highest rank first: compare keys only, then take
        // time and length through the winning arc.
        for p in (0..n).rev() {
            let (lo, hi) = (self.down_first[p] as usize, self.down_first[p + 1] as usize);
            let mut best = key[p];
            let mut via = usize::MAX;
            for (e, a) in self.down[lo..hi].iter().enumerate() {
                let k = key[a.other as usize];
                let nw = k.units.saturating_add(a.units);
                if k.units != INF && better(nw, k.source, best) {
                    best = Key {
                        units: nw,
                        source: k.source,
                    };
                    via = lo + e;
                }
            }
            if via != usize::MAX {
                let (from, ap) = (path[self.down[via].other as usize], self.down_path[via]);
                key[p] = best;
                path[p] = ChPath {
                    time_s: from.time_s + ap.time_s,
                    dist_m: from.dist_m + ap.dist_m,
                };
            }
        }
        // Back to node order: gather (sequential writes, independent reads).
        ShortestPaths {
            time_s: self
                .position
                .iter()
                .map(|&p| path[p as usize].time_s)
                .collect(),
            dist_m: self
                .position
                .iter()
                .map(|&p| path[p as usize].dist_m)
                .collect(),
            source: self
                .position
                .iter()
                .map(|&p| key[p as usize].source)
                .collect(),
        }
    }
}

/// A label's order key: integer time, then source.
#[derive(Clone, Copy)]
#[repr(C, packed)]
struct Key {
    units: u64,
    source: u32,
}

fn better(units: u64, source: u32, old: Key) -> bool {
    units < old.units || (units == old.units && source < old.source)
}

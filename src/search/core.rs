//! Bounded searches that only need times at a few *terminal* nodes (where
//! settlements join the network), run on the graph's core: the terminals
//! and the junctions, with each chain of pass-through nodes between two of
//! them folded into one arc.
//!
//! **Why**: an OpenStreetMap road graph is mostly shape points — on the
//! Liechtenstein tiles, 255,138 of the 292,221 nodes a car can use have
//! exactly two neighbours. A catchment or gravity search pays a queue push
//! and pop per node it settles; on the core it pays them per junction and
//! terminal only, and walks each chain's arc times in a tight loop.
//!
//! **Graph** ([`CoreGraph::build`]): a node is in the core when it is a
//! terminal or has three or more distinct neighbours (arcs in or out,
//! self-loops ignored). Every other node with two neighbours passes
//! through; one with fewer ends a chain that leads nowhere (not a terminal:
//! nothing there is ever asked for). A core arc `u → w` is a walk from core
//! node `u` through pass-through nodes to core node `w`, never turning back,
//! and keeps the *sequence* of its arcs' times (the least of parallel arcs
//! at each hop). Walks back to `u` and walks into a dead end are dropped.
//!
//! **Search** ([`CoreSearch::run`]): Dijkstra's algorithm on the core with
//! the engine's bucket queue; relaxing a core arc adds its hop times one by
//! one, `((t + a₁) + a₂) + …`, the additions the full search makes along
//! the same path. A seed at a pass-through node is first carried the same
//! way to the core nodes at both ends of its chain.
//!
//! **Exactness**: rounded addition is monotone (`x ≤ y ⇒ fl(x + a) ≤
//! fl(y + a)`) and never decreases (`fl(x + a) ≥ x` for `a ≥ 0`), so
//! Dijkstra's label of a node is the least, over every path from a seed,
//! of the rounded sum along that path — whatever the order nodes are
//! settled in. Every path between core nodes that does not turn back is a
//! sequence of core arcs, the least parallel arc at each hop gives the
//! least sum, and turning back never helps. So the time of every core node
//! within the cutoff equals [`super::bounded::BoundedSearch`]'s bit for bit
//! (tested on random graphs full of chains, parallel arcs, one-way
//! conflicts and zero-time arcs), and pass-through nodes are not visited.
//!
//! **Cost**: building is one pass over the arcs, `O(n + m)`; the core holds
//! each arc's time once (8 bytes) plus 8 bytes per core arc and 4 per node.

use std::cell::RefCell;

use super::queue::BucketQueue;
use crate::index::SearchGraph;

/// Not a core node.
const NONE: u32 = u32::MAX;

/// The core of a graph for a set of terminals (see the module docs).
#[derive(Debug, Clone, Default)]
pub struct CoreGraph {
    /// Core id of each graph node ([`NONE`]: not in the core).
    core_of: Vec<u32>,
    /// Graph node of each core node.
    node: Vec<u32>,
    /// `arcs[first_out[c]..first_out[c + 1]]` leave core node `c`.
    first_out: Vec<u32>,
    /// Head core node of each arc.
    head: Vec<u32>,
    /// `hops[first_hop[k]..first_hop[k + 1]]` are arc `k`'s hop times in
    /// seconds, in the direction of travel.
    first_hop: Vec<u32>,
    hops: Vec<f64>,
    /// The chains' (hop counts') typical and largest total time, for sizing
    /// the queue.
    typical_s: f64,
    max_s: f64,
}

/// Up to two distinct neighbours of each node, and whether it has more.
struct Neighbours {
    first: Vec<u32>,
    second: Vec<u32>,
    many: Vec<bool>,
}

impl Neighbours {
    fn of(graph: &SearchGraph) -> Self {
        let n = graph.node_count();
        let mut nb = Neighbours {
            first: vec![NONE; n],
            second: vec![NONE; n],
            many: vec![false; n],
        };
        for u in 0..n as u32 {
            for a in graph.arcs(u) {
                if a.head != u {
                    nb.add(u, a.head);
                    nb.add(a.head, u);
                }
            }
        }
        nb
    }

    fn add(&mut self, x: u32, y: u32) {
        let k = x as usize;
        if self.first[k] == NONE {
            self.first[k] = y;
        } else if self.first[k] != y {
            if self.second[k] == NONE {
                self.second[k] = y;
            } else if self.second[k] != y {
                self.many[k] = true;
            }
        }
    }

    fn count(&self, x: u32) -> usize {
        let k = x as usize;
        if self.many[k] {
            3
        } else {
            usize::from(self.first[k] != NONE) + usize::from(self.second[k] != NONE)
        }
    }
}

/// Walks from core or seed node `from` over its arc to `next` (time
/// `first`) through pass-through nodes, calling `hop` with each arc time
/// until it returns false, to the first core node; `None` at a dead end, a
/// one-way conflict, back at `from`, or when `hop` stops. A pass-through
/// node has at most two distinct neighbours, so its first arc to a node
/// other than the one it was entered from is the way on, and the least of
/// its parallel arcs (arcs are sorted by head, then time).
fn walk(
    graph: &SearchGraph,
    core_of: &[u32],
    from: u32,
    next: u32,
    first: f64,
    mut hop: impl FnMut(f64) -> bool,
) -> Option<u32> {
    if !hop(first) {
        return None;
    }
    let (mut prev, mut cur) = (from, next);
    while core_of[cur as usize] == NONE {
        if cur == from {
            return None;
        }
        let a = graph
            .arcs(cur)
            .iter()
            .find(|a| a.head != prev && a.head != cur)?;
        if !hop(a.time_s) {
            return None;
        }
        (prev, cur) = (cur, a.head);
    }
    Some(cur)
}

impl CoreGraph {
    /// The core of `graph` for the nodes where `terminal` is true (see the
    /// module docs).
    pub fn build(graph: &SearchGraph, terminal: impl Fn(u32) -> bool) -> Self {
        let n = graph.node_count();
        let nb = Neighbours::of(graph);
        let mut core_of = vec![NONE; n];
        let mut node = Vec::new();
        for v in 0..n as u32 {
            if terminal(v) || nb.count(v) >= 3 {
                core_of[v as usize] = node.len() as u32;
                node.push(v);
            }
        }
        let mut g = CoreGraph {
            first_out: vec![0],
            first_hop: vec![0],
            ..CoreGraph::default()
        };
        let mut chain = Vec::new();
        let (mut sum, mut max) = (0.0, 0.0f64);
        for &u in &node {
            let mut last = NONE;
            for a in graph.arcs(u) {
                // Parallel arcs: the first (least) one stands for all.
                if a.head == u || a.head == last {
                    continue;
                }
                last = a.head;
                chain.clear();
                let end = walk(graph, &core_of, u, a.head, a.time_s, |t| {
                    chain.push(t);
                    true
                });
                let Some(w) = end.filter(|&w| w != u) else {
                    continue;
                };
                g.head.push(core_of[w as usize]);
                g.hops.extend_from_slice(&chain);
                g.first_hop.push(g.hops.len() as u32);
                let total: f64 = chain.iter().sum();
                sum += total;
                max = max.max(total);
            }
            g.first_out.push(g.head.len() as u32);
        }
        let m = g.head.len();
        g.typical_s = if m > 0 { sum / m as f64 } else { 1.0 };
        g.max_s = max;
        g.core_of = core_of;
        g.node = node;
        g
    }

    /// Number of core nodes.
    pub fn node_count(&self) -> usize {
        self.node.len()
    }

    /// Number of core arcs.
    pub fn arc_count(&self) -> usize {
        self.head.len()
    }

    /// Whether graph node `v` is in the core.
    pub fn contains(&self, v: u32) -> bool {
        self.core_of.get(v as usize).is_some_and(|&c| c != NONE)
    }
}

thread_local! {
    /// Reset buffers kept for [`CoreSearch::pooled`].
    static POOL: RefCell<Vec<CoreSearch>> = const { RefCell::new(Vec::new()) };
}

/// Per-thread buffers of a search on a core of a given size.
pub struct CoreSearch {
    time: Vec<f64>,
    touched: Vec<u32>,
    queue: BucketQueue,
    /// The core (address and arc count) the queue is sized for (speed only).
    sized_for: Option<(usize, usize)>,
}

impl CoreSearch {
    /// Buffers for a core of `nodes` nodes.
    pub fn new(nodes: usize) -> Self {
        CoreSearch {
            time: vec![f64::INFINITY; nodes],
            touched: Vec::new(),
            queue: BucketQueue::new(1.0, 2),
            sized_for: None,
        }
    }

    /// Buffers for a core of `nodes` nodes from this thread's pool (always
    /// left reset); give them back with [`CoreSearch::release`].
    pub fn pooled(nodes: usize) -> Self {
        POOL.with(|p| {
            let mut p = p.borrow_mut();
            match p.iter().position(|b| b.time.len() == nodes) {
                Some(k) => p.swap_remove(k),
                None => CoreSearch::new(nodes),
            }
        })
    }

    /// Returns the buffers to this thread's pool (at most two are kept).
    pub fn release(self) {
        if !self.touched.is_empty() || !self.queue.is_empty() || self.time.is_empty() {
            return;
        }
        POOL.with(|p| {
            let mut p = p.borrow_mut();
            if p.len() < 2 {
                p.push(self);
            }
        });
    }

    fn improve(&mut self, c: u32, t: f64) {
        let k = c as usize;
        if self.time[k].is_infinite() {
            self.touched.push(c);
        }
        self.time[k] = t;
        self.queue.push(t, 0, c);
    }

    /// Runs the search from `seeds` (graph nodes of `graph`, the graph the
    /// core was built from, with seconds) up to `cutoff` seconds, calling
    /// `visit(node, time)` once for each core node reached within the
    /// cutoff, with the time [`super::bounded::BoundedSearch`] gives it.
    /// Seed times must be finite and not negative; −0 counts as +0.
    pub fn run(
        &mut self,
        core: &CoreGraph,
        graph: &SearchGraph,
        seeds: &[(u32, f64)],
        cutoff: f64,
        mut visit: impl FnMut(u32, f64),
    ) {
        let id = (core.head.as_ptr() as usize, core.head.len());
        if self.sized_for != Some(id) {
            self.queue = BucketQueue::for_arcs(core.typical_s, core.max_s);
            self.sized_for = Some(id);
        }
        self.queue.reset();
        for &(v, t) in seeds {
            let t = t + 0.0;
            if t > cutoff {
                continue;
            }
            assert!(
                t >= 0.0 && t.is_finite(),
                "seed times must be finite and non-negative"
            );
            match core.core_of[v as usize] {
                NONE => {
                    // Carry the seed to both ends of its chain.
                    let mut last = NONE;
                    for a in graph.arcs(v) {
                        if a.head == v || a.head == last {
                            continue;
                        }
                        last = a.head;
                        let mut tv = t;
                        let end = walk(graph, &core.core_of, v, a.head, a.time_s, |h| {
                            tv += h;
                            tv <= cutoff
                        });
                        if let Some(w) = end {
                            let c = core.core_of[w as usize];
                            if tv < self.time[c as usize] {
                                self.improve(c, tv);
                            }
                        }
                    }
                }
                c => {
                    if t < self.time[c as usize] {
                        self.improve(c, t);
                    }
                }
            }
        }
        while let Some((t, _, u)) = self.queue.pop() {
            if t > self.time[u as usize] {
                continue; // stale
            }
            visit(core.node[u as usize], t);
            let (a, b) = (core.first_out[u as usize], core.first_out[u as usize + 1]);
            'arcs: for k in a as usize..b as usize {
                let mut tv = t;
                let hops = &core.hops[core.first_hop[k] as usize..core.first_hop[k + 1] as usize];
                for &h in hops {
                    tv += h;
                    if tv > cutoff {
                        continue 'arcs;
                    }
                }
                let w = core.head[k];
                if tv < self.time[w as usize] {
                    self.improve(w, tv);
                }
            }
        }
        for &c in &self.touched {
            self.time[c as usize] = f64::INFINITY;
        }
        self.touched.clear();
    }
}

#[cfg(test)]
#[path = "core_tests.rs"]
mod tests;

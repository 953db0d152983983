//! Bounded searches that only need times at a few *terminal* nodes (where
//! settlements join the network), run on the graph's core: the terminals
//! and the junctions, with each chain of pass-through nodes between two of
//! them folded into one arc.
//!
//! **Why**: an OpenStreetMap road graph is mostly shape points — on the
//! Liechtenstein tiles, 255,138 of the 292,221 nodes a car can use have
//! exactly two neighbours, and many junctions only lead into cul-de-sacs. A catchment or gravity search pays a queue push
//! and pop per node it settles; on the core it pays them per junction and
//! terminal only, and walks each chain's arc times in a tight loop.
//!
//! **Graph** ([`CoreGraph::build`]): first, dead ends are pruned: a
//! node that is not a terminal and has at most one distinct neighbour left
//! (arcs in or out, self-loops ignored) is removed, until none is — whole
//! cul-de-sac trees with no settlement go, since a path between two
//! remaining nodes never enters one. Of the nodes left, a node is in the
//! core when it is a terminal or has three or more neighbours; the others
//! have exactly two and pass through. A core arc `u → w` is a walk from
//! core node `u` through pass-through nodes to core node `w`, never turning
//! back, and keeps the *sequence* of its arcs' times (the least of parallel
//! arcs at each hop). Walks back to `u` and one-way conflicts are dropped.
//!
//! **Search** ([`CoreSearch::run`]): Dijkstra's algorithm on the core with
//! the engine's bucket queue; relaxing a core arc adds its hop times one by
//! one, `((t + a₁) + a₂) + …`, the additions the full search makes along
//! the same path. Seeds off the core (a facility on a chain or in a pruned
//! tree) first reach it by a small Dijkstra over the graph that stops at
//! core nodes.
//!
//! **Exactness**: rounded addition is monotone (`x ≤ y ⇒ fl(x + a) ≤
//! fl(y + a)`) and never decreases (`fl(x + a) ≥ x` for `a ≥ 0`), so
//! Dijkstra's label of a node is the least, over every path from a seed,
//! of the rounded sum along that path — whatever the order nodes are
//! settled in. A least path to a core node is simple; from a seed it runs
//! off the core to a first core node (the carry's label there is the least
//! over such prefixes), then between core nodes without entering a pruned
//! tree, i.e. along core arcs, the least parallel arc at each hop giving
//! the least sum. So the time of every core node within the cutoff equals
//! [`super::bounded::BoundedSearch`]'s bit for bit (tested on random graphs
//! full of chains, dead-end trees, parallel arcs, one-way conflicts and
//! zero-time arcs); only terminals are visited.
//!
//! **Cost**: building is a few passes over the arcs, `O(n + m)` plus small
//! sorts; the core holds each kept arc's time once (8 bytes) plus 8 bytes
//! per core arc and 4 per node.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rustc_hash::FxHashMap;

use super::bounded::Frontier;
use crate::index::SearchGraph;

/// Not a core node.
const NONE: u32 = u32::MAX;

/// The core of a graph for a set of terminals (see the module docs).
#[derive(Debug, Clone, Default)]
pub struct CoreGraph {
    /// Graph node of each core node: the terminals, then the junctions,
    /// each in ascending order (so a graph node's core id is found by
    /// binary search, [`CoreGraph::core_id`], with no array over every
    /// graph node kept: 4 bytes a node, 31 MB a profile on a national
    /// extract).
    node: Vec<u32>,
    /// Number of terminals.
    terminals: u32,
    /// `arcs[first_out[c]..first_out[c + 1]]` leave core node `c`.
    first_out: Vec<u32>,
    /// Head core node of each arc.
    head: Vec<u32>,
    /// `hops[first_hop[k]..first_hop[k + 1]]` are arc `k`'s hop times in
    /// seconds, in the direction of travel.
    first_hop: Vec<u32>,
    hops: Vec<f64>,
    /// The core arcs' typical and largest total time, for sizing the queue.
    typical_s: f64,
    max_s: f64,
}

/// The distinct neighbours of every node (arcs in or out, self-loops
/// left out), in CSR form, for the build only.
struct Neighbours {
    first: Vec<u32>,
    list: Vec<u32>,
}

impl Neighbours {
    /// Two arrays live at once, `first` (a node) and `list` (two an arc):
    /// each node's room is filled from its end backwards, so no cursor
    /// array is needed, and the room left by duplicates is handed back.
    fn of(graph: &SearchGraph) -> Self {
        let n = graph.node_count();
        // `first[v + 1]`: v's neighbours counted, then the end of its room.
        let mut first = vec![0u32; n + 1];
        for u in 0..n as u32 {
            for a in graph.arcs(u).iter().filter(|a| a.head != u) {
                first[u as usize + 1] += 1;
                first[a.head as usize + 1] += 1;
            }
        }
        for v in 0..n {
            first[v + 1] += first[v];
        }
        let mut list = vec![0u32; first[n] as usize];
        for u in 0..n as u32 {
            for a in graph.arcs(u).iter().filter(|a| a.head != u) {
                for (v, x) in [(u, a.head), (a.head, u)] {
                    let at = &mut first[v as usize + 1];
                    *at -= 1;
                    list[*at as usize] = x;
                }
            }
        }
        // Now `first[v + 1]` is where v's room starts; it ends where
        // v + 1's starts. Sort and deduplicate each room in place, close
        // the gaps, and leave `first[v + 1]` at v's new end.
        let total = list.len();
        let mut w = 0usize;
        for v in 0..n {
            let a = first[v + 1] as usize;
            let b = if v + 1 < n {
                first[v + 2] as usize
            } else {
                total
            };
            list[a..b].sort_unstable();
            let mut last = NONE;
            for k in a..b {
                if list[k] != last {
                    last = list[k];
                    list[w] = last;
                    w += 1;
                }
            }
            first[v + 1] = w as u32;
        }
        list.truncate(w);
        list.shrink_to_fit();
        Neighbours { first, list }
    }

    fn of_node(&self, v: u32) -> &[u32] {
        &self.list[self.first[v as usize] as usize..self.first[v as usize + 1] as usize]
    }
}

/// Walks from core node `from` over its arc to `next` (time `first`)
/// through pass-through nodes to the next core node, pushing each arc time
/// onto `hops`; `None` at a one-way conflict or back at `from`. A
/// pass-through node has exactly two neighbours left (`gone` marks the
/// pruned nodes), so its first arc to one other than the node it was
/// entered from is the way on, and the least of its parallel arcs (arcs
/// are sorted by head, then time).
fn walk(
    graph: &SearchGraph,
    core_of: &[u32],
    gone: &[bool],
    from: u32,
    next: u32,
    first: f64,
    hops: &mut Vec<f64>,
) -> Option<u32> {
    hops.push(first);
    let (mut prev, mut cur) = (from, next);
    let mut steps = 0usize;
    while core_of[cur as usize] == NONE {
        steps += 1;
        if cur == from || steps > core_of.len() {
            return None;
        }
        let a = graph
            .arcs(cur)
            .iter()
            .find(|a| a.head != prev && a.head != cur && !gone[a.head as usize])?;
        hops.push(a.time_s);
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
        // Prune dead ends: non-terminal nodes with at most one neighbour
        // left, until none is.
        let mut degree: Vec<u32> = (0..n as u32).map(|v| nb.of_node(v).len() as u32).collect();
        let mut gone = vec![false; n];
        let mut stack: Vec<u32> = (0..n as u32)
            .filter(|&v| degree[v as usize] <= 1 && !terminal(v))
            .collect();
        while let Some(v) = stack.pop() {
            if gone[v as usize] {
                continue;
            }
            gone[v as usize] = true;
            for &x in nb.of_node(v) {
                let k = x as usize;
                if !gone[k] {
                    degree[k] -= 1;
                    if degree[k] <= 1 && !terminal(x) {
                        stack.push(x);
                    }
                }
            }
        }
        drop(nb);
        // Terminals first (ids below `terminals`), then junctions, each in
        // node order: a search tells a terminal by its id alone.
        let mut core_of = vec![NONE; n];
        let mut node: Vec<u32> = (0..n as u32).filter(|&v| terminal(v)).collect();
        let terminals = node.len() as u32;
        node.extend(
            (0..n as u32).filter(|&v| !gone[v as usize] && !terminal(v) && degree[v as usize] >= 3),
        );
        for (c, &v) in node.iter().enumerate() {
            core_of[v as usize] = c as u32;
        }
        drop(degree);
        let mut g = CoreGraph {
            first_out: vec![0],
            first_hop: vec![0],
            ..CoreGraph::default()
        };
        let (mut sum, mut max) = (0.0, 0.0f64);
        for &u in &node {
            let mut last = NONE;
            for a in graph.arcs(u) {
                // Parallel arcs: the first (least) one stands for all.
                if a.head == u || a.head == last || gone[a.head as usize] {
                    continue;
                }
                last = a.head;
                let mark = g.hops.len();
                match walk(graph, &core_of, &gone, u, a.head, a.time_s, &mut g.hops) {
                    Some(w) if w != u => {
                        g.head.push(core_of[w as usize]);
                        g.first_hop.push(g.hops.len() as u32);
                        let total: f64 = g.hops[mark..].iter().sum();
                        sum += total;
                        max = max.max(total);
                    }
                    _ => g.hops.truncate(mark),
                }
            }
            g.first_out.push(g.head.len() as u32);
        }
        let m = g.head.len();
        g.typical_s = if m > 0 { sum / m as f64 } else { 1.0 };
        g.max_s = max;
        drop(core_of);
        g.node = node;
        g.terminals = terminals;
        // Pushed one by one, the arrays have up to twice their length of
        // room (hops on a national extract: 13 M, with room for 16.8 M).
        g.hops.shrink_to_fit();
        g.head.shrink_to_fit();
        g.first_hop.shrink_to_fit();
        g.first_out.shrink_to_fit();
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
        self.core_id(v).is_some()
    }

    /// The core id of graph node `v`, if it is in the core.
    fn core_id(&self, v: u32) -> Option<u32> {
        let (terminals, junctions) = self.node.split_at(self.terminals as usize);
        match terminals.binary_search(&v) {
            Ok(c) => Some(c as u32),
            Err(_) => junctions
                .binary_search(&v)
                .ok()
                .map(|c| self.terminals + c as u32),
        }
    }
}

/// Per-thread buffers of a search on a core of a given size.
pub struct CoreSearch {
    f: Frontier,
    /// Labels and queue of the carry from seeds off the core.
    local: FxHashMap<u32, f64>,
    heap: BinaryHeap<Reverse<(u64, u32)>>,
}

impl CoreSearch {
    /// Buffers for a core of `nodes` nodes.
    pub fn new(nodes: usize) -> Self {
        Self::with(Frontier::new(nodes))
    }

    fn with(f: Frontier) -> Self {
        CoreSearch {
            f,
            local: FxHashMap::default(),
            heap: BinaryHeap::new(),
        }
    }

    /// Buffers for a core of `nodes` nodes from this thread's pool (always
    /// left reset); give them back with [`CoreSearch::release`].
    pub fn pooled(nodes: usize) -> Self {
        Self::with(Frontier::pooled(nodes))
    }

    /// Returns the buffers to this thread's pool (at most two are kept).
    pub fn release(self) {
        self.f.release();
    }

    /// Runs the search from `seeds` (graph nodes of `graph`, the graph the
    /// core was built from, with seconds) up to `cutoff` seconds, calling
    /// `visit(node, time)` once for each terminal reached within the
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
        let f = &mut self.f;
        f.start((core.head.as_ptr() as usize, core.head.len()), || {
            (core.typical_s, core.max_s)
        });
        for &(v, t) in seeds {
            let t = t + 0.0;
            if t > cutoff {
                continue;
            }
            assert!(
                t >= 0.0 && t.is_finite(),
                "seed times must be finite and non-negative"
            );
            offer(core, f, &mut self.local, &mut self.heap, v, t);
        }
        // Seeds off the core reach it by a small Dijkstra over the graph
        // that stops at core nodes (their chains and pruned trees only).
        while let Some(Reverse((bits, v))) = self.heap.pop() {
            let t = f64::from_bits(bits);
            if t > self.local[&v] {
                continue; // stale
            }
            for a in graph.arcs(v) {
                let (x, tv) = (a.head, t + a.time_s);
                if tv > cutoff {
                    continue;
                }
                offer(core, f, &mut self.local, &mut self.heap, x, tv);
            }
        }
        self.local.clear();
        while let Some((t, _, u)) = f.queue.pop() {
            if t > f.time[u as usize] {
                continue; // stale
            }
            if u < core.terminals {
                visit(core.node[u as usize], t);
            }
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
                if tv < f.time[w as usize] {
                    f.improve(w, tv);
                }
            }
        }
        f.finish();
    }
}

/// Graph node `v` reached at `t`: a core node improves the core search's
/// label, another one the carry's.
fn offer(
    core: &CoreGraph,
    f: &mut Frontier,
    local: &mut FxHashMap<u32, f64>,
    heap: &mut BinaryHeap<Reverse<(u64, u32)>>,
    v: u32,
    t: f64,
) {
    match core.core_id(v) {
        None => {
            if t < local.get(&v).copied().unwrap_or(f64::INFINITY) {
                local.insert(v, t);
                heap.push(Reverse((t.to_bits(), v)));
            }
        }
        Some(c) => {
            if t < f.time[c as usize] {
                f.improve(c, t);
            }
        }
    }
}

#[cfg(test)]
#[path = "core_tests.rs"]
mod tests;

//! Dijkstra stopped at a cutoff, with reusable buffers: the search behind
//! catchment cost lists (one per facility) and incremental scenario updates.
//!
//! **Parameters**: a [`SearchGraph`], seeds `(node, seconds)`, a cutoff in
//! seconds. **Returns**: calls `visit(node, time)` once per node settled
//! within the cutoff, in ascending `(time, node)` order. Buffers are reset
//! through the list of touched nodes, so a search costs what it explores,
//! not the size of the graph.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::index::SearchGraph;

/// A search label (min-heap on time, then node).
#[derive(PartialEq)]
struct Label(f64, u32);
impl Eq for Label {}
impl Ord for Label {
    fn cmp(&self, o: &Self) -> Ordering {
        o.0.total_cmp(&self.0).then(o.1.cmp(&self.1))
    }
}
impl PartialOrd for Label {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

thread_local! {
    /// Reset buffers kept for [`BoundedSearch::pooled`].
    static POOL: RefCell<Vec<BoundedSearch>> = const { RefCell::new(Vec::new()) };
}

/// Per-thread buffers of a bounded search over a graph of a given size.
pub struct BoundedSearch {
    time: Vec<f64>,
    touched: Vec<u32>,
    heap: BinaryHeap<Label>,
}

impl BoundedSearch {
    /// Buffers for a graph of `nodes` nodes.
    pub fn new(nodes: usize) -> Self {
        BoundedSearch {
            time: vec![f64::INFINITY; nodes],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
        }
    }

    fn improve(&mut self, v: u32, t: f64) {
        let k = v as usize;
        if self.time[k].is_infinite() {
            self.touched.push(v);
        }
        self.time[k] = t;
        self.heap.push(Label(t, v));
    }

    /// Buffers for a graph of `nodes` nodes, taken from this thread's pool
    /// when it holds some of that size (they are always left reset), so
    /// that a caller running a few searches does not pay for clearing a
    /// large graph's buffers each time. Give them back with
    /// [`BoundedSearch::release`].
    pub fn pooled(nodes: usize) -> Self {
        POOL.with(|p| {
            let mut p = p.borrow_mut();
            match p.iter().position(|b| b.time.len() == nodes) {
                Some(k) => p.swap_remove(k),
                None => BoundedSearch::new(nodes),
            }
        })
    }

    /// Returns the buffers to this thread's pool (at most two are kept;
    /// buffers left dirty by an interrupted search are dropped).
    pub fn release(self) {
        if !self.touched.is_empty() || !self.heap.is_empty() || self.time.is_empty() {
            return;
        }
        POOL.with(|p| {
            let mut p = p.borrow_mut();
            if p.len() < 2 {
                p.push(self);
            }
        });
    }

    /// Runs the search (see the module docs) and resets the buffers.
    pub fn run(
        &mut self,
        graph: &SearchGraph,
        seeds: &[(u32, f64)],
        cutoff: f64,
        mut visit: impl FnMut(u32, f64),
    ) {
        for &(v, t) in seeds {
            if t <= cutoff && t < self.time[v as usize] {
                self.improve(v, t);
            }
        }
        while let Some(Label(t, u)) = self.heap.pop() {
            if t > self.time[u as usize] {
                continue; // stale
            }
            visit(u, t);
            for a in graph.arcs(u) {
                let v = a.head;
                let tv = t + a.time_s;
                if tv <= cutoff && tv < self.time[v as usize] {
                    self.improve(v, tv);
                }
            }
        }
        for &v in &self.touched {
            self.time[v as usize] = f64::INFINITY;
        }
        self.touched.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visits(b: &mut BoundedSearch, g: &SearchGraph, seed: u32) -> Vec<(u32, f64)> {
        let mut out = Vec::new();
        b.run(g, &[(seed, 0.0)], 25.0, |v, t| out.push((v, t)));
        out
    }

    #[test]
    fn pooled_buffers_come_back_reset_and_dirty_ones_are_dropped() {
        // A path 0 - 1 - … - 9, 10 s an arc each way.
        let arcs = (0..9u32)
            .flat_map(|v| [(v, v + 1, 10.0, 100.0), (v + 1, v, 10.0, 100.0)])
            .collect();
        let g = SearchGraph::from_arcs(10, arcs);
        let want = visits(&mut BoundedSearch::new(10), &g, 4);
        assert_eq!(want, [(4, 0.0), (3, 10.0), (5, 10.0), (2, 20.0), (6, 20.0)]);
        let mut b = BoundedSearch::pooled(10);
        assert_eq!(visits(&mut b, &g, 4), want);
        b.release();
        let mut b = BoundedSearch::pooled(10);
        assert_eq!(visits(&mut b, &g, 4), want);
        // Left dirty (as by a panic mid-search): not pooled again.
        b.improve(7, 1.0);
        b.release();
        let mut b = BoundedSearch::pooled(10);
        assert!(b.touched.is_empty() && b.time.iter().all(|t| t.is_infinite()));
        assert_eq!(visits(&mut b, &g, 4), want);
    }
}

//! Dijkstra stopped at a cutoff, with reusable buffers: the search behind
//! catchment cost lists and the gravity index (one per facility or
//! population centre).
//!
//! **Parameters**: a [`SearchGraph`], seeds `(node, seconds)`, a cutoff in
//! seconds. **Returns**: calls `visit(node, time)` once per node settled
//! within the cutoff, in ascending `(time, node)` order.
//!
//! **Algorithm**: Dijkstra's on the engine's two-level bucket queue
//! ([`BucketQueue`], as in [`super::fast`]) with key `(time, 0, node)`.
//! Labels leave it in exactly the order they leave a binary heap ordered by
//! `(time, node)`, so the same relaxations succeed in the same order and the
//! visits are those of the plain binary-heap search bit for bit (kept in
//! the tests as the reference and checked on random graphs full of ties and
//! zero-time arcs).
//!
//! **Cost**: buffers are reset through the list of touched nodes and the
//! queue is left empty, so a search costs what it explores, not the size
//! of the graph; [`BoundedSearch::pooled`] keeps them per thread.
//!
//! **Preconditions**: arc times and the seed times within the cutoff are
//! finite and not negative ([`crate::index::ProfileGraph`] only makes such
//! arcs); a seed at −0 counts as one at +0.

use std::cell::RefCell;

use super::fast::arc_time_sample;
use super::queue::BucketQueue;
use crate::index::SearchGraph;

thread_local! {
    /// Reset buffers kept for [`Frontier::pooled`].
    static POOL: RefCell<Vec<Frontier>> = const { RefCell::new(Vec::new()) };
}

/// The labels and queue of a bounded search over a graph of a given size,
/// reset through the list of nodes touched (shared with
/// [`super::core::CoreSearch`]).
pub(super) struct Frontier {
    pub(super) time: Vec<f64>,
    pub(super) touched: Vec<u32>,
    pub(super) queue: BucketQueue,
    /// What the queue's buckets are sized for (a graph's address and arc
    /// count). Any size gives the same result, so a stale match costs only
    /// speed.
    sized_for: Option<(usize, usize)>,
}

impl Frontier {
    pub(super) fn new(nodes: usize) -> Self {
        Frontier {
            time: vec![f64::INFINITY; nodes],
            touched: Vec::new(),
            queue: BucketQueue::new(1.0, 2),
            sized_for: None,
        }
    }

    /// Buffers for `nodes` nodes from this thread's pool when it holds
    /// some of that size (they are always left reset), so that a caller
    /// running a few searches does not pay for clearing a large graph's
    /// buffers each time.
    pub(super) fn pooled(nodes: usize) -> Self {
        POOL.with(|p| {
            let mut p = p.borrow_mut();
            match p.iter().position(|b| b.time.len() == nodes) {
                Some(k) => p.swap_remove(k),
                None => Frontier::new(nodes),
            }
        })
    }

    /// Returns the buffers to this thread's pool (at most two are kept;
    /// buffers left dirty by an interrupted search are dropped).
    pub(super) fn release(self) {
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

    /// Sets `v`'s label to `t` and queues it.
    #[inline]
    pub(super) fn improve(&mut self, v: u32, t: f64) {
        let k = v as usize;
        if self.time[k].is_infinite() {
            self.touched.push(v);
        }
        self.time[k] = t;
        self.queue.push(t, 0, v);
    }

    /// Empties the queue, sized for arcs of typical and largest time
    /// `arcs` on the graph `id` (speed only).
    pub(super) fn start(&mut self, id: (usize, usize), arcs: impl FnOnce() -> (f64, f64)) {
        if self.sized_for != Some(id) {
            let (typical, max) = arcs();
            self.queue = BucketQueue::for_arcs(typical, max);
            self.sized_for = Some(id);
        }
        self.queue.reset();
    }

    /// Resets the labels touched.
    pub(super) fn finish(&mut self) {
        for &v in &self.touched {
            self.time[v as usize] = f64::INFINITY;
        }
        self.touched.clear();
    }
}

/// Per-thread buffers of a bounded search over a graph of a given size.
pub struct BoundedSearch {
    f: Frontier,
}

impl BoundedSearch {
    /// Buffers for a graph of `nodes` nodes.
    pub fn new(nodes: usize) -> Self {
        BoundedSearch {
            f: Frontier::new(nodes),
        }
    }

    /// Buffers for a graph of `nodes` nodes, taken from this thread's pool
    /// when it holds some of that size (they are always left reset), so
    /// that a caller running a few searches does not pay for clearing a
    /// large graph's buffers each time. Give them back with
    /// [`BoundedSearch::release`].
    pub fn pooled(nodes: usize) -> Self {
        BoundedSearch {
            f: Frontier::pooled(nodes),
        }
    }

    /// Returns the buffers to this thread's pool (at most two are kept;
    /// buffers left dirty by an interrupted search are dropped).
    pub fn release(self) {
        self.f.release();
    }

    /// Runs the search (see the module docs) and resets the buffers.
    pub fn run(
        &mut self,
        graph: &SearchGraph,
        seeds: &[(u32, f64)],
        cutoff: f64,
        mut visit: impl FnMut(u32, f64),
    ) {
        let f = &mut self.f;
        f.start((graph.arcs.as_ptr() as usize, graph.arcs.len()), || {
            arc_time_sample(graph)
        });
        for &(v, t) in seeds {
            // A seed at −0 is one at +0 (the queue cannot order the two).
            let t = t + 0.0;
            if t <= cutoff && t < f.time[v as usize] {
                assert!(
                    t >= 0.0 && t.is_finite(),
                    "seed times must be finite and non-negative"
                );
                f.improve(v, t);
            }
        }
        let mut warm = 0u32;
        while let Some((t, _, u)) = f.queue.pop() {
            if t > f.time[u as usize] {
                continue; // stale
            }
            visit(u, t);
            // Start loading the next node's arcs while this one is relaxed
            // (as in `fast`: the value is thrown away).
            if let Some(next) = f.queue.peek_node() {
                let first = graph.first_out[next as usize] as usize;
                warm ^= graph.arcs.get(first).map_or(0, |a| a.head);
            }
            for a in graph.arcs(u) {
                let v = a.head;
                let tv = t + a.time_s;
                if tv <= cutoff && tv < f.time[v as usize] {
                    f.improve(v, tv);
                }
            }
        }
        std::hint::black_box(warm);
        f.finish();
    }
}

#[cfg(test)]
#[path = "bounded_tests.rs"]
mod tests;

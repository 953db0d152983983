//! A compact directed graph in compressed sparse row (CSR) form, and (in
//! `profile`) the per-profile graph built from a
//! [`RoadNetwork`](crate::index::RoadNetwork).
//!
//! Node ids are `u32`; the arcs leaving node `u` are
//! `first_out[u] .. first_out[u + 1]`, each with a head node, a travel time in
//! seconds and a length in metres. Within a node, arcs are sorted by head then
//! cost so that the layout (and every search over it) is deterministic.
//!
//! [`SearchGraph`] is the same graph laid out for the search's hot loop: each
//! arc's head, time and length side by side in one 20-byte record, so that
//! relaxing an arc reads one place in memory instead of three arrays.
//!
//! Every graph is grouped by tail without an arc list in between: the
//! tails are counted, the arcs placed, each node's few arcs sorted
//! (`Grouping`), so that building a graph holds no more than the graph.

mod profile;
#[cfg(test)]
mod tests;

pub use profile::{segment_time, ProfileGraph, SegmentEdit, SegmentUse, SegmentUses, SpeedChange};

/// A directed graph in CSR form.
#[derive(Debug, Clone, Default)]
pub struct Csr {
    /// Arc offsets per node; length is `nodes + 1`.
    pub first_out: Vec<u32>,
    /// Head of each arc.
    pub head: Vec<u32>,
    /// Travel time of each arc, seconds.
    pub time_s: Vec<f64>,
    /// Length of each arc, metres.
    pub dist_m: Vec<f64>,
}

/// Arcs grouped by tail node without a list of `(tail, arc)` pairs in
/// between: the caller counts every arc's tail ([`Grouping::count`]), then
/// places every arc ([`Grouping::place`], the arcs in any order), and
/// [`Grouping::finish`] sorts each node's few arcs by `(head, time,
/// length)`. The result is the order of sorting the whole list: arcs with
/// equal keys are equal bit for bit, so the order they were placed in does
/// not show. The peak holds the offsets and the placed arcs only.
struct Grouping<T> {
    /// While counting, the number of arcs of each tail; while placing,
    /// the end of the slots not yet filled of each tail (filled from the
    /// back); once all are placed, the offset of each node's first arc.
    /// Length `n + 1`.
    first_out: Vec<u32>,
    /// The arcs placed so far.
    placed: Vec<T>,
}

impl<T: Copy> Grouping<T> {
    /// An empty grouping of arcs on `n` nodes.
    fn new(n: usize) -> Self {
        Grouping {
            first_out: vec![0; n + 1],
            placed: Vec::new(),
        }
    }

    /// Counts one arc leaving `tail` (first pass).
    #[inline]
    fn count(&mut self, tail: u32) {
        self.first_out[tail as usize] += 1;
    }

    /// Ends the first pass: every slot is filled with `blank` until placed.
    fn counted(&mut self, blank: T) {
        let mut end = 0u32;
        for c in &mut self.first_out {
            end += *c;
            *c = end;
        }
        self.placed = vec![blank; end as usize];
    }

    /// Places one arc leaving `tail` (second pass; exactly the counted arcs).
    #[inline]
    fn place(&mut self, tail: u32, arc: T) {
        let slot = &mut self.first_out[tail as usize];
        *slot -= 1;
        self.placed[*slot as usize] = arc;
    }

    /// The offsets per node (`n + 1`) and the arcs, each node's sorted by
    /// `key`'s `(head, time, length)`.
    fn finish(self, key: impl Fn(&T) -> (u32, f64, f64)) -> (Vec<u32>, Vec<T>) {
        let Grouping {
            first_out,
            mut placed,
        } = self;
        for w in first_out.windows(2) {
            placed[w[0] as usize..w[1] as usize].sort_unstable_by(|x, y| {
                let (xh, xt, xd) = key(x);
                let (yh, yt, yd) = key(y);
                xh.cmp(&yh).then(xt.total_cmp(&yt)).then(xd.total_cmp(&yd))
            });
        }
        (first_out, placed)
    }
}

/// Groups `(tail, head, time_s, dist_m)` arcs by tail (see [`Grouping`]):
/// the offsets per node (`n + 1`) and the arcs made by `make`; `key`
/// reads one back.
fn group_by_tail<T: Copy>(
    n: usize,
    arcs: Vec<(u32, u32, f64, f64)>,
    make: impl Fn(u32, f64, f64) -> T,
    key: impl Fn(&T) -> (u32, f64, f64),
) -> (Vec<u32>, Vec<T>) {
    let mut g = Grouping::new(n);
    for a in &arcs {
        g.count(a.0);
    }
    g.counted(make(0, 0.0, 0.0));
    for (u, v, t, d) in arcs {
        g.place(u, make(v, t, d));
    }
    g.finish(key)
}

impl Csr {
    /// Builds a graph on `n` nodes from `(tail, head, time_s, dist_m)` arcs.
    ///
    /// A counting sort by tail, then a sort of each node's few arcs by
    /// `(head, time, length)`: the same order as sorting the whole list,
    /// in `O(m)` plus small sorts.
    pub fn from_arcs(n: usize, arcs: Vec<(u32, u32, f64, f64)>) -> Self {
        let (first_out, placed) = group_by_tail(n, arcs, |v, t, d| (v, t, d), |a| *a);
        Csr::from_grouped(first_out, placed)
    }

    /// The graph of offsets `first_out` and `(head, time_s, dist_m)` arcs.
    fn from_grouped(first_out: Vec<u32>, placed: Vec<(u32, f64, f64)>) -> Self {
        Csr {
            first_out,
            head: placed.iter().map(|a| a.0).collect(),
            time_s: placed.iter().map(|a| a.1).collect(),
            dist_m: placed.iter().map(|a| a.2).collect(),
        }
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.first_out.len().saturating_sub(1)
    }

    /// Number of arcs.
    pub fn arc_count(&self) -> usize {
        self.head.len()
    }

    /// Arc index range leaving `u`.
    pub fn arcs(&self, u: u32) -> std::ops::Range<usize> {
        self.first_out[u as usize] as usize..self.first_out[u as usize + 1] as usize
    }

    /// The same graph with every arc reversed.
    pub fn reversed(&self) -> Self {
        let mut grouping = Grouping::new(self.node_count());
        for &v in &self.head {
            grouping.count(v);
        }
        grouping.counted((0, 0.0, 0.0));
        for u in 0..self.node_count() as u32 {
            for e in self.arcs(u) {
                grouping.place(self.head[e], (u, self.time_s[e], self.dist_m[e]));
            }
        }
        let (first_out, placed) = grouping.finish(|a| *a);
        Csr::from_grouped(first_out, placed)
    }
}

/// One arc of a [`SearchGraph`]: head, time and length side by side.
///
/// Packed (20 bytes, no padding): the search reads arcs in runs, and fewer
/// bytes per arc means fewer cache lines per settled node. Fields are read
/// by value only.
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(C, packed)]
pub struct SearchArc {
    /// Head node.
    pub head: u32,
    /// Travel time, seconds.
    pub time_s: f64,
    /// Length, metres.
    pub dist_m: f64,
}

/// A [`Csr`] graph in the search's layout: the same nodes, and the same arcs
/// in the same order, stored as [`SearchArc`] records.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchGraph {
    /// Arc offsets per node; length is `nodes + 1`.
    pub first_out: Vec<u32>,
    /// Arcs, grouped by tail node.
    pub arcs: Vec<SearchArc>,
}

impl SearchGraph {
    /// Builds a graph on `n` nodes from `(tail, head, time_s, dist_m)` arcs,
    /// ordered as [`Csr::from_arcs`] orders them, without the `Csr` in
    /// between (the peak holds the arc list and this graph only).
    pub fn from_arcs(n: usize, arcs: Vec<(u32, u32, f64, f64)>) -> Self {
        let (first_out, placed) = group_by_tail(
            n,
            arcs,
            |head, time_s, dist_m| SearchArc {
                head,
                time_s,
                dist_m,
            },
            |a| (a.head, a.time_s, a.dist_m),
        );
        SearchGraph {
            first_out,
            arcs: placed,
        }
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.first_out.len().saturating_sub(1)
    }

    /// Number of arcs.
    pub fn arc_count(&self) -> usize {
        self.arcs.len()
    }

    /// Arcs leaving `u`.
    pub fn arcs(&self, u: u32) -> &[SearchArc] {
        &self.arcs[self.first_out[u as usize] as usize..self.first_out[u as usize + 1] as usize]
    }
}

impl From<&Csr> for SearchGraph {
    fn from(g: &Csr) -> Self {
        SearchGraph {
            first_out: g.first_out.clone(),
            arcs: (0..g.arc_count())
                .map(|e| SearchArc {
                    head: g.head[e],
                    time_s: g.time_s[e],
                    dist_m: g.dist_m[e],
                })
                .collect(),
        }
    }
}

//! The production multi-source search: Dijkstra on a two-level bucket
//! queue, each label carrying the length of its path.
//!
//! **Parameters and result**: as [`multi_source_reference`]: seeds
//! `(node, time_s, dist_m, source)`; per node the least time
//! `T(v) = min_s (seed_s + path(s, v))` in seconds, the source attaining it
//! (ties to the lowest source), and the length in metres of that path.
//!
//! **Equal to the reference, bit for bit.** Labels leave the
//! [`BucketQueue`] in exactly the order they leave the reference's binary
//! heap — by `(time, source, node)`, time compared exactly — so the same
//! relaxations succeed in the same order and every time, source and length
//! is identical (tests check this on random graphs with ties and zero-time
//! arcs, and on the real fixture's graphs).
//!
//! **What makes it fast**:
//!
//! * the bucket queue: `O(1)` pushes into time buckets, and a binary heap
//!   only over the current bucket's few labels instead of the whole frontier;
//! * the [`SearchGraph`] layout: an arc's head, time and length in one
//!   record, so relaxing it reads one place;
//! * one packed 20-byte record per node holding its label (time, length,
//!   source). The offset of its first arc was once copied into it too, so
//!   that settling a node read one record, not the graph's offset array
//!   as well; on a national extract that cost 4 bytes a node in each of
//!   the searches running at once (63 MB on two threads at 7.8 M nodes)
//!   for no difference in time the benchmarks could tell from noise;
//! * before relaxing a node's arcs, the search reads the first arc of the
//!   node the queue returns next. The value is thrown away, but the load
//!   overlaps the relaxations, so that node's arcs are cached when it is
//!   settled (12–15 % less time on the benchmark networks; safe Rust has no
//!   prefetch instruction).
//!
//! **Preconditions**: seed and arc times are finite and non-negative (a
//! bucket queue needs monotone keys); [`crate::index::ProfileGraph`] only
//! makes such arcs.
//!
//! [`multi_source_reference`]: super::dijkstra::multi_source_reference

use super::dijkstra::{Seed, ShortestPaths, NO_SOURCE};
use super::queue::BucketQueue;
use crate::index::SearchGraph;

/// A node's label during the search. Packed (20 bytes, not 24): the
/// searches running at once each hold one a node. Fields are read by
/// value only.
#[derive(Clone, Copy)]
#[repr(C, packed(4))]
struct Node {
    time: f64,
    dist: f64,
    source: u32,
}

/// Runs a multi-source search over `graph` (see the module docs).
///
/// # Examples
/// Two facilities at either end of a path `0 — 1 — 2`; node 1 is nearer to
/// facility 1 (seeded at node 2):
/// ```
/// use remoteness::index::SearchGraph;
/// use remoteness::search::{multi_source, Seed};
/// let arcs = vec![(0, 1, 50.0, 500.0), (1, 0, 50.0, 500.0), (1, 2, 30.0, 300.0), (2, 1, 30.0, 300.0)];
/// let g = SearchGraph::from_arcs(3, arcs);
/// let seeds = [
///     Seed { node: 0, time_s: 0.0, dist_m: 0.0, source: 0 },
///     Seed { node: 2, time_s: 0.0, dist_m: 0.0, source: 1 },
/// ];
/// let sp = multi_source(&g, &seeds);
/// assert_eq!((sp.time_s[1], sp.dist_m[1], sp.source[1]), (30.0, 300.0, 1));
/// ```
pub fn multi_source(graph: &SearchGraph, seeds: &[Seed]) -> ShortestPaths {
    into_labels(multi_source_work(graph, seeds).0)
}

/// The search's work array after [`multi_source`]'s search: every node's
/// label, read in place ([`Work::label`]) by a caller that needs a few
/// nodes' labels and not [`ShortestPaths`] (which would copy all of them,
/// another 20 bytes a node).
pub struct Work(Vec<Node>);

impl Work {
    /// `(seconds, metres, source)` of node `v` as in [`multi_source`]'s
    /// labels, `None` when unreached.
    #[inline]
    pub fn label(&self, v: u32) -> Option<(f64, f64, u32)> {
        let l = &self.0[v as usize];
        (l.source != NO_SOURCE).then_some((l.time, l.dist, l.source))
    }
}

/// As [`multi_source`], the labels left in the work array.
pub fn multi_source_work(graph: &SearchGraph, seeds: &[Seed]) -> Work {
    let mut node: Vec<Node> = vec![
        Node {
            time: f64::INFINITY,
            dist: f64::INFINITY,
            source: NO_SOURCE,
        };
        graph.node_count()
    ];
    let first_out = &graph.first_out[..];
    let (typical, max) = arc_time_sample(graph);
    let mut queue = BucketQueue::for_arcs(typical, max);
    for s in seeds {
        assert!(
            s.time_s >= 0.0 && s.time_s.is_finite(),
            "seed times must be finite and non-negative"
        );
        let r = &mut node[s.node as usize];
        if better(s.time_s, s.source, r) {
            (r.time, r.dist, r.source) = (s.time_s, s.dist_m, s.source);
            queue.push(s.time_s, s.source, s.node);
        }
    }

    let arcs = &graph.arcs[..];
    let mut touched = 0u32;
    while let Some((time, src, u)) = queue.pop() {
        let r = node[u as usize];
        if time != r.time || src != r.source {
            continue; // stale
        }
        // Start loading the next node's arcs while this one is relaxed
        // (see the module docs).
        if let Some(next) = queue.peek_node() {
            let f = first_out[next as usize] as usize;
            touched ^= arcs.get(f).map_or(0, |a| a.head);
        }
        let (start, end) = (first_out[u as usize], first_out[u as usize + 1]);
        for a in &arcs[start as usize..end as usize] {
            let (v, t) = (a.head, time + a.time_s);
            let l = &mut node[v as usize];
            if better(t, src, l) {
                (l.time, l.dist, l.source) = (t, r.dist + a.dist_m, src);
                queue.push(t, src, v);
            }
        }
    }

    std::hint::black_box(touched);
    Work(node)
}

/// Nodes moved from the work array to the labels per block.
const BLOCK: usize = 1 << 16;

/// The labels of the work array `node`, moved out a block at a time from
/// its end, each block's memory handed back (`shrink_to_fit`) before the
/// next block is written. The labels start zeroed (`vec![0; n]`: memory
/// the system has not handed out yet, its pages touched only as they are
/// written), so the peak holds about one work array rather than the work
/// array and every label (20 + 20 bytes a node).
fn into_labels(mut node: Vec<Node>) -> ShortestPaths {
    let n = node.len();
    let mut out = ShortestPaths {
        time_s: vec![0.0; n],
        dist_m: vec![0.0; n],
        source: vec![0; n],
    };
    while !node.is_empty() {
        let start = node.len().saturating_sub(BLOCK);
        for (k, l) in node.iter().enumerate().skip(start) {
            (out.time_s[k], out.dist_m[k], out.source[k]) = (l.time, l.dist, l.source);
        }
        node.truncate(start);
        node.shrink_to_fit();
    }
    out
}

#[inline]
fn better(t: f64, s: u32, old: &Node) -> bool {
    t < old.time || (t == old.time && s < old.source)
}

/// Mean and largest time of up to 4096 arcs spread over the graph: they
/// size the queue's buckets (speed only; any size gives the same result).
pub(crate) fn arc_time_sample(graph: &SearchGraph) -> (f64, f64) {
    let m = graph.arc_count();
    if m == 0 {
        return (1.0, 1.0);
    }
    let step = m.div_ceil(4096);
    let (mut sum, mut max, mut count) = (0.0, 0.0f64, 0usize);
    for a in graph.arcs.iter().step_by(step) {
        let t = a.time_s;
        sum += t;
        max = max.max(t);
        count += 1;
    }
    (sum / count as f64, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Labels moved out block by block equal the labels read off the
    /// work array, bit for bit, whatever the count of nodes against the
    /// block size.
    #[test]
    fn labels_moved_out_by_blocks_equal_labels_read_at_once() {
        let mut lcg = crate::test_rng::Lcg::new(17);
        let mut next = move || lcg.bits() >> 11;
        for n in [0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 7] {
            let node: Vec<Node> = (0..n)
                .map(|k| Node {
                    time: f64::from_bits(next()),
                    dist: f64::from_bits(next()),
                    source: (next() as u32) | (k as u32 & 1),
                })
                .collect();
            let want = ShortestPaths {
                time_s: node.iter().map(|l| l.time).collect(),
                dist_m: node.iter().map(|l| l.dist).collect(),
                source: node.iter().map(|l| l.source).collect(),
            };
            let got = into_labels(node);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&got.time_s), bits(&want.time_s), "{n} nodes");
            assert_eq!(bits(&got.dist_m), bits(&want.dist_m), "{n} nodes");
            assert_eq!(got.source, want.source, "{n} nodes");
        }
    }

    /// The labels read in place off the work array are `multi_source`'s
    /// labels, bit for bit, unreached nodes (`None`) included.
    #[test]
    fn labels_read_off_the_work_array_equal_the_copied_labels() {
        let mut rng = crate::test_rng::Lcg::new(29);
        for round in 0..40 {
            let n = 1 + rng.below(60);
            let arcs: Vec<(u32, u32, f64, f64)> = (0..rng.below(3 * n))
                .map(|_| {
                    let t = (rng.below(4) as f64) * 7.5;
                    (
                        rng.below(n) as u32,
                        rng.below(n) as u32,
                        t,
                        rng.unit() * 100.0,
                    )
                })
                .collect();
            let g = SearchGraph::from_arcs(n, arcs);
            let seeds: Vec<Seed> = (0..rng.below(4))
                .map(|s| Seed {
                    node: rng.below(n) as u32,
                    time_s: rng.below(3) as f64,
                    dist_m: rng.unit() * 10.0,
                    source: s as u32,
                })
                .collect();
            let want = multi_source(&g, &seeds);
            let work = multi_source_work(&g, &seeds);
            for v in 0..n as u32 {
                let k = v as usize;
                let copied = (want.source[k] != NO_SOURCE).then(|| {
                    (
                        want.time_s[k].to_bits(),
                        want.dist_m[k].to_bits(),
                        want.source[k],
                    )
                });
                let read = work.label(v).map(|(t, d, s)| (t.to_bits(), d.to_bits(), s));
                assert_eq!(read, copied, "round {round}, node {v}");
            }
        }
    }
}

//! The bounded search against its reference: the plain binary-heap
//! Dijkstra it replaced, visit for visit, bit for bit.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::*;

/// A reference label (min-heap on time, then node).
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

/// The reference: Dijkstra on `std`'s binary heap, stopped at `cutoff`.
fn reference(g: &SearchGraph, seeds: &[(u32, f64)], cutoff: f64) -> Vec<(u32, f64)> {
    let mut time = vec![f64::INFINITY; g.node_count()];
    let mut heap = BinaryHeap::new();
    for &(v, t) in seeds {
        if t <= cutoff && t < time[v as usize] {
            time[v as usize] = t;
            heap.push(Label(t, v));
        }
    }
    let mut out = Vec::new();
    while let Some(Label(t, u)) = heap.pop() {
        if t > time[u as usize] {
            continue;
        }
        out.push((u, t));
        for a in g.arcs(u) {
            let tv = t + a.time_s;
            if tv <= cutoff && tv < time[a.head as usize] {
                time[a.head as usize] = tv;
                heap.push(Label(tv, a.head));
            }
        }
    }
    out
}

fn visits(
    b: &mut BoundedSearch,
    g: &SearchGraph,
    seeds: &[(u32, f64)],
    cutoff: f64,
) -> Vec<(u32, f64)> {
    let mut out = Vec::new();
    b.run(g, seeds, cutoff, |v, t| out.push((v, t)));
    out
}

fn bits(v: &[(u32, f64)]) -> Vec<(u32, u64)> {
    v.iter().map(|&(n, t)| (n, t.to_bits())).collect()
}

#[test]
fn pooled_buffers_come_back_reset_and_dirty_ones_are_dropped() {
    // A path 0 - 1 - … - 9, 10 s an arc each way.
    let arcs = (0..9u32)
        .flat_map(|v| [(v, v + 1, 10.0, 100.0), (v + 1, v, 10.0, 100.0)])
        .collect();
    let g = SearchGraph::from_arcs(10, arcs);
    let seed = [(4, 0.0)];
    let want = visits(&mut BoundedSearch::new(10), &g, &seed, 25.0);
    assert_eq!(want, [(4, 0.0), (3, 10.0), (5, 10.0), (2, 20.0), (6, 20.0)]);
    let mut b = BoundedSearch::pooled(10);
    assert_eq!(visits(&mut b, &g, &seed, 25.0), want);
    b.release();
    let mut b = BoundedSearch::pooled(10);
    assert_eq!(visits(&mut b, &g, &seed, 25.0), want);
    // Left dirty (as by a panic mid-search): not pooled again.
    b.f.improve(7, 1.0);
    b.release();
    let mut b = BoundedSearch::pooled(10);
    assert!(b.f.touched.is_empty() && b.f.time.iter().all(|t| t.is_infinite()));
    assert!(b.f.queue.is_empty());
    assert_eq!(visits(&mut b, &g, &seed, 25.0), want);
}

/// Random graphs whose arc times come from a handful of values (zero
/// among them, and long arcs past the queue's window), so that equal
/// labels and zero-time cycles abound; several seeds, some repeated or at
/// −0 (read as +0); cutoffs from none to all. One set of buffers runs every
/// search, over graphs of one size with different arcs, as a pooled one
/// would.
#[test]
fn equals_the_binary_heap_reference_bit_for_bit() {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut rnd = move |m: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % m
    };
    const TIMES: [f64; 8] = [0.0, 0.0, 0.5, 1.0, 1.0, 1.5, 0.1 + 0.2, 400.0];
    let n = 60;
    let mut b = BoundedSearch::new(n);
    let mut visited = 0;
    for _ in 0..300 {
        let m = rnd(4 * n as u64) as usize;
        let arcs: Vec<(u32, u32, f64, f64)> = (0..m)
            .map(|_| {
                let (u, v) = (rnd(n as u64) as u32, rnd(n as u64) as u32);
                (u, v, TIMES[rnd(8) as usize], 1.0)
            })
            .collect();
        let g = SearchGraph::from_arcs(n, arcs);
        let seeds: Vec<(u32, f64)> = (0..1 + rnd(4))
            .map(|_| {
                let t = match rnd(4) {
                    0 => -0.0,
                    1 => 0.0,
                    _ => rnd(4) as f64 * 0.5,
                };
                (rnd(n as u64) as u32, t)
            })
            .collect();
        for cutoff in [0.0, 1.0, 2.5, 7.0, 1e9, f64::INFINITY] {
            let plus_zero: Vec<_> = seeds.iter().map(|&(v, t)| (v, t + 0.0)).collect();
            let want = reference(&g, &plus_zero, cutoff);
            let got = visits(&mut b, &g, &seeds, cutoff);
            assert_eq!(bits(&got), bits(&want), "seeds {seeds:?}, cutoff {cutoff}");
            visited += got.len();
        }
    }
    assert!(visited > 10_000, "the cases reach far enough: {visited}");
}

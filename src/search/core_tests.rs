//! The core search against the full bounded search it stands in for: the
//! same time at every terminal, bit for bit, on random road-like graphs.

use super::*;
use crate::search::bounded::BoundedSearch;

/// Arc times whose sums round differently in different orders.
const TIMES: [f64; 10] = [
    0.0,
    0.1,
    0.2,
    0.3,
    1.0 / 3.0,
    0.7,
    12.345,
    1e-3,
    400.0,
    3.0 / 1_073_741_824.0,
];

struct Rng(u64);
impl Rng {
    fn below(&mut self, m: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % m
    }
    fn time(&mut self) -> f64 {
        TIMES[self.below(TIMES.len() as u64) as usize]
    }
}

/// A road-like graph: random junction links subdivided into chains of
/// shape points, each hop one-way either way or two-way (one-way conflicts
/// inside chains included), with parallel arcs, self-loops, dead-end trees
/// and a ring with no junction. Returns the node count and arcs.
fn road_like(r: &mut Rng) -> (usize, Vec<(u32, u32, f64, f64)>) {
    let junctions = 2 + r.below(12) as u32;
    let mut n = junctions;
    let mut arcs = Vec::new();
    let link = |r: &mut Rng, n: &mut u32, arcs: &mut Vec<_>, a: u32, b: Option<u32>| {
        let len = r.below(5) as u32;
        let mut path = vec![a];
        for _ in 0..len {
            path.push(*n);
            *n += 1;
        }
        if let Some(b) = b {
            path.push(b);
        }
        let oneway = r.below(3);
        for w in path.windows(2) {
            let (x, y) = (w[0], w[1]);
            // Mostly the link's direction; now and then a hop against it.
            let dir = if r.below(10) == 0 { r.below(3) } else { oneway };
            if dir != 1 {
                arcs.push((x, y, r.time(), 1.0));
            }
            if dir != 2 {
                arcs.push((y, x, r.time(), 1.0));
            }
            if r.below(8) == 0 {
                arcs.push((x, y, r.time(), 2.0)); // parallel
            }
            if r.below(20) == 0 {
                arcs.push((x, x, r.time(), 1.0)); // self-loop
            }
        }
    };
    for _ in 0..r.below(3 * u64::from(junctions)) {
        let (a, b) = (
            r.below(u64::from(junctions)) as u32,
            r.below(u64::from(junctions)) as u32,
        );
        link(r, &mut n, &mut arcs, a, Some(b));
    }
    for _ in 0..r.below(6) {
        // A spur from any node so far: dead-end trees, some branching.
        let a = r.below(u64::from(n)) as u32;
        link(r, &mut n, &mut arcs, a, None);
    }
    if r.below(2) == 0 {
        // A ring of shape points alone.
        let start = n;
        let k = 3 + r.below(3) as u32;
        for i in 0..k {
            arcs.push((start + i, start + (i + 1) % k, r.time(), 1.0));
        }
        n += k;
    }
    (n as usize, arcs)
}

fn sorted_bits(mut v: Vec<(u32, f64)>) -> Vec<(u32, u64)> {
    v.sort_by_key(|x| x.0);
    v.into_iter().map(|(u, t)| (u, t.to_bits())).collect()
}

#[test]
fn core_times_equal_the_full_search_bit_for_bit() {
    let mut r = Rng(0x2545_f491_4f6c_dd1d);
    let (mut cases, mut visited, mut chained) = (0, 0, 0);
    for _ in 0..600 {
        let (n, arcs) = road_like(&mut r);
        let g = SearchGraph::from_arcs(n, arcs);
        let terminals: Vec<bool> = (0..n).map(|_| r.below(4) == 0).collect();
        let core = CoreGraph::build(&g, |v| terminals[v as usize]);
        assert!(
            (0..n as u32)
                .filter(|&v| terminals[v as usize])
                .all(|v| core.contains(v)),
            "every terminal is in the core"
        );
        chained += n - core.node_count();
        let mut full = BoundedSearch::new(n);
        let mut fast = CoreSearch::new(core.node_count());
        for _ in 0..4 {
            let seeds: Vec<(u32, f64)> = (0..1 + r.below(3))
                .map(|_| {
                    let t = match r.below(4) {
                        0 => -0.0,
                        1 => 0.0,
                        _ => r.time(),
                    };
                    (r.below(n as u64) as u32, t)
                })
                .collect();
            for cutoff in [0.0, 0.35, 1.0, 13.0, 1e9, f64::INFINITY] {
                let mut want = Vec::new();
                full.run(&g, &seeds, cutoff, |v, t| {
                    if terminals[v as usize] {
                        want.push((v, t));
                    }
                });
                let mut got = Vec::new();
                fast.run(&core, &g, &seeds, cutoff, |v, t| got.push((v, t)));
                visited += want.len();
                assert_eq!(
                    sorted_bits(got),
                    sorted_bits(want),
                    "seeds {seeds:?}, cutoff {cutoff}"
                );
                cases += 1;
            }
        }
    }
    assert!(
        cases > 10_000 && visited > 20_000,
        "{cases} cases, {visited} visits"
    );
    assert!(chained > 5_000, "the graphs have chains to fold: {chained}");
}

#[test]
fn pooled_buffers_come_back_reset() {
    let g = SearchGraph::from_arcs(3, vec![(0, 1, 1.0, 1.0), (1, 2, 1.0, 1.0)]);
    let core = CoreGraph::build(&g, |v| v != 1);
    assert_eq!((core.node_count(), core.arc_count()), (2, 1));
    let mut s = CoreSearch::pooled(core.node_count());
    let mut seen = Vec::new();
    s.run(&core, &g, &[(1, 0.5)], 10.0, |v, t| seen.push((v, t)));
    assert_eq!(
        seen,
        vec![(2, 1.5)],
        "a seed on a chain is carried to its end"
    );
    s.release();
    let s = CoreSearch::pooled(core.node_count());
    assert!(s.f.touched.is_empty() && s.f.time.iter().all(|t| t.is_infinite()));
}

/// Each node's neighbours as a sorted set of the arcs' ends (self-loops
/// left out): the reference `Neighbours::of` is checked against.
#[test]
fn neighbours_are_each_nodes_distinct_arc_ends() {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..300 {
        let (n, arcs) = road_like(&mut r);
        let mut want = vec![std::collections::BTreeSet::new(); n];
        for &(u, v, _, _) in &arcs {
            if u != v {
                want[u as usize].insert(v);
                want[v as usize].insert(u);
            }
        }
        let g = SearchGraph::from_arcs(n, arcs);
        let nb = Neighbours::of(&g);
        assert_eq!(nb.first.len(), n + 1);
        assert_eq!(nb.list.len(), nb.list.capacity(), "no room kept");
        for (v, w) in want.iter().enumerate() {
            let got = nb.of_node(v as u32);
            assert!(got.iter().copied().eq(w.iter().copied()), "node {v}");
        }
    }
}

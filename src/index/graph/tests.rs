//! The CSR builders against the grouping they replaced (the whole arc
//! list counted, copied into place, each node's arcs sorted), and the
//! profile graph against building the forward graph first.

use super::*;
use crate::config::Profile;
use crate::index::network::RoadNetwork;
use crate::model::{LonLat, Oneway, Road};
use crate::test_rng::Lcg;
use crate::units::Meters;

/// A seeded generator of `0..m`.
fn rng(seed: u64) -> impl FnMut(usize) -> usize {
    let mut lcg = Lcg::new(seed);
    move |m| lcg.below(m)
}

/// The grouping the builders replaced: a counting sort of the whole
/// `(tail, head, time, length)` list copied into place in list order, then
/// each node's arcs sorted by `(head, time, length)`.
fn reference_group(n: usize, arcs: Vec<(u32, u32, f64, f64)>) -> (Vec<u32>, Vec<(u32, f64, f64)>) {
    let mut first_out = vec![0u32; n + 1];
    for a in &arcs {
        first_out[a.0 as usize + 1] += 1;
    }
    for i in 0..n {
        first_out[i + 1] += first_out[i];
    }
    let mut next = first_out.clone();
    let mut placed = vec![(0, 0.0, 0.0); arcs.len()];
    for (u, v, t, d) in arcs {
        let slot = &mut next[u as usize];
        placed[*slot as usize] = (v, t, d);
        *slot += 1;
    }
    for u in 0..n {
        placed[first_out[u] as usize..first_out[u + 1] as usize].sort_unstable_by(|x, y| {
            x.0.cmp(&y.0)
                .then(x.1.total_cmp(&y.1))
                .then(x.2.total_cmp(&y.2))
        });
    }
    (first_out, placed)
}

/// A graph's offsets and arcs, times and lengths as bits.
type Bits = (Vec<u32>, Vec<(u32, u64, u64)>);

fn bits_of(first_out: &[u32], arcs: impl Iterator<Item = (u32, f64, f64)>) -> Bits {
    let arcs = arcs
        .map(|(h, t, d)| (h, t.to_bits(), d.to_bits()))
        .collect();
    (first_out.to_vec(), arcs)
}

fn csr_bits(g: &Csr) -> Bits {
    let arcs = (0..g.arc_count()).map(|e| (g.head[e], g.time_s[e], g.dist_m[e]));
    bits_of(&g.first_out, arcs)
}

fn search_bits(g: &SearchGraph) -> Bits {
    bits_of(
        &g.first_out,
        g.arcs.iter().map(|a| (a.head, a.time_s, a.dist_m)),
    )
}

fn reference_bits(n: usize, arcs: Vec<(u32, u32, f64, f64)>) -> Bits {
    let (first_out, placed) = reference_group(n, arcs);
    bits_of(&first_out, placed.into_iter())
}

/// Random arc lists full of ties (parallel arcs, equal times and lengths,
/// `0.0` and `-0.0`, nodes without arcs): every builder groups them as the
/// reference does, bit for bit.
#[test]
fn builders_equal_the_reference_grouping() {
    let mut rnd = rng(11);
    let times = [0.0, -0.0, 1.0, 2.5, 2.5, 7.0];
    for round in 0..300 {
        let n = 1 + rnd(12);
        let arcs: Vec<(u32, u32, f64, f64)> = (0..rnd(4 * n + 3))
            .map(|_| {
                let t = times[rnd(times.len())];
                let d = [1.0, 2.0, 0.5][rnd(3)];
                (rnd(n) as u32, rnd(n) as u32, t, d)
            })
            .collect();
        let want = reference_bits(n, arcs.clone());
        let csr = Csr::from_arcs(n, arcs.clone());
        assert_eq!(csr_bits(&csr), want, "Csr, round {round}");
        let search = SearchGraph::from_arcs(n, arcs.clone());
        assert_eq!(search_bits(&search), want, "SearchGraph, round {round}");
        let flipped = arcs.iter().map(|&(u, v, t, d)| (v, u, t, d)).collect();
        assert_eq!(
            csr_bits(&csr.reversed()),
            reference_bits(n, flipped),
            "reversed, round {round}"
        );
    }
}

/// Random roads over a few points (parallel segments, loops back, one-way
/// roads, classes of equal and of different speeds), with and without
/// slope factors: the reverse graph built from the segments equals the
/// reference grouping of the reversed arc list the builder used to make,
/// and the lazy forward graph that of the forward list.
#[test]
fn profile_graphs_equal_the_reference_grouping() {
    let mut rnd = rng(5);
    for round in 0..60 {
        let pts: Vec<LonLat> = (0..3 + rnd(30))
            .map(|i| LonLat::new(0.001 * (i % 6) as f64, 0.001 * (i / 6) as f64))
            .collect();
        let roads: Vec<Road> = (0..1 + rnd(80))
            .map(|k| Road {
                id: k.to_string(),
                class: ["primary", "track", "path", "footway"][rnd(4)].into(),
                oneway: [Oneway::No, Oneway::Forward, Oneway::Backward][rnd(3)],
                maxspeed: None,
                vertices: (0..2 + rnd(4))
                    .map(|_| (None, pts[rnd(pts.len())]))
                    .collect(),
                passability: Vec::new(),
                joinable: true,
            })
            .collect();
        let mut net = RoadNetwork::build(&roads);
        if round % 2 == 1 {
            let factors = [1.0, 1.25, 0.8, 1.25];
            net.slope = (0..net.segments.len())
                .map(|_| [factors[rnd(4)], factors[rnd(4)]])
                .collect();
            net.slope_profiles = vec!["drive".into()];
        }
        let profile = Profile {
            name: "drive".into(),
            speeds_kmh: [
                ("primary".to_string(), 50.0),
                ("track".to_string(), 50.0),
                ("path".to_string(), 7.0),
            ]
            .into(),
            offroad_kmh: 5.0,
            oneway: round % 3 != 0,
            use_maxspeed: false,
            no_road_kmh: 30.0,
        };
        let g = ProfileGraph::build(&net, &profile);
        let sloped = net.sloped("drive");
        let mut arcs = Vec::new();
        for (i, s) in net.segments.iter().enumerate() {
            let Some(u) = g.segment_use[i] else { continue };
            let time = |fw| segment_time(&net, sloped, i, u, Meters(s.len_m), fw);
            if u.forward {
                arcs.push((s.a, s.b, time(true), s.len_m));
            }
            if u.backward {
                arcs.push((s.b, s.a, time(false), s.len_m));
            }
        }
        let n = net.nodes.len();
        let reversed = arcs.iter().map(|&(u, v, t, d)| (v, u, t, d)).collect();
        assert_eq!(
            search_bits(&g.reverse),
            reference_bits(n, reversed),
            "reverse, round {round}"
        );
        assert_eq!(
            csr_bits(g.forward()),
            reference_bits(n, arcs),
            "forward, round {round}"
        );
    }
}

#[test]
fn csr_layout_and_reverse() {
    let g = Csr::from_arcs(
        3,
        vec![(1, 2, 5.0, 50.0), (0, 1, 1.0, 10.0), (0, 2, 9.0, 90.0)],
    );
    assert_eq!(g.first_out, vec![0, 2, 3, 3]);
    assert_eq!(g.head, vec![1, 2, 2]);
    let r = g.reversed();
    assert_eq!(r.first_out, vec![0, 0, 1, 3]);
    assert_eq!(r.head, vec![0, 0, 1]);
    assert_eq!(r.time_s, vec![1.0, 9.0, 5.0]);
    let s = SearchGraph::from(&r);
    assert_eq!(s.first_out, r.first_out);
    let arc = s.arcs(2)[1];
    assert_eq!((arc.head, arc.time_s, arc.dist_m), (1, 5.0, 50.0));
    assert_eq!(std::mem::size_of::<SearchArc>(), 20);
}

/// The graphs built through the reversed arc list (and the forward one
/// rebuilt from the reverse) equal building the forward graph first and
/// reversing it, arc order included: parallel arcs, equal times,
/// one-way roads.
#[test]
fn reverse_first_equals_forward_first() {
    let mut lcg = Lcg::new(7);
    let mut next = move || (lcg.bits() >> 33) as usize;
    let pts: Vec<LonLat> = (0..40)
        .map(|i| LonLat::new(0.001 * (i % 7) as f64, 0.001 * (i / 7) as f64))
        .collect();
    let roads: Vec<Road> = (0..120)
        .map(|k| Road {
            id: k.to_string(),
            class: ["primary", "track"][next() % 2].into(),
            oneway: [Oneway::No, Oneway::Forward, Oneway::Backward][next() % 3],
            maxspeed: None,
            vertices: (0..2 + next() % 3)
                .map(|_| (None, pts[next() % pts.len()]))
                .collect(),
            passability: Vec::new(),
            joinable: true,
        })
        .collect();
    let net = RoadNetwork::build(&roads);
    let profile = Profile {
        name: "drive".into(),
        speeds_kmh: [("primary".to_string(), 50.0), ("track".to_string(), 50.0)].into(),
        offroad_kmh: 5.0,
        oneway: true,
        use_maxspeed: false,
        no_road_kmh: 30.0,
    };
    let g = ProfileGraph::build(&net, &profile);
    let mut arcs = Vec::new();
    for (i, s) in net.segments.iter().enumerate() {
        let Some(u) = g.segment_use[i] else { continue };
        let t = u.speed.time_for(Meters(s.len_m)).0;
        if u.forward {
            arcs.push((s.a, s.b, t, s.len_m));
        }
        if u.backward {
            arcs.push((s.b, s.a, t, s.len_m));
        }
    }
    let forward = Csr::from_arcs(net.nodes.len(), arcs);
    assert!(forward.arc_count() > 100);
    assert_eq!(g.reverse, SearchGraph::from(&forward.reversed()));
    let lazy = g.forward();
    assert_eq!(lazy.first_out, forward.first_out);
    assert_eq!(lazy.head, forward.head);
    assert_eq!(lazy.time_s, forward.time_s);
    assert_eq!(lazy.dist_m, forward.dist_m);
}

#[test]
fn search_graph_built_directly_equals_the_converted_csr() {
    let arcs = vec![
        (2, 0, 3.0, 30.0),
        (0, 2, 9.0, 1.0),
        (0, 1, 1.0, 10.0),
        (0, 2, 9.0, 0.5),
        (0, 2, 2.0, 7.0),
    ];
    assert_eq!(
        SearchGraph::from_arcs(3, arcs.clone()),
        SearchGraph::from(&Csr::from_arcs(3, arcs))
    );
}

//! The multi-source search against a brute-force reference and petgraph's
//! Dijkstra, on random graphs; and the fast search (radix heap) against the
//! reference binary-heap search, bit for bit, on random graphs full of ties
//! and on the real fixture's graphs.

use proptest::prelude::*;
use remoteness::config::Settings;
use remoteness::index::{Csr, ProfileGraph, RoadNetwork, SearchGraph};
use remoteness::search::ch::Hierarchy;
use remoteness::search::{multi_source, multi_source_reference, Seed, NO_SOURCE};

/// Brute force: Bellman–Ford relaxation of every arc until nothing changes,
/// from a virtual source joined to every seed. Returns per-node least time
/// and the length of that path (unique with continuous random weights).
fn brute_force_paths(
    n: usize,
    arcs: &[(u32, u32, f64, f64)],
    seeds: &[Seed],
) -> (Vec<f64>, Vec<f64>) {
    let mut d = vec![f64::INFINITY; n];
    let mut len = vec![f64::INFINITY; n];
    for s in seeds {
        if s.time_s < d[s.node as usize] {
            d[s.node as usize] = s.time_s;
            len[s.node as usize] = s.dist_m;
        }
    }
    for _ in 0..=n {
        let mut changed = false;
        for &(u, v, t, l) in arcs {
            let c = d[u as usize] + t;
            if c < d[v as usize] {
                d[v as usize] = c;
                len[v as usize] = len[u as usize] + l;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    (d, len)
}

fn brute_force(n: usize, arcs: &[(u32, u32, f64, f64)], seeds: &[Seed]) -> Vec<f64> {
    brute_force_paths(n, arcs, seeds).0
}

/// Least time from one seed's start to every node (to check the source a
/// node was assigned to really attains the minimum).
fn from_one(n: usize, arcs: &[(u32, u32, f64, f64)], seed: &Seed) -> Vec<f64> {
    brute_force(n, arcs, std::slice::from_ref(seed))
}

/// Node count, arcs `(tail, head, time_s, dist_m)` and seeds.
type Case = (usize, Vec<(u32, u32, f64, f64)>, Vec<Seed>);

fn graph_strategy() -> impl Strategy<Value = Case> {
    (2usize..40).prop_flat_map(|n| {
        let arc = (0..n as u32, 0..n as u32, 0.0f64..100.0, 0.0f64..1000.0);
        let seed = (0..n as u32, 0.0f64..50.0, 0.0f64..500.0);
        (
            Just(n),
            prop::collection::vec(arc, 0..n * 4),
            prop::collection::vec(seed, 1..6),
        )
            .prop_map(|(n, arcs, seeds)| {
                let seeds = seeds
                    .into_iter()
                    .enumerate()
                    .map(|(i, (node, t, d))| Seed {
                        node,
                        time_s: t,
                        dist_m: d,
                        source: i as u32,
                    })
                    .collect();
                (n, arcs, seeds)
            })
    })
}

fn close(a: f64, b: f64) -> bool {
    (a.is_infinite() && b.is_infinite()) || (a - b).abs() <= 1e-9 * a.abs().max(1.0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn multi_source_equals_brute_force((n, arcs, seeds) in graph_strategy()) {
        let g = SearchGraph::from_arcs(n, arcs.clone());
        let sp = multi_source(&g, &seeds);
        let (reference, ref_len) = brute_force_paths(n, &arcs, &seeds);
        for v in 0..n {
            prop_assert!(close(sp.time_s[v], reference[v]), "node {v}: {} vs {}", sp.time_s[v], reference[v]);
            prop_assert!(close(sp.dist_m[v], ref_len[v]), "node {v} length: {} vs {}", sp.dist_m[v], ref_len[v]);
            if reference[v].is_finite() {
                let s = sp.source[v];
                prop_assert!(s != NO_SOURCE);
                // The assigned source really attains the minimum (exact ties
                // are covered by `ties_go_to_the_lowest_source`).
                let own = from_one(n, &arcs, &seeds[s as usize])[v];
                prop_assert!(close(own, reference[v]));
            } else {
                prop_assert_eq!(sp.source[v], NO_SOURCE);
            }
        }
    }
}

#[test]
fn agrees_with_petgraph_dijkstra_on_random_graphs() {
    use petgraph::algo::dijkstra;
    use petgraph::graph::{DiGraph, NodeIndex};
    let mut rng = crate::common::Rng(7);
    for _ in 0..50 {
        let (n, arcs, seeds) = crate::common::random_case(&mut rng, 300, 5, 0.0);
        let sp = multi_source(&SearchGraph::from_arcs(n, arcs.clone()), &seeds);
        // petgraph: a virtual node n joined to each seed at its starting cost.
        let mut g = DiGraph::<(), f64>::new();
        for _ in 0..=n {
            g.add_node(());
        }
        for &(u, v, t, _) in &arcs {
            g.add_edge(NodeIndex::new(u as usize), NodeIndex::new(v as usize), t);
        }
        for s in &seeds {
            g.add_edge(NodeIndex::new(n), NodeIndex::new(s.node as usize), s.time_s);
        }
        let pg = dijkstra(&g, NodeIndex::new(n), None, |e| *e.weight());
        for v in 0..n {
            match pg.get(&NodeIndex::new(v)) {
                Some(t) => assert!(close(sp.time_s[v], *t), "{} vs {t}", sp.time_s[v]),
                None => assert!(sp.time_s[v].is_infinite()),
            }
        }
    }
}

#[test]
fn distance_rides_along_the_fastest_path() {
    // 0 →(fast, long) 1 and 0 →(slow, short) 1: the time-optimal path wins
    // and its length is reported, not the shortest length.
    let g = SearchGraph::from_arcs(2, vec![(0, 1, 10.0, 5000.0), (0, 1, 60.0, 1000.0)]);
    let sp = multi_source(
        &g,
        &[Seed {
            node: 0,
            time_s: 0.0,
            dist_m: 0.0,
            source: 0,
        }],
    );
    assert_eq!(sp.time_s[1], 10.0);
    assert_eq!(sp.dist_m[1], 5000.0);
}

#[test]
fn ties_go_to_the_lowest_source() {
    // Two sources at equal time from node 1: source 0 must win whichever is
    // seeded first.
    let g = SearchGraph::from_arcs(3, vec![(0, 1, 5.0, 5.0), (2, 1, 5.0, 5.0)]);
    let a = Seed {
        node: 0,
        time_s: 0.0,
        dist_m: 0.0,
        source: 0,
    };
    let b = Seed {
        node: 2,
        time_s: 0.0,
        dist_m: 0.0,
        source: 1,
    };
    assert_eq!(multi_source(&g, &[a, b]).source[1], 0);
    assert_eq!(multi_source(&g, &[b, a]).source[1], 0);
}

/// Random graphs made for ties: small integer times (zero included), so many
/// paths and sources tie exactly; continuous lengths, so a tie broken the
/// wrong way shows in the length; nodes with no arcs; up to 40 sources,
/// several sometimes on one node.
fn tie_strategy() -> impl Strategy<Value = Case> {
    (2usize..60).prop_flat_map(|n| {
        let arc = (0..n as u32, 0..n as u32, 0u8..4, 0.0f64..1000.0);
        let seed = (0..n as u32, 0u8..3, 0.0f64..500.0);
        (
            Just(n),
            prop::collection::vec(arc, 0..n * 3),
            prop::collection::vec(seed, 1..40),
            0.0f64..1.0,
        )
            .prop_map(|(n, arcs, seeds, scale)| {
                // A scale makes times non-integers that still tie exactly.
                let scale = 0.1 + scale;
                let arcs = arcs
                    .into_iter()
                    .map(|(u, v, t, d)| (u, v, f64::from(t) * scale, d))
                    .collect();
                let seeds = seeds
                    .into_iter()
                    .enumerate()
                    .map(|(i, (node, t, d))| Seed {
                        node,
                        time_s: f64::from(t) * scale,
                        dist_m: d,
                        source: i as u32,
                    })
                    .collect();
                (n, arcs, seeds)
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn fast_equals_reference_with_ties((n, arcs, seeds) in tie_strategy()) {
        let g = Csr::from_arcs(n, arcs);
        let fast = multi_source(&SearchGraph::from(&g), &seeds);
        prop_assert_eq!(fast, multi_source_reference(&g, &seeds));
    }

    #[test]
    fn fast_equals_reference_continuous((n, arcs, seeds) in graph_strategy()) {
        let g = Csr::from_arcs(n, arcs);
        let fast = multi_source(&SearchGraph::from(&g), &seeds);
        prop_assert_eq!(fast, multi_source_reference(&g, &seeds));
    }
}

#[test]
fn fast_equals_reference_on_larger_random_graphs() {
    let mut rng = crate::common::Rng(11);
    for _ in 0..30 {
        let (n, arcs, seeds) = crate::common::random_case(&mut rng, 3000, 200, 0.0);
        let g = Csr::from_arcs(n, arcs);
        let fast = multi_source(&SearchGraph::from(&g), &seeds);
        assert_eq!(fast, multi_source_reference(&g, &seeds));
    }
}

#[test]
fn fast_equals_reference_on_the_liechtenstein_graphs() {
    let settings = Settings::load(&crate::common::fixture("liechtenstein/liechtenstein.toml"))
        .expect("fixture config");
    let ds = remoteness::load::load(&settings).expect("fixture loads");
    let net = RoadNetwork::build(&ds.roads);
    let mut rng = crate::common::Rng(5);
    for profile in settings.profiles.values() {
        let graph = ProfileGraph::build(&net, profile);
        // The engine searches `reverse`; `forward` is the other direction.
        for g in [graph.forward().reversed(), graph.forward().clone()] {
            let search = SearchGraph::from(&g);
            assert!(g.arc_count() == graph.reverse.arc_count());
            let n = g.node_count();
            assert!(n > 1000, "the fixture has a real network");
            for sources in [1, 3, 30, 300] {
                let seeds: Vec<Seed> = (0..sources)
                    .map(|i| Seed {
                        node: rng.below(n) as u32,
                        // Some seeds start at zero, as on-node facilities do.
                        time_s: if i % 3 == 0 { 0.0 } else { rng.f64() * 60.0 },
                        dist_m: rng.f64() * 50.0,
                        source: i,
                    })
                    .collect();
                let fast = multi_source(&search, &seeds);
                assert_eq!(fast, multi_source_reference(&g, &seeds));
                assert!(fast.source.iter().any(|&s| s != NO_SOURCE));
            }
        }
    }
}

/// The hierarchy's answer against the exact search: times and lengths to
/// `1e-12` relative, and the same source wherever the exact winner beats
/// every other source by more than rounding (`exact_ties`: compare sources
/// everywhere, for graphs whose times are exact in both arithmetics).
fn check_hierarchy(g: &SearchGraph, seeds: &[Seed], exact_ties: bool) {
    let h = Hierarchy::build(g);
    let got = h.nearest(seeds);
    let want = multi_source(g, seeds);
    let near = |a: f64, b: f64| {
        (a.is_infinite() && b.is_infinite()) || (a - b).abs() <= 1e-12 * a.abs().max(1.0)
    };
    for v in 0..g.node_count() {
        assert!(near(got.time_s[v], want.time_s[v]), "node {v} time");
        if exact_ties {
            assert_eq!(got.source[v], want.source[v], "node {v} source");
        } else {
            // The assigned source attains the least time.
            let s = got.source[v];
            if want.source[v] == NO_SOURCE {
                assert_eq!(s, NO_SOURCE);
                continue;
            }
            let own = multi_source(g, &[seeds[s as usize]]).time_s[v];
            assert!(
                near(own, want.time_s[v]),
                "node {v}: source {s} is not nearest"
            );
        }
    }
    if exact_ties {
        return;
    }
    for v in 0..g.node_count() {
        if got.source[v] == want.source[v] {
            assert!(near(got.dist_m[v], want.dist_m[v]), "node {v} length");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn hierarchy_matches_exact_search_with_ties((n, arcs, seeds) in tie_strategy()) {
        // Times are multiples of `scale`: make them exact binary fractions
        // so that both arithmetics see the same ties.
        let arcs: Vec<_> = arcs.into_iter().map(|(u, v, t, d)| (u, v, (t * 8.0).round() / 8.0, d)).collect();
        let seeds: Vec<Seed> = seeds.into_iter().map(|s| Seed { time_s: (s.time_s * 8.0).round() / 8.0, ..s }).collect();
        check_hierarchy(&SearchGraph::from_arcs(n, arcs), &seeds, true);
    }

    #[test]
    fn hierarchy_matches_exact_search_continuous((n, arcs, seeds) in graph_strategy()) {
        check_hierarchy(&SearchGraph::from_arcs(n, arcs), &seeds, false);
    }
}

#[test]
fn hierarchy_matches_exact_search_on_a_liechtenstein_subgraph() {
    // The drive graph among its first 10 000 nodes (nodes are numbered along
    // the roads, so this is a connected-looking piece of the real network):
    // the whole graph takes minutes to contract in a debug build.
    let settings = Settings::load(&crate::common::fixture("liechtenstein/liechtenstein.toml"))
        .expect("fixture config");
    let ds = remoteness::load::load(&settings).expect("fixture loads");
    let net = RoadNetwork::build(&ds.roads);
    let graph = ProfileGraph::build(&net, &settings.profiles["drive"]);
    let n = 10_000u32;
    let mut arcs = Vec::new();
    for u in 0..n {
        for a in graph.reverse.arcs(u) {
            if a.head < n {
                arcs.push((u, a.head, a.time_s, a.dist_m));
            }
        }
    }
    assert!(arcs.len() > 10_000, "a real piece of network");
    let mut rng = crate::common::Rng(9);
    let seeds: Vec<Seed> = (0..40)
        .map(|i| Seed {
            node: rng.below(n as usize) as u32,
            time_s: rng.f64() * 60.0,
            dist_m: rng.f64() * 50.0,
            source: i,
        })
        .collect();
    check_hierarchy(&SearchGraph::from_arcs(n as usize, arcs), &seeds, false);
}

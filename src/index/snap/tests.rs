//! The chunk tree's snaps against an R-tree of every segment (the index
//! it replaced, kept here as the reference), on random roads full of
//! shared vertices, ties, long roads split into several chunks, gaps of
//! segments not indexed and segments too short to have a direction.

use rstar::primitives::{GeomWithData, Line};
use rstar::RTree;

use super::chunks::WideNodes;
use super::*;
use crate::index::network::Segment;
use crate::model::{Oneway, Road};

type SegEntry = GeomWithData<Line<Unit3>, u32>;

/// One R-tree entry per segment: the reference.
struct PerSegment {
    tree: RTree<SegEntry, WideNodes>,
}

impl PerSegment {
    fn build_where(net: &RoadNetwork, usable: impl Fn(usize) -> bool) -> Self {
        let entries = net
            .segments
            .iter()
            .enumerate()
            .filter(|(i, s)| usable(*i) && net.roads[s.road as usize].joinable)
            .map(|(i, s)| {
                let a = to_unit(net.nodes[s.a as usize]);
                let b = to_unit(net.nodes[s.b as usize]);
                GeomWithData::new(Line::new(Unit3(a), Unit3(b)), i as u32)
            })
            .collect();
        PerSegment {
            tree: RTree::bulk_load_with_params(entries),
        }
    }

    fn snap_where(&self, p: LonLat, usable: impl Fn(u32) -> bool) -> Option<Snap> {
        let q = to_unit(p);
        let mut best: Option<(f64, u32, [f64; 3], [f64; 3])> = None;
        for (e, d2) in self.tree.nearest_neighbor_iter_with_distance_2(&Unit3(q)) {
            if !usable(e.data) {
                continue;
            }
            if let Some((bd2, bi, _, _)) = best {
                if d2 > bd2 * (1.0 + 1e-12) + 1e-30 {
                    break;
                }
                if e.data > bi {
                    continue;
                }
            }
            best = Some((d2, e.data, e.geom().from.0, e.geom().to.0));
        }
        let (d2, seg, a, b) = best?;
        Some(Snap {
            segment: seg,
            t: project(q, a, b),
            offroad: chord_to_meters(d2.sqrt()),
        })
    }

    fn snap_clear(
        &self,
        p: LonLat,
        usable: impl Fn(u32) -> bool,
        reach: Meters,
        clear: impl Fn(LonLat) -> bool,
    ) -> Option<Snap> {
        let q = to_unit(p);
        let r = meters_to_chord(reach);
        let reach2 = r * r * (1.0 + 1e-12) + 1e-30;
        let mut best: Option<(f64, u32, f64)> = None;
        for (e, d2) in self.tree.nearest_neighbor_iter_with_distance_2(&Unit3(q)) {
            match best {
                Some((bd2, bi, _)) => {
                    if d2 > bd2 * (1.0 + 1e-12) + 1e-30 {
                        break;
                    }
                    if e.data > bi {
                        continue;
                    }
                }
                None if d2 > reach2 => break,
                None => {}
            }
            if !usable(e.data) {
                continue;
            }
            let (a, b) = (e.geom().from.0, e.geom().to.0);
            let t = project(q, a, b);
            if !clear(point_at(a, b, t)) {
                continue;
            }
            best = Some((d2, e.data, t));
        }
        let (d2, seg, t) = best?;
        Some(Snap {
            segment: seg,
            t,
            offroad: chord_to_meters(d2.sqrt()),
        })
    }
}

/// A seeded generator of `0..m`.
fn rng(seed: u64) -> impl FnMut(usize) -> usize {
    let mut lcg = crate::test_rng::Lcg::new(seed);
    move |m| lcg.below(m)
}

/// A snap as bits, so that equal means the same to the last bit.
fn bits(s: Option<Snap>) -> Option<(u32, u64, u64)> {
    s.map(|s| (s.segment, s.t.to_bits(), s.offroad.0.to_bits()))
}

/// Random roads on a small grid (vertices shared, many segments at equal
/// distances from grid-aligned queries), some long, some not joinable,
/// some vertices with OSM ids and repeated ids, segments without a
/// direction put in; and the query points: random, on vertices, on segment
/// midpoints, at grid-cell centres.
fn random_case(rnd: &mut impl FnMut(usize) -> usize) -> (RoadNetwork, Vec<LonLat>) {
    let side = 2 + rnd(6);
    let step = [0.001, 0.01, 0.3][rnd(3)];
    let (lon0, lat0) = ([0.0, 179.99, -70.0][rnd(3)], [0.0, 60.0, -89.0][rnd(3)]);
    let grid = |i: usize| {
        LonLat::new(
            lon0 + step * (i % side) as f64,
            lat0 + step * (i / side) as f64,
        )
    };
    let roads: Vec<Road> = (0..1 + rnd(25))
        .map(|k| {
            let len = [2, 3, 5, 17, 40][rnd(5)];
            let mut at = rnd(side * side);
            let mut vertices = Vec::new();
            for _ in 0..len {
                let id = (rnd(3) == 0).then(|| rnd(side * side * 2) as i64);
                vertices.push((id, grid(at)));
                at = match rnd(4) {
                    0 => (at + 1) % (side * side),
                    1 => (at + side) % (side * side),
                    2 => (at + side * side - 1) % (side * side),
                    _ => rnd(side * side),
                };
            }
            Road {
                id: k.to_string(),
                class: "primary".into(),
                oneway: Oneway::No,
                maxspeed: None,
                vertices,
                passability: Vec::new(),
                joinable: rnd(5) != 0,
            }
        })
        .collect();
    let mut net = RoadNetwork::build(&roads);
    // Segments without a direction: a node repeated at the same position
    // (as distinct OSM nodes at one place would be, were they kept) and
    // a segment to it in the middle of a road, the road going on from it.
    let mut k = 0;
    while k < net.segments.len() {
        if rnd(6) == 0 {
            let s = net.segments[k];
            let copy = net.nodes.len() as u32;
            net.nodes.push(net.nodes[s.b as usize]);
            let chained = net.segments.get(k + 1).is_some_and(|n| n.a == s.b);
            if chained {
                net.segments[k + 1].a = copy;
            }
            let pointlike = Segment {
                a: s.b,
                b: copy,
                len_m: 0.0,
                road: s.road,
            };
            net.segments.insert(k + 1, pointlike);
            k += 1;
        }
        k += 1;
    }
    let mut queries: Vec<LonLat> = (0..40)
        .map(|_| {
            let f = |r: usize| (r as f64 / 1000.0 - 0.1) * step * side as f64;
            LonLat::new(lon0 + f(rnd(1200)), lat0 + f(rnd(1200)))
        })
        .collect();
    for _ in 0..20 {
        let i = rnd(side * side);
        queries.push(grid(i));
        let (p, q) = (grid(i), grid((i + 1) % (side * side)));
        queries.push(LonLat::new((p.lon + q.lon) / 2.0, (p.lat + q.lat) / 2.0));
        queries.push(LonLat::new(p.lon + step / 2.0, p.lat + step / 2.0));
    }
    (net, queries)
}

#[test]
fn chunked_snaps_equal_snaps_on_a_tree_of_every_segment() {
    let mut rnd = rng(3);
    let mut cases = (0, 0, 0, 0);
    for round in 0..400 {
        let (net, queries) = random_case(&mut rnd);
        let n = net.segments.len();
        // Which segments the index holds, and which a profile may use.
        let held: Vec<bool> = (0..n).map(|_| rnd(8) != 0).collect();
        let usable: Vec<bool> = (0..n).map(|_| rnd(6) != 0).collect();
        cases.3 += net
            .segments
            .iter()
            .filter(|s| to_unit(net.nodes[s.a as usize]) == to_unit(net.nodes[s.b as usize]))
            .count();
        let index = SegmentIndex::build_where(&net, |i| held[i]);
        let reference = PerSegment::build_where(&net, |i| held[i]);
        assert_eq!(index.is_empty(), reference.tree.size() == 0);
        let indexed = index.vertices.len() - index.tree.size();
        assert_eq!(indexed, reference.tree.size(), "round {round}");
        if index.tree.size() < indexed {
            cases.0 += 1;
        }
        let use_of = |s: u32| usable[s as usize];
        let reach = Meters([10.0, 500.0, 1e5][rnd(3)]);
        for &p in &queries {
            let got = bits(index.snap_where(p, use_of));
            let want = bits(reference.snap_where(p, use_of));
            assert_eq!(got, want, "round {round}, snap_where at {p:?}");
            assert_eq!(
                bits(index.snap(p)),
                bits(reference.snap_where(p, |_| true)),
                "round {round}, snap at {p:?}"
            );
            // Half the plane is across a barrier.
            let clear = |at: LonLat| (at.lon * 7919.0 + at.lat * 104729.0).sin() > -0.3;
            let got = bits(index.snap_clear(p, use_of, reach, clear));
            let want = bits(reference.snap_clear(p, use_of, reach, clear));
            assert_eq!(got, want, "round {round}, snap_clear at {p:?}");
            if want.is_some() {
                cases.1 += 1;
            }
            // A tie at a shared vertex: two or more segments at the very
            // same distance.
            let q = to_unit(p);
            let mut d2: Vec<f64> = reference
                .tree
                .nearest_neighbor_iter_with_distance_2(&Unit3(q))
                .take(2)
                .map(|(_, d)| d)
                .collect();
            d2.dedup();
            if d2.len() == 1 {
                cases.2 += 1;
            }
        }
    }
    // The cases were met: chunks of several segments, clear snaps, ties,
    // segments without a direction.
    let (chunked, cleared, ties, pointlike) = cases;
    assert!(
        chunked > 300 && cleared > 1000 && ties > 1000 && pointlike > 100,
        "{cases:?}"
    );
}

/// The walk yields every indexed segment once, in order of distance.
#[test]
fn the_walk_meets_every_segment_nearest_first() {
    let mut rnd = rng(9);
    for _ in 0..100 {
        let (net, queries) = random_case(&mut rnd);
        let index = SegmentIndex::build_where(&net, |_| true);
        let count = index.vertices.len() - index.tree.size();
        for &p in queries.iter().take(5) {
            let met: Vec<Met> = index.nearest(to_unit(p)).collect();
            assert_eq!(met.len(), count);
            assert!(met.windows(2).all(|w| w[0].d2 <= w[1].d2));
            let mut seen: Vec<u32> = met.iter().map(|m| m.segment).collect();
            seen.sort_unstable();
            seen.dedup();
            assert_eq!(seen.len(), count);
            for m in &met {
                let s = &net.segments[m.segment as usize];
                assert_eq!(m.a, to_unit(net.nodes[s.a as usize]));
                assert_eq!(m.b, to_unit(net.nodes[s.b as usize]));
            }
        }
    }
}

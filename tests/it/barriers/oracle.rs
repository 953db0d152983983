//! The slow twins of the oracle (snaps by a scan of every segment,
//! crossings by a planar test) and the trip model and catchment costs
//! against the Floyd–Warshall oracle of `model` with random barrier lines.

use std::sync::Arc;

use remoteness::catchment::costs::CostBuilder;
use remoteness::geometry::{chord_to_meters, to_unit};
use remoteness::index::{BarrierIndex, ProfileGraph, RoadNetwork, Snap};
use remoteness::load::LoadedSettlement;
use remoteness::model::{
    Barrier, BarrierKind, BarrierShape, Facility, LonLat, PopulationSource, Settlement,
};
use remoteness::pipeline::Execution;
use remoteness::search::access::TravelModel;
use remoteness::units::{Population, Seconds};

use crate::bounded::check_against;
use crate::common::Rng;
use crate::model::{all_pair_times_blocked, random_network, random_points, service, TRAVEL};

// ---- The slow twins of the oracle ---------------------------------------

/// Whether the straight lines `p`–`q` and `a`–`b` cross properly, in a
/// plane (longitude scaled by the cosine of the latitude).
fn segments_cross(p: LonLat, q: LonLat, a: LonLat, b: LonLat) -> bool {
    let c = p.lat.to_radians().cos();
    let xy = |v: LonLat| (v.lon * c, v.lat);
    let (p, q, a, b) = (xy(p), xy(q), xy(a), xy(b));
    let orient = |o: (f64, f64), u: (f64, f64), v: (f64, f64)| {
        (u.0 - o.0) * (v.1 - o.1) - (u.1 - o.1) * (v.0 - o.0)
    };
    let (d1, d2) = (orient(p, q, a), orient(p, q, b));
    let (d3, d4) = (orient(a, b, p), orient(a, b, q));
    d1 * d2 < 0.0 && d3 * d4 < 0.0
}

/// Whether the leg `p`–`q` crosses any of `walls`.
pub fn crosses(p: LonLat, q: LonLat, walls: &[(LonLat, LonLat)]) -> bool {
    walls.iter().any(|&(a, b)| segments_cross(p, q, a, b))
}

/// The snap of `p` by a scan of every usable segment, nearest first (ties
/// to the lowest index), skipping those whose leg crosses a wall, within
/// `reach` metres.
pub fn scan_snap(
    net: &RoadNetwork,
    g: &ProfileGraph,
    p: LonLat,
    walls: &[(LonLat, LonLat)],
    reach: f64,
) -> Option<Snap> {
    let q = to_unit(p);
    let mut all: Vec<(f64, u32, f64, LonLat)> = Vec::new();
    for (k, s) in net.segments.iter().enumerate() {
        if g.segment_use[k].is_none() {
            continue;
        }
        let (a, b) = (
            to_unit(net.nodes[s.a as usize]),
            to_unit(net.nodes[s.b as usize]),
        );
        let ab = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
        let aq = [q[0] - a[0], q[1] - a[1], q[2] - a[2]];
        let len2: f64 = ab.iter().map(|x| x * x).sum();
        let t = if len2 > 0.0 {
            ((aq[0] * ab[0] + aq[1] * ab[1] + aq[2] * ab[2]) / len2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let at = [0, 1, 2].map(|i| a[i] + t * ab[i]);
        let d2: f64 = (0..3).map(|i| (q[i] - at[i]).powi(2)).sum();
        all.push((d2, k as u32, t, remoteness::geometry::from_unit(at)));
    }
    all.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
    all.into_iter()
        .take_while(|x| chord_to_meters(x.0.sqrt()).0 <= reach)
        .find(|x| !crosses(p, x.3, walls))
        .map(|(d2, segment, t, _)| Snap {
            segment,
            t,
            offroad: chord_to_meters(d2.sqrt()),
        })
}
// ---- Random networks against the oracle -----------------------------------

type Case = (
    RoadNetwork,
    Vec<LoadedSettlement>,
    Vec<Facility>,
    Vec<(LonLat, LonLat)>,
);

/// A random case of `model` with three to five random barrier lines of
/// two to four vertices across its box.
fn random_blocked_case(rng: &mut Rng) -> Case {
    let (roads, _) = random_network(rng, 40);
    let net = RoadNetwork::build(&roads);
    let places = random_points(rng, 40)
        .into_iter()
        .enumerate()
        .map(|(i, pos)| LoadedSettlement {
            settlement: Settlement {
                id: format!("s{i}"),
                name: String::new(),
                place: "village".into(),
                pos,
                population: Population(1.0 + i as f64),
                population_source: PopulationSource::Attribute,
            },
            valid: true,
        })
        .collect();
    let n_fac = 2 + rng.below(5);
    let facilities = random_points(rng, n_fac)
        .into_iter()
        .enumerate()
        .map(|(i, pos)| Facility {
            id: format!("f{i}"),
            name: String::new(),
            category: "health".into(),
            pos,
            capacity: 1.0,
        })
        .collect();
    let mut walls = Vec::new();
    for _ in 0..3 + rng.below(3) {
        let n = 2 + rng.below(3);
        let pts = random_points(rng, n);
        walls.extend(pts.windows(2).map(|w| (w[0], w[1])));
    }
    (net, places, facilities, walls)
}

fn index_of(walls: &[(LonLat, LonLat)]) -> Arc<BarrierIndex> {
    Arc::new(BarrierIndex::build(
        walls
            .iter()
            .enumerate()
            .map(|(i, &(a, b))| Barrier {
                id: format!("w{i}"),
                kind: BarrierKind::Fence,
                closed: false,
                shape: BarrierShape::Line(vec![a, b]),
            })
            .collect(),
    ))
}

#[test]
fn trips_and_catchment_costs_match_the_oracle_with_barriers() {
    let mut rng = Rng(4242);
    let (mut moved, mut pairs_listed) = (0, 0);
    for round in 0..8 {
        let (net, places, facilities, walls) = random_blocked_case(&mut rng);
        let m = TravelModel::build_blocked(
            &net,
            TRAVEL,
            &places,
            vec![crate::model::profile()],
            Some(index_of(&walls)),
        );
        let open = crate::model::model(&net, &places);
        moved += m.profiles[0]
            .settlement_snaps
            .iter()
            .zip(&open.profiles[0].settlement_snaps)
            .filter(|(a, b)| a != b)
            .count();
        let reference = all_pair_times_blocked(&m, &facilities, &walls);
        // Nearest-facility access.
        let got = m.service_access(&service(), facilities.clone());
        for (i, row) in reference.iter().enumerate() {
            let best = row.iter().copied().fold(f64::INFINITY, f64::min);
            let ours = got.access[i].time.map_or(f64::INFINITY, |t| t.0);
            assert!(
                (ours.is_infinite() && best.is_infinite())
                    || (ours - best).abs() <= 1e-9 * best.max(1.0),
                "round {round}, settlement {i}: engine {ours} s vs reference {best} s"
            );
        }
        // Catchment cost lists, and the least of them = access.
        for cutoff_s in [300.0, 1200.0, 3000.0] {
            let b = CostBuilder::new(&m, &service());
            let pairs = b.pairs(&facilities, Seconds(cutoff_s), Execution::Parallel);
            pairs_listed += check_against(&pairs, &reference, cutoff_s, "blocked");
            let mut least = vec![f64::INFINITY; places.len()];
            for (i, _, c) in pairs.iter() {
                least[i] = least[i].min(c * 60.0);
            }
            for (i, a) in got.access.iter().enumerate() {
                let t = a.time.map_or(f64::INFINITY, |t| t.0);
                if t <= cutoff_s * (1.0 - 1e-9) {
                    assert!((least[i] - t).abs() <= 1e-9 * t.max(1.0));
                }
            }
        }
    }
    // The barriers did move snaps and the oracle had pairs to check.
    assert!(moved > 5, "only {moved} snaps moved");
    assert!(pairs_listed > 100, "only {pairs_listed} pairs");
}

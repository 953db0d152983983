//! The catchment cost lists (one bounded search per facility) against a
//! brute-force oracle: every settlement × facility trip from Floyd–Warshall
//! on random networks (the helpers of `model.rs`), and great-circle
//! distances over all pairs for straight-line runs.

use remoteness::catchment::costs::CostBuilder;
use remoteness::catchment::fca::Pairs;
use remoteness::geometry::haversine;
use remoteness::index::RoadNetwork;
use remoteness::pipeline::Execution;
use remoteness::units::Seconds;

use crate::common::Rng;
use crate::model::{all_pair_times, model, random_case, service};

/// Checks `pairs` (minutes) against a dense reference (seconds) cut at
/// `cutoff_s`: the same pairs (up to rounding at the cutoff itself), with
/// the same costs to 1e-9.
pub fn check_against(pairs: &Pairs, reference: &[Vec<f64>], cutoff_s: f64, what: &str) -> usize {
    let mut ours = vec![vec![f64::INFINITY; pairs.facilities()]; pairs.settlements()];
    for (i, j, c) in pairs.iter() {
        ours[i][j] = c * 60.0;
    }
    let mut listed = 0;
    for (i, row) in reference.iter().enumerate() {
        for (j, &r) in row.iter().enumerate() {
            let o = ours[i][j];
            if r <= cutoff_s * (1.0 - 1e-9) {
                listed += 1;
                assert!(
                    (o - r).abs() <= 1e-9 * r.max(1.0),
                    "{what}: settlement {i}, facility {j}: listed {o} s vs reference {r} s"
                );
            } else if r > cutoff_s * (1.0 + 1e-9) {
                assert!(
                    o.is_infinite(),
                    "{what}: ({i}, {j}) listed at {o} s beyond the cutoff (reference {r} s)"
                );
            }
        }
    }
    listed
}

#[test]
fn road_costs_match_all_pairs_enumeration() {
    let mut rng = Rng(2024);
    let mut total = 0;
    for round in 0..8 {
        let (net, places, facilities) = random_case(&mut rng);
        let m = model(&net, &places);
        let reference = all_pair_times(&m, &facilities);
        for cutoff_s in [300.0, 900.0, 3000.0] {
            let b = CostBuilder::new(&m, &service());
            let pairs = b.pairs(&facilities, Seconds(cutoff_s), Execution::Parallel);
            total += check_against(
                &pairs,
                &reference,
                cutoff_s,
                &format!("round {round}, cutoff {cutoff_s} s"),
            );
            // The facility-parallel searches and the sequential reference agree exactly.
            let seq = b.pairs(&facilities, Seconds(cutoff_s), Execution::Sequential);
            assert_eq!(pairs, seq);
        }
    }
    assert!(total > 100, "only {total} pairs over all rounds");
}

#[test]
fn least_pair_cost_is_the_nearest_facility_time() {
    // Within the cutoff, the cheapest pair of a settlement is exactly the
    // travel model's nearest-facility trip.
    let mut rng = Rng(77);
    for _ in 0..6 {
        let (net, places, facilities) = random_case(&mut rng);
        let m = model(&net, &places);
        let access = m.service_access(&service(), facilities.clone());
        let cutoff_s = 1200.0;
        let pairs = CostBuilder::new(&m, &service()).pairs(
            &facilities,
            Seconds(cutoff_s),
            Execution::Parallel,
        );
        let mut least = vec![f64::INFINITY; places.len()];
        for (i, _, c) in pairs.iter() {
            least[i] = least[i].min(c * 60.0);
        }
        for (i, a) in access.access.iter().enumerate() {
            let t = a.time.map_or(f64::INFINITY, |t| t.0);
            if t <= cutoff_s * (1.0 - 1e-9) {
                assert!(
                    (least[i] - t).abs() <= 1e-9 * t.max(1.0),
                    "settlement {i}: {} vs {t}",
                    least[i]
                );
            } else if t > cutoff_s * (1.0 + 1e-9) {
                assert!(least[i].is_infinite());
            }
        }
    }
}

#[test]
fn straight_line_costs_match_all_pairs() {
    // No road layer: straight line × circuity at no_road_kmh (30 km/h in
    // the test profile); a `straight_line` service: the straight line at the
    // off-road speed (3.6 km/h).
    let mut rng = Rng(5);
    let empty = RoadNetwork::build(&[]);
    let mut total = 0;
    for round in 0..5 {
        let (_, places, facilities) = random_case(&mut rng);
        let m = model(&empty, &places);
        let circuity = m.travel.circuity;
        for (straight_service, speed_ms, circ, cutoff_s) in [
            (false, 30.0 / 3.6, circuity, 600.0),
            (true, 1.0, 1.0, 3600.0),
        ] {
            let mut svc = service();
            svc.straight_line = straight_service;
            let pairs = CostBuilder::new(&m, &svc).pairs(
                &facilities,
                Seconds(cutoff_s),
                Execution::Parallel,
            );
            let reference: Vec<Vec<f64>> = places
                .iter()
                .map(|p| {
                    facilities
                        .iter()
                        .map(|f| haversine(p.settlement.pos, f.pos).0 * circ / speed_ms)
                        .collect()
                })
                .collect();
            total += check_against(
                &pairs,
                &reference,
                cutoff_s,
                &format!("round {round}, straight_line service {straight_service}"),
            );
        }
    }
    assert!(total > 100, "only {total} pairs over all rounds");
}

//! The travel model and the spatial indices against slow, obvious twins on
//! random networks: snapping against dense sampling of every segment, trips
//! against all-pairs Floyd–Warshall over every settlement × facility
//! combination, zone lookup against a scan of every zone.

use std::collections::BTreeMap;

use geo::{Contains, Intersects};
use remoteness::config::{Profile, Service, Threshold, Travel};
use remoteness::geometry::{from_unit, haversine, to_unit};
use remoteness::index::{ProfileGraph, RoadNetwork, SegmentIndex};
use remoteness::load::LoadedSettlement;
use remoteness::model::{Facility, LonLat, Oneway, PopulationSource, Road, Settlement};
use remoteness::pipeline::Execution;
use remoteness::search::access::TravelModel;
use remoteness::units::{Population, Seconds};

use crate::common::{analyse_config, fixture, Rng};

pub fn profile() -> Profile {
    Profile {
        name: "drive".into(),
        speeds_kmh: BTreeMap::from([("primary".into(), 36.0), ("track".into(), 9.0)]),
        offroad_kmh: 3.6,
        oneway: true,
        use_maxspeed: false,
        no_road_kmh: 30.0,
    }
}

/// A random road network in a 0.1° box: each node joined to two of its five
/// nearest neighbours, classes and one-way flags at random; some `footway`
/// segments the profile cannot use.
pub fn random_network(rng: &mut Rng, n: usize) -> (Vec<Road>, Vec<LonLat>) {
    let pts: Vec<LonLat> = (0..n)
        .map(|_| LonLat::new(5.0 + 0.1 * rng.f64(), 30.0 + 0.1 * rng.f64()))
        .collect();
    let mut roads = Vec::new();
    for i in 0..n {
        let mut near: Vec<usize> = (0..n).filter(|&j| j != i).collect();
        near.sort_by(|&a, &b| {
            haversine(pts[i], pts[a])
                .0
                .total_cmp(&haversine(pts[i], pts[b]).0)
        });
        for _ in 0..2 {
            let j = near[rng.below(5.min(near.len()))];
            let class = ["primary", "primary", "track", "footway"][rng.below(4)];
            let oneway = if rng.f64() < 0.25 {
                Oneway::Forward
            } else {
                Oneway::No
            };
            roads.push(Road {
                id: format!("r{}", roads.len()),
                class: class.into(),
                oneway,
                maxspeed: None,
                vertices: vec![(Some(i as i64), pts[i]), (Some(j as i64), pts[j])],
                passability: Vec::new(),
                joinable: true,
            });
        }
    }
    (roads, pts)
}

pub fn random_points(rng: &mut Rng, n: usize) -> Vec<LonLat> {
    (0..n)
        .map(|_| LonLat::new(4.98 + 0.14 * rng.f64(), 29.98 + 0.14 * rng.f64()))
        .collect()
}

/// Nearest usable segment by sampling 400 points along the great circle of
/// each (normalised interpolation of the end unit vectors): (segment, metres).
fn brute_snap(net: &RoadNetwork, g: &ProfileGraph, p: LonLat) -> Option<(u32, f64)> {
    let mut best: Option<(u32, f64)> = None;
    for (k, s) in net.segments.iter().enumerate() {
        if g.segment_use[k].is_none() {
            continue;
        }
        let (a, b) = (
            to_unit(net.nodes[s.a as usize]),
            to_unit(net.nodes[s.b as usize]),
        );
        for i in 0..=400 {
            let t = i as f64 / 400.0;
            let q = from_unit([0, 1, 2].map(|k| a[k] + t * (b[k] - a[k])));
            let d = haversine(p, q).0;
            if best.is_none_or(|(_, bd)| d < bd) {
                best = Some((k as u32, d));
            }
        }
    }
    best
}

#[test]
fn snapping_matches_dense_sampling() {
    let mut rng = Rng(11);
    for _ in 0..5 {
        let (roads, _) = random_network(&mut rng, 60);
        let net = RoadNetwork::build(&roads);
        let g = ProfileGraph::build(&net, &profile());
        let idx = SegmentIndex::build(&net, &g);
        for p in random_points(&mut rng, 100) {
            let snap = idx.snap(p).unwrap();
            let (_, brute) = brute_snap(&net, &g, p).unwrap();
            // Sampling every ≤ 15 m overestimates the distance by at most a
            // few metres, never underestimates it.
            assert!(
                snap.offroad.0 <= brute + 1e-3 && snap.offroad.0 >= brute - 5.0,
                "snap {} m vs sampled {brute} m",
                snap.offroad.0
            );
            assert!(g.segment_use[snap.segment as usize].is_some());
        }
    }
}

/// The profiles of a study share one R-tree of every segment any of them
/// uses: each profile's snaps (settlements and facilities, Liechtenstein's
/// walk and drive) equal those on an index of its own segments alone.
#[test]
fn a_shared_segment_index_snaps_as_one_per_profile() {
    use remoteness::config::Settings;
    use remoteness::pipeline::{Quiet, Study};
    let settings =
        Settings::load(&crate::common::fixture("liechtenstein/liechtenstein.toml")).unwrap();
    let dataset = remoteness::load::load(&settings).unwrap();
    let study = Study::prepare(settings, dataset, &Quiet);
    assert!(study.profiles.len() >= 2);
    let mut differ_between_profiles = 0;
    for ctx in study.profiles.iter() {
        let own = SegmentIndex::build(&study.net, &ctx.graph);
        for (s, snap) in study.dataset.settlements.iter().zip(&ctx.settlement_snaps) {
            if s.valid {
                assert_eq!(*snap, own.snap(s.settlement.pos), "{}", s.settlement.id);
            }
        }
        for f in &study.dataset.facilities {
            assert_eq!(ctx.snap(f.pos), own.snap(f.pos), "{}", f.id);
        }
        differ_between_profiles += study
            .profiles
            .iter()
            .filter(|o| o.profile.name != ctx.profile.name)
            .map(|o| {
                o.settlement_snaps
                    .iter()
                    .zip(&ctx.settlement_snaps)
                    .filter(|(a, b)| a != b)
                    .count()
            })
            .sum::<usize>();
    }
    // The profiles use different segments, so some snaps differ: the
    // shared index does not hand one profile another's roads.
    assert!(differ_between_profiles > 0);
}

/// All-pairs least times on the forward graph.
fn floyd_warshall(g: &ProfileGraph, n: usize) -> Vec<Vec<f64>> {
    let mut d = vec![vec![f64::INFINITY; n]; n];
    for (u, row) in d.iter_mut().enumerate() {
        row[u] = 0.0;
        for e in g.forward().arcs(u as u32) {
            let v = g.forward().head[e] as usize;
            row[v] = row[v].min(g.forward().time_s[e]);
        }
    }
    for k in 0..n {
        for i in 0..n {
            for j in 0..n {
                let c = d[i][k] + d[k][j];
                if c < d[i][j] {
                    d[i][j] = c;
                }
            }
        }
    }
    d
}

/// Travel parameters of the random cases.
pub const TRAVEL: Travel = Travel {
    max_snap_m: 1500.0,
    circuity: 1.3,
    max_direct_m: 2500.0,
};

/// A random case: network, 40 settlements, 1–6 facilities.
pub fn random_case(rng: &mut Rng) -> (RoadNetwork, Vec<LoadedSettlement>, Vec<Facility>) {
    let (roads, _) = random_network(rng, 40);
    let net = RoadNetwork::build(&roads);
    let places: Vec<LoadedSettlement> = random_points(rng, 40)
        .into_iter()
        .enumerate()
        .map(|(i, pos)| LoadedSettlement {
            settlement: Settlement {
                id: format!("s{i}"),
                name: String::new(),
                place: "village".into(),
                pos,
                population: Population(1.0 + (i % 7) as f64 * 100.0),
                population_source: PopulationSource::Attribute,
            },
            valid: true,
        })
        .collect();
    let n_fac = 1 + rng.below(6);
    let facilities: Vec<Facility> = random_points(rng, n_fac)
        .into_iter()
        .enumerate()
        .map(|(i, pos)| Facility {
            id: format!("f{i}"),
            name: String::new(),
            category: "health".into(),
            pos,
            capacity: 1.0 + i as f64,
        })
        .collect();
    (net, places, facilities)
}

/// The drive service of the random cases.
pub fn service() -> Service {
    Service {
        name: "health".into(),
        code: "hlth".into(),
        category: "health".into(),
        profile: "drive".into(),
        threshold: Threshold::Time(Seconds(3600.0)),
        straight_line: false,
    }
}

/// Builds the travel model of a random case.
pub fn model<'a>(net: &'a RoadNetwork, places: &'a [LoadedSettlement]) -> TravelModel<'a> {
    TravelModel::build(net, TRAVEL, places, vec![profile()])
}

/// Every settlement × facility trip time (seconds), from first principles:
/// snaps, along-segment parts, Floyd–Warshall between segment ends, and the
/// direct off-road alternative. `INFINITY` where there is no trip.
pub fn all_pair_times(model: &TravelModel, facilities: &[Facility]) -> Vec<Vec<f64>> {
    all_pair_times_blocked(model, facilities, &[])
}

/// As [`all_pair_times`], with `walls` (straight lines, taken in a local
/// plane) that no off-road leg or direct trip may cross: each place snaps
/// to the nearest usable segment (by a scan of all) whose leg crosses none.
pub fn all_pair_times_blocked(
    model: &TravelModel,
    facilities: &[Facility],
    walls: &[(LonLat, LonLat)],
) -> Vec<Vec<f64>> {
    let travel = TRAVEL;
    let v_off = 1.0; // 3.6 km/h in m/s
    let net = model.net;
    let ctx = &model.profiles[0];
    let g = &ctx.graph;
    let fw = floyd_warshall(g, net.nodes.len());
    let part = |seg: u32, frac: f64| {
        let s = &net.segments[seg as usize];
        frac * s.len_m / g.segment_use[seg as usize].unwrap().speed.0 * 3.6
    };
    let mut out = Vec::new();
    for pl in model.settlements {
        let sp = pl.settlement.pos;
        let snap = |p: LonLat| match walls.is_empty() {
            true => ctx.snap(p),
            false => crate::barriers::scan_snap(net, g, p, walls, travel.max_snap_m),
        };
        let s_snap = snap(sp).filter(|x| x.offroad.0 <= travel.max_snap_m);
        let mut row = Vec::new();
        for f in facilities {
            let mut best = f64::INFINITY;
            let straight = haversine(sp, f.pos).0;
            if straight <= travel.max_direct_m && !crate::barriers::crosses(sp, f.pos, walls) {
                best = best.min(straight * travel.circuity / v_off);
            }
            let fs = snap(f.pos).filter(|x| x.offroad.0 <= travel.max_snap_m);
            if let (Some(ss), Some(fs)) = (s_snap, fs) {
                let (su, fu) = (
                    g.segment_use[ss.segment as usize].unwrap(),
                    g.segment_use[fs.segment as usize].unwrap(),
                );
                let (sseg, fseg) = (
                    &net.segments[ss.segment as usize],
                    &net.segments[fs.segment as usize],
                );
                let mut exits = Vec::new();
                if su.forward {
                    exits.push((sseg.b, ss.offroad.0 / v_off + part(ss.segment, 1.0 - ss.t)));
                }
                if su.backward {
                    exits.push((sseg.a, ss.offroad.0 / v_off + part(ss.segment, ss.t)));
                }
                let mut entries = Vec::new();
                if fu.forward {
                    entries.push((fseg.a, part(fs.segment, fs.t) + fs.offroad.0 / v_off));
                }
                if fu.backward {
                    entries.push((fseg.b, part(fs.segment, 1.0 - fs.t) + fs.offroad.0 / v_off));
                }
                for &(x, cx) in &exits {
                    for &(y, cy) in &entries {
                        best = best.min(cx + fw[x as usize][y as usize] + cy);
                    }
                }
                if ss.segment == fs.segment {
                    let along = ss.offroad.0 / v_off
                        + part(ss.segment, (fs.t - ss.t).abs())
                        + fs.offroad.0 / v_off;
                    if (fs.t >= ss.t && su.forward) || (fs.t <= ss.t && su.backward) {
                        best = best.min(along);
                    }
                }
            }
            row.push(best);
        }
        out.push(row);
    }
    out
}

#[test]
fn trips_match_all_pairs_enumeration() {
    let mut rng = Rng(99);
    for round in 0..8 {
        let (net, places, facilities) = random_case(&mut rng);
        let model = model(&net, &places);
        let got = model.service_access(&service(), facilities.clone());
        let reference = all_pair_times(&model, &facilities);
        for (i, row) in reference.iter().enumerate() {
            let best = row.iter().copied().fold(f64::INFINITY, f64::min);
            let ours = got.access[i].time.map_or(f64::INFINITY, |t| t.0);
            assert!(
                (ours.is_infinite() && best.is_infinite())
                    || (ours - best).abs() <= 1e-9 * best.max(1.0),
                "round {round}, settlement {i}: engine {ours} s vs reference {best} s"
            );
        }
    }
}

#[test]
fn zone_lookup_matches_a_scan_of_every_zone() {
    let a = analyse_config(&fixture("tata/tata.toml"), Execution::Sequential);
    for (s, z) in a.dataset.settlements.iter().zip(&a.zone_of) {
        let pt = geo_types::Point::new(s.settlement.pos.lon, s.settlement.pos.lat);
        let scan = a
            .zones
            .iter()
            .position(|zone| zone.geometry.contains(&pt) || zone.geometry.intersects(&pt));
        assert_eq!(*z, scan, "{}", s.settlement.id);
    }
    // Most OSM places of the province fall inside one of its communes.
    let located = a.zone_of.iter().filter(|z| z.is_some()).count();
    assert!(
        located * 10 >= a.zone_of.len() * 9,
        "{located} of {}",
        a.zone_of.len()
    );
}

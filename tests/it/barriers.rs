//! Barriers: a river with one bridge worked by hand, snapping to a road on
//! the place's own bank, the trip model and the catchment costs against the
//! Floyd–Warshall oracle of `model` with random barrier lines, barriers read
//! from a hand-written `.osm.pbf` (river, bridge, implied ford, lake, fence)
//! and from a layer (a closed border), and Liechtenstein with its rivers.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use remoteness::catchment::costs::CostBuilder;
use remoteness::config::{Profile, Service, Settings, Threshold, Travel};
use remoteness::geometry::{chord_to_meters, to_unit};
use remoteness::index::{BarrierIndex, ProfileGraph, RoadNetwork, Snap};
use remoteness::load::LoadedSettlement;
use remoteness::model::{
    Barrier, BarrierKind, BarrierShape, Facility, LonLat, Oneway, PopulationSource, Road,
    Settlement,
};
use remoteness::pipeline::{Execution, Quiet, Study};
use remoteness::search::access::{Status, TravelModel, Via};
use remoteness::units::{Population, Seconds};

use crate::bounded::check_against;
use crate::common::{fixture, Rng};
use crate::model::{all_pair_times_blocked, random_network, random_points, service, TRAVEL};
use crate::pbf::Pbf;

/// `0.01°` of a great circle: `R · 0.01 · π/180` metres.
const U: f64 = 6_371_008.8 * 0.01 * std::f64::consts::PI / 180.0;

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

// ---- Hand-worked cases on the equator -------------------------------------

fn profile() -> Profile {
    Profile {
        name: "car".into(),
        speeds_kmh: BTreeMap::from([("primary".to_string(), 36.0)]),
        offroad_kmh: 3.6,
        oneway: false,
        use_maxspeed: false,
        no_road_kmh: 36.0,
    }
}

fn road(id: &str, pts: &[(f64, f64)], tags: &[(&str, &str)]) -> Road {
    Road {
        id: id.into(),
        class: "primary".into(),
        oneway: Oneway::No,
        maxspeed: None,
        vertices: pts
            .iter()
            .map(|&(x, y)| (None, LonLat::new(x, y)))
            .collect(),
        passability: tags
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        joinable: true,
    }
}

fn place(id: &str, lon: f64, lat: f64) -> LoadedSettlement {
    LoadedSettlement {
        settlement: Settlement {
            id: id.into(),
            name: id.into(),
            place: "village".into(),
            pos: LonLat::new(lon, lat),
            population: Population(100.0),
            population_source: PopulationSource::Attribute,
        },
        valid: true,
    }
}

fn facility(lon: f64, lat: f64) -> Facility {
    Facility {
        id: "F".into(),
        name: "F".into(),
        category: "health".into(),
        pos: LonLat::new(lon, lat),
        capacity: 1.0,
    }
}

fn car_service() -> Service {
    Service {
        name: "health".into(),
        code: "hlth".into(),
        category: "health".into(),
        profile: "car".into(),
        threshold: Threshold::Time(Seconds(3600.0)),
        straight_line: false,
    }
}

const HAND: Travel = Travel {
    max_snap_m: 1000.0,
    circuity: 1.3,
    max_direct_m: 3000.0,
};

/// A river along the meridian 0° from 0.05° S to 0.05° N.
fn river() -> Arc<BarrierIndex> {
    Arc::new(BarrierIndex::build(vec![Barrier {
        id: "river".into(),
        kind: BarrierKind::Water,
        closed: false,
        shape: BarrierShape::Line(vec![LonLat::new(0.0, -0.05), LonLat::new(0.0, 0.05)]),
    }]))
}

#[test]
fn a_river_with_one_bridge_makes_the_direct_trip_detour_over_it() {
    // West bank road north from W(-0.001, 0) to (-0.001, 0.01), the bridge
    // east to (0.001, 0.01), the east bank road south to E(0.001, 0): all
    // primary, 10 m/s. Settlement S(-0.0009, 0) and facility F(0.0009, 0)
    // face each other 0.18u = 200.15 m apart across the river.
    let net = RoadNetwork::build(&[
        road("west", &[(-0.001, 0.0), (-0.001, 0.01)], &[]),
        road(
            "bridge",
            &[(-0.001, 0.01), (0.001, 0.01)],
            &[("bridge", "yes")],
        ),
        road("east", &[(0.001, 0.01), (0.001, 0.0)], &[]),
    ]);
    let places = vec![place("S", -0.0009, 0.0)];
    let f = vec![facility(0.0009, 0.0)];

    // No barrier: the direct trip, 0.18u × 1.3 at 1 m/s.
    let open = TravelModel::build(&net, HAND, &places, vec![profile()]);
    let a = open.service_access(&car_service(), f.clone()).access[0];
    assert_eq!(a.via, Via::Direct);
    assert!((a.time.unwrap().0 - 0.234 * U).abs() < 1e-3, "{a:?}");

    // The river: 0.01u off-road to W (1 m/s), u north, 0.2u over the bridge
    // (cos 0.01° off 1 by 1.5e-8), u south (10 m/s), 0.01u to F.
    let blocked = TravelModel::build_blocked(&net, HAND, &places, vec![profile()], Some(river()));
    let a = blocked.service_access(&car_service(), f.clone()).access[0];
    let by_hand = 0.02 * U + 2.2 * U / 10.0;
    assert_eq!(a.via, Via::Road);
    assert_eq!(a.status, Status::Ok);
    assert!(
        (a.time.unwrap().0 - by_hand).abs() < 1e-3,
        "{a:?} vs {by_hand}"
    );
    assert!((a.time.unwrap().0 - 266.868).abs() < 1e-2);
    assert!((a.dist.unwrap().0 - 2.22 * U).abs() < 1e-3);

    // The catchment costs take the same trip.
    let row =
        CostBuilder::new(&blocked, &car_service()).rows(&f, Seconds(3600.0), Execution::Sequential);
    assert_eq!(row[0].len(), 1);
    assert!((row[0][0].1 * 60.0 - by_hand).abs() < 1e-6);

    // A straight-line run has no bridge: the trip is impossible.
    let none = RoadNetwork::build(&[]);
    let line = TravelModel::build_blocked(&none, HAND, &places, vec![profile()], Some(river()));
    let a = line.service_access(&car_service(), f).access[0];
    assert_eq!((a.via, a.time), (Via::None, None));
}

#[test]
fn a_village_across_the_river_from_the_nearest_road_snaps_on_its_own_bank() {
    // Roads 0.0002° west of the river and 0.003° east of it; the village
    // 0.0002° east of the river: 44.5 m from the west road, 311 m from the
    // east one.
    let net = RoadNetwork::build(&[
        road("near", &[(-0.0002, -0.01), (-0.0002, 0.01)], &[]),
        road("far", &[(0.003, -0.01), (0.003, 0.01)], &[]),
    ]);
    let places = vec![place("V", 0.0002, 0.0)];
    let road_of = |m: &TravelModel| {
        let s = m.profiles[0].settlement_snaps[0].unwrap();
        let seg = &net.segments[s.segment as usize];
        (net.roads[seg.road as usize].id.clone(), s.offroad.0)
    };
    let open = TravelModel::build(&net, HAND, &places, vec![profile()]);
    let (id, m) = road_of(&open);
    assert_eq!(id, "near");
    assert!((m - 0.04 * U).abs() < 1e-3);
    let blocked = TravelModel::build_blocked(&net, HAND, &places, vec![profile()], Some(river()));
    let (id, m) = road_of(&blocked);
    assert_eq!(id, "far");
    assert!((m - 0.28 * U).abs() < 1e-3);
    // Beyond max_snap_m on its own bank: off the network.
    let short = Travel {
        max_snap_m: 200.0,
        ..HAND
    };
    let cut = TravelModel::build_blocked(&net, short, &places, vec![profile()], Some(river()));
    assert!(cut.profiles[0].settlement_snaps[0].is_none());
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

// ---- From files -------------------------------------------------------------

/// Degrees of latitude per metre.
const DEG_PER_M: f64 = 1.0 / 111_195.0;

/// A river along 9.5° E; a bridge (primary, `bridge=yes`) 600 m long across
/// it on 47.1° N, joined to bank roads 300 m from the river running 667 m
/// south; an untagged track across it 1 km north; a village on the west
/// bank 110 m from a hospital on the east bank, 445 m south of the bridge;
/// a lake with a village inside; a pond mapped as a multipolygon; a fence
/// and a kerb.
fn river_extract() -> Pbf {
    let mut pbf = Pbf::new();
    let dlon = DEG_PER_M / 47.1f64.to_radians().cos();
    // River.
    pbf.node(1, 9.5, 47.09, &[]);
    pbf.node(2, 9.5, 47.11, &[]);
    pbf.way(100, &[1, 2], &[("waterway", "river"), ("name", "Rhein")]);
    // Bridge and bank roads: west bank road south from the bridge's west end.
    pbf.node(10, 9.5 - 300.0 * dlon, 47.1, &[]);
    pbf.node(11, 9.5 + 300.0 * dlon, 47.1, &[]);
    pbf.node(12, 9.5 - 300.0 * dlon, 47.094, &[]);
    pbf.node(13, 9.5 + 300.0 * dlon, 47.094, &[]);
    pbf.way(101, &[10, 11], &[("highway", "primary"), ("bridge", "yes")]);
    pbf.way(102, &[12, 10], &[("highway", "primary")]);
    pbf.way(103, &[11, 13], &[("highway", "primary")]);
    // Untagged track across the river.
    pbf.node(20, 9.5 - 300.0 * dlon, 47.11 - 0.001, &[]);
    pbf.node(21, 9.5 + 300.0 * dlon, 47.11 - 0.001, &[]);
    pbf.way(104, &[20, 21], &[("highway", "track")]);
    // Village and school face each other across the river.
    pbf.node(
        30,
        9.5 - 55.0 * dlon,
        47.096,
        &[("place", "village"), ("name", "West")],
    );
    pbf.node(
        31,
        9.5 + 55.0 * dlon,
        47.096,
        &[("amenity", "hospital"), ("name", "Ost")],
    );
    // A lake 200 m square west of the roads, a village at its middle.
    let (lx, ly) = (9.5 - 1000.0 * dlon, 47.1);
    let h = 100.0;
    pbf.node(40, lx - h * dlon, ly - h * DEG_PER_M, &[]);
    pbf.node(41, lx + h * dlon, ly - h * DEG_PER_M, &[]);
    pbf.node(42, lx + h * dlon, ly + h * DEG_PER_M, &[]);
    pbf.node(43, lx - h * dlon, ly + h * DEG_PER_M, &[]);
    pbf.way(105, &[40, 41, 42, 43, 40], &[("natural", "water")]);
    pbf.node(
        44,
        lx + 60.0 * dlon,
        ly,
        &[("place", "village"), ("name", "Insel")],
    );
    // A pond mapped as a multipolygon of two open ways, far east.
    pbf.node(70, 9.7, 47.1, &[]);
    pbf.node(71, 9.701, 47.1, &[]);
    pbf.node(72, 9.701, 47.101, &[]);
    pbf.node(73, 9.7, 47.101, &[]);
    pbf.way(120, &[70, 71, 72], &[]);
    pbf.way(121, &[72, 73, 70], &[]);
    pbf.relation(
        200,
        &[('w', 120, "outer"), ('w', 121, "outer")],
        &[("type", "multipolygon"), ("natural", "water")],
    );
    // A fence (read) and a kerb (not read by default).
    pbf.node(50, 9.6, 47.2, &[]);
    pbf.node(51, 9.601, 47.2, &[]);
    pbf.way(106, &[50, 51], &[("barrier", "fence")]);
    pbf.way(107, &[50, 51], &[("barrier", "kerb")]);
    pbf
}

fn study_of(dir: &Path, pbf: &Pbf, extra: &str) -> Study {
    pbf.write(dir, "r.osm.pbf");
    let path = dir.join("r.toml");
    std::fs::write(&path, format!("[inputs]\nosm = \"r.osm.pbf\"\n{extra}")).unwrap();
    let settings = Settings::load(&path).expect("a valid config");
    let ds = remoteness::load::load(&settings).expect("the extract loads");
    Study::prepare(settings, ds, &Quiet)
}

#[test]
fn an_extract_gives_rivers_lakes_fences_bridges_and_implied_fords() {
    let dir = tempfile::tempdir().unwrap();
    let study = study_of(dir.path(), &river_extract(), "[barriers]\n");
    let report = study.dataset.barrier_report.clone().expect("barriers read");
    assert_eq!(report.lines, BTreeMap::from([("fence", 1), ("water", 1)]));
    assert_eq!(report.polygons, BTreeMap::from([("water", 2)]));
    assert_eq!(report.implied_fords, 1);
    assert_eq!(report.closed_crossings, 0);
    assert_eq!(report.settlements_moved, 1);
    assert_eq!(study.dataset.diagnostics.counts.get("on_barrier"), Some(&1));
    assert_eq!(
        study.dataset.diagnostics.counts.get("implied_fords"),
        Some(&1)
    );

    // Insel is moved just out of its lake, 40 m east plus one.
    let insel = study
        .dataset
        .settlements
        .iter()
        .find(|s| s.settlement.name == "Insel")
        .unwrap();
    let dlon = DEG_PER_M / 47.1f64.to_radians().cos();
    let east_shore = 9.5 - 900.0 * dlon;
    let past = (insel.settlement.pos.lon - east_shore) / dlon;
    assert!((past - 1.0).abs() < 0.05, "{past} m past the shore");

    // The untagged track closes in the wet season; the bridge does not.
    let seasons = remoteness::scenario::seasons_from_osm(&study.roads);
    let wet = format!("{:?}", seasons.get("wet").expect("a wet season"));
    assert!(
        wet.contains("osm:way/104") && !wet.contains("osm:way/101"),
        "{wet}"
    );

    // West to the hospital: not 110 m directly across the river, but
    // 245 m to the bank road, 445 m north, 600 m over the bridge, 445 m
    // south and 245 m to the hospital.
    let model = study.model();
    let health = study
        .settings
        .services
        .iter()
        .find(|s| s.category == "health")
        .unwrap();
    let west = study
        .dataset
        .settlements
        .iter()
        .position(|s| s.settlement.name == "West")
        .unwrap();
    let hospitals: Vec<Facility> =
        remoteness::search::access::facilities_for(health, &study.dataset.facilities);
    let a = model.service_access(health, hospitals.clone()).access[west];
    assert_eq!(a.via, Via::Road);
    assert!((a.dist.unwrap().0 - 1980.0).abs() < 2.0, "{a:?}");

    // Without [barriers] the same extract gives the direct trip.
    let open = study_of(dir.path(), &river_extract(), "");
    assert!(open.dataset.barrier_report.is_none());
    let a = open.model().service_access(health, hospitals).access[west];
    assert_eq!(a.via, Via::Direct);
}

#[test]
fn a_closed_border_layer_cuts_the_road_crossing_it() {
    let dir = tempfile::tempdir().unwrap();
    // A road north along 9.52° E; the border along 47.1° N.
    let mut pbf = river_extract();
    pbf.node(60, 9.52, 47.09, &[]);
    pbf.node(61, 9.52, 47.095, &[]);
    pbf.node(62, 9.52, 47.105, &[]);
    pbf.node(63, 9.52, 47.11, &[]);
    pbf.way(110, &[60, 61, 62, 63], &[("highway", "primary")]);
    std::fs::write(
        dir.path().join("border.geojson"),
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"dz-ma"},
        "geometry":{"type":"LineString","coordinates":[[9.51,47.1],[9.53,47.1]]}}]}"#,
    )
    .unwrap();
    let extra = "[barriers]\nosm = false\nlayers = [{ path = \"border.geojson\", kind = \"border\", closed = true, id_field = \"id\" }]\n";
    let study = study_of(dir.path(), &pbf, extra);
    let report = study.dataset.barrier_report.clone().unwrap();
    assert_eq!(report.lines, BTreeMap::from([("border", 1)]));
    assert_eq!(report.closed_crossings, 1);
    assert_eq!(report.implied_fords, 0, "no river read: osm = false");
    let pieces: Vec<Vec<f64>> = study
        .roads
        .iter()
        .filter(|r| r.id == "osm:way/110")
        .map(|r| {
            r.vertices
                .iter()
                .map(|v| (v.1.lat * 1e6).round() / 1e6)
                .collect()
        })
        .collect();
    assert_eq!(pieces, [vec![47.09, 47.095], vec![47.105, 47.11]]);
}

/// The Liechtenstein config with its extract's path made absolute.
fn liechtenstein_text() -> String {
    std::fs::read_to_string(fixture("liechtenstein/liechtenstein.toml"))
        .unwrap()
        .replace(
            "liechtenstein.osm.pbf",
            &fixture("liechtenstein/liechtenstein.osm.pbf")
                .display()
                .to_string(),
        )
}

#[test]
fn scenarios_with_barriers_equal_a_from_scratch_run() {
    // Incremental scenario runs (facilities added and removed, roads
    // closed) over Liechtenstein with its rivers, lakes, fences and streams.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("barriers.toml");
    let text = liechtenstein_text();
    std::fs::write(&path, format!("{text}\n[barriers]\nosm_streams = true\n")).unwrap();
    crate::scenarios::check_random_sequences_at(&path, "liechtenstein with barriers", 9, 12);
}

#[test]
fn liechtenstein_with_its_rivers() {
    let dir = tempfile::tempdir().unwrap();
    let text = liechtenstein_text();
    let open_path = dir.path().join("open.toml");
    let blocked_path = dir.path().join("blocked.toml");
    std::fs::write(&open_path, &text).unwrap();
    std::fs::write(&blocked_path, format!("{text}\n[barriers]\n")).unwrap();
    let run = |p: &Path| {
        let settings = Settings::load(p).unwrap();
        remoteness::pipeline::analyse(settings, Execution::Parallel, &Quiet).unwrap()
    };
    let (open, blocked) = (run(&open_path), run(&blocked_path));
    let report = blocked.dataset.barrier_report.clone().unwrap();
    assert!(
        report.lines.get("water").is_some_and(|&n| n > 0),
        "{report:?}"
    );
    // No direct trip of the run crosses a barrier (checked on its own
    // index of what was read).
    let osm = blocked.settings.inputs.osm.clone().unwrap();
    let mut diags = remoteness::load::Diagnostics::default();
    let read = remoteness::load::osm::read_barriers(
        &osm,
        blocked.settings.barriers.as_ref().unwrap(),
        &mut diags,
    )
    .unwrap();
    let index = BarrierIndex::build(read);
    let mut changed = 0;
    for (so, sb) in open.access.iter().zip(&blocked.access) {
        for (k, (a, b)) in so.access.iter().zip(&sb.access).enumerate() {
            if (a.time, a.via) != (b.time, b.via) {
                changed += 1;
            }
            if let (Via::Direct, Some(f)) = (b.via, b.facility) {
                let from = blocked.dataset.settlements[k].settlement.pos;
                assert!(!index.blocks(from, sb.facilities[f as usize].pos));
            }
        }
    }
    assert!(changed > 0);
    let classes = open
        .scores
        .class
        .iter()
        .zip(&blocked.scores.class)
        .filter(|(a, b)| a != b)
        .count();
    eprintln!(
        "liechtenstein barriers: {report:?}; settlement trips changed {changed}, classes changed {classes}"
    );
}

#[test]
fn a_facility_a_scenario_adds_in_a_lake_stands_on_its_shore() {
    use remoteness::scenario::apply::apply;
    use remoteness::scenario::{Modification, NewFacility, Scenario, ScenarioSet};
    let dir = tempfile::tempdir().unwrap();
    let study = study_of(dir.path(), &river_extract(), "[barriers]\n");
    let dlon = DEG_PER_M / 47.1f64.to_radians().cos();
    let lake_centre = LonLat::new(9.5 - 1000.0 * dlon, 47.1);
    let set = ScenarioSet {
        path: "lake.toml".into(),
        sha256: String::new(),
        seasons: Default::default(),
        scenarios: Vec::new(),
    };
    let sc = Scenario {
        name: "clinic_on_the_lake".into(),
        description: String::new(),
        modifications: vec![Modification::AddFacility(NewFacility {
            id: "new".into(),
            name: "Seeklinik".into(),
            service: "health".into(),
            pos: LonLat::new(lake_centre.lon, lake_centre.lat + 70.0 * DEG_PER_M),
            capacity: 1.0,
        })],
    };
    let applied = apply(&study, &set, &sc).unwrap();
    let added = applied.facilities.iter().find(|f| f.id == "new").unwrap();
    // 30 m from the north shore: moved 1 m beyond it.
    let past = (added.pos.lat - (lake_centre.lat + 100.0 * DEG_PER_M)) / DEG_PER_M;
    assert!((past - 1.0).abs() < 0.05, "{past} m past the shore");
}

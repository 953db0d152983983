//! Barriers: a river with one bridge worked by hand, snapping to a road on
//! the place's own bank, the trip model and the catchment costs against the
//! Floyd–Warshall oracle of `model` with random barrier lines, barriers read
//! from a hand-written `.osm.pbf` (river, bridge, implied ford, lake, fence)
//! and from a layer (a closed border), and Liechtenstein with its rivers.

mod files;
mod oracle;

pub use oracle::{crosses, scan_snap};

use std::collections::BTreeMap;
use std::sync::Arc;

use remoteness::catchment::costs::CostBuilder;
use remoteness::config::{Profile, Service, Threshold, Travel};
use remoteness::index::{BarrierIndex, RoadNetwork};
use remoteness::load::LoadedSettlement;
use remoteness::model::{
    Barrier, BarrierKind, BarrierShape, Facility, LonLat, Oneway, PopulationSource, Road,
    Settlement,
};
use remoteness::pipeline::Execution;
use remoteness::search::access::{Status, TravelModel, Via};
use remoteness::units::{Population, Seconds};

/// `0.01°` of a great circle: `R · 0.01 · π/180` metres.
const U: f64 = 6_371_008.8 * 0.01 * std::f64::consts::PI / 180.0;
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

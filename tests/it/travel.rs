//! A hand-built network on the equator, with distances worked out by hand.
//!
//! On the equator a step of 0.01° of longitude is an arc of
//! `u = R · 0.01 · π/180 = 1111.9508 m` (R = 6 371 008.8 m), and a step of
//! `k·0.001°` of latitude off it is `k · u / 10`. The road A(0,0) → B(0.01,0)
//! → C(0.02,0) → D(0.03,0) is `primary` at 36 km/h (10 m/s); off-road travel
//! is 3.6 km/h (1 m/s). Facility F sits at (0.025, 0.001): 0.1·u = 111.195 m
//! north of the middle of C–D.

use std::collections::BTreeMap;

use remoteness::config::{Profile, Service, Threshold, Travel};
use remoteness::index::RoadNetwork;
use remoteness::load::LoadedSettlement;
use remoteness::model::{Facility, LonLat, Oneway, PopulationSource, Road, Settlement};
use remoteness::search::access::{Status, TravelModel, Via};
use remoteness::units::{Population, Seconds};

const U: f64 = 6_371_008.8 * 0.01 * std::f64::consts::PI / 180.0;

fn profile(oneway: bool) -> Profile {
    Profile {
        name: "car".into(),
        speeds_kmh: BTreeMap::from([("primary".to_string(), 36.0)]),
        offroad_kmh: 3.6,
        oneway,
        use_maxspeed: false,
        no_road_kmh: 36.0,
    }
}

fn road(id: &str, pts: &[(f64, f64)], oneway: Oneway) -> Road {
    Road {
        id: id.into(),
        class: "primary".into(),
        oneway,
        maxspeed: None,
        vertices: pts
            .iter()
            .map(|&(x, y)| (None, LonLat::new(x, y)))
            .collect(),
        passability: Vec::new(),
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
        valid: lon.is_finite(),
    }
}

fn service(category: &str) -> Service {
    Service {
        name: "health".into(),
        code: "hlth".into(),
        category: category.into(),
        profile: "car".into(),
        threshold: Threshold::Time(Seconds(3600.0)),
        straight_line: false,
    }
}

fn facility() -> Vec<Facility> {
    vec![Facility {
        id: "F".into(),
        name: "F".into(),
        category: "health".into(),
        pos: LonLat::new(0.025, 0.001),
        capacity: 1.0,
    }]
}

fn settlements() -> Vec<LoadedSettlement> {
    vec![
        place("S", 0.005, -0.002),  // 2·u/10 south of the middle of A–B
        place("S2", 0.028, -0.002), // 2·u/10 south of C–D at t = 0.8
        place("S3", 0.015, 0.05),   // 50·u/10 ≈ 5.56 km north of B–C
        place("S4", 1.005, 0.001),  // on a separate road far away
        place("X", f64::NAN, f64::NAN),
    ]
}

fn network(oneway: Oneway) -> RoadNetwork {
    RoadNetwork::build(&[
        road(
            "main",
            &[(0.0, 0.0), (0.01, 0.0), (0.02, 0.0), (0.03, 0.0)],
            oneway,
        ),
        road("far", &[(1.0, 0.0), (1.01, 0.0)], Oneway::No),
    ])
}

const TRAVEL: Travel = Travel {
    max_snap_m: 1000.0,
    circuity: 1.3,
    max_direct_m: 3000.0,
};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn two_way_road_times_by_hand() {
    let net = network(Oneway::No);
    let places = settlements();
    let model = TravelModel::build(&net, TRAVEL, &places, vec![profile(false)]);
    let r = model.service_access(&service("health"), facility());
    assert_eq!(r.facilities_on_network, 1);

    // S: 0.2u off-road (1 m/s) + 0.5u + u + 0.5u on road (10 m/s) + 0.1u off-road.
    let s = r.access[0];
    let t = 0.2 * U + 2.0 * U / 10.0 + 0.1 * U;
    assert_eq!(s.status, Status::Ok);
    assert_eq!(s.via, Via::Road);
    assert!(close(s.time.unwrap().0, t, 1e-3), "{:?} vs {t}", s.time);
    assert!(close(s.dist.unwrap().0, 0.3 * U + 2.0 * U, 1e-3));
    assert!(close(s.time.unwrap().0, 555.975, 1e-2));

    // S2: along C–D from t = 0.8 back to t = 0.5: 0.2u + 0.3u/10 + 0.1u.
    let s2 = r.access[1];
    assert_eq!(s2.via, Via::Road);
    assert!(close(s2.time.unwrap().0, 0.3 * U + 0.3 * U / 10.0, 1e-3));

    // S3: 5.56 km from every road: off the network, and too far for a direct trip.
    assert_eq!(r.access[2].status, Status::OffNetwork);
    assert_eq!(r.access[2].time, None);

    // S4: on a road that reaches no facility, 108 km away: unreachable.
    assert_eq!(r.access[3].status, Status::Unreachable);
    assert_eq!(r.access[3].via, Via::None);

    // X: no position.
    assert_eq!(r.access[4].status, Status::InvalidLocation);
}

#[test]
fn oneway_forces_the_direct_trip() {
    // Main road one-way A → D: from S2 the road only leads to the dead end D,
    // so the trip is direct: straight line √(0.003² + 0.003²)° = 0.3·√2·u
    // ≈ 471.76 m, × circuity 1.3 at 1 m/s.
    let net = network(Oneway::Forward);
    let places = settlements();
    let model = TravelModel::build(&net, TRAVEL, &places, vec![profile(true)]);
    let r = model.service_access(&service("health"), facility());
    let s2 = r.access[1];
    assert_eq!(s2.status, Status::Ok);
    assert_eq!(s2.via, Via::Direct);
    let straight = 0.3 * 2f64.sqrt() * U;
    assert!(
        close(s2.time.unwrap().0, 1.3 * straight, 0.05),
        "{:?}",
        s2.time
    );
    // S still goes forward along the road, as in the two-way case.
    assert!(close(r.access[0].time.unwrap().0, 555.975, 1e-2));

    // The same network ignoring oneway (walking) uses the road from S2.
    let model = TravelModel::build(&net, TRAVEL, &places, vec![profile(false)]);
    let r = model.service_access(&service("health"), facility());
    assert_eq!(r.access[1].via, Via::Road);
}

#[test]
fn a_longer_direct_allowance_reaches_the_off_network_place() {
    let net = network(Oneway::No);
    let places = settlements();
    let travel = Travel {
        max_direct_m: 10_000.0,
        ..TRAVEL
    };
    let model = TravelModel::build(&net, travel, &places, vec![profile(false)]);
    let r = model.service_access(&service("health"), facility());
    let s3 = r.access[2];
    assert_eq!(s3.status, Status::OffNetwork);
    assert_eq!(s3.via, Via::Direct);
    // Straight line from (0.015, 0.05) to (0.025, 0.001), × 1.3, at 1 m/s.
    let straight =
        remoteness::geometry::haversine(LonLat::new(0.015, 0.05), LonLat::new(0.025, 0.001)).0;
    assert!(close(s3.dist.unwrap().0, 1.3 * straight, 1e-6));
    assert!(close(s3.time.unwrap().0, 1.3 * straight, 1e-6));
}

#[test]
fn a_service_without_facilities_is_flagged() {
    let net = network(Oneway::No);
    let places = settlements();
    let model = TravelModel::build(&net, TRAVEL, &places, vec![profile(false)]);
    let r = model.service_access(&service("water"), Vec::new());
    assert!(r.access[..4].iter().all(|a| a.status == Status::NoFacility));
    assert_eq!(r.access[4].status, Status::InvalidLocation);
}

#[test]
fn straight_line_mode_without_roads() {
    // No roads: S → F is straight line × 1.3 at no_road_kmh (36 km/h = 10 m/s).
    let net = RoadNetwork::build(&[]);
    let places = settlements();
    let model = TravelModel::build(&net, TRAVEL, &places, vec![profile(false)]);
    let r = model.service_access(&service("health"), facility());
    let d =
        remoteness::geometry::haversine(LonLat::new(0.005, -0.002), LonLat::new(0.025, 0.001)).0;
    let s = r.access[0];
    assert_eq!(s.via, Via::StraightLine);
    assert_eq!(s.status, Status::Ok);
    assert!(close(s.time.unwrap().0, 1.3 * d / 10.0, 1e-9));
    // No distance cap in straight-line mode: S4, 108 km away, still has a trip.
    assert!(r.access[3].time.is_some());
}

#[test]
fn a_straight_line_service_ignores_the_roads() {
    // Distance to the grid: great-circle distance, no circuity, even where a
    // road route exists; time at the off-road speed (1 m/s).
    let net = network(Oneway::No);
    let places = settlements();
    let model = TravelModel::build(&net, TRAVEL, &places, vec![profile(false)]);
    let grid = Service {
        straight_line: true,
        ..service("health")
    };
    let r = model.service_access(&grid, facility());
    for (i, p) in places.iter().enumerate().take(4) {
        let d = remoteness::geometry::haversine(p.settlement.pos, LonLat::new(0.025, 0.001)).0;
        let a = r.access[i];
        assert_eq!((a.status, a.via), (Status::Ok, Via::StraightLine));
        assert!(close(a.dist.unwrap().0, d, 1e-6), "{:?} vs {d}", a.dist);
        assert!(close(a.time.unwrap().0, d, 1e-6));
    }
    assert_eq!(r.access[4].status, Status::InvalidLocation);
}

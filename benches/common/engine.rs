//! The seeded rural network (`synth.rs`) as a whole-engine dataset: roads
//! (one two-vertex way per segment), settlements off the road near
//! pseudo-random nodes, health facilities at pseudo-random nodes, and the
//! one-service settings; shared by the scenario and placement benches.

use std::path::Path;

use remoteness::config::{RawConfig, Settings};
use remoteness::load::Dataset;
use remoteness::model::{Facility, LonLat, Oneway, PopulationSource, Road, Settlement};
use remoteness::units::Population;

use crate::synth;

/// South-west corner of the synthetic land (Tata province), degrees.
const ORIGIN: (f64, f64) = (-8.6, 29.2);

/// Metres east and north of [`ORIGIN`] to WGS 84.
pub fn lonlat((x, y): (f64, f64)) -> LonLat {
    let lat0 = ORIGIN.1.to_radians();
    LonLat::new(
        ORIGIN.0 + x / (111_320.0 * lat0.cos()),
        ORIGIN.1 + y / 110_540.0,
    )
}

/// The synthetic network as roads (one two-vertex way per segment, joined by
/// node keys), settlements off the road near pseudo-random nodes, and 200
/// health facilities at pseudo-random nodes.
pub fn dataset(n: usize, settlements: usize, facilities: usize) -> Dataset {
    let net = synth::rural(n, 1);
    let mut roads = Vec::with_capacity(net.arcs.len() / 2);
    for (k, &(a, b, t, d)) in net.arcs.iter().enumerate() {
        if a > b {
            continue; // each segment is listed both ways
        }
        let kmh = d / t * 3.6;
        let class = if kmh > 60.0 {
            "primary"
        } else if kmh > 25.0 {
            "residential"
        } else {
            "track"
        };
        roads.push(Road {
            id: format!("w{k}"),
            class: class.into(),
            oneway: Oneway::No,
            maxspeed: None,
            vertices: vec![
                (Some(a as i64), lonlat(net.xy[a as usize])),
                (Some(b as i64), lonlat(net.xy[b as usize])),
            ],
            passability: Vec::new(),
            joinable: true,
        });
    }
    let mut rng = synth::Rng(7);
    let settlements = (0..settlements)
        .map(|i| {
            let (x, y) = net.xy[rng.below(n)];
            let pos = lonlat((x + (rng.f64() - 0.5) * 300.0, y + (rng.f64() - 0.5) * 300.0));
            Settlement {
                id: format!("s{i}"),
                name: format!("douar {i}"),
                place: "hamlet".into(),
                pos,
                population: Population(20.0 + (rng.f64() * 900.0).floor()),
                population_source: PopulationSource::Attribute,
            }
        })
        .collect();
    let facilities = synth::facilities(n, facilities, 2)
        .iter()
        .map(|s| Facility {
            id: format!("h{}", s.source),
            name: String::new(),
            category: "health".into(),
            pos: lonlat(net.xy[s.node as usize]),
            capacity: 1.0 + (s.source % 5) as f64,
        })
        .collect();
    Dataset::from_parts(settlements, facilities, roads, None)
}

pub fn settings() -> Settings {
    let raw: RawConfig = toml::from_str(
        r#"
        [inputs]
        settlements = [{ path = "in-memory" }]
        [services.health]
        profile = "drive"
        threshold_min = 60
        [services.school]
        enabled = false
        [services.water]
        enabled = false
        [services.power]
        enabled = false
        [gravity]
        enabled = false
        [zones]
        h3_resolution = 6
        "#,
    )
    .expect("bench config");
    Settings::from_raw(raw, Path::new("."), Path::new("bench.toml")).expect("bench config")
}

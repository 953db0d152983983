//! Both bundled real examples, end to end.

use std::collections::{BTreeSet, HashMap};

use remoteness::config::Settings;
use remoteness::geometry::haversine;
use remoteness::pipeline::{Analysis, Execution};
use remoteness::search::access::{Status, Via};

use crate::common::{analyse_config, fixture, run_bin};

/// Invariants every run must satisfy.
fn check_invariants(a: &Analysis) {
    let n = a.dataset.settlements.len();
    for sa in &a.access {
        assert_eq!(
            sa.access.len(),
            n,
            "service {} misses settlements",
            sa.service
        );
        for (i, x) in sa.access.iter().enumerate() {
            let s = &a.dataset.settlements[i];
            // A trip exists exactly when a time is given, with its facility.
            assert_eq!(x.time.is_some(), x.facility.is_some());
            assert_eq!(x.time.is_some(), x.dist.is_some());
            assert_eq!(x.time.is_some(), x.via != Via::None);
            if let (Some(f), Some(d)) = (x.facility, x.dist) {
                // A route is never shorter than the straight line.
                let straight = haversine(s.settlement.pos, sa.facilities[f as usize].pos).0;
                assert!(
                    d.0 >= straight - 0.01,
                    "{} → {}: route {} m < straight line {straight} m",
                    s.settlement.id,
                    sa.facilities[f as usize].id,
                    d.0
                );
                assert!(x.time.unwrap().0 >= 0.0);
                assert_ne!(x.status, Status::Unreachable);
            }
            if !s.valid {
                assert_eq!(x.status, Status::InvalidLocation);
            }
        }
    }
    let max = a.scores.composite_max;
    for c in a.scores.composite.iter().flatten() {
        assert!(
            (0.0..=max + 1e-9).contains(c),
            "composite {c} outside [0, {max}]"
        );
    }
    // Zone ranks are a permutation of 1..=Z; populations add up.
    let ranks: BTreeSet<usize> = a.zone_stats.iter().map(|z| z.rank).collect();
    assert_eq!(ranks, (1..=a.zone_stats.len()).collect());
    let in_zones: f64 = a
        .dataset
        .settlements
        .iter()
        .zip(&a.zone_of)
        .filter(|(s, z)| z.is_some() && s.valid)
        .map(|(s, _)| s.settlement.population.0)
        .sum();
    let zone_total: f64 = a.zone_stats.iter().map(|z| z.population).sum();
    assert!((in_zones - zone_total).abs() < 1e-6 * in_zones.max(1.0));
    let occupied = a.zone_stats.iter().filter(|z| z.settlements > 0).count();
    let priority = a.zone_stats.iter().filter(|z| z.priority).count();
    let expected = (a.settings.zones.priority_fraction * occupied as f64).ceil() as usize;
    assert!(
        priority <= expected && priority > 0,
        "{priority} priority zones, expected ≤ {expected}"
    );
    for z in a.zone_stats.iter().filter(|z| z.priority) {
        assert!(!z.reason.is_empty());
    }
}

/// Place nodes and ways in a `.pbf`, counted independently of the engine.
fn count_places(path: &std::path::Path, values: &[String]) -> usize {
    use osmpbf::{Element, ElementReader};
    let mut n = 0;
    ElementReader::from_path(path)
        .unwrap()
        .for_each(|el| {
            let is_place = |k: &str, v: &str| k == "place" && values.iter().any(|p| p == v);
            n += match el {
                Element::Node(x) => x.tags().any(|(k, v)| is_place(k, v)) as usize,
                Element::DenseNode(x) => x.tags().any(|(k, v)| is_place(k, v)) as usize,
                Element::Way(x) => x.tags().any(|(k, v)| is_place(k, v)) as usize,
                Element::Relation(_) => 0,
            }
        })
        .unwrap();
    n
}

#[test]
fn liechtenstein_from_one_pbf() {
    let config = fixture("liechtenstein/liechtenstein.toml");
    let a = analyse_config(&config, Execution::Parallel);
    let settings = Settings::load(&config).unwrap();
    let expected = count_places(
        &fixture("liechtenstein/liechtenstein.osm.pbf"),
        &settings.osm.place_values,
    );
    assert_eq!(a.dataset.settlements.len(), expected);
    assert!(expected >= 15, "the extract has at least its 15 villages");
    assert_eq!(a.travel_mode.as_str(), "road_network");
    assert!(a.network.nodes > 10_000 && a.network.segments > 10_000);
    // Distance to the grid is a straight line by default.
    let power = a.access.iter().find(|s| s.service == "power").unwrap();
    assert!(power.access.iter().all(|x| x.via == Via::StraightLine));
    // Every service has facilities and most settlements reach them.
    for (sa, sum) in a.access.iter().zip(&a.scores.summaries) {
        assert!(!sa.facilities.is_empty(), "{} has no facility", sa.service);
        assert!(sum.in_composite);
        let ok = sa.access.iter().filter(|x| x.status == Status::Ok).count();
        assert!(
            ok * 10 >= sa.access.len() * 9,
            "{}: only {ok} ok",
            sa.service
        );
    }
    // Vaduz, the capital, holds the hospital: its health trip is short.
    let vaduz = a
        .dataset
        .settlements
        .iter()
        .position(|s| s.settlement.name == "Vaduz")
        .expect("Vaduz is in the extract");
    let health = a.access.iter().find(|s| s.service == "health").unwrap();
    assert!(health.access[vaduz].time.unwrap().minutes() < 5.0);
    assert_eq!(a.zone_source.as_str(), "h3");
    // Hamlets without a population tag are counted, naming the file.
    let missing = &a.dataset.diagnostics;
    assert!(missing.counts["population_missing"] > 0);
    let ex = missing
        .examples
        .iter()
        .find(|w| w.kind == "population_missing")
        .unwrap();
    assert!(ex.file.ends_with("liechtenstein.osm.pbf"), "{ex:?}");
    check_invariants(&a);
}

#[test]
fn tata_with_communes_and_census() {
    let config = fixture("tata/tata.toml");
    let a = analyse_config(&config, Execution::Parallel);
    let text = std::fs::read_to_string(fixture("tata/settlements.geojson")).unwrap();
    let fc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let n = fc["features"].as_array().unwrap().len();
    assert_eq!(a.dataset.settlements.len(), n);
    assert_eq!(a.travel_mode.as_str(), "straight_line");
    assert_eq!(a.zones.len(), 20);
    assert_eq!(a.zone_source.as_str(), "layer");
    assert!(a
        .access
        .iter()
        .all(|sa| sa.access.iter().all(|x| x.via == Via::StraightLine)));
    // Census allocation: in every zone whose own-population settlements do
    // not exceed its total, the zone population equals the 2024 census.
    let rep = a.allocation.as_ref().expect("census was allocated");
    assert_eq!(rep.zones_with_total, 20);
    let census: HashMap<String, f64> = csv::Reader::from_path(fixture("tata/census.csv"))
        .unwrap()
        .deserialize::<HashMap<String, String>>()
        .map(|r| {
            let r = r.unwrap();
            (r["code"].clone(), r["population_2024"].parse().unwrap())
        })
        .collect();
    for z in &a.zone_stats {
        let id = &a.zones[z.zone].id;
        if rep.zones_total_exceeded.contains(id) || rep.zones_without_settlements.contains(id) {
            continue;
        }
        assert!(
            (z.population - census[id]).abs() < 1e-6 * census[id],
            "zone {id}: {} vs census {}",
            z.population,
            census[id]
        );
    }
    check_invariants(&a);
}

#[test]
fn outputs_are_complete_and_flat() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let config = fixture("tata/tata.toml");
    // The summary is printed without --quiet (run_config passes it).
    let o = run_bin(&[
        "run",
        config.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("People beyond each service's threshold"),
        "{stdout}"
    );
    assert!(stdout.contains("Zones where action helps most"));

    let gj: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("settlements.geojson")).unwrap())
            .unwrap();
    let feats = gj["features"].as_array().unwrap();
    assert_eq!(feats.len(), 499);
    // Properties keep the designed column order (QGIS shows them so).
    let keys: Vec<&str> = feats[0]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys[..5], ["id", "name", "place", "lon", "lat"]);
    let c = keys.iter().position(|k| *k == "composite").unwrap();
    assert_eq!(keys[c + 1], "class");
    // The capacity-aware measures follow: catchments, coverage, gravity.
    for k in [
        "hlth_e2sf",
        "schl_e2sf",
        "hlth_c15",
        "hlth_c120",
        "grav_acc",
        "grav_idx",
    ] {
        assert!(keys[c + 2..].contains(&k), "{k} missing from {keys:?}");
    }
    assert_eq!(keys[keys.len() - 1], "grav_idx");
    // Every name fits a dBase field (10 characters), so shapefile export keeps them.
    for k in &keys {
        assert!(k.len() <= 10, "field {k} is longer than 10 characters");
    }
    for f in feats {
        for (k, v) in f["properties"].as_object().unwrap() {
            assert!(!v.is_object() && !v.is_array(), "property {k} is not flat");
        }
        let c = &f["geometry"]["coordinates"];
        assert!(c[0].as_f64().unwrap().abs() <= 180.0 && c[1].as_f64().unwrap().abs() <= 90.0);
        assert!(f["properties"]["hlth_min"].is_number());
    }
    let csv_rows = csv::Reader::from_path(out.join("settlements.csv"))
        .unwrap()
        .records()
        .count();
    assert_eq!(csv_rows, 499);
    let zones: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("zones.geojson")).unwrap()).unwrap();
    let zf = zones["features"].as_array().unwrap();
    assert_eq!(zf.len(), 20);
    assert_eq!(zf[0]["properties"]["rank"], 1);
    assert_eq!(zf[0]["geometry"]["type"], "MultiPolygon");
    for k in ["hlth_e2sf", "hlth_cp30", "hlth_np30", "grav_idx"] {
        assert!(
            zf[0]["properties"].get(k).is_some(),
            "zone field {k} missing"
        );
    }
    let fac: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("facilities.geojson")).unwrap())
            .unwrap();
    let ff = fac["features"].as_array().unwrap();
    assert!(!ff.is_empty());
    for f in ff {
        let p = f["properties"].as_object().unwrap();
        assert!(p.keys().all(|k| k.len() <= 10));
        // Straight-line services (power) have no catchment: their reach
        // is null; every other facility's is a count.
        assert!(p["capacity"].is_number());
        if p["service"] == "power" {
            assert!(p["n_settl"].is_null(), "{p:?}");
        } else {
            assert!(p["n_settl"].is_number(), "{p:?}");
        }
    }
    let fac_rows = csv::Reader::from_path(out.join("facilities.csv"))
        .unwrap()
        .records()
        .count();
    assert_eq!(fac_rows, ff.len());

    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["travel_mode"], "straight_line");
    assert_eq!(run["inputs"].as_array().unwrap().len(), 4);
    assert_eq!(run["inputs"][0]["sha256"].as_str().unwrap().len(), 64);
    assert!(run["assumptions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s.as_str().unwrap().contains("No road layer")));
    assert!(run["settings"]["profiles"]["walk"]["speeds_kmh"]["track"].is_number());
    // No temporary files are left behind.
    for e in std::fs::read_dir(&out).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        assert!(!name.starts_with('.'), "leftover {name}");
    }
}

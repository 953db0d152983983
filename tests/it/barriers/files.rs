//! Barriers read from files: a hand-written `.osm.pbf` (river, bridge,
//! implied ford, lake, pond, fence), a closed border layer, Liechtenstein.

use std::collections::BTreeMap;
use std::path::Path;

use remoteness::config::Settings;
use remoteness::index::BarrierIndex;
use remoteness::model::{Facility, LonLat};
use remoteness::pipeline::{Execution, Quiet, Study};
use remoteness::search::access::Via;

use crate::common::fixture;
use crate::pbf::Pbf;

// ---- From files -------------------------------------------------------------

/// Degrees of latitude per metre.
const DEG_PER_M: f64 = 1.0 / 111_195.0;

/// A river along 9.5° E; a bridge (primary, `bridge=yes`) 600 m long across
/// it on 47.1° N, joined to bank roads 300 m from the river running 667 m
/// south; an untagged track across it 1 km north; a village on the west
/// bank 110 m from a hospital on the east bank, 445 m south of the bridge;
/// a lake with a village inside; a pond mapped as a multipolygon; a stream
/// and a culvert; a fence and a kerb.
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
    // A stream (read with osm_streams) crossing the bank road, and a piece
    // of it in a culvert under the track (never read).
    pbf.node(80, 9.5 - 400.0 * dlon, 47.097, &[]);
    pbf.node(81, 9.5 - 200.0 * dlon, 47.097, &[]);
    pbf.node(82, 9.5 - 200.0 * dlon, 47.109 - 0.0002, &[]);
    pbf.node(83, 9.5 - 200.0 * dlon, 47.109 + 0.0002, &[]);
    pbf.way(130, &[80, 81], &[("waterway", "stream")]);
    pbf.way(
        131,
        &[82, 83],
        &[("waterway", "stream"), ("tunnel", "culvert")],
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

    // With streams: the stream is read and the bank road it crosses becomes
    // an implied ford; the culvert is not a barrier.
    let streams = study_of(
        dir.path(),
        &river_extract(),
        "[barriers]\nosm_streams = true\n",
    );
    let report = streams.dataset.barrier_report.clone().unwrap();
    assert_eq!(report.lines, BTreeMap::from([("fence", 1), ("water", 2)]));
    assert_eq!(report.implied_fords, 2);

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

/// A one-shot run with barriers (its R-tree snapped on and dropped before
/// the graphs are built) counts the same moved snaps and finds the same
/// access as a study that keeps everything. The river extract gains a
/// street 30 m east of the river and a hamlet 30 m west of it, whose
/// nearest road is that street across the water.
#[test]
fn a_one_shot_run_with_barriers_equals_a_kept_study() {
    let dir = tempfile::tempdir().unwrap();
    let dlon = DEG_PER_M / 47.1f64.to_radians().cos();
    let mut pbf = river_extract();
    pbf.node(90, 9.5 + 30.0 * dlon, 47.095, &[]);
    pbf.node(91, 9.5 + 30.0 * dlon, 47.0985, &[]);
    pbf.way(140, &[90, 91], &[("highway", "residential")]);
    pbf.node(
        92,
        9.5 - 30.0 * dlon,
        47.097,
        &[("place", "hamlet"), ("name", "Ufer")],
    );
    pbf.write(dir.path(), "r.osm.pbf");
    let path = dir.path().join("r.toml");
    std::fs::write(&path, "[inputs]\nosm = \"r.osm.pbf\"\n[barriers]\n").unwrap();
    let settings = Settings::load(&path).unwrap();
    let one_shot =
        remoteness::pipeline::analyse(settings.clone(), Execution::Parallel, &Quiet).unwrap();
    let dataset = remoteness::load::load(&settings).unwrap();
    let kept = Study::prepare(settings, dataset, &Quiet).analyse(Execution::Parallel, &Quiet);
    let a = one_shot.dataset.barrier_report.clone().unwrap();
    let b = kept.dataset.barrier_report.clone().unwrap();
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    assert!(a.snaps_moved.values().all(|&n| n > 0), "{a:?}");
    assert_eq!(one_shot.access.len(), kept.access.len());
    for (x, y) in one_shot.access.iter().zip(&kept.access) {
        assert_eq!(format!("{:?}", x.access), format!("{:?}", y.access));
    }
}

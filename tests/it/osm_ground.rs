//! OSM as it is on the ground: places join the network only where a person
//! standing there can (no tunnel, no private driveway), multipolygon
//! relations as facilities and zones, and the warning when an extract has
//! few places.

use std::path::Path;

use remoteness::config::Settings;
use remoteness::load::osm::read_pbf;
use remoteness::pipeline::{Quiet, Study};

use crate::common::fixture;
use crate::pbf::Pbf;

/// Degrees of latitude per metre (on the WGS 84 mean sphere).
const DEG_PER_M: f64 = 1.0 / 111_195.0;

/// A street along 47.1° N, and 10 m north of it a −4 service tunnel joined
/// to the street at both ends; a village 0.3 m above the tunnel, a school
/// beside a private driveway 2 m away from it.
fn tunnel_extract() -> Pbf {
    let mut pbf = Pbf::new();
    let north = 47.1 + 10.0 * DEG_PER_M;
    pbf.node(1, 9.500, 47.1, &[]);
    pbf.node(2, 9.502, 47.1, &[]);
    pbf.node(3, 9.5005, north, &[]);
    pbf.node(4, 9.5015, north, &[]);
    pbf.node(5, 9.5005, 47.1 - 30.0 * DEG_PER_M, &[]);
    pbf.node(6, 9.5015, 47.1 - 30.0 * DEG_PER_M, &[]);
    pbf.node(
        7,
        9.501,
        north + 0.3 * DEG_PER_M,
        &[("place", "village"), ("name", "Oben")],
    );
    pbf.node(
        8,
        9.501,
        47.1 - 32.0 * DEG_PER_M,
        &[("amenity", "school"), ("name", "Schule")],
    );
    pbf.way(10, &[1, 2], &[("highway", "residential")]);
    pbf.way(
        11,
        &[1, 3, 4, 2],
        &[
            ("highway", "service"),
            ("tunnel", "yes"),
            ("layer", "-4"),
            ("covered", "yes"),
        ],
    );
    pbf.way(
        12,
        &[1, 5, 6, 2],
        &[("highway", "service"), ("access", "private")],
    );
    pbf
}

fn config(dir: &Path, pbf: &Pbf, extra: &str) -> Settings {
    pbf.write(dir, "t.osm.pbf");
    let path = dir.join("t.toml");
    std::fs::write(&path, format!("[inputs]\nosm = \"t.osm.pbf\"\n{extra}")).unwrap();
    Settings::load(&path).expect("a valid config")
}

fn prepare(settings: Settings) -> Study {
    let ds = remoteness::load::load(&settings).expect("the extract loads");
    Study::prepare(settings, ds, &Quiet)
}

/// The road id and off-road metres of settlement `i`'s snap, per profile.
fn snaps(study: &Study, i: usize) -> Vec<(String, f64)> {
    study
        .profiles
        .iter()
        .map(|ctx| {
            let s = ctx.settlement_snaps[i].expect("the settlement snaps");
            let seg = &study.net.segments[s.segment as usize];
            (study.net.roads[seg.road as usize].id.clone(), s.offroad.0)
        })
        .collect()
}

#[test]
fn tunnels_and_private_ways_are_not_snap_targets() {
    let table = Settings::load(&fixture("liechtenstein/liechtenstein.toml"))
        .unwrap()
        .osm;
    let dir = tempfile::tempdir().unwrap();
    let path = tunnel_extract().write(dir.path(), "t.osm.pbf");
    let data = read_pbf(&path, &table).unwrap();
    let joinable: Vec<(&str, bool)> = data
        .roads
        .iter()
        .map(|r| (r.id.as_str(), r.joinable))
        .collect();
    assert_eq!(
        joinable,
        [
            ("osm:way/10", true),
            ("osm:way/11", false),
            ("osm:way/12", false)
        ]
    );
}

#[test]
fn a_village_above_a_tunnel_snaps_to_the_street() {
    let dir = tempfile::tempdir().unwrap();
    let study = prepare(config(dir.path(), &tunnel_extract(), ""));
    assert!(!study.profiles.is_empty());
    for (road, offroad) in snaps(&study, 0) {
        assert_eq!(road, "osm:way/10");
        assert!((offroad - 10.3).abs() < 0.1, "off-road {offroad} m");
    }
    // The tunnel is still driven through: it is in the network.
    assert!(study.net.roads.iter().any(|r| r.id == "osm:way/11"));
    // The school beside the private driveway joins the street too.
    let school = study
        .dataset
        .facilities
        .iter()
        .position(|f| f.name == "Schule")
        .unwrap();
    let pos = study.dataset.facilities[school].pos;
    for ctx in &study.profiles {
        let s = ctx.snap(pos).unwrap();
        let seg = &study.net.segments[s.segment as usize];
        assert_eq!(study.net.roads[seg.road as usize].id, "osm:way/10");
    }
}

#[test]
fn the_exclusions_can_be_turned_off() {
    let dir = tempfile::tempdir().unwrap();
    let extra = "[osm]\nsnap_exclude_underground = false\nsnap_exclude_access = []\n";
    let study = prepare(config(dir.path(), &tunnel_extract(), extra));
    for (road, offroad) in snaps(&study, 0) {
        assert_eq!(road, "osm:way/11");
        assert!(offroad < 0.4, "off-road {offroad} m");
    }
}

#[test]
fn a_place_with_only_tunnels_around_is_unplaced_as_with_no_road() {
    let mut pbf = Pbf::new();
    pbf.node(1, 9.500, 47.1, &[]);
    pbf.node(2, 9.502, 47.1, &[]);
    pbf.node(3, 9.501, 47.1001, &[("place", "hamlet")]);
    pbf.way(
        10,
        &[1, 2],
        &[("highway", "residential"), ("tunnel", "yes")],
    );
    let dir = tempfile::tempdir().unwrap();
    let study = prepare(config(dir.path(), &pbf, ""));
    for ctx in &study.profiles {
        assert_eq!(ctx.settlement_snaps[0], None);
    }
}

#[test]
fn few_places_are_reported_with_the_alternatives() {
    let dir = tempfile::tempdir().unwrap();
    let settings = config(dir.path(), &tunnel_extract(), "");
    let ds = remoteness::load::load(&settings).unwrap();
    assert_eq!(ds.diagnostics.counts.get("few_settlements"), Some(&1));
    let w = ds
        .diagnostics
        .examples
        .iter()
        .find(|w| w.kind == "few_settlements")
        .unwrap();
    for hint in [
        "osm.place_values",
        "population grid",
        "osm.building_cells",
        "H3",
    ] {
        assert!(w.message.contains(hint), "{hint} missing in {}", w.message);
    }
}

/// Liechtenstein's tunnels, underground and private ways: still in the
/// network, no longer snap targets. Counts the roads left out and the
/// settlements whose snap moved.
#[test]
fn liechtenstein_snaps_leave_out_tunnels_and_private_ways() {
    let config = fixture("liechtenstein/liechtenstein.toml");
    let on = Settings::load(&config).unwrap();
    let mut off = on.clone();
    off.osm.snap_exclude_underground = false;
    off.osm.snap_exclude_access.clear();
    let (on, off) = (prepare(on), prepare(off));
    let left_out = on.roads.iter().filter(|r| !r.joinable).count();
    assert_eq!(off.roads.iter().filter(|r| !r.joinable).count(), 0);
    assert_eq!(on.net.segments.len(), off.net.segments.len());
    let n = on.dataset.settlements.len();
    let moved: Vec<usize> = on
        .profiles
        .iter()
        .zip(&off.profiles)
        .map(|(a, b)| {
            (0..n)
                .filter(|&i| a.settlement_snaps[i] != b.settlement_snaps[i])
                .count()
        })
        .collect();
    let facilities_moved: Vec<usize> = on
        .profiles
        .iter()
        .zip(&off.profiles)
        .map(|(a, b)| {
            let facilities = &on.dataset.facilities;
            facilities
                .iter()
                .filter(|f| a.snap(f.pos) != b.snap(f.pos))
                .count()
        })
        .collect();
    eprintln!(
        "left out {left_out} of {} roads; settlements moved {moved:?} of {n}; facilities moved {facilities_moved:?} of {}",
        on.roads.len(),
        on.dataset.facilities.len()
    );
    assert_eq!(
        (left_out, moved, facilities_moved),
        (32, vec![0, 0], vec![1, 1])
    );
}

fn table() -> remoteness::config::OsmTags {
    let mut t = Settings::load(&fixture("liechtenstein/liechtenstein.toml"))
        .unwrap()
        .osm;
    t.zone_admin_level = Some(8);
    t
}

/// A school campus as a multipolygon of two outer ways (one drawn
/// backwards) around a hole that covers its middle; a municipality of
/// `admin_level=8` around it and one of level 6 ignored; a hospital
/// relation whose second way is missing from the extract.
fn relation_extract() -> Pbf {
    let mut pbf = Pbf::new();
    let square = |pbf: &mut Pbf, first: i64, x0: f64, y0: f64, side: f64| {
        pbf.node(first, x0, y0, &[]);
        pbf.node(first + 1, x0 + side, y0, &[]);
        pbf.node(first + 2, x0 + side, y0 + side, &[]);
        pbf.node(first + 3, x0, y0 + side, &[]);
    };
    square(&mut pbf, 1, 9.50, 47.10, 0.004);
    square(&mut pbf, 5, 9.5005, 47.1005, 0.003);
    square(&mut pbf, 11, 9.4, 47.0, 0.2);
    square(&mut pbf, 21, 9.45, 47.05, 0.001);
    pbf.node(30, 9.501, 47.101, &[("place", "village")]);
    pbf.way(100, &[1, 2, 3], &[]);
    pbf.way(101, &[1, 4, 3], &[]);
    pbf.way(102, &[5, 6, 7, 8, 5], &[]);
    pbf.way(110, &[11, 12, 13, 14, 11], &[]);
    pbf.way(120, &[21, 22, 23], &[]);
    pbf.way(1, &[1, 5], &[("highway", "residential")]);
    pbf.relation(
        500,
        &[
            ('w', 100, "outer"),
            ('w', 102, "inner"),
            ('w', 101, "outer"),
        ],
        &[
            ("type", "multipolygon"),
            ("amenity", "school"),
            ("name", "Campus"),
        ],
    );
    pbf.relation(
        501,
        &[('w', 120, "outer"), ('w', 121, "outer")],
        &[("type", "multipolygon"), ("amenity", "hospital")],
    );
    pbf.relation(
        600,
        &[('w', 110, "outer"), ('n', 30, "admin_centre")],
        &[
            ("type", "boundary"),
            ("boundary", "administrative"),
            ("admin_level", "8"),
            ("name", "Gemeinde"),
        ],
    );
    pbf.relation(
        601,
        &[('w', 110, "outer")],
        &[
            ("type", "boundary"),
            ("boundary", "administrative"),
            ("admin_level", "6"),
        ],
    );
    pbf
}

#[test]
fn a_multipolygon_campus_is_a_facility_at_a_point_inside() {
    let dir = tempfile::tempdir().unwrap();
    let path = relation_extract().write(dir.path(), "r.osm.pbf");
    let data = read_pbf(&path, &table()).unwrap();
    let campus = data
        .facilities
        .iter()
        .find(|f| f.id == "osm:relation/500")
        .expect("the campus is a facility");
    assert_eq!(
        (campus.category.as_str(), campus.name.as_str()),
        ("school", "Campus")
    );
    let (x, y) = (campus.pos.lon, campus.pos.lat);
    assert!((9.50..=9.504).contains(&x) && (47.10..=47.104).contains(&y));
    let in_hole = (9.5005..=9.5035).contains(&x) && (47.1005..=47.1035).contains(&y);
    assert!(!in_hole, "({x}, {y}) is in the hole");
    // The broken hospital: its ring cannot close; placed at its nodes' mean,
    // with both warnings counted.
    let hospital = data
        .facilities
        .iter()
        .find(|f| f.id == "osm:relation/501")
        .expect("the hospital is kept");
    assert!((hospital.pos.lon - 9.4505).abs() < 1e-3);
    for kind in [
        "relation_incomplete",
        "relation_open_ring",
        "relation_no_polygon",
    ] {
        assert_eq!(data.diagnostics.counts.get(kind), Some(&1), "{kind}");
    }
}

/// A member of an undefined type (osmpbf's member iterator panics on one)
/// is skipped.
#[test]
fn a_member_of_unknown_type_is_skipped() {
    let mut pbf = relation_extract();
    pbf.relation(
        502,
        &[
            ('?', 100, "outer"),
            ('w', 100, "outer"),
            ('w', 101, "outer"),
        ],
        &[("type", "multipolygon"), ("amenity", "clinic")],
    );
    let dir = tempfile::tempdir().unwrap();
    let path = pbf.write(dir.path(), "r.osm.pbf");
    let data = read_pbf(&path, &table()).unwrap();
    assert!(data.facilities.iter().any(|f| f.id == "osm:relation/502"));
}

#[test]
fn administrative_relations_of_the_configured_level_are_zones() {
    let dir = tempfile::tempdir().unwrap();
    let path = relation_extract().write(dir.path(), "r.osm.pbf");
    let data = read_pbf(&path, &table()).unwrap();
    let zones: Vec<(&str, &str)> = data
        .zones
        .iter()
        .map(|z| (z.id.as_str(), z.name.as_str()))
        .collect();
    assert_eq!(zones, [("osm:relation/600", "Gemeinde")]);
    // Without the setting, no zone is read.
    let mut t = table();
    t.zone_admin_level = None;
    assert!(read_pbf(&path, &t).unwrap().zones.is_empty());

    // Through a config: the zones of the run.
    let settings = config(
        dir.path(),
        &relation_extract(),
        "[zones]\nosm_admin_level = 8\n",
    );
    let study = prepare(settings);
    assert_eq!(study.zone_source.as_str(), "osm");
    assert_eq!(study.zones.len(), 1);
    assert_eq!(study.zone_of, [Some(0)]);
}

#[test]
fn zones_from_osm_need_the_extract_and_no_zone_layer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    for (text, needle) in [
        ("[inputs]\nosm='x.osm.pbf'\n[zones]\nosm_admin_level=13\n", "1–12"),
        (
            "[inputs]\nosm='x.osm.pbf'\n[inputs.zones]\npath='z.geojson'\n[zones]\nosm_admin_level=8\n",
            "not both",
        ),
    ] {
        std::fs::write(&path, text).unwrap();
        let e = Settings::load(&path).unwrap_err().to_string();
        assert!(e.contains("zones.osm_admin_level") && e.contains(needle), "{e}");
    }
}

/// Liechtenstein 2015 maps no facility as a relation (GDAL's
/// `multipolygons` layer agrees: its only amenity relations are a car park
/// and a bus station); its 11 municipalities and Fläsch (CH), whole in the
/// extract, are the 12 `admin_level=8` zones; the 10 neighbours cut by the
/// extract's edge are counted warnings. Every settlement lies in one.
#[test]
fn liechtenstein_relations() {
    let data = read_pbf(&fixture("liechtenstein/liechtenstein.osm.pbf"), &table()).unwrap();
    let from_relations = data
        .facilities
        .iter()
        .filter(|f| f.id.starts_with("osm:relation/"))
        .count();
    assert_eq!(from_relations, 0);
    let mut names: Vec<&str> = data.zones.iter().map(|z| z.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "Balzers",
            "Eschen",
            "Fläsch",
            "Gamprin",
            "Mauren",
            "Planken",
            "Ruggell",
            "Schaan",
            "Schellenberg",
            "Triesen",
            "Triesenberg",
            "Vaduz"
        ]
    );
    assert_eq!(
        data.diagnostics.counts.get("relation_no_polygon"),
        Some(&10)
    );

    let mut settings = Settings::load(&fixture("liechtenstein/liechtenstein.toml")).unwrap();
    settings.osm.zone_admin_level = Some(8);
    let study = prepare(settings);
    assert_eq!(study.zone_source.as_str(), "osm");
    assert!(study.zone_of.iter().all(Option::is_some));
}

/// A road layer's `joinable_field`: `no`, `false`, `0` (any case) mean
/// places do not snap to the road; other values, blanks and a missing
/// field mean they do.
#[test]
fn a_road_layer_says_which_roads_are_joinable() {
    let dir = tempfile::tempdir().unwrap();
    let line = |id: u32, lat: f64, v: &str| {
        format!(
            r#"{{"type":"Feature","properties":{{"id":{id},"highway":"primary"{v}}},"geometry":{{"type":"LineString","coordinates":[[9.5,{lat}],[9.51,{lat}]]}}}}"#
        )
    };
    let roads = [
        line(1, 47.1, r#","joins":"no""#),
        line(2, 47.2, r#","joins":"FALSE""#),
        line(3, 47.3, r#","joins":0"#),
        line(4, 47.4, r#","joins":"yes""#),
        line(5, 47.5, r#","joins":"""#),
        line(6, 47.6, ""),
    ];
    std::fs::write(
        dir.path().join("roads.geojson"),
        format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            roads.join(",")
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("s.geojson"),
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"a"},"geometry":{"type":"Point","coordinates":[9.505,47.1]}}]}"#,
    )
    .unwrap();
    let config = dir.path().join("c.toml");
    std::fs::write(
        &config,
        "[[inputs.settlements]]\npath='s.geojson'\nid_field='id'\n\
         [[inputs.roads]]\npath='roads.geojson'\nid_field='id'\njoinable_field='joins'\n",
    )
    .unwrap();
    let settings = Settings::load(&config).unwrap();
    let ds = remoteness::load::load(&settings).unwrap();
    let joinable: Vec<bool> = ds.roads.iter().map(|r| r.joinable).collect();
    assert_eq!(joinable, [false, false, false, true, true, true]);
    // The settlement lies on road 1, which it may not join: it snaps to
    // road 4 (the nearest joinable), 33 km north.
    let study = Study::prepare(settings, ds, &Quiet);
    for ctx in &study.profiles {
        let s = ctx.settlement_snaps[0].unwrap();
        let seg = &study.net.segments[s.segment as usize];
        assert_eq!(study.net.roads[seg.road as usize].id, "4#0");
    }
}

/// `osm.building_cells`: settlements are H3 cells of buildings, the count
/// their population; `place=*` nodes are then not read.
#[test]
fn building_cells_are_settlements() {
    let mut pbf = tunnel_extract();
    let mut id = 100;
    for k in 0..5 {
        let (x, y) = (9.5005 + k as f64 * 1e-5, 47.1 + 20.0 * DEG_PER_M);
        for (dx, dy) in [(0.0, 0.0), (5e-5, 0.0), (5e-5, 5e-5)] {
            pbf.node(id, x + dx, y + dy, &[]);
            id += 1;
        }
        pbf.way(
            200 + k,
            &[id - 3, id - 2, id - 1, id - 3],
            &[("building", "house")],
        );
    }
    pbf.node(id, 9.6, 47.2, &[]);
    pbf.node(id + 1, 9.6001, 47.2, &[]);
    pbf.way(300, &[id, id + 1], &[("building", "no")]);
    let dir = tempfile::tempdir().unwrap();
    let settings = config(dir.path(), &pbf, "[osm]\nbuilding_cells = 9\n");
    let ds = remoteness::load::load(&settings).unwrap();
    let got: Vec<(&str, f64)> = ds
        .settlements
        .iter()
        .map(|s| (s.settlement.place.as_str(), s.settlement.population.0))
        .collect();
    assert_eq!(got, [("buildings", 5.0)]);
    assert!(ds.settlements[0].settlement.id.starts_with("h3:89"));
}

/// Liechtenstein's buildings at resolution 9, against its 19 places: 8991
/// building ways (GDAL's `multipolygons` layer has 8982 closed ones, and
/// its `lines` layer 2 open ones) in 581 cells.
#[test]
fn liechtenstein_building_cells() {
    let mut t = table();
    t.building_cells = Some(9);
    let data = read_pbf(&fixture("liechtenstein/liechtenstein.osm.pbf"), &t).unwrap();
    let buildings: f64 = data.settlements.iter().map(|s| s.population.0).sum();
    assert_eq!((data.settlements.len(), buildings), (581, 8991.0));
}

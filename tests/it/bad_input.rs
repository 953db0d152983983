//! Bad input: a clear error (non-zero exit, naming file, feature and field)
//! or a counted warning, never a panic, never partial output.

use std::path::{Path, PathBuf};

use crate::common::{fixture, run_bin};

struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    fn new() -> Self {
        Case {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn file(&self, name: &str, body: impl AsRef<[u8]>) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    /// Runs `config` (without `--quiet`, so the summary is printed);
    /// returns (success, stderr, stdout).
    fn run(&self, config: &Path) -> (bool, String, String) {
        let o = run_bin(&[
            "run",
            config.to_str().unwrap(),
            "--out",
            self.out().to_str().unwrap(),
        ]);
        let stderr = String::from_utf8_lossy(&o.stderr).to_string();
        assert!(!stderr.contains("panicked"), "panic: {stderr}");
        (
            o.status.success(),
            stderr,
            String::from_utf8_lossy(&o.stdout).to_string(),
        )
    }

    fn assert_no_output(&self) {
        let out = self.out();
        if out.exists() {
            let left: Vec<_> = std::fs::read_dir(&out).unwrap().collect();
            assert!(left.is_empty(), "partial output left: {left:?}");
        }
    }

    fn run_json(&self) -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(self.out().join("run.json")).unwrap())
            .unwrap()
    }
}

const FACILITIES: &str = r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"id":"h1","kind":"health"},"geometry":{"type":"Point","coordinates":[-7.9,29.7]}},
 {"type":"Feature","properties":{"id":"s1","kind":"school"},"geometry":{"type":"Point","coordinates":[-7.95,29.75]}}]}"#;

/// Health and school on foot; water and power (default services) are
/// disabled unless `extra` declares them.
fn config(settlements: &str, extra: &str) -> String {
    let mut off = String::new();
    for svc in ["water", "power"] {
        if !extra.contains(&format!("[services.{svc}]")) {
            off.push_str(&format!("[services.{svc}]\nenabled = false\n"));
        }
    }
    format!(
        r#"[inputs]
[[inputs.settlements]]
path = "{settlements}"
id_field = "id"
population_field = "pop"
[[inputs.facilities]]
path = "facilities.geojson"
id_field = "id"
category_field = "kind"
[services.health]
profile = "walk"
threshold_min = 60
[services.school]
profile = "walk"
threshold_min = 60
{off}{extra}"#
    )
}

#[test]
fn truncated_pbf_is_an_error_naming_the_file() {
    let c = Case::new();
    let full = std::fs::read(fixture("liechtenstein/liechtenstein.osm.pbf")).unwrap();
    let pbf = c.file("cut.osm.pbf", &full[..full.len() / 3]);
    let cfg = c.file("c.toml", "[inputs]\nosm = \"cut.osm.pbf\"\n");
    let (ok, err, _) = c.run(&cfg);
    assert!(!ok);
    assert!(err.contains(pbf.to_str().unwrap()), "{err}");
    assert!(
        err.contains("truncated") || err.contains("corrupt"),
        "{err}"
    );
    c.assert_no_output();
}

/// A minimal `.osm.pbf` whose only blob is lz4-compressed.
fn lz4_pbf() -> Vec<u8> {
    // Blob { raw_size (2) = 5, lz4_data (6) = 5 bytes }
    let blob = [0x10, 0x05, 0x32, 0x05, 1, 2, 3, 4, 5];
    // BlobHeader { type (1) = "OSMHeader", datasize (3) = blob length }
    let mut header = vec![0x0A, 9];
    header.extend_from_slice(b"OSMHeader");
    header.extend_from_slice(&[0x18, blob.len() as u8]);
    let mut file = (header.len() as u32).to_be_bytes().to_vec();
    file.extend_from_slice(&header);
    file.extend_from_slice(&blob);
    file
}

#[test]
fn lz4_pbf_says_so() {
    let c = Case::new();
    c.file("lz4.osm.pbf", lz4_pbf());
    let cfg = c.file("c.toml", "[inputs]\nosm = \"lz4.osm.pbf\"\n");
    let (ok, err, _) = c.run(&cfg);
    assert!(!ok);
    assert!(err.contains("lz4") && err.contains("lz4.osm.pbf"), "{err}");
    c.assert_no_output();
}

#[test]
fn nan_in_geojson_is_an_error_naming_the_file() {
    let c = Case::new();
    c.file("facilities.geojson", FACILITIES);
    c.file(
        "s.geojson",
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"a","pop":1},"geometry":{"type":"Point","coordinates":[NaN,29.7]}}]}"#,
    );
    let cfg = c.file("c.toml", config("s.geojson", ""));
    let (ok, err, _) = c.run(&cfg);
    assert!(!ok);
    assert!(
        err.contains("s.geojson") && err.contains("not valid GeoJSON"),
        "{err}"
    );
    c.assert_no_output();
}

#[test]
fn out_of_range_coordinates_are_kept_and_counted() {
    let c = Case::new();
    c.file("facilities.geojson", FACILITIES);
    c.file(
        "s.geojson",
        r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"id":"good","pop":10},"geometry":{"type":"Point","coordinates":[-7.91,29.71]}},
 {"type":"Feature","properties":{"id":"bad","pop":20},"geometry":{"type":"Point","coordinates":[200.0,29.7]}},
 {"type":"Feature","properties":{"id":"null","pop":5},"geometry":null}]}"#,
    );
    let cfg = c.file("c.toml", config("s.geojson", ""));
    let (ok, err, _) = c.run(&cfg);
    assert!(ok, "{err}");
    let run = c.run_json();
    assert_eq!(run["warnings"]["counts"]["invalid_coordinates"], 1);
    assert_eq!(run["warnings"]["counts"]["invalid_geometry"], 1);
    let ex = &run["warnings"]["examples"][0];
    assert!(ex["file"].as_str().unwrap().ends_with("s.geojson"));
    assert_eq!(ex["field"], "geometry");
    assert!(ex["feature"].as_str().unwrap().contains("bad"));
    // Nothing lost: all three settlements are in the output, flagged.
    let gj: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(c.out().join("settlements.geojson")).unwrap(),
    )
    .unwrap();
    let feats = gj["features"].as_array().unwrap();
    assert_eq!(feats.len(), 3);
    assert_eq!(feats[0]["properties"]["status"], "ok");
    assert_eq!(feats[1]["properties"]["status"], "invalid_location");
    assert!(feats[1]["geometry"].is_null());
    assert_eq!(feats[2]["properties"]["status"], "invalid_location");
}

#[test]
fn missing_population_field_is_an_error_naming_it() {
    let c = Case::new();
    c.file("facilities.geojson", FACILITIES);
    c.file(
        "s.geojson",
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"a","population":3},"geometry":{"type":"Point","coordinates":[-7.9,29.7]}}]}"#,
    );
    let cfg = c.file("c.toml", config("s.geojson", ""));
    let (ok, err, _) = c.run(&cfg);
    assert!(!ok);
    assert!(
        err.contains("`pop`") && err.contains("s.geojson") && err.contains("population"),
        "{err}"
    );
    c.assert_no_output();
}

#[test]
fn a_blank_population_is_a_counted_warning() {
    let c = Case::new();
    c.file("facilities.geojson", FACILITIES);
    c.file(
        "s.geojson",
        r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"id":"a","pop":3},"geometry":{"type":"Point","coordinates":[-7.9,29.7]}},
 {"type":"Feature","properties":{"id":"b","pop":"n/a"},"geometry":{"type":"Point","coordinates":[-7.9,29.8]}}]}"#,
    );
    let cfg = c.file("c.toml", config("s.geojson", ""));
    let (ok, err, _) = c.run(&cfg);
    assert!(ok, "{err}");
    let run = c.run_json();
    assert_eq!(run["warnings"]["counts"]["population_invalid"], 1);
    assert_eq!(run["warnings"]["counts"]["population_missing"], 1);
}

#[test]
fn a_service_with_no_facility_is_a_counted_warning() {
    let c = Case::new();
    // The school is misspelt: `school` then has no facility, and `shcool`
    // serves no service.
    c.file(
        "facilities.geojson",
        FACILITIES.replace(r#""kind":"school""#, r#""kind":"shcool""#),
    );
    c.file(
        "s.geojson",
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"a","pop":3},"geometry":{"type":"Point","coordinates":[-7.9,29.7]}}]}"#,
    );
    let cfg = c.file(
        "c.toml",
        config(
            "s.geojson",
            "[services.water]\nprofile = \"walk\"\nthreshold_min = 15\n",
        ),
    );
    let (ok, err, stdout) = c.run(&cfg);
    assert!(ok, "{err}");
    assert!(stdout.contains("no_facility"), "{stdout}");
    let run = c.run_json();
    assert_eq!(run["warnings"]["counts"]["no_facility"], 2);
    // The misspelt category is reported as serving nothing.
    assert_eq!(run["warnings"]["counts"]["unused_category"], 1);
    let water = run["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service"] == "water")
        .unwrap();
    assert_eq!(water["in_composite"], false);
    assert_eq!(water["status_counts"]["no_facility"], 1);
    assert_eq!(run["composite_max"], 3.0);
}

#[test]
fn an_empty_settlement_layer_is_an_error() {
    let c = Case::new();
    c.file("facilities.geojson", FACILITIES);
    c.file("s.geojson", r#"{"type":"FeatureCollection","features":[]}"#);
    let cfg = c.file("c.toml", config("s.geojson", ""));
    let (ok, err, _) = c.run(&cfg);
    assert!(!ok);
    assert!(
        err.contains("s.geojson") && err.contains("no usable features"),
        "{err}"
    );
    c.assert_no_output();
}

#[test]
fn a_csv_with_a_bad_coordinate_names_row_and_column() {
    let c = Case::new();
    c.file("facilities.geojson", FACILITIES);
    c.file("s.csv", "id,lon,lat,pop\na,-7.9,29.7,3\nb,abc,29.7,4\n");
    let cfg = c.file("c.toml", config("s.csv", ""));
    let (ok, err, _) = c.run(&cfg);
    assert!(ok, "{err}");
    let run = c.run_json();
    assert_eq!(run["warnings"]["counts"]["invalid_geometry"], 1);
    let ex = &run["warnings"]["examples"][0];
    assert_eq!(ex["field"], "lon");
    assert!(ex["feature"].as_str().unwrap().contains("(id=b)"));
}

#[test]
fn config_errors_name_the_key() {
    let c = Case::new();
    let cfg = c.file(
        "c.toml",
        "[inputs]\nosm = \"x.osm.pbf\"\n[travel]\ncircuity = 0.2\n",
    );
    let (ok, err, _) = c.run(&cfg);
    assert!(!ok);
    assert!(err.contains("travel.circuity"), "{err}");
    let cfg = c.file("c.toml", "[inputs]\nosm = \"missing.osm.pbf\"\n");
    let (ok, err, _) = c.run(&cfg);
    assert!(!ok);
    assert!(err.contains("missing.osm.pbf"), "{err}");
    // Two services whose default field codes collide (`heal`).
    let cfg = c.file(
        "c.toml",
        "[inputs]\nosm = \"x.osm.pbf\"\n[services.healthcare]\n[services.health_posts]\n",
    );
    let (ok, err, _) = c.run(&cfg);
    assert!(!ok);
    assert!(
        err.contains("services.healthcare.code") || err.contains("services.health_posts.code"),
        "{err}"
    );
    assert!(err.contains("`heal`"), "{err}");
    c.assert_no_output();
}

#[test]
fn duplicate_settlement_ids_name_both_places() {
    let c = Case::new();
    c.file("facilities.geojson", FACILITIES);
    c.file(
        "s.csv",
        "id,lon,lat,pop\na,-7.9,29.7,3\nb,-7.8,29.7,4\na,-7.7,29.7,5\n",
    );
    let cfg = c.file("c.toml", config("s.csv", ""));
    let (ok, err, _) = c.run(&cfg);
    assert!(!ok);
    assert!(
        err.contains("s.csv") && err.contains("duplicate id `a`") && err.contains("feature 0"),
        "{err}"
    );
    c.assert_no_output();
}

#[test]
fn a_projected_layer_is_an_error_not_a_silent_empty_run() {
    // Tata villages in Merchich / Nord Maroc metres, declared nowhere.
    let c = Case::new();
    c.file("facilities.geojson", FACILITIES);
    c.file(
        "s.csv",
        "id,lon,lat,pop\na,512345.6,187654.3,3\nb,498765.4,176543.2,4\n",
    );
    let cfg = c.file("c.toml", config("s.csv", ""));
    let (ok, err, _) = c.run(&cfg);
    assert!(!ok);
    assert!(
        err.contains("s.csv") && err.contains("projected") && err.contains("geometry"),
        "{err}"
    );
    c.assert_no_output();
}

#[test]
fn bad_facility_and_road_coordinates_are_skipped_and_counted() {
    let c = Case::new();
    c.file(
        "facilities.geojson",
        r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"id":"h1","kind":"health"},"geometry":{"type":"Point","coordinates":[-7.9,29.7]}},
 {"type":"Feature","properties":{"id":"h2","kind":"health"},"geometry":{"type":"Point","coordinates":[500.0,29.7]}},
 {"type":"Feature","properties":{"id":"s1","kind":"school"},"geometry":{"type":"Point","coordinates":[-7.95,29.75]}}]}"#,
    );
    c.file(
        "roads.geojson",
        r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"id":"r1","highway":"primary"},"geometry":{"type":"LineString","coordinates":[[-7.95,29.7],[-7.85,29.7]]}},
 {"type":"Feature","properties":{"id":"r2","highway":"primary"},"geometry":{"type":"LineString","coordinates":[[-7.95,95.0],[-7.85,29.7]]}}]}"#,
    );
    c.file(
        "s.geojson",
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"a","pop":3},"geometry":{"type":"Point","coordinates":[-7.9,29.71]}}]}"#,
    );
    let cfg = c.file(
        "c.toml",
        config(
            "s.geojson",
            "[[inputs.roads]]\npath = \"roads.geojson\"\nid_field = \"id\"\n",
        ),
    );
    let (ok, err, _) = c.run(&cfg);
    assert!(ok, "{err}");
    let run = c.run_json();
    assert_eq!(run["warnings"]["counts"]["invalid_coordinates"], 2);
    let ex = run["warnings"]["examples"].as_array().unwrap();
    let msg = |file: &str| {
        ex.iter()
            .find(|w| w["file"].as_str().unwrap().ends_with(file))
            .map(|w| {
                (
                    w["feature"].as_str().unwrap().to_string(),
                    w["message"].as_str().unwrap().to_string(),
                )
            })
            .unwrap()
    };
    let (feature, m) = msg("facilities.geojson");
    assert!(
        feature.contains("h2") && m.ends_with("facility skipped"),
        "{feature}: {m}"
    );
    let (feature, m) = msg("roads.geojson");
    assert!(
        feature.contains("r2") && m.ends_with("road skipped"),
        "{feature}: {m}"
    );
    assert_eq!(run["network"]["roads"], 1);
    assert_eq!(run["counts"]["facilities"][0]["facilities"], 1);
}

#[test]
fn geometry_validation_names_file_feature_and_field() {
    let c = Case::new();
    c.file("facilities.geojson", FACILITIES);
    // A 3-D point, a two-part multipoint, a one-part multipoint and an
    // empty multipoint.
    c.file(
        "s.geojson",
        r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"id":"z3","pop":5},"geometry":{"type":"Point","coordinates":[-7.96,29.74,812.0]}},
 {"type":"Feature","properties":{"id":"mp2","pop":5},"geometry":{"type":"MultiPoint","coordinates":[[-7.9,29.7],[-7.8,29.8]]}},
 {"type":"Feature","properties":{"id":"mp1","pop":5},"geometry":{"type":"MultiPoint","coordinates":[[-7.9,29.7]]}},
 {"type":"Feature","properties":{"id":"empty","pop":5},"geometry":{"type":"MultiPoint","coordinates":[]}}]}"#,
    );
    let cfg = c.file("c.toml", config("s.geojson", ""));
    let (ok, err, _) = c.run(&cfg);
    assert!(ok, "{err}");
    let run = c.run_json();
    let counts = &run["warnings"]["counts"];
    assert_eq!(counts["settlement_not_point"], 1, "{run:#}");
    assert_eq!(counts["invalid_geometry"], 1, "{run:#}");
    let examples = run["warnings"]["examples"].to_string();
    assert!(
        examples.contains("id=mp2") && examples.contains("multipart point"),
        "{examples}"
    );
    assert!(
        examples.contains("id=empty") && examples.contains("empty geometry"),
        "{examples}"
    );
    let out: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(c.out().join("settlements.geojson")).unwrap(),
    )
    .unwrap();
    let status: Vec<&str> = out["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["status"].as_str().unwrap())
        .collect();
    assert_eq!(status[3], "invalid_location");
    assert_ne!(
        status[0], "invalid_location",
        "a 3-D point keeps its position"
    );

    // A self-intersecting (bow-tie) zone is rejected, named.
    let c = Case::new();
    c.file("facilities.geojson", FACILITIES);
    c.file("s.csv", "id,lon,lat,pop\na,-7.95,29.75,3\n");
    c.file(
        "z.geojson",
        r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"code":"ok"},"geometry":{"type":"Polygon","coordinates":[[[-8,29],[-7,29],[-7,30],[-8,30],[-8,29]]]}},
 {"type":"Feature","properties":{"code":"bowtie"},"geometry":{"type":"Polygon","coordinates":[[[-9,29],[-8,30],[-8,29],[-9,30],[-9,29]]]}}]}"#,
    );
    let cfg = c.file(
        "c.toml",
        config(
            "s.csv",
            "[inputs.zones]\npath = \"z.geojson\"\nid_field = \"code\"\n",
        ),
    );
    let (ok, err, _) = c.run(&cfg);
    assert!(!ok);
    assert!(
        err.contains("z.geojson")
            && err.contains("id=bowtie")
            && err.contains("`geometry`")
            && err.contains("self-intersection"),
        "{err}"
    );
    c.assert_no_output();
}

//! `remoteness init`: configs guessed from the bundled inputs run as
//! written, and give the results of the hand-written configs.

use std::path::{Path, PathBuf};

use crate::common::{fixture, run_bin, run_config};

/// Runs `remoteness init FILES --out CONFIG -q`.
fn init(files: &[PathBuf], config: &Path) -> std::process::Output {
    let mut args = vec!["init".to_string()];
    args.extend(files.iter().map(|f| f.to_string_lossy().into_owned()));
    args.extend([
        "--out".into(),
        config.to_string_lossy().into_owned(),
        "-q".into(),
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_bin(&args)
}

fn ok(out: &std::process::Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn run_json(out: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap()
}

/// Inits from `files`, runs the config written and the hand-written
/// `reference`, and compares counts, services, allocation and zones.
fn same_as(files: &[PathBuf], reference: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("guessed.toml");
    let o = init(files, &config);
    ok(&o, "init");
    assert!(o.stdout.is_empty(), "-q prints nothing");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(
        text.contains("Every field the run needs was guessed"),
        "{text}"
    );
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    ok(&run_config(&config, &a, &[]), "run of the guessed config");
    ok(&run_config(reference, &b, &[]), "run of the reference");
    let (ja, jb) = (run_json(&a), run_json(&b));
    for key in ["counts", "services", "allocation", "composite_max"] {
        assert_eq!(ja[key], jb[key], "run.json `{key}` differs\n{text}");
    }
    let zones = |d: &Path| std::fs::read_to_string(d.join("zones.csv")).unwrap();
    assert_eq!(zones(&a), zones(&b), "zones.csv differs");
}

#[test]
fn tata_geojson_config_runs_like_the_hand_written_one() {
    let files: Vec<PathBuf> = [
        "settlements.geojson",
        "facilities.geojson",
        "communes.geojson",
        "census.csv",
    ]
    .iter()
    .map(|f| fixture(&format!("tata/{f}")))
    .collect();
    same_as(&files, &fixture("tata/tata.toml"));
}

#[test]
fn tata_shapefiles_in_nord_maroc_run_like_the_hand_written_config() {
    let mut files: Vec<PathBuf> = ["communes.shp", "facilities.shp", "settlements.shp"]
        .iter()
        .map(|f| fixture(&format!("tata/nord_maroc/{f}")))
        .collect();
    files.push(fixture("tata/nord_maroc/../census.csv"));
    same_as(&files, &fixture("tata/tata_nord_maroc.toml"));
    // The CRS comes from the .prj.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.toml");
    ok(&init(&files, &config), "init");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains("CRS EPSG:26191"), "{text}");
    assert!(text.contains("key_field = \"geomaroc_c\""), "{text}");
}

#[test]
fn liechtenstein_extract_config_runs() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("li.toml");
    ok(
        &init(&[fixture("liechtenstein/liechtenstein.osm.pbf")], &config),
        "init",
    );
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains("osm = "), "{text}");
    assert!(text.contains("H3 cells"), "{text}");
    let out = dir.path().join("out");
    ok(&run_config(&config, &out, &[]), "run");
    let j = run_json(&out);
    assert!(j["counts"]["settlements"].as_u64().unwrap() > 0);
}

#[test]
fn what_cannot_be_guessed_is_listed_and_the_run_says_what_to_set() {
    let dir = tempfile::tempdir().unwrap();
    let settlements = dir.path().join("douars.geojson");
    std::fs::write(
        &settlements,
        r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"code":"D1","nom":"Tizi","menages":"beaucoup"},"geometry":{"type":"Point","coordinates":[-7.9,29.7]}},
        {"type":"Feature","properties":{"code":"D2","nom":"Agadir n Ouzrou","menages":"peu"},"geometry":{"type":"Point","coordinates":[-7.8,29.8]}}]}"#,
    )
    .unwrap();
    let facilities = dir.path().join("equipements.geojson");
    std::fs::write(
        &facilities,
        r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"code":"E1","nom":"Dispensaire Tizi","genre":"dispensaire rural"},"geometry":{"type":"Point","coordinates":[-7.9,29.71]}}]}"#,
    )
    .unwrap();
    let config = dir.path().join("guessed.toml");
    let o = init(&[settlements.clone(), facilities.clone()], &config);
    ok(&o, "init");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(
        text.contains("# population_field = ?  (no numeric field looked like a population"),
        "{text}"
    );
    assert!(
        text.contains("# category = ?  (no field maps to a facility category"),
        "{text}"
    );
    assert!(text.contains("douars.geojson: population_field"), "{text}");
    assert!(text.contains("equipements.geojson: category"), "{text}");
    assert!(text.contains("name_field = \"nom\""), "{text}");
    // Incomplete: the run stops, naming the file and what to set.
    let r = run_config(&config, &dir.path().join("out"), &[]);
    assert!(!r.status.success());
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains("equipements.geojson") && err.contains("category"),
        "{err}"
    );
    // Filling in the category is enough to run.
    let fixed = text.replace("# category = ?  (", "category = \"health\"\n# (");
    std::fs::write(&config, fixed).unwrap();
    ok(
        &run_config(&config, &dir.path().join("out2"), &[]),
        "run after the fix",
    );
}

#[test]
fn an_existing_config_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("tata.toml");
    std::fs::write(&config, "# mine\n").unwrap();
    let o = init(&[fixture("tata/settlements.geojson")], &config);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), "# mine\n");
}

#[test]
fn quiet_place_prints_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("p");
    let o = run_bin(&[
        "place",
        fixture("tata/tata.toml").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--service",
        "health",
        "--k",
        "2",
        "-q",
    ]);
    ok(&o, "place");
    assert!(
        o.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[cfg(feature = "gdal")]
#[test]
fn geopackage_layers_each_get_their_role() {
    let dir = tempfile::tempdir().unwrap();
    crate::ogr::tata_gpkg(dir.path());
    let files = [dir.path().join("tata.gpkg"), fixture("tata/census.csv")];
    same_as(&files, &fixture("tata/tata_nord_maroc.toml"));
}

#[test]
fn projected_coordinates_without_a_crs_are_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let settlements = dir.path().join("douars.geojson");
    std::fs::write(
        &settlements,
        r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"id":"D1","pop":120,"place":"village"},"geometry":{"type":"Point","coordinates":[345000,120000]}}]}"#,
    )
    .unwrap();
    let config = dir.path().join("guessed.toml");
    ok(&init(&[settlements], &config), "init");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(
        text.contains("# crs = ?  (the file declares no CRS"),
        "{text}"
    );
    assert!(text.contains("EPSG:26191"), "{text}");
    assert!(text.contains("douars.geojson: crs"), "{text}");
    let r = run_config(&config, &dir.path().join("out"), &[]);
    assert!(!r.status.success());
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("look projected"), "{err}");
    // Given the CRS, it runs.
    let fixed = text.replace("# crs = ?  (", "crs = \"EPSG:26191\"\n# (");
    std::fs::write(&config, fixed).unwrap();
    ok(
        &run_config(&config, &dir.path().join("out2"), &[]),
        "run with the CRS",
    );
}

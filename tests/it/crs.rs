//! Coordinate reference systems: reprojection against PROJ, the projected
//! Tata fixture against the WGS 84 one, and CRS errors.

use remoteness::crs::Crs;
use remoteness::geometry::haversine;
use remoteness::model::LonLat;
use remoteness::pipeline::Execution;

use crate::common::{analyse_config, fixture, root, run_config};

/// `tests/data/proj_reference.csv`: (epsg, x, y, lon, lat) from PROJ.
fn reference() -> Vec<(u32, f64, f64, f64, f64)> {
    let text = std::fs::read_to_string(root().join("tests/data/proj_reference.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let v: Vec<&str> = l.split(',').collect();
            (
                v[0].parse().unwrap(),
                v[1].parse().unwrap(),
                v[2].parse().unwrap(),
                v[3].parse().unwrap(),
                v[4].parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn reprojection_is_within_half_a_metre_of_proj() {
    let rows = reference();
    assert_eq!(rows.len(), 3000);
    let mut worst: std::collections::BTreeMap<u32, f64> = Default::default();
    for &(code, x, y, lon, lat) in &rows {
        let crs = Crs::from_epsg(code).unwrap();
        let (glon, glat) = crs.to_wgs84(x, y).unwrap();
        let d = haversine(LonLat::new(glon, glat), LonLat::new(lon, lat)).0;
        let w = worst.entry(code).or_default();
        *w = w.max(d);
    }
    eprintln!("largest distance to PROJ per CRS (m): {worst:?}");
    for (code, d) in worst {
        assert!(d <= 0.5, "EPSG:{code}: {d} m from PROJ");
    }
}

/// The committed table is what the installed PROJ gives (checked when
/// `gdaltransform` is there; CI installs it).
#[test]
fn reference_table_matches_installed_proj() {
    let has_tool = std::process::Command::new("gdaltransform")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_tool {
        assert!(
            std::env::var("REMOTENESS_REQUIRE_PEERS").is_err(),
            "REMOTENESS_REQUIRE_PEERS is set but gdaltransform is missing (apt-get install gdal-bin)"
        );
        eprintln!("skipped: gdaltransform not available");
        return;
    }
    let rows = reference();
    for code in [
        26191, 26192, 30729, 30730, 30731, 30732, 32629, 32630, 32631, 32632,
    ] {
        let sample: Vec<_> = rows.iter().filter(|r| r.0 == code).take(25).collect();
        let input: String = sample
            .iter()
            .map(|r| format!("{} {}\n", r.1, r.2))
            .collect();
        let mut child = std::process::Command::new("gdaltransform")
            .args(["-s_srs", &format!("EPSG:{code}"), "-t_srs"])
            .arg("+proj=longlat +datum=WGS84")
            .arg("-output_xy")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        for (line, r) in text.lines().zip(&sample) {
            let v: Vec<f64> = line
                .split_whitespace()
                .map(|t| t.parse().unwrap())
                .collect();
            let d = haversine(LonLat::new(v[0], v[1]), LonLat::new(r.3, r.4)).0;
            assert!(d < 0.01, "EPSG:{code}: table differs from PROJ by {d} m");
        }
    }
}

fn rel_close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1e-9),
        _ => false,
    }
}

#[test]
fn tata_from_nord_maroc_shapefiles_equals_the_wgs84_run() {
    let a = analyse_config(&fixture("tata/tata.toml"), Execution::Parallel);
    let b = analyse_config(&fixture("tata/tata_nord_maroc.toml"), Execution::Parallel);
    assert_same_tata_results(&a, &b);
}

/// The Tata results of `b` (read in EPSG:26191) equal those of `a` (WGS 84)
/// to 1e-6 relative: positions within 1 cm, same statuses and nearest
/// facilities, times and distances, composites and zone ranks.
pub fn assert_same_tata_results(
    a: &remoteness::pipeline::Analysis,
    b: &remoteness::pipeline::Analysis,
) {
    assert_eq!(a.dataset.settlements.len(), 499);
    assert_eq!(b.dataset.settlements.len(), 499);
    assert_eq!(a.dataset.facilities.len(), b.dataset.facilities.len());
    assert!(b
        .dataset
        .crs
        .iter()
        .all(|(_, c)| c.crs.starts_with("EPSG:26191")));
    for (x, y) in a.dataset.settlements.iter().zip(&b.dataset.settlements) {
        assert_eq!(x.settlement.id, y.settlement.id);
        assert_eq!(x.settlement.name, y.settlement.name, "UTF-8 names survive");
        let d = haversine(x.settlement.pos, y.settlement.pos).0;
        assert!(d < 0.01, "{}: {d} m apart", x.settlement.id);
    }
    let mut worst = 0.0f64;
    for (sa, sb) in a.access.iter().zip(&b.access) {
        for (i, (x, y)) in sa.access.iter().zip(&sb.access).enumerate() {
            assert_eq!(x.status, y.status);
            assert_eq!(
                x.facility.map(|f| &sa.facilities[f as usize].id),
                y.facility.map(|f| &sb.facilities[f as usize].id),
                "settlement {i}"
            );
            let (ta, tb) = (x.time.map(|t| t.0), y.time.map(|t| t.0));
            let (da, db) = (x.dist.map(|d| d.0), y.dist.map(|d| d.0));
            assert!(rel_close(ta, tb), "settlement {i}: {ta:?} vs {tb:?}");
            assert!(rel_close(da, db), "settlement {i}: {da:?} vs {db:?}");
            if let (Some(p), Some(q)) = (da, db) {
                if p > 0.0 {
                    worst = worst.max((p - q).abs() / p);
                }
            }
        }
    }
    eprintln!("largest relative distance difference: {worst:e}");
    assert_eq!(a.zone_of, b.zone_of);
    for (x, y) in a.scores.composite.iter().zip(&b.scores.composite) {
        assert!(rel_close(*x, *y));
    }
    let ranks = |an: &remoteness::pipeline::Analysis| {
        an.zone_stats
            .iter()
            .map(|z| (an.zones[z.zone].id.clone(), z.rank))
            .collect::<Vec<_>>()
    };
    assert_eq!(ranks(a), ranks(b));
}

struct Case(tempfile::TempDir);

impl Case {
    fn new() -> Self {
        Case(tempfile::tempdir().unwrap())
    }
    fn path(&self, name: &str) -> std::path::PathBuf {
        self.0.path().join(name)
    }
    /// Copies the Nord Maroc settlements shapefile, without the named sidecar.
    fn shapefile(&self, without: Option<&str>) {
        for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
            if Some(ext) != without {
                std::fs::copy(
                    fixture(&format!("tata/nord_maroc/settlements.{ext}")),
                    self.path(&format!("s.{ext}")),
                )
                .unwrap();
            }
        }
    }
    fn run(&self, config: &str, extra_args: &[&str]) -> (bool, String) {
        std::fs::write(self.path("c.toml"), config).unwrap();
        let o = run_config(&self.path("c.toml"), &self.path("out"), extra_args);
        let err = String::from_utf8_lossy(&o.stderr).to_string();
        assert!(!err.contains("panicked"), "{err}");
        (o.status.success(), err)
    }
}

const SHP_CONFIG: &str =
    "[inputs]\n[[inputs.settlements]]\npath = \"s.shp\"\nid_field = \"osm_node_i\"\n";

#[test]
fn a_shapefile_without_prj_asks_for_a_crs_and_accepts_one() {
    let c = Case::new();
    c.shapefile(Some("prj"));
    let (ok, err) = c.run(SHP_CONFIG, &[]);
    assert!(!ok);
    assert!(
        err.contains("s.shp") && err.contains("no CRS") && err.contains("--crs"),
        "{err}"
    );
    let (ok, err) = c.run(SHP_CONFIG, &["--crs", "EPSG:26191"]);
    assert!(ok, "{err}");
    let with_key = SHP_CONFIG.replace("[[inputs", "crs = \"EPSG:26191\"\n[[inputs");
    let (ok, err) = c.run(&with_key, &[]);
    assert!(ok, "{err}");
}

#[test]
fn a_wrong_or_unknown_crs_is_caught() {
    let c = Case::new();
    c.shapefile(None);
    // Metres declared as degrees.
    let cfg = format!("{SHP_CONFIG}crs = \"EPSG:4326\"\n");
    let (ok, err) = c.run(&cfg, &[]);
    assert!(!ok);
    assert!(
        err.contains("s.shp") && err.contains("look projected") && err.contains("EPSG:4326"),
        "{err}"
    );
    // An unresolvable .prj names the file and says how to declare the CRS.
    std::fs::write(
        c.path("s.prj"),
        r#"PROJCS["Local_Grid_Tata",GEOGCS["GCS_Unknown",DATUM["D_Unknown",SPHEROID["S",6378249.2,293.46]]],PROJECTION["Lambert_Conformal_Conic"]]"#,
    )
    .unwrap();
    let (ok, err) = c.run(SHP_CONFIG, &[]);
    assert!(!ok);
    assert!(
        err.contains("s.prj") && err.contains("Local_Grid_Tata") && err.contains("--crs"),
        "{err}"
    );
    // Degrees declared as metres.
    std::fs::write(c.path("d.csv"), "id,x,y\na,-7.97,29.75\nb,-8.25,30.06\n").unwrap();
    let cfg = "[inputs]\n[[inputs.settlements]]\npath = \"d.csv\"\ncrs = \"EPSG:26192\"\n";
    let (ok, err) = c.run(cfg, &[]);
    assert!(!ok);
    assert!(
        err.contains("d.csv") && err.contains("look geographic"),
        "{err}"
    );
    // A typo in a config CRS fails before any file is read, naming the key.
    let cfg = "[inputs]\ncrs = \"EPSG:2619l\"\n[[inputs.settlements]]\npath = \"d.csv\"\n";
    let (ok, err) = c.run(cfg, &[]);
    assert!(!ok);
    assert!(err.contains("inputs.crs"), "{err}");
}

#[test]
fn geojson_with_a_legacy_crs_member_is_reprojected() {
    let c = Case::new();
    // Tata town in Merchich / Sud Maroc, as GDAL writes non-WGS 84 GeoJSON.
    let crs = Crs::from_epsg(26192).unwrap();
    let (lon, lat) = crs.to_wgs84(246_000.0, 301_000.0).unwrap();
    std::fs::write(
        c.path("p.geojson"),
        r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::26192"}},
"features":[{"type":"Feature","properties":{"id":"a"},"geometry":{"type":"Point","coordinates":[246000.0,301000.0]}}]}"#,
    )
    .unwrap();
    let (ok, err) = c.run(
        "[inputs]\n[[inputs.settlements]]\npath = \"p.geojson\"\n",
        &[],
    );
    assert!(ok, "{err}");
    let out: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(c.path("out/settlements.geojson")).unwrap())
            .unwrap();
    let p = &out["features"][0]["geometry"]["coordinates"];
    assert!((p[0].as_f64().unwrap() - lon).abs() < 1e-6);
    assert!((p[1].as_f64().unwrap() - lat).abs() < 1e-6);
}

#[test]
fn a_shapefile_missing_its_dbf_names_it() {
    let c = Case::new();
    c.shapefile(Some("dbf"));
    let (ok, err) = c.run(SHP_CONFIG, &[]);
    assert!(!ok);
    assert!(
        err.contains("s.shp") && err.contains("`.dbf` is missing"),
        "{err}"
    );
    assert!(!c.path("out").join("settlements.geojson").exists());
}

//! Other vector sources: through OGR with the `gdal` feature, and a clear
//! error naming the feature without it.

#[cfg(feature = "gdal")]
use crate::common::fixture;
use crate::common::run_config;
use std::path::Path;

fn run(config: &Path, out: &Path) -> (bool, String) {
    let o = run_config(config, out, &[]);
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(!err.contains("panicked"), "{err}");
    (o.status.success(), err)
}

/// The Nord Maroc shapefiles gathered into one GeoPackage with `ogr2ogr`,
/// and a config naming its layers.
#[cfg(feature = "gdal")]
pub(crate) fn tata_gpkg(dir: &Path) -> std::path::PathBuf {
    use std::process::Command;
    let gpkg = dir.join("tata.gpkg");
    for (layer, name) in [
        ("settlements", "douars"),
        ("facilities", "equipements"),
        ("communes", "communes"),
    ] {
        let src = fixture(&format!("tata/nord_maroc/{layer}.shp"));
        let mut cmd = Command::new("ogr2ogr");
        if gpkg.exists() {
            cmd.arg("-update");
        }
        let o = cmd
            .args(["-f", "GPKG"])
            .arg(&gpkg)
            .arg(&src)
            .args(["-nln", name])
            .output()
            .expect("ogr2ogr (apt-get install gdal-bin)");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let census = fixture("tata/census.csv");
    let cfg = std::fs::read_to_string(fixture("tata/tata_nord_maroc.toml"))
        .unwrap()
        .replace(
            "path = \"nord_maroc/settlements.shp\"",
            "path = \"tata.gpkg\"\nlayer = \"douars\"",
        )
        .replace(
            "path = \"nord_maroc/facilities.shp\"",
            "path = \"tata.gpkg\"\nlayer = \"equipements\"",
        )
        .replace(
            "path = \"nord_maroc/communes.shp\"",
            "path = \"tata.gpkg\"\nlayer = \"communes\"",
        )
        .replace(
            "path = \"census.csv\"",
            &format!("path = \"{}\"", census.display()),
        );
    let path = dir.join("tata_gpkg.toml");
    std::fs::write(&path, cfg).unwrap();
    path
}

#[cfg(feature = "gdal")]
#[test]
fn a_geopackage_in_nord_maroc_equals_the_wgs84_run() {
    use remoteness::pipeline::Execution;
    let dir = tempfile::tempdir().unwrap();
    let cfg = tata_gpkg(dir.path());
    let a = crate::common::analyse_config(&fixture("tata/tata.toml"), Execution::Parallel);
    let b = crate::common::analyse_config(&cfg, Execution::Parallel);
    assert!(b
        .dataset
        .crs
        .iter()
        .take(3)
        .all(|(_, c)| c.crs == "EPSG:26191" && c.source.starts_with("OGR layer")));
    crate::crs::assert_same_tata_results(&a, &b);

    // Without `layer`, a multi-layer source is an error listing its layers.
    let text = std::fs::read_to_string(&cfg)
        .unwrap()
        .replace("layer = \"douars\"\n", "");
    std::fs::write(&cfg, text).unwrap();
    let (ok, err) = run(&cfg, &dir.path().join("out"));
    assert!(!ok);
    assert!(
        err.contains("tata.gpkg") && err.contains("douars, equipements, communes"),
        "{err}"
    );
}

#[cfg(not(feature = "gdal"))]
#[test]
fn other_formats_name_the_gdal_feature() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tata.gpkg"), b"").unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        "[inputs]\n[[inputs.settlements]]\npath = \"tata.gpkg\"\n",
    )
    .unwrap();
    let (ok, err) = run(&cfg, &dir.path().join("out"));
    assert!(!ok);
    assert!(
        err.contains("tata.gpkg") && err.contains("--features gdal"),
        "{err}"
    );
}

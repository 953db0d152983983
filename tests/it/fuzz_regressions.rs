//! Inputs the fuzz targets (`fuzz/`) found crashing, replayed through the
//! same readers: each must now give a result or a clear error, never a
//! panic or an allocation the file cannot justify.

use std::path::{Path, PathBuf};

use remoteness::config::LayerSpec;
use remoteness::load::formats::read_layer;

use crate::common::root;

fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = root().join("tests/data/fuzz-regressions").join(target);
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn spec(path: &Path) -> LayerSpec {
    LayerSpec {
        path: path.to_path_buf(),
        crs: Some("EPSG:4326".into()),
        ..LayerSpec::default()
    }
}

/// The shapefile target's layout: four little-endian `u32` lengths (`.shp`,
/// `.shx`, `.dbf`, `.prj`), the parts, then the `.cpg`.
fn write_shapefile(dir: &Path, data: &[u8]) -> Option<PathBuf> {
    if data.len() < 16 {
        return None;
    }
    let (header, mut rest) = data.split_at(16);
    let mut take = |n: usize| {
        let n = n.min(rest.len());
        let (a, b) = rest.split_at(n);
        rest = b;
        a.to_vec()
    };
    let len = |i: usize| u32::from_le_bytes(header[4 * i..4 * i + 4].try_into().unwrap()) as usize;
    let parts = [take(len(0)), take(len(1)), take(len(2)), take(len(3))];
    for (ext, part) in ["shp", "shx", "dbf", "prj"].iter().zip(&parts) {
        if *ext != "prj" || !part.is_empty() {
            std::fs::write(dir.join(format!("layer.{ext}")), part).unwrap();
        }
    }
    if !rest.is_empty() {
        std::fs::write(dir.join("layer.cpg"), rest).unwrap();
    }
    Some(dir.join("layer.shp"))
}

#[test]
fn shapefile_crashes_are_now_errors_or_results() {
    let cases = inputs("shapefile");
    assert!(!cases.is_empty(), "no regression inputs");
    for case in cases {
        let tmp = tempfile::tempdir().unwrap();
        let data = std::fs::read(&case).unwrap();
        let Some(path) = write_shapefile(tmp.path(), &data) else {
            continue;
        };
        let r = std::panic::catch_unwind(|| read_layer(&spec(&path), None));
        let r = r.unwrap_or_else(|_| panic!("{} panics", case.display()));
        // The out-of-memory finds declared counts their record cannot hold.
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with("oom-") || name.ends_with("-alloc") {
            let e = r.err().unwrap_or_else(|| panic!("{name}: accepted"));
            assert!(
                e.to_string().contains("corrupt") || e.to_string().contains("truncated"),
                "{name}: {e}"
            );
        }
    }
}

#[test]
fn geojson_crashes_are_now_errors_or_results() {
    let cases = inputs("geojson");
    assert!(!cases.is_empty(), "no regression inputs");
    for case in cases {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("layer.geojson");
        std::fs::copy(&case, &path).unwrap();
        let r = std::panic::catch_unwind(|| read_layer(&spec(&path), None));
        let layer = r.unwrap_or_else(|_| panic!("{} panics", case.display()));
        // A position with one coordinate is a feature without geometry,
        // with the reason, not a crash.
        if let Ok(layer) = layer {
            assert!(layer.features.iter().any(|f| f
                .geometry_problem
                .as_ref()
                .is_some_and(|p| p.1.contains("fewer than 2"))));
        }
    }
}

#[test]
fn crs_and_config_crashes_are_now_errors() {
    for case in inputs("crs") {
        let text = String::from_utf8_lossy(&std::fs::read(&case).unwrap()).to_string();
        let r = std::panic::catch_unwind(|| remoteness::crs::Crs::parse(&text));
        let r = r.unwrap_or_else(|_| panic!("{} panics", case.display()));
        assert!(r.is_err(), "{}: accepted", case.display());
    }
    for case in inputs("config") {
        let text = String::from_utf8_lossy(&std::fs::read(&case).unwrap()).to_string();
        let r = std::panic::catch_unwind(|| {
            let raw = remoteness::config::parse_raw(&text, &case)?;
            remoteness::config::Settings::from_raw(raw, Path::new("."), &case)
        });
        let r = r.unwrap_or_else(|_| panic!("{} panics", case.display()));
        assert!(r.is_err(), "{}: accepted", case.display());
    }
}

#[test]
fn pbf_crashes_are_now_errors_or_results() {
    let tags = remoteness::config::Settings::from_raw(
        remoteness::config::parse_raw("[inputs]\nosm = \"x.osm.pbf\"\n", Path::new("c.toml"))
            .unwrap(),
        Path::new("."),
        Path::new("c.toml"),
    )
    .unwrap()
    .osm;
    for case in inputs("pbf") {
        let r = std::panic::catch_unwind(|| remoteness::load::osm::read_pbf(&case, &tags));
        assert!(r.is_ok(), "{} panics", case.display());
    }
}

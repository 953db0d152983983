//! The output layers in a real QGIS: `tests/qgis/check.py` loads each layer
//! of the Tata example with its `.qml` style, renders it to PNG under
//! `target/qgis-renders/` and checks what QGIS reports (renderer, classes
//! and their labels, the legend's title, labels, field types, draw order),
//! then does the same for a crafted pair of nested zones. Needs Debian's
//! `python3-qgis` (`/usr/bin/python3`); without it the test is skipped,
//! unless `REMOTENESS_REQUIRE_PEERS=1` (CI), which makes it fail.

use std::path::{Path, PathBuf};
use std::process::Command;

const PYTHON: &str = "/usr/bin/python3";

fn has_qgis() -> bool {
    Command::new(PYTHON)
        .args(["-c", "import qgis.core"])
        .env("QT_QPA_PLATFORM", "offscreen")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(config: &Path, out: &Path) -> serde_json::Value {
    let o = Command::new(env!("CARGO_BIN_EXE_remoteness"))
        .arg("run")
        .arg(config)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap()
}

fn check(out: &Path, renders: &str, extra: &[&str]) {
    let o = Command::new(PYTHON)
        .arg(root().join("tests/qgis/check.py"))
        .arg(out)
        .arg(root().join("target/qgis-renders").join(renders))
        .args(extra)
        .env("QT_QPA_PLATFORM", "offscreen")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "QGIS check failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stdout.contains("\n0 failed"), "{stdout}");
}

fn skip() -> bool {
    if has_qgis() {
        return false;
    }
    assert!(
        std::env::var("REMOTENESS_REQUIRE_PEERS").is_err(),
        "REMOTENESS_REQUIRE_PEERS is set but {PYTHON} cannot import qgis.core \
         (apt-get install qgis python3-qgis)"
    );
    eprintln!("skipped: {PYTHON} cannot import qgis.core (python3-qgis not installed)");
    true
}

#[test]
fn tata_layers_read_right_in_qgis() {
    if skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let doc = run(&root().join("fixtures/tata/tata.toml"), &out);
    // Two Tata communes lie inside others (towns within rural communes).
    assert_eq!(doc["warnings"]["counts"]["overlapping_zones"], 2, "{doc}");
    check(&out, "tata", &["--nested", "09.551.03.03"]);
}

/// The catchment polygons of Tata (coarse grid, per facility and service
/// areas too) with their style in QGIS.
#[test]
fn tata_catchments_read_right_in_qgis() {
    if skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    crate::common::copy_tata(dir.path());
    let cfg = dir.path().join("tata.toml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(
        &cfg,
        format!("{text}\n[catchments]\nenabled = true\ncell_m = 5000\nvoronoi = true\n"),
    )
    .unwrap();
    let out = dir.path().join("out");
    run(&cfg, &out);
    assert!(out.join("catchments.geojson").exists());
    check(&out, "tata_catchments", &[]);
}

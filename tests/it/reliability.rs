//! Reliability: outputs appear all at once or not at all, inputs that are
//! not regular files never block, and random valid inputs give every
//! settlement exactly once with finite numbers and consistent statuses.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use proptest::prelude::*;

use remoteness::write::Staged;

use crate::common::{copy_tata, fixture, run_bin, run_config, Rng};

fn listing(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_path_buf();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// Siblings of `dir` whose names start with `.NAME.`: staging or old folders.
fn leftovers(dir: &Path) -> Vec<PathBuf> {
    let name = dir.file_name().unwrap().to_string_lossy().to_string();
    std::fs::read_dir(dir.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&format!(".{name}."))
        })
        .collect()
}

#[test]
fn a_failed_write_leaves_the_previous_output_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let s = Staged::new(&out, &[]).unwrap();
    s.file("run.json", |w| w.write_all(b"{\"first\":1}"))
        .unwrap();
    s.file("sub/a.csv", |w| w.write_all(b"a\n1\n")).unwrap();
    s.commit().unwrap();
    let before = listing(&out);
    assert_eq!(before.len(), 2);

    // A second run fails midway: the first output stays whole, and the
    // staging folder goes.
    let s = Staged::new(&out, &[]).unwrap();
    s.file("run.json", |w| w.write_all(b"{\"second\":2}"))
        .unwrap();
    let e = s.file("sub/a.csv", |_| Err(std::io::Error::other("disk full")));
    assert!(e.is_err());
    drop(s);
    assert_eq!(listing(&out), before);
    assert!(leftovers(&out).is_empty(), "{:?}", leftovers(&out));

    // A complete run replaces it whole: no file of the first run survives.
    let s = Staged::new(&out, &[]).unwrap();
    s.file("run.json", |w| w.write_all(b"{\"third\":3}"))
        .unwrap();
    s.commit().unwrap();
    let after = listing(&out);
    assert_eq!(after.len(), 1);
    assert_eq!(after[Path::new("run.json")], b"{\"third\":3}");
    assert!(leftovers(&out).is_empty());
}

#[test]
fn an_output_folder_holding_an_input_or_foreign_files_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("data/settlements.geojson");
    std::fs::create_dir_all(input.parent().unwrap()).unwrap();
    std::fs::write(&input, "{}").unwrap();
    for out in [tmp.path().join("data"), tmp.path().to_path_buf()] {
        let e = Staged::new(&out, std::slice::from_ref(&input))
            .err()
            .expect("refused");
        assert!(e.to_string().contains("would overwrite an input"), "{e}");
    }
    // Through a symbolic link too.
    #[cfg(unix)]
    {
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(tmp.path().join("data"), &link).unwrap();
        let e = Staged::new(&link, std::slice::from_ref(&input))
            .err()
            .expect("refused");
        assert!(e.to_string().contains("would overwrite an input"), "{e}");
    }
    let foreign = tmp.path().join("mine");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), "keep me").unwrap();
    let e = Staged::new(&foreign, &[]).err().expect("refused");
    assert!(e.to_string().contains("not a previous"), "{e}");
    assert_eq!(
        std::fs::read_to_string(foreign.join("notes.txt")).unwrap(),
        "keep me"
    );
}

#[test]
fn the_cli_refuses_to_write_into_the_input_folder_before_computing() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("tata");
    std::fs::create_dir_all(&data).unwrap();
    copy_tata(&data);
    let before = listing(&data);
    let o = run_config(&data.join("tata.toml"), &data, &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(err.contains("would overwrite an input"), "{err}");
    assert_eq!(listing(&data), before, "inputs changed");
    assert!(leftovers(&data).is_empty());
}

#[cfg(unix)]
#[test]
fn fifos_and_devices_are_refused_without_blocking() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("settlements.geojson");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    let facilities = fixture("tata/facilities.geojson");
    let sources: Vec<PathBuf> = if made {
        vec![fifo, PathBuf::from("/dev/zero")]
    } else {
        vec![PathBuf::from("/dev/zero")]
    };
    for src in sources {
        let cfg = tmp.path().join("c.toml");
        std::fs::write(
            &cfg,
            format!(
                "[inputs]\n[[inputs.settlements]]\npath = {:?}\n[[inputs.facilities]]\npath = {:?}\ncategory = \"health\"\n",
                src.display().to_string(),
                facilities.display().to_string()
            ),
        )
        .unwrap();
        let out = tmp.path().join("out");
        let t0 = Instant::now();
        let o = run_config(&cfg, &out, &[]);
        assert!(t0.elapsed() < Duration::from_secs(60));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{src:?} accepted");
        assert!(err.contains("not a regular file"), "{err}");
        assert!(err.contains(&src.display().to_string()), "{err}");
        assert!(!out.exists());
    }
    // The config itself.
    let o = run_bin(&["run", "/dev/zero", "--out", "/tmp/never", "-q"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(err.contains("not a regular file"), "{err}");
}

#[test]
fn a_huge_thread_count_is_capped() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let t0 = Instant::now();
    // The note is printed without --quiet (which prints only errors).
    let config = fixture("tata/tata.toml");
    let o = run_bin(&[
        "run",
        config.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--threads",
        "1000000",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("capped"));
    assert!(t0.elapsed() < Duration::from_secs(120));
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    assert!(run["threads"].as_u64().unwrap() as usize <= 4 * cores);
}

/// Every number in a JSON document, with its path.
fn numbers(v: &serde_json::Value, at: &str, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::Number(n) => out.push((at.to_string(), n.to_string())),
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                numbers(x, &format!("{at}[{i}]"), out);
            }
        }
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                numbers(x, &format!("{at}.{k}"), out);
            }
        }
        _ => {}
    }
}

/// A random valid Tata-like case: settlements (some without a population,
/// some with a tiny or huge one), facilities of two kinds, written as
/// GeoJSON and CSV.
fn random_inputs(dir: &Path, seed: u64) -> usize {
    let mut rng = Rng(seed);
    let n = 1 + rng.below(60);
    let mut feats = Vec::new();
    for i in 0..n {
        let pop = match rng.below(6) {
            0 => serde_json::Value::Null,
            1 => serde_json::json!(1e-300),
            2 => serde_json::json!(9.9e8),
            _ => serde_json::json!((rng.f64() * 3000.0).round()),
        };
        feats.push(serde_json::json!({
            "type": "Feature",
            "properties": {"id": format!("s{i}"), "pop": pop, "name": format!("douar {i}")},
            "geometry": {"type": "Point", "coordinates": [-8.0 + rng.f64() * 0.5, 29.5 + rng.f64() * 0.5]},
        }));
    }
    let fc = serde_json::json!({"type": "FeatureCollection", "features": feats});
    std::fs::write(dir.join("s.geojson"), fc.to_string()).unwrap();
    let mut csv = String::from("id,kind,lon,lat,beds\n");
    for j in 0..rng.below(6) {
        let kind = if rng.below(2) == 0 {
            "health"
        } else {
            "school"
        };
        let beds = match rng.below(4) {
            0 => "1e9".to_string(),
            1 => "0".to_string(),
            _ => format!("{}", 1 + rng.below(50)),
        };
        csv.push_str(&format!(
            "f{},{kind},{},{},{beds}\n",
            j % 3,
            -8.0 + rng.f64() * 0.5,
            29.5 + rng.f64() * 0.5
        ));
    }
    std::fs::write(dir.join("f.csv"), csv).unwrap();
    std::fs::write(
        dir.join("c.toml"),
        r#"[inputs]
[[inputs.settlements]]
path = "s.geojson"
id_field = "id"
name_field = "name"
population_field = "pop"
[[inputs.facilities]]
path = "f.csv"
id_field = "id"
category_field = "kind"
capacity_field = "beds"
[services.health.catchment]
methods = ["2sfca", "e2sfca", "3sfca"]
"#,
    )
    .unwrap();
    n
}

fn check_run(seed: u64) -> Result<(), TestCaseError> {
    let tmp = tempfile::tempdir().unwrap();
    let n = random_inputs(tmp.path(), seed);
    let out = tmp.path().join("out");
    let o = run_config(&tmp.path().join("c.toml"), &out, &[]);
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    prop_assert!(o.status.success(), "seed {seed}: {err}");
    prop_assert!(!err.contains("panicked"));
    // Every settlement exactly once, in both files, with the same status.
    let gj: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("settlements.geojson")).unwrap())
            .unwrap();
    let feats = gj["features"].as_array().unwrap();
    prop_assert_eq!(feats.len(), n);
    let mut rdr = csv::Reader::from_path(out.join("settlements.csv")).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    prop_assert_eq!(rows.len(), n);
    let (id_col, status_col) = (
        headers.iter().position(|h| h == "id").unwrap(),
        headers.iter().position(|h| h == "status").unwrap(),
    );
    let mut seen = std::collections::HashSet::new();
    for (f, r) in feats.iter().zip(&rows) {
        prop_assert_eq!(f["properties"]["id"].as_str().unwrap(), &r[id_col]);
        prop_assert_eq!(f["properties"]["status"].as_str().unwrap(), &r[status_col]);
        prop_assert!(
            seen.insert(r[id_col].to_string()),
            "repeated id {}",
            &r[id_col]
        );
    }
    // Every number written is finite and not -0.
    let mut nums = Vec::new();
    for file in [
        "settlements.geojson",
        "zones.geojson",
        "facilities.geojson",
        "run.json",
    ] {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join(file)).unwrap()).unwrap();
        numbers(&v, file, &mut nums);
    }
    for (at, text) in &nums {
        let x: f64 = text.parse().unwrap();
        prop_assert!(
            x.is_finite() && !(x == 0.0 && x.is_sign_negative()),
            "{at} = {text}"
        );
    }
    for file in ["settlements.csv", "zones.csv", "facilities.csv"] {
        let text = std::fs::read_to_string(out.join(file)).unwrap();
        for bad in ["inf", "NaN", ",-0,", ",-0\n"] {
            prop_assert!(!text.contains(bad), "{file} has {bad}");
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn random_valid_inputs_give_every_settlement_once_with_finite_numbers(seed in any::<u64>()) {
        check_run(seed)?;
    }
}

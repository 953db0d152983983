//! The config's parsing and validation, by example.

use super::*;

/// Settings from config text (relative paths under `/base`).
pub(super) fn parse(text: &str) -> Result<Settings, ConfigError> {
    let raw = parse_raw(text, Path::new("t.toml"))?;
    Settings::from_raw(raw, Path::new("/base"), Path::new("t.toml"))
}

#[test]
fn defaults_fill_a_minimal_config() {
    let s = parse("[inputs]\nosm = \"x.osm.pbf\"\n").unwrap();
    assert_eq!(s.inputs.osm.as_deref(), Some(Path::new("/base/x.osm.pbf")));
    let names: Vec<_> = s.services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["health", "power", "school", "water"]);
    assert!(s.profiles["drive"].oneway);
    assert!(s.profiles["walk"].speed("motorway", None).is_none());
}

#[test]
fn overrides_merge_and_zero_forbids() {
    let s = parse(
        "[inputs]\nosm='x'\n[profiles.walk.speeds_kmh]\ntrack=3\nfootway=0\n[travel]\ncircuity=1.5\n",
    )
    .unwrap();
    assert_eq!(s.profiles["walk"].speeds_kmh["track"], 3.0);
    assert!(!s.profiles["walk"].speeds_kmh.contains_key("footway"));
    assert_eq!(s.profiles["walk"].speeds_kmh["primary"], 5.0);
    assert_eq!(s.travel.circuity, 1.5);
}

#[test]
fn errors_name_the_key() {
    let e = parse("[inputs]\nosm='x'\n[services.health]\nprofile='bike'\n").unwrap_err();
    assert!(e.to_string().contains("services.health.profile"), "{e}");
    let e = parse("[inputs]\nosm='x'\n[travel]\ncircuity=0.5\n").unwrap_err();
    assert!(e.to_string().contains("travel.circuity"), "{e}");
    let e = parse("[inputs]\nosm='x'\n[profiles.walk.speeds_kmh]\ntrack=-1\n").unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("profiles.walk.speeds_kmh.track") && msg.contains("got -1"),
        "{msg}"
    );
    let e = parse("[inputs]\nosm='x'\n[osm]\nline_sample_m=0\n").unwrap_err();
    assert!(e.to_string().contains("must be from 10"), "{e}");
    for (table, key, v) in [
        ("osm", "line_sample_m", "1e-9"),
        ("population", "default_weight", "-1"),
        ("population", "default_weight", "nan"),
        ("population.class_weights", "hamlet", "-2"),
        ("population.class_weights", "hamlet", "inf"),
        ("profiles.walk", "offroad_kmh", "1e-300"),
        ("profiles.walk.speeds_kmh", "track", "1e-300"),
        ("travel", "circuity", "1e308"),
        ("travel", "max_snap_m", "1e300"),
        ("services.health", "threshold_min", "1e308"),
        ("services.health", "threshold_m", "-5"),
        ("gravity", "floor_min", "1e300"),
    ] {
        let e = parse(&format!("[inputs]\nosm='x'\n[{table}]\n{key}={v}\n"))
            .expect_err(&format!("{table}.{key} = {v} must be refused"));
        let name = if table.starts_with("services") {
            table.to_string()
        } else {
            format!("{table}.{key}")
        };
        assert!(e.to_string().contains(&name), "{table}.{key}={v}: {e}");
    }
    // One service table is merged with the defaults, not a replacement.
    let s = parse("[inputs]\nosm='x'\n[services.health.catchment]\nmethods=['2sfca']\n").unwrap();
    let names: Vec<&str> = s.services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["health", "power", "school", "water"]);
    let s = parse(
        "[inputs]\nosm='x'\n[services.power]\nenabled=false\n[services.market]\nthreshold_min=30\n",
    )
    .unwrap();
    let names: Vec<&str> = s.services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["health", "school", "water", "market"]);
    let s = parse("[inputs]\nosm='x'\n[services.power]\nthreshold_min=20\n").unwrap();
    let power = s.services.iter().find(|s| s.name == "power").unwrap();
    assert_eq!(power.threshold, Threshold::Time(Seconds(1200.0)));
    let e = parse("[inputs]\nosm='x'\n[travel]\nbogus=1\n").unwrap_err();
    assert!(e.to_string().contains("bogus"), "{e}");
    assert!(parse("").is_err());
}

#[test]
fn terrain_road_profiles_default_to_walk_and_must_exist() {
    let s = parse("[inputs]\nosm='x'\n[terrain]\ndem='d.tif'\n").unwrap();
    assert_eq!(s.terrain.unwrap().road_profiles, ["walk"]);
    let s = parse("[inputs]\nosm='x'\n[terrain]\ndem='d.tif'\nroad_profiles=[]\n").unwrap();
    assert!(s.terrain.unwrap().road_profiles.is_empty());
    let e = parse("[inputs]\nosm='x'\n[terrain]\ndem='d.tif'\nroad_profiles=['bike']\n")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("terrain.road_profiles") && e.contains("bike"),
        "{e}"
    );
}

#[test]
fn catchments_default_to_the_coverage_thresholds_and_errors_name_the_key() {
    let s = parse("[inputs]\nosm='x'\n").unwrap();
    assert!(!s.catchments.enabled && s.catchments.per_facility && !s.catchments.voronoi);
    assert_eq!(s.catchments.thresholds_min, [15.0, 30.0, 60.0, 120.0]);
    let s = parse("[inputs]\nosm='x'\n[coverage]\nthresholds_min=[10,20]\n").unwrap();
    assert_eq!(s.catchments.thresholds_min, [10.0, 20.0]);
    let s = parse(
        "[inputs]\nosm='x'\n[catchments]\nthresholds_min=[5]\ncell_m=100\nper_facility=false\n",
    )
    .unwrap();
    assert_eq!(
        (s.catchments.thresholds_min.as_slice(), s.catchments.cell_m),
        (&[5.0][..], 100.0)
    );
    assert!(!s.catchments.per_facility);
    for (bad, key) in [
        ("thresholds_min=[30,15]", "catchments.thresholds_min"),
        ("thresholds_min=[]", "catchments.thresholds_min"),
        ("cell_m=0", "catchments.cell_m"),
    ] {
        let e = parse(&format!("[inputs]\nosm='x'\n[catchments]\n{bad}\n")).unwrap_err();
        assert!(e.to_string().contains(key), "{bad}: {e}");
    }
}

//! Scenario files: a valid file read into the typed model, and every class
//! of bad input rejected with an error naming the file, the scenario, the
//! modification and the key; no input panics.

use std::path::Path;

use geo_types::Coord;
use remoteness::model::LonLat;
use remoteness::scenario::{
    parse_scenarios, read_scenarios, Change, Known, Modification, RoadEdit, ScenarioError,
    ScenarioSet,
};
use sha2::{Digest, Sha256};

const VALID: &str = r#"
[[scenario]]
name = "new_health_posts"
description = "Two posts in the south"

[[scenario.modification]]
kind = "add_facility"
service = "health"
id = "hp_new_1"
name = "Poste de Tiznit"
lon = -7.71
lat = 29.74

[[scenario.modification]]
kind = "add_facility"
service = "school"
id = "sc_new_1"
lon = -7.5
lat = 29.5
capacity = 3

[[scenario.modification]]
kind = "remove_facilities"
ids = ["hp_3", "hp_4"]

[[scenario.modification]]
kind = "capacity"
service = "health"
polygon = [[-8, 29], [-7, 29], [-7, 30], [-8, 30]]
scale = 1.2

[[scenario.modification]]
kind = "capacity"
ids = ["hp_1"]
set = 0

[[scenario]]
name = "wet_road"

[[scenario.modification]]
kind = "close_roads"
crossing = [[-9.5, 47.1], [-9.4, 47.2]]
classes = ["track"]

[[scenario.modification]]
kind = "road_speed"
ids = ["osm:way/1"]
profile = "drive"
kmh = 20

[[scenario.modification]]
kind = "road_speed"
polygon = [[0, 0], [1, 0], [1, 1], [0, 0]]
factor = 0.5

[[scenario.modification]]
kind = "upgrade_roads"
ids = ["osm:way/2"]
class = "tertiary"

[[scenario.modification]]
kind = "add_road"
id = "new_1"
class = "unclassified"
line = [[-7.7, 29.7], [-7.6, 29.75], [-7.5, 29.8]]

[[scenario.modification]]
kind = "add_road"
id = "new_2"
class = "track"
line = [[-7.7, 29.7], [-7.6, 29.75]]
join_m = 0

[[scenario.modification]]
kind = "season"
name = "wet"

[[scenario.modification]]
kind = "season"
name = "osm_dry"

[[scenario.modification]]
kind = "population"
zones = ["z1", "z2"]
scale = 1.1

[[scenario.modification]]
kind = "population"
set = 5000

[[season.wet.modification]]
kind = "close_roads"
crossing = [[-9.5, 47.1], [-9.4, 47.2]]

[[season.wet.modification]]
kind = "road_speed"
classes = ["track"]
polygon = [[-10, 47], [-9, 47], [-9, 48]]
factor = 0.25
"#;

fn known() -> Known {
    Known {
        services: vec!["health".into(), "school".into()],
        profiles: vec!["walk".into(), "drive".into()],
        seasons: vec!["osm_dry".into()],
    }
}

fn parse(text: &str) -> Result<ScenarioSet, ScenarioError> {
    parse_scenarios(text, Path::new("scenarios.toml"), &known())
}

fn parse_err(text: &str) -> String {
    match parse(text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

fn ll(lon: f64, lat: f64) -> LonLat {
    LonLat::new(lon, lat)
}

#[test]
fn scenario_file_valid_round_trips_every_kind() {
    let set = parse(VALID).unwrap();
    assert_eq!(set.path, Path::new("scenarios.toml"));
    assert_eq!(
        set.sha256,
        format!("{:x}", Sha256::digest(VALID.as_bytes()))
    );
    assert_eq!(set.sha256.len(), 64);
    assert!(set
        .sha256
        .chars()
        .all(|c| matches!(c, '0'..='9' | 'a'..='f')));
    let names: Vec<_> = set.scenarios.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["new_health_posts", "wet_road"]);

    let s = &set.scenarios[0];
    assert_eq!(s.description, "Two posts in the south");
    assert_eq!(s.modifications.len(), 5);
    let Modification::AddFacility(f) = &s.modifications[0] else {
        panic!("{:?}", s.modifications[0]);
    };
    assert_eq!(
        (f.id.as_str(), f.name.as_str(), f.service.as_str()),
        ("hp_new_1", "Poste de Tiznit", "health")
    );
    assert_eq!(f.pos, ll(-7.71, 29.74));
    assert_eq!(f.capacity, 1.0, "default capacity");
    let Modification::AddFacility(f) = &s.modifications[1] else {
        panic!("{:?}", s.modifications[1]);
    };
    assert_eq!((f.name.as_str(), f.capacity), ("", 3.0));
    let Modification::RemoveFacilities(sel) = &s.modifications[2] else {
        panic!("{:?}", s.modifications[2]);
    };
    assert_eq!(sel.ids, ["hp_3", "hp_4"]);
    assert!(sel.service.is_none() && sel.within.is_none());
    let Modification::Capacity { select, change } = &s.modifications[3] else {
        panic!("{:?}", s.modifications[3]);
    };
    assert_eq!(*change, Change::Scale(1.2));
    assert_eq!(select.service.as_deref(), Some("health"));
    assert!(select.ids.is_empty());
    let ring = &select.within.as_ref().unwrap().exterior().0;
    assert_eq!(ring.len(), 5, "auto-closed: {ring:?}");
    assert_eq!(ring[0], Coord { x: -8.0, y: 29.0 });
    assert_eq!(ring[0], ring[4]);
    let Modification::Capacity { change, .. } = &s.modifications[4] else {
        panic!("{:?}", s.modifications[4]);
    };
    assert_eq!(*change, Change::Set(0.0));

    let s = &set.scenarios[1];
    assert_eq!(s.description, "");
    assert_eq!(s.modifications.len(), 10);
    let Modification::Road(RoadEdit::Close(sel)) = &s.modifications[0] else {
        panic!("{:?}", s.modifications[0]);
    };
    let crossing = sel.crossing.as_ref().unwrap();
    assert_eq!(
        crossing.0,
        [Coord { x: -9.5, y: 47.1 }, Coord { x: -9.4, y: 47.2 }]
    );
    assert_eq!(sel.classes, ["track"]);
    assert!(sel.ids.is_empty() && sel.within.is_none());
    let Modification::Road(RoadEdit::Speed {
        select,
        profile,
        change,
    }) = &s.modifications[1]
    else {
        panic!("{:?}", s.modifications[1]);
    };
    assert_eq!(select.ids, ["osm:way/1"]);
    assert_eq!(profile.as_deref(), Some("drive"));
    assert_eq!(*change, Change::Set(20.0));
    let Modification::Road(RoadEdit::Speed {
        select,
        profile,
        change,
    }) = &s.modifications[2]
    else {
        panic!("{:?}", s.modifications[2]);
    };
    assert!(profile.is_none());
    assert_eq!(*change, Change::Scale(0.5));
    let ring = &select.within.as_ref().unwrap().exterior().0;
    assert_eq!(ring.len(), 4, "already closed, not closed twice: {ring:?}");
    let Modification::Road(RoadEdit::Upgrade { select, class }) = &s.modifications[3] else {
        panic!("{:?}", s.modifications[3]);
    };
    assert_eq!(
        (select.ids.as_slice(), class.as_str()),
        (&["osm:way/2".to_string()][..], "tertiary")
    );
    let Modification::Road(RoadEdit::Add(r)) = &s.modifications[4] else {
        panic!("{:?}", s.modifications[4]);
    };
    assert_eq!((r.id.as_str(), r.class.as_str()), ("new_1", "unclassified"));
    assert_eq!(r.line, [ll(-7.7, 29.7), ll(-7.6, 29.75), ll(-7.5, 29.8)]);
    assert_eq!(r.join_m, 25.0, "default join_m");
    let Modification::Road(RoadEdit::Add(r)) = &s.modifications[5] else {
        panic!("{:?}", s.modifications[5]);
    };
    assert_eq!(r.join_m, 0.0);
    assert!(matches!(&s.modifications[6], Modification::Season(n) if n == "wet"));
    assert!(matches!(&s.modifications[7], Modification::Season(n) if n == "osm_dry"));
    let Modification::Population { zones, change } = &s.modifications[8] else {
        panic!("{:?}", s.modifications[8]);
    };
    assert_eq!(zones, &["z1", "z2"]);
    assert_eq!(*change, Change::Scale(1.1));
    let Modification::Population { zones, change } = &s.modifications[9] else {
        panic!("{:?}", s.modifications[9]);
    };
    assert!(zones.is_empty(), "missing zones = all zones");
    assert_eq!(*change, Change::Set(5000.0));

    assert_eq!(set.seasons.keys().collect::<Vec<_>>(), ["wet"]);
    let wet = &set.seasons["wet"];
    assert_eq!(wet.len(), 2);
    assert!(matches!(&wet[0], RoadEdit::Close(sel) if sel.crossing.is_some()));
    let RoadEdit::Speed { select, change, .. } = &wet[1] else {
        panic!("{:?}", wet[1]);
    };
    assert_eq!(*change, Change::Scale(0.25));
    assert_eq!(select.classes, ["track"]);
    assert_eq!(select.within.as_ref().unwrap().exterior().0.len(), 4);
}

#[test]
fn scenario_file_read_from_disk_and_unreadable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scenarios.toml");
    std::fs::write(&path, VALID).unwrap();
    let set = read_scenarios(&path, &known()).unwrap();
    assert_eq!(set.path, path);
    assert_eq!(
        set.sha256,
        format!("{:x}", Sha256::digest(std::fs::read(&path).unwrap()))
    );
    assert_eq!(set.scenarios.len(), 2);

    let missing = dir.path().join("nope.toml");
    let e = read_scenarios(&missing, &known()).unwrap_err();
    assert!(matches!(e, ScenarioError::File(_)), "{e:?}");
    assert!(e.to_string().contains("nope.toml"), "{e}");

    let latin1 = dir.path().join("latin1.toml");
    std::fs::write(&latin1, b"[[scenario]]\nname = \"caf\xe9\"\n").unwrap();
    let e = read_scenarios(&latin1, &known()).unwrap_err();
    assert!(
        matches!(
            e,
            ScenarioError::File(remoteness::files::FileError::NotUtf8 { .. })
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("latin1.toml"), "{e}");
    assert!(e.to_string().contains("line 2, column 12"), "{e}");
}

/// A scenario `wet_road` whose modifications are `mods`.
fn file_with(mods: &[&str]) -> String {
    let mut s = String::from("[[scenario]]\nname = \"wet_road\"\n");
    for m in mods {
        s.push_str("\n[[scenario.modification]]\n");
        s.push_str(m);
        s.push('\n');
    }
    s
}

const OK: &str = "kind = \"population\"\nscale = 1.0";

/// `bad` as modification 3 of `wet_road` is rejected, naming the file,
/// the scenario, the modification, `field` and `needle`.
fn assert_bad(bad: &str, field: &str, needle: &str) {
    let msg = parse_err(&file_with(&[OK, OK, bad]));
    for part in [
        "scenarios.toml",
        "scenario `wet_road`",
        "modification 3",
        &format!("field `{field}`"),
        needle,
    ] {
        assert!(msg.contains(part), "`{part}` not in: {msg}");
    }
}

#[test]
fn scenario_file_display_format() {
    let msg = parse_err(&file_with(&[
        OK,
        OK,
        "kind = \"add_facility\"\nservice = \"health\"\nid = \"a\"\nlon = 200\nlat = 0",
    ]));
    assert_eq!(
        msg,
        "scenarios.toml: scenario `wet_road`: modification 3: field `lon`: \
         must be a finite longitude in [-180, 180], got 200"
    );
}

#[test]
fn scenario_file_unknown_or_missing_kind() {
    assert_bad(
        "kind = \"close_road\"",
        "kind",
        "unknown kind `close_road` (valid kinds: add_facility, remove_facilities, capacity, \
         close_roads, road_speed, upgrade_roads, add_road, season, population)",
    );
    assert_bad("ids = [\"a\"]", "kind", "missing");
}

#[test]
fn scenario_file_key_foreign_to_its_kind() {
    assert_bad(
        "kind = \"close_roads\"\nids = [\"osm:way/1\"]\nkmh = 5",
        "kmh",
        "`kmh` does not apply to `close_roads`",
    );
    assert_bad(
        "kind = \"population\"\nscale = 2\ncapacity = 3",
        "capacity",
        "does not apply to `population`",
    );
    assert_bad(
        "kind = \"season\"\nname = \"osm_dry\"\nids = [\"x\"]",
        "ids",
        "does not apply to `season`",
    );
}

#[test]
fn scenario_file_unknown_key_is_a_parse_error_naming_it() {
    let e = parse(&file_with(&[
        OK,
        "kind = \"population\"\nscale = 1\nbogus = 2",
    ]))
    .unwrap_err();
    assert!(matches!(e, ScenarioError::Parse { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(
        msg.contains("scenarios.toml") && msg.contains("bogus"),
        "{msg}"
    );
    assert!(msg.contains("line"), "{msg}");
    let e = parse("[[scenario]\nname = \"x\"\n").unwrap_err();
    assert!(matches!(e, ScenarioError::Parse { .. }), "{e:?}");
    assert!(e.to_string().contains("line 1"), "{e}");
}

#[test]
fn scenario_file_positions_out_of_range() {
    let fac = |lon: &str, lat: &str| {
        format!(
            "kind = \"add_facility\"\nservice = \"health\"\nid = \"a\"\nlon = {lon}\nlat = {lat}"
        )
    };
    assert_bad(&fac("-180.5", "0"), "lon", "got -180.5");
    assert_bad(&fac("nan", "0"), "lon", "finite longitude");
    assert_bad(
        &fac("0", "91"),
        "lat",
        "must be a finite latitude in [-90, 90], got 91",
    );
    assert_bad(&fac("0", "-inf"), "lat", "got -inf");
    assert_bad(
        "kind = \"add_road\"\nid = \"r\"\nclass = \"track\"\nline = [[0, 0], [1, 95]]",
        "line",
        "point 2: must be a finite latitude",
    );
    assert_bad(
        "kind = \"close_roads\"\ncrossing = [[0, 0], [1, 2, 3]]",
        "crossing",
        "point 2: must be [lon, lat], got 3",
    );
    assert_bad(
        "kind = \"remove_facilities\"\npolygon = [[0, 0], [200, 0], [1, 1]]",
        "polygon",
        "point 2: must be a finite longitude in [-180, 180], got 200",
    );
}

#[test]
fn scenario_file_bad_polygons() {
    let poly = |pts: &str| format!("kind = \"close_roads\"\npolygon = {pts}");
    assert_bad(
        &poly("[[0, 0], [1, 1]]"),
        "polygon",
        "at least 3 distinct points, got 2",
    );
    assert_bad(
        &poly("[[0, 0], [1, 1], [0, 0], [1, 1]]"),
        "polygon",
        "at least 3 distinct points",
    );
    // A bow tie crosses itself at its centre.
    assert_bad(
        &poly("[[0, 0], [1, 1], [1, 0], [0, 1]]"),
        "polygon",
        "self-intersection near (0.500000, 0.500000)",
    );
    // Collinear points: no area (it folds back on itself).
    assert_bad(
        &poly("[[0, 0], [1, 0], [2, 0]]"),
        "polygon",
        "simple polygon",
    );
    assert_bad(&poly("[]"), "polygon", "got 0");
}

#[test]
fn scenario_file_bad_lines() {
    let road =
        |line: &str| format!("kind = \"add_road\"\nid = \"r\"\nclass = \"track\"\nline = {line}");
    assert_bad(&road("[[0, 0]]"), "line", "at least 2 points, got 1");
    assert_bad(
        &road("[[0, 0], [1, 1], [1, 1], [2, 2]]"),
        "line",
        "points 2 and 3 are the same",
    );
    assert_bad(
        "kind = \"close_roads\"\ncrossing = [[3, 3]]",
        "crossing",
        "at least 2 points",
    );
    assert_bad(
        "kind = \"add_road\"\nid = \"r\"\nclass = \"track\"",
        "line",
        "missing",
    );
}

#[test]
fn scenario_file_set_and_scale_conflict_or_missing() {
    assert_bad(
        "kind = \"capacity\"\nids = [\"a\"]\nset = 1\nscale = 2",
        "set/scale",
        "not both",
    );
    assert_bad("kind = \"capacity\"\nids = [\"a\"]", "set/scale", "missing");
    assert_bad(
        "kind = \"road_speed\"\nids = [\"a\"]\nkmh = 10\nfactor = 2",
        "kmh/factor",
        "not both",
    );
    assert_bad(
        "kind = \"road_speed\"\nids = [\"a\"]",
        "kmh/factor",
        "missing",
    );
    assert_bad(
        "kind = \"population\"\nset = 1\nscale = 1",
        "set/scale",
        "not both",
    );
}

#[test]
fn scenario_file_negative_or_non_finite_numbers() {
    assert_bad(
        "kind = \"add_facility\"\nservice = \"health\"\nid = \"a\"\nlon = 0\nlat = 0\ncapacity = 0",
        "capacity",
        "must be a finite number > 0, got 0",
    );
    assert_bad(
        "kind = \"capacity\"\nids = [\"a\"]\nscale = -0.5",
        "scale",
        "got -0.5",
    );
    assert_bad(
        "kind = \"capacity\"\nids = [\"a\"]\nset = inf",
        "set",
        "got inf",
    );
    assert_bad(
        "kind = \"road_speed\"\nids = [\"a\"]\nkmh = 0",
        "kmh",
        "> 0, got 0",
    );
    assert_bad(
        "kind = \"road_speed\"\nids = [\"a\"]\nfactor = nan",
        "factor",
        "got NaN",
    );
    assert_bad(
        "kind = \"add_road\"\nid = \"r\"\nclass = \"track\"\nline = [[0, 0], [1, 1]]\njoin_m = -1",
        "join_m",
        "≥ 0, got -1",
    );
    assert_bad("kind = \"population\"\nset = -10", "set", "got -10");
}

#[test]
fn scenario_file_unknown_names() {
    assert_bad(
        "kind = \"add_facility\"\nservice = \"hospital\"\nid = \"a\"\nlon = 0\nlat = 0",
        "service",
        "unknown service `hospital` (known: health, school)",
    );
    assert_bad(
        "kind = \"remove_facilities\"\nservice = \"water\"",
        "service",
        "unknown service `water`",
    );
    assert_bad(
        "kind = \"road_speed\"\nids = [\"a\"]\nprofile = \"bike\"\nfactor = 2",
        "profile",
        "unknown profile `bike` (known: walk, drive)",
    );
    assert_bad(
        "kind = \"season\"\nname = \"monsoon\"",
        "name",
        "unknown season `monsoon` (known: osm_dry)",
    );
}

#[test]
fn scenario_file_selections() {
    assert_bad(
        "kind = \"close_roads\"\nclasses = [\"track\"]",
        "classes",
        "`classes` alone would close every road of class track everywhere",
    );
    assert_bad(
        "kind = \"upgrade_roads\"\nclasses = [\"track\"]\nclass = \"tertiary\"",
        "classes",
        "everywhere",
    );
    assert_bad(
        "kind = \"close_roads\"",
        "ids/polygon/crossing",
        "at least one",
    );
    assert_bad(
        "kind = \"remove_facilities\"",
        "ids/service/polygon",
        "at least one",
    );
    assert_bad(
        "kind = \"remove_facilities\"\nids = []\nservice = \"health\"",
        "ids",
        "is empty",
    );
    assert_bad(
        "kind = \"close_roads\"\nids = [\"a\", \"\"]",
        "ids",
        "entry 2 is empty",
    );
    assert_bad(
        "kind = \"upgrade_roads\"\nids = [\"a\"]\nclass = \"\"",
        "class",
        "must not be empty",
    );
    assert_bad(
        "kind = \"add_facility\"\nservice = \"health\"\nlon = 0\nlat = 0",
        "id",
        "missing: `add_facility` requires it",
    );
}

#[test]
fn scenario_file_season_tables() {
    let with_season = |season: &str| format!("{}\n{season}", file_with(&[OK]));
    let msg = parse_err(&with_season(
        "[[season.wet.modification]]\nkind = \"close_roads\"\nids = [\"a\"]\n\
         [[season.wet.modification]]\nkind = \"season\"\nname = \"wet\"\n",
    ));
    for part in [
        "scenarios.toml",
        "scenario `season wet`",
        "modification 2",
        "field `kind`",
        "`season` cannot be part of a season",
        "close_roads, road_speed, upgrade_roads, add_road",
    ] {
        assert!(msg.contains(part), "`{part}` not in: {msg}");
    }
    let msg = parse_err(&with_season(
        "[[season.wet.modification]]\nkind = \"population\"\nscale = 2\n",
    ));
    assert!(
        msg.contains("`population` cannot be part of a season"),
        "{msg}"
    );
    let msg = parse_err(&with_season(
        "[[season.wet.modification]]\nkind = \"road_speed\"\nids = [\"a\"]\nkmh = -3\n",
    ));
    assert!(
        msg.contains("scenario `season wet`: modification 1: field `kmh`"),
        "{msg}"
    );
    let msg = parse_err(&with_season("[season.wet]\n"));
    assert!(
        msg.contains("scenario `season wet`: field `modification`: has no modification"),
        "{msg}"
    );
    let msg = parse_err(&with_season(
        "[[season.osm_dry.modification]]\nkind = \"close_roads\"\nids = [\"a\"]\n",
    ));
    assert!(
        msg.contains("season osm_dry") && msg.contains("already defined outside this file"),
        "{msg}"
    );
    let msg = parse_err(&with_season(
        "[[season.\"we t\".modification]]\nkind = \"close_roads\"\nids = [\"a\"]\n",
    ));
    assert!(
        msg.contains("field `name`") && msg.contains("letters"),
        "{msg}"
    );
}

#[test]
fn scenario_file_scenario_level_errors() {
    let msg = parse_err("");
    assert!(
        msg.contains("scenarios.toml")
            && msg.contains("field `scenario`")
            && msg.contains("no scenario"),
        "{msg}"
    );
    let msg = parse_err("[[season.wet.modification]]\nkind = \"close_roads\"\nids = [\"a\"]\n");
    assert!(msg.contains("no scenario"), "{msg}");

    let two = format!("{}\n{}", file_with(&[OK]), file_with(&[OK]));
    let msg = parse_err(&two);
    assert!(
        msg.contains("scenarios.toml: scenario `wet_road`: field `name`: duplicate name"),
        "{msg}"
    );
    let msg = parse_err(&format!(
        "{}\n{}",
        file_with(&[OK]),
        file_with(&[OK]).replace("wet_road", "Wet_Road")
    ));
    assert!(msg.contains("duplicate name"), "{msg}");

    let msg = parse_err(&file_with(&[OK]).replace("wet_road", "baseline"));
    assert!(
        msg.contains("scenario `baseline`: field `name`: `baseline` is reserved"),
        "{msg}"
    );
    let msg = parse_err(&file_with(&[OK]).replace("wet_road", "wet road"));
    assert!(
        msg.contains("scenario `#1`: field `name`") && msg.contains("`wet road`"),
        "{msg}"
    );
    let long = "a".repeat(65);
    let msg = parse_err(&file_with(&[OK]).replace("wet_road", &long));
    assert!(msg.contains("1 to 64 characters"), "{msg}");
    assert!(parse(&file_with(&[OK]).replace("wet_road", &"a".repeat(64))).is_ok());
    let msg = parse_err(&file_with(&[OK]).replace("wet_road", ""));
    assert!(msg.contains("field `name`"), "{msg}");
    let msg = parse_err("[[scenario]]\ndescription = \"x\"\n");
    assert!(
        msg.contains("scenario `#1`: field `name`: missing"),
        "{msg}"
    );

    let msg = parse_err(&file_with(&[]));
    assert!(
        msg.contains(
            "scenarios.toml: scenario `wet_road`: field `modification`: has no modification"
        ),
        "{msg}"
    );
}

/// Truncated and garbled versions of the valid file: errors, never panics.
#[test]
fn scenario_file_garbled_input_never_panics() {
    // Every prefix: some are valid files, none may panic.
    for (cut, _) in VALID.char_indices() {
        let _ = parse(&VALID[..cut]);
    }
    // Every line dropped in turn, then every line duplicated in turn.
    let lines: Vec<&str> = VALID.lines().collect();
    for k in 0..lines.len() {
        let mut v = lines.clone();
        v.remove(k);
        let _ = parse(&v.join("\n"));
        let mut v = lines.clone();
        v.insert(k, lines[k]);
        let _ = parse(&v.join("\n"));
    }
    let garbled = [
        VALID[..VALID.len() / 2].to_string(),
        VALID[..VALID.find("lat = 29.74").unwrap() + 5].to_string(),
        VALID.replace("]]", "]"),
        VALID.replace('"', ""),
        VALID.replace("=", ""),
        VALID.replace("29.", "2e999"),
        VALID.replace("-7.", "--7."),
        VALID.replace("[[scenario]]", "[scenario]"),
        VALID.replace("kind", "kinds"),
        VALID.replace("[-9.4, 47.2]", "[]"),
        VALID.replace("[0, 0]]", "[0, 0"),
        VALID.replace(",", ", [").replace("]", "]]"),
        VALID.replace("1.2", "\"1.2\""),
        VALID.replace('\n', " "),
        VALID.chars().rev().collect(),
        VALID.replace("new_health_posts", "wet_road"),
    ];
    for (k, text) in garbled.iter().enumerate() {
        assert!(
            parse(text).is_err(),
            "garbled version {k} accepted:\n{text}"
        );
    }
}

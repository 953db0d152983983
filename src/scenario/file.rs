//! Reading a scenario file: TOML → a validated [`ScenarioSet`].
//!
//! Two stages, as for the config: the raw layer mirrors the file (every key
//! optional, unknown keys rejected by the parser), then validation turns it
//! into the typed model, rejecting bad values with an error naming the file,
//! the scenario, the modification (1-based) and the key.
//!
//! ```toml
//! [[scenario]]
//! name = "new_health_posts"   # [A-Za-z0-9_-], 1 to 64 characters, unique, not `baseline`
//! description = "Two posts in the south"
//!
//! [[scenario.modification]]
//! kind = "add_facility"       # service, id, name, lon, lat, capacity
//! service = "health"
//! id = "hp_new_1"
//! lon = -7.71
//! lat = 29.74
//!
//! [[scenario.modification]]
//! kind = "season"             # name: a `[season.NAME]` of this file or a known season
//! name = "wet"
//!
//! [[season.wet.modification]] # road edits only
//! kind = "close_roads"
//! crossing = [[-9.5, 47.1], [-9.4, 47.2]]
//! ```
//!
//! Kinds and their keys:
//!
//! | kind | keys |
//! |------|------|
//! | `add_facility` | `service`, `id`, `lon`, `lat` (required); `name`; `capacity` (> 0, default 1) |
//! | `remove_facilities` | at least one of `ids`, `service`, `polygon` |
//! | `capacity` | the same selection, and one of `set` or `scale` (≥ 0) |
//! | `close_roads` | at least one of `ids`, `polygon`, `crossing`; `classes` narrows them |
//! | `road_speed` | the road selection, `profile`, and one of `kmh` or `factor` (> 0) |
//! | `upgrade_roads` | the road selection and `class` |
//! | `add_road` | `id`, `class`, `line` (≥ 2 points); `join_m` (≥ 0, default 25) |
//! | `season` | `name` |
//! | `population` | `zones` (all zones when absent or empty), and one of `set` or `scale` (≥ 0) |
//!
//! Points are `[lon, lat]` in WGS 84 degrees. Polygons need at least three
//! distinct points, are closed when not closed already, and must be simple
//! (checked in `O(n log n)` by [`crate::geometry::polygon_problem`]) with a
//! non-zero area. Lines must not repeat a point twice in a row.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use geo::Area;
use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use thiserror::Error;

use super::model::{
    Change, FacilitySelection, Modification, NewFacility, NewRoad, RoadEdit, RoadSelection,
    Scenario, ScenarioSet,
};
use crate::geometry::polygon_problem;
use crate::model::LonLat;

/// Longest scenario or season name (names become folder names).
const MAX_NAME_LEN: usize = 64;

/// `join_m` when not given, metres.
const DEFAULT_JOIN_M: f64 = 25.0;

/// What a scenario file's names are checked against: names defined outside
/// the file.
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// Configured service names (`health`, `school`…).
    pub services: Vec<String>,
    /// Travel profile names (`walk`, `drive`…).
    pub profiles: Vec<String>,
    /// Seasons defined elsewhere (from OpenStreetMap passability tags). A
    /// file's `[season.NAME]` tables add to them and must not reuse them.
    pub seasons: Vec<String>,
}

/// A scenario file error, naming the file and, when the file parses, the
/// scenario, the modification and the key at fault.
#[derive(Debug, Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("cannot read scenario file {path}")]
    Read {
        /// Scenario file.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The file is not UTF-8 TOML, or has an unknown or mistyped key.
    #[error("{path}: {message}")]
    Parse {
        /// Scenario file.
        path: PathBuf,
        /// Parser message (names the line and the key).
        message: String,
    },
    /// A value is missing, out of range, unknown or inconsistent.
    #[error("{path}: {}field `{field}`: {message}", context(.scenario, .index))]
    Invalid {
        /// Scenario file.
        path: PathBuf,
        /// Scenario name (`#N`, 1-based, when the name itself is at fault
        /// and unusable), `season NAME` for a season table, or empty for an
        /// error about the whole file.
        scenario: String,
        /// Position of the modification in its list, 0-based (shown
        /// 1-based); `None` for an error about the scenario itself.
        index: Option<usize>,
        /// Key at fault (`a/b` when the error is about a choice between keys).
        field: String,
        /// What is wrong.
        message: String,
    },
}

/// `scenario `NAME`: modification N: ` for [`ScenarioError::Invalid`].
fn context(scenario: &str, index: &Option<usize>) -> String {
    let mut s = String::new();
    if !scenario.is_empty() {
        s.push_str(&format!("scenario `{scenario}`: "));
    }
    if let Some(i) = index {
        s.push_str(&format!("modification {}: ", i + 1));
    }
    s
}

/// Reads and validates a scenario file.
pub fn read_scenarios(
    path: &Path,
    known: &Known,
) -> std::result::Result<ScenarioSet, ScenarioError> {
    let bytes = std::fs::read(path).map_err(|source| ScenarioError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let text = String::from_utf8(bytes).map_err(|e| ScenarioError::Parse {
        path: path.to_path_buf(),
        message: format!("not UTF-8 text ({e})"),
    })?;
    parse_scenarios(&text, path, known)
}

/// Parses and validates the text of a scenario file; `path` names the file
/// in errors and in the result. `sha256` is the digest of the text's bytes.
pub fn parse_scenarios(
    text: &str,
    path: &Path,
    known: &Known,
) -> std::result::Result<ScenarioSet, ScenarioError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| ScenarioError::Parse {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let sha256 = format!("{:x}", Sha256::digest(text.as_bytes()));
    if raw.scenario.is_empty() {
        return Err(ScenarioError::Invalid {
            path: path.to_path_buf(),
            scenario: String::new(),
            index: None,
            field: "scenario".into(),
            message: "no scenario: add at least one [[scenario]] table".into(),
        });
    }

    // Season names first: scenarios may refer to any of them.
    let mut season_names: BTreeSet<&str> = known.seasons.iter().map(String::as_str).collect();
    for name in raw.season.keys() {
        let cx = Cx::new(path, format!("season {name}"));
        name_problem(name).map_err(|m| cx.err("name", m))?;
        if known.seasons.iter().any(|s| s == name) {
            return Err(cx.err(
                "name",
                format!("season `{name}` is already defined outside this file (from OpenStreetMap tags): choose another name"),
            ));
        }
        season_names.insert(name);
    }

    let mut seasons = BTreeMap::new();
    for (name, rs) in &raw.season {
        let cx = Cx::new(path, format!("season {name}"));
        if rs.modification.is_empty() {
            return Err(cx.err(
                "modification",
                "has no modification: add [[season.NAME.modification]] tables".into(),
            ));
        }
        let mut edits = Vec::with_capacity(rs.modification.len());
        for (i, m) in rs.modification.iter().enumerate() {
            edits.push(season_edit(m, &cx.at(i), known)?);
        }
        seasons.insert(name.clone(), edits);
    }

    let mut scenarios: Vec<Scenario> = Vec::with_capacity(raw.scenario.len());
    for (k, rs) in raw.scenario.iter().enumerate() {
        let name = match &rs.name {
            None => {
                return Err(Cx::new(path, format!("#{}", k + 1))
                    .err("name", "missing: every [[scenario]] needs a name".into()))
            }
            Some(n) => n,
        };
        name_problem(name).map_err(|m| Cx::new(path, format!("#{}", k + 1)).err("name", m))?;
        let cx = Cx::new(path, name.clone());
        if name.eq_ignore_ascii_case("baseline") {
            return Err(cx.err(
                "name",
                "`baseline` is reserved for the unmodified run: choose another name".into(),
            ));
        }
        if let Some(j) = scenarios
            .iter()
            .position(|s| s.name.eq_ignore_ascii_case(name))
        {
            return Err(cx.err(
                "name",
                format!(
                    "duplicate name: scenario {} is already called `{}` (names are output folder names, compared ignoring case)",
                    j + 1,
                    scenarios[j].name
                ),
            ));
        }
        if rs.modification.is_empty() {
            return Err(cx.err(
                "modification",
                "has no modification: add [[scenario.modification]] tables".into(),
            ));
        }
        let mut modifications = Vec::with_capacity(rs.modification.len());
        for (i, m) in rs.modification.iter().enumerate() {
            modifications.push(modification(m, &cx.at(i), known, &season_names)?);
        }
        scenarios.push(Scenario {
            name: name.clone(),
            description: rs.description.clone().unwrap_or_default(),
            modifications,
        });
    }

    Ok(ScenarioSet {
        path: path.to_path_buf(),
        sha256,
        seasons,
        scenarios,
    })
}

// ---------------------------------------------------------------- raw layer

/// The file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    /// `[[scenario]]` tables, in file order.
    #[serde(default)]
    scenario: Vec<RawScenario>,
    /// `[season.NAME]` tables.
    #[serde(default)]
    season: BTreeMap<String, RawSeason>,
}

/// `[[scenario]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    /// Name.
    name: Option<String>,
    /// Free text.
    description: Option<String>,
    /// `[[scenario.modification]]` tables.
    #[serde(default)]
    modification: Vec<RawModification>,
}

/// `[season.NAME]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSeason {
    /// `[[season.NAME.modification]]` tables.
    #[serde(default)]
    modification: Vec<RawModification>,
}

/// Points as written: `[[lon, lat], …]`.
type RawPoints = Vec<Vec<f64>>;

/// One modification as written: the keys of every kind, all optional; which
/// keys a kind accepts is checked in validation ([`Kind::keys`]).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModification {
    kind: Option<String>,
    service: Option<String>,
    id: Option<String>,
    name: Option<String>,
    lon: Option<f64>,
    lat: Option<f64>,
    capacity: Option<f64>,
    ids: Option<Vec<String>>,
    polygon: Option<RawPoints>,
    set: Option<f64>,
    scale: Option<f64>,
    crossing: Option<RawPoints>,
    classes: Option<Vec<String>>,
    profile: Option<String>,
    kmh: Option<f64>,
    factor: Option<f64>,
    class: Option<String>,
    line: Option<RawPoints>,
    join_m: Option<f64>,
    zones: Option<Vec<String>>,
}

impl RawModification {
    /// The keys given (other than `kind`), in declaration order.
    fn present(&self) -> Vec<&'static str> {
        [
            ("service", self.service.is_some()),
            ("id", self.id.is_some()),
            ("name", self.name.is_some()),
            ("lon", self.lon.is_some()),
            ("lat", self.lat.is_some()),
            ("capacity", self.capacity.is_some()),
            ("ids", self.ids.is_some()),
            ("polygon", self.polygon.is_some()),
            ("set", self.set.is_some()),
            ("scale", self.scale.is_some()),
            ("crossing", self.crossing.is_some()),
            ("classes", self.classes.is_some()),
            ("profile", self.profile.is_some()),
            ("kmh", self.kmh.is_some()),
            ("factor", self.factor.is_some()),
            ("class", self.class.is_some()),
            ("line", self.line.is_some()),
            ("join_m", self.join_m.is_some()),
            ("zones", self.zones.is_some()),
        ]
        .into_iter()
        .filter(|(_, given)| *given)
        .map(|(k, _)| k)
        .collect()
    }
}

// ---------------------------------------------------------------- kinds

/// The `kind` of a modification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    AddFacility,
    RemoveFacilities,
    Capacity,
    CloseRoads,
    RoadSpeed,
    UpgradeRoads,
    AddRoad,
    Season,
    Population,
}

impl Kind {
    const ALL: [Kind; 9] = [
        Kind::AddFacility,
        Kind::RemoveFacilities,
        Kind::Capacity,
        Kind::CloseRoads,
        Kind::RoadSpeed,
        Kind::UpgradeRoads,
        Kind::AddRoad,
        Kind::Season,
        Kind::Population,
    ];

    fn name(self) -> &'static str {
        match self {
            Kind::AddFacility => "add_facility",
            Kind::RemoveFacilities => "remove_facilities",
            Kind::Capacity => "capacity",
            Kind::CloseRoads => "close_roads",
            Kind::RoadSpeed => "road_speed",
            Kind::UpgradeRoads => "upgrade_roads",
            Kind::AddRoad => "add_road",
            Kind::Season => "season",
            Kind::Population => "population",
        }
    }

    /// Keys this kind accepts besides `kind`.
    fn keys(self) -> &'static [&'static str] {
        match self {
            Kind::AddFacility => &["service", "id", "name", "lon", "lat", "capacity"],
            Kind::RemoveFacilities => &["ids", "service", "polygon"],
            Kind::Capacity => &["ids", "service", "polygon", "set", "scale"],
            Kind::CloseRoads => &["ids", "polygon", "crossing", "classes"],
            Kind::RoadSpeed => &[
                "ids", "polygon", "crossing", "classes", "profile", "kmh", "factor",
            ],
            Kind::UpgradeRoads => &["ids", "polygon", "crossing", "classes", "class"],
            Kind::AddRoad => &["id", "class", "line", "join_m"],
            Kind::Season => &["name"],
            Kind::Population => &["zones", "set", "scale"],
        }
    }

    fn is_road(self) -> bool {
        matches!(
            self,
            Kind::CloseRoads | Kind::RoadSpeed | Kind::UpgradeRoads | Kind::AddRoad
        )
    }
}

fn kind_list(road_only: bool) -> String {
    Kind::ALL
        .iter()
        .filter(|k| !road_only || k.is_road())
        .map(|k| k.name())
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------- validation

/// Where an error is: file, scenario and modification.
struct Cx<'a> {
    path: &'a Path,
    scenario: String,
    index: Option<usize>,
}

impl<'a> Cx<'a> {
    fn new(path: &'a Path, scenario: String) -> Self {
        Cx {
            path,
            scenario,
            index: None,
        }
    }

    /// The same scenario, at modification `i` (0-based).
    fn at(&self, i: usize) -> Cx<'a> {
        Cx {
            path: self.path,
            scenario: self.scenario.clone(),
            index: Some(i),
        }
    }

    fn err(&self, field: &str, message: String) -> ScenarioError {
        ScenarioError::Invalid {
            path: self.path.to_path_buf(),
            scenario: self.scenario.clone(),
            index: self.index,
            field: field.to_string(),
            message,
        }
    }
}

type Result<T> = std::result::Result<T, ScenarioError>;

/// Why `name` cannot be a scenario or season name.
fn name_problem(name: &str) -> std::result::Result<(), String> {
    if name.is_empty() || name.chars().count() > MAX_NAME_LEN {
        return Err(format!(
            "`{name}`: a name has 1 to {MAX_NAME_LEN} characters"
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(format!(
            "`{name}`: names become folder names: use ASCII letters, digits, `_` and `-` only"
        ));
    }
    Ok(())
}

/// The kind of `m`, after checking that every key given belongs to it.
fn kind_of(m: &RawModification, cx: &Cx) -> Result<Kind> {
    let Some(written) = &m.kind else {
        return Err(cx.err("kind", format!("missing: give one of {}", kind_list(false))));
    };
    let Some(kind) = Kind::ALL.into_iter().find(|k| k.name() == written) else {
        return Err(cx.err(
            "kind",
            format!(
                "unknown kind `{written}` (valid kinds: {})",
                kind_list(false)
            ),
        ));
    };
    if let Some(key) = m.present().into_iter().find(|k| !kind.keys().contains(k)) {
        return Err(cx.err(
            key,
            format!(
                "`{key}` does not apply to `{}` (its keys: {})",
                kind.name(),
                kind.keys().join(", ")
            ),
        ));
    }
    Ok(kind)
}

/// A modification of a scenario.
fn modification(
    m: &RawModification,
    cx: &Cx,
    known: &Known,
    seasons: &BTreeSet<&str>,
) -> Result<Modification> {
    let kind = kind_of(m, cx)?;
    Ok(match kind {
        Kind::AddFacility => {
            let service = known_name(cx, "service", m.service.as_deref(), kind, &known.services)?;
            let id = required_text(cx, "id", m.id.as_deref(), kind)?;
            let lon = m.lon.ok_or_else(|| cx.err("lon", missing_for(kind)))?;
            let lat = m.lat.ok_or_else(|| cx.err("lat", missing_for(kind)))?;
            lon_problem(lon).map_err(|e| cx.err("lon", e))?;
            lat_problem(lat).map_err(|e| cx.err("lat", e))?;
            let capacity = match m.capacity {
                Some(c) => number(cx, "capacity", c, true)?,
                None => 1.0,
            };
            Modification::AddFacility(NewFacility {
                id,
                name: m.name.clone().unwrap_or_default(),
                service,
                pos: LonLat::new(lon, lat),
                capacity,
            })
        }
        Kind::RemoveFacilities => Modification::RemoveFacilities(facility_selection(m, cx, known)?),
        Kind::Capacity => Modification::Capacity {
            select: facility_selection(m, cx, known)?,
            change: change(cx, ("set", m.set), ("scale", m.scale), false)?,
        },
        Kind::CloseRoads | Kind::RoadSpeed | Kind::UpgradeRoads | Kind::AddRoad => {
            Modification::Road(road_edit(kind, m, cx, known)?)
        }
        Kind::Season => {
            let name = required_text(cx, "name", m.name.as_deref(), kind)?;
            if !seasons.contains(name.as_str()) {
                return Err(cx.err(
                    "name",
                    format!(
                        "unknown season `{name}` (known: {}): define it in a [season.{name}] table",
                        list_or_none(seasons.iter().copied())
                    ),
                ));
            }
            Modification::Season(name)
        }
        Kind::Population => {
            let zones = match &m.zones {
                Some(z) => text_list(cx, "zones", z)?,
                None => Vec::new(),
            };
            Modification::Population {
                zones,
                change: change(cx, ("set", m.set), ("scale", m.scale), false)?,
            }
        }
    })
}

/// A modification of a season table: road edits only.
fn season_edit(m: &RawModification, cx: &Cx, known: &Known) -> Result<RoadEdit> {
    let kind = kind_of(m, cx)?;
    road_edit(kind, m, cx, known)
}

fn road_edit(kind: Kind, m: &RawModification, cx: &Cx, known: &Known) -> Result<RoadEdit> {
    Ok(match kind {
        Kind::CloseRoads => RoadEdit::Close(road_selection(m, cx, "close every road")?),
        Kind::RoadSpeed => {
            let select = road_selection(m, cx, "change the speed on every road")?;
            let profile = match &m.profile {
                Some(p) => Some(check_known(cx, "profile", p.clone(), &known.profiles)?),
                None => None,
            };
            RoadEdit::Speed {
                select,
                profile,
                change: change(cx, ("kmh", m.kmh), ("factor", m.factor), true)?,
            }
        }
        Kind::UpgradeRoads => RoadEdit::Upgrade {
            select: road_selection(m, cx, "upgrade every road")?,
            class: required_text(cx, "class", m.class.as_deref(), kind)?,
        },
        Kind::AddRoad => {
            let id = required_text(cx, "id", m.id.as_deref(), kind)?;
            let class = required_text(cx, "class", m.class.as_deref(), kind)?;
            let written = m
                .line
                .as_ref()
                .ok_or_else(|| cx.err("line", missing_for(kind)))?;
            let line = line(cx, "line", written)?;
            let join_m = match m.join_m {
                Some(j) => number(cx, "join_m", j, false)?,
                None => DEFAULT_JOIN_M,
            };
            RoadEdit::Add(NewRoad {
                id,
                class,
                line,
                join_m,
            })
        }
        other => {
            return Err(cx.err(
                "kind",
                format!(
                    "`{}` cannot be part of a season: a season holds road edits only ({})",
                    other.name(),
                    kind_list(true)
                ),
            ))
        }
    })
}

/// `ids`, `service`, `polygon`: at least one.
fn facility_selection(m: &RawModification, cx: &Cx, known: &Known) -> Result<FacilitySelection> {
    let ids = match &m.ids {
        Some(ids) => nonempty_text_list(cx, "ids", ids)?,
        None => Vec::new(),
    };
    let service = match &m.service {
        Some(s) => Some(check_known(cx, "service", s.clone(), &known.services)?),
        None => None,
    };
    let within = match &m.polygon {
        Some(p) => Some(polygon(cx, "polygon", p)?),
        None => None,
    };
    if ids.is_empty() && service.is_none() && within.is_none() {
        return Err(cx.err(
            "ids/service/polygon",
            "select facilities with at least one of `ids`, `service`, `polygon`".into(),
        ));
    }
    Ok(FacilitySelection {
        ids,
        service,
        within,
    })
}

/// `ids`, `polygon`, `crossing` (at least one), narrowed by `classes`;
/// `what` says what `classes` alone would do.
fn road_selection(m: &RawModification, cx: &Cx, what: &str) -> Result<RoadSelection> {
    let ids = match &m.ids {
        Some(ids) => nonempty_text_list(cx, "ids", ids)?,
        None => Vec::new(),
    };
    let within = match &m.polygon {
        Some(p) => Some(polygon(cx, "polygon", p)?),
        None => None,
    };
    let crossing = match &m.crossing {
        Some(l) => Some(LineString::from(
            line(cx, "crossing", l)?
                .into_iter()
                .map(|p| Coord { x: p.lon, y: p.lat })
                .collect::<Vec<_>>(),
        )),
        None => None,
    };
    let classes = match &m.classes {
        Some(c) => nonempty_text_list(cx, "classes", c)?,
        None => Vec::new(),
    };
    if ids.is_empty() && within.is_none() && crossing.is_none() {
        return Err(if classes.is_empty() {
            cx.err(
                "ids/polygon/crossing",
                "select roads with at least one of `ids`, `polygon`, `crossing`".into(),
            )
        } else {
            cx.err(
                "classes",
                format!(
                    "`classes` alone would {what} of class {} everywhere: narrow it with `ids`, `polygon` or `crossing`",
                    classes.join(", ")
                ),
            )
        });
    }
    Ok(RoadSelection {
        ids,
        within,
        crossing,
        classes,
    })
}

/// Exactly one of two keys: the first gives `Change::Set`, the second
/// `Change::Scale`; values finite and ≥ 0 (> 0 when `strict`).
fn change(
    cx: &Cx,
    (set_key, set): (&str, Option<f64>),
    (scale_key, scale): (&str, Option<f64>),
    strict: bool,
) -> Result<Change> {
    match (set, scale) {
        (Some(v), None) => Ok(Change::Set(number(cx, set_key, v, strict)?)),
        (None, Some(v)) => Ok(Change::Scale(number(cx, scale_key, v, strict)?)),
        (Some(_), Some(_)) => Err(cx.err(
            &format!("{set_key}/{scale_key}"),
            format!("give `{set_key}` or `{scale_key}`, not both"),
        )),
        (None, None) => Err(cx.err(
            &format!("{set_key}/{scale_key}"),
            format!("missing: give one of `{set_key}` or `{scale_key}`"),
        )),
    }
}

/// A finite number ≥ 0 (> 0 when `strict`).
fn number(cx: &Cx, field: &str, v: f64, strict: bool) -> Result<f64> {
    let ok = v.is_finite() && if strict { v > 0.0 } else { v >= 0.0 };
    if ok {
        Ok(v)
    } else {
        let op = if strict { ">" } else { "≥" };
        Err(cx.err(field, format!("must be a finite number {op} 0, got {v}")))
    }
}

fn missing_for(kind: Kind) -> String {
    format!("missing: `{}` requires it", kind.name())
}

/// A required, non-blank string.
fn required_text(cx: &Cx, field: &str, v: Option<&str>, kind: Kind) -> Result<String> {
    match v {
        None => Err(cx.err(field, missing_for(kind))),
        Some(s) if s.trim().is_empty() => Err(cx.err(field, "must not be empty".into())),
        Some(s) => Ok(s.to_string()),
    }
}

/// A required name from `known`.
fn known_name(
    cx: &Cx,
    field: &str,
    v: Option<&str>,
    kind: Kind,
    known: &[String],
) -> Result<String> {
    let v = required_text(cx, field, v, kind)?;
    check_known(cx, field, v, known)
}

/// `v` when it is one of `known`.
fn check_known(cx: &Cx, field: &str, v: String, known: &[String]) -> Result<String> {
    if known.contains(&v) {
        Ok(v)
    } else {
        Err(cx.err(
            field,
            format!(
                "unknown {field} `{v}` (known: {})",
                list_or_none(known.iter().map(String::as_str))
            ),
        ))
    }
}

fn list_or_none<'s>(names: impl Iterator<Item = &'s str>) -> String {
    let v: Vec<&str> = names.collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

/// Non-blank strings.
fn text_list(cx: &Cx, field: &str, v: &[String]) -> Result<Vec<String>> {
    if let Some(k) = v.iter().position(|s| s.trim().is_empty()) {
        return Err(cx.err(field, format!("entry {} is empty", k + 1)));
    }
    Ok(v.to_vec())
}

/// Non-blank strings, at least one: an empty list would silently widen the
/// selection to everything the other keys pick.
fn nonempty_text_list(cx: &Cx, field: &str, v: &[String]) -> Result<Vec<String>> {
    if v.is_empty() {
        return Err(cx.err(
            field,
            format!("is empty: list at least one entry or remove `{field}`"),
        ));
    }
    text_list(cx, field, v)
}

fn lon_problem(lon: f64) -> std::result::Result<(), String> {
    if lon.is_finite() && (-180.0..=180.0).contains(&lon) {
        Ok(())
    } else {
        Err(format!(
            "must be a finite longitude in [-180, 180], got {lon}"
        ))
    }
}

fn lat_problem(lat: f64) -> std::result::Result<(), String> {
    if lat.is_finite() && (-90.0..=90.0).contains(&lat) {
        Ok(())
    } else {
        Err(format!("must be a finite latitude in [-90, 90], got {lat}"))
    }
}

/// Valid `[lon, lat]` points.
fn points(cx: &Cx, field: &str, written: &[Vec<f64>]) -> Result<Vec<LonLat>> {
    written
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let at = |m: String| cx.err(field, format!("point {}: {m}", k + 1));
            let &[lon, lat] = p.as_slice() else {
                return Err(at(format!("must be [lon, lat], got {} number(s)", p.len())));
            };
            lon_problem(lon).map_err(at)?;
            lat_problem(lat).map_err(at)?;
            Ok(LonLat::new(lon, lat))
        })
        .collect()
}

/// A line: at least two valid points, no point repeated twice in a row.
fn line(cx: &Cx, field: &str, written: &[Vec<f64>]) -> Result<Vec<LonLat>> {
    let pts = points(cx, field, written)?;
    if pts.len() < 2 {
        return Err(cx.err(
            field,
            format!("a line needs at least 2 points, got {}", pts.len()),
        ));
    }
    if let Some(k) = pts.windows(2).position(|w| w[0] == w[1]) {
        return Err(cx.err(
            field,
            format!(
                "points {} and {} are the same: remove the repeated point",
                k + 1,
                k + 2
            ),
        ));
    }
    Ok(pts)
}

/// A simple polygon of non-zero area: at least three distinct valid points,
/// closed when not closed already.
fn polygon(cx: &Cx, field: &str, written: &[Vec<f64>]) -> Result<Polygon<f64>> {
    let pts = points(cx, field, written)?;
    let mut distinct: Vec<(u64, u64)> = pts
        .iter()
        // `+ 0.0` maps -0.0 to 0.0, so both count as one point.
        .map(|p| ((p.lon + 0.0).to_bits(), (p.lat + 0.0).to_bits()))
        .collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 3 {
        return Err(cx.err(
            field,
            format!(
                "a polygon needs at least 3 distinct points, got {}",
                distinct.len()
            ),
        ));
    }
    // `Polygon::new` closes the ring when its last point is not its first.
    let ring: Vec<Coord<f64>> = pts.iter().map(|p| Coord { x: p.lon, y: p.lat }).collect();
    let poly = Polygon::new(LineString::from(ring), vec![]);
    if let Some(problem) = polygon_problem(&MultiPolygon(vec![poly.clone()])) {
        return Err(cx.err(
            field,
            format!(
                "must be a simple polygon (one that does not cross or touch itself): {problem}"
            ),
        ));
    }
    let area = poly.unsigned_area();
    if area.is_nan() || area <= 0.0 {
        return Err(cx.err(field, "has zero area".into()));
    }
    Ok(poly)
}

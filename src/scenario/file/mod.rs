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

//!
//! Modules: `raw` mirrors the file and names the kinds of modification,
//! `build` turns one raw modification into the typed model, `fields`
//! checks single values (numbers, names, coordinates, lines, polygons).

mod build;
mod fields;
mod raw;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use thiserror::Error;

use super::model::{Scenario, ScenarioSet};
use build::{modification, season_edit};
use fields::name_problem;
use raw::RawFile;

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
    /// The file could not be read (missing, not a regular file, not UTF-8).
    #[error("scenario file: {0}")]
    File(#[from] crate::files::FileError),
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
    let text = crate::files::read_text(path)?;
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
        message: crate::config::toml_message(&e),
    })?;
    validate(raw, text, path, known)
}

/// [`parse_scenarios`] for the same tables written as JSON (the form a
/// program builds: `{"scenario": [{"name": …, "modification": [...]}]}`).
pub fn parse_scenarios_json(
    text: &str,
    path: &Path,
    known: &Known,
) -> std::result::Result<ScenarioSet, ScenarioError> {
    let raw: RawFile = serde_json::from_str(text).map_err(|e| ScenarioError::Parse {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    validate(raw, text, path, known)
}

/// Validates parsed scenario tables; `text` is what they were parsed from
/// (its SHA-256 goes into the result).
fn validate(
    raw: RawFile,
    text: &str,
    path: &Path,
    known: &Known,
) -> std::result::Result<ScenarioSet, ScenarioError> {
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

/// Where an error is: file, scenario and modification.
pub(super) struct Cx<'a> {
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

pub(super) type Result<T> = std::result::Result<T, ScenarioError>;

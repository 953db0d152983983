//! Typed scenario modifications: what a scenario file says, validated.
//!
//! A [`Scenario`] is an ordered list of [`Modification`]s applied to a view
//! of the baseline; the baseline itself is never changed. Positions are WGS 84
//! degrees; selections by polygon use the polygon's interior (boundary
//! included).

use std::collections::BTreeMap;
use std::path::PathBuf;

use geo_types::{LineString, Polygon};

use crate::model::LonLat;

/// Every scenario of one file, with the seasons it defines.
#[derive(Debug, Clone)]
pub struct ScenarioSet {
    /// The scenario file.
    pub path: PathBuf,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    /// Named seasons: sets of road edits (from `[season.NAME]` tables, and
    /// from OSM passability tags, see `load::osm`).
    pub seasons: BTreeMap<String, Vec<RoadEdit>>,
    /// Scenarios in file order; names are unique.
    pub scenarios: Vec<Scenario>,
}

/// One named scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Name, unique in its file; used as the output folder name (letters,
    /// digits, `_` and `-` only).
    pub name: String,
    /// Free text for the summary and `run.json`.
    pub description: String,
    /// Modifications, applied in order.
    pub modifications: Vec<Modification>,
}

/// One typed modification.
#[derive(Debug, Clone)]
pub enum Modification {
    /// Adds a facility (appended after the existing ones of its category).
    AddFacility(NewFacility),
    /// Removes every facility the selection picks.
    RemoveFacilities(FacilitySelection),
    /// Changes the capacity of every facility the selection picks.
    Capacity {
        /// Which facilities.
        select: FacilitySelection,
        /// Set or scale.
        change: Change,
    },
    /// A road edit.
    Road(RoadEdit),
    /// Applies every road edit of a named season, in order.
    Season(String),
    /// Scales or replaces the population of zones.
    Population {
        /// Zone ids (all zones when empty).
        zones: Vec<String>,
        /// `Scale`: every settlement of the zone × factor; `Set`: the zone's
        /// total becomes the value, shared in proportion to the current
        /// populations (equally when they are all zero).
        change: Change,
    },
}

/// A facility added by a scenario.
#[derive(Debug, Clone)]
pub struct NewFacility {
    /// Id (must not clash with an existing facility id of the same category).
    pub id: String,
    /// Name, possibly empty.
    pub name: String,
    /// The *service* it serves (a configured service name); the facility
    /// gets that service's category.
    pub service: String,
    /// Position.
    pub pos: LonLat,
    /// Capacity (positive, finite; 1 when not given).
    pub capacity: f64,
}

/// Which facilities a modification touches. Criteria combine with AND;
/// at least one is given.
#[derive(Debug, Clone, Default)]
pub struct FacilitySelection {
    /// Facility ids (any of them).
    pub ids: Vec<String>,
    /// Only facilities of this service's category.
    pub service: Option<String>,
    /// Only facilities inside this polygon.
    pub within: Option<Polygon<f64>>,
}

/// Set a value, or multiply it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Change {
    /// New value (finite, ≥ 0).
    Set(f64),
    /// Factor (finite, ≥ 0).
    Scale(f64),
}

/// Which road segments an edit touches. Criteria combine with AND; at least
/// one of `ids`, `within`, `crossing` is given (`classes` narrows them).
#[derive(Debug, Clone, Default)]
pub struct RoadSelection {
    /// Road ids as loaded (`osm:way/123`; a split way's parts `osm:way/123#k`
    /// are matched by `osm:way/123` too).
    pub ids: Vec<String>,
    /// Only segments with both ends inside this polygon.
    pub within: Option<Polygon<f64>>,
    /// Only segments that cross this line (a river, a wadi).
    pub crossing: Option<LineString<f64>>,
    /// Only roads of these classes (`track`, `unclassified`…).
    pub classes: Vec<String>,
}

/// A road edit: a selection and what happens to it, or a new road.
#[derive(Debug, Clone)]
pub enum RoadEdit {
    /// The selected segments become unusable for every profile.
    Close(RoadSelection),
    /// The selected segments' speed changes.
    Speed {
        /// Which segments.
        select: RoadSelection,
        /// Only this profile (all profiles when `None`).
        profile: Option<String>,
        /// `Set`: km/h; `Scale`: a factor on the profile's speed.
        change: Change,
    },
    /// The selected segments take another class (paving a track: `track` →
    /// `tertiary`); speeds and access follow the profiles' tables.
    Upgrade {
        /// Which segments.
        select: RoadSelection,
        /// The new class.
        class: String,
    },
    /// A new road.
    Add(NewRoad),
}

/// A road added by a scenario.
#[derive(Debug, Clone)]
pub struct NewRoad {
    /// Id.
    pub id: String,
    /// Class.
    pub class: String,
    /// Vertices (at least two).
    pub line: Vec<LonLat>,
    /// A vertex within this distance of an existing network node joins it
    /// (metres, finite, ≥ 0).
    pub join_m: f64,
}

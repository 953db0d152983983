//! Scenarios: typed modifications of the baseline, applied to a view of the
//! prepared network, with results compared against the baseline.
//!
//! * [`model`] — the typed modifications; [`file`](mod@file) reads them from TOML;
//!   [`seasons`] derives named seasons from OSM passability tags;
//! * [`apply`] — a scenario applied to the prepared [`crate::pipeline::Study`]:
//!   facilities, populations and an edited network (copy on write);
//! * [`incremental`] — exact incremental search updates;
//! * [`run`] — a scenario's results: reused, incremental or full per
//!   service, with the from-scratch oracle.

pub mod apply;
pub mod file;
pub mod incremental;
pub mod model;
pub mod run;
pub mod seasons;

pub use file::{parse_scenarios, parse_scenarios_json, read_scenarios, Known, ScenarioError};
pub use model::{
    Change, FacilitySelection, Modification, NewFacility, NewRoad, RoadEdit, RoadSelection,
    Scenario, ScenarioSet,
};
pub use seasons::seasons_from_osm;

/// The scenario set of a study: the scenarios of a file's text (with the
/// path naming it; TOML, or JSON of the same tables when the path ends in
/// `.json`), or none, plus the seasons the OSM passability tags of `roads`
/// define (a file's own season of the same name wins).
pub fn scenario_set(
    settings: &crate::config::Settings,
    roads: &[crate::model::Road],
    file: Option<(&str, &std::path::Path)>,
) -> Result<ScenarioSet, ScenarioError> {
    let osm_seasons = seasons_from_osm(roads);
    let known = Known {
        services: settings.services.iter().map(|s| s.name.clone()).collect(),
        profiles: settings.profiles.keys().cloned().collect(),
        seasons: osm_seasons.keys().cloned().collect(),
    };
    let mut set = match file {
        Some((text, path)) if path.extension().is_some_and(|e| e == "json") => {
            parse_scenarios_json(text, path, &known)?
        }
        Some((text, path)) => parse_scenarios(text, path, &known)?,
        None => ScenarioSet {
            path: std::path::PathBuf::from("(OSM passability tags)"),
            sha256: String::new(),
            seasons: Default::default(),
            scenarios: Vec::new(),
        },
    };
    for (name, edits) in osm_seasons {
        set.seasons.entry(name).or_insert(edits);
    }
    Ok(set)
}

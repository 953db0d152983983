//! Scenarios: typed modifications of the baseline, applied to a view of the
//! prepared network, with results compared against the baseline.
//!
//! * [`model`] — the typed modifications; [`file`] reads them from TOML;
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

pub use file::{parse_scenarios, read_scenarios, Known, ScenarioError};
pub use model::{
    Change, FacilitySelection, Modification, NewFacility, NewRoad, RoadEdit, RoadSelection,
    Scenario, ScenarioSet,
};
pub use seasons::seasons_from_osm;

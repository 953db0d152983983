//! Scenarios: typed modifications of the baseline, applied to a view of the
//! prepared network, with results compared against the baseline.

pub mod file;
pub mod model;

pub use file::{parse_scenarios, read_scenarios, Known, ScenarioError};
pub use model::{
    Change, FacilitySelection, Modification, NewFacility, NewRoad, RoadEdit, RoadSelection,
    Scenario, ScenarioSet,
};
pub mod apply;
pub mod incremental;
pub mod run;

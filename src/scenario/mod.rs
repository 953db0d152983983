//! Scenarios: typed modifications of the baseline, applied to a view of the
//! prepared network, with results compared against the baseline.

pub mod model;
pub mod seasons;

pub use model::{
    Change, FacilitySelection, Modification, NewFacility, NewRoad, RoadEdit, RoadSelection,
    Scenario, ScenarioSet,
};
pub use seasons::seasons_from_osm;

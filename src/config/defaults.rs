//! Default tables: speeds by road class, the OSM facility tag table, place
//! values, allocation weights and services. Every value here is written into
//! `run.json` with the settings of a run.

use std::collections::BTreeMap;

use super::kinds::GravityTransform;
use super::raw::RawService;

/// Default drive speeds (km/h) by `highway` class: typical rural speeds, lower
/// than posted limits to reflect mountain and desert roads.
pub const DRIVE_SPEEDS_KMH: &[(&str, f64)] = &[
    ("motorway", 100.0),
    ("motorway_link", 60.0),
    ("trunk", 80.0),
    ("trunk_link", 50.0),
    ("primary", 70.0),
    ("primary_link", 50.0),
    ("secondary", 60.0),
    ("secondary_link", 40.0),
    ("tertiary", 50.0),
    ("tertiary_link", 35.0),
    ("unclassified", 40.0),
    ("residential", 30.0),
    ("living_street", 10.0),
    ("service", 20.0),
    ("road", 30.0),
    ("track", 15.0),
];

/// Default walking speeds (km/h): 5 on paved ways, slower on tracks, paths and
/// steps; motorways are not walkable.
pub const WALK_SPEEDS_KMH: &[(&str, f64)] = &[
    ("trunk", 5.0),
    ("trunk_link", 5.0),
    ("primary", 5.0),
    ("primary_link", 5.0),
    ("secondary", 5.0),
    ("secondary_link", 5.0),
    ("tertiary", 5.0),
    ("tertiary_link", 5.0),
    ("unclassified", 5.0),
    ("residential", 5.0),
    ("living_street", 5.0),
    ("service", 5.0),
    ("road", 5.0),
    ("pedestrian", 5.0),
    ("footway", 5.0),
    ("cycleway", 5.0),
    ("track", 4.5),
    ("bridleway", 4.0),
    ("path", 4.0),
    ("steps", 2.0),
];

/// Default OSM facility tags → category.
pub const FACILITY_TAGS: &[(&str, &str)] = &[
    ("amenity=hospital", "health"),
    ("amenity=clinic", "health"),
    ("amenity=doctors", "health"),
    ("amenity=health_post", "health"),
    ("healthcare=*", "health"),
    ("amenity=school", "school"),
    ("amenity=kindergarten", "school"),
    ("amenity=college", "school"),
    ("amenity=drinking_water", "water"),
    ("amenity=water_point", "water"),
    ("man_made=water_well", "water"),
    ("man_made=water_tower", "water"),
    ("man_made=water_tap", "water"),
    ("man_made=water_works", "water"),
    ("power=substation", "power"),
    ("power=plant", "power"),
    ("power=generator", "power"),
    ("power=transformer", "power"),
    ("power=line", "power"),
    ("power=minor_line", "power"),
];

/// Default `place=*` values read as settlements: populated places only.
/// `locality` (a named place with no population, by OSM's definition) and the
/// parts of towns (`suburb`, `neighbourhood`, `quarter`) are left out; add
/// them with `osm.place_values`.
pub const PLACE_VALUES: &[&str] = &[
    "city",
    "town",
    "village",
    "hamlet",
    "isolated_dwelling",
    "farm",
];

/// Default `access=*` values of ways that places may not join (snap to):
/// a settlement or facility beside a private driveway joins the public
/// street instead. The ways stay in the network.
pub const SNAP_EXCLUDE_ACCESS: &[&str] = &["no", "private"];

/// Below this many settlements from an extract (and no settlement layer),
/// the load warns that the `place=*` nodes are too few for a useful
/// analysis (a city extract has one `place=city` node) and names the
/// alternatives.
pub const FEW_SETTLEMENTS: usize = 10;

/// Default population allocation weights by place class: a town is counted as
/// ten hamlets, a village as three (rough household-count ratios); classes not
/// listed weigh 1.
pub const CLASS_WEIGHTS: &[(&str, f64)] = &[
    ("city", 30.0),
    ("town", 10.0),
    ("village", 3.0),
    ("hamlet", 1.0),
    ("isolated_dwelling", 0.2),
    ("farm", 0.2),
];

/// Default services: water on foot (15 min one way, half the JMP 30-minute
/// round trip), school on foot (60 min), health by road (60 min), power as the
/// straight-line distance to the grid or a supply point (5 km).
pub(super) fn default_services() -> Vec<(&'static str, RawService)> {
    let svc = |p: &str, min: Option<f64>, m: Option<f64>, straight: bool| RawService {
        code: None,
        category: None,
        profile: Some(p.to_string()),
        threshold_min: min,
        threshold_m: m,
        straight_line: Some(straight),
        catchment: None,
        enabled: None,
    };
    vec![
        ("health", svc("drive", Some(60.0), None, false)),
        ("power", svc("walk", None, Some(5000.0), true)),
        ("school", svc("walk", Some(60.0), None, false)),
        ("water", svc("walk", Some(15.0), None, false)),
    ]
}

/// Field-name codes of the usual services; any other service's code is its
/// name cut to 4 characters unless the config gives one.
pub const SERVICE_CODES: &[(&str, &str)] = &[
    ("health", "hlth"),
    ("school", "schl"),
    ("water", "watr"),
    ("power", "powr"),
];

pub(super) fn map_of(table: &[(&str, f64)]) -> BTreeMap<String, f64> {
    table.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

/// Floating catchment methods computed for every service with trips
/// (a `straight_line` service gets none unless configured).
pub const CATCHMENT_METHODS: &[&str] = &["e2sfca"];

/// 2SFCA and G2SFCA catchment, minutes.
pub const CATCHMENT_CUTOFF_MIN: f64 = 30.0;

/// E2SFCA zones (upper bound in minutes, weight): Luo & Qi (2009)'s
/// 10/20/30-minute zones with weights 1.00/0.68/0.22, as PySAL `access`.
pub const E2SFCA_STEPS: &[(f64, f64)] = &[(10.0, 1.0), (20.0, 0.68), (30.0, 0.22)];

/// 3SFCA zones (upper bound in minutes, weight): PySAL `access`'s default,
/// the Gaussian-derived weights of Wan, Zou & Sternberg (2012).
pub const THREE_STEP_STEPS: &[(f64, f64)] =
    &[(10.0, 0.962), (20.0, 0.704), (30.0, 0.377), (60.0, 0.042)];

/// G2SFCA power decay `w = (max(t, floor) / scale)^-power`: inverse time,
/// minutes, with trips under a minute counted as one.
pub const G2SFCA_POWER: f64 = 1.0;
/// See [`G2SFCA_POWER`].
pub const G2SFCA_SCALE_MIN: f64 = 1.0;
/// See [`G2SFCA_POWER`].
pub const G2SFCA_FLOOR_MIN: f64 = 1.0;
/// G2SFCA decay: `power` (or `gaussian`).
pub const G2SFCA_DECAY: &str = "power";
/// G2SFCA Gaussian decay width, minutes (when `decay = "gaussian"`).
pub const G2SFCA_SIGMA_MIN: f64 = 15.0;

/// Coverage thresholds, minutes.
pub const COVERAGE_MIN: &[f64] = &[15.0, 30.0, 60.0, 120.0];

/// Gravity remoteness: centres are settlements of at least 1 000 people
/// (Statistics Canada's population-centre size), reached by car within two
/// hours (a day's return trip); a trip shorter than 5 minutes (a centre's
/// own residents) counts as 5.
pub const GRAVITY_CENTRE_MIN_POP: f64 = 1000.0;
/// See [`GRAVITY_CENTRE_MIN_POP`].
pub const GRAVITY_CUTOFF_MIN: f64 = 120.0;
/// See [`GRAVITY_CENTRE_MIN_POP`].
pub const GRAVITY_FLOOR_MIN: f64 = 5.0;
/// See [`GRAVITY_CENTRE_MIN_POP`].
pub const GRAVITY_PROFILE: &str = "drive";
/// The gravity sum spans orders of magnitude: the index rescales its
/// logarithm (`log`; or `linear`).
pub const GRAVITY_TRANSFORM: GravityTransform = GravityTransform::Log;

//! Run configuration: the TOML a user writes, and the validated [`Settings`] the
//! pipeline runs on.
//!
//! Two stages, as in ripgrep: [`RawConfig`] mirrors the file (every field
//! optional), and [`Settings::from_raw`] fills documented defaults, resolves
//! paths relative to the config file and rejects inconsistent values with an
//! error naming the key. Every default below is written into `run.json`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::units::{KmPerHour, Meters, Seconds};

/// A configuration error, naming the file and the key at fault.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The config file could not be read.
    #[error("cannot read config {path}: {source}")]
    Read {
        /// Config file.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The config file is not valid TOML or has unknown/mistyped keys.
    #[error("config {path}: {message}")]
    Parse {
        /// Config file.
        path: PathBuf,
        /// Parser message (names the key and line).
        message: String,
    },
    /// A value is out of range or inconsistent with another.
    #[error("config {path}: key `{key}`: {message}")]
    Invalid {
        /// Config file (or `<defaults>`).
        path: PathBuf,
        /// Dotted key.
        key: String,
        /// What is wrong.
        message: String,
    },
}

/// The file as written: every field optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// Input layers.
    #[serde(default)]
    pub inputs: RawInputs,
    /// Services to measure, by name.
    #[serde(default)]
    pub services: BTreeMap<String, RawService>,
    /// Profile overrides, by name (`walk`, `drive`, or new ones).
    #[serde(default)]
    pub profiles: BTreeMap<String, RawProfile>,
    /// Travel-model parameters.
    #[serde(default)]
    pub travel: RawTravel,
    /// Population allocation.
    #[serde(default)]
    pub population: RawPopulation,
    /// Zone aggregation and ranking.
    #[serde(default)]
    pub zones: RawZones,
    /// OpenStreetMap tag tables.
    #[serde(default)]
    pub osm: RawOsm,
}

/// `[inputs]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawInputs {
    /// One `.osm.pbf` giving roads, settlements and facilities.
    pub osm: Option<PathBuf>,
    /// Settlement layers.
    #[serde(default)]
    pub settlements: Vec<LayerSpec>,
    /// Road layers.
    #[serde(default)]
    pub roads: Vec<LayerSpec>,
    /// Facility layers.
    #[serde(default)]
    pub facilities: Vec<LayerSpec>,
    /// Zone polygon layer.
    pub zones: Option<LayerSpec>,
    /// Census table joined to zones.
    pub census: Option<CensusSpec>,
}

/// A GeoJSON or CSV layer and how to read its fields.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LayerSpec {
    /// File path (relative to the config file). Format from the extension:
    /// `.geojson`/`.json` or `.csv`.
    pub path: PathBuf,
    /// Identifier field; the feature index is used when absent.
    pub id_field: Option<String>,
    /// Name field.
    pub name_field: Option<String>,
    /// CSV longitude column (default `lon`, also tries `lng`, `longitude`, `x`).
    pub lon_field: Option<String>,
    /// CSV latitude column (default `lat`, also tries `latitude`, `y`).
    pub lat_field: Option<String>,
    /// Settlements and zones: population field.
    pub population_field: Option<String>,
    /// Settlements: place class field.
    pub place_field: Option<String>,
    /// Facilities: the whole layer is this category.
    pub category: Option<String>,
    /// Facilities: a field whose value is the category name.
    pub category_field: Option<String>,
    /// Facilities: fields holding an OSM key and value (e.g. `TAG`, `VALUE`),
    /// mapped through the OSM facility tag table.
    pub osm_key_field: Option<String>,
    /// See `osm_key_field`.
    pub osm_value_field: Option<String>,
    /// Roads: class field (default `highway`).
    pub class_field: Option<String>,
    /// Roads: oneway field (default `oneway`).
    pub oneway_field: Option<String>,
    /// Roads: maxspeed field (default `maxspeed`).
    pub maxspeed_field: Option<String>,
    /// Zones: key joined to the census table.
    pub key_field: Option<String>,
    /// Keep only features whose field value is one of the listed values.
    #[serde(default, rename = "where")]
    pub filter: BTreeMap<String, Vec<String>>,
}

/// `[inputs.census]`: a CSV of zone totals.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CensusSpec {
    /// CSV path.
    pub path: PathBuf,
    /// Column matching the zones' `key_field`.
    pub key_field: String,
    /// Column with the population total.
    pub population_field: String,
}

/// `[services.NAME]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawService {
    /// Facility category served (defaults to the service name).
    pub category: Option<String>,
    /// Travel profile (`walk`, `drive`, …).
    pub profile: Option<String>,
    /// Threshold in minutes (exclusive with `threshold_m`).
    pub threshold_min: Option<f64>,
    /// Threshold in metres (exclusive with `threshold_min`).
    pub threshold_m: Option<f64>,
}

/// `[profiles.NAME]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProfile {
    /// Speeds by road class in km/h; 0 forbids the class.
    #[serde(default)]
    pub speeds_kmh: BTreeMap<String, f64>,
    /// Speed off the road network (snap legs and direct trips).
    pub offroad_kmh: Option<f64>,
    /// Whether `oneway` is honoured.
    pub oneway: Option<bool>,
    /// Whether a tagged `maxspeed` replaces the class speed.
    pub use_maxspeed: Option<bool>,
    /// Speed assumed on straight-line trips when no road layer is given.
    pub no_road_kmh: Option<f64>,
}

/// `[travel]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTravel {
    /// Places farther than this from every road are `off_network`.
    pub max_snap_m: Option<f64>,
    /// Direct off-road trips cost straight line × this factor.
    pub circuity: Option<f64>,
    /// Longest direct off-road trip considered when a road network exists.
    pub max_direct_m: Option<f64>,
}

/// `[population]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPopulation {
    /// `fill` (default): settlements keep their own population and share the
    /// remainder of the zone total; `census`: the zone total is shared among
    /// all its settlements, overriding their own figures.
    pub mode: Option<String>,
    /// Allocation weights by place class.
    #[serde(default)]
    pub class_weights: BTreeMap<String, f64>,
    /// Weight for classes not in the table.
    pub default_weight: Option<f64>,
}

/// `[zones]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawZones {
    /// H3 resolution used when no zone layer is given.
    pub h3_resolution: Option<u8>,
    /// Share of zones (by rank) flagged as priority.
    pub priority_fraction: Option<f64>,
    /// A service enters a zone's reason when at least this share of its
    /// population is beyond the service threshold.
    pub reason_min_share: Option<f64>,
}

/// `[osm]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOsm {
    /// `"key=value"` (or `"key=*"`) → facility category; merged over the
    /// defaults. An empty category removes a default entry.
    #[serde(default)]
    pub facility_tags: BTreeMap<String, String>,
    /// `place=*` values read as settlements (replaces the default list).
    pub place_values: Option<Vec<String>>,
    /// Spacing of sample points along linear facilities (power lines).
    pub line_sample_m: Option<f64>,
}

/// A travel profile after defaults.
#[derive(Debug, Clone, Serialize)]
pub struct Profile {
    /// Name (`walk`, `drive`, …).
    pub name: String,
    /// Speeds by road class, km/h; classes absent here are not usable.
    pub speeds_kmh: BTreeMap<String, f64>,
    /// Off-road speed, km/h.
    pub offroad_kmh: f64,
    /// Whether `oneway` is honoured.
    pub oneway: bool,
    /// Whether tagged `maxspeed` replaces the class speed.
    pub use_maxspeed: bool,
    /// Average speed assumed when the run has no road layer at all: trips
    /// follow unmapped roads, straight line × circuity, at this speed.
    pub no_road_kmh: f64,
}

impl Profile {
    /// Speed on a road of `class` with an optional posted `maxspeed`;
    /// `None` when the class is not usable by this profile.
    pub fn speed(&self, class: &str, maxspeed: Option<KmPerHour>) -> Option<KmPerHour> {
        let base = *self.speeds_kmh.get(class)?;
        if base <= 0.0 {
            return None;
        }
        match maxspeed {
            Some(m) if self.use_maxspeed && m.0 > 0.0 => Some(m),
            _ => Some(KmPerHour(base)),
        }
    }

    /// Off-road speed.
    pub fn offroad(&self) -> KmPerHour {
        KmPerHour(self.offroad_kmh)
    }
}

/// What a service's threshold measures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "metric", content = "value")]
pub enum Threshold {
    /// Travel time.
    #[serde(rename = "time_min")]
    Time(Seconds),
    /// Travel distance along the chosen route.
    #[serde(rename = "dist_m")]
    Distance(Meters),
}

/// A service after defaults.
#[derive(Debug, Clone, Serialize)]
pub struct Service {
    /// Name used in output columns (`health_time_min`).
    pub name: String,
    /// Facility category that serves it.
    pub category: String,
    /// Profile name.
    pub profile: String,
    /// Threshold and the metric the composite uses.
    pub threshold: Threshold,
}

/// Travel-model parameters after defaults.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Travel {
    /// Maximum snap distance, metres.
    pub max_snap_m: f64,
    /// Circuity factor for direct off-road trips (dimensionless, ≥ 1).
    pub circuity: f64,
    /// Longest direct off-road trip when roads exist, metres.
    pub max_direct_m: f64,
}

/// Population allocation after defaults.
#[derive(Debug, Clone, Serialize)]
pub struct Allocation {
    /// How own populations and zone totals combine.
    pub mode: AllocationMode,
    /// Weight by place class.
    pub class_weights: BTreeMap<String, f64>,
    /// Weight for other classes.
    pub default_weight: f64,
}

/// How a zone's census total is combined with settlements' own populations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AllocationMode {
    /// Own populations are kept; the remainder is shared among the others.
    Fill,
    /// The census total is shared among all the zone's settlements.
    Census,
}

/// Zone settings after defaults.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ZoneSettings {
    /// H3 resolution (0–15) when no zone layer is given.
    pub h3_resolution: u8,
    /// Share of ranked zones flagged as priority, in (0, 1].
    pub priority_fraction: f64,
    /// Minimum share beyond threshold for a service to be named in a reason.
    pub reason_min_share: f64,
}

/// OSM tag tables after defaults.
#[derive(Debug, Clone, Serialize)]
pub struct OsmTags {
    /// `"key=value"` or `"key=*"` → category.
    pub facility_tags: BTreeMap<String, String>,
    /// `place=*` values read as settlements.
    pub place_values: Vec<String>,
    /// Sample spacing along linear facilities, metres.
    pub line_sample_m: f64,
}

/// Input locations after resolving paths.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Inputs {
    /// One `.osm.pbf`.
    pub osm: Option<PathBuf>,
    /// Settlement layers.
    pub settlements: Vec<LayerSpec>,
    /// Road layers.
    pub roads: Vec<LayerSpec>,
    /// Facility layers.
    pub facilities: Vec<LayerSpec>,
    /// Zone layer.
    pub zones: Option<LayerSpec>,
    /// Census table.
    pub census: Option<CensusSpec>,
}

/// Everything a run needs, validated.
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    /// Input locations.
    pub inputs: Inputs,
    /// Services in name order.
    pub services: Vec<Service>,
    /// Profiles by name.
    pub profiles: BTreeMap<String, Profile>,
    /// Travel model.
    pub travel: Travel,
    /// Population allocation.
    pub population: Allocation,
    /// Zone aggregation.
    pub zones: ZoneSettings,
    /// OSM tag tables.
    pub osm: OsmTags,
}

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
/// round trip), school on foot (60 min), health by road (60 min), power as
/// distance to the grid or a supply point (5 km).
fn default_services() -> Vec<(&'static str, RawService)> {
    let svc = |p: &str, min: Option<f64>, m: Option<f64>| RawService {
        category: None,
        profile: Some(p.to_string()),
        threshold_min: min,
        threshold_m: m,
    };
    vec![
        ("health", svc("drive", Some(60.0), None)),
        ("power", svc("walk", None, Some(5000.0))),
        ("school", svc("walk", Some(60.0), None)),
        ("water", svc("walk", Some(15.0), None)),
    ]
}

fn map_of(table: &[(&str, f64)]) -> BTreeMap<String, f64> {
    table.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

impl Settings {
    /// Reads and validates a config file; relative paths resolve against its folder.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let raw: RawConfig = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        Self::from_raw(raw, base, path)
    }

    /// Validates a parsed config. `base` resolves relative paths; `origin`
    /// names the file in errors.
    pub fn from_raw(raw: RawConfig, base: &Path, origin: &Path) -> Result<Self, ConfigError> {
        let invalid = |key: &str, message: String| ConfigError::Invalid {
            path: origin.to_path_buf(),
            key: key.to_string(),
            message,
        };
        let resolve = |p: &Path| -> PathBuf {
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                base.join(p)
            }
        };
        let layer = |mut l: LayerSpec| {
            l.path = resolve(&l.path);
            l
        };
        let inputs = Inputs {
            osm: raw.inputs.osm.as_deref().map(resolve),
            settlements: raw.inputs.settlements.into_iter().map(layer).collect(),
            roads: raw.inputs.roads.into_iter().map(layer).collect(),
            facilities: raw.inputs.facilities.into_iter().map(layer).collect(),
            zones: raw.inputs.zones.map(layer),
            census: raw.inputs.census.map(|mut c| {
                c.path = resolve(&c.path);
                c
            }),
        };
        if inputs.osm.is_none() && inputs.settlements.is_empty() {
            return Err(invalid(
                "inputs",
                "no settlements: give `inputs.osm` or at least one `[[inputs.settlements]]`".into(),
            ));
        }
        if inputs.census.is_some() && inputs.zones.is_none() {
            return Err(invalid(
                "inputs.census",
                "a census table needs `[inputs.zones]`".into(),
            ));
        }
        if let (Some(_), Some(z)) = (&inputs.census, &inputs.zones) {
            if z.key_field.is_none() {
                return Err(invalid(
                    "inputs.zones.key_field",
                    "needed to join the census table".into(),
                ));
            }
        }

        // Profiles: built-in walk and drive, then user overrides merged per key.
        let mut profiles = BTreeMap::new();
        profiles.insert(
            "walk".to_string(),
            Profile {
                name: "walk".into(),
                speeds_kmh: map_of(WALK_SPEEDS_KMH),
                offroad_kmh: 3.5,
                oneway: false,
                use_maxspeed: false,
                no_road_kmh: 4.5,
            },
        );
        profiles.insert(
            "drive".to_string(),
            Profile {
                name: "drive".into(),
                speeds_kmh: map_of(DRIVE_SPEEDS_KMH),
                offroad_kmh: 10.0,
                oneway: true,
                use_maxspeed: true,
                no_road_kmh: 40.0,
            },
        );
        for (name, rp) in raw.profiles {
            let p = profiles.entry(name.clone()).or_insert_with(|| Profile {
                name: name.clone(),
                speeds_kmh: BTreeMap::new(),
                offroad_kmh: 3.5,
                oneway: false,
                use_maxspeed: false,
                no_road_kmh: 4.5,
            });
            for (class, v) in rp.speeds_kmh {
                if !(v.is_finite() && v >= 0.0) {
                    return Err(invalid(
                        &format!("profiles.{name}.speeds_kmh.{class}"),
                        format!("speed must be ≥ 0 km/h, got {v}"),
                    ));
                }
                if v == 0.0 {
                    p.speeds_kmh.remove(&class);
                } else {
                    p.speeds_kmh.insert(class, v);
                }
            }
            if let Some(v) = rp.offroad_kmh {
                if !(v.is_finite() && v > 0.0) {
                    return Err(invalid(
                        &format!("profiles.{name}.offroad_kmh"),
                        format!("must be > 0, got {v}"),
                    ));
                }
                p.offroad_kmh = v;
            }
            if let Some(v) = rp.no_road_kmh {
                if !(v.is_finite() && v > 0.0) {
                    return Err(invalid(
                        &format!("profiles.{name}.no_road_kmh"),
                        format!("must be > 0, got {v}"),
                    ));
                }
                p.no_road_kmh = v;
            }
            if let Some(v) = rp.oneway {
                p.oneway = v;
            }
            if let Some(v) = rp.use_maxspeed {
                p.use_maxspeed = v;
            }
        }

        // Services: the user's table replaces the defaults when given.
        let raw_services: Vec<(String, RawService)> = if raw.services.is_empty() {
            default_services()
                .into_iter()
                .map(|(n, s)| (n.to_string(), s))
                .collect()
        } else {
            raw.services.into_iter().collect()
        };
        let mut services = Vec::new();
        for (name, rs) in raw_services {
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(invalid(
                    &format!("services.{name}"),
                    "service names are used in column names: use ASCII letters, digits, `_`".into(),
                ));
            }
            let profile = rs.profile.unwrap_or_else(|| "walk".into());
            if !profiles.contains_key(&profile) {
                return Err(invalid(
                    &format!("services.{name}.profile"),
                    format!(
                        "unknown profile `{profile}` (known: {})",
                        profiles.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
            let threshold = match (rs.threshold_min, rs.threshold_m) {
                (Some(t), None) if t.is_finite() && t > 0.0 => Threshold::Time(Seconds(t * 60.0)),
                (None, Some(d)) if d.is_finite() && d > 0.0 => Threshold::Distance(Meters(d)),
                (None, None) => Threshold::Time(Seconds(3600.0)),
                (Some(_), Some(_)) => {
                    return Err(invalid(
                        &format!("services.{name}"),
                        "give `threshold_min` or `threshold_m`, not both".into(),
                    ))
                }
                _ => {
                    return Err(invalid(
                        &format!("services.{name}"),
                        "threshold must be a positive number".into(),
                    ))
                }
            };
            services.push(Service {
                category: rs.category.unwrap_or_else(|| name.clone()),
                name,
                profile,
                threshold,
            });
        }

        let travel = Travel {
            max_snap_m: raw.travel.max_snap_m.unwrap_or(1000.0),
            circuity: raw.travel.circuity.unwrap_or(1.3),
            max_direct_m: raw.travel.max_direct_m.unwrap_or(20_000.0),
        };
        if !(travel.max_snap_m.is_finite() && travel.max_snap_m >= 0.0) {
            return Err(invalid("travel.max_snap_m", "must be ≥ 0".into()));
        }
        if !(travel.circuity.is_finite() && travel.circuity >= 1.0) {
            return Err(invalid("travel.circuity", "must be ≥ 1".into()));
        }
        if !(travel.max_direct_m.is_finite() && travel.max_direct_m >= 0.0) {
            return Err(invalid("travel.max_direct_m", "must be ≥ 0".into()));
        }

        let mut class_weights = map_of(CLASS_WEIGHTS);
        for (k, v) in raw.population.class_weights {
            if !(v.is_finite() && v >= 0.0) {
                return Err(invalid(
                    &format!("population.class_weights.{k}"),
                    "must be ≥ 0".into(),
                ));
            }
            class_weights.insert(k, v);
        }
        let mode = match raw.population.mode.as_deref() {
            None | Some("fill") => AllocationMode::Fill,
            Some("census") => AllocationMode::Census,
            Some(other) => {
                return Err(invalid(
                    "population.mode",
                    format!("`{other}`: expected `fill` or `census`"),
                ))
            }
        };
        let population = Allocation {
            mode,
            class_weights,
            default_weight: raw.population.default_weight.unwrap_or(1.0),
        };

        let zones = ZoneSettings {
            h3_resolution: raw.zones.h3_resolution.unwrap_or(6),
            priority_fraction: raw.zones.priority_fraction.unwrap_or(0.2),
            reason_min_share: raw.zones.reason_min_share.unwrap_or(0.25),
        };
        if zones.h3_resolution > 15 {
            return Err(invalid("zones.h3_resolution", "must be 0–15".into()));
        }
        if !(zones.priority_fraction > 0.0 && zones.priority_fraction <= 1.0) {
            return Err(invalid(
                "zones.priority_fraction",
                "must be in (0, 1]".into(),
            ));
        }
        if !(0.0..=1.0).contains(&zones.reason_min_share) {
            return Err(invalid(
                "zones.reason_min_share",
                "must be in [0, 1]".into(),
            ));
        }

        let mut facility_tags: BTreeMap<String, String> = FACILITY_TAGS
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        for (k, v) in raw.osm.facility_tags {
            if !k.contains('=') {
                return Err(invalid(
                    &format!("osm.facility_tags.{k}"),
                    "keys are `key=value` or `key=*`".into(),
                ));
            }
            if v.is_empty() {
                facility_tags.remove(&k);
            } else {
                facility_tags.insert(k, v);
            }
        }
        let osm = OsmTags {
            facility_tags,
            place_values: raw
                .osm
                .place_values
                .unwrap_or_else(|| PLACE_VALUES.iter().map(|s| s.to_string()).collect()),
            line_sample_m: raw.osm.line_sample_m.unwrap_or(250.0),
        };
        if !(osm.line_sample_m.is_finite() && osm.line_sample_m > 0.0) {
            return Err(invalid("osm.line_sample_m", "must be > 0".into()));
        }

        Ok(Settings {
            inputs,
            services,
            profiles,
            travel,
            population,
            zones,
            osm,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Settings, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: "t.toml".into(),
            message: e.to_string(),
        })?;
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
        let e = parse("[inputs]\nosm='x'\n[travel]\nbogus=1\n").unwrap_err();
        assert!(e.to_string().contains("bogus"), "{e}");
        assert!(parse("").is_err());
    }
}

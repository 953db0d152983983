//! Run configuration: the TOML a user writes, and the validated [`Settings`] the
//! pipeline runs on.
//!
//! Two stages, as in ripgrep: [`RawConfig`] mirrors the file (every field
//! optional), and [`Settings::from_raw`] fills documented defaults, resolves
//! paths relative to the config file and rejects inconsistent values with an
//! error naming the key. Every default below is written into `run.json`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use thiserror::Error;

use crate::units::{KmPerHour, Meters, Seconds};

mod barriers;
mod catchments;
mod defaults;
mod facility_tags;
mod inputs;
mod kinds;
mod measures;
mod output;
mod placement;
mod ranking;
mod raw;
mod services;
mod terrain;

pub use barriers::{
    parse_kind as parse_barrier_kind, BarrierLayer, BarrierSettings, RawBarrierLayer, RawBarriers,
    OSM_BARRIER_VALUES,
};
pub use catchments::{CatchmentSettings, RawCatchments};
use defaults::map_of;
pub use defaults::{
    CLASS_WEIGHTS, DRIVE_SPEEDS_KMH, FACILITY_TAGS, FEW_SETTLEMENTS, PLACE_VALUES,
    SNAP_EXCLUDE_ACCESS, WALK_SPEEDS_KMH,
};
pub use facility_tags::FacilityTags;
pub use inputs::{is_connection_string, Inputs};
pub use kinds::{GravityTransform, OutputFormat, OUTPUT_FORMATS};
pub use measures::{CatchmentSpec, GravityDecay, GravitySettings, Measures, Method};
pub use output::OutputSettings;
pub use placement::{CandidateSpec, PlaceObjective, PlacementSettings, RawPlacement};
pub use ranking::{RankBy, ServiceColumn, Worse, ZoneMeasure};
pub use raw::{
    CensusSpec, LayerSpec, RawCatchment, RawConfig, RawCoverage, RawGravity, RawInputs, RawOsm,
    RawOutput, RawPopulation, RawProfile, RawService, RawTravel, RawZones,
};
pub use terrain::{RawTerrain, TerrainSettings};

/// A configuration error, naming the file and the key at fault.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The config file could not be read (missing, not a regular file,
    /// not UTF-8).
    #[error("config: {0}")]
    File(#[from] crate::files::FileError),
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

/// The largest value of any numeric setting: 10⁹.
pub const MAX_SETTING: f64 = 1e9;
/// Speeds (km/h) other than 0 (forbidden) lie in `[0.1, 1000]`.
pub const MIN_SPEED_KMH: f64 = 0.1;
/// See [`MIN_SPEED_KMH`].
pub const MAX_SPEED_KMH: f64 = 1000.0;
/// The longest time setting: 10⁶ minutes (about two years).
pub const MAX_MINUTES: f64 = 1e6;
/// The longest distance setting: 4·10⁷ m (the Earth's circumference).
pub const MAX_METRES: f64 = 4e7;
/// The finest sampling of facility lines: 10 m (finer only costs memory).
pub const MIN_LINE_SAMPLE_M: f64 = 10.0;

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
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Threshold {
    /// Travel time.
    Time(Seconds),
    /// Travel distance along the chosen route.
    Distance(Meters),
}

/// `{"metric": "time_min", "value": 60}`: the value in the unit its
/// label names (minutes, or metres).
impl Serialize for Threshold {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let (metric, value) = match *self {
            Threshold::Time(t) => ("time_min", t.minutes()),
            Threshold::Distance(d) => ("dist_m", d.0),
        };
        let mut st = s.serialize_struct("Threshold", 2)?;
        st.serialize_field("metric", metric)?;
        st.serialize_field("value", &value)?;
        st.end()
    }
}

/// A service after defaults.
#[derive(Debug, Clone, Serialize)]
pub struct Service {
    /// Name, as in the config (`health`).
    pub name: String,
    /// Short code prefixing output fields (`hlth_min`): 1–4 characters
    /// `[a-z0-9]`, starting with a letter, unique among services.
    pub code: String,
    /// Facility category that serves it.
    pub category: String,
    /// Profile name.
    pub profile: String,
    /// Threshold and the metric the composite uses.
    pub threshold: Threshold,
    /// Great-circle distance to the nearest facility instead of a trip.
    pub straight_line: bool,
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
    pub facility_tags: FacilityTags,
    /// `place=*` values read as settlements.
    pub place_values: Vec<String>,
    /// Sample spacing along linear facilities, metres.
    pub line_sample_m: f64,
    /// Tag read as a facility's capacity, when configured.
    pub capacity_tag: Option<String>,
    /// `access=*` values of ways places may not snap to.
    pub snap_exclude_access: Vec<String>,
    /// Whether tunnels and ways below ground are left out of snapping.
    pub snap_exclude_underground: bool,
    /// `admin_level` of the `boundary=administrative` relations read as
    /// zones (`zones.osm_admin_level`); none read when `None`.
    pub zone_admin_level: Option<u8>,
    /// H3 resolution of the building cells read as settlements instead of
    /// `place=*` (`osm.building_cells`), when set.
    pub building_cells: Option<u8>,
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
    /// Floating catchments, coverage, gravity remoteness and zone ranking.
    pub measures: Measures,
    /// Placement (`remoteness place`).
    pub placement: PlacementSettings,
    /// Output formats written besides the defaults (`[output] formats`).
    pub output: OutputSettings,
    /// The DEM timing off-road travel (`[terrain]`), if any (absent from
    /// `run.json` when there is none, as before terrain existed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terrain: Option<TerrainSettings>,
    /// Catchment polygons (`[catchments]`).
    pub catchments: CatchmentSettings,
    /// Lines and polygons trips cannot cross (`[barriers]`), if any (absent
    /// from `run.json` when there are none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub barriers: Option<BarrierSettings>,
}

/// Parses config text as [`RawConfig`]; the error names the file, line and
/// key, with the offending line shortened to stay readable.
pub fn parse_raw(text: &str, path: &Path) -> Result<RawConfig, ConfigError> {
    toml::from_str(text).map_err(|e| ConfigError::Parse {
        path: path.to_path_buf(),
        message: toml_message(&e),
    })
}

/// A TOML error's text with every line cut to 160 characters (the parser
/// quotes the whole offending line, which may be megabytes long).
pub fn toml_message(e: &toml::de::Error) -> String {
    e.to_string()
        .lines()
        .map(|l| match l.char_indices().nth(160) {
            Some((i, _)) => format!("{}…", &l[..i]),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

impl Settings {
    /// Reads and validates a config file; relative paths resolve against its folder.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = crate::files::read_text(path)?;
        let raw = parse_raw(&text, path)?;
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
        // A finite number at least `min` (strictly above it when `strict`)
        // and at most `MAX_SETTING`.
        let bounded = |key: &str, v: f64, min: f64, strict: bool| {
            let ok = v.is_finite() && if strict { v > min } else { v >= min };
            if !ok {
                let op = if strict { ">" } else { "≥" };
                Err(invalid(key, format!("must be {op} {min}, got {v}")))
            } else if v > MAX_SETTING {
                Err(invalid(
                    key,
                    format!("{v} is out of range (at most {MAX_SETTING:e})"),
                ))
            } else {
                Ok(v)
            }
        };
        // A setting within [lo, hi].
        let within = |key: &str, v: f64, lo: f64, hi: f64| {
            if v.is_finite() && (lo..=hi).contains(&v) {
                Ok(v)
            } else {
                Err(invalid(key, format!("must be from {lo} to {hi}, got {v}")))
            }
        };
        let inputs = inputs::from_raw(raw.inputs, base, &invalid)?;

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
                let key = format!("profiles.{name}.speeds_kmh.{class}");
                let v = bounded(&key, v, 0.0, false)?;
                if v != 0.0 {
                    within(&key, v, MIN_SPEED_KMH, MAX_SPEED_KMH)?;
                }
                if v == 0.0 {
                    p.speeds_kmh.remove(&class);
                } else {
                    p.speeds_kmh.insert(class, v);
                }
            }
            if let Some(v) = rp.offroad_kmh {
                p.offroad_kmh = within(
                    &format!("profiles.{name}.offroad_kmh"),
                    v,
                    MIN_SPEED_KMH,
                    MAX_SPEED_KMH,
                )?;
            }
            if let Some(v) = rp.no_road_kmh {
                p.no_road_kmh = within(
                    &format!("profiles.{name}.no_road_kmh"),
                    v,
                    MIN_SPEED_KMH,
                    MAX_SPEED_KMH,
                )?;
            }
            if let Some(v) = rp.oneway {
                p.oneway = v;
            }
            if let Some(v) = rp.use_maxspeed {
                p.use_maxspeed = v;
            }
        }

        let (services, catchment) = services::from_raw(raw.services, &profiles, &invalid)?;

        let t = &raw.travel;
        let travel = Travel {
            max_snap_m: bounded(
                "travel.max_snap_m",
                t.max_snap_m.unwrap_or(1000.0),
                0.0,
                false,
            )?,
            circuity: within("travel.circuity", t.circuity.unwrap_or(1.3), 1.0, 10.0)?,
            max_direct_m: bounded(
                "travel.max_direct_m",
                t.max_direct_m.unwrap_or(20_000.0),
                0.0,
                false,
            )?,
        };

        let mut class_weights = map_of(CLASS_WEIGHTS);
        for (k, v) in raw.population.class_weights {
            let v = bounded(&format!("population.class_weights.{k}"), v, 0.0, false)?;
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
            default_weight: bounded(
                "population.default_weight",
                raw.population.default_weight.unwrap_or(1.0),
                0.0,
                false,
            )?,
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
        let zone_admin_level = raw.zones.osm_admin_level;
        if let Some(level) = zone_admin_level {
            if !(1..=12).contains(&level) {
                return Err(invalid(
                    "zones.osm_admin_level",
                    format!("{level}: must be 1–12 (OSM's admin_level values)"),
                ));
            }
            if inputs.osm.is_none() {
                return Err(invalid(
                    "zones.osm_admin_level",
                    "zones from OSM boundaries need `inputs.osm`".into(),
                ));
            }
            if inputs.zones.is_some() {
                return Err(invalid(
                    "zones.osm_admin_level",
                    "give either `inputs.zones` or `zones.osm_admin_level`, not both".into(),
                ));
            }
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
            facility_tags: facility_tags.into_iter().collect(),
            place_values: raw
                .osm
                .place_values
                .unwrap_or_else(|| PLACE_VALUES.iter().map(|s| s.to_string()).collect()),
            line_sample_m: within(
                "osm.line_sample_m",
                raw.osm.line_sample_m.unwrap_or(250.0),
                MIN_LINE_SAMPLE_M,
                MAX_METRES,
            )?,
            capacity_tag: raw.osm.capacity_tag,
            snap_exclude_access: raw
                .osm
                .snap_exclude_access
                .unwrap_or_else(|| SNAP_EXCLUDE_ACCESS.iter().map(|s| s.to_string()).collect()),
            snap_exclude_underground: raw.osm.snap_exclude_underground.unwrap_or(true),
            zone_admin_level,
            building_cells: raw.osm.building_cells,
        };
        if osm.building_cells.is_some_and(|r| r > 15) {
            return Err(invalid("osm.building_cells", "must be 0–15".into()));
        }
        let placement = placement::from_raw(raw.placement, base, &invalid)?;
        let output = output::from_raw(raw.output).map_err(|m| invalid("output.formats", m))?;
        let terrain = terrain::from_raw(raw.terrain, base, &invalid)?;
        if let Some(t) = &terrain {
            for name in &t.road_profiles {
                if !profiles.contains_key(name) {
                    return Err(invalid(
                        "terrain.road_profiles",
                        format!(
                            "no profile {name}; profiles: {}",
                            profiles.keys().cloned().collect::<Vec<_>>().join(", ")
                        ),
                    ));
                }
            }
        }
        let barriers = barriers::from_raw(raw.barriers, base, &invalid)?;
        let raw_measures = measures::RawMeasures {
            catchment,
            coverage: raw.coverage,
            gravity: raw.gravity,
            rank_by: raw.zones.rank_by,
        };
        let measures = measures::measures(origin, raw_measures, &services, &profiles)?;
        let catchments = catchments::from_raw(raw.catchments, &measures.coverage_min, &invalid)?;

        Ok(Settings {
            inputs,
            services,
            profiles,
            travel,
            population,
            zones,
            osm,
            measures,
            placement,
            output,
            terrain,
            catchments,
            barriers,
        })
    }
}

#[cfg(test)]
mod tests;

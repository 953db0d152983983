//! The config file as written: every field optional, unknown keys rejected.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

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
    /// Coverage thresholds.
    #[serde(default)]
    pub coverage: RawCoverage,
    /// Gravity remoteness.
    #[serde(default)]
    pub gravity: RawGravity,
    /// Placement of new facilities.
    #[serde(default)]
    pub placement: super::placement::RawPlacement,
    /// A DEM for off-road walking times.
    pub terrain: Option<super::terrain::RawTerrain>,
    /// Catchment polygons.
    pub catchments: Option<super::catchments::RawCatchments>,
    /// Lines and polygons trips cannot cross.
    pub barriers: Option<super::barriers::RawBarriers>,
    /// Output formats.
    #[serde(default)]
    pub output: RawOutput,
}

/// `[output]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOutput {
    /// Formats written besides the defaults, e.g. `["geoparquet"]`.
    pub formats: Option<Vec<String>>,
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
    /// CRS of layers that declare none (no `.prj`, or one that cannot be
    /// resolved): `EPSG:26191`, a PROJ string or WKT. `--crs` sets it too.
    pub crs: Option<String>,
}

/// A GeoJSON or CSV layer and how to read its fields.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LayerSpec {
    /// File path (relative to the config file). Format from the extension:
    /// `.geojson`/`.json`, `.csv`, `.shp`; with the `gdal` feature any OGR
    /// source, including connection strings such as `PG:dbname=…`.
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
    /// Roads: a field saying whether places may join the road (snap to it):
    /// `no`, `false`, `0`, `n` or `f` (any case) mean not joinable; any
    /// other value, or an empty one, means joinable. Without it every road
    /// is joinable.
    pub joinable_field: Option<String>,
    /// Zones: key joined to the census table.
    pub key_field: Option<String>,
    /// CRS of this layer, overriding what the file says (`EPSG:26191`, a
    /// PROJ string or WKT). Without it: the `.prj`, the GeoJSON `crs`
    /// member or the OGR layer's CRS; then `inputs.crs`; then WGS 84 for
    /// GeoJSON and CSV.
    pub crs: Option<String>,
    /// Layer name inside a multi-layer source (GeoPackage, FileGDB, PostGIS;
    /// `gdal` builds). Default: the only layer.
    pub layer: Option<String>,
    /// Facilities: capacity (beds, doctors, classrooms…); 1 per facility
    /// when absent.
    pub capacity_field: Option<String>,
    /// Keep only features whose field value is one of the listed values.
    #[serde(default, rename = "where")]
    pub filter: BTreeMap<String, Vec<String>>,
}

impl LayerSpec {
    /// The field names this layer configures, each with its key
    /// (`("NOM", "name_field")`).
    pub fn configured_fields(&self) -> Vec<(&str, &'static str)> {
        [
            (&self.id_field, "id_field"),
            (&self.name_field, "name_field"),
            (&self.place_field, "place_field"),
            (&self.population_field, "population_field"),
            (&self.category_field, "category_field"),
            (&self.osm_key_field, "osm_key_field"),
            (&self.osm_value_field, "osm_value_field"),
            (&self.class_field, "class_field"),
            (&self.oneway_field, "oneway_field"),
            (&self.maxspeed_field, "maxspeed_field"),
            (&self.joinable_field, "joinable_field"),
            (&self.key_field, "key_field"),
            (&self.capacity_field, "capacity_field"),
        ]
        .into_iter()
        .filter_map(|(f, key)| f.as_deref().map(|f| (f, key)))
        .collect()
    }
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
    /// Short code (1–4 lowercase letters or digits) prefixing the service's
    /// output fields, so they fit shapefile's 10-character names.
    pub code: Option<String>,
    /// Facility category served (defaults to the service name).
    pub category: Option<String>,
    /// Travel profile (`walk`, `drive`, …).
    pub profile: Option<String>,
    /// Threshold in minutes (exclusive with `threshold_m`).
    pub threshold_min: Option<f64>,
    /// Threshold in metres (exclusive with `threshold_min`).
    pub threshold_m: Option<f64>,
    /// Measure the great-circle distance to the nearest facility instead of a
    /// trip (the usual measure of distance to the power grid).
    pub straight_line: Option<bool>,
    /// Floating catchment settings.
    pub catchment: Option<RawCatchment>,
    /// `false` drops the service (a default one) from the run.
    pub enabled: Option<bool>,
}

impl RawService {
    /// This table over `default`: every key given here wins, and a
    /// threshold given here (in minutes or metres) replaces both of the
    /// default's.
    pub fn over(self, default: RawService) -> RawService {
        let own_threshold = self.threshold_min.is_some() || self.threshold_m.is_some();
        RawService {
            code: self.code.or(default.code),
            category: self.category.or(default.category),
            profile: self.profile.or(default.profile),
            threshold_min: if own_threshold {
                self.threshold_min
            } else {
                default.threshold_min
            },
            threshold_m: if own_threshold {
                self.threshold_m
            } else {
                default.threshold_m
            },
            straight_line: self.straight_line.or(default.straight_line),
            catchment: self.catchment.or(default.catchment),
            enabled: self.enabled.or(default.enabled),
        }
    }
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
    /// Zone field ranking the zones (`composite`, the default, ranks by
    /// burden).
    pub rank_by: Option<String>,
    /// Zones from the OSM extract: `boundary=administrative` relations with
    /// this `admin_level` (1-12; 8 is usually the municipality). Needs
    /// `inputs.osm` and no `inputs.zones`.
    pub osm_admin_level: Option<u8>,
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
    /// Tag holding a facility's capacity (e.g. `beds`); 1 per facility when
    /// not configured or not tagged.
    pub capacity_tag: Option<String>,
    /// `access=*` values whose ways places may not join (snap to); default
    /// `["no", "private"]`. The ways stay in the network.
    pub snap_exclude_access: Option<Vec<String>>,
    /// Whether ways below the surface are left out of snapping: `tunnel=*`
    /// (but `no` and `building_passage`), `layer` < 0, `level` < 0, and
    /// `highway=service` with `covered=yes`. Default true.
    pub snap_exclude_underground: Option<bool>,
    /// Settlements from buildings instead of `place=*`: one per H3 cell of
    /// this resolution (0-15; 9 is a few hundred metres across) holding
    /// `building=*` ways, with the number of buildings as its population.
    pub building_cells: Option<u8>,
}

/// `[services.NAME.catchment]` as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCatchment {
    /// Any of `2sfca`, `e2sfca`, `g2sfca`, `3sfca`; `[]` turns them off.
    pub methods: Option<Vec<String>>,
    /// Catchment of 2SFCA and G2SFCA, minutes (inclusive).
    pub cutoff_min: Option<f64>,
    /// E2SFCA zone upper bounds, minutes, ascending (the last is its cutoff).
    pub steps_min: Option<Vec<f64>>,
    /// E2SFCA zone weights.
    pub step_weights: Option<Vec<f64>>,
    /// G2SFCA decay: `power` or `gaussian`.
    pub decay: Option<String>,
    /// Power decay exponent `β`: `w = (max(t, floor_min) / scale_min)^-β`.
    pub power: Option<f64>,
    /// Power decay scale, minutes.
    pub scale_min: Option<f64>,
    /// Power decay floor, minutes.
    pub floor_min: Option<f64>,
    /// Gaussian decay width `σ`, minutes.
    pub sigma_min: Option<f64>,
    /// 3SFCA zone upper bounds, minutes, ascending (the last is its cutoff).
    pub steps3_min: Option<Vec<f64>>,
    /// 3SFCA zone weights.
    pub weights3: Option<Vec<f64>>,
}

/// `[coverage]` as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCoverage {
    /// Thresholds in whole minutes (1–999), ascending; `[]` turns coverage off.
    pub thresholds_min: Option<Vec<f64>>,
}

/// `[gravity]` as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGravity {
    /// Compute the gravity remoteness index (default true).
    pub enabled: Option<bool>,
    /// Travel profile of the trips to centres.
    pub profile: Option<String>,
    /// Settlements with at least this population are centres.
    pub centre_min_pop: Option<f64>,
    /// Centres within this many minutes count.
    pub cutoff_min: Option<f64>,
    /// Travel costs below this many minutes count as this.
    pub floor_min: Option<f64>,
    /// Rescaling: `log` (default) or `linear`.
    pub transform: Option<String>,
}

//! Domain types shared by every stage: settlements, facilities, roads, zones.
//!
//! Loaders produce these from any file format; algorithms consume them and never
//! see a format. Coordinates are WGS 84 longitude/latitude in degrees.

use crate::units::{KmPerHour, Population};

/// A WGS 84 position in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LonLat {
    /// Longitude, degrees east, in [-180, 180].
    pub lon: f64,
    /// Latitude, degrees north, in [-90, 90].
    pub lat: f64,
}

impl LonLat {
    /// A position; callers validate ranges at load time.
    pub fn new(lon: f64, lat: f64) -> Self {
        Self { lon, lat }
    }

    /// The exact bits of both coordinates: a hashable key under which two
    /// positions are the same only when they are the same to the bit.
    pub fn bits(&self) -> (u64, u64) {
        (self.lon.to_bits(), self.lat.to_bits())
    }

    /// Whether both coordinates are finite and inside the WGS 84 ranges.
    pub fn is_valid(&self) -> bool {
        self.lon.is_finite()
            && self.lat.is_finite()
            && (-180.0..=180.0).contains(&self.lon)
            && (-90.0..=90.0).contains(&self.lat)
    }
}

/// Where a settlement's population figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PopulationSource {
    /// Read from the settlement's own attribute or tag.
    Attribute,
    /// Allocated from its zone's census total (see `load::population`).
    Allocated,
    /// Unknown: no attribute and no zone total; counted as zero and flagged.
    Missing,
}

impl PopulationSource {
    /// Stable lower-case name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Attribute => "attribute",
            Self::Allocated => "allocated",
            Self::Missing => "missing",
        }
    }
}

/// A populated place.
#[derive(Debug, Clone)]
pub struct Settlement {
    /// Identifier from the source (e.g. `osm:node/123`), unique within a run.
    pub id: String,
    /// Name, possibly empty.
    pub name: String,
    /// Place class (`city`, `town`, `village`, `hamlet`, …), possibly empty.
    pub place: String,
    /// Position.
    pub pos: LonLat,
    /// Resident population.
    pub population: Population,
    /// Where `population` comes from.
    pub population_source: PopulationSource,
}

/// A service location (school, health post, water point, power supply…).
#[derive(Debug, Clone)]
pub struct Facility {
    /// Identifier from the source, unique within a run.
    pub id: String,
    /// Name, possibly empty.
    pub name: String,
    /// Service category this facility provides (e.g. `health`).
    pub category: String,
    /// Position (a way's centroid, or a sample point along a line).
    pub pos: LonLat,
    /// Capacity (beds, doctors, classrooms… in the layer's unit; 1 when not
    /// given): the supply `S_j` of the floating catchment methods.
    pub capacity: f64,
}

/// Road class, used to look up speeds and access per profile.
pub type RoadClass = String;

/// Direction restriction of a road way as tagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Oneway {
    /// Both directions.
    No,
    /// Only in the direction of the geometry.
    Forward,
    /// Only against the direction of the geometry (`oneway=-1`).
    Backward,
}

/// A road as a polyline with its attributes.
#[derive(Debug, Clone)]
pub struct Road {
    /// Identifier from the source.
    pub id: String,
    /// Class (`highway` tag value or the configured class field).
    pub class: RoadClass,
    /// Direction restriction (honoured by profiles that respect oneway).
    pub oneway: Oneway,
    /// Posted speed where tagged.
    pub maxspeed: Option<KmPerHour>,
    /// Vertices, each with an optional shared-node key: vertices that carry the
    /// same key are the same graph node (OSM node ids). Vertices without a key
    /// are joined by coordinate equality.
    pub vertices: Vec<(Option<i64>, LonLat)>,
    /// Raw OSM tags bearing on seasonal passability ([`PASSABILITY_KEYS`];
    /// `("ford", "yes")` also when a node of the way is tagged `ford=yes`),
    /// in tag order. Empty for roads not read from OSM.
    pub passability: Vec<(String, String)>,
    /// Whether a place may join the network on this road (a snap target).
    /// False for ways a person cannot reach from the surface where they
    /// stand: tunnels, underground layers and levels, covered service ways,
    /// `access=no|private` (OSM, `osm.snap_exclude_*`), or a road layer's
    /// `joinable_field` saying so. Such roads are still travelled through.
    pub joinable: bool,
}

/// The OSM keys kept in [`Road::passability`]: seasonal passability, and
/// how the way crosses water (`bridge`, `tunnel`, `culvert`; `ford` is both),
/// which tells a mapped crossing of a barrier from an implied ford.
pub const PASSABILITY_KEYS: [&str; 9] = [
    "seasonal",
    "ford",
    "access:conditional",
    "motor_vehicle:conditional",
    "vehicle:conditional",
    "intermittent",
    "bridge",
    "tunnel",
    "culvert",
];

/// What a barrier is, which decides what roads do where they cross it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BarrierKind {
    /// A river, canal or stream line, or a water body: roads cross it where
    /// they are mapped as bridges, tunnels, culverts or fords; an untagged
    /// crossing of an OSM road is an implied ford.
    Water,
    /// A fence or wall: roads cross it (at gates).
    Fence,
    /// A border line: roads cross it, unless the border is closed.
    Border,
    /// An area closed to travel on foot (military, private): roads through
    /// it stay usable.
    Area,
}

impl BarrierKind {
    /// Stable name used in the config and `run.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            BarrierKind::Water => "water",
            BarrierKind::Fence => "fence",
            BarrierKind::Border => "border",
            BarrierKind::Area => "area",
        }
    }
}

/// The shape of a barrier.
#[derive(Debug, Clone, PartialEq)]
pub enum BarrierShape {
    /// A line (a river's centre line, a fence).
    Line(Vec<LonLat>),
    /// A polygon: rings (the first the outer one, then holes), each closed
    /// or not (the last vertex joins the first).
    Polygon(Vec<Vec<LonLat>>),
}

/// A line or polygon that off-road legs and direct trips cannot cross.
#[derive(Debug, Clone, PartialEq)]
pub struct Barrier {
    /// Identifier from the source (`osm:way/…`, or the layer's feature).
    pub id: String,
    /// What it is.
    pub kind: BarrierKind,
    /// Whether roads crossing it are cut (a closed border).
    pub closed: bool,
    /// Its geometry, in WGS 84.
    pub shape: BarrierShape,
}

/// A polygonal zone (commune, district) with an optional census total.
#[derive(Debug, Clone)]
pub struct Zone {
    /// Identifier from the source.
    pub id: String,
    /// Name, possibly empty.
    pub name: String,
    /// Outline.
    pub geometry: geo_types::MultiPolygon<f64>,
    /// Census population to allocate to settlements without one.
    pub census_population: Option<Population>,
    /// Key joining the zone to a census table row, when configured.
    pub census_key: Option<String>,
}

/// A candidate site for a new facility (`remoteness place`).
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Identifier (`site:<settlement id>`, `h3:<cell>`, or the layer's id).
    pub id: String,
    /// Name, possibly empty.
    pub name: String,
    /// Position.
    pub pos: LonLat,
    /// Cost (1 when none is given).
    pub cost: f64,
    /// Capacity, in the facilities' capacity units (`None`: the
    /// placement's `site_capacity`); used by the capacity objective.
    pub capacity: Option<f64>,
}

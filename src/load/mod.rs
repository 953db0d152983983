//! Loading: files → domain types ([`Settlement`], [`Facility`], [`Road`], [`Zone`]).
//!
//! Format readers ([`formats`] for GeoJSON, CSV, Shapefile and, with the
//! `gdal` feature, every OGR source; [`osm`] for `.osm.pbf`) turn files into
//! features in WGS 84 (reprojecting through [`crate::crs`]) or elements; [`layers`] interprets features in a
//! role (settlements, roads…) using the configured field names; [`census`]
//! joins zone totals from a table. Nothing downstream of this module sees a format.
//!
//! Fatal problems are [`LoadError`]s naming the file, the feature and the
//! field. Recoverable ones are counted in [`Diagnostics`] and written to
//! `run.json`.

pub mod barriers;
pub mod census;
pub mod formats;
pub mod layers;
pub mod osm;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use thiserror::Error;

use crate::config::{Settings, FEW_SETTLEMENTS};
use crate::model::{Facility, Road, Settlement, Zone};

/// A fatal loading error.
#[derive(Debug, Error)]
pub enum LoadError {
    /// The `[terrain]` DEM cannot be used.
    #[error("terrain.dem: {0}")]
    Terrain(#[from] crate::terrain::TerrainError),
    /// The file is not a readable regular file (missing, a folder, a FIFO,
    /// too large, not UTF-8).
    #[error(transparent)]
    File(#[from] crate::files::FileError),
    /// A file error with the config key that named the file.
    #[error("{key}: {source}")]
    Input {
        /// Config key (`inputs.settlements[0].path`).
        key: String,
        /// The file error.
        source: crate::files::FileError,
    },
    /// The file could not be opened or read.
    #[error("{path}: cannot read")]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The file is not valid in its format (truncated, not JSON, bad CSV…).
    #[error("{path}: {message}")]
    Format {
        /// File.
        path: PathBuf,
        /// What the parser said, with a hint where we have one.
        message: String,
    },
    /// A feature is unusable and cannot be skipped without losing data.
    #[error("{path}: feature {feature}: field `{field}`: {message}")]
    Feature {
        /// File.
        path: PathBuf,
        /// Feature index (and id where known).
        feature: String,
        /// Field or member at fault (`geometry` for coordinates).
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A configured field exists in no feature of the layer.
    #[error("{path}: field `{field}` ({role}) is in no feature; fields present: {available}")]
    MissingField {
        /// File.
        path: PathBuf,
        /// Configured field.
        field: String,
        /// What the field was for.
        role: String,
        /// Fields that do exist.
        available: String,
    },
    /// A layer that must have features has none.
    #[error("{path}: {role} layer has no usable features")]
    Empty {
        /// File.
        path: PathBuf,
        /// Layer role.
        role: String,
    },
    /// Settlement or facility identifiers repeat.
    #[error("{path}: feature {feature}: field `{field}`: duplicate id `{id}`")]
    DuplicateId {
        /// File.
        path: PathBuf,
        /// Feature.
        feature: String,
        /// Id field.
        field: String,
        /// The id.
        id: String,
    },
}

/// A value quoted in a message: cut to 60 characters, with its length
/// when longer (a hostile field may be megabytes long).
pub fn excerpt(s: &str) -> String {
    match s.char_indices().nth(60) {
        Some((i, _)) => format!("{}… ({} characters)", &s[..i], s.chars().count()),
        None => s.to_string(),
    }
}

/// One recoverable problem, kept as an example in `run.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Warning {
    /// Short kind, used for counting (`invalid_coordinates`, `no_facility`…).
    pub kind: String,
    /// File at fault.
    pub file: String,
    /// Feature index and id.
    pub feature: String,
    /// Field at fault.
    pub field: String,
    /// Explanation.
    pub message: String,
}

/// Counted warnings with a few examples of each kind.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Diagnostics {
    /// Count per kind.
    pub counts: BTreeMap<String, usize>,
    /// Up to [`Diagnostics::EXAMPLES`] examples per kind.
    pub examples: Vec<Warning>,
}

impl Diagnostics {
    /// Examples kept per kind.
    pub const EXAMPLES: usize = 5;

    /// Records a warning.
    pub fn warn(&mut self, w: Warning) {
        let n = self.counts.entry(w.kind.clone()).or_insert(0);
        *n += 1;
        if *n <= Self::EXAMPLES {
            self.examples.push(w);
        }
    }

    /// Shorthand for [`Diagnostics::warn`].
    pub fn push(&mut self, kind: &str, file: &Path, feature: &str, field: &str, message: String) {
        self.warn(Warning {
            kind: kind.into(),
            file: file.display().to_string(),
            feature: feature.into(),
            field: field.into(),
            message,
        });
    }

    /// Total number of warnings.
    pub fn total(&self) -> usize {
        self.counts.values().sum()
    }

    /// Appends another set of diagnostics, keeping at most
    /// [`Diagnostics::EXAMPLES`] examples per kind.
    pub fn extend(&mut self, other: Diagnostics) {
        for w in other.examples {
            let kept = self.examples.iter().filter(|e| e.kind == w.kind).count();
            if kept < Self::EXAMPLES {
                self.examples.push(w);
            }
        }
        for (k, v) in other.counts {
            *self.counts.entry(k).or_insert(0) += v;
        }
    }
}

/// A settlement as loaded: valid position, or kept with the reason it cannot be placed.
#[derive(Debug, Clone)]
pub struct LoadedSettlement {
    /// The settlement (position is meaningless when `valid` is false).
    pub settlement: Settlement,
    /// Whether the position is usable.
    pub valid: bool,
}

/// Everything the analysis needs, in domain types.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// All input settlements, in input order, including unplaceable ones.
    pub settlements: Vec<LoadedSettlement>,
    /// Facilities of every category.
    pub facilities: Vec<Facility>,
    /// Roads (empty when the run is straight-line only).
    pub roads: Vec<Road>,
    /// Zones, when a zone layer is given (moved into the analysis's zone
    /// list by the pipeline).
    pub zones: Option<Vec<Zone>>,
    /// Input files read, for hashing into `run.json`.
    pub files: Vec<PathBuf>,
    /// The CRS each layer was read in.
    pub crs: Vec<(PathBuf, formats::LayerCrs)>,
    /// Recoverable problems.
    pub diagnostics: Diagnostics,
    /// Each settlement file with the number of settlements it gave, in order.
    pub settlement_sources: Vec<(PathBuf, usize)>,
    /// The DEM of `[terrain]`, if any.
    pub terrain: Option<std::sync::Arc<crate::terrain::Terrain>>,
    /// Lines and polygons trips cannot cross (`[barriers]`).
    pub barriers: Vec<crate::model::Barrier>,
    /// What the barriers did (set when the study is prepared with some).
    pub barrier_report: Option<crate::barriers::BarrierReport>,
}

impl Dataset {
    /// A dataset built in memory (not from files): every settlement with a
    /// valid position is placeable; the others are kept and flagged
    /// `invalid_location`, as a loader would.
    pub fn from_parts(
        settlements: Vec<Settlement>,
        facilities: Vec<Facility>,
        roads: Vec<Road>,
        zones: Option<Vec<Zone>>,
    ) -> Self {
        let n = settlements.len();
        Dataset {
            settlements: settlements
                .into_iter()
                .map(|s| LoadedSettlement {
                    valid: s.pos.is_valid(),
                    settlement: s,
                })
                .collect(),
            facilities,
            roads,
            zones,
            settlement_sources: vec![(PathBuf::from("(in memory)"), n)],
            ..Default::default()
        }
    }

    /// Population of every settlement, in input order (people).
    pub fn populations(&self) -> Vec<f64> {
        populations(&self.settlements)
    }
    /// The file settlement `i` came from.
    pub fn settlement_file(&self, i: usize) -> &Path {
        let mut start = 0;
        for (path, n) in &self.settlement_sources {
            if i < start + n {
                return path;
            }
            start += n;
        }
        Path::new("")
    }
}

/// Population of each settlement, in order (people).
pub fn populations(settlements: &[LoadedSettlement]) -> Vec<f64> {
    settlements
        .iter()
        .map(|s| s.settlement.population.0)
        .collect()
}

/// Adds the config key to a file error (missing, not a regular file, too
/// large, not UTF-8), so the message says which setting to fix.
fn keyed(key: String) -> impl FnOnce(LoadError) -> LoadError {
    move |e| match e {
        LoadError::File(source) => LoadError::Input { key, source },
        e => e,
    }
}

/// Reads one layer in WGS 84, recording its file and CRS in `ds`; `key`
/// is the layer's config key.
fn read_into(
    ds: &mut Dataset,
    spec: &crate::config::LayerSpec,
    default_crs: Option<&str>,
    memory: &formats::MemoryLayers,
    key: String,
) -> Result<Vec<formats::Feature>, LoadError> {
    let layer =
        formats::read_layer_in(spec, default_crs, memory).map_err(keyed(format!("{key}.path")))?;
    if !memory.holds(&spec.path) {
        ds.files.push(spec.path.clone());
    }
    ds.crs.push((spec.path.clone(), layer.crs));
    for w in layer.warnings {
        ds.diagnostics.warn(w);
    }
    Ok(layer.features)
}

/// Reads the candidate layer of a placement (`[placement.layer]`), in
/// WGS 84; warnings go to `diags`.
pub fn load_candidates(
    spec: &crate::config::LayerSpec,
    cost_field: Option<&str>,
    default_crs: Option<&str>,
    diags: &mut Diagnostics,
) -> Result<Vec<crate::model::Candidate>, LoadError> {
    let layer =
        formats::read_layer(spec, default_crs).map_err(keyed("placement.layer.path".into()))?;
    for w in layer.warnings {
        diags.warn(w);
    }
    layers::candidates(&layer.features, spec, cost_field, diags)
}

/// Reads every input of `settings` into a [`Dataset`].
pub fn load(settings: &Settings) -> Result<Dataset, LoadError> {
    load_with(settings, &formats::MemoryLayers::default())
}

/// [`load`], with layers whose paths `memory` holds taken from it instead
/// of from files.
pub fn load_with(
    settings: &Settings,
    memory: &formats::MemoryLayers,
) -> Result<Dataset, LoadError> {
    let mut ds = Dataset::default();
    let inputs = &settings.inputs;
    let default_crs = inputs.crs.as_deref();
    if let Some(path) = &inputs.osm {
        let o = osm::read_pbf(path, &settings.osm).map_err(keyed("inputs.osm".into()))?;
        ds.files.push(path.clone());
        ds.settlement_sources
            .push((path.clone(), o.settlements.len()));
        ds.settlements
            .extend(o.settlements.into_iter().map(|s| LoadedSettlement {
                valid: s.pos.is_valid(),
                settlement: s,
            }));
        ds.facilities.extend(o.facilities);
        ds.roads.extend(o.roads);
        ds.diagnostics.extend(o.diagnostics);
        if let Some(level) = settings.osm.zone_admin_level {
            if o.zones.is_empty() {
                ds.diagnostics.push(
                    "no_osm_zones",
                    path,
                    "boundary=administrative",
                    "admin_level",
                    format!(
                        "no closed boundary=administrative relation with admin_level={level} \
                         (zones.osm_admin_level): zones are H3 cells"
                    ),
                );
            } else {
                ds.zones = Some(o.zones);
            }
        }
    }
    for (i, spec) in inputs.settlements.iter().enumerate() {
        let fs = read_into(
            &mut ds,
            spec,
            default_crs,
            memory,
            format!("inputs.settlements[{i}]"),
        )?;
        let s = layers::settlements(&fs, spec, &mut ds.diagnostics)?;
        ds.settlement_sources.push((spec.path.clone(), s.len()));
        ds.settlements.extend(s);
    }
    for (i, spec) in inputs.roads.iter().enumerate() {
        let fs = read_into(
            &mut ds,
            spec,
            default_crs,
            memory,
            format!("inputs.roads[{i}]"),
        )?;
        ds.roads
            .extend(layers::roads(&fs, spec, &mut ds.diagnostics)?);
    }
    let mut facility_files: Vec<(PathBuf, usize)> = inputs
        .osm
        .iter()
        .map(|p| (p.clone(), ds.facilities.len()))
        .collect();
    for (i, spec) in inputs.facilities.iter().enumerate() {
        let fs = read_into(
            &mut ds,
            spec,
            default_crs,
            memory,
            format!("inputs.facilities[{i}]"),
        )?;
        let f = layers::facilities(&fs, spec, &settings.osm, &mut ds.diagnostics)?;
        facility_files.push((spec.path.clone(), f.len()));
        ds.facilities.extend(f);
    }
    unique_facility_ids(&mut ds.facilities, &facility_files, &mut ds.diagnostics);
    if let Some(spec) = &inputs.zones {
        let fs = read_into(&mut ds, spec, default_crs, memory, "inputs.zones".into())?;
        let mut zones = layers::zones(&fs, spec, &mut ds.diagnostics)?;
        if let Some(census) = &inputs.census {
            ds.files.push(census.path.clone());
            census::join_census(&mut zones, spec, census, &mut ds.diagnostics)
                .map_err(keyed("inputs.census.path".into()))?;
        }
        ds.zones = Some(zones);
    }
    if ds.settlements.is_empty() && inputs.settlements.is_empty() {
        if let Some(path) = &inputs.osm {
            return Err(LoadError::Format {
                path: path.clone(),
                message: match settings.osm.building_cells {
                    Some(_) => "no settlement: no way of the extract is tagged building=* \
                                (osm.building_cells)"
                        .into(),
                    None => format!(
                        "no settlement: no node or way of the extract is tagged place=* with \
                         one of {:?} (osm.place_values)",
                        settings.osm.place_values
                    ),
                },
            });
        }
    }
    let from_osm = ds.settlements.len();
    if inputs.settlements.is_empty() && from_osm > 0 && from_osm < FEW_SETTLEMENTS {
        if let Some(path) = &inputs.osm {
            ds.diagnostics.push(
                "few_settlements",
                path,
                "place=*",
                "place",
                few_settlements_message(from_osm, &settings.osm.place_values),
            );
        }
    }
    if ds.settlements.is_empty() {
        let path = inputs
            .settlements
            .first()
            .map(|s| s.path.clone())
            .or_else(|| inputs.osm.clone())
            .unwrap_or_default();
        return Err(LoadError::Empty {
            path,
            role: "settlement".into(),
        });
    }
    check_unique_ids(&ds)?;
    if let Some(b) = &settings.barriers {
        if let (true, Some(path)) = (b.osm, &inputs.osm) {
            let found = osm::read_barriers(path, b, &mut ds.diagnostics)
                .map_err(keyed("inputs.osm".into()))?;
            ds.barriers.extend(found);
        }
        for (i, layer) in b.layers.iter().enumerate() {
            let fs = read_into(
                &mut ds,
                &layer.spec,
                default_crs,
                memory,
                format!("barriers.layers[{i}]"),
            )?;
            let found = barriers::barriers(&fs, layer, &mut ds.diagnostics);
            ds.barriers.extend(found);
        }
    }
    if let Some(t) = &settings.terrain {
        let terrain = crate::terrain::Terrain::open(&t.dem, t.step_m)?;
        ds.files.push(t.dem.clone());
        ds.terrain = Some(std::sync::Arc::new(terrain));
    }
    Ok(ds)
}

/// The warning for an extract with fewer than [`FEW_SETTLEMENTS`] places,
/// naming the ways to get more.
fn few_settlements_message(n: usize, place_values: &[String]) -> String {
    format!(
        "only {n} settlement(s) from the extract's place=* nodes and areas ({}): too few \
         for a useful analysis (a city extract has one place=city node). Add place \
         classes with `osm.place_values` (e.g. suburb, neighbourhood, quarter, \
         locality), give a population grid (a CSV or GeoJSON of points with a \
         population field) as `[[inputs.settlements]]`, or take H3 cells of buildings \
         as settlements (`osm.building_cells = 9`: the building=* ways counted per \
         cell, the count a population proxy)",
        place_values.join(", ")
    )
}

/// Makes facility ids unique, so that a nearest-facility id names one
/// facility: a repeated id gets the suffix `#2`, `#3`… (the first keeps
/// it), with a counted `duplicate_facility_id` warning naming the file.
/// `files` gives each source file and how many facilities it gave, in order.
fn unique_facility_ids(
    facilities: &mut [Facility],
    files: &[(PathBuf, usize)],
    diags: &mut Diagnostics,
) {
    let mut seen: std::collections::HashSet<String> =
        std::collections::HashSet::with_capacity(facilities.len());
    let file_of = |i: usize| {
        let mut start = 0;
        for (p, n) in files {
            if i < start + n {
                return p.clone();
            }
            start += n;
        }
        PathBuf::new()
    };
    for (i, f) in facilities.iter_mut().enumerate() {
        if seen.insert(f.id.clone()) {
            continue;
        }
        let mut k = 2;
        let new = loop {
            let candidate = format!("{}#{k}", f.id);
            if !seen.contains(&candidate) {
                break candidate;
            }
            k += 1;
        };
        diags.push(
            "duplicate_facility_id",
            &file_of(i),
            &f.id,
            "id",
            format!(
                "id `{}` already used by another facility: renamed `{new}`",
                f.id
            ),
        );
        seen.insert(new.clone());
        f.id = new;
    }
}

/// Ids must be unique across all settlement layers (outputs are keyed by
/// them) and across zones; the error names both places.
fn check_unique_ids(ds: &Dataset) -> Result<(), LoadError> {
    let sources = &ds.settlement_sources;
    let mut seen: std::collections::HashMap<&str, (usize, usize)> = Default::default();
    let mut start = 0;
    for (layer, (path, count)) in sources.iter().enumerate() {
        for k in 0..*count {
            let id = ds.settlements[start + k].settlement.id.as_str();
            if let Some((l0, k0)) = seen.insert(id, (layer, k)) {
                return Err(LoadError::DuplicateId {
                    path: path.clone(),
                    feature: format!("{k} (also {} feature {k0})", sources[l0].0.display()),
                    field: "id".into(),
                    id: id.to_string(),
                });
            }
        }
        start += count;
    }
    Ok(())
}

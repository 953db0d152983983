//! `[terrain]`: a DEM whose slopes time off-road walking (Tobler's hiking
//! function; see `crate::terrain`), and, for the profiles in
//! `road_profiles` (default `walk`), road segments in each direction too.
//! Absent, trips keep constant speeds.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// The finest sampling step along a leg, metres.
pub const MIN_STEP_M: f64 = 1.0;
/// The coarsest sampling step, metres.
pub const MAX_STEP_M: f64 = 10_000.0;

/// `[terrain]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTerrain {
    /// The DEM (GeoTIFF; any GDAL raster with the `gdal` feature).
    pub dem: Option<PathBuf>,
    /// Sampling step along each off-road leg, metres (default 30).
    pub step_m: Option<f64>,
    /// The profiles whose road times follow the slopes too (default
    /// `["walk"]`; `[]` for none).
    pub road_profiles: Option<Vec<String>>,
}

/// The validated `[terrain]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TerrainSettings {
    /// The DEM, resolved against the config's folder.
    pub dem: PathBuf,
    /// Sampling step along each off-road leg, metres.
    pub step_m: f64,
    /// The walking-speed model, for `run.json`.
    pub model: &'static str,
    /// The profiles whose road segments are timed over the slopes too.
    pub road_profiles: Vec<String>,
}

impl TerrainSettings {
    /// Terrain from the DEM at `dem`, sampled every `step_m` metres, with
    /// the roads of `road_profiles` timed over the slopes too.
    pub fn new(dem: PathBuf, step_m: f64, road_profiles: Vec<String>) -> TerrainSettings {
        TerrainSettings {
            dem,
            step_m,
            model: MODEL,
            road_profiles,
        }
    }
}

/// The profiles whose roads follow slopes by default: on foot a mountain
/// track is as steep as the hillside; a vehicle's speed on a road is
/// assumed to be what its class says.
pub const DEFAULT_ROAD_PROFILES: &[&str] = &["walk"];

const MODEL: &str = "Tobler's hiking function as a ratio to each profile's flat off-road \
                     speed: v = speed * exp(3.5*0.05 - 3.5*|dh/dx + 0.05|)";

/// Validates `[terrain]`: `None` when no DEM is given.
pub(super) fn from_raw(
    raw: Option<RawTerrain>,
    base: &Path,
    invalid: &dyn Fn(&str, String) -> ConfigError,
) -> Result<Option<TerrainSettings>, ConfigError> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    let step_m = raw.step_m.unwrap_or(crate::terrain::DEFAULT_STEP_M);
    if !(MIN_STEP_M..=MAX_STEP_M).contains(&step_m) {
        return Err(invalid(
            "terrain.step_m",
            format!("must be between {MIN_STEP_M} and {MAX_STEP_M} m, got {step_m}"),
        ));
    }
    let Some(dem) = raw.dem else {
        return Err(invalid(
            "terrain.dem",
            "`[terrain]` needs `dem`, the elevation raster".into(),
        ));
    };
    let road_profiles = raw.road_profiles.unwrap_or_else(|| {
        DEFAULT_ROAD_PROFILES
            .iter()
            .map(|s| s.to_string())
            .collect()
    });
    Ok(Some(TerrainSettings::new(
        base.join(dem),
        step_m,
        road_profiles,
    )))
}

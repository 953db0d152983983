//! `[catchments]`: the polygons of the area reachable within each
//! threshold, per service and per facility (see `crate::isochrone`).

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// The finest grid cell, metres.
pub const MIN_CELL_M: f64 = 10.0;
/// The coarsest grid cell, metres.
pub const MAX_CELL_M: f64 = 50_000.0;
/// The default grid cell, metres (costs in `BENCHMARKS.md`).
pub const DEFAULT_CELL_M: f64 = 250.0;

/// `[catchments]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCatchments {
    /// Whether the polygons are built (default false: see `BENCHMARKS.md`).
    pub enabled: Option<bool>,
    /// Thresholds in whole minutes, ascending (default: the coverage
    /// thresholds).
    pub thresholds_min: Option<Vec<f64>>,
    /// Grid cell, metres (default 250).
    pub cell_m: Option<f64>,
    /// Whether each facility gets its own polygons too (default true).
    pub per_facility: Option<bool>,
    /// Whether each facility's network-Voronoi service area is outlined
    /// (default false).
    pub voronoi: Option<bool>,
}

/// The validated `[catchments]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CatchmentSettings {
    /// Whether the polygons are built.
    pub enabled: bool,
    /// Thresholds in whole minutes, strictly ascending.
    pub thresholds_min: Vec<f64>,
    /// Grid cell, metres.
    pub cell_m: f64,
    /// Whether each facility gets its own polygons too.
    pub per_facility: bool,
    /// Whether each facility's network-Voronoi service area is outlined.
    pub voronoi: bool,
}

/// Validates `[catchments]`; `coverage_min` are the coverage thresholds,
/// the default thresholds (15/30/60/120 min unless `[coverage]` says
/// otherwise; when coverage is off, those defaults).
pub(super) fn from_raw(
    raw: Option<RawCatchments>,
    coverage_min: &[f64],
    invalid: &dyn Fn(&str, String) -> ConfigError,
) -> Result<CatchmentSettings, ConfigError> {
    let raw = raw.unwrap_or_default();
    let thresholds_min = match raw.thresholds_min {
        Some(t) => t,
        None if coverage_min.is_empty() => super::defaults::COVERAGE_MIN.to_vec(),
        None => coverage_min.to_vec(),
    };
    let whole = thresholds_min
        .iter()
        .all(|t| t.fract() == 0.0 && (1.0..=999.0).contains(t));
    if thresholds_min.is_empty() || !whole || !thresholds_min.windows(2).all(|w| w[0] < w[1]) {
        return Err(invalid(
            "catchments.thresholds_min",
            format!(
                "give whole minutes from 1 to 999, strictly ascending, at least one, got {thresholds_min:?}"
            ),
        ));
    }
    let cell_m = raw.cell_m.unwrap_or(DEFAULT_CELL_M);
    if !(MIN_CELL_M..=MAX_CELL_M).contains(&cell_m) {
        return Err(invalid(
            "catchments.cell_m",
            format!("must be between {MIN_CELL_M} and {MAX_CELL_M} m, got {cell_m}"),
        ));
    }
    Ok(CatchmentSettings {
        enabled: raw.enabled.unwrap_or(false),
        thresholds_min,
        cell_m,
        per_facility: raw.per_facility.unwrap_or(true),
        voronoi: raw.voronoi.unwrap_or(false),
    })
}

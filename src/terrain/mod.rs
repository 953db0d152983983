//! Terrain: a DEM sets off-road walking times by Tobler's hiking function
//! ([`tobler`]), uphill and downhill differently. [`Terrain::leg`] is the
//! off-road cost the trip model (`search::trip`) calls for every off-road
//! leg and direct trip when a `[terrain]` DEM is configured; without one the
//! trip model keeps its constant speeds and nothing here runs.
//!
//! A leg from `a` to `b` is cut into `n = ⌈g / step_m⌉` equal steps along
//! the great circle (`g` its great-circle length, at most [`MAX_STEPS`]
//! steps); the DEM is sampled (bilinear) at the `n + 1` step ends. Step `i`
//! climbs `dh_i` over `g / n` metres, slope `s_i = dh_i / (g / n)`, and takes
//! `(dist / n) / (v · tobler::factor(s_i))` seconds, where `dist` is the
//! leg's walked length (`g`, or `g × circuity` for a direct trip) and `v` the
//! flat speed. A leg with any sample outside the DEM or on no data is timed
//! flat, `dist / v`, as without a DEM, and counted
//! ([`Terrain::flat_legs`]). A road segment of a profile whose roads follow
//! slopes is timed by [`Terrain::slope_factor`], the same sampling as a
//! ratio to the flat, per direction. It owns no file format: readers are
//! `geotiff` (pure Rust) and `gdal_raster` (the `gdal` feature).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use thiserror::Error;

use crate::files::FileError;
use crate::geometry::{haversine, interpolate};
use crate::model::LonLat;
use crate::units::{KmPerHour, Meters, Seconds};

pub mod dem;
#[cfg(feature = "gdal")]
pub mod gdal_raster;
pub mod geotiff;
pub mod tobler;

pub use dem::Dem;

/// The default sampling step along a leg, metres: about one pixel of a
/// 1-arc-second DEM (SRTM, Copernicus GLO-30).
pub const DEFAULT_STEP_M: f64 = 30.0;
/// The most steps one leg is cut into (longer legs get longer steps): a
/// 300 km straight-line trip at the default step.
pub const MAX_STEPS: usize = 10_000;

/// Why a DEM could not be used.
#[derive(Debug, Error)]
pub enum TerrainError {
    /// The file could not be opened or read.
    #[error(transparent)]
    File(#[from] FileError),
    /// The file is not a DEM the engine can read.
    #[error("{path}: not a usable DEM: {reason}")]
    Invalid {
        /// The DEM file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// A DEM and how legs are sampled on it.
#[derive(Debug)]
pub struct Terrain {
    dem: Dem,
    step_m: f64,
    flat_legs: AtomicU64,
}

impl Terrain {
    /// Terrain on `dem`, sampling every `step_m` metres (> 0).
    pub fn new(dem: Dem, step_m: f64) -> Terrain {
        assert!(
            step_m > 0.0 && step_m.is_finite(),
            "validated by the config"
        );
        Terrain {
            dem,
            step_m,
            flat_legs: AtomicU64::new(0),
        }
    }

    /// Reads the DEM at `path`: a GeoTIFF in pure Rust; with the `gdal`
    /// feature, any raster GDAL opens when the GeoTIFF reader cannot.
    pub fn open(path: &Path, step_m: f64) -> Result<Terrain, TerrainError> {
        let dem = match geotiff::read(path) {
            Ok(d) => d,
            #[cfg(feature = "gdal")]
            Err(TerrainError::Invalid { .. }) if gdal_raster::opens(path) => {
                gdal_raster::read(path)?
            }
            Err(e) => return Err(e),
        };
        Ok(Terrain::new(dem, step_m))
    }

    /// The DEM.
    pub fn dem(&self) -> &Dem {
        &self.dem
    }

    /// The sampling step, metres.
    pub fn step_m(&self) -> f64 {
        self.step_m
    }

    /// How many legs were timed flat for want of elevations so far.
    pub fn flat_legs(&self) -> u64 {
        self.flat_legs.load(Ordering::Relaxed)
    }

    /// Seconds to walk `dist` from `from` to `to` at flat speed `speed`,
    /// over the DEM's slopes in that direction (see the module docs).
    pub fn leg(&self, speed: KmPerHour, from: LonLat, to: LonLat, dist: Meters) -> Seconds {
        if haversine(from, to).0 <= 0.0 || dist.0 <= 0.0 {
            return speed.time_for(dist);
        }
        match self.sloped(speed, from, to, dist) {
            Some(t) => t,
            None => self.flat(speed, dist),
        }
    }

    /// The ratio of the time to walk from `from` to `to` over the slopes to
    /// the time on the flat, the same for any speed: the factor a road
    /// segment's time is multiplied by in that direction. It is 1 for a
    /// segment with a sample off the DEM (not counted in
    /// [`Terrain::flat_legs`], which counts off-road legs).
    pub fn slope_factor(&self, from: LonLat, to: LonLat) -> f64 {
        let g = haversine(from, to).0;
        if g <= 0.0 {
            return 1.0;
        }
        // At 3.6 km/h (1 m/s) the flat time of `g` metres is `g` seconds.
        match self.sloped(KmPerHour(3.6), from, to, Meters(g)) {
            Some(t) => t.0 / g,
            None => 1.0,
        }
    }

    /// [`Terrain::leg`] for `g > 0`, `dist > 0`; `None` when a sample is off
    /// the DEM or on no data.
    fn sloped(&self, speed: KmPerHour, from: LonLat, to: LonLat, dist: Meters) -> Option<Seconds> {
        let g = haversine(from, to).0;
        let n = ((g / self.step_m).ceil() as usize).clamp(1, MAX_STEPS);
        let mut prev = self.dem.elevation(from)?;
        let run = g / n as f64;
        let step_s = dist.0 / n as f64 / (speed.0 / 3.6);
        let mut total = 0.0;
        for i in 1..=n {
            let p = if i == n {
                to
            } else {
                interpolate(from, to, i as f64 / n as f64)
            };
            let h = self.dem.elevation(p)?;
            total += step_s / tobler::factor((h - prev) / run);
            prev = h;
        }
        Some(Seconds(total))
    }

    fn flat(&self, speed: KmPerHour, dist: Meters) -> Seconds {
        self.flat_legs.fetch_add(1, Ordering::Relaxed);
        speed.time_for(dist)
    }
}

#[cfg(test)]
mod tests;

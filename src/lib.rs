//! # remoteness
//!
//! Finds the settlements cut off from water, power, schools and health care,
//! measures by how much, and ranks the zones where action helps most.
//!
//! The modules follow the pipeline:
//!
//! 1. [`config`] — the run's settings, with documented defaults;
//! 2. [`load`] — GeoJSON, CSV and OSM PBF → domain types ([`model`]);
//! 3. [`index`] — road network, per-profile CSR graphs, R-trees;
//! 4. [`search`] — multi-source shortest paths and the travel model
//!    (off-road legs timed over a DEM's slopes by [`terrain`]);
//!    [`catchment`] — capacity-aware measures (floating catchments,
//!    coverage, gravity remoteness) from bounded searches;
//!    [`isochrone`] — catchment polygons of the area reached within each
//!    threshold, by the same trip model;
//! 5. [`score`] — thresholds and the ARIA+-style composite;
//! 6. [`zones`] — census allocation, H3 zones, aggregation and ranking;
//! 7. [`write`](mod@write) — GeoJSON / CSV / `run.json`, written atomically, and
//!    [`report`] — `report.html`, the council report rebuilt from them;
//!
//! and [`pipeline`] runs them in order, handing the heap each stage freed
//! back to the system between them ([`memory`]). [`init`] writes a first
//! config from the files a user has, guessing each one's role and fields.
//!
//! ## Features
//! The default build is pure Rust (GeoJSON, CSV and `.osm.pbf` inputs,
//! GeoTIFF DEMs).
//! - `gdal`: every OGR source as input, any GDAL raster DEM, and a
//!   GeoPackage output;
//! - `arrow`: result tables as Arrow record batches
//!   (`write::arrow::table_to_batch`);
//! - `geoparquet` (with `arrow`): GeoParquet 1.1 output,
//!   `write::geoparquet`.
//!
//! ## Units
//! Distances are metres ([`units::Meters`]), times seconds
//! ([`units::Seconds`]; outputs in minutes), coordinates WGS 84 degrees.

#![deny(missing_docs)]

pub mod barriers;
pub mod catchment;
pub mod config;
pub mod crs;
pub mod execution;
pub mod files;
pub mod geometry;
pub mod index;
pub mod init;
pub mod isochrone;
pub mod load;
pub mod memory;
pub mod model;
pub mod pipeline;
pub mod placement;
pub mod report;
pub mod scenario;
pub mod score;
pub mod search;
pub mod terrain;
pub mod units;
pub mod write;
pub mod zones;

#[cfg(test)]
mod test_rng;

pub use config::Settings;
pub use pipeline::{analyse, Analysis, Execution, Progress};

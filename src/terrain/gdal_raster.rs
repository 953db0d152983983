//! Any raster GDAL opens as a DEM (the `gdal` feature): band 1, its
//! geotransform, its no-data value and its CRS (by EPSG code, else WKT).

use std::path::Path;

use gdal::Dataset;

use super::dem::Dem;
use super::geotiff::MAX_CELLS;
use super::TerrainError;
use crate::crs::Crs;

/// Whether GDAL opens `path` as a raster.
pub fn opens(path: &Path) -> bool {
    Dataset::open(path).is_ok_and(|d| d.raster_count() > 0)
}

/// Reads the DEM at `path` through GDAL.
pub fn read(path: &Path) -> Result<Dem, TerrainError> {
    let invalid = |reason: String| TerrainError::Invalid {
        path: path.to_path_buf(),
        reason,
    };
    let ds = Dataset::open(path).map_err(|e| invalid(format!("GDAL cannot open it: {e}")))?;
    let (w, h) = ds.raster_size();
    if (w as u64) * (h as u64) > MAX_CELLS {
        return Err(invalid(format!(
            "{w} × {h} cells is more than the {MAX_CELLS} a DEM may have"
        )));
    }
    let geo = ds
        .geo_transform()
        .map_err(|e| invalid(format!("no geotransform: {e}")))?;
    let srs = ds
        .spatial_ref()
        .map_err(|e| invalid(format!("no CRS: {e}")))?;
    let crs = match srs.auth_code() {
        Ok(code) => Crs::from_epsg(code as u32),
        Err(_) => Crs::from_wkt(&srs.to_wkt().map_err(|e| invalid(e.to_string()))?),
    }
    .map_err(|e| invalid(e.to_string()))?;
    let band = ds
        .rasterband(1)
        .map_err(|e| invalid(format!("no band 1: {e}")))?;
    let nodata = band.no_data_value();
    let buf = band
        .read_band_as::<f64>()
        .map_err(|e| invalid(format!("cannot read band 1: {e}")))?;
    let values = buf
        .data()
        .iter()
        .map(|&v| match nodata {
            Some(n) if v == n || (n.is_nan() && v.is_nan()) => f32::NAN,
            _ => v as f32,
        })
        .collect();
    Dem::new(w, h, values, geo, crs).map_err(invalid)
}

//! A digital elevation model: one band of elevations (metres) on an affine
//! grid in a known CRS, sampled bilinearly at WGS 84 positions. Readers
//! (`geotiff`, `gdal` behind its feature) build it with [`Dem::new`].

use crate::crs::Crs;
use crate::model::LonLat;

/// Elevations above this (metres) are rejected as not terrain: Everest is
/// 8,849 m, so a DEM of anywhere fits.
pub const MAX_ELEVATION_M: f64 = 9_000.0;
/// Elevations below this are rejected (the Dead Sea shore is −430 m; ocean
/// floors are not walked).
pub const MIN_ELEVATION_M: f64 = -500.0;

/// A raster of elevations.
#[derive(Debug, Clone)]
pub struct Dem {
    width: usize,
    height: usize,
    /// Row-major, north row first as stored; NaN is "no data".
    values: Vec<f32>,
    /// Pixel corner (col, row) → CRS: `x = g0 + col·g1 + row·g2`,
    /// `y = g3 + col·g4 + row·g5` (GDAL's geotransform).
    geo: [f64; 6],
    /// CRS → pixel corner (col, row).
    inverse: [f64; 6],
    crs: Crs,
    /// Samples that fell outside [`MIN_ELEVATION_M`]..[`MAX_ELEVATION_M`]
    /// and were read as no data.
    implausible: usize,
}

/// The inverse of an affine geotransform, `None` when it is degenerate.
fn invert(g: [f64; 6]) -> Option<[f64; 6]> {
    let det = g[1] * g[5] - g[2] * g[4];
    if det == 0.0 || !det.is_finite() {
        return None;
    }
    let (a, b, c, d) = (g[5] / det, -g[2] / det, -g[4] / det, g[1] / det);
    // col = a·(x − g0) + b·(y − g3); row = c·(x − g0) + d·(y − g3)
    Some([-(a * g[0] + b * g[3]), a, b, -(c * g[0] + d * g[3]), c, d])
}

impl Dem {
    /// A DEM of `width` × `height` `values` (row-major, NaN for no data;
    /// values outside the plausible range become no data), georeferenced by
    /// the geotransform `geo` in `crs`. Errors say what is wrong.
    pub fn new(
        width: usize,
        height: usize,
        mut values: Vec<f32>,
        geo: [f64; 6],
        crs: Crs,
    ) -> Result<Dem, String> {
        if width == 0 || height == 0 {
            return Err("the raster is empty".into());
        }
        if width.checked_mul(height) != Some(values.len()) {
            return Err(format!(
                "{} samples for a {width} × {height} raster",
                values.len()
            ));
        }
        if geo.iter().any(|v| !v.is_finite()) {
            return Err(format!("the georeferencing {geo:?} is not finite"));
        }
        let inverse = invert(geo)
            .ok_or_else(|| format!("the georeferencing {geo:?} has a zero pixel size"))?;
        let mut implausible = 0;
        for v in &mut values {
            let e = f64::from(*v);
            if !v.is_nan() && !(MIN_ELEVATION_M..=MAX_ELEVATION_M).contains(&e) {
                *v = f32::NAN;
                implausible += 1;
            }
        }
        Ok(Dem {
            width,
            height,
            values,
            geo,
            inverse,
            crs,
            implausible,
        })
    }

    /// Columns and rows.
    pub fn size(&self) -> (usize, usize) {
        (self.width, self.height)
    }

    /// The CRS of the grid.
    pub fn crs(&self) -> &Crs {
        &self.crs
    }

    /// The geotransform (GDAL's order).
    pub fn geotransform(&self) -> [f64; 6] {
        self.geo
    }

    /// How many samples were out of the plausible range and read as no data.
    pub fn implausible_samples(&self) -> usize {
        self.implausible
    }

    /// The stored value of pixel (`col`, `row`), `None` for no data or
    /// outside the grid.
    pub fn pixel(&self, col: usize, row: usize) -> Option<f64> {
        if col >= self.width || row >= self.height {
            return None;
        }
        let v = self.values[row * self.width + col];
        (!v.is_nan()).then_some(f64::from(v))
    }

    /// The (fractional) pixel coordinates of `p`, corner-based.
    fn raster_xy(&self, p: LonLat) -> Option<(f64, f64)> {
        let (x, y) = if self.crs.is_wgs84() {
            (p.lon, p.lat)
        } else {
            self.crs.from_wgs84(p.lon, p.lat).ok()?
        };
        let g = &self.inverse;
        let (dx, dy) = (x, y);
        Some((g[0] + g[1] * dx + g[2] * dy, g[3] + g[4] * dx + g[5] * dy))
    }

    /// The elevation at `p` (metres), bilinear between the four nearest
    /// pixel centres (clamped to the outermost centres within the raster's
    /// edge pixels); `None` outside the raster or when one of the four is
    /// no data.
    pub fn elevation(&self, p: LonLat) -> Option<f64> {
        let (c, r) = self.raster_xy(p)?;
        let (w, h) = (self.width as f64, self.height as f64);
        if !(c >= 0.0 && r >= 0.0 && c <= w && r <= h) {
            return None;
        }
        // Pixel centres sit at half-integers.
        let fx = (c - 0.5).clamp(0.0, w - 1.0);
        let fy = (r - 0.5).clamp(0.0, h - 1.0);
        let (x0, y0) = (fx.floor() as usize, fy.floor() as usize);
        let (x1, y1) = ((x0 + 1).min(self.width - 1), (y0 + 1).min(self.height - 1));
        let (tx, ty) = (fx - x0 as f64, fy - y0 as f64);
        let z00 = self.pixel(x0, y0)?;
        let z10 = self.pixel(x1, y0)?;
        let z01 = self.pixel(x0, y1)?;
        let z11 = self.pixel(x1, y1)?;
        let top = z00 + (z10 - z00) * tx;
        let bottom = z01 + (z11 - z01) * tx;
        Some(top + (bottom - top) * ty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> Dem {
        // 3 × 2 pixels of 0.01°, upper-left corner at (10, 20).
        let v = vec![0.0, 10.0, 20.0, 100.0, 110.0, f32::NAN];
        Dem::new(3, 2, v, [10.0, 0.01, 0.0, 20.0, 0.0, -0.01], Crs::wgs84()).unwrap()
    }

    #[test]
    fn bilinear_between_centres() {
        let d = grid();
        // Centre of pixel (0, 0).
        let e = d
            .elevation(LonLat {
                lon: 10.005,
                lat: 19.995,
            })
            .unwrap();
        assert!((e - 0.0).abs() < 1e-9);
        // Halfway between the centres of (0,0), (1,0), (0,1), (1,1).
        let e = d
            .elevation(LonLat {
                lon: 10.01,
                lat: 19.99,
            })
            .unwrap();
        assert!((e - 55.0).abs() < 1e-9, "{e}");
        // Edge pixel beyond the last centre: clamped.
        let e = d
            .elevation(LonLat {
                lon: 10.001,
                lat: 19.999,
            })
            .unwrap();
        assert!((e - 0.0).abs() < 1e-9);
        // No data among the four, and outside.
        assert_eq!(
            d.elevation(LonLat {
                lon: 10.025,
                lat: 19.985
            }),
            None
        );
        assert_eq!(
            d.elevation(LonLat {
                lon: 9.99,
                lat: 19.995
            }),
            None
        );
    }

    #[test]
    fn rejects_bad_grids() {
        let g = [0.0, 1.0, 0.0, 0.0, 0.0, -1.0];
        assert!(Dem::new(0, 1, vec![], g, Crs::wgs84()).is_err());
        assert!(Dem::new(2, 2, vec![0.0; 3], g, Crs::wgs84()).is_err());
        let flat = [0.0, 0.0, 0.0, 0.0, 0.0, -1.0];
        assert!(Dem::new(1, 1, vec![0.0], flat, Crs::wgs84()).is_err());
        let d = Dem::new(2, 1, vec![9_500.0, 4_167.0], g, Crs::wgs84()).unwrap();
        assert_eq!(d.implausible_samples(), 1);
        assert_eq!(d.pixel(1, 0), Some(4_167.0));
    }
}

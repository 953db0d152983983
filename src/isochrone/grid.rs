//! The lattice a trip-time field is sampled on, and its contours.
//!
//! A [`Grid`] is regular in longitude and latitude: `dlat` is the cell in
//! metres on the meridian, `dlon` the same at the grid's middle latitude
//! (cells stay square to within the cosine's change across the grid). A
//! [`Window`] is a rectangle of its points, so fields on windows of one grid
//! sample the same points.

use contour::ContourBuilder;
use geo_types::MultiPolygon;

use crate::geometry::EARTH_RADIUS_M;
use crate::model::LonLat;
use crate::units::{Meters, Seconds};

use super::IsochroneError;

/// The most points one service's grid may hold: a larger reach coarsens
/// the cell (the cell used is reported).
pub const MAX_POINTS: usize = 4_000_000;

/// Degrees per metre on a meridian.
fn deg_per_m() -> f64 {
    180.0 / (std::f64::consts::PI * EARTH_RADIUS_M)
}

/// A box in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    /// Least longitude.
    pub west: f64,
    /// Least latitude.
    pub south: f64,
    /// Greatest longitude.
    pub east: f64,
    /// Greatest latitude.
    pub north: f64,
}

impl Bounds {
    /// The box of `points`, `None` when there is none.
    pub fn of(points: impl IntoIterator<Item = LonLat>) -> Option<Bounds> {
        points.into_iter().fold(None, |b, p| {
            let b = b.unwrap_or(Bounds {
                west: p.lon,
                south: p.lat,
                east: p.lon,
                north: p.lat,
            });
            Some(Bounds {
                west: b.west.min(p.lon),
                south: b.south.min(p.lat),
                east: b.east.max(p.lon),
                north: b.north.max(p.lat),
            })
        })
    }

    /// This box grown by `pad` on every side (at least `pad` metres at
    /// every latitude it spans).
    pub fn padded(self, pad: Meters) -> Bounds {
        let dlat = pad.0 * deg_per_m();
        let south = (self.south - dlat).max(-90.0);
        let north = (self.north + dlat).min(90.0);
        let widest = south.abs().max(north.abs()).to_radians().cos().max(1e-3);
        let dlon = dlat / widest;
        Bounds {
            west: self.west - dlon,
            south,
            east: self.east + dlon,
            north,
        }
    }

    /// Whether `p` lies in the box.
    pub fn contains(&self, p: LonLat) -> bool {
        (self.west..=self.east).contains(&p.lon) && (self.south..=self.north).contains(&p.lat)
    }
}

/// A regular lon/lat lattice: point `(i, j)` at
/// `(lon0 + i·dlon, lat0 + j·dlat)`, `i < nx`, `j < ny`, row-major from the
/// south-west.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grid {
    /// Longitude of the first column, degrees.
    pub lon0: f64,
    /// Latitude of the first row, degrees.
    pub lat0: f64,
    /// Column step, degrees.
    pub dlon: f64,
    /// Row step, degrees.
    pub dlat: f64,
    /// Columns.
    pub nx: usize,
    /// Rows.
    pub ny: usize,
    /// The cell side, metres (the asked one, or coarser past [`MAX_POINTS`]).
    pub cell: Meters,
}

/// A rectangle of a grid's points: columns `i0..i0 + nx`, rows
/// `j0..j0 + ny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// First column.
    pub i0: usize,
    /// First row.
    pub j0: usize,
    /// Columns.
    pub nx: usize,
    /// Rows.
    pub ny: usize,
}

impl Window {
    /// Number of points.
    pub fn len(&self) -> usize {
        self.nx * self.ny
    }

    /// Whether the window holds no point.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Grid {
    /// A grid of cell `cell` covering `b` with one cell to spare on every
    /// side; coarser when that would exceed [`MAX_POINTS`].
    pub fn covering(b: Bounds, cell: Meters) -> Grid {
        let mid = ((b.south + b.north) / 2.0).to_radians().cos().max(1e-3);
        let mut cell = cell.0;
        loop {
            let dlat = cell * deg_per_m();
            let dlon = dlat / mid;
            let nx = ((b.east - b.west) / dlon).ceil() as usize + 3;
            let ny = ((b.north - b.south) / dlat).ceil() as usize + 3;
            if nx.saturating_mul(ny) <= MAX_POINTS {
                return Grid {
                    lon0: b.west - dlon,
                    lat0: b.south - dlat,
                    dlon,
                    dlat,
                    nx,
                    ny,
                    cell: Meters(cell),
                };
            }
            cell *= ((nx * ny) as f64 / MAX_POINTS as f64).sqrt().max(1.01);
        }
    }

    /// Point `(i, j)`.
    pub fn point(&self, i: usize, j: usize) -> LonLat {
        LonLat {
            lon: self.lon0 + i as f64 * self.dlon,
            lat: self.lat0 + j as f64 * self.dlat,
        }
    }

    /// The whole grid as a window.
    pub fn all(&self) -> Window {
        Window {
            i0: 0,
            j0: 0,
            nx: self.nx,
            ny: self.ny,
        }
    }

    /// The smallest window holding every point of `b` and one more point
    /// on every side (clamped to the grid).
    pub fn window(&self, b: Bounds) -> Window {
        let col = |lon: f64| ((lon - self.lon0) / self.dlon).clamp(0.0, self.nx as f64 - 1.0);
        let row = |lat: f64| ((lat - self.lat0) / self.dlat).clamp(0.0, self.ny as f64 - 1.0);
        let i0 = (col(b.west).floor() as usize).saturating_sub(1);
        let j0 = (row(b.south).floor() as usize).saturating_sub(1);
        let i1 = (col(b.east).ceil() as usize + 1).min(self.nx - 1);
        let j1 = (row(b.north).ceil() as usize + 1).min(self.ny - 1);
        Window {
            i0,
            j0,
            nx: i1 + 1 - i0,
            ny: j1 + 1 - j0,
        }
    }

    /// The points of `w`, row-major from the south-west.
    pub fn points(&self, w: Window) -> impl Iterator<Item = (usize, LonLat)> + '_ {
        (0..w.len()).map(move |k| {
            let (i, j) = (w.i0 + k % w.nx, w.j0 + k / w.nx);
            (j * self.nx + i, self.point(i, j))
        })
    }

    /// The longest cell diagonal, metres (at the latitude nearest the
    /// equator).
    pub fn diagonal(&self) -> Meters {
        let (s, n) = (self.lat0, self.lat0 + (self.ny - 1) as f64 * self.dlat);
        let lat = if s <= 0.0 && n >= 0.0 {
            0.0
        } else {
            s.abs().min(n.abs())
        };
        let w = self.dlon * lat.to_radians().cos() / deg_per_m();
        let h = self.dlat / deg_per_m();
        Meters(w.hypot(h))
    }
}

/// Polygons of `{t ≤ T}` for each threshold `T` of `thresholds`
/// (ascending) from the trip times `times` on window `w` of `grid`
/// (row-major, `+∞` where unreachable), in lon/lat.
///
/// **Algorithm**: marching squares (`contour`, d3-contour's algorithm) on
/// `−min(t, cap)`, `cap` above every threshold, with linear interpolation
/// along cell edges. A cell whose four corners are within `T` lies wholly
/// inside the polygon and one whose corners are all beyond it wholly
/// outside; an edge crosses only cells whose corners disagree. One field
/// gives every threshold, and the crossing along an edge moves outwards as
/// `T` grows, so the polygons nest; points beyond the window count as
/// unreachable, so the rings close.
pub fn contours(
    grid: &Grid,
    w: Window,
    times: &[f64],
    thresholds: &[Seconds],
) -> Result<Vec<MultiPolygon<f64>>, IsochroneError> {
    let Some(top) = thresholds.last() else {
        return Ok(Vec::new());
    };
    let cap = 2.0 * top.0 + 60.0;
    let values: Vec<f64> = times.iter().map(|&t| -t.min(cap)).collect();
    let levels: Vec<f64> = thresholds.iter().map(|t| -t.0).collect();
    // The crate puts value (i, j) at (i + ½, j + ½) of its unit grid.
    let builder = ContourBuilder::new(w.nx, w.ny, true)
        .x_origin(grid.lon0 + (w.i0 as f64 - 0.5) * grid.dlon)
        .y_origin(grid.lat0 + (w.j0 as f64 - 0.5) * grid.dlat)
        .x_step(grid.dlon)
        .y_step(grid.dlat);
    let found = builder
        .contours(&values, &levels)
        .map_err(|e| IsochroneError::Contour(format!("{:?}", e.kind())))?;
    Ok(found.into_iter().map(|c| c.into_inner().0).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Contains, Point};

    fn grid() -> Grid {
        let b = Bounds {
            west: 10.0,
            south: 47.0,
            east: 10.1,
            north: 47.05,
        };
        Grid::covering(b, Meters(500.0))
    }

    #[test]
    fn points_and_windows_agree_with_the_lattice() {
        let g = grid();
        assert!(g.nx > 5 && g.ny > 5);
        let w = g.window(Bounds {
            west: 10.03,
            south: 47.01,
            east: 10.05,
            north: 47.02,
        });
        let pts: Vec<_> = g.points(w).collect();
        assert_eq!(pts.len(), w.len());
        let (k, p) = pts[0];
        assert_eq!(k, w.j0 * g.nx + w.i0);
        assert_eq!(p, g.point(w.i0, w.j0));
        assert!(p.lon <= 10.03 && p.lat <= 47.01);
        let last = pts[pts.len() - 1].1;
        assert!(last.lon >= 10.05 && last.lat >= 47.02);
        let d = g.diagonal().0;
        assert!((d - 500.0 * 2f64.sqrt()).abs() < 10.0, "{d}");
    }

    #[test]
    fn contours_of_a_cone_nest_and_hold_its_points() {
        let g = grid();
        let centre = g.point(g.nx / 2, g.ny / 2);
        let times: Vec<f64> = g
            .points(g.all())
            .map(|(_, p)| crate::geometry::haversine(p, centre).0)
            .collect();
        let th = [Seconds(1000.0), Seconds(2000.0)];
        let polys = contours(&g, g.all(), &times, &th).unwrap();
        assert_eq!(polys.len(), 2);
        for ((_, p), t) in g.points(g.all()).zip(&times) {
            let pt = Point::new(p.lon, p.lat);
            for (poly, th) in polys.iter().zip(th) {
                if (t - th.0).abs() > 800.0 {
                    assert_eq!(poly.contains(&pt), *t <= th.0, "{t} vs {}", th.0);
                }
            }
        }
        assert!(polys[1].contains(&polys[0]));
    }
}

//! Network-Voronoi service areas: for each facility, the grid points
//! within the cutoff whose quickest trip reaches it, outlined.

use contour::ContourBuilder;
use geo_types::MultiPolygon;

use crate::execution::Execution;
use crate::units::Seconds;

use super::grid::{Grid, Window};
use super::{map, IsochroneError};

/// The area of every facility owning at least one point of `grid` within
/// `cutoff`, by facility index: `owners[k]` and `times[k]` are point `k`'s
/// facility and trip time. Marching squares on the indicator of the
/// facility's points at ½ (no interpolation), so neighbouring areas share
/// their edges and do not overlap.
pub fn service_areas(
    grid: &Grid,
    owners: &[Option<u32>],
    times: &[f64],
    cutoff: Seconds,
    exec: Execution,
) -> Result<Vec<(u32, MultiPolygon<f64>)>, IsochroneError> {
    // Each facility's box of points, by index.
    let mut boxes: Vec<Option<(usize, usize, usize, usize)>> = Vec::new();
    for (k, (o, t)) in owners.iter().zip(times).enumerate() {
        let Some(f) = o.filter(|_| *t <= cutoff.0) else {
            continue;
        };
        let (i, j) = (k % grid.nx, k / grid.nx);
        if boxes.len() <= f as usize {
            boxes.resize(f as usize + 1, None);
        }
        let b = boxes[f as usize].get_or_insert((i, j, i, j));
        *b = (b.0.min(i), b.1.min(j), b.2.max(i), b.3.max(j));
    }
    let list: Vec<(u32, (usize, usize, usize, usize))> = boxes
        .into_iter()
        .enumerate()
        .filter_map(|(f, b)| b.map(|b| (f as u32, b)))
        .collect();
    let outline = |&(f, (i0, j0, i1, j1)): &(u32, (usize, usize, usize, usize))| {
        let w = Window {
            i0,
            j0,
            nx: i1 + 1 - i0,
            ny: j1 + 1 - j0,
        };
        let values: Vec<f64> = grid
            .points(w)
            .map(|(k, _)| f64::from(u8::from(owners[k] == Some(f) && times[k] <= cutoff.0)))
            .collect();
        let found = ContourBuilder::new(w.nx, w.ny, false)
            .x_origin(grid.lon0 + (w.i0 as f64 - 0.5) * grid.dlon)
            .y_origin(grid.lat0 + (w.j0 as f64 - 0.5) * grid.dlat)
            .x_step(grid.dlon)
            .y_step(grid.dlat)
            .contours(&values, &[0.5])
            .map_err(|e| IsochroneError::Contour(format!("{:?}", e.kind())))?;
        let polygon = found
            .into_iter()
            .next()
            .map(|c| c.into_inner().0)
            .unwrap_or_else(|| MultiPolygon(Vec::new()));
        Ok((f, polygon))
    };
    map(exec, &list, outline).into_iter().collect()
}

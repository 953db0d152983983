//! Catchment polygons: the area from which a service, or one of its
//! facilities, is reached within each threshold, by the trip model.
//!
//! **Algorithm.** The trip time from a point to the facilities is the one a
//! settlement there would get ([`TravelModel::place_access`]: the same snap
//! within `max_snap_m`, exits onto the network, trips along a shared
//! segment, direct and straight-line trips). It is sampled on a
//! [`Grid`] (`[catchments] cell_m`) covering every place that can arrive
//! within the largest threshold — the nodes the search reached within it,
//! the segments leaving them and the facilities, grown by the direct
//! trip's reach or `max_snap_m` — and contoured at every threshold
//! ([`grid::contours`]). The service's field reads the labels of the
//! access stage's multi-source search; a facility's, the labels of a
//! [`crate::search::bounded`] search from that facility alone stopped at
//! the largest threshold, on a window of the service's grid (the same
//! points). The polygons of one field nest by construction; points no trip
//! reaches stay out, so gaps stay holes; and since the service's time is
//! the least of its facilities' at every point, a facility's polygon lies
//! in the service's but for the interpolation inside border cells.
//!
//! **Tolerance.** Where the trip time `t` is continuous within a cell, it
//! changes by at most `L` seconds per metre (see [`field::lipschitz`]:
//! it depends on the snapped segment's speed), and
//! a cell whose corners are all within `T` (all beyond) lies wholly inside
//! (outside) the `T` polygon; so a place is misclassified only when
//! `|t − T| ≤ L · d` (`d` the cell diagonal, reported as `tol_min`), or
//! when the field jumps inside its cell: corners snapped onto another
//! segment (snap regions meet), on either side of `max_snap_m` or of
//! `max_direct_m`, or on a one-way segment holding a facility. In space
//! that is within one cell diagonal of the polygon's edge off-road, but
//! along a road up to `d · v_road / v_offroad`: roads are valleys of the
//! field, and a valley narrower than a cell is lost at the polygon's tips.
//!
//! The grid is regular in longitude and latitude and is not split at the
//! antimeridian: a reach across it is not supported.
//!
//! **Service areas** (`voronoi`): each grid point within the largest
//! threshold belongs to the facility its quickest trip reaches (the
//! service field's own choice, ties to the lowest index); each facility's
//! points are outlined (marching squares on the indicator at ½), so the
//! areas meet halfway between grid points of different facilities and do
//! not overlap.
//!
//! Facilities run in parallel (rayon) with the sequential path as the
//! reference; the output does not depend on the thread count.

pub mod field;
pub mod grid;
pub mod service_areas;

use geo::ChamberlainDuquetteArea;
use geo_types::MultiPolygon;
use rayon::prelude::*;
use serde::Serialize;
use thiserror::Error;

use crate::config::{CatchmentSettings, Service};
use crate::execution::Execution;
use crate::index::{PointIndex, Snap};
use crate::model::Facility;
use crate::search::access::{Labels, ServiceAccess, TravelModel};
use crate::units::{Meters, Seconds};

use field::{lipschitz, pad, reach_bounds, Field, NodeTimes};
pub use grid::{Bounds, Grid, Window};

/// A failure to build catchment polygons.
#[derive(Debug, Error)]
pub enum IsochroneError {
    /// The contouring failed.
    #[error("catchment contours: {0}")]
    Contour(String),
}

/// Whose polygon it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The service as a whole (its nearest facility).
    Service,
    /// One facility alone.
    Facility,
    /// A facility's network-Voronoi service area: the places, within the
    /// largest threshold, whose quickest trip goes to it.
    Voronoi,
}

impl Scope {
    /// Stable name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Service => "service",
            Scope::Facility => "facility",
            Scope::Voronoi => "voronoi",
        }
    }
}

/// One polygon: the places within `threshold` of a service or facility.
#[derive(Debug, Clone)]
pub struct Catchment {
    /// Service name.
    pub service: String,
    /// Index of the facility in the service's facility list (`None`: the
    /// whole service).
    pub facility: Option<u32>,
    /// Its identifier.
    pub facility_id: Option<String>,
    /// Service or facility.
    pub scope: Scope,
    /// The threshold.
    pub threshold: Seconds,
    /// The area, WGS 84 lon/lat (empty when nothing is reached).
    pub polygon: MultiPolygon<f64>,
    /// Its area on the sphere, km².
    pub area_km2: f64,
    /// People in settlements whose trip time is within the threshold.
    pub population: f64,
}

/// How one service's polygons were sampled, for `run.json`.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceGrid {
    /// Service name.
    pub service: String,
    /// Cell side used, metres.
    pub cell_m: f64,
    /// Longest cell diagonal, metres.
    pub diagonal_m: f64,
    /// Points of the service's grid.
    pub points: usize,
    /// `L`, seconds per metre, at the profile's slowest segment (see the
    /// module docs and [`field::lipschitz`]).
    pub lipschitz_s_per_m: f64,
    /// The time tolerance `L · d`, minutes, at the slowest segment: the
    /// bound everywhere; a place snapped onto a faster segment has a
    /// smaller one.
    pub tolerance_min: f64,
    /// Facilities given their own polygons.
    pub facilities: usize,
}

/// Every catchment polygon of a run, in service order, the service's own
/// polygons first, then each facility's, thresholds ascending, then the
/// service areas (`voronoi`), by facility.
#[derive(Debug, Clone, Default)]
pub struct Catchments {
    /// The polygons.
    pub polygons: Vec<Catchment>,
    /// One per service with facilities.
    pub grids: Vec<ServiceGrid>,
    /// Each service's grid, in the order of `grids`.
    pub lattices: Vec<Grid>,
}

/// Builds the polygons of every service of `access` (the access stage's
/// results, in `services` order); `population` per settlement.
pub fn build(
    model: &TravelModel,
    services: &[Service],
    access: &[ServiceAccess],
    population: &[f64],
    settings: &CatchmentSettings,
    exec: Execution,
) -> Result<Catchments, IsochroneError> {
    let thresholds: Vec<Seconds> = settings
        .thresholds_min
        .iter()
        .map(|m| Seconds(m * 60.0))
        .collect();
    let mut out = Catchments::default();
    for (service, sa) in services.iter().zip(access) {
        if sa.facilities.is_empty() {
            continue;
        }
        let one = ServiceRun {
            model,
            service,
            access: sa,
            population,
            thresholds: &thresholds,
            cell: Meters(settings.cell_m),
        };
        let (grid, summary, polygons) = one.run(settings.per_facility, settings.voronoi, exec)?;
        out.lattices.push(grid);
        out.grids.push(summary);
        out.polygons.extend(polygons);
    }
    Ok(out)
}

/// One service's polygons.
struct ServiceRun<'a> {
    model: &'a TravelModel<'a>,
    service: &'a Service,
    access: &'a ServiceAccess,
    population: &'a [f64],
    thresholds: &'a [Seconds],
    cell: Meters,
}

impl ServiceRun<'_> {
    fn run(
        &self,
        per_facility: bool,
        voronoi: bool,
        exec: Execution,
    ) -> Result<(Grid, ServiceGrid, Vec<Catchment>), IsochroneError> {
        let (model, service) = (self.model, self.service);
        let trips = model.trips(service);
        let ctx = model.context(&service.profile);
        let cutoff = *self.thresholds.last().expect("thresholds are validated");
        let facilities = &self.access.facilities;
        let seeding = model.seeding(service, facilities);
        let nearest = PointIndex::build(&seeding.positions);
        let network = trips.uses_network();
        let reverse = network.then_some(&ctx.graph.reverse);
        let labels = self.access.paths.as_deref().filter(|_| network);
        let reached = labels.into_iter().flat_map(|p| {
            (0..p.time_s.len() as u32).filter(move |&v| p.time_s[v as usize] <= cutoff.0)
        });
        let pad_m = pad(&trips, Meters(model.travel.max_snap_m), cutoff);
        let bounds = reach_bounds(model.net, reverse, reached, &seeding.positions)
            .expect("a service here has facilities")
            .padded(pad_m);
        let grid = Grid::covering(bounds, self.cell);
        let all = grid.all();
        let points: Vec<_> = grid.points(all).map(|(_, p)| p).collect();
        let snaps: Vec<Option<Snap>> = match network {
            true => map(exec, &points, |&p| ctx.snap(p)),
            false => Vec::new(),
        };
        let snap = |k: usize| snaps.get(k).copied().flatten();
        let field = Field {
            model,
            service,
            labels: labels.map(|p| p as &(dyn Labels + Sync)),
            seeding: &seeding,
            nearest: &nearest,
        };
        let idx: Vec<usize> = (0..points.len()).collect();
        let trips_at = map(exec, &idx, |&k| field.trip(points[k], snap(k)));
        let times: Vec<f64> = trips_at.iter().map(|t| t.0).collect();
        let mut out = self.rows(None, &grid, all, &times, |t| {
            let mut pop = 0.0;
            for (k, a) in self.access.access.iter().enumerate() {
                if a.time.is_some_and(|x| x.0 <= t.0) {
                    pop += self.population[k];
                }
            }
            pop
        })?;
        if per_facility {
            let per = |f: usize| self.facility(f, &grid, &snap, &trips, pad_m);
            let idx: Vec<usize> = (0..facilities.len()).collect();
            for rows in map(exec, &idx, |&f| per(f)) {
                out.extend(rows?);
            }
        }
        if voronoi {
            let owners: Vec<Option<u32>> = trips_at.iter().map(|t| t.1).collect();
            let areas = service_areas::service_areas(&grid, &owners, &times, cutoff, exec)?;
            for (f, polygon) in areas {
                let population = self
                    .access
                    .access
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| a.facility == Some(f) && a.time.is_some_and(|t| t <= cutoff))
                    .map(|(k, _)| self.population[k])
                    .sum();
                out.push(Catchment {
                    service: service.name.clone(),
                    facility: Some(f),
                    facility_id: Some(facilities[f as usize].id.clone()),
                    scope: Scope::Voronoi,
                    threshold: cutoff,
                    area_km2: polygon.chamberlain_duquette_unsigned_area() / 1e6,
                    polygon,
                    population,
                });
            }
        }
        let l = lipschitz(&trips, ctx, None);
        let d = grid.diagonal();
        let summary = ServiceGrid {
            service: service.name.clone(),
            cell_m: grid.cell.0,
            diagonal_m: d.0,
            points: points.len(),
            lipschitz_s_per_m: l,
            tolerance_min: l * d.0 / 60.0,
            facilities: if per_facility { facilities.len() } else { 0 },
        };
        Ok((grid, summary, out))
    }

    /// Facility `f`'s polygons, on a window of the service's `grid` whose
    /// snaps `snap` gives by grid index.
    fn facility(
        &self,
        f: usize,
        grid: &Grid,
        snap: &(dyn Fn(usize) -> Option<Snap> + Sync),
        trips: &crate::search::trip::Trips,
        pad_m: Meters,
    ) -> Result<Vec<Catchment>, IsochroneError> {
        let (model, service) = (self.model, self.service);
        let ctx = model.context(&service.profile);
        let cutoff = *self.thresholds.last().expect("thresholds are validated");
        let fac: &Facility = &self.access.facilities[f];
        let seeding = model.seeding(service, std::slice::from_ref(fac));
        let nearest = PointIndex::build(&seeding.positions);
        let network = trips.uses_network();
        let times_at = network.then(|| NodeTimes::search(&ctx.graph.reverse, &seeding, cutoff));
        let reverse = network.then_some(&ctx.graph.reverse);
        let reached = times_at.iter().flat_map(|n| n.nodes());
        let bounds = reach_bounds(model.net, reverse, reached, &seeding.positions)
            .expect("one facility")
            .padded(pad_m);
        let w = grid.window(bounds);
        let field = Field {
            model,
            service,
            labels: times_at.as_ref().map(|n| n as &(dyn Labels + Sync)),
            seeding: &seeding,
            nearest: &nearest,
        };
        let times: Vec<f64> = grid
            .points(w)
            .map(|(k, p)| field.time(p, snap(k)))
            .collect();
        // Settlements that may arrive within the cutoff: those in the box.
        let near: Vec<(usize, f64)> = model
            .settlements
            .iter()
            .enumerate()
            .filter(|(_, s)| s.valid && bounds.contains(s.settlement.pos))
            .map(|(k, s)| {
                let snap = ctx.settlement_snaps.get(k).copied().flatten();
                (k, field.time(s.settlement.pos, snap))
            })
            .collect();
        self.rows(Some(f as u32), grid, w, &times, |t| {
            near.iter()
                .filter(|(_, x)| *x <= t.0)
                .map(|(k, _)| self.population[*k])
                .sum()
        })
    }

    /// The rows of one field: a polygon per threshold.
    fn rows(
        &self,
        facility: Option<u32>,
        grid: &Grid,
        w: Window,
        times: &[f64],
        population: impl Fn(Seconds) -> f64,
    ) -> Result<Vec<Catchment>, IsochroneError> {
        let polys = grid::contours(grid, w, times, self.thresholds)?;
        Ok(polys
            .into_iter()
            .zip(self.thresholds)
            .map(|(polygon, &threshold)| Catchment {
                service: self.service.name.clone(),
                facility,
                facility_id: facility.map(|f| self.access.facilities[f as usize].id.clone()),
                scope: match facility {
                    Some(_) => Scope::Facility,
                    None => Scope::Service,
                },
                threshold,
                area_km2: polygon.chamberlain_duquette_unsigned_area() / 1e6,
                polygon,
                population: population(threshold),
            })
            .collect())
    }
}

/// `f` over `items`, in parallel or in order; the same result either way.
fn map<T: Sync, U: Send>(
    exec: Execution,
    items: &[T],
    f: impl Fn(&T) -> U + Sync + Send,
) -> Vec<U> {
    match exec {
        Execution::Parallel => items.par_iter().map(f).collect(),
        Execution::Sequential => items.iter().map(f).collect(),
    }
}

//! Sparse settlement → facility trip costs up to a cutoff, from the travel
//! model: one bounded search per facility, facilities in parallel.
//!
//! The cost of a pair is the travel model's trip time to *that* facility
//! (see [`crate::search::access`]), so the least cost over a settlement's
//! pairs is its nearest-facility time whenever that is within the cutoff:
//!
//! * **road run**: the faster of the road trip (off-road leg to the
//!   settlement's snap, along its segment to an end, the network, along the
//!   facility's segment, off-road leg to the facility; or along a shared
//!   segment) and the direct trip (straight line × circuity at the off-road
//!   speed, when the straight line is at most `max_direct_m`). The network
//!   part is a Dijkstra search on the profile's *reversed* graph seeded at
//!   the ends of the facility's segment (the trip runs settlement →
//!   facility), stopped at the cutoff. It runs on the graph's core for the
//!   settlements' exit nodes ([`crate::search::core`]): chains of shape
//!   points folded, the same times at the exit nodes bit for bit;
//! * **straight-line run** (no road layer): straight line × circuity at the
//!   profile's `no_road_kmh`; a `straight_line` service: the straight line
//!   at the off-road speed. Settlements within the cutoff's radius come from
//!   an R-tree, never a scan of all pairs.
//!
//! Costs are returned in minutes. Settlements with an invalid location have
//! no pair.

use rayon::prelude::*;

use super::fca::Pairs;
use crate::config::Service;
use crate::execution::Execution;
use crate::geometry::haversine;
use crate::index::PointIndex;
use crate::model::Facility;
use crate::search::access::{ProfileContext, TravelModel};
use crate::search::core::{CoreGraph, CoreSearch};
use crate::search::trip::{ExitIndex, Trips};
use crate::units::{Meters, Seconds};

/// Per-service data shared by every facility's search.
pub struct CostBuilder<'m, 'a> {
    model: &'m TravelModel<'a>,
    trips: Trips<'m>,
    /// The service's profile context.
    ctx: &'m ProfileContext,
    /// The valid settlements by position (the profile context's).
    settlements: &'m PointIndex,
    /// Where settlements join the network (the profile context's), for a
    /// service with road trips.
    exits: Option<&'m ExitIndex>,
    /// The reversed graph's core for those exits: the searches only read
    /// times at exit nodes.
    core: Option<&'m CoreGraph>,
}

/// Reusable per-thread buffers: the search's, its seeds, and settlement
/// costs reset through the list of what was reached.
struct Scratch {
    search: CoreSearch,
    seeds: Vec<(u32, f64)>,
    costs: Costs,
}

/// Least cost per settlement, reset through the list of what was reached.
struct Costs {
    cost: Vec<f64>,
    reached: Vec<u32>,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        std::mem::replace(&mut self.search, CoreSearch::new(0)).release();
    }
}

impl Costs {
    #[inline]
    fn relax(&mut self, i: u32, c: f64) {
        let k = i as usize;
        if self.cost[k].is_infinite() {
            self.reached.push(i);
        }
        if c < self.cost[k] {
            self.cost[k] = c;
        }
    }

    /// The settlements reached, by index, with costs in minutes; resets.
    fn take(&mut self) -> Vec<(u32, f64)> {
        self.reached.sort_unstable();
        let out = self
            .reached
            .iter()
            .map(|&i| (i, self.cost[i as usize] / 60.0))
            .collect();
        for &i in &self.reached {
            self.cost[i as usize] = f64::INFINITY;
        }
        self.reached.clear();
        out
    }
}

impl<'m, 'a> CostBuilder<'m, 'a> {
    /// Prepares the searches of `service` (its profile must be in `model`):
    /// the settlement indices come from the profile's context, built once.
    pub fn new(model: &'m TravelModel<'a>, service: &Service) -> Self {
        let trips = model.trips(service);
        let ctx = model.context(&service.profile);
        let exits = trips
            .uses_network()
            .then(|| ctx.exits(&trips, model.settlements));
        CostBuilder {
            model,
            trips,
            ctx,
            settlements: ctx.settlement_points(model.settlements),
            exits,
            core: exits.map(|e| ctx.core(e)),
        }
    }

    /// Settlements within `radius` of `f` by great circle, with that distance.
    fn near(&self, f: &Facility, radius: Meters) -> impl Iterator<Item = (u32, Meters)> + '_ {
        let pos = f.pos;
        let settlements = self.model.settlements;
        self.settlements
            .within(pos, radius)
            .map(move |i| (i, haversine(settlements[i as usize].settlement.pos, pos)))
            .filter(move |(_, d)| d.0 <= radius.0)
    }

    /// Every settlement within `cutoff` of facility `f`, with its trip cost
    /// in minutes, by settlement index.
    fn facility_row(&self, f: &Facility, cutoff: Seconds, s: &mut Scratch) -> Vec<(u32, f64)> {
        let c0 = cutoff.0;
        let settlements = self.model.settlements;
        let costs = &mut s.costs;
        for (i, d) in self.near(f, self.trips.direct_radius(cutoff)) {
            let from = settlements[i as usize].settlement.pos;
            if let Some((t, _, _)) = self.trips.direct(from, f.pos, d) {
                if t <= c0 {
                    costs.relax(i, t);
                }
            }
        }
        let (Some(exits), Some(core)) = (self.exits, self.core) else {
            return costs.take();
        };
        // Road trips: the facility's placement seeds a search on the
        // reversed graph.
        let ctx = self.ctx;
        let Some(fp) = self.trips.place_facility(f.pos, ctx.snap_facility(f.pos)) else {
            return costs.take();
        };
        s.seeds.clear();
        s.seeds
            .extend(self.trips.facility_entries(fp).map(|e| (e.node, e.time_s)));
        s.search
            .run(core, &ctx.graph.reverse, &s.seeds, c0, |v, t| {
                for &(i, cx) in exits.at_node(v) {
                    let c = cx + t;
                    if c <= c0 {
                        costs.relax(i, c);
                    }
                }
            });
        // Settlement and facility on the same segment, along it.
        for &(i, sp) in exits.on_segment(fp.snap.segment) {
            if let Some((c, _)) = self.trips.same_segment(sp, fp) {
                if c <= c0 {
                    costs.relax(i, c);
                }
            }
        }
        costs.take()
    }

    fn scratch(&self) -> Scratch {
        Scratch {
            search: CoreSearch::pooled(self.core.map_or(0, CoreGraph::node_count)),
            seeds: Vec::new(),
            costs: Costs {
                cost: vec![f64::INFINITY; self.model.settlements.len()],
                reached: Vec::new(),
            },
        }
    }

    /// The cost rows of `facilities` within `cutoff` (minutes, by
    /// settlement): facilities in parallel (rayon), or one after another
    /// for [`Execution::Sequential`] (the reference; both give the same
    /// rows).
    pub fn rows(
        &self,
        facilities: &[Facility],
        cutoff: Seconds,
        exec: Execution,
    ) -> Vec<Vec<(u32, f64)>> {
        // A hair of slack so that pairs exactly at the cutoff in minutes are
        // not lost converting seconds; the methods apply the cutoff exactly.
        let cutoff = Seconds(cutoff.0 * (1.0 + 1e-12));
        match exec {
            Execution::Parallel => facilities
                .par_iter()
                .map_init(|| self.scratch(), |s, f| self.facility_row(f, cutoff, s))
                .collect(),
            Execution::Sequential => {
                let mut s = self.scratch();
                facilities
                    .iter()
                    .map(|f| self.facility_row(f, cutoff, &mut s))
                    .collect()
            }
        }
    }

    /// The pairs of every facility within `cutoff` (see [`CostBuilder::rows`]).
    pub fn pairs(&self, facilities: &[Facility], cutoff: Seconds, exec: Execution) -> Pairs {
        Pairs::from_rows(
            self.model.settlements.len(),
            self.rows(facilities, cutoff, exec),
        )
    }
}

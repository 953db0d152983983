//! The trip-time field: the trip model's time from a grid point to a
//! service's facilities, exactly as for a settlement there
//! ([`TravelModel::place_access`]), and the box it can be finite in.

use rustc_hash::FxHashMap;

use crate::index::{PointIndex, RoadNetwork, SearchGraph, Snap};
use crate::model::LonLat;
use crate::search::access::{Labels, ProfileContext, Seeding, TravelModel};
use crate::search::bounded::BoundedSearch;
use crate::search::trip::Trips;
use crate::units::{Meters, Seconds};

use super::grid::Bounds;

/// Node times of one facility's bounded search: the labels of a search
/// seeded by that facility alone (source 0; lengths are not tracked).
pub(super) struct NodeTimes(FxHashMap<u32, f64>);

impl Labels for NodeTimes {
    fn label(&self, v: u32) -> Option<(f64, f64, u32)> {
        self.0.get(&v).map(|&t| (t, f64::NAN, 0))
    }
}

impl NodeTimes {
    /// The nodes reached within `cutoff` from `seeding`'s seeds on the
    /// reversed graph `reverse`, with their times.
    pub(super) fn search(reverse: &SearchGraph, seeding: &Seeding, cutoff: Seconds) -> Self {
        let seeds: Vec<(u32, f64)> = seeding.seeds.iter().map(|s| (s.node, s.time_s)).collect();
        let mut map = FxHashMap::default();
        let mut search = BoundedSearch::pooled(reverse.node_count());
        search.run(reverse, &seeds, cutoff.0, |v, t| {
            map.insert(v, t);
        });
        search.release();
        NodeTimes(map)
    }

    /// The nodes reached.
    pub(super) fn nodes(&self) -> impl Iterator<Item = u32> + '_ {
        self.0.keys().copied()
    }
}

/// The box of `reached` nodes and of the far end of every arc leaving
/// them on the reversed graph (a place snapped on such a segment joins
/// the network at the reached node), and of the facilities at `sites`.
pub(super) fn reach_bounds(
    net: &RoadNetwork,
    reverse: Option<&SearchGraph>,
    reached: impl Iterator<Item = u32>,
    sites: &[LonLat],
) -> Option<Bounds> {
    let mut pts: Vec<LonLat> = sites.to_vec();
    if let Some(g) = reverse {
        for v in reached {
            pts.push(net.nodes[v as usize]);
            pts.extend(g.arcs(v).iter().map(|a| net.nodes[a.head as usize]));
        }
    }
    Bounds::of(pts)
}

/// How far beyond the reached nodes and the facilities a place may lie and
/// still arrive within `cutoff`: a direct trip's reach, or the snap
/// distance onto a reached segment.
pub(super) fn pad(trips: &Trips, max_snap: Meters, cutoff: Seconds) -> Meters {
    let direct = trips.direct_radius(cutoff).0;
    let snap = if trips.uses_network() {
        max_snap.0
    } else {
        0.0
    };
    Meters(direct.max(snap).max(0.0))
}

/// An upper bound, seconds per metre, on how fast the trip time changes
/// with the position of the place where the field is continuous (no snap
/// onto another segment, no crossing of `max_snap_m` or `max_direct_m`):
/// a direct trip's `circuity / speed`, and a road trip's off-road leg plus
/// its run along the snapped segment, `1 / v_offroad + 1 / v_segment`, for
/// places snapped onto `segment` (`None`: the profile's slowest segment,
/// the bound everywhere). Flat speeds: over a DEM's slopes the off-road
/// legs change faster.
pub fn lipschitz(trips: &Trips, ctx: &ProfileContext, segment: Option<u32>) -> f64 {
    let reach = trips.direct_radius(Seconds(1.0)).0;
    let direct = if reach > 0.0 { 1.0 / reach } else { 0.0 };
    if !trips.uses_network() {
        return direct;
    }
    let offroad = ctx.profile.offroad().0 / 3.6;
    let uses = &ctx.graph.segment_use;
    let speed = match segment {
        Some(s) => uses[s as usize].map_or(f64::INFINITY, |u| u.speed.0 / 3.6),
        None => uses
            .iter()
            .flatten()
            .map(|u| u.speed.0 / 3.6)
            .fold(f64::INFINITY, f64::min),
    };
    let road = 1.0 / offroad + if speed > 0.0 { 1.0 / speed } else { 0.0 };
    direct.max(road)
}

/// What a point's trip reads: the search labels (a road trip), the
/// facilities' seeding and an index of their positions.
pub(super) struct Field<'a> {
    pub model: &'a TravelModel<'a>,
    pub service: &'a crate::config::Service,
    pub labels: Option<&'a (dyn Labels + Sync)>,
    pub seeding: &'a Seeding,
    pub nearest: &'a PointIndex,
}

impl Field<'_> {
    /// Seconds from a place at `pos` snapped at `snap` to the nearest
    /// facility (`+∞`: none reachable).
    pub(super) fn time(&self, pos: LonLat, snap: Option<Snap>) -> f64 {
        self.trip(pos, snap).0
    }

    /// [`Field::time`] and the facility reached (its index in the seeding).
    pub(super) fn trip(&self, pos: LonLat, snap: Option<Snap>) -> (f64, Option<u32>) {
        let a = self.model.place_access(
            self.service,
            pos,
            snap,
            self.labels.map(|l| l as &dyn Labels),
            self.seeding,
            self.nearest,
        );
        (a.time.map_or(f64::INFINITY, |t| t.0), a.facility)
    }
}

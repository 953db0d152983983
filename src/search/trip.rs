//! The trip model: how a trip from a settlement to a facility is costed.
//! Nearest-facility access ([`super::access`]) and catchment cost lists
//! (`catchment::costs`) both cost trips here, so they cannot disagree.
//!
//! A trip is the better (less time) of:
//!
//! * **road**: an off-road leg from the settlement to its snap on the nearest
//!   usable segment, along that segment to one of its ends (as its
//!   directions allow), the network, along the facility's segment from one
//!   of its ends, and an off-road leg to the facility; or, when both are
//!   snapped on the same segment, along it directly;
//! * **direct**: the great-circle distance × `circuity` at the off-road
//!   speed, when the great-circle distance is at most `max_direct_m`.
//!
//! A run without roads is *straight line only*: distance × `circuity` at the
//! profile's `no_road_kmh`, with no cap. A `straight_line` service measures
//! the great-circle distance itself, timed at the off-road speed.
//!
//! Every off-road leg and direct trip (a no-road trip too) runs from the
//! settlement towards the facility (settlement → snap, snap → facility,
//! settlement → facility), and is timed by [`OffRoad`]: a constant speed,
//! or with a `[terrain]` DEM, [`Sloped`]: the same flat speed over the DEM's
//! slopes by Tobler's hiking function ([`crate::terrain`]), so uphill and
//! downhill differ. Over terrain the nearest facility need not be the
//! quickest to reach directly ([`Trips::quickest_direct`]). A
//! `straight_line` service stays a constant-speed measure of distance.
//!
//! With barriers (`[barriers]`, held by the profile context), no off-road
//! leg or direct trip crosses a barrier line or enters a barrier polygon:
//! snaps are to the nearest road a straight leg reaches without crossing
//! one ([`ProfileContext::snap`]), a direct trip across one does not exist
//! ([`Trips::direct`]), and the direct trip goes to the nearest facility
//! reached without crossing ([`Trips::quickest_direct`]). A run without
//! roads has no bridge: a trip across a barrier does not exist there. A
//! `straight_line` service, a distance as the crow flies, ignores them.
//!
//! Time sums are formed in one order everywhere — `(leg + along) + network`,
//! `(leg + along) + leg` — so the same trip costs the same bits whichever
//! search reaches it.

use std::collections::HashMap;

use crate::config::Travel;
use crate::geometry::{chord_to_meters, from_unit, haversine, to_unit};
use crate::index::graph::segment_time;
use crate::index::{BarrierIndex, PointIndex, RoadNetwork, Snap};
use crate::model::LonLat;
use crate::terrain::{tobler, Terrain};
use crate::units::{KmPerHour, Meters, Seconds};

use super::access::{ProfileContext, Via};

/// Time off the road network: a constant speed per profile
/// ([`KmPerHour`]), or that speed over terrain ([`Sloped`]).
pub trait OffRoad: Sync {
    /// Time to cover `dist` off-road on the flat.
    fn time(&self, dist: Meters) -> Seconds;

    /// Time to cover `dist` off-road from `from` to `to` (direction
    /// matters on a slope); by default the flat time.
    fn leg(&self, from: LonLat, to: LonLat, dist: Meters) -> Seconds {
        let _ = (from, to);
        self.time(dist)
    }

    /// The largest ratio of [`OffRoad::leg`]'s speed to the flat speed: it
    /// bounds how far a trip gets in a given time.
    fn max_speedup(&self) -> f64 {
        1.0
    }
}

impl OffRoad for KmPerHour {
    fn time(&self, dist: Meters) -> Seconds {
        self.time_for(dist)
    }
}

/// A flat speed over a DEM's slopes (Tobler's hiking function as a ratio to
/// the flat; see [`crate::terrain`]).
pub struct Sloped<'t> {
    /// Speed on flat ground.
    pub speed: KmPerHour,
    /// The DEM.
    pub terrain: &'t Terrain,
}

impl OffRoad for Sloped<'_> {
    fn time(&self, dist: Meters) -> Seconds {
        self.speed.time_for(dist)
    }

    fn leg(&self, from: LonLat, to: LonLat, dist: Meters) -> Seconds {
        self.terrain.leg(self.speed, from, to, dist)
    }

    fn max_speedup(&self) -> f64 {
        tobler::max_factor()
    }
}

/// A point where a trip enters or leaves the network: node, seconds and
/// metres between the place and the node.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Entry {
    /// Network node.
    pub node: u32,
    /// Seconds between the place and the node.
    pub time_s: f64,
    /// Metres between the place and the node.
    pub dist_m: f64,
}

/// A place snapped onto a segment, with its off-road leg.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    /// The snap.
    pub snap: Snap,
    /// Off-road leg, seconds.
    pub leg_s: f64,
    /// Off-road leg, metres.
    pub leg_m: f64,
}

/// The trip model of one profile on one network.
pub struct Trips<'m> {
    net: &'m RoadNetwork,
    ctx: &'m ProfileContext,
    travel: Travel,
    straight_line_service: bool,
    terrain: Option<&'m Terrain>,
}

impl<'m> Trips<'m> {
    /// The trip model of `ctx`'s profile; `straight_line_service` for a
    /// service that measures the great-circle distance only; `terrain` times
    /// off-road travel over a DEM.
    pub fn new(
        net: &'m RoadNetwork,
        ctx: &'m ProfileContext,
        travel: Travel,
        straight_line_service: bool,
        terrain: Option<&'m Terrain>,
    ) -> Self {
        Trips {
            net,
            ctx,
            travel,
            straight_line_service,
            terrain,
        }
    }

    /// The barriers off-road legs and direct trips may not cross: the
    /// profile's, except for a `straight_line` service (a distance as the
    /// crow flies, not a trip).
    pub fn barriers(&self) -> Option<&'m BarrierIndex> {
        match self.straight_line_service {
            true => None,
            false => self.ctx.barriers(),
        }
    }

    /// Whether direct trips are timed over terrain (then a farther facility
    /// can be the quicker one).
    pub fn sloped_direct(&self) -> bool {
        self.terrain.is_some() && !self.straight_line_service
    }

    /// The off-road cost at flat speed `speed`.
    fn offroad(&self, speed: KmPerHour) -> Box<dyn OffRoad + '_> {
        match self.terrain {
            Some(terrain) => Box::new(Sloped { speed, terrain }),
            None => Box::new(speed),
        }
    }

    /// The position of a snap on its segment.
    fn snap_point(&self, sn: Snap) -> LonLat {
        let [a, b] = self.net.segment_ends(sn.segment).map(to_unit);
        from_unit([
            a[0] + sn.t * (b[0] - a[0]),
            a[1] + sn.t * (b[1] - a[1]),
            a[2] + sn.t * (b[2] - a[2]),
        ])
    }

    /// The profile context the trips run on.
    pub fn context(&self) -> &'m ProfileContext {
        self.ctx
    }

    /// Whether the run has no road at all.
    pub fn straight_line_only(&self) -> bool {
        self.net.segment_count() == 0
    }

    /// Whether trips use the network (a road run, a service that is not
    /// `straight_line`).
    pub fn uses_network(&self) -> bool {
        !self.straight_line_service && !self.straight_line_only()
    }

    /// Seconds and metres along `frac` of `segment`, travelled forwards
    /// (from its `a` towards its `b`) or not.
    pub fn along(&self, segment: u32, frac: f64, forward: bool) -> (f64, f64) {
        let s = self.net.segment(segment);
        let g = &self.ctx.graph;
        let usage = g.segment_use[segment as usize].expect("snaps only land on usable segments");
        let d = frac * s.len_m;
        let t = segment_time(
            self.net,
            g.sloped,
            segment as usize,
            usage,
            Meters(d),
            forward,
        );
        (t, d)
    }

    /// A settlement at `pos` snapped at `snap`, when it is within
    /// `max_snap_m`, with its off-road leg from `pos` to the road.
    pub fn place_settlement(&self, pos: LonLat, snap: Option<Snap>) -> Option<Placed> {
        self.place(snap, |sn| (pos, self.snap_point(sn)))
    }

    /// A facility at `pos` snapped at `snap`, when it is within
    /// `max_snap_m`, with its off-road leg from the road to `pos`.
    pub fn place_facility(&self, pos: LonLat, snap: Option<Snap>) -> Option<Placed> {
        self.place(snap, |sn| (self.snap_point(sn), pos))
    }

    /// `snap` within `max_snap_m`, its leg between the ends `ends` gives
    /// (computed only over terrain).
    fn place(&self, snap: Option<Snap>, ends: impl Fn(Snap) -> (LonLat, LonLat)) -> Option<Placed> {
        let sn = snap.filter(|s| s.offroad.0 <= self.travel.max_snap_m)?;
        let speed = self.ctx.profile.offroad();
        let leg_s = match self.terrain {
            None => speed.time(sn.offroad),
            Some(_) => {
                let (from, to) = ends(sn);
                self.offroad(speed).leg(from, to, sn.offroad)
            }
        };
        Some(Placed {
            snap: sn,
            leg_s: leg_s.0,
            leg_m: sn.offroad.0,
        })
    }

    /// Where a trip *to* a facility placed at `p` leaves the network: the
    /// ends of its segment from which the segment may be travelled to it.
    /// These seed the search on the reversed graph.
    pub fn facility_entries(&self, p: Placed) -> impl Iterator<Item = Entry> + '_ {
        let sn = p.snap;
        let seg = self.net.segment(sn.segment);
        let usage = self.ctx.graph.segment_use[sn.segment as usize].expect("usable");
        [
            (usage.forward, seg.a, sn.t, true),
            (usage.backward, seg.b, 1.0 - sn.t, false),
        ]
        .into_iter()
        .filter(|e| e.0)
        .map(move |(_, node, frac, forward)| {
            let (t, d) = self.along(sn.segment, frac, forward);
            Entry {
                node,
                time_s: p.leg_s + t,
                dist_m: p.leg_m + d,
            }
        })
    }

    /// Where a trip *from* a settlement placed at `p` joins the network: the
    /// ends of its segment it may travel to.
    pub fn settlement_exits(&self, p: Placed) -> impl Iterator<Item = Entry> + '_ {
        let sn = p.snap;
        let seg = self.net.segment(sn.segment);
        let usage = self.ctx.graph.segment_use[sn.segment as usize].expect("usable");
        [
            (usage.forward, seg.b, 1.0 - sn.t, true),
            (usage.backward, seg.a, sn.t, false),
        ]
        .into_iter()
        .filter(|e| e.0)
        .map(move |(_, node, frac, forward)| {
            let (t, d) = self.along(sn.segment, frac, forward);
            Entry {
                node,
                time_s: p.leg_s + t,
                dist_m: p.leg_m + d,
            }
        })
    }

    /// A trip along one shared segment from settlement `s` to facility `f`
    /// (seconds, metres), when the segment's directions allow it.
    pub fn same_segment(&self, s: Placed, f: Placed) -> Option<(f64, f64)> {
        if s.snap.segment != f.snap.segment {
            return None;
        }
        let usage = self.ctx.graph.segment_use[s.snap.segment as usize].expect("usable");
        let (ts, tf) = (s.snap.t, f.snap.t);
        let forward = tf >= ts && usage.forward;
        let ok = forward || (tf <= ts && usage.backward);
        ok.then(|| {
            let (t, d) = self.along(s.snap.segment, (tf - ts).abs(), forward);
            (s.leg_s + t + f.leg_s, s.leg_m + d + f.leg_m)
        })
    }

    /// The speed, circuity and great-circle cap of trips that do not use the
    /// network.
    fn straight(&self) -> (KmPerHour, f64, f64) {
        let offroad = self.ctx.profile.offroad();
        if self.straight_line_service {
            (offroad, 1.0, f64::INFINITY)
        } else if self.straight_line_only() {
            (
                KmPerHour(self.ctx.profile.no_road_kmh),
                self.travel.circuity,
                f64::INFINITY,
            )
        } else {
            (offroad, self.travel.circuity, self.travel.max_direct_m)
        }
    }

    /// The trip that does not use the network from `from` to `to`, at
    /// great-circle distance `d`: `(seconds, metres, via)`, or `None` beyond
    /// `max_direct_m` or when the straight line crosses a barrier (also in a
    /// run without roads: there is no bridge to detour over).
    pub fn direct(&self, from: LonLat, to: LonLat, d: Meters) -> Option<(f64, f64, Via)> {
        let (speed, circuity, cap) = self.straight();
        if d.0 > cap {
            return None;
        }
        if self.barriers().is_some_and(|b| b.blocks(from, to)) {
            return None;
        }
        let via = if self.straight_line_service || self.straight_line_only() {
            Via::StraightLine
        } else {
            Via::Direct
        };
        let m = d.0 * circuity;
        let t = match self.sloped_direct() {
            true => self.offroad(speed).leg(from, to, Meters(m)),
            false => speed.time(Meters(m)),
        };
        Some((t.0, m, via))
    }

    /// The direct trip from `pos` to the nearest of the facilities at
    /// `positions` (indexed by `nearest`): `(time_s, facility, dist_m, via)`.
    /// Over terrain the nearest need not be the quickest: every facility a
    /// trip could reach at the fastest slope in the nearest's time is timed,
    /// by great-circle distance as the catchment costs do, and the quickest
    /// wins (ties to the lowest index).
    pub fn quickest_direct(
        &self,
        pos: LonLat,
        nearest: &PointIndex,
        positions: &[LonLat],
    ) -> Option<(f64, u32, f64, Via)> {
        let (f, d) = match self.barriers() {
            None => nearest.nearest(pos)?,
            Some(b) => self.nearest_clear(pos, nearest, positions, b)?,
        };
        if !self.sloped_direct() {
            return self
                .direct(pos, positions[f as usize], d)
                .map(|(t, m, via)| (t, f, m, via));
        }
        let timed = |g: u32| {
            let to = positions[g as usize];
            self.direct(pos, to, haversine(pos, to))
                .map(|(t, m, via)| (t, g, m, via))
        };
        let first = timed(f)?;
        let mut best = first;
        for g in nearest.within(pos, self.direct_radius(Seconds(first.0))) {
            if let Some(c) = timed(g) {
                if c.0 < best.0 || (c.0 == best.0 && c.1 < best.1) {
                    best = c;
                }
            }
        }
        Some(best)
    }

    /// The nearest facility a straight line from `pos` reaches without
    /// crossing a barrier, within the direct cap (ties to the lowest index).
    fn nearest_clear(
        &self,
        pos: LonLat,
        nearest: &PointIndex,
        positions: &[LonLat],
        barriers: &BarrierIndex,
    ) -> Option<(u32, Meters)> {
        let cap = self.straight().2;
        let mut best: Option<(f64, u32)> = None;
        for (g, d2) in nearest.nearest_first(pos) {
            match best {
                Some((bd2, _)) if d2 > bd2 => break,
                Some((_, bi)) if g > bi => continue,
                None if chord_to_meters(d2.sqrt()).0 > cap => break,
                _ => {}
            }
            if !barriers.blocks(pos, positions[g as usize]) {
                best = Some((d2, g));
            }
        }
        best.map(|(d2, g)| (g, chord_to_meters(d2.sqrt())))
    }

    /// The largest great-circle distance a direct trip of at most `cutoff`
    /// can cover.
    pub fn direct_radius(&self, cutoff: Seconds) -> Meters {
        let (speed, circuity, cap) = self.straight();
        let fastest = match self.sloped_direct() {
            true => speed.0 * self.offroad(speed).max_speedup(),
            false => speed.0,
        };
        Meters((cutoff.0 * fastest / 3.6 / circuity).min(cap))
    }
}

/// Gives `net` the slope factors of every segment over `terrain`, both
/// ways ([`Terrain::slope_factor`], in parallel), for the profiles named in
/// `profiles`; nothing when `profiles` is empty.
pub fn slope_network(net: &mut RoadNetwork, terrain: &Terrain, profiles: &[String]) {
    use rayon::prelude::*;
    if profiles.is_empty() {
        return;
    }
    let nodes = &net.nodes;
    net.slope = net
        .segments
        .par_iter()
        .map(|s| {
            let (a, b) = (nodes[s.a as usize], nodes[s.b as usize]);
            [terrain.slope_factor(a, b), terrain.slope_factor(b, a)]
        })
        .collect();
    net.slope_profiles = profiles.to_vec();
}

/// Where every placed settlement joins one profile's network: by node, the
/// settlements that exit there with the seconds to reach it; by segment,
/// the settlements placed on it. It depends on the settlements and the trip
/// model only, so a profile context builds it once
/// ([`ProfileContext::exits`]) for every facility's search and scenario.
pub struct ExitIndex {
    /// `exits[first[v]..first[v + 1]]` exit at node `v`.
    first: Vec<u32>,
    exits: Vec<(u32, f64)>,
    on_segment: HashMap<u32, Vec<(u32, Placed)>>,
}

impl ExitIndex {
    /// Indexes the settlements whose snap `snaps[i]` places on `trips`'
    /// network and whose position `pos(i)` is valid (`Some`); `nodes` is the
    /// graph's node count.
    pub fn build(
        trips: &Trips,
        snaps: &[Option<Snap>],
        pos: impl Fn(usize) -> Option<LonLat>,
        nodes: usize,
    ) -> Self {
        let mut list: Vec<(u32, u32, f64)> = Vec::new();
        let mut on_segment: HashMap<u32, Vec<(u32, Placed)>> = HashMap::new();
        for (i, snap) in snaps.iter().enumerate() {
            let Some(at) = pos(i) else {
                continue;
            };
            let Some(p) = trips.place_settlement(at, *snap) else {
                continue;
            };
            for e in trips.settlement_exits(p) {
                list.push((e.node, i as u32, e.time_s));
            }
            on_segment
                .entry(p.snap.segment)
                .or_default()
                .push((i as u32, p));
        }
        list.sort_by_key(|x| (x.0, x.1));
        let mut first = vec![0u32; nodes + 1];
        for e in &list {
            first[e.0 as usize + 1] += 1;
        }
        for v in 0..nodes {
            first[v + 1] += first[v];
        }
        ExitIndex {
            first,
            exits: list.into_iter().map(|(_, i, c)| (i, c)).collect(),
            on_segment,
        }
    }

    /// The settlements exiting at node `v`, with the seconds from each to
    /// `v`, by settlement.
    pub fn at_node(&self, v: u32) -> &[(u32, f64)] {
        let (a, b) = (self.first[v as usize], self.first[v as usize + 1]);
        &self.exits[a as usize..b as usize]
    }

    /// Whether some settlement exits at node `v`.
    pub fn is_exit(&self, v: u32) -> bool {
        self.first[v as usize] < self.first[v as usize + 1]
    }

    /// The settlements placed on segment `s`, with their placement.
    pub fn on_segment(&self, s: u32) -> &[(u32, Placed)] {
        self.on_segment.get(&s).map_or(&[], Vec::as_slice)
    }
}

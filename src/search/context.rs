//! One profile's prepared indices on a network: its graph, the R-tree of
//! the segments it may use, every settlement's snap and the known
//! facilities' snaps, built once and shared (a scenario swaps only the
//! contexts it edits). With barriers, every snap is to the nearest road a
//! straight leg reaches without crossing one.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use super::core::CoreGraph;
use super::trip::{ExitIndex, Trips};
use crate::config::Profile;
use crate::index::{
    BarrierIndex, PointIndex, ProfileGraph, RoadNetwork, SegmentIndex, SegmentUses, Snap,
};
use crate::load::LoadedSettlement;
use crate::model::LonLat;
use crate::units::Meters;

/// The barriers a profile's off-road legs may not cross, and how far a
/// place looks for a road it can reach without crossing one.
#[derive(Clone)]
pub struct Blocking {
    /// The barriers.
    pub barriers: Arc<BarrierIndex>,
    /// How far a snap may look (`max_snap_m`): a place whose every road
    /// within it lies across a barrier is off the network.
    pub reach: Meters,
}

/// One profile's indices and the snap of every settlement.
pub struct ProfileContext {
    /// The profile.
    pub profile: Profile,
    /// Its graph.
    pub graph: ProfileGraph,
    /// An R-tree of (at least) the segments usable in `graph`; snaps skip
    /// the others (see [`ProfileContext::snap`]). `None` once released
    /// ([`ProfileContext::release_segment_index`]).
    segments: Option<Arc<SegmentIndex>>,
    /// Snap of each settlement (`None`: invalid position, or no usable road).
    pub settlement_snaps: Vec<Option<Snap>>,
    /// Snaps of the facilities known when the context was built, by
    /// position (a snap depends on the position only).
    facility_snaps: HashMap<(u64, u64), Option<Snap>>,
    /// The valid settlements by position, built on first use.
    settlement_points: OnceLock<PointIndex>,
    /// Where the settlements join the network, built on first use.
    exits: OnceLock<ExitIndex>,
    /// The reversed graph's core for the settlements' exit nodes, built on
    /// first use.
    core: OnceLock<CoreGraph>,
    /// Barriers that off-road legs may not cross (none: `None`).
    blocking: Option<Blocking>,
}

impl ProfileContext {
    /// Builds `profile`'s graph and segment index on `net`, snaps every
    /// valid settlement and every position of `facilities`.
    pub fn build(
        net: &RoadNetwork,
        profile: Profile,
        settlements: &[LoadedSettlement],
        facilities: &[LonLat],
    ) -> Self {
        Self::build_blocked(net, profile, settlements, facilities, None)
    }

    /// As [`ProfileContext::build`], with off-road legs barred from crossing
    /// `blocking`'s barriers: every place snaps to the nearest road it
    /// reaches without crossing one (see [`ProfileContext::snap`]).
    pub fn build_blocked(
        net: &RoadNetwork,
        profile: Profile,
        settlements: &[LoadedSettlement],
        facilities: &[LonLat],
        blocking: Option<Blocking>,
    ) -> Self {
        let graph = ProfileGraph::build(net, &profile);
        Self::with_graph_blocked(net, profile, graph, settlements, facilities, blocking)
    }

    /// As [`ProfileContext::build`], with the graph given (a scenario's
    /// edited graph).
    pub fn with_graph(
        net: &RoadNetwork,
        profile: Profile,
        graph: ProfileGraph,
        settlements: &[LoadedSettlement],
        facilities: &[LonLat],
    ) -> Self {
        Self::with_graph_blocked(net, profile, graph, settlements, facilities, None)
    }

    /// As [`ProfileContext::with_graph`], with barriers (see
    /// [`ProfileContext::build_blocked`]).
    pub fn with_graph_blocked(
        net: &RoadNetwork,
        profile: Profile,
        graph: ProfileGraph,
        settlements: &[LoadedSettlement],
        facilities: &[LonLat],
        blocking: Option<Blocking>,
    ) -> Self {
        let segments = Arc::new(SegmentIndex::build(net, &graph));
        Self::with_segments(profile, graph, segments, settlements, facilities, blocking)
    }

    /// As [`ProfileContext::with_graph_blocked`], snapping on `segments`, an
    /// index of at least the joinable segments `graph` uses (shared by the
    /// profiles of a study: one R-tree instead of one per profile, the same
    /// snaps).
    pub fn with_segments(
        profile: Profile,
        graph: ProfileGraph,
        segments: Arc<SegmentIndex>,
        settlements: &[LoadedSettlement],
        facilities: &[LonLat],
        blocking: Option<Blocking>,
    ) -> Self {
        let snaps = Snaps::compute(
            &segments,
            &graph.segment_use,
            blocking.as_ref(),
            settlements,
            facilities,
        );
        Self::from_parts(profile, graph, Some(segments), snaps, blocking)
    }

    /// A context from its parts: `snaps` made on `graph`'s usable segments
    /// with `blocking` ([`Snaps::compute`]); `segments`, the R-tree they were
    /// made on, or `None` when it is gone already (as after
    /// [`ProfileContext::release_segment_index`]).
    pub fn from_parts(
        profile: Profile,
        graph: ProfileGraph,
        segments: Option<Arc<SegmentIndex>>,
        snaps: Snaps,
        blocking: Option<Blocking>,
    ) -> Self {
        ProfileContext {
            profile,
            graph,
            segments,
            settlement_snaps: snaps.settlements,
            facility_snaps: snaps.facilities,
            settlement_points: OnceLock::new(),
            exits: OnceLock::new(),
            core: OnceLock::new(),
            blocking: blocking.filter(|b| !b.barriers.is_empty()),
        }
    }

    /// `base`'s context with `graph`, an edited graph of the same network
    /// `net`. When no segment unusable in `base` became usable (roads closed
    /// or slowed), `base`'s segment index is shared and only the places
    /// that snapped to a segment `graph` no longer uses are snapped again;
    /// otherwise the context is built afresh ([`ProfileContext::with_graph`]).
    /// Either way, the same context as `with_graph` on the same inputs.
    pub fn edited(
        base: &ProfileContext,
        net: &RoadNetwork,
        graph: ProfileGraph,
        settlements: &[LoadedSettlement],
        facilities: &[LonLat],
    ) -> Self {
        let opened = graph
            .segment_use
            .iter()
            .zip(base.graph.segment_use.iter())
            .any(|(now, was)| now.is_some() && was.is_none());
        if opened
            || graph.segment_use.len() != base.graph.segment_use.len()
            || base.segments.is_none()
        {
            return Self::with_graph_blocked(
                net,
                base.profile.clone(),
                graph,
                settlements,
                facilities,
                base.blocking.clone(),
            );
        }
        let mut ctx = ProfileContext {
            profile: base.profile.clone(),
            graph,
            segments: base.segments.clone(),
            settlement_snaps: Vec::new(),
            facility_snaps: HashMap::new(),
            settlement_points: OnceLock::new(),
            exits: OnceLock::new(),
            core: OnceLock::new(),
            blocking: base.blocking.clone(),
        };
        // A snap whose segment is still usable stays the nearest: the
        // usable set only shrank (and what a leg crosses did not change).
        let keep = |old: Option<Snap>, p: LonLat| match old {
            Some(s) if ctx.graph.segment_use[s.segment as usize].is_none() => ctx.snap(p),
            other => other,
        };
        let settlement_snaps = settlements
            .par_iter()
            .zip(&base.settlement_snaps)
            .map(|(s, &old)| keep(old, s.settlement.pos))
            .collect();
        let facility_snaps = facilities
            .par_iter()
            .map(|&p| {
                let old = match base.facility_snaps.get(&p.bits()) {
                    Some(&s) => s,
                    None => base.snap(p),
                };
                (p.bits(), keep(old, p))
            })
            .collect();
        ctx.settlement_snaps = settlement_snaps;
        ctx.facility_snaps = facility_snaps;
        ctx
    }

    /// The nearest point of the nearest segment this profile can use; with
    /// barriers, of the nearest one whose off-road leg from `p` crosses
    /// none, within `max_snap_m` (a village across a river from the
    /// nearest road snaps to a road on its own bank).
    ///
    /// After [`ProfileContext::release_segment_index`] only the positions
    /// snapped when the context was built can be snapped (through
    /// [`ProfileContext::snap_facility`] and `settlement_snaps`); any other
    /// is `None`.
    pub fn snap(&self, p: LonLat) -> Option<Snap> {
        let segments = self.segment_index()?;
        snap_on(segments, &self.graph.segment_use, self.blocking.as_ref(), p)
    }

    /// The snap of `p` as if there were no barrier.
    pub fn snap_unblocked(&self, p: LonLat) -> Option<Snap> {
        snap_on(self.segment_index()?, &self.graph.segment_use, None, p)
    }

    /// How many valid `settlements` (those the context was built with)
    /// barriers made snap elsewhere than they would with none.
    pub fn moved_by_barriers(&self, settlements: &[LoadedSettlement]) -> usize {
        count_moved(settlements, &self.settlement_snaps, |p| {
            self.snap_unblocked(p)
        })
    }

    /// The segment R-tree, unless released (a debug build stops there:
    /// a snap after the release is a caller's mistake).
    fn segment_index(&self) -> Option<&SegmentIndex> {
        debug_assert!(
            self.segments.is_some(),
            "a snap of a new position after the segment index was released"
        );
        self.segments.as_deref()
    }

    /// Drops this context's hold on the segment R-tree (about 35 bytes a
    /// road node on a national extract) once every position it will be
    /// asked to snap has been snapped: a run that no scenario and no
    /// catchment polygon follows snaps only the known facilities and the
    /// `settlements` the context was built with (gravity's centres are
    /// settlements placed as facilities), whose snaps join the facilities'
    /// cache here. [`ProfileContext::edited`] rebuilds the context afresh
    /// from then on.
    pub fn release_segment_index(&mut self, settlements: &[LoadedSettlement]) {
        for (s, &snap) in settlements.iter().zip(&self.settlement_snaps) {
            if s.valid {
                self.facility_snaps
                    .entry(s.settlement.pos.bits())
                    .or_insert(snap);
            }
        }
        self.segments = None;
    }

    /// How many facility positions the context holds snaps for (snapped
    /// when it was built, or the settlements' once the segment index is
    /// released); other positions are snapped on demand.
    pub fn cached_facility_snaps(&self) -> usize {
        self.facility_snaps.len()
    }

    /// The barriers this profile's off-road legs may not cross, if any.
    pub fn barriers(&self) -> Option<&BarrierIndex> {
        self.blocking.as_ref().map(|b| &*b.barriers)
    }

    /// The barriers and snap reach the context was built with (a scenario
    /// rebuilding it passes them on).
    pub fn blocking(&self) -> Option<&Blocking> {
        self.blocking.as_ref()
    }

    /// The valid `settlements` (those this context was built with) indexed
    /// by position; query results are settlement indices.
    pub fn settlement_points(&self, settlements: &[LoadedSettlement]) -> &PointIndex {
        self.settlement_points.get_or_init(|| {
            PointIndex::from_indexed(
                settlements
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| s.valid)
                    .map(|(i, s)| (i as u32, s.settlement.pos)),
            )
        })
    }

    /// Where the settlements this context was built with join its network
    /// by `trips` (a network trip model of this profile; the travel
    /// settings and terrain are the study's, the same for every call).
    pub fn exits(&self, trips: &Trips, settlements: &[LoadedSettlement]) -> &ExitIndex {
        self.exits.get_or_init(|| {
            ExitIndex::build(
                trips,
                &self.settlement_snaps,
                |i| {
                    settlements[i]
                        .valid
                        .then_some(settlements[i].settlement.pos)
                },
                self.graph.reverse.node_count(),
            )
        })
    }

    /// The core of the reversed graph whose terminals are the exit nodes
    /// of `exits` (this context's [`ProfileContext::exits`]): what searches
    /// that only read times at exit nodes run on.
    pub fn core(&self, exits: &ExitIndex) -> &CoreGraph {
        self.core
            .get_or_init(|| CoreGraph::build(&self.graph.reverse, |v| exits.is_exit(v)))
    }

    /// The snap of a facility at `p` (from the cache, or computed).
    pub fn snap_facility(&self, p: LonLat) -> Option<Snap> {
        match self.facility_snaps.get(&p.bits()) {
            Some(s) => *s,
            None => self.snap(p),
        }
    }
}

/// Where a profile's places join its network: the snap of every settlement
/// and of each known facility position.
pub struct Snaps {
    /// Snap of each settlement (`None`: invalid position, or no usable road).
    pub settlements: Vec<Option<Snap>>,
    /// Snaps of the facilities, by position (a snap depends on the
    /// position only).
    pub facilities: HashMap<(u64, u64), Option<Snap>>,
}

impl Snaps {
    /// The segments the snaps land on, with repeats.
    pub fn segments(&self) -> impl Iterator<Item = u32> + '_ {
        self.settlements
            .iter()
            .chain(self.facilities.values())
            .flatten()
            .map(|s| s.segment)
    }

    /// Snaps every valid settlement and every position of `facilities` on
    /// `segments`, among those `uses` lets the profile use; with
    /// `blocking`, to the nearest road a straight leg reaches without
    /// crossing a barrier (see [`ProfileContext::snap`]).
    pub fn compute(
        segments: &SegmentIndex,
        uses: &SegmentUses,
        blocking: Option<&Blocking>,
        settlements: &[LoadedSettlement],
        facilities: &[LonLat],
    ) -> Self {
        let blocking = blocking.filter(|b| !b.barriers.is_empty());
        let snap = |p: LonLat| snap_on(segments, uses, blocking, p);
        Snaps {
            settlements: settlements
                .par_iter()
                .map(|s| s.valid.then(|| snap(s.settlement.pos)).flatten())
                .collect(),
            facilities: facilities
                .par_iter()
                .map(|&p| (p.bits(), snap(p)))
                .collect(),
        }
    }

    /// How many valid `settlements` (those the snaps were made for) snap
    /// elsewhere than they would with no barrier.
    pub fn moved_by_barriers(
        &self,
        segments: &SegmentIndex,
        uses: &SegmentUses,
        settlements: &[LoadedSettlement],
    ) -> usize {
        count_moved(settlements, &self.settlements, |p| {
            snap_on(segments, uses, None, p)
        })
    }
}

/// How many valid `settlements` have a snap in `snaps` other than
/// `unblocked` gives their position.
fn count_moved(
    settlements: &[LoadedSettlement],
    snaps: &[Option<Snap>],
    unblocked: impl Fn(LonLat) -> Option<Snap>,
) -> usize {
    settlements
        .iter()
        .zip(snaps)
        .filter(|(s, snap)| s.valid && **snap != unblocked(s.settlement.pos))
        .count()
}

/// The snap of `p` on `segments` among those `uses` allows, with
/// `blocking`'s barriers in the way of the off-road leg.
fn snap_on(
    segments: &SegmentIndex,
    uses: &SegmentUses,
    blocking: Option<&Blocking>,
    p: LonLat,
) -> Option<Snap> {
    let usable = |s: u32| uses[s as usize].is_some();
    match blocking {
        None => segments.snap_where(p, usable),
        Some(b) => segments.snap_clear(p, usable, b.reach, |at| !b.barriers.blocks(p, at)),
    }
}

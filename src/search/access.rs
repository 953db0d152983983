//! Access per settlement and service: the nearest facility by the trip
//! model of [`super::trip`].
//!
//! The network part is one [`multi_source`] search per service on the
//! reversed graph, seeded where trips to each facility leave the network
//! ([`Trips::facility_entries`]); a settlement's road trip then reads the
//! labels of the nodes where it joins the network, and is compared with a
//! trip along a shared segment and with the direct trip to the nearest
//! facility by straight line (over terrain, with a DEM, to the quickest of
//! the facilities that could beat the nearest). A place farther than `max_snap_m` from every
//! usable segment is `off_network` for that profile and can only travel
//! directly.
//!
//! [`TravelModel`] is a view of a prepared network: the profile contexts
//! (graph, segment R-tree, settlement and facility snaps) are shared, so a
//! scenario swaps only the ones it edits.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use serde::Serialize;

use super::trip::{ExitIndex, Placed, Trips};
use crate::config::{Profile, Service, Travel};
use crate::index::{BarrierIndex, PointIndex, ProfileGraph, RoadNetwork, SegmentIndex, Snap};
use crate::load::LoadedSettlement;
use crate::model::{Facility, LonLat};
use crate::search::{multi_source, Seed, ShortestPaths, NO_SOURCE};
use crate::terrain::Terrain;
use crate::units::{Meters, Seconds};

/// Outcome of one settlement for one service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// A trip was found.
    Ok,
    /// The settlement is beyond `max_snap_m` from every usable road; any time
    /// given is a direct off-road trip.
    OffNetwork,
    /// On the network, but no facility is reachable by road, nor directly
    /// within `max_direct_m`.
    Unreachable,
    /// The service has no facility at all.
    NoFacility,
    /// The settlement's position is missing or invalid.
    InvalidLocation,
}

impl Status {
    /// Stable name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::OffNetwork => "off_network",
            Status::Unreachable => "unreachable",
            Status::NoFacility => "no_facility",
            Status::InvalidLocation => "invalid_location",
        }
    }
}

/// How the chosen trip travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// Along the road network (with off-road legs at both ends).
    Road,
    /// Directly off-road.
    Direct,
    /// Straight line in a run without roads.
    StraightLine,
    /// No trip.
    None,
}

impl Via {
    /// Stable name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Road => "road",
            Via::Direct => "direct",
            Via::StraightLine => "straight_line",
            Via::None => "none",
        }
    }
}

/// Access of one settlement to one service.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Access {
    /// Travel time to the nearest facility (by time).
    pub time: Option<Seconds>,
    /// Length of that trip.
    pub dist: Option<Meters>,
    /// Index of that facility in the service's facility list.
    pub facility: Option<u32>,
    /// Outcome.
    pub status: Status,
    /// Kind of trip.
    pub via: Via,
}

impl Access {
    /// No trip (status `unreachable`).
    pub const NONE: Access = Access {
        time: None,
        dist: None,
        facility: None,
        status: Status::Unreachable,
        via: Via::None,
    };
}

/// Facilities placed on each segment, for trips along a shared segment.
pub type OnSegment = std::collections::HashMap<u32, Vec<(u32, Placed)>>;

/// Node labels a settlement's road trip reads: time, length and source of
/// the nearest facility from each node (a search result, or a baseline with
/// a scenario's changes over it).
pub trait Labels {
    /// `(seconds, metres, facility)` of node `v`, `None` when unreached.
    fn label(&self, v: u32) -> Option<(f64, f64, u32)>;
}

impl Labels for ShortestPaths {
    fn label(&self, v: u32) -> Option<(f64, f64, u32)> {
        let k = v as usize;
        (self.source[k] != NO_SOURCE).then(|| (self.time_s[k], self.dist_m[k], self.source[k]))
    }
}

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
    /// the others (see [`ProfileContext::snap`]).
    segments: Arc<SegmentIndex>,
    /// Snap of each settlement (`None`: invalid position, or no usable road).
    pub settlement_snaps: Vec<Option<Snap>>,
    /// Snaps of the facilities known when the context was built, by
    /// position (a snap depends on the position only).
    facility_snaps: HashMap<(u64, u64), Option<Snap>>,
    /// The valid settlements by position, built on first use.
    settlement_points: OnceLock<PointIndex>,
    /// Where the settlements join the network, built on first use.
    exits: OnceLock<ExitIndex>,
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
        let graph = ProfileGraph::build(net, &profile);
        Self::with_graph(net, profile, graph, settlements, facilities)
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
        let mut ctx = ProfileContext {
            profile,
            graph,
            segments,
            settlement_snaps: Vec::new(),
            facility_snaps: HashMap::new(),
            settlement_points: OnceLock::new(),
            exits: OnceLock::new(),
            blocking: blocking.filter(|b| !b.barriers.is_empty()),
        };
        ctx.settlement_snaps = settlements
            .par_iter()
            .map(|s| s.valid.then(|| ctx.snap(s.settlement.pos)).flatten())
            .collect();
        ctx.facility_snaps = facilities
            .par_iter()
            .map(|&p| (p.bits(), ctx.snap(p)))
            .collect();
        ctx
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
            .zip(&base.graph.segment_use)
            .any(|(now, was)| now.is_some() && was.is_none());
        if opened || graph.segment_use.len() != base.graph.segment_use.len() {
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
    pub fn snap(&self, p: LonLat) -> Option<Snap> {
        let usable = |s: u32| self.graph.segment_use[s as usize].is_some();
        match &self.blocking {
            None => self.segments.snap_where(p, usable),
            Some(b) => self
                .segments
                .snap_clear(p, usable, b.reach, |at| !b.barriers.blocks(p, at)),
        }
    }

    /// The snap of `p` as if there were no barrier.
    pub fn snap_unblocked(&self, p: LonLat) -> Option<Snap> {
        self.segments
            .snap_where(p, |s| self.graph.segment_use[s as usize].is_some())
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

    /// The snap of a facility at `p` (from the cache, or computed).
    pub fn snap_facility(&self, p: LonLat) -> Option<Snap> {
        match self.facility_snaps.get(&p.bits()) {
            Some(s) => *s,
            None => self.snap(p),
        }
    }
}

/// Everything the per-service computation reads: a view of a prepared
/// network (profiles are shared, so a scenario can swap one).
pub struct TravelModel<'a> {
    /// Road network (empty: straight-line run).
    pub net: &'a RoadNetwork,
    /// Travel parameters.
    pub travel: Travel,
    /// Settlements in output order.
    pub settlements: &'a [LoadedSettlement],
    /// Contexts of the profiles in use.
    pub profiles: Vec<Arc<ProfileContext>>,
    /// The DEM that times off-road travel, if any.
    pub terrain: Option<Arc<Terrain>>,
}

/// Results of one service.
#[derive(Debug, Clone)]
pub struct ServiceAccess {
    /// Service name.
    pub service: String,
    /// Facilities of this service, in seed order.
    pub facilities: Vec<Facility>,
    /// How many facilities snapped within `max_snap_m` of a usable road.
    pub facilities_on_network: usize,
    /// Per settlement, in input order.
    pub access: Vec<Access>,
    /// The network search's node labels (services searched on a network).
    pub paths: Option<Arc<ShortestPaths>>,
}

/// A service's facilities on the network: search seeds, placements and
/// which segment each sits on.
pub struct Seeding {
    /// Seeds of the reversed search (source = facility index).
    pub seeds: Vec<Seed>,
    /// Placement of each facility (`None`: beyond `max_snap_m`).
    pub placed: Vec<Option<Placed>>,
    /// Facilities per segment.
    pub on_segment: OnSegment,
    /// Position of each facility.
    pub positions: Vec<LonLat>,
}

impl<'a> TravelModel<'a> {
    /// Builds the per-profile indices and snaps every valid settlement
    /// (profiles in parallel).
    pub fn build(
        net: &'a RoadNetwork,
        travel: Travel,
        settlements: &'a [LoadedSettlement],
        profiles: Vec<Profile>,
    ) -> Self {
        let profiles = profiles
            .into_par_iter()
            .map(|p| Arc::new(ProfileContext::build(net, p, settlements, &[])))
            .collect();
        TravelModel {
            net,
            travel,
            settlements,
            profiles,
            terrain: None,
        }
    }

    /// This model with off-road travel timed over `terrain`.
    pub fn with_terrain(self, terrain: Option<Arc<Terrain>>) -> Self {
        TravelModel { terrain, ..self }
    }

    /// Whether the run has no road layer (straight-line only).
    pub fn straight_line_only(&self) -> bool {
        self.net.segments.is_empty()
    }

    /// The context of `profile`.
    pub fn context(&self, profile: &str) -> &ProfileContext {
        self.profiles
            .iter()
            .find(|p| p.profile.name == profile)
            .expect("TravelModel::build was given every profile a service uses")
    }

    /// The trip model of `service`.
    pub fn trips(&self, service: &Service) -> Trips<'_> {
        Trips::new(
            self.net,
            self.context(&service.profile),
            self.travel,
            service.straight_line,
            self.terrain.as_deref(),
        )
    }

    /// Access of every settlement to `service`, served by `facilities`.
    pub fn service_access(&self, service: &Service, facilities: Vec<Facility>) -> ServiceAccess {
        let trips = self.trips(service);
        if facilities.is_empty() {
            let none = |_: usize| Access {
                status: Status::NoFacility,
                ..Access::NONE
            };
            return ServiceAccess {
                service: service.name.clone(),
                facilities,
                facilities_on_network: 0,
                access: self.per_settlement(none),
                paths: None,
            };
        }
        let seeding = self.seeding(service, &facilities);
        let paths = trips.uses_network().then(|| {
            let ctx = self.context(&service.profile);
            Arc::new(multi_source(&ctx.graph.reverse, &seeding.seeds))
        });
        let nearest = PointIndex::build(&facilities.iter().map(|f| f.pos).collect::<Vec<_>>());
        let access = self.per_settlement(|k| {
            let labels = paths.as_deref().map(|p| p as &dyn Labels);
            self.settlement_access(service, k, labels, &seeding, &nearest)
        });
        ServiceAccess {
            service: service.name.clone(),
            facilities_on_network: seeding.placed.iter().filter(|p| p.is_some()).count(),
            facilities,
            access,
            paths,
        }
    }

    /// Places `facilities` on `service`'s network and lists the seeds of
    /// its search.
    pub fn seeding(&self, service: &Service, facilities: &[Facility]) -> Seeding {
        let trips = self.trips(service);
        let mut out = Seeding {
            seeds: Vec::new(),
            placed: Vec::with_capacity(facilities.len()),
            on_segment: OnSegment::new(),
            positions: facilities.iter().map(|f| f.pos).collect(),
        };
        if !trips.uses_network() {
            out.placed = vec![None; facilities.len()];
            return out;
        }
        let ctx = self.context(&service.profile);
        for (i, f) in facilities.iter().enumerate() {
            let placed = trips.place_facility(f.pos, ctx.snap_facility(f.pos));
            if let Some(p) = placed {
                out.seeds.extend(trips.facility_entries(p).map(|e| Seed {
                    node: e.node,
                    time_s: e.time_s,
                    dist_m: e.dist_m,
                    source: i as u32,
                }));
                out.on_segment
                    .entry(p.snap.segment)
                    .or_default()
                    .push((i as u32, p));
            }
            out.placed.push(placed);
        }
        out
    }

    /// Maps every valid settlement index through `f`; invalid ones get
    /// [`Status::InvalidLocation`].
    fn per_settlement(&self, f: impl Fn(usize) -> Access) -> Vec<Access> {
        (0..self.settlements.len())
            .map(|k| self.access_of(k, &f))
            .collect()
    }

    fn access_of(&self, k: usize, f: impl Fn(usize) -> Access) -> Access {
        match self.settlements[k].valid {
            true => f(k),
            false => Access {
                status: Status::InvalidLocation,
                ..Access::NONE
            },
        }
    }

    /// Access of settlement `k` to `service`, from the node labels of its
    /// search (`None` for trips off the network), the facilities' seeding
    /// and an index of their positions.
    pub fn settlement_access(
        &self,
        service: &Service,
        k: usize,
        labels: Option<&dyn Labels>,
        seeding: &Seeding,
        nearest: &PointIndex,
    ) -> Access {
        self.access_of(k, |k| {
            let trips = self.trips(service);
            let pos = self.settlements[k].settlement.pos;
            let direct = trips.quickest_direct(pos, nearest, &seeding.positions);
            let Some(labels) = labels else {
                return match direct {
                    Some((t, f, d, via)) => Access {
                        time: Some(Seconds(t)),
                        dist: Some(Meters(d)),
                        facility: Some(f),
                        status: Status::Ok,
                        via,
                    },
                    None => Access::NONE,
                };
            };
            let ctx = self.context(&service.profile);
            let placed = trips.place_settlement(pos, ctx.settlement_snaps[k]);
            let road = placed.and_then(|p| road_trip(&trips, p, labels, &seeding.on_segment));
            let best = match (road, direct) {
                (Some(r), Some(d)) if d.0 < r.0 => Some(d),
                (Some(r), _) => Some((r.0, r.1, r.2, Via::Road)),
                (None, d) => d,
            };
            let status = match (placed.is_some(), best.is_some()) {
                (false, _) => Status::OffNetwork,
                (true, true) => Status::Ok,
                (true, false) => Status::Unreachable,
            };
            match best {
                Some((t, f, d, via)) => Access {
                    time: Some(Seconds(t)),
                    dist: Some(Meters(d)),
                    facility: Some(f),
                    status,
                    via,
                },
                None => Access {
                    status,
                    ..Access::NONE
                },
            }
        })
    }
}

/// Best road trip from a placed settlement: `(time_s, facility, dist_m)`;
/// ties go to the lowest facility index.
fn road_trip(
    trips: &Trips,
    p: Placed,
    labels: &dyn Labels,
    on_segment: &OnSegment,
) -> Option<(f64, u32, f64)> {
    let mut best: Option<(f64, u32, f64)> = None;
    let mut consider = |t: f64, f: u32, d: f64| {
        if best.is_none_or(|(bt, bf, _)| t < bt || (t == bt && f < bf)) {
            best = Some((t, f, d));
        }
    };
    // Leave the segment by either end, as its directions allow.
    for e in trips.settlement_exits(p) {
        if let Some((t, d, f)) = labels.label(e.node) {
            consider(e.time_s + t, f, e.dist_m + d);
        }
    }
    // A facility on the same segment, reached along it.
    if let Some(list) = on_segment.get(&p.snap.segment) {
        for &(f, fp) in list {
            if let Some((t, d)) = trips.same_segment(p, fp) {
                consider(t, f, d);
            }
        }
    }
    best
}

/// Facilities of a service's category, in input order.
pub fn facilities_for(service: &Service, all: &[Facility]) -> Vec<Facility> {
    all.iter()
        .filter(|f| f.category == service.category)
        .cloned()
        .collect()
}

/// Access for every service, services in parallel (rayon). Equal to
/// [`access_all_sequential`] bit for bit: each service's computation is
/// itself sequential and deterministic.
pub fn access_all(
    model: &TravelModel,
    services: &[Service],
    all: &[Facility],
) -> Vec<ServiceAccess> {
    services
        .par_iter()
        .map(|s| model.service_access(s, facilities_for(s, all)))
        .collect()
}

/// The sequential reference for [`access_all`].
pub fn access_all_sequential(
    model: &TravelModel,
    services: &[Service],
    all: &[Facility],
) -> Vec<ServiceAccess> {
    services
        .iter()
        .map(|s| model.service_access(s, facilities_for(s, all)))
        .collect()
}

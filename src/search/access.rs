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

use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

pub use super::context::{Blocking, ProfileContext};
use super::trip::{Placed, Trips};
use crate::config::{Profile, Service, Travel};
use crate::index::{BarrierIndex, PointIndex, RoadNetwork, Snap};
use crate::load::LoadedSettlement;
use crate::model::{Facility, LonLat};
use crate::search::fast::{multi_source_work, Work};
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

impl Labels for Work {
    fn label(&self, v: u32) -> Option<(f64, f64, u32)> {
        Work::label(self, v)
    }
}

impl Labels for ShortestPaths {
    fn label(&self, v: u32) -> Option<(f64, f64, u32)> {
        let k = v as usize;
        (self.source[k] != NO_SOURCE).then(|| (self.time_s[k], self.dist_m[k], self.source[k]))
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
        Self::build_blocked(net, travel, settlements, profiles, None)
    }

    /// As [`TravelModel::build`], with off-road legs and direct trips
    /// barred from crossing `barriers` (snaps look as far as `max_snap_m`).
    pub fn build_blocked(
        net: &'a RoadNetwork,
        travel: Travel,
        settlements: &'a [LoadedSettlement],
        profiles: Vec<Profile>,
        barriers: Option<Arc<BarrierIndex>>,
    ) -> Self {
        let blocking = barriers.map(|barriers| Blocking {
            barriers,
            reach: Meters(travel.max_snap_m),
        });
        let profiles = profiles
            .into_par_iter()
            .map(|p| {
                Arc::new(ProfileContext::build_blocked(
                    net,
                    p,
                    settlements,
                    &[],
                    blocking.clone(),
                ))
            })
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
        self.net.segment_count() == 0
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
        self.service_access_with(service, facilities, true)
    }

    /// As [`TravelModel::service_access`]; without `keep_labels`, `paths`
    /// is `None` and the settlements' access is read off the search's work
    /// array, so the labels of every node are never copied out (the same
    /// access, bit for bit).
    pub fn service_access_with(
        &self,
        service: &Service,
        facilities: Vec<Facility>,
        keep_labels: bool,
    ) -> ServiceAccess {
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
        let graph = trips
            .uses_network()
            .then(|| &self.context(&service.profile).graph.reverse);
        let (paths, work) = match graph {
            Some(g) if keep_labels => (Some(Arc::new(multi_source(g, &seeding.seeds))), None),
            Some(g) => (None, Some(multi_source_work(g, &seeding.seeds))),
            None => (None, None),
        };
        let nearest = PointIndex::build(&facilities.iter().map(|f| f.pos).collect::<Vec<_>>());
        let labels: Option<&dyn Labels> = match (&paths, &work) {
            (Some(p), _) => Some(&**p),
            (None, Some(w)) => Some(w),
            (None, None) => None,
        };
        let access =
            self.per_settlement(|k| self.settlement_access(service, k, labels, &seeding, &nearest));
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
            let pos = self.settlements[k].settlement.pos;
            let snap = self.context(&service.profile).settlement_snaps[k];
            self.place_access(service, pos, snap, labels, seeding, nearest)
        })
    }

    /// Access to `service` of any place at `pos` whose snap on the
    /// service's profile is `snap` (as [`ProfileContext::snap`] gives it):
    /// the trip model of a settlement, so a settlement's access is this
    /// function at its position. `labels`, `seeding` and `nearest` as for
    /// [`TravelModel::settlement_access`].
    pub fn place_access(
        &self,
        service: &Service,
        pos: LonLat,
        snap: Option<Snap>,
        labels: Option<&dyn Labels>,
        seeding: &Seeding,
        nearest: &PointIndex,
    ) -> Access {
        let trips = self.trips(service);
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
        let placed = trips.place_settlement(pos, snap);
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

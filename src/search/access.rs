//! Access per settlement and service: the travel model.
//!
//! A trip from a settlement to a facility is the better (less time) of:
//!
//! * **Road**: an off-road leg from the settlement to the nearest point of the
//!   nearest usable road segment (at the profile's off-road speed), along that
//!   segment to one of its ends, the network to a segment near the facility,
//!   part of that segment, and an off-road leg to the facility. The network
//!   part is one [`multi_source`] search per service on the reversed graph,
//!   seeded at the ends of every facility's segment with the cost of reaching
//!   the facility from there. Settlement and facility on the same segment
//!   also connect directly along it.
//! * **Direct**: straight line to the nearest facility × `circuity`, at the
//!   off-road speed, when the straight line is at most `max_direct_m`.
//!
//! With no road layer at all the run is *straight-line only*: every trip is
//! straight line × `circuity` at the profile's `no_road_kmh`, with no cap.
//!
//! A service marked `straight_line` (distance to the power grid, by default)
//! measures no trip: `dist` is the great-circle distance to the nearest
//! facility and `time` that distance at the profile's off-road speed.
//!
//! A place farther than `max_snap_m` from every usable segment is
//! `off_network` for that profile and can only travel directly.

use rayon::prelude::*;
use serde::Serialize;

use crate::config::{Profile, Service, Travel};
use crate::index::{PointIndex, ProfileGraph, RoadNetwork, SegmentIndex, Snap};
use crate::load::LoadedSettlement;
use crate::model::{Facility, LonLat};
use crate::search::{multi_source, Seed, NO_SOURCE};
use crate::units::{KmPerHour, Meters, Seconds};

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
    const NONE: Access = Access {
        time: None,
        dist: None,
        facility: None,
        status: Status::Unreachable,
        via: Via::None,
    };
}

/// Facilities snapped onto each segment: `segment → [(facility, t,
/// off-road time_s, off-road dist_m)]`, for trips along a shared segment.
type OnSegment = std::collections::HashMap<u32, Vec<(u32, f64, f64, f64)>>;

/// One profile's indices and the snap of every settlement.
pub struct ProfileContext {
    /// The profile.
    pub profile: Profile,
    /// Its graph.
    pub graph: ProfileGraph,
    /// Its segment R-tree.
    pub segments: SegmentIndex,
    /// Snap of each settlement (`None`: invalid position, or no usable road).
    pub settlement_snaps: Vec<Option<Snap>>,
}

/// Everything the per-service computation reads.
pub struct TravelModel<'a> {
    /// Road network (empty: straight-line run).
    pub net: &'a RoadNetwork,
    /// Travel parameters.
    pub travel: Travel,
    /// Settlements in output order.
    pub settlements: &'a [LoadedSettlement],
    /// Contexts of the profiles in use, by name.
    pub profiles: Vec<ProfileContext>,
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
}

impl<'a> TravelModel<'a> {
    /// Builds the per-profile indices and snaps every valid settlement.
    pub fn build(
        net: &'a RoadNetwork,
        travel: Travel,
        settlements: &'a [LoadedSettlement],
        profiles: Vec<Profile>,
    ) -> Self {
        // Profiles are independent: built in parallel, collected in order.
        let profiles = profiles
            .into_par_iter()
            .map(|profile| {
                let graph = ProfileGraph::build(net, &profile);
                let segments = SegmentIndex::build(net, &graph);
                let settlement_snaps = settlements
                    .par_iter()
                    .map(|s| s.valid.then(|| segments.snap(s.settlement.pos)).flatten())
                    .collect();
                ProfileContext {
                    profile,
                    graph,
                    segments,
                    settlement_snaps,
                }
            })
            .collect();
        TravelModel {
            net,
            travel,
            settlements,
            profiles,
        }
    }

    /// Whether the run has no road layer (straight-line only).
    pub fn straight_line_only(&self) -> bool {
        self.net.segments.is_empty()
    }

    fn context(&self, profile: &str) -> &ProfileContext {
        self.profiles
            .iter()
            .find(|p| p.profile.name == profile)
            .expect("TravelModel::build was given every profile a service uses")
    }

    /// Time and speed of a partial traversal of `segment` covering `frac` of it.
    fn along(&self, ctx: &ProfileContext, segment: u32, frac: f64) -> (f64, f64) {
        let s = &self.net.segments[segment as usize];
        let speed = ctx.graph.segment_use[segment as usize]
            .expect("snaps only land on usable segments")
            .speed;
        let d = frac * s.len_m;
        (speed.time_for(Meters(d)).0, d)
    }

    /// Access of every settlement to `service`, served by `facilities`.
    pub fn service_access(&self, service: &Service, facilities: Vec<Facility>) -> ServiceAccess {
        let ctx = self.context(&service.profile);
        let (access, facilities_on_network) = if facilities.is_empty() {
            let none = |_: usize, _: LonLat| Access {
                status: Status::NoFacility,
                ..Access::NONE
            };
            (self.per_settlement(none), 0)
        } else if service.straight_line {
            (self.straight_line_access(ctx, &facilities), 0)
        } else {
            self.trip_access(ctx, &facilities)
        };
        ServiceAccess {
            service: service.name.clone(),
            facilities,
            facilities_on_network,
            access,
        }
    }

    /// Maps every valid settlement `(index, position)` through `f`; invalid
    /// ones get [`Status::InvalidLocation`].
    fn per_settlement(&self, f: impl Fn(usize, LonLat) -> Access) -> Vec<Access> {
        self.settlements
            .iter()
            .enumerate()
            .map(|(k, s)| match s.valid {
                true => f(k, s.settlement.pos),
                false => Access {
                    status: Status::InvalidLocation,
                    ..Access::NONE
                },
            })
            .collect()
    }

    /// A `straight_line` service: great-circle distance to the nearest
    /// facility, timed at the off-road speed.
    fn straight_line_access(&self, ctx: &ProfileContext, facilities: &[Facility]) -> Vec<Access> {
        let points: Vec<LonLat> = facilities.iter().map(|f| f.pos).collect();
        let nearest = PointIndex::build(&points);
        let offroad = ctx.profile.offroad();
        self.per_settlement(|_, pos| match nearest.nearest(pos) {
            Some((f, d)) => Access {
                time: Some(offroad.time_for(d)),
                dist: Some(d),
                facility: Some(f),
                status: Status::Ok,
                via: Via::StraightLine,
            },
            None => Access::NONE,
        })
    }

    /// Trips (road, direct or straight line) to a non-empty facility list;
    /// also returns how many facilities snapped onto the network.
    fn trip_access(&self, ctx: &ProfileContext, facilities: &[Facility]) -> (Vec<Access>, usize) {
        let points: Vec<LonLat> = facilities.iter().map(|f| f.pos).collect();
        let nearest = PointIndex::build(&points);
        let offroad = ctx.profile.offroad();
        let straight_only = self.straight_line_only();

        // Facilities onto the network: seeds for the reversed search.
        let max_snap = self.travel.max_snap_m;
        let fac_snaps: Vec<Option<Snap>> = points
            .iter()
            .map(|p| ctx.segments.snap(*p).filter(|s| s.offroad.0 <= max_snap))
            .collect();
        let mut seeds = Vec::new();
        let mut on_segment = OnSegment::new();
        for (i, snap) in fac_snaps.iter().enumerate() {
            let Some(sn) = snap else { continue };
            let seg = &self.net.segments[sn.segment as usize];
            let usage = ctx.graph.segment_use[sn.segment as usize].expect("usable");
            let leg_t = offroad.time_for(sn.offroad).0;
            let leg_d = sn.offroad.0;
            let ends = [
                (usage.forward, seg.a, sn.t),
                (usage.backward, seg.b, 1.0 - sn.t),
            ];
            for (allowed, node, frac) in ends {
                if allowed {
                    let (t, d) = self.along(ctx, sn.segment, frac);
                    seeds.push(Seed {
                        node,
                        time_s: leg_t + t,
                        dist_m: leg_d + d,
                        source: i as u32,
                    });
                }
            }
            on_segment
                .entry(sn.segment)
                .or_default()
                .push((i as u32, sn.t, leg_t, leg_d));
        }
        let facilities_on_network = fac_snaps.iter().filter(|s| s.is_some()).count();
        let paths = multi_source(&ctx.graph.reverse, &seeds);

        let access = self.per_settlement(|k, pos| {
            // Direct trip to the nearest facility by straight line.
            let direct = nearest.nearest(pos).and_then(|(f, d)| {
                let d = d.0 * self.travel.circuity;
                if straight_only {
                    let t = KmPerHour(ctx.profile.no_road_kmh).time_for(Meters(d)).0;
                    Some((t, f, d, Via::StraightLine))
                } else if d / self.travel.circuity <= self.travel.max_direct_m {
                    Some((offroad.time_for(Meters(d)).0, f, d, Via::Direct))
                } else {
                    None
                }
            });
            let snap = ctx.settlement_snaps[k].filter(|sn| sn.offroad.0 <= max_snap);
            let road = snap.and_then(|sn| self.road_trip(ctx, sn, &paths, &on_segment));
            let best = match (road, direct) {
                (Some(r), Some(d)) if d.0 < r.0 => Some(d),
                (Some(r), _) => Some((r.0, r.1, r.2, Via::Road)),
                (None, d) => d,
            };
            let status = match (snap.is_some() || straight_only, best.is_some()) {
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
        });
        (access, facilities_on_network)
    }

    /// Best road trip from a snapped settlement: `(time_s, facility, dist_m)`.
    fn road_trip(
        &self,
        ctx: &ProfileContext,
        sn: Snap,
        paths: &crate::search::ShortestPaths,
        on_segment: &OnSegment,
    ) -> Option<(f64, u32, f64)> {
        let seg = &self.net.segments[sn.segment as usize];
        let usage = ctx.graph.segment_use[sn.segment as usize].expect("usable");
        let leg_t = ctx.profile.offroad().time_for(sn.offroad).0;
        let leg_d = sn.offroad.0;
        let mut best: Option<(f64, u32, f64)> = None;
        let mut consider = |t: f64, f: u32, d: f64| {
            if best.is_none_or(|(bt, bf, _)| t < bt || (t == bt && f < bf)) {
                best = Some((t, f, d));
            }
        };
        // Leave the segment by either end, as its directions allow.
        let ends = [
            (usage.forward, seg.b, 1.0 - sn.t),
            (usage.backward, seg.a, sn.t),
        ];
        for (allowed, node, frac) in ends {
            let v = node as usize;
            if allowed && paths.source[v] != NO_SOURCE {
                let (t, d) = self.along(ctx, sn.segment, frac);
                consider(
                    leg_t + t + paths.time_s[v],
                    paths.source[v],
                    leg_d + d + paths.dist_m[v],
                );
            }
        }
        // A facility on the same segment, reached along it.
        if let Some(list) = on_segment.get(&sn.segment) {
            for &(f, tf, ft, fd) in list {
                let ok = (tf >= sn.t && usage.forward) || (tf <= sn.t && usage.backward);
                if ok {
                    let (t, d) = self.along(ctx, sn.segment, (tf - sn.t).abs());
                    consider(leg_t + t + ft, f, leg_d + d + fd);
                }
            }
        }
        best
    }
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

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
//!   facility), stopped at the cutoff;
//! * **straight-line run** (no road layer): straight line × circuity at the
//!   profile's `no_road_kmh`; a `straight_line` service: the straight line
//!   at the off-road speed. Settlements within the cutoff's radius come from
//!   an R-tree, never a scan of all pairs.
//!
//! Costs are returned in minutes. Settlements with an invalid location have
//! no pair.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use rayon::prelude::*;
use rstar::primitives::GeomWithData;
use rstar::RTree;

use super::fca::Pairs;
use crate::config::Service;
use crate::geometry::{haversine, meters_to_chord, to_unit};
use crate::index::SearchGraph;
use crate::model::Facility;
use crate::pipeline::Execution;
use crate::search::access::{ProfileContext, TravelModel};
use crate::units::{KmPerHour, Meters, Seconds};

type PointEntry = GeomWithData<[f64; 3], u32>;

/// A settlement's way onto the network: `(node, settlement, seconds to reach
/// the node)`.
type Exit = (u32, f64);

/// Per-(service) data shared by every facility's search.
pub struct CostBuilder<'m, 'a> {
    model: &'m TravelModel<'a>,
    ctx: &'m ProfileContext,
    straight_line_service: bool,
    settlements: RTree<PointEntry>,
    /// `exits[first[v]..first[v+1]]`: settlements leaving the network's
    /// node `v`'s way, with their cost to reach it.
    exit_first: Vec<u32>,
    exits: Vec<Exit>,
    /// Settlements snapped onto each segment: `(settlement, t, off-road s)`.
    on_segment: HashMap<u32, Vec<(u32, f64, f64)>>,
}

/// A search label (min-heap on time, then node).
#[derive(PartialEq)]
struct Label(f64, u32);
impl Eq for Label {}
impl Ord for Label {
    fn cmp(&self, o: &Self) -> Ordering {
        o.0.total_cmp(&self.0).then(o.1.cmp(&self.1))
    }
}
impl PartialOrd for Label {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

/// Reusable per-thread buffers: node times and settlement costs, reset
/// through the lists of what was touched.
struct Scratch {
    time: Vec<f64>,
    nodes: Vec<u32>,
    cost: Vec<f64>,
    reached: Vec<u32>,
    heap: BinaryHeap<Label>,
}

impl Scratch {
    fn new(nodes: usize, settlements: usize) -> Self {
        Scratch {
            time: vec![f64::INFINITY; nodes],
            nodes: Vec::new(),
            cost: vec![f64::INFINITY; settlements],
            reached: Vec::new(),
            heap: BinaryHeap::new(),
        }
    }

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
        for &v in &self.nodes {
            self.time[v as usize] = f64::INFINITY;
        }
        self.nodes.clear();
        out
    }
}

/// Dijkstra on `graph` from `seeds` (node, seconds), settling nodes up to
/// `cutoff` seconds; calls `visit(node, time)` for each settled node.
fn bounded(
    graph: &SearchGraph,
    seeds: &[(u32, f64)],
    cutoff: f64,
    s: &mut Scratch,
    mut visit: impl FnMut(u32, f64),
) {
    for &(v, t) in seeds {
        if t <= cutoff && t < s.time[v as usize] {
            if s.time[v as usize].is_infinite() {
                s.nodes.push(v);
            }
            s.time[v as usize] = t;
            s.heap.push(Label(t, v));
        }
    }
    while let Some(Label(t, u)) = s.heap.pop() {
        if t > s.time[u as usize] {
            continue; // stale
        }
        visit(u, t);
        for a in graph.arcs(u) {
            let v = a.head;
            let tv = t + a.time_s;
            if tv <= cutoff && tv < s.time[v as usize] {
                if s.time[v as usize].is_infinite() {
                    s.nodes.push(v);
                }
                s.time[v as usize] = tv;
                s.heap.push(Label(tv, v));
            }
        }
    }
}

impl<'m, 'a> CostBuilder<'m, 'a> {
    /// Prepares the searches of `service` (its profile must be in `model`).
    pub fn new(model: &'m TravelModel<'a>, service: &Service) -> Self {
        let ctx = model
            .profiles
            .iter()
            .find(|p| p.profile.name == service.profile)
            .expect("TravelModel::build was given every profile a service uses");
        let entries = model
            .settlements
            .iter()
            .enumerate()
            .filter(|(_, s)| s.valid)
            .map(|(i, s)| GeomWithData::new(to_unit(s.settlement.pos), i as u32))
            .collect();
        let mut b = CostBuilder {
            model,
            ctx,
            straight_line_service: service.straight_line,
            settlements: RTree::bulk_load(entries),
            exit_first: Vec::new(),
            exits: Vec::new(),
            on_segment: HashMap::new(),
        };
        if !b.straight_line_service && !model.straight_line_only() {
            b.index_exits();
        }
        b
    }

    /// Seconds along `frac` of `segment`.
    fn along(&self, segment: u32, frac: f64) -> f64 {
        let s = &self.model.net.segments[segment as usize];
        let speed = self.ctx.graph.segment_use[segment as usize]
            .expect("snaps only land on usable segments")
            .speed;
        speed.time_for(Meters(frac * s.len_m)).0
    }

    /// Where every snapped settlement joins the network, as the travel
    /// model's road trip leaves it: by either end of its segment as the
    /// directions allow.
    fn index_exits(&mut self) {
        let max_snap = self.model.travel.max_snap_m;
        let offroad = self.ctx.profile.offroad();
        let mut list: Vec<(u32, u32, f64)> = Vec::new();
        for (i, snap) in self.ctx.settlement_snaps.iter().enumerate() {
            let Some(sn) = snap.filter(|s| s.offroad.0 <= max_snap) else {
                continue;
            };
            if !self.model.settlements[i].valid {
                continue;
            }
            let seg = &self.model.net.segments[sn.segment as usize];
            let usage = self.ctx.graph.segment_use[sn.segment as usize].expect("usable");
            let leg = offroad.time_for(sn.offroad).0;
            if usage.forward {
                list.push((seg.b, i as u32, leg + self.along(sn.segment, 1.0 - sn.t)));
            }
            if usage.backward {
                list.push((seg.a, i as u32, leg + self.along(sn.segment, sn.t)));
            }
            self.on_segment
                .entry(sn.segment)
                .or_default()
                .push((i as u32, sn.t, leg));
        }
        list.sort_by_key(|x| (x.0, x.1));
        let n = self.ctx.graph.reverse.node_count();
        let mut first = vec![0u32; n + 1];
        for e in &list {
            first[e.0 as usize + 1] += 1;
        }
        for v in 0..n {
            first[v + 1] += first[v];
        }
        self.exit_first = first;
        self.exits = list.into_iter().map(|(_, i, c)| (i, c)).collect();
    }

    /// Settlements within `radius` of `f` by great circle, with that distance.
    fn near(&self, f: &Facility, radius: Meters) -> impl Iterator<Item = (u32, Meters)> + '_ {
        let r = meters_to_chord(radius) * (1.0 + 1e-9) + 1e-12;
        let pos = f.pos;
        let settlements = self.model.settlements;
        self.settlements
            .locate_within_distance(to_unit(pos), r * r)
            .map(move |e| {
                (
                    e.data,
                    haversine(settlements[e.data as usize].settlement.pos, pos),
                )
            })
            .filter(move |(_, d)| d.0 <= radius.0)
    }

    /// Every settlement within `cutoff` of facility `f`, with its trip cost
    /// in minutes, by settlement index.
    fn facility_row(&self, f: &Facility, cutoff: Seconds, s: &mut Scratch) -> Vec<(u32, f64)> {
        let travel = self.model.travel;
        let offroad = self.ctx.profile.offroad();
        let c0 = cutoff.0;
        // Straight-line costs: speed and circuity of the run's kind.
        let (speed, circuity, cap) = if self.straight_line_service {
            (offroad, 1.0, f64::INFINITY)
        } else if self.model.straight_line_only() {
            (
                KmPerHour(self.ctx.profile.no_road_kmh),
                travel.circuity,
                f64::INFINITY,
            )
        } else {
            (offroad, travel.circuity, travel.max_direct_m)
        };
        let radius = (c0 * speed.0 / 3.6 / circuity).min(cap);
        for (i, d) in self.near(f, Meters(radius)) {
            let t = speed.time_for(Meters(d.0 * circuity)).0;
            if t <= c0 {
                s.relax(i, t);
            }
        }
        if self.straight_line_service || self.model.straight_line_only() {
            return s.take();
        }
        // Road trips: the facility's snap seeds a search on the reversed graph.
        let Some(sn) = self
            .ctx
            .segments
            .snap(f.pos)
            .filter(|x| x.offroad.0 <= travel.max_snap_m)
        else {
            return s.take();
        };
        let seg = &self.model.net.segments[sn.segment as usize];
        let usage = self.ctx.graph.segment_use[sn.segment as usize].expect("usable");
        let leg = offroad.time_for(sn.offroad).0;
        let mut seeds = Vec::with_capacity(2);
        if usage.forward {
            seeds.push((seg.a, leg + self.along(sn.segment, sn.t)));
        }
        if usage.backward {
            seeds.push((seg.b, leg + self.along(sn.segment, 1.0 - sn.t)));
        }
        let mut found: Vec<(u32, f64)> = Vec::new();
        bounded(&self.ctx.graph.reverse, &seeds, c0, s, |v, t| {
            let (a, b) = (self.exit_first[v as usize], self.exit_first[v as usize + 1]);
            for &(i, cx) in &self.exits[a as usize..b as usize] {
                let c = cx + t;
                if c <= c0 {
                    found.push((i, c));
                }
            }
        });
        for (i, c) in found {
            s.relax(i, c);
        }
        // Settlement and facility on the same segment, along it.
        if let Some(list) = self.on_segment.get(&sn.segment) {
            for &(i, ts, leg_s) in list {
                let ok = (sn.t >= ts && usage.forward) || (sn.t <= ts && usage.backward);
                if ok {
                    let c = leg_s + self.along(sn.segment, (sn.t - ts).abs()) + leg;
                    if c <= c0 {
                        s.relax(i, c);
                    }
                }
            }
        }
        s.take()
    }

    fn scratch(&self) -> Scratch {
        Scratch::new(
            self.ctx.graph.reverse.node_count(),
            self.model.settlements.len(),
        )
    }

    /// The pairs of every facility within `cutoff`: facilities in parallel
    /// (rayon), or one after another for [`Execution::Sequential`] (the
    /// reference; both give the same list).
    pub fn pairs(&self, facilities: &[Facility], cutoff: Seconds, exec: Execution) -> Pairs {
        // A hair of slack so that pairs exactly at the cutoff in minutes are
        // not lost converting seconds; the methods apply the cutoff exactly.
        let cutoff = Seconds(cutoff.0 * (1.0 + 1e-12));
        let rows: Vec<Vec<(u32, f64)>> = match exec {
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
        };
        Pairs::from_rows(self.model.settlements.len(), rows)
    }
}

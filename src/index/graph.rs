//! A compact directed graph in compressed sparse row (CSR) form, and the
//! per-profile graph built from a [`RoadNetwork`].
//!
//! Node ids are `u32`; the arcs leaving node `u` are
//! `first_out[u] .. first_out[u + 1]`, each with a head node, a travel time in
//! seconds and a length in metres. Within a node, arcs are sorted by head then
//! cost so that the layout (and every search over it) is deterministic.
//!
//! [`SearchGraph`] is the same graph laid out for the search's hot loop: each
//! arc's head, time and length side by side in one 20-byte record, so that
//! relaxing an arc reads one place in memory instead of three arrays.

use std::sync::OnceLock;

use crate::config::Profile;
use crate::index::network::RoadNetwork;
use crate::model::Oneway;
use crate::units::{KmPerHour, Meters};

/// A directed graph in CSR form.
#[derive(Debug, Clone, Default)]
pub struct Csr {
    /// Arc offsets per node; length is `nodes + 1`.
    pub first_out: Vec<u32>,
    /// Head of each arc.
    pub head: Vec<u32>,
    /// Travel time of each arc, seconds.
    pub time_s: Vec<f64>,
    /// Length of each arc, metres.
    pub dist_m: Vec<f64>,
}

/// Groups `(tail, head, time_s, dist_m)` arcs by tail: a counting sort, then
/// a sort of each node's few arcs by `(head, time, length)` — the order of
/// sorting the whole list, in `O(m)` plus small sorts. Returns the offsets
/// per node (`n + 1`) and the arcs made by `make`; `key` reads one back.
fn group_by_tail<T: Clone>(
    n: usize,
    arcs: Vec<(u32, u32, f64, f64)>,
    make: impl Fn(u32, f64, f64) -> T,
    key: impl Fn(&T) -> (u32, f64, f64),
) -> (Vec<u32>, Vec<T>) {
    let mut first_out = vec![0u32; n + 1];
    for a in &arcs {
        first_out[a.0 as usize + 1] += 1;
    }
    for i in 0..n {
        first_out[i + 1] += first_out[i];
    }
    let mut next = first_out.clone();
    let mut placed = vec![make(0, 0.0, 0.0); arcs.len()];
    for (u, v, t, d) in arcs {
        let slot = &mut next[u as usize];
        placed[*slot as usize] = make(v, t, d);
        *slot += 1;
    }
    for u in 0..n {
        placed[first_out[u] as usize..first_out[u + 1] as usize].sort_unstable_by(|x, y| {
            let (xh, xt, xd) = key(x);
            let (yh, yt, yd) = key(y);
            xh.cmp(&yh).then(xt.total_cmp(&yt)).then(xd.total_cmp(&yd))
        });
    }
    (first_out, placed)
}

impl Csr {
    /// Builds a graph on `n` nodes from `(tail, head, time_s, dist_m)` arcs.
    ///
    /// A counting sort by tail, then a sort of each node's few arcs by
    /// `(head, time, length)`: the same order as sorting the whole list,
    /// in `O(m)` plus small sorts.
    pub fn from_arcs(n: usize, arcs: Vec<(u32, u32, f64, f64)>) -> Self {
        let (first_out, placed) = group_by_tail(n, arcs, |v, t, d| (v, t, d), |a| *a);
        Csr {
            first_out,
            head: placed.iter().map(|a| a.0).collect(),
            time_s: placed.iter().map(|a| a.1).collect(),
            dist_m: placed.iter().map(|a| a.2).collect(),
        }
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.first_out.len().saturating_sub(1)
    }

    /// Number of arcs.
    pub fn arc_count(&self) -> usize {
        self.head.len()
    }

    /// Arc index range leaving `u`.
    pub fn arcs(&self, u: u32) -> std::ops::Range<usize> {
        self.first_out[u as usize] as usize..self.first_out[u as usize + 1] as usize
    }

    /// The same graph with every arc reversed.
    pub fn reversed(&self) -> Self {
        let mut arcs = Vec::with_capacity(self.arc_count());
        for u in 0..self.node_count() as u32 {
            for e in self.arcs(u) {
                arcs.push((self.head[e], u, self.time_s[e], self.dist_m[e]));
            }
        }
        Csr::from_arcs(self.node_count(), arcs)
    }
}

/// One arc of a [`SearchGraph`]: head, time and length side by side.
///
/// Packed (20 bytes, no padding): the search reads arcs in runs, and fewer
/// bytes per arc means fewer cache lines per settled node. Fields are read
/// by value only.
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(C, packed)]
pub struct SearchArc {
    /// Head node.
    pub head: u32,
    /// Travel time, seconds.
    pub time_s: f64,
    /// Length, metres.
    pub dist_m: f64,
}

/// A [`Csr`] graph in the search's layout: the same nodes, and the same arcs
/// in the same order, stored as [`SearchArc`] records.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchGraph {
    /// Arc offsets per node; length is `nodes + 1`.
    pub first_out: Vec<u32>,
    /// Arcs, grouped by tail node.
    pub arcs: Vec<SearchArc>,
}

impl SearchGraph {
    /// Builds a graph on `n` nodes from `(tail, head, time_s, dist_m)` arcs,
    /// ordered as [`Csr::from_arcs`] orders them, without the `Csr` in
    /// between (the peak holds the arc list and this graph only).
    pub fn from_arcs(n: usize, arcs: Vec<(u32, u32, f64, f64)>) -> Self {
        let (first_out, placed) = group_by_tail(
            n,
            arcs,
            |head, time_s, dist_m| SearchArc {
                head,
                time_s,
                dist_m,
            },
            |a| (a.head, a.time_s, a.dist_m),
        );
        SearchGraph {
            first_out,
            arcs: placed,
        }
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.first_out.len().saturating_sub(1)
    }

    /// Number of arcs.
    pub fn arc_count(&self) -> usize {
        self.arcs.len()
    }

    /// Arcs leaving `u`.
    pub fn arcs(&self, u: u32) -> &[SearchArc] {
        &self.arcs[self.first_out[u as usize] as usize..self.first_out[u as usize + 1] as usize]
    }
}

impl From<&Csr> for SearchGraph {
    fn from(g: &Csr) -> Self {
        SearchGraph {
            first_out: g.first_out.clone(),
            arcs: (0..g.arc_count())
                .map(|e| SearchArc {
                    head: g.head[e],
                    time_s: g.time_s[e],
                    dist_m: g.dist_m[e],
                })
                .collect(),
        }
    }
}

/// How a profile may use a segment: speed and permitted directions.
#[derive(Debug, Clone, Copy)]
pub struct SegmentUse {
    /// Speed on the segment.
    pub speed: KmPerHour,
    /// Travel from `a` to `b` allowed.
    pub forward: bool,
    /// Travel from `b` to `a` allowed.
    pub backward: bool,
}

/// How a profile may use each segment of the network: one 4-byte code per
/// segment into a table of the distinct uses (a few speeds and directions
/// serve millions of segments), read as `uses[segment]` like a slice of
/// `Option<SegmentUse>`.
#[derive(Debug, Clone, Default)]
pub struct SegmentUses {
    /// Index into `table` of each segment's use.
    code: Vec<u32>,
    /// The distinct uses; `table[0]` is `None`.
    table: Vec<Option<SegmentUse>>,
}

impl SegmentUses {
    /// Number of segments.
    pub fn len(&self) -> usize {
        self.code.len()
    }

    /// Whether there is no segment.
    pub fn is_empty(&self) -> bool {
        self.code.is_empty()
    }

    /// Each segment's use, in segment order.
    pub fn iter(&self) -> impl Iterator<Item = &Option<SegmentUse>> + '_ {
        self.code.iter().map(|&c| &self.table[c as usize])
    }
}

impl std::ops::Index<usize> for SegmentUses {
    type Output = Option<SegmentUse>;

    fn index(&self, segment: usize) -> &Option<SegmentUse> {
        &self.table[self.code[segment] as usize]
    }
}

impl FromIterator<Option<SegmentUse>> for SegmentUses {
    fn from_iter<I: IntoIterator<Item = Option<SegmentUse>>>(uses: I) -> Self {
        let mut codes: rustc_hash::FxHashMap<(u64, bool, bool), u32> = Default::default();
        let mut out = SegmentUses {
            code: Vec::new(),
            table: vec![None],
        };
        for u in uses {
            let c = match u {
                None => 0,
                Some(u) => *codes
                    .entry((u.speed.0.to_bits(), u.forward, u.backward))
                    .or_insert_with(|| {
                        out.table.push(Some(u));
                        out.table.len() as u32 - 1
                    }),
            };
            out.code.push(c);
        }
        out
    }
}

/// A scenario's edit of one segment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SegmentEdit {
    /// Unusable for every profile.
    pub closed: bool,
    /// A new road class (speeds and access follow the profile's table).
    pub class: Option<String>,
    /// Speed changes in order: `(profile or all, set km/h or factor)`.
    pub speeds: Vec<(Option<String>, SpeedChange)>,
}

/// A change of speed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SpeedChange {
    /// New speed, km/h.
    Set(f64),
    /// Factor on the current speed.
    Scale(f64),
}

impl SegmentEdit {
    /// The speed for `profile` after the speed changes, from `base`.
    pub fn speed(&self, profile: &str, base: KmPerHour) -> KmPerHour {
        let mut v = base.0;
        for (p, c) in &self.speeds {
            if p.as_deref().is_none_or(|p| p == profile) {
                v = match *c {
                    SpeedChange::Set(k) => k,
                    SpeedChange::Scale(f) => v * f,
                };
            }
        }
        KmPerHour(v)
    }
}

/// Seconds to travel `len` along segment `i` used as `usage`, forwards
/// (`a → b`) or not: the flat time, times the network's slope factor in
/// that direction when `sloped`. Arcs and the trip model's partial
/// segments are timed here alike.
pub fn segment_time(
    net: &RoadNetwork,
    sloped: bool,
    i: usize,
    usage: SegmentUse,
    len: Meters,
    forward: bool,
) -> f64 {
    let flat = usage.speed.time_for(len).0;
    match sloped {
        true => flat * net.slope(i)[usize::from(!forward)],
        false => flat,
    }
}

/// One profile's view of the network.
#[derive(Debug, Clone)]
pub struct ProfileGraph {
    /// Profile name.
    pub profile: String,
    /// Whether its road times follow the network's slopes
    /// ([`RoadNetwork::sloped`]).
    pub sloped: bool,
    /// Use of each segment of the network (`None`: not usable).
    pub segment_use: SegmentUses,
    /// Forward graph (arcs in the direction of travel), built from
    /// `reverse` on first use ([`ProfileGraph::forward`]): only a scenario
    /// removing facilities needs it.
    forward: OnceLock<Csr>,
    /// Reversed graph, in the search's layout: searching it from facilities
    /// gives the time *to* the nearest facility from every node.
    pub reverse: SearchGraph,
    /// Number of usable segments.
    pub usable_segments: usize,
}

impl ProfileGraph {
    /// Builds a profile's graph. Arc time is `len_m / speed`, times the
    /// segment's slope factor in that direction when the network has slopes
    /// for this profile; `oneway` is honoured only when the profile says so.
    pub fn build(net: &RoadNetwork, profile: &Profile) -> Self {
        Self::build_edited(net, profile, |_| None)
    }

    /// As [`ProfileGraph::build`], with segments edited: `edit(segment)`
    /// gives the segment's edit, if any (a scenario's closures, class
    /// changes and speed changes).
    pub fn build_edited<'e>(
        net: &RoadNetwork,
        profile: &Profile,
        edit: impl Fn(usize) -> Option<&'e SegmentEdit>,
    ) -> Self {
        Self::from_uses(net, profile, Self::segment_uses(net, profile, edit))
    }

    /// How `profile` may use each segment of `net` under `edit` (`None`:
    /// not at all): the first half of [`ProfileGraph::build_edited`], a
    /// cheap pass, so that what needs only the usable segments (the
    /// segment R-tree) can be built beside the graphs.
    pub fn segment_uses<'e>(
        net: &RoadNetwork,
        profile: &Profile,
        edit: impl Fn(usize) -> Option<&'e SegmentEdit>,
    ) -> SegmentUses {
        net.segments
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let r = &net.roads[s.road as usize];
                let e = edit(i);
                let class = e.and_then(|e| e.class.as_deref()).unwrap_or(&r.class);
                let speed = match e {
                    Some(e) if e.closed => None,
                    Some(e) => profile
                        .speed(class, r.maxspeed)
                        .map(|v| e.speed(&profile.name, v)),
                    None => profile.speed(class, r.maxspeed),
                };
                let speed = speed.filter(|v| v.0 > 0.0 && v.0.is_finite())?;
                let (forward, backward) = match (profile.oneway, r.oneway) {
                    (true, Oneway::Forward) => (true, false),
                    (true, Oneway::Backward) => (false, true),
                    _ => (true, true),
                };
                Some(SegmentUse {
                    speed,
                    forward,
                    backward,
                })
            })
            .collect()
    }

    /// The graph of `profile` on `net` with the segment uses
    /// `segment_use` (from [`ProfileGraph::segment_uses`]): arc time is
    /// `len_m / speed`, times the segment's slope factor in that direction
    /// when the network has slopes for this profile.
    pub fn from_uses(net: &RoadNetwork, profile: &Profile, segment_use: SegmentUses) -> Self {
        let sloped = net.sloped(&profile.name);
        let mut arcs = Vec::with_capacity(net.segments.len() * 2);
        let mut usable = 0;
        for (i, (s, usage)) in net.segments.iter().zip(segment_use.iter()).enumerate() {
            let Some(usage) = *usage else { continue };
            let time = |forward| segment_time(net, sloped, i, usage, Meters(s.len_m), forward);
            if usage.forward {
                arcs.push((s.a, s.b, time(true), s.len_m));
            }
            if usage.backward {
                arcs.push((s.b, s.a, time(false), s.len_m));
            }
            usable += 1;
        }
        // Reversed in place: the reverse graph's arc order is a full sort of
        // the arcs, so it is the forward graph's `reversed()`, without the
        // forward graph in between.
        for a in &mut arcs {
            std::mem::swap(&mut a.0, &mut a.1);
        }
        let reverse = SearchGraph::from_arcs(net.nodes.len(), arcs);
        ProfileGraph {
            profile: profile.name.clone(),
            sloped,
            segment_use,
            forward: OnceLock::new(),
            reverse,
            usable_segments: usable,
        }
    }
}

impl ProfileGraph {
    /// The forward graph: `reverse` with every arc reversed, built on first
    /// use (the same arcs in the same order as building it directly).
    pub fn forward(&self) -> &Csr {
        self.forward.get_or_init(|| {
            let g = &self.reverse;
            let mut arcs = Vec::with_capacity(g.arc_count());
            for u in 0..g.node_count() as u32 {
                for a in g.arcs(u) {
                    arcs.push((a.head, u, a.time_s, a.dist_m));
                }
            }
            Csr::from_arcs(g.node_count(), arcs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csr_layout_and_reverse() {
        let g = Csr::from_arcs(
            3,
            vec![(1, 2, 5.0, 50.0), (0, 1, 1.0, 10.0), (0, 2, 9.0, 90.0)],
        );
        assert_eq!(g.first_out, vec![0, 2, 3, 3]);
        assert_eq!(g.head, vec![1, 2, 2]);
        let r = g.reversed();
        assert_eq!(r.first_out, vec![0, 0, 1, 3]);
        assert_eq!(r.head, vec![0, 0, 1]);
        assert_eq!(r.time_s, vec![1.0, 9.0, 5.0]);
        let s = SearchGraph::from(&r);
        assert_eq!(s.first_out, r.first_out);
        let arc = s.arcs(2)[1];
        assert_eq!((arc.head, arc.time_s, arc.dist_m), (1, 5.0, 50.0));
        assert_eq!(std::mem::size_of::<SearchArc>(), 20);
    }

    /// The graphs built through the reversed arc list (and the forward one
    /// rebuilt from the reverse) equal building the forward graph first and
    /// reversing it, arc order included: parallel arcs, equal times,
    /// one-way roads.
    #[test]
    fn reverse_first_equals_forward_first() {
        use crate::model::{LonLat, Road};
        let mut seed = 7u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        let pts: Vec<LonLat> = (0..40)
            .map(|i| LonLat::new(0.001 * (i % 7) as f64, 0.001 * (i / 7) as f64))
            .collect();
        let roads: Vec<Road> = (0..120)
            .map(|k| Road {
                id: k.to_string(),
                class: ["primary", "track"][next() % 2].into(),
                oneway: [Oneway::No, Oneway::Forward, Oneway::Backward][next() % 3],
                maxspeed: None,
                vertices: (0..2 + next() % 3)
                    .map(|_| (None, pts[next() % pts.len()]))
                    .collect(),
                passability: Vec::new(),
                joinable: true,
            })
            .collect();
        let net = RoadNetwork::build(&roads);
        let profile = Profile {
            name: "drive".into(),
            speeds_kmh: [("primary".to_string(), 50.0), ("track".to_string(), 50.0)].into(),
            offroad_kmh: 5.0,
            oneway: true,
            use_maxspeed: false,
            no_road_kmh: 30.0,
        };
        let g = ProfileGraph::build(&net, &profile);
        let mut arcs = Vec::new();
        for (i, s) in net.segments.iter().enumerate() {
            let Some(u) = g.segment_use[i] else { continue };
            let t = u.speed.time_for(Meters(s.len_m)).0;
            if u.forward {
                arcs.push((s.a, s.b, t, s.len_m));
            }
            if u.backward {
                arcs.push((s.b, s.a, t, s.len_m));
            }
        }
        let forward = Csr::from_arcs(net.nodes.len(), arcs);
        assert!(forward.arc_count() > 100);
        assert_eq!(g.reverse, SearchGraph::from(&forward.reversed()));
        let lazy = g.forward();
        assert_eq!(lazy.first_out, forward.first_out);
        assert_eq!(lazy.head, forward.head);
        assert_eq!(lazy.time_s, forward.time_s);
        assert_eq!(lazy.dist_m, forward.dist_m);
    }

    #[test]
    fn search_graph_built_directly_equals_the_converted_csr() {
        let arcs = vec![
            (2, 0, 3.0, 30.0),
            (0, 2, 9.0, 1.0),
            (0, 1, 1.0, 10.0),
            (0, 2, 9.0, 0.5),
            (0, 2, 2.0, 7.0),
        ];
        assert_eq!(
            SearchGraph::from_arcs(3, arcs.clone()),
            SearchGraph::from(&Csr::from_arcs(3, arcs))
        );
    }

    #[test]
    fn segment_uses_read_back_as_the_uses_they_were_built_from() {
        let speeds = [30.0, 0.1 + 0.2, 30.0, 5.0];
        let uses: Vec<Option<SegmentUse>> = (0..40)
            .map(|i| {
                (i % 5 != 0).then(|| SegmentUse {
                    speed: KmPerHour(speeds[i % 4]),
                    forward: i % 3 != 0,
                    backward: i % 7 != 0,
                })
            })
            .collect();
        let packed: SegmentUses = uses.iter().copied().collect();
        assert_eq!(packed.len(), uses.len());
        let same = |a: &Option<SegmentUse>, b: &Option<SegmentUse>| match (a, b) {
            (None, None) => true,
            (Some(a), Some(b)) => {
                a.speed.0.to_bits() == b.speed.0.to_bits()
                    && (a.forward, a.backward) == (b.forward, b.backward)
            }
            _ => false,
        };
        for (k, u) in uses.iter().enumerate() {
            assert!(same(&packed[k], u), "segment {k}");
        }
        assert!(packed.iter().zip(&uses).all(|(a, b)| same(a, b)));
        assert!(packed.table.len() <= 1 + 3 * 4, "distinct uses only");
    }
}

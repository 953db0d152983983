//! The road network shared by every profile: nodes, segments and components.
//!
//! Each pair of consecutive road vertices becomes a [`Segment`]; vertices that
//! share an OSM node id (or, without ids, identical coordinates) become one
//! node. Segment lengths are haversine distances in metres.

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::geometry::haversine;
use crate::model::{LonLat, Oneway, Road};
use crate::units::KmPerHour;

/// A straight piece of road between two nodes.
///
/// Packed (20 bytes, not 24): a national extract has millions. Fields are
/// read by value only.
#[derive(Debug, Clone, Copy)]
#[repr(C, packed(4))]
pub struct Segment {
    /// Start node (in the direction of the road geometry).
    pub a: u32,
    /// End node.
    pub b: u32,
    /// Length, metres.
    pub len_m: f64,
    /// Index of the road it belongs to in [`RoadNetwork::roads`].
    pub road: u32,
}

/// Attributes of a road that matter for travel.
#[derive(Debug, Clone)]
pub struct RoadAttrs {
    /// Source id.
    pub id: String,
    /// Class.
    pub class: String,
    /// Direction restriction.
    pub oneway: Oneway,
    /// Posted speed.
    pub maxspeed: Option<KmPerHour>,
    /// Whether places may snap to it ([`Road::joinable`]).
    pub joinable: bool,
}

/// Connected-component summary (ignoring direction and profile).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Components {
    /// Number of components.
    pub count: usize,
    /// Nodes in the largest component.
    pub largest_nodes: usize,
    /// Share of nodes in the largest component.
    pub largest_share: f64,
}

/// Nodes and segments of all roads.
#[derive(Debug, Clone, Default)]
pub struct RoadNetwork {
    /// Node positions, indexed by node id.
    pub nodes: Vec<LonLat>,
    /// Segments.
    pub segments: Vec<Segment>,
    /// Road attributes, indexed by [`Segment::road`].
    pub roads: Vec<RoadAttrs>,
    /// Its undirected connected components, summed up (the component of
    /// each node is not kept: nothing reads it after the build).
    pub components: Components,
    /// Shared-node key of each node (its OSM id), when it has one. Only
    /// scenarios adding roads read it (a one-shot run drops it).
    pub node_key: Vec<Option<i64>>,
    /// Slope factors of each segment, `[a → b, b → a]`: the ratio of its
    /// walking time over a DEM to its time on the flat (empty without a
    /// DEM; see `search::trip::slope_network`).
    pub slope: Vec<[f64; 2]>,
    /// The profiles whose arc times are multiplied by [`Self::slope`]
    /// (`[terrain] road_profiles`).
    pub slope_profiles: Vec<String>,
    /// How many roads [`RoadNetwork::release_roads`] dropped.
    released_roads: usize,
    /// What [`RoadNetwork::release_nodes`] kept (`None` before it).
    kept: Option<Box<Kept>>,
}

/// What [`RoadNetwork::release_nodes`] keeps of the nodes and segments:
/// the segments places snapped to, with their ends' positions and slope
/// factors, and how many nodes and segments there were.
#[derive(Debug, Clone)]
struct Kept {
    /// Ids of the kept segments, ascending.
    ids: Vec<u32>,
    /// The segment of each id.
    segments: Vec<Segment>,
    /// The positions of its ends, `[a, b]`.
    ends: Vec<[LonLat; 2]>,
    /// Its slope factors (empty when the network has none).
    slope: Vec<[f64; 2]>,
    /// Nodes before the release.
    nodes: usize,
    /// Segments before the release.
    segments_total: usize,
    /// Whether [`RoadNetwork::release_segments`] dropped the segments.
    segments_released: bool,
}

impl RoadNetwork {
    /// Number of roads, those [`RoadNetwork::release_roads`] dropped
    /// included.
    pub fn road_count(&self) -> usize {
        self.roads.len() + self.released_roads
    }

    /// Drops the road attributes (about 130 bytes a road: two strings
    /// and the travel attributes) once every profile's segment uses and
    /// the segment R-tree are built, the only readers but scenarios: a
    /// one-shot run needs them no further.
    pub fn release_roads(&mut self) {
        self.released_roads += self.roads.len();
        self.roads = Vec::new();
    }

    /// Drops the nodes (16 bytes each), keeping the segments of `keep`
    /// (those places snapped to) with their ends' positions and slope
    /// factors, once every place the run will route from or to is snapped:
    /// a one-shot run then reads a segment's geometry only where a trip
    /// leaves or joins the network ([`RoadNetwork::segment`],
    /// [`RoadNetwork::segment_ends`], [`RoadNetwork::slope`]). Graphs can
    /// still be built (they read the segments), segment indices and
    /// scenarios no longer. Does nothing the second time.
    pub fn release_nodes(&mut self, keep: impl IntoIterator<Item = u32>) {
        if self.kept.is_some() {
            return;
        }
        let mut ids: Vec<u32> = keep.into_iter().collect();
        ids.sort_unstable();
        ids.dedup();
        let segments: Vec<Segment> = ids.iter().map(|&i| self.segments[i as usize]).collect();
        let ends = segments
            .iter()
            .map(|s| [self.nodes[s.a as usize], self.nodes[s.b as usize]])
            .collect();
        let slope = match self.slope.is_empty() {
            true => Vec::new(),
            false => ids.iter().map(|&i| self.slope[i as usize]).collect(),
        };
        self.kept = Some(Box::new(Kept {
            ids,
            segments,
            ends,
            slope,
            nodes: self.nodes.len(),
            segments_total: self.segments.len(),
            segments_released: false,
        }));
        self.nodes = Vec::new();
    }

    /// Drops the segments and their slope factors too (20 and 16 bytes a
    /// segment), once the graphs are built, after
    /// [`RoadNetwork::release_nodes`] (which kept the segments places
    /// snapped to). No graph can be built on the network any more.
    ///
    /// # Panics
    /// Before [`RoadNetwork::release_nodes`]: what to keep is not known.
    pub fn release_segments(&mut self) {
        let k = self
            .kept
            .as_deref_mut()
            .expect("release_nodes names the segments to keep first");
        k.segments_released = true;
        self.segments = Vec::new();
        self.slope = Vec::new();
    }

    /// Whether [`RoadNetwork::release_nodes`] dropped the nodes.
    pub fn nodes_released(&self) -> bool {
        self.kept.is_some()
    }

    /// Whether [`RoadNetwork::release_segments`] dropped the segments.
    pub fn segments_released(&self) -> bool {
        self.kept.as_ref().is_some_and(|k| k.segments_released)
    }

    /// Stops a graph from being built on released segments (it would be
    /// silently empty).
    ///
    /// # Panics
    /// After [`RoadNetwork::release_segments`].
    pub fn assert_segments_kept(&self) {
        assert!(
            !self.segments_released(),
            "a graph is built on the network's segments, not on a released network"
        );
    }

    /// Number of nodes, those released included.
    pub fn node_count(&self) -> usize {
        self.kept.as_ref().map_or(self.nodes.len(), |k| k.nodes)
    }

    /// Number of segments, those released included.
    pub fn segment_count(&self) -> usize {
        self.kept
            .as_ref()
            .map_or(self.segments.len(), |k| k.segments_total)
    }

    /// The kept segments and where segment `s` is among them.
    ///
    /// # Panics
    /// When `s` is not kept (or nothing is): only the segments places
    /// snapped to are, and nothing else is read of them once released.
    fn kept_at(&self, s: u32) -> (&Kept, usize) {
        let k = self.kept.as_deref();
        match k.map(|k| (k, k.ids.binary_search(&s))) {
            Some((k, Ok(at))) => (k, at),
            Some(_) => panic!("segment {s} was released with the network's geometry"),
            None => panic!("segment {s} is not in the network"),
        }
    }

    /// Segment `s`.
    pub fn segment(&self, s: u32) -> Segment {
        match self.segments.get(s as usize) {
            Some(seg) => *seg,
            None => {
                let (k, at) = self.kept_at(s);
                k.segments[at]
            }
        }
    }

    /// The positions of segment `s`'s ends, `[a, b]`.
    pub fn segment_ends(&self, s: u32) -> [LonLat; 2] {
        if self.nodes_released() {
            let (k, at) = self.kept_at(s);
            return k.ends[at];
        }
        let seg = self.segments[s as usize];
        [self.nodes[seg.a as usize], self.nodes[seg.b as usize]]
    }

    /// Builds the network. Zero-length segments (repeated vertices) are dropped.
    ///
    /// Vertices are shared by their OSM id, or by the bits of their
    /// coordinates when they have none (the two never match each other);
    /// nodes are numbered in the order their first vertex comes in the
    /// roads. The numbering is a parallel sort rather than one hash lookup
    /// per vertex (`node_of_vertices`): at millions of vertices the
    /// lookups were cache misses on one thread.
    pub fn build(roads: &[Road]) -> Self {
        Self::build_with(roads, true)
    }

    /// As [`RoadNetwork::build`], without the nodes' OSM ids
    /// ([`RoadNetwork::node_key`] left empty: 16 bytes a node) for a run
    /// that no scenario adding roads follows.
    pub fn build_without_keys(roads: &[Road]) -> Self {
        Self::build_with(roads, false)
    }

    fn build_with(roads: &[Road], keys: bool) -> Self {
        let (node_of, nodes) = node_of_vertices(roads);
        // At most one segment between consecutive vertices of a road.
        let segments = roads
            .iter()
            .map(|r| r.vertices.len().saturating_sub(1))
            .sum();
        let mut net = RoadNetwork {
            nodes: Vec::with_capacity(nodes),
            node_key: Vec::with_capacity(if keys { nodes } else { 0 }),
            segments: Vec::with_capacity(segments),
            roads: Vec::with_capacity(roads.len()),
            ..RoadNetwork::default()
        };
        let mut k = 0usize;
        for road in roads {
            let r = net.roads.len() as u32;
            net.roads.push(RoadAttrs {
                id: road.id.clone(),
                class: road.class.clone(),
                oneway: road.oneway,
                maxspeed: road.maxspeed,
                joinable: road.joinable,
            });
            let mut prev: Option<u32> = None;
            for (key, pos) in &road.vertices {
                let id = node_of[k];
                k += 1;
                if id as usize == net.nodes.len() {
                    net.nodes.push(*pos);
                    if keys {
                        net.node_key.push(*key);
                    }
                }
                if let Some(p) = prev {
                    let len = haversine(net.nodes[p as usize], net.nodes[id as usize]).0;
                    if p != id && len > 0.0 {
                        net.segments.push(Segment {
                            a: p,
                            b: id,
                            len_m: len,
                            road: r,
                        });
                    }
                }
                prev = Some(id);
            }
        }
        // Room was made for a segment between every two vertices; those
        // of zero length are not kept.
        net.segments.shrink_to_fit();
        net.components = summary(&components(net.nodes.len(), &net.segments));
        net
    }

    /// The time factors of segment `s`, `[a → b, b → a]`: `[1, 1]` when
    /// the network has no slopes.
    pub fn slope(&self, s: usize) -> [f64; 2] {
        if let Some(f) = self.slope.get(s) {
            return *f;
        }
        match &self.kept {
            Some(k) if !k.slope.is_empty() => {
                let (k, at) = self.kept_at(s as u32);
                k.slope[at]
            }
            _ => [1.0, 1.0],
        }
    }

    /// Whether `profile`'s road times follow the slopes.
    pub fn sloped(&self, profile: &str) -> bool {
        let kept = self.kept.as_ref().is_some_and(|k| !k.slope.is_empty());
        (kept || !self.slope.is_empty()) && self.slope_profiles.iter().any(|p| p == profile)
    }
}

/// The summary of the component of each node.
fn summary(component: &[u32]) -> Components {
    let mut sizes: FxHashMap<u32, usize> = FxHashMap::default();
    for c in component {
        *sizes.entry(*c).or_insert(0) += 1;
    }
    let largest = sizes.values().copied().max().unwrap_or(0);
    Components {
        count: sizes.len(),
        largest_nodes: largest,
        largest_share: if component.is_empty() {
            0.0
        } else {
            largest as f64 / component.len() as f64
        },
    }
}

/// The node of every vertex of `roads` (in road order, then vertex
/// order): vertices with the same key (OSM id, or coordinate bits when
/// there is none) share a node, numbered by where its first vertex comes.
///
/// Every vertex's `(key, position in the list)` is sorted in parallel; in
/// each run of equal keys the first position names the run; runs are
/// numbered in the order of those first positions. `O(v log v)` over two
/// cores instead of a hash lookup per vertex; the same numbering as one
/// hash map filled in road order (tested against that).
fn node_of_vertices(roads: &[Road]) -> (Vec<u32>, usize) {
    // Vertices with an id and without one are sorted apart (the two never
    // match), the first by 16-byte records, not the 32 of one enum.
    let vertices = || roads.iter().flat_map(|r| &r.vertices);
    let with_id = vertices().filter(|v| v.0.is_some()).count();
    let mut by_id: Vec<(i64, u32)> = Vec::with_capacity(with_id);
    let mut by_pos: Vec<((u64, u64), u32)> = Vec::with_capacity(vertices().count() - with_id);
    for (k, (id, pos)) in vertices().enumerate() {
        match id {
            Some(i) => by_id.push((*i, k as u32)),
            None => by_pos.push(((pos.lon.to_bits(), pos.lat.to_bits()), k as u32)),
        }
    }
    let n = by_id.len() + by_pos.len();
    // The first vertex of each run of equal keys, and each vertex's run.
    let mut firsts: Vec<u32> = Vec::new();
    let mut run_of = vec![0u32; n];
    fn runs<K: Ord + Send + Copy>(
        keyed: &mut [(K, u32)],
        firsts: &mut Vec<u32>,
        run_of: &mut [u32],
    ) {
        keyed.par_sort_unstable();
        for (j, (key, k)) in keyed.iter().enumerate() {
            if j == 0 || keyed[j - 1].0 != *key {
                firsts.push(*k);
            }
            run_of[*k as usize] = firsts.len() as u32 - 1;
        }
    }
    runs(&mut by_id, &mut firsts, &mut run_of);
    drop(by_id);
    runs(&mut by_pos, &mut firsts, &mut run_of);
    drop(by_pos);
    // Runs numbered by their first vertex's position.
    let mut order: Vec<u32> = (0..firsts.len() as u32).collect();
    order.par_sort_unstable_by_key(|&r| firsts[r as usize]);
    let mut number = vec![0u32; firsts.len()];
    for (node, &r) in order.iter().enumerate() {
        number[r as usize] = node as u32;
    }
    run_of.iter_mut().for_each(|r| *r = number[*r as usize]);
    (run_of, firsts.len())
}

/// Undirected connected components by union–find; each component is named by
/// its smallest node id, so the labelling is deterministic.
fn components(n: usize, segments: &[Segment]) -> Vec<u32> {
    let mut parent: Vec<u32> = (0..n as u32).collect();
    fn find(p: &mut [u32], mut x: u32) -> u32 {
        while p[x as usize] != x {
            p[x as usize] = p[p[x as usize] as usize];
            x = p[x as usize];
        }
        x
    }
    for s in segments {
        let (ra, rb) = (find(&mut parent, s.a), find(&mut parent, s.b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            parent[hi as usize] = lo;
        }
    }
    (0..n as u32).map(|x| find(&mut parent, x)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn road(keys: &[(i64, f64, f64)]) -> Road {
        Road {
            id: "r".into(),
            class: "primary".into(),
            oneway: Oneway::No,
            maxspeed: None,
            vertices: keys
                .iter()
                .map(|(k, x, y)| (Some(*k), LonLat::new(*x, *y)))
                .collect(),
            passability: Vec::new(),
            joinable: true,
        }
    }

    #[test]
    fn shared_nodes_join_and_components_count() {
        let roads = [
            road(&[(1, 0.0, 0.0), (2, 0.01, 0.0), (3, 0.02, 0.0)]),
            road(&[(3, 0.02, 0.0), (4, 0.02, 0.01)]),
            road(&[(10, 1.0, 1.0), (11, 1.0, 1.01)]),
        ];
        let net = RoadNetwork::build(&roads);
        assert_eq!(net.nodes.len(), 6);
        assert_eq!(net.segments.len(), 4);
        let c = &net.components;
        assert_eq!(c.count, 2);
        assert_eq!(std::mem::size_of::<Segment>(), 20);
        assert_eq!(c.largest_nodes, 4);
    }

    /// After `release_nodes` and `release_segments`, the kept segments read as before (their
    /// ends, lengths and slope factors), the counts stay, and a released
    /// segment is never read silently.
    #[test]
    fn released_geometry_keeps_the_snapped_segments() {
        let roads = [
            road(&[(1, 0.0, 0.0), (2, 0.01, 0.0), (3, 0.02, 0.0)]),
            road(&[(3, 0.02, 0.0), (4, 0.02, 0.01), (5, 0.03, 0.01)]),
        ];
        let mut net = RoadNetwork::build(&roads);
        net.slope = (0..net.segments.len())
            .map(|i| [1.0 + i as f64, 0.5 + i as f64])
            .collect();
        net.slope_profiles = vec!["walk".into()];
        let full = net.clone();
        assert!(!net.nodes_released());
        net.release_nodes([3, 1, 3]);
        assert!(net.nodes_released() && !net.segments_released());
        assert!(net.nodes.is_empty());
        // Nodes released, segments kept: the graphs can still be built.
        for s in 0..4u32 {
            let (a, b) = (net.segment(s), full.segment(s));
            assert_eq!((a.a, a.b, a.len_m), (b.a, b.b, b.len_m));
            assert_eq!(net.slope(s as usize), full.slope(s as usize));
        }
        assert_eq!(net.segment_ends(3), full.segment_ends(3));
        assert!(std::panic::catch_unwind(|| net.segment_ends(2)).is_err());
        net.release_segments();
        assert!(net.segments_released());
        assert!(net.segments.is_empty() && net.slope.is_empty());
        assert_eq!(net.node_count(), 5);
        assert_eq!(net.segment_count(), 4);
        assert!(net.sloped("walk") && !net.sloped("drive"));
        for s in [1u32, 3] {
            let (a, b) = (net.segment(s), full.segment(s));
            assert_eq!((a.a, a.b, a.len_m), (b.a, b.b, b.len_m));
            assert_eq!(net.segment_ends(s), full.segment_ends(s));
            assert_eq!(net.slope(s as usize), full.slope(s as usize));
        }
        let gone = std::panic::catch_unwind(|| net.segment(2));
        assert!(gone.is_err(), "a released segment must not be read");
        // Without slopes, the kept segments' factors are 1.
        let mut flat = RoadNetwork::build(&roads);
        flat.release_nodes([0]);
        flat.release_segments();
        assert_eq!(flat.slope(0), [1.0, 1.0]);
        assert!(!flat.sloped("walk"));
    }

    /// The numbering of one hash map filled in road order: the reference
    /// `node_of_vertices` is checked against.
    fn reference(roads: &[Road]) -> Vec<u32> {
        let mut by_id: FxHashMap<i64, u32> = FxHashMap::default();
        let mut by_pos: FxHashMap<(u64, u64), u32> = FxHashMap::default();
        let mut next = 0u32;
        let mut out = Vec::new();
        for (key, pos) in roads.iter().flat_map(|r| &r.vertices) {
            let id = match key {
                Some(k) => *by_id.entry(*k).or_insert(next),
                None => *by_pos
                    .entry((pos.lon.to_bits(), pos.lat.to_bits()))
                    .or_insert(next),
            };
            if id == next {
                next += 1;
            }
            out.push(id);
        }
        out
    }

    #[test]
    fn sorted_numbering_equals_one_hash_map_in_road_order() {
        let mut state = 0x853c_49e6_748f_ea9bu64;
        let mut rnd = move |m: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % m
        };
        for _ in 0..200 {
            let roads: Vec<Road> = (0..1 + rnd(12))
                .map(|_| {
                    let mut r = road(&[]);
                    r.vertices = (0..rnd(8))
                        .map(|_| {
                            // Few ids and few positions, so both repeat; an
                            // id's position may differ from one use to the next.
                            let pos = LonLat::new(rnd(5) as f64 * 0.01, rnd(3) as f64 * 0.01);
                            let key = (rnd(3) > 0).then(|| rnd(10) as i64 - 3);
                            (key, pos)
                        })
                        .collect();
                    r
                })
                .collect();
            let (got, nodes) = node_of_vertices(&roads);
            let want = reference(&roads);
            assert_eq!(nodes, want.iter().max().map_or(0, |&m| m as usize + 1));
            assert_eq!(got, want);
        }
    }
}

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

    /// Builds the network. Zero-length segments (repeated vertices) are dropped.
    ///
    /// Vertices are shared by their OSM id, or by the bits of their
    /// coordinates when they have none (the two never match each other);
    /// nodes are numbered in the order their first vertex comes in the
    /// roads. The numbering is a parallel sort rather than one hash lookup
    /// per vertex (`node_of_vertices`): at millions of vertices the
    /// lookups were cache misses on one thread.
    pub fn build(roads: &[Road]) -> Self {
        let node_of = node_of_vertices(roads);
        let vertices = node_of.len();
        let mut net = RoadNetwork {
            nodes: Vec::with_capacity(vertices),
            node_key: Vec::with_capacity(vertices),
            segments: Vec::with_capacity(vertices),
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
                    net.node_key.push(*key);
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
        // Room was made for every vertex; nodes and segments are fewer.
        net.nodes.shrink_to_fit();
        net.node_key.shrink_to_fit();
        net.segments.shrink_to_fit();
        net.components = summary(&components(net.nodes.len(), &net.segments));
        net
    }

    /// The time factors of segment `s`, `[a → b, b → a]`: `[1, 1]` when
    /// the network has no slopes.
    pub fn slope(&self, s: usize) -> [f64; 2] {
        self.slope.get(s).copied().unwrap_or([1.0, 1.0])
    }

    /// Whether `profile`'s road times follow the slopes.
    pub fn sloped(&self, profile: &str) -> bool {
        !self.slope.is_empty() && self.slope_profiles.iter().any(|p| p == profile)
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
fn node_of_vertices(roads: &[Road]) -> Vec<u32> {
    #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    enum Key {
        Id(i64),
        Pos(u64, u64),
    }
    let mut keyed: Vec<(Key, u32)> = roads
        .iter()
        .flat_map(|r| &r.vertices)
        .enumerate()
        .map(|(k, (id, pos))| {
            let key = match id {
                Some(i) => Key::Id(*i),
                None => Key::Pos(pos.lon.to_bits(), pos.lat.to_bits()),
            };
            (key, k as u32)
        })
        .collect();
    keyed.par_sort_unstable();
    let n = keyed.len();
    // The first vertex of each run, and each vertex's run.
    let mut firsts: Vec<u32> = Vec::new();
    let mut run_of = vec![0u32; n];
    for (j, (key, k)) in keyed.iter().enumerate() {
        if j == 0 || keyed[j - 1].0 != *key {
            firsts.push(*k);
        }
        run_of[*k as usize] = firsts.len() as u32 - 1;
    }
    drop(keyed);
    // Runs numbered by their first vertex's position.
    let mut order: Vec<u32> = (0..firsts.len() as u32).collect();
    order.par_sort_unstable_by_key(|&r| firsts[r as usize]);
    let mut number = vec![0u32; firsts.len()];
    for (node, &r) in order.iter().enumerate() {
        number[r as usize] = node as u32;
    }
    run_of.iter_mut().for_each(|r| *r = number[*r as usize]);
    run_of
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
            assert_eq!(node_of_vertices(&roads), reference(&roads));
        }
    }
}

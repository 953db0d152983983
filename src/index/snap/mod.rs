//! Snapping places to the nearest point of the nearest usable road segment.
//!
//! Segments are stored as 3-D chords between the unit vectors of their end
//! nodes (see [`crate::geometry`]): the nearest chord is the nearest segment
//! on the sphere, and the projection's parameter `t` locates the snapped
//! point along the segment. A road segment a few hundred metres long departs
//! from its chord by millimetres, which is far below snapping precision.

use rstar::RTree;

use crate::geometry::{chord_to_meters, from_unit, meters_to_chord, to_unit};
use crate::index::graph::ProfileGraph;
use crate::index::network::RoadNetwork;
use crate::model::LonLat;
use crate::units::Meters;

use super::rpoint::Unit3;
use chunks::{Chunk, Met, Nearest, WideNodes, MAX_CHUNK};

mod chunks;
#[cfg(test)]
mod tests;

/// Where a place meets the road network.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snap {
    /// Segment index in the network.
    pub segment: u32,
    /// Position along the segment from `a` (0) to `b` (1).
    pub t: f64,
    /// Straight-line distance from the place to the snapped point.
    pub offroad: Meters,
}

/// An R-tree of the segments one profile may use, by runs of consecutive
/// segments of a road (see `chunks`): the same snaps as a tree of the
/// segments themselves, in a third of its memory.
pub struct SegmentIndex {
    tree: RTree<Chunk, WideNodes>,
    /// The chunks' vertices as unit vectors, each chunk's in a run.
    vertices: Vec<Unit3>,
}

impl SegmentIndex {
    /// Indexes the segments usable in `graph` on roads a place may join
    /// ([`crate::model::Road::joinable`]): a tunnel stays in the graph but is
    /// never a snap target, so a place above one snaps to the nearest
    /// joinable segment, however far.
    pub fn build(net: &RoadNetwork, graph: &ProfileGraph) -> Self {
        Self::build_where(net, |i| graph.segment_use[i].is_some())
    }

    /// Indexes the joinable segments for which `usable(segment)` holds:
    /// with the segments any of several profiles may use, one index serves
    /// them all, each snapping among its own ([`SegmentIndex::snap_where`]
    /// gives the same snap as an index of those alone).
    ///
    /// A chunk is a run of indexed segments with consecutive indices on
    /// one road, each starting at the node where the one before ends, at
    /// most `MAX_CHUNK` (16) long.
    pub fn build_where(net: &RoadNetwork, usable: impl Fn(usize) -> bool) -> Self {
        assert!(
            !net.nodes_released(),
            "a segment index is built on the whole network, not on a released one"
        );
        let segments = &net.segments;
        let indexed = |i: usize| usable(i) && net.roads[segments[i].road as usize].joinable;
        let unit = |node: u32| Unit3(to_unit(net.nodes[node as usize]));
        let mut vertices = Vec::new();
        let mut chunks = Vec::new();
        let mut i = 0;
        while i < segments.len() {
            if !indexed(i) {
                i += 1;
                continue;
            }
            let vertex = vertices.len() as u32;
            vertices.push(unit(segments[i].a));
            vertices.push(unit(segments[i].b));
            let mut j = i + 1;
            while j < segments.len()
                && j - i < MAX_CHUNK
                && segments[j].road == segments[i].road
                && segments[j].a == segments[j - 1].b
                && indexed(j)
            {
                vertices.push(unit(segments[j].b));
                j += 1;
            }
            chunks.push(Chunk::new(&vertices, i as u32, vertex, (j - i) as u32));
            i = j;
        }
        vertices.shrink_to_fit();
        SegmentIndex {
            tree: RTree::bulk_load_with_params(chunks),
            vertices,
        }
    }

    /// The indexed segments nearest `q` first, each with its squared chord
    /// distance from `q`.
    fn nearest(&self, q: [f64; 3]) -> impl Iterator<Item = Met> + '_ {
        let q = Unit3(q);
        let chunks = self.tree.nearest_neighbor_iter_with_distance_2(&q);
        Nearest::new(chunks, &self.vertices, q)
    }

    /// Whether no segment is indexed.
    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }

    /// The nearest segment to `p`, or `None` when the index is empty. Among
    /// segments at the same distance (a shared vertex), the lowest index wins,
    /// so the result does not depend on tree layout.
    pub fn snap(&self, p: LonLat) -> Option<Snap> {
        self.snap_where(p, |_| true)
    }

    /// As [`SegmentIndex::snap`], among the indexed segments for which
    /// `usable` holds: the same snap as an index of those segments alone
    /// (a scenario that closes roads snaps on the baseline's index).
    pub fn snap_where(&self, p: LonLat, usable: impl Fn(u32) -> bool) -> Option<Snap> {
        let q = to_unit(p);
        let mut best: Option<(f64, u32, [f64; 3], [f64; 3])> = None;
        for Met { segment, d2, a, b } in self.nearest(q) {
            if !usable(segment) {
                continue;
            }
            if let Some((bd2, bi, _, _)) = best {
                if d2 > bd2 * (1.0 + 1e-12) + 1e-30 {
                    break;
                }
                if segment > bi {
                    continue;
                }
            }
            best = Some((d2, segment, a, b));
        }
        let (d2, seg, a, b) = best?;
        Some(Snap {
            segment: seg,
            t: project(q, a, b),
            offroad: chord_to_meters(d2.sqrt()),
        })
    }

    /// As [`SegmentIndex::snap_where`], among the segments whose nearest
    /// point `clear` accepts (one a straight leg from `p` reaches without
    /// crossing a barrier), looking no farther than `reach`: `None` when no
    /// such segment lies within it. Segments are visited nearest first, so
    /// the snap is the nearest clear one (ties to the lowest index).
    pub fn snap_clear(
        &self,
        p: LonLat,
        usable: impl Fn(u32) -> bool,
        reach: Meters,
        clear: impl Fn(LonLat) -> bool,
    ) -> Option<Snap> {
        let q = to_unit(p);
        let r = meters_to_chord(reach);
        let reach2 = r * r * (1.0 + 1e-12) + 1e-30;
        let mut best: Option<(f64, u32, f64)> = None;
        for Met { segment, d2, a, b } in self.nearest(q) {
            match best {
                Some((bd2, bi, _)) => {
                    if d2 > bd2 * (1.0 + 1e-12) + 1e-30 {
                        break;
                    }
                    if segment > bi {
                        continue;
                    }
                }
                None if d2 > reach2 => break,
                None => {}
            }
            if !usable(segment) {
                continue;
            }
            let t = project(q, a, b);
            if !clear(point_at(a, b, t)) {
                continue;
            }
            best = Some((d2, segment, t));
        }
        let (d2, seg, t) = best?;
        Some(Snap {
            segment: seg,
            t,
            offroad: chord_to_meters(d2.sqrt()),
        })
    }
}

/// The parameter in `[0, 1]` of the point of chord `a`–`b` nearest `q`.
fn project(q: [f64; 3], a: [f64; 3], b: [f64; 3]) -> f64 {
    let ab = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    let aq = [q[0] - a[0], q[1] - a[1], q[2] - a[2]];
    let len2 = ab[0] * ab[0] + ab[1] * ab[1] + ab[2] * ab[2];
    if len2 > 0.0 {
        ((aq[0] * ab[0] + aq[1] * ab[1] + aq[2] * ab[2]) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// The position at parameter `t` of chord `a`–`b` (as the trip model
/// places a snap).
pub fn point_at(a: [f64; 3], b: [f64; 3], t: f64) -> LonLat {
    from_unit([
        a[0] + t * (b[0] - a[0]),
        a[1] + t * (b[1] - a[1]),
        a[2] + t * (b[2] - a[2]),
    ])
}

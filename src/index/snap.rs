//! Snapping places to the nearest point of the nearest usable road segment.
//!
//! Segments are stored as 3-D chords between the unit vectors of their end
//! nodes (see [`crate::geometry`]): the nearest chord is the nearest segment
//! on the sphere, and the projection's parameter `t` locates the snapped
//! point along the segment. A road segment a few hundred metres long departs
//! from its chord by millimetres, which is far below snapping precision.

use rstar::primitives::{GeomWithData, Line};
use rstar::{RStarInsertionStrategy, RTree, RTreeParams};

use crate::geometry::{chord_to_meters, from_unit, meters_to_chord, to_unit};
use crate::index::graph::ProfileGraph;
use crate::index::network::RoadNetwork;
use crate::model::LonLat;
use crate::units::Meters;

use super::rpoint::Unit3;

type SegEntry = GeomWithData<Line<Unit3>, u32>;

/// Wider nodes than rstar's default (6 entries): the Liechtenstein
/// graphs-and-snap stage drops from 42 to 27 ms (64-entry nodes: 23 ms),
/// while each snap visits a few more entries per level. Results do not
/// depend on the layout (ties go to the lowest segment index).
struct WideNodes;

impl RTreeParams for WideNodes {
    const MIN_SIZE: usize = 8;
    const MAX_SIZE: usize = 32;
    const REINSERTION_COUNT: usize = 8;
    type DefaultInsertionStrategy = RStarInsertionStrategy;
}

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

/// An R-tree of the segments one profile may use.
pub struct SegmentIndex {
    tree: RTree<SegEntry, WideNodes>,
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
    pub fn build_where(net: &RoadNetwork, usable: impl Fn(usize) -> bool) -> Self {
        let entries = net
            .segments
            .iter()
            .enumerate()
            .filter(|(i, s)| usable(*i) && net.roads[s.road as usize].joinable)
            .map(|(i, s)| {
                let a = to_unit(net.nodes[s.a as usize]);
                let b = to_unit(net.nodes[s.b as usize]);
                GeomWithData::new(Line::new(Unit3(a), Unit3(b)), i as u32)
            })
            .collect();
        SegmentIndex {
            tree: RTree::bulk_load_with_params(entries),
        }
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
        for (e, d2) in self.tree.nearest_neighbor_iter_with_distance_2(&Unit3(q)) {
            if !usable(e.data) {
                continue;
            }
            if let Some((bd2, bi, _, _)) = best {
                if d2 > bd2 * (1.0 + 1e-12) + 1e-30 {
                    break;
                }
                if e.data > bi {
                    continue;
                }
            }
            best = Some((d2, e.data, e.geom().from.0, e.geom().to.0));
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
        for (e, d2) in self.tree.nearest_neighbor_iter_with_distance_2(&Unit3(q)) {
            match best {
                Some((bd2, bi, _)) => {
                    if d2 > bd2 * (1.0 + 1e-12) + 1e-30 {
                        break;
                    }
                    if e.data > bi {
                        continue;
                    }
                }
                None if d2 > reach2 => break,
                None => {}
            }
            if !usable(e.data) {
                continue;
            }
            let (a, b) = (e.geom().from.0, e.geom().to.0);
            let t = project(q, a, b);
            if !clear(point_at(a, b, t)) {
                continue;
            }
            best = Some((d2, e.data, t));
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

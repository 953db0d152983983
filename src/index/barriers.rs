//! An index of barriers — lines (rivers, fences, borders) and polygons
//! (lakes, closed areas) — that off-road legs and direct trips cannot cross.
//!
//! Every barrier line and every polygon ring is cut into edges, stored as
//! 3-D chords between unit vectors (see [`crate::geometry`]) in an R-tree,
//! as the road segments are for snapping. A leg crosses an edge when each
//! lies strictly on both sides of the other's great circle (the planes
//! through the sphere's centre), which is exact at any latitude and for
//! any direction. A vertex of a barrier lying exactly on a leg counts on
//! one side only (half-open), so a leg through the joint of two edges of a
//! line crosses it once, never slips between them.
//!
//! A leg whose end lies within [`TOUCH_M`] of an edge's great circle does
//! not cross that edge: a snap on a bridge may sit on the river's line, and
//! a leg that merely touches a barrier at its start or end does not cross
//! it. Places themselves are moved off barriers before any leg is timed
//! (`index::crossings`).
//!
//! Polygons are also indexed by their longitude/latitude boxes for
//! point-in-polygon tests (even–odd rule over every ring, in longitude and
//! latitude, as zones are located).

use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

use super::rpoint::Unit3;
use crate::geometry::{to_unit, EARTH_RADIUS_M};
use crate::model::{Barrier, BarrierKind, BarrierShape, LonLat};
use crate::units::Meters;

/// How close to a barrier's line the end of a leg may lie and still not
/// cross it, metres.
pub const TOUCH_M: f64 = 0.5;

type EdgeEntry = GeomWithData<Rectangle<Unit3>, u32>;
type BoxEntry = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// One edge of a barrier line or ring.
#[derive(Debug, Clone, Copy)]
pub struct Edge {
    /// Unit vector of its start.
    pub a: [f64; 3],
    /// Unit vector of its end.
    pub b: [f64; 3],
    /// The barrier it belongs to, by index.
    pub barrier: u32,
}

/// Barriers indexed for crossing and containment tests.
pub struct BarrierIndex {
    barriers: Vec<Barrier>,
    edges: Vec<Edge>,
    edge_tree: RTree<EdgeEntry>,
    polygon_tree: RTree<BoxEntry>,
}

fn cross(u: [f64; 3], v: [f64; 3]) -> [f64; 3] {
    [
        u[1] * v[2] - u[2] * v[1],
        u[2] * v[0] - u[0] * v[2],
        u[0] * v[1] - u[1] * v[0],
    ]
}

fn dot(u: [f64; 3], v: [f64; 3]) -> f64 {
    u[0] * v[0] + u[1] * v[1] + u[2] * v[2]
}

/// A box holding the great-circle arc from `a` to `b`: the chord's box
/// widened by the most the arc departs from its chord (its sagitta,
/// `1 − cos(θ/2) ≈ c²/8` for chord `c`, taken as `c²/4`), and a hair
/// for rounding.
fn arc_box(a: [f64; 3], b: [f64; 3]) -> ([f64; 3], [f64; 3]) {
    let c2 = (0..3).map(|k| (a[k] - b[k]).powi(2)).sum::<f64>();
    let pad = c2 / 4.0 + 1e-9;
    (
        [
            a[0].min(b[0]) - pad,
            a[1].min(b[1]) - pad,
            a[2].min(b[2]) - pad,
        ],
        [
            a[0].max(b[0]) + pad,
            a[1].max(b[1]) + pad,
            a[2].max(b[2]) + pad,
        ],
    )
}

/// The edges of a polyline (`closed`: with the edge from the last vertex
/// back to the first). Invalid vertices split the line; repeated vertices
/// give no edge.
fn polyline_edges(pts: &[LonLat], closed: bool, barrier: u32, out: &mut Vec<Edge>) {
    let mut push = |p: LonLat, q: LonLat| {
        if p.is_valid() && q.is_valid() && p != q {
            out.push(Edge {
                a: to_unit(p),
                b: to_unit(q),
                barrier,
            });
        }
    };
    for w in pts.windows(2) {
        push(w[0], w[1]);
    }
    if closed && pts.len() > 2 {
        if let (Some(&last), Some(&first)) = (pts.last(), pts.first()) {
            push(last, first);
        }
    }
}

/// Whether `p` lies inside `rings` by the even–odd rule (longitude and
/// latitude taken as plane coordinates).
pub fn in_rings(rings: &[Vec<LonLat>], p: LonLat) -> bool {
    let mut inside = false;
    for ring in rings {
        let n = ring.len();
        if n < 3 {
            continue;
        }
        let mut j = n - 1;
        for i in 0..n {
            let (a, b) = (ring[i], ring[j]);
            if (a.lat > p.lat) != (b.lat > p.lat)
                && p.lon < (b.lon - a.lon) * (p.lat - a.lat) / (b.lat - a.lat) + a.lon
            {
                inside = !inside;
            }
            j = i;
        }
    }
    inside
}

impl BarrierIndex {
    /// Indexes `barriers` (their invalid vertices are skipped).
    pub fn build(barriers: Vec<Barrier>) -> Self {
        let mut edges = Vec::new();
        let mut boxes = Vec::new();
        for (i, b) in barriers.iter().enumerate() {
            let i = i as u32;
            match &b.shape {
                BarrierShape::Line(pts) => polyline_edges(pts, false, i, &mut edges),
                BarrierShape::Polygon(rings) => {
                    for ring in rings {
                        polyline_edges(ring, true, i, &mut edges);
                    }
                    let mut lo = [f64::INFINITY; 2];
                    let mut hi = [f64::NEG_INFINITY; 2];
                    for p in rings.iter().flatten().filter(|p| p.is_valid()) {
                        lo = [lo[0].min(p.lon), lo[1].min(p.lat)];
                        hi = [hi[0].max(p.lon), hi[1].max(p.lat)];
                    }
                    if lo[0] <= hi[0] {
                        boxes.push(GeomWithData::new(Rectangle::from_corners(lo, hi), i));
                    }
                }
            }
        }
        let entries = edges
            .iter()
            .enumerate()
            .map(|(k, e)| {
                let (lo, hi) = arc_box(e.a, e.b);
                GeomWithData::new(Rectangle::from_corners(Unit3(lo), Unit3(hi)), k as u32)
            })
            .collect();
        BarrierIndex {
            barriers,
            edges,
            edge_tree: RTree::bulk_load(entries),
            polygon_tree: RTree::bulk_load(boxes),
        }
    }

    /// Whether there is no barrier edge at all.
    pub fn is_empty(&self) -> bool {
        self.edges.is_empty()
    }

    /// The barriers, by index.
    pub fn barriers(&self) -> &[Barrier] {
        &self.barriers
    }

    /// Number of barriers of each kind, lines and polygons apart:
    /// `(kind, lines, polygons)`.
    pub fn counts(&self) -> Vec<(BarrierKind, usize, usize)> {
        let mut out: Vec<(BarrierKind, usize, usize)> = Vec::new();
        for b in &self.barriers {
            let k = match out.iter().position(|c| c.0 == b.kind) {
                Some(k) => k,
                None => {
                    out.push((b.kind, 0, 0));
                    out.len() - 1
                }
            };
            match b.shape {
                BarrierShape::Line(_) => out[k].1 += 1,
                BarrierShape::Polygon(_) => out[k].2 += 1,
            }
        }
        out.sort_by_key(|c| c.0);
        out
    }

    /// The edges whose arcs' boxes meet the box of the arc from `p` to `q`.
    fn candidates(&self, p: [f64; 3], q: [f64; 3]) -> impl Iterator<Item = &Edge> + '_ {
        let (lo, hi) = arc_box(p, q);
        self.edge_tree
            .locate_in_envelope_intersecting(&AABB::from_corners(Unit3(lo), Unit3(hi)))
            .map(|e| &self.edges[e.data as usize])
    }

    /// Whether the great-circle leg from `from` to `to` crosses a barrier
    /// line or the boundary of a barrier polygon (ends within [`TOUCH_M`]
    /// of an edge's line do not count for that edge).
    pub fn blocks(&self, from: LonLat, to: LonLat) -> bool {
        self.crossing(from, to, |_| true).is_some()
    }

    /// The first barrier (by edge order of the index) whose edges the leg
    /// from `from` to `to` crosses, among those `consider` accepts.
    pub fn crossing(
        &self,
        from: LonLat,
        to: LonLat,
        consider: impl Fn(&Barrier) -> bool,
    ) -> Option<u32> {
        if self.edges.is_empty() || from == to {
            return None;
        }
        let (p, q) = (to_unit(from), to_unit(to));
        let n1 = cross(p, q);
        let tol = TOUCH_M / EARTH_RADIUS_M;
        let mut found: Option<u32> = None;
        for e in self.candidates(p, q) {
            if found.is_some_and(|f| f <= e.barrier) {
                continue;
            }
            if !consider(&self.barriers[e.barrier as usize]) {
                continue;
            }
            // The barrier edge's ends on both sides of the leg's circle
            // (half-open at zero) ...
            let (sa, sb) = (dot(n1, e.a), dot(n1, e.b));
            if (sa > 0.0) == (sb > 0.0) {
                continue;
            }
            // ... the leg's ends strictly on both sides of the edge's
            // circle, farther than the touch tolerance ...
            let n2 = cross(e.a, e.b);
            let n2_len = dot(n2, n2).sqrt();
            let (sp, sq) = (dot(n2, p), dot(n2, q));
            if sp * sq >= 0.0 || sp.abs() <= tol * n2_len || sq.abs() <= tol * n2_len {
                continue;
            }
            // ... and both arcs on the same side of the sphere.
            let (mp, me) = (
                [p[0] + q[0], p[1] + q[1], p[2] + q[2]],
                [e.a[0] + e.b[0], e.a[1] + e.b[1], e.a[2] + e.b[2]],
            );
            if dot(mp, me) <= 0.0 {
                continue;
            }
            found = Some(e.barrier);
        }
        found
    }

    /// The polygon barriers holding `p`, by index (ascending).
    pub fn polygons_at(&self, p: LonLat) -> Vec<u32> {
        let mut out: Vec<u32> = self
            .polygon_tree
            .locate_all_at_point(&[p.lon, p.lat])
            .map(|e| e.data)
            .filter(|&i| match &self.barriers[i as usize].shape {
                BarrierShape::Polygon(rings) => in_rings(rings, p),
                BarrierShape::Line(_) => false,
            })
            .collect();
        out.sort_unstable();
        out
    }

    /// The nearest point to `p` on the edges of barrier `barrier`, with its
    /// distance, by a local plane around `p` (equirectangular, metres).
    pub fn nearest_on(&self, barrier: u32, p: LonLat) -> Option<(LonLat, Meters)> {
        let k = std::f64::consts::PI / 180.0 * EARTH_RADIUS_M;
        let c = p.lat.to_radians().cos().max(1e-6);
        let xy = |q: LonLat| ((q.lon - p.lon) * c * k, (q.lat - p.lat) * k);
        let back = |x: f64, y: f64| LonLat::new(p.lon + x / (c * k), p.lat + y / k);
        let mut best: Option<(f64, f64, f64)> = None;
        let mut consider = |a: LonLat, b: LonLat| {
            let ((ax, ay), (bx, by)) = (xy(a), xy(b));
            let (dx, dy) = (bx - ax, by - ay);
            let len2 = dx * dx + dy * dy;
            let t = if len2 > 0.0 {
                (-(ax * dx + ay * dy) / len2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let (x, y) = (ax + t * dx, ay + t * dy);
            let d = (x * x + y * y).sqrt();
            if best.is_none_or(|b| d < b.0) {
                best = Some((d, x, y));
            }
        };
        let rings: Vec<&Vec<LonLat>> = match &self.barriers.get(barrier as usize)?.shape {
            BarrierShape::Line(pts) => {
                for w in pts.windows(2) {
                    consider(w[0], w[1]);
                }
                Vec::new()
            }
            BarrierShape::Polygon(rings) => rings.iter().collect(),
        };
        for ring in rings {
            for w in ring.windows(2) {
                consider(w[0], w[1]);
            }
            if let (Some(&a), Some(&b)) = (ring.last(), ring.first()) {
                consider(a, b);
            }
        }
        best.map(|(d, x, y)| (back(x, y), Meters(d)))
    }

    /// The barrier lines passing within `radius` of `p`, by index
    /// (ascending).
    pub fn lines_near(&self, p: LonLat, radius: Meters) -> Vec<u32> {
        let u = to_unit(p);
        let r = radius.0 / EARTH_RADIUS_M * 1.01 + 1e-12;
        let env = AABB::from_corners(
            Unit3([u[0] - r, u[1] - r, u[2] - r]),
            Unit3([u[0] + r, u[1] + r, u[2] + r]),
        );
        let mut out: Vec<u32> = self
            .edge_tree
            .locate_in_envelope_intersecting(&env)
            .map(|e| self.edges[e.data as usize].barrier)
            .filter(|&b| matches!(self.barriers[b as usize].shape, BarrierShape::Line(_)))
            .filter(|&b| self.nearest_on(b, p).is_some_and(|(_, d)| d.0 <= radius.0))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(pts: &[(f64, f64)]) -> Barrier {
        Barrier {
            id: "l".into(),
            kind: BarrierKind::Water,
            closed: false,
            shape: BarrierShape::Line(pts.iter().map(|&(x, y)| LonLat::new(x, y)).collect()),
        }
    }

    fn ll(x: f64, y: f64) -> LonLat {
        LonLat::new(x, y)
    }

    #[test]
    fn a_leg_across_a_river_is_blocked_and_one_along_a_bank_is_not() {
        let idx = BarrierIndex::build(vec![line(&[(0.0, 0.0), (0.0, 0.01), (0.0, 0.02)])]);
        assert!(idx.blocks(ll(-0.001, 0.005), ll(0.001, 0.005)));
        assert!(idx.blocks(ll(0.001, 0.015), ll(-0.001, 0.005)));
        assert!(!idx.blocks(ll(-0.001, 0.0), ll(-0.001, 0.02)));
        // Past the river's end.
        assert!(!idx.blocks(ll(-0.001, 0.021), ll(0.001, 0.021)));
        // Exactly through the joint of two edges.
        assert!(idx.blocks(ll(-0.001, 0.01), ll(0.001, 0.01)));
        // Starting on the line: a touch, not a crossing.
        assert!(!idx.blocks(ll(0.0, 0.005), ll(0.001, 0.005)));
    }

    #[test]
    fn crossing_holds_at_high_latitude_and_across_the_antimeridian() {
        let idx = BarrierIndex::build(vec![line(&[(179.999, 70.0), (-179.999, 70.0)])]);
        assert!(idx.blocks(ll(180.0, 69.999), ll(-180.0, 70.001)));
        assert!(!idx.blocks(ll(179.0, 69.999), ll(179.0, 70.001)));
    }

    #[test]
    fn polygons_contain_points_and_block_legs_through_them() {
        let lake = Barrier {
            id: "lake".into(),
            kind: BarrierKind::Water,
            closed: false,
            shape: BarrierShape::Polygon(vec![vec![
                ll(0.0, 0.0),
                ll(0.01, 0.0),
                ll(0.01, 0.01),
                ll(0.0, 0.01),
            ]]),
        };
        let idx = BarrierIndex::build(vec![lake]);
        assert_eq!(idx.polygons_at(ll(0.005, 0.005)), [0]);
        assert!(idx.polygons_at(ll(0.015, 0.005)).is_empty());
        assert!(idx.blocks(ll(-0.001, 0.005), ll(0.011, 0.005)));
        assert!(!idx.blocks(ll(-0.001, 0.011), ll(0.011, 0.011)));
        let (q, d) = idx.nearest_on(0, ll(0.005, 0.009)).unwrap();
        assert!(
            (q.lat - 0.01).abs() < 1e-9 && (d.0 - 111.2).abs() < 0.5,
            "{q:?} {d:?}"
        );
    }
}

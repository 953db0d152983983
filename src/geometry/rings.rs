//! Polygon validity for zones, in `O(n log n)`.
//!
//! Point-in-polygon is only defined on valid polygons. `geo`'s `Validation`
//! compares every pair of ring segments (`O(n²)`: half a second for 77
//! detailed Moroccan communes); here ring segments go into an R-tree and
//! only segments whose bounding boxes meet are compared. A ring is invalid
//! when it has a non-finite coordinate or fewer than 3 distinct points, or
//! when two of its non-adjacent segments meet, or adjacent ones overlap
//! (a spike). Two rings of one polygon may touch at a point (OGC) but not
//! cross or share a stretch. The message says where, in the polygon's
//! coordinates. Interior rings outside the exterior and overlapping parts
//! of a multipolygon are not checked.

use geo::line_intersection::{line_intersection, LineIntersection};
use geo_types::{Coord, Line, MultiPolygon, Polygon};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

fn ring_name(r: usize) -> String {
    if r == 0 {
        "exterior ring".into()
    } else {
        format!("interior ring {}", r - 1)
    }
}

/// The first problem of `m` (see the module docs), or `None` when valid.
pub fn polygon_problem(m: &MultiPolygon<f64>) -> Option<String> {
    m.0.iter().enumerate().find_map(|(k, p)| {
        rings_problem(p).map(|msg| {
            if m.0.len() > 1 {
                format!("part {k}: {msg}")
            } else {
                msg
            }
        })
    })
}

/// A segment of a ring: ring index, position among the ring's segments,
/// the ring's segment count, and the segment.
struct Seg {
    ring: usize,
    k: usize,
    n: usize,
    line: Line<f64>,
}

fn rings_problem(poly: &Polygon<f64>) -> Option<String> {
    let rings: Vec<_> = std::iter::once(poly.exterior())
        .chain(poly.interiors())
        .collect();
    let mut segs: Vec<Seg> = Vec::new();
    for (r, ring) in rings.iter().enumerate() {
        let c = &ring.0;
        if c.iter().any(|p| !p.x.is_finite() || !p.y.is_finite()) {
            return Some(format!("{} has a non-finite coordinate", ring_name(r)));
        }
        let mut distinct: Vec<(u64, u64)> =
            c.iter().map(|p| (p.x.to_bits(), p.y.to_bits())).collect();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() < 3 {
            return Some(format!("{} has fewer than 3 distinct points", ring_name(r)));
        }
        let lines: Vec<Line<f64>> = c
            .windows(2)
            .filter(|w| w[0] != w[1])
            .map(|w| Line::new(w[0], w[1]))
            .collect();
        let n = lines.len();
        segs.extend(lines.into_iter().enumerate().map(|(k, line)| Seg {
            ring: r,
            k,
            n,
            line,
        }));
    }
    let envelope = |l: &Line<f64>| {
        Rectangle::from_corners(
            [l.start.x.min(l.end.x), l.start.y.min(l.end.y)],
            [l.start.x.max(l.end.x), l.start.y.max(l.end.y)],
        )
    };
    let tree = RTree::bulk_load(
        segs.iter()
            .enumerate()
            .map(|(i, s)| GeomWithData::new(envelope(&s.line), i))
            .collect(),
    );
    for (i, a) in segs.iter().enumerate() {
        let e = envelope(&a.line);
        let aabb = AABB::from_corners(e.lower(), e.upper());
        for cand in tree.locate_in_envelope_intersecting(&aabb) {
            let j = cand.data;
            if j <= i {
                continue;
            }
            let b = &segs[j];
            let Some(hit) = line_intersection(a.line, b.line) else {
                continue;
            };
            let adjacent = a.ring == b.ring && (b.k == a.k + 1 || (a.k == 0 && b.k + 1 == a.n));
            let (bad, at) = match hit {
                LineIntersection::Collinear { intersection } => (true, intersection.start),
                LineIntersection::SinglePoint {
                    intersection,
                    is_proper,
                } => (
                    if a.ring == b.ring {
                        !adjacent
                    } else {
                        is_proper
                    },
                    intersection,
                ),
            };
            if bad {
                return Some(where_(a, b, at));
            }
        }
    }
    None
}

fn where_(a: &Seg, b: &Seg, at: Coord<f64>) -> String {
    if a.ring == b.ring {
        format!(
            "{} has a self-intersection near ({:.6}, {:.6})",
            ring_name(a.ring),
            at.x,
            at.y
        )
    } else {
        format!(
            "{} and {} cross near ({:.6}, {:.6})",
            ring_name(a.ring),
            ring_name(b.ring),
            at.x,
            at.y
        )
    }
}

/// Builds polygons from rings by nesting, whatever their orientation: the
/// largest ring is an exterior, a ring inside an exterior (and in none of
/// its holes) is a hole of the smallest such exterior, and a ring inside a
/// hole is the exterior of an island. Shapefiles say which ring is which by
/// orientation (exteriors clockwise); files written with the opposite
/// convention are read the same way by this rule.
pub fn nest(rings: Vec<geo_types::LineString<f64>>) -> geo_types::Geometry<f64> {
    use geo::{Area, BoundingRect, Contains, Intersects};
    let mut rings: Vec<(f64, geo_types::LineString<f64>)> = rings
        .into_iter()
        .filter(|r| !r.0.is_empty())
        .map(|r| (Polygon::new(r.clone(), vec![]).unsigned_area(), r))
        .collect();
    rings.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut polygons: Vec<(Polygon<f64>, Option<geo_types::Rect<f64>>)> = Vec::new();
    for (_, ring) in rings {
        let probe = geo_types::Point(ring.0[0]);
        let inside = |outer: &geo_types::LineString<f64>| {
            Polygon::new(outer.clone(), vec![]).contains(&probe)
        };
        let host = polygons.iter().rposition(|(p, bbox)| {
            bbox.is_some_and(|b| b.intersects(&probe))
                && inside(p.exterior())
                && !p.interiors().iter().any(&inside)
        });
        match host {
            Some(i) => polygons[i].0.interiors_push(ring),
            None => {
                let bbox = ring.bounding_rect();
                polygons.push((Polygon::new(ring, vec![]), bbox));
            }
        }
    }
    let mut polygons: Vec<Polygon<f64>> = polygons.into_iter().map(|(p, _)| p).collect();
    if polygons.len() == 1 {
        geo_types::Geometry::Polygon(polygons.remove(0))
    } else {
        geo_types::Geometry::MultiPolygon(MultiPolygon(polygons))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Validation;
    use geo_types::{LineString, Polygon};

    fn poly(pts: &[(f64, f64)]) -> Polygon<f64> {
        Polygon::new(LineString::from(pts.to_vec()), vec![])
    }

    #[test]
    fn bow_tie_square_and_spike() {
        let bow = poly(&[(0., 0.), (1., 1.), (1., 0.), (0., 1.)]);
        let msg = polygon_problem(&MultiPolygon(vec![bow])).unwrap();
        assert!(
            msg.contains("self-intersection near (0.500000, 0.500000)"),
            "{msg}"
        );
        let square = poly(&[(0., 0.), (1., 0.), (1., 1.), (0., 1.)]);
        assert_eq!(polygon_problem(&MultiPolygon(vec![square])), None);
        let spike = poly(&[(0., 0.), (2., 0.), (1., 0.), (1., 1.)]);
        assert!(polygon_problem(&MultiPolygon(vec![spike])).is_some());
        let line = poly(&[(0., 0.), (1., 0.), (0., 0.)]);
        assert!(polygon_problem(&MultiPolygon(vec![line]))
            .unwrap()
            .contains("fewer than 3"));
    }

    #[test]
    fn holes_may_touch_but_not_cross() {
        let ext = LineString::from(vec![(0., 0.), (10., 0.), (10., 10.), (0., 10.)]);
        let touching = LineString::from(vec![(0., 5.), (5., 4.), (5., 6.)]);
        let crossing = LineString::from(vec![(-1., 5.), (5., 4.), (5., 6.)]);
        let ok = Polygon::new(ext.clone(), vec![touching]);
        assert_eq!(polygon_problem(&MultiPolygon(vec![ok])), None);
        let bad = Polygon::new(ext, vec![crossing]);
        let msg = polygon_problem(&MultiPolygon(vec![bad])).unwrap();
        assert!(
            msg.contains("exterior ring and interior ring 0 cross"),
            "{msg}"
        );
    }

    /// `geo`'s O(n²) validation is the oracle: on random single-ring
    /// polygons (random vertex order, so often self-intersecting, and
    /// star-shaped ones, always simple) both agree.
    #[test]
    fn agrees_with_geo_validation_on_random_rings() {
        let mut s = 7u64;
        let mut next = move || {
            s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
        };
        let (mut valid, mut invalid) = (0, 0);
        for case in 0..600 {
            let n = 4 + (next() * 20.0) as usize;
            let pts: Vec<(f64, f64)> = if case % 2 == 0 {
                (0..n).map(|_| (next() * 10.0, next() * 10.0)).collect()
            } else {
                let mut angles: Vec<f64> = (0..n).map(|_| next() * std::f64::consts::TAU).collect();
                angles.sort_by(f64::total_cmp);
                angles
                    .iter()
                    .map(|a| {
                        let r = 1.0 + 4.0 * next();
                        (5.0 + r * a.cos(), 5.0 + r * a.sin())
                    })
                    .collect()
            };
            let p = poly(&pts);
            let ours = polygon_problem(&MultiPolygon(vec![p.clone()])).is_none();
            assert_eq!(ours, p.is_valid(), "case {case}: {pts:?}");
            if ours {
                valid += 1;
            } else {
                invalid += 1;
            }
        }
        assert!(
            valid > 250 && invalid > 250,
            "{valid} valid, {invalid} invalid"
        );
    }
}

//! Multipolygon relations: rings assembled from member ways, polygons with
//! their holes, and a point inside.
//!
//! Member ways are joined end to end by shared node ids (either way round)
//! until the chain closes; a chain that cannot close is an open ring, left
//! out and counted. Each closed `outer` ring (or one with no role) is a
//! polygon; each closed `inner` ring becomes a hole of the first outer
//! polygon that contains it. Joining visits every way once, through an
//! index of way ends, so a relation of `n` member nodes costs `O(n)` to
//! assemble, whatever its shape. Rings crossing the antimeridian are not
//! split.

use std::path::Path;

use geo::{BoundingRect, Contains, InteriorPoint};
use geo_types::{Coord, LineString, MultiPolygon, Point, Polygon};
use rustc_hash::FxHashMap;

use super::wire::RawRelation;
use super::{add_facility, facility_category, tag, OsmData};
use crate::config::OsmTags;
use crate::geometry::mean_position;
use crate::model::{LonLat, Zone};

/// Whether a relation is read: a `type=multipolygon` or `type=boundary`
/// relation that is a facility by the tag table, or a
/// `boundary=administrative` of the configured `admin_level`.
pub(super) fn wanted<S: AsRef<str>>(tags: &[(S, S)], table: &OsmTags) -> bool {
    matches!(tag(tags, "type"), Some("multipolygon" | "boundary"))
        && (facility_category(tags, table).is_some() || is_zone(tags, table))
}

fn is_zone<S: AsRef<str>>(tags: &[(S, S)], table: &OsmTags) -> bool {
    tag(tags, "boundary") == Some("administrative")
        && table.zone_admin_level.is_some_and(|level| {
            tag(tags, "admin_level").and_then(|v| v.trim().parse::<u8>().ok()) == Some(level)
        })
}

/// What the relations' members refer to.
pub(super) struct Members<'a> {
    /// Node ids of each member way found in the extract.
    pub refs: &'a FxHashMap<i64, Vec<i64>>,
    /// Node coordinates.
    pub coords: &'a super::nodes::NodeCoords,
    /// Ways read as facilities, with their category.
    pub facility_ways: &'a FxHashMap<i64, String>,
}

/// Adds the relations' facilities and zones to `out`; broken relations
/// (members missing from the extract, rings that do not close) are counted
/// warnings.
pub(super) fn add(
    out: &mut OsmData,
    path: &Path,
    rels: Vec<RawRelation>,
    members: &Members,
    table: &OsmTags,
) {
    for rel in rels {
        let label = format!("relation/{}", rel.id);
        let id = format!("osm:relation/{}", rel.id);
        let mut parts = Vec::new();
        let mut missing = 0usize;
        for (way, role) in &rel.ways {
            let inner = match role.as_str() {
                "inner" => true,
                "outer" | "" => false,
                _ => continue,
            };
            let nodes: Option<Vec<(i64, LonLat)>> = members.refs.get(way).and_then(|refs| {
                refs.iter()
                    .map(|r| Some((*r, members.coords.get(*r).filter(|p| p.is_valid())?)))
                    .collect()
            });
            match nodes {
                Some(nodes) => parts.push(Member { inner, nodes }),
                None => missing += 1,
            }
        }
        if missing > 0 {
            out.diagnostics.push(
                "relation_incomplete",
                path,
                &label,
                "member",
                format!(
                    "{missing} member way(s) not in the extract or with nodes missing: \
                     left out of its rings"
                ),
            );
        }
        let all: Vec<LonLat> = parts
            .iter()
            .flat_map(|m| m.nodes.iter().map(|n| n.1))
            .collect();
        let outer_ways: Vec<i64> = rel
            .ways
            .iter()
            .filter(|(_, role)| role != "inner")
            .map(|(w, _)| *w)
            .collect();
        let got = assemble(parts);
        if got.open_rings > 0 || got.stray_inners > 0 {
            out.diagnostics.push(
                "relation_open_ring",
                path,
                &label,
                "member",
                format!(
                    "{} ring(s) do not close and {} inner ring(s) lie in no outer ring: \
                     left out",
                    got.open_rings, got.stray_inners
                ),
            );
        }
        let inside = inside_point(&got.polygon);
        if let Some(category) = facility_category(&rel.tags, table) {
            let same_as_way = outer_ways
                .iter()
                .any(|w| members.facility_ways.get(w) == Some(&category));
            // Without a polygon, the mean of the member nodes still places
            // the facility near its ground.
            let pos = inside.or_else(|| mean_position(&all));
            match pos {
                _ if same_as_way => out.diagnostics.push(
                    "relation_same_as_way",
                    path,
                    &label,
                    "tags",
                    format!(
                        "tagged as {category} like its outer way, already a facility: counted once"
                    ),
                ),
                Some(pos) => {
                    if inside.is_none() {
                        out.diagnostics.push(
                            "relation_no_polygon",
                            path,
                            &label,
                            "member",
                            "no closed outer ring: facility placed at the mean of its member \
                             nodes"
                                .into(),
                        );
                    }
                    add_facility(out, path, &id, pos, &rel.tags, category, table);
                }
                None => out.diagnostics.push(
                    "relation_no_polygon",
                    path,
                    &label,
                    "member",
                    "no member way in the extract: facility skipped".into(),
                ),
            }
        }
        if is_zone(&rel.tags, table) {
            if got.polygon.0.is_empty() {
                out.diagnostics.push(
                    "relation_no_polygon",
                    path,
                    &label,
                    "member",
                    "no closed outer ring: zone skipped".into(),
                );
            } else {
                out.zones.push(Zone {
                    id,
                    name: tag(&rel.tags, "name").unwrap_or_default().to_string(),
                    geometry: got.polygon,
                    census_population: None,
                    census_key: None,
                });
            }
        }
    }
}

/// One member way with its node ids and coordinates.
pub(super) struct Member {
    /// Whether its role is `inner` (anything else counts as outer).
    pub inner: bool,
    /// Its nodes, in way order.
    pub nodes: Vec<(i64, LonLat)>,
}

/// What the members gave.
pub(super) struct Assembled {
    /// Polygons with their holes (empty when no outer ring closed).
    pub polygon: MultiPolygon<f64>,
    /// Chains that did not close (or closed on fewer than 3 points).
    pub open_rings: usize,
    /// Closed inner rings inside no outer ring (left out).
    pub stray_inners: usize,
}

/// Assembles `members` into polygons.
pub(super) fn assemble(members: Vec<Member>) -> Assembled {
    let (inner, outer): (Vec<Member>, Vec<Member>) = members.into_iter().partition(|m| m.inner);
    let (outers, open_outer) = rings(outer.into_iter().map(|m| m.nodes).collect());
    let (inners, open_inner) = rings(inner.into_iter().map(|m| m.nodes).collect());
    let mut polygons: Vec<Polygon<f64>> = outers
        .into_iter()
        .map(|r| Polygon::new(r, Vec::new()))
        .collect();
    let boxes: Vec<_> = polygons.iter().map(|p| p.bounding_rect()).collect();
    let mut stray_inners = 0;
    for ring in inners {
        let first = ring.0[0];
        let home = polygons.iter().enumerate().position(|(k, p)| {
            boxes[k].is_some_and(|b| {
                b.min().x <= first.x
                    && first.x <= b.max().x
                    && b.min().y <= first.y
                    && first.y <= b.max().y
            }) && p.contains(&Point(first))
        });
        match home {
            Some(k) => polygons[k].interiors_push(ring),
            None => stray_inners += 1,
        }
    }
    Assembled {
        polygon: MultiPolygon(polygons),
        open_rings: open_outer + open_inner,
        stray_inners,
    }
}

/// A point inside the polygon (on its largest part's interior, never in a
/// hole), when there is one.
pub(super) fn inside_point(mp: &MultiPolygon<f64>) -> Option<LonLat> {
    mp.interior_point()
        .map(|p| LonLat::new(p.x(), p.y()))
        .filter(LonLat::is_valid)
}

/// Joins ways into closed rings; returns the rings and the number of chains
/// that did not close.
fn rings(ways: Vec<Vec<(i64, LonLat)>>) -> (Vec<LineString<f64>>, usize) {
    let ways: Vec<Vec<(i64, LonLat)>> = ways.into_iter().filter(|w| w.len() >= 2).collect();
    // Way indices by end node; used entries are dropped as they are met.
    let mut ends: FxHashMap<i64, Vec<usize>> = FxHashMap::default();
    for (i, w) in ways.iter().enumerate() {
        ends.entry(w[0].0).or_default().push(i);
        ends.entry(w[w.len() - 1].0).or_default().push(i);
    }
    let mut used = vec![false; ways.len()];
    let (mut out, mut open) = (Vec::new(), 0);
    for start in 0..ways.len() {
        if used[start] {
            continue;
        }
        used[start] = true;
        let mut chain: Vec<(i64, LonLat)> = ways[start].clone();
        let closed = loop {
            let (first, last) = (chain[0].0, chain[chain.len() - 1].0);
            if first == last && chain.len() > 1 {
                break true;
            }
            let next = ends.get_mut(&last).and_then(|list| {
                while let Some(j) = list.pop() {
                    if !used[j] {
                        return Some(j);
                    }
                }
                None
            });
            let Some(j) = next else {
                break false;
            };
            used[j] = true;
            let w = &ways[j];
            if w[0].0 == last {
                chain.extend(w.iter().skip(1).copied());
            } else {
                chain.extend(w.iter().rev().skip(1).copied());
            }
        };
        // A ring needs three distinct points (four with the closing one).
        if closed && chain.len() >= 4 {
            let coords: Vec<Coord<f64>> = chain
                .iter()
                .map(|(_, p)| Coord { x: p.lon, y: p.lat })
                .collect();
            out.push(LineString(coords));
        } else {
            open += 1;
        }
    }
    (out, open)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn way(ids: &[i64], pts: &[(f64, f64)]) -> Vec<(i64, LonLat)> {
        ids.iter()
            .zip(pts)
            .map(|(i, (x, y))| (*i, LonLat::new(*x, *y)))
            .collect()
    }

    fn member(inner: bool, ids: &[i64], pts: &[(f64, f64)]) -> Member {
        Member {
            inner,
            nodes: way(ids, pts),
        }
    }

    #[test]
    fn ways_join_either_way_round_into_a_polygon_with_a_hole() {
        let a = member(false, &[1, 2, 3], &[(0.0, 0.0), (4.0, 0.0), (4.0, 4.0)]);
        // Reversed: ends at 3.
        let b = member(false, &[1, 4, 3], &[(0.0, 0.0), (0.0, 4.0), (4.0, 4.0)]);
        let hole = member(
            true,
            &[5, 6, 7, 8, 5],
            &[(1.0, 1.0), (3.0, 1.0), (3.0, 3.0), (1.0, 3.0), (1.0, 1.0)],
        );
        let got = assemble(vec![a, hole, b]);
        assert_eq!((got.open_rings, got.stray_inners), (0, 0));
        assert_eq!(got.polygon.0.len(), 1);
        assert_eq!(got.polygon.0[0].interiors().len(), 1);
        let p = inside_point(&got.polygon).unwrap();
        let pt = Point::new(p.lon, p.lat);
        assert!(got.polygon.contains(&pt));
        // Not in the hole.
        assert!(!(1.0..=3.0).contains(&p.lon) || !(1.0..=3.0).contains(&p.lat));
    }

    #[test]
    fn open_and_degenerate_rings_are_counted() {
        let a = member(false, &[1, 2, 3], &[(0.0, 0.0), (4.0, 0.0), (4.0, 4.0)]);
        let back = member(false, &[1, 2, 1], &[(0.0, 0.0), (4.0, 0.0), (0.0, 0.0)]);
        let stray = member(
            true,
            &[5, 6, 7, 5],
            &[(9.0, 9.0), (9.5, 9.0), (9.5, 9.5), (9.0, 9.0)],
        );
        let got = assemble(vec![a, back, stray]);
        assert_eq!(got.polygon.0.len(), 0);
        assert_eq!(got.open_rings, 2);
        assert_eq!(got.stray_inners, 1);
        assert_eq!(inside_point(&got.polygon), None);
    }

    #[test]
    fn many_ways_on_one_node_assemble_in_linear_time() {
        // 20 000 two-node spokes out of node 0 and back: each pair closes.
        let mut members = Vec::new();
        for k in 1..=20_000i64 {
            let x = k as f64 * 1e-5;
            members.push(member(false, &[0, k], &[(0.0, 0.0), (x, 1.0)]));
            members.push(member(false, &[k, -k], &[(x, 1.0), (x + 1e-6, 1.0)]));
            members.push(member(false, &[-k, 0], &[(x + 1e-6, 1.0), (0.0, 0.0)]));
        }
        let got = assemble(members);
        assert_eq!(got.polygon.0.len() + got.open_rings, 20_000);
    }
}

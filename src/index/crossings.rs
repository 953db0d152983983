//! What barriers do to roads and places before the network is built.
//!
//! * **Roads** are the crossings. A road segment crossing a `closed`
//!   barrier (a closed border) is cut out: the road is split there, so no
//!   profile and no scenario can use it. A segment of a road read from OSM
//!   (id `osm:…`) crossing a water *line* (river, canal, stream) with no
//!   crossing tag on the way (`bridge`, `tunnel`, `culvert` or `ford`, any
//!   value but `no`) is an *implied ford*: usable, but tagged
//!   `ford=implied` in [`Road::passability`], so the `wet` season of
//!   `scenario::seasons` closes it. A road layer has no such tags: its
//!   crossings are taken as mapped (bridges). Fences and open borders are
//!   crossed at gates and posts; polygons (lakes, closed areas) do not
//!   touch roads (a causeway or a road through a military area stays
//!   usable; only walking off the road is barred).
//! * **Places** sitting on a barrier are moved to its nearer side: out of
//!   a polygon to [`STEP_OUT_M`] beyond the nearest point of its boundary,
//!   and off a line when within [`TOUCH_M`] of it, to [`STEP_OUT_M`] on
//!   the side they stand.

use crate::index::barriers::{BarrierIndex, TOUCH_M};
use crate::model::{BarrierKind, BarrierShape, LonLat, Road};
use crate::units::Meters;

/// How far beyond a barrier a place on it is put, metres.
pub const STEP_OUT_M: f64 = 1.0;

/// The `ford` value given to an implied ford.
pub const IMPLIED_FORD: &str = "implied";

/// What the barriers did to the roads.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct RoadCrossings {
    /// Roads given an implied ford, with the barrier crossed (ids).
    pub implied_fords: Vec<(String, String)>,
    /// Roads cut at a closed barrier, with the barrier (ids).
    pub closed_crossings: Vec<(String, String)>,
}

/// Whether an OSM way's tags map how it crosses water.
fn mapped_crossing(road: &Road) -> bool {
    road.passability.iter().any(|(k, v)| {
        matches!(k.as_str(), "bridge" | "tunnel" | "culvert" | "ford") && !v.is_empty() && v != "no"
    })
}

/// Cuts `roads` at closed barriers and marks implied fords (see the module
/// docs). Roads keep their order; a cut road becomes its pieces, in order,
/// with the same id.
pub fn apply_to_roads(roads: &mut Vec<Road>, barriers: &BarrierIndex) -> RoadCrossings {
    let mut out = RoadCrossings::default();
    if barriers.is_empty() {
        return out;
    }
    let id_of = |b: u32| barriers.barriers()[b as usize].id.clone();
    let mut result = Vec::with_capacity(roads.len());
    for mut road in std::mem::take(roads) {
        let ford_possible = road.id.starts_with("osm:") && !mapped_crossing(&road);
        let mut implied = None;
        let mut cuts = Vec::new();
        for (k, w) in road.vertices.windows(2).enumerate() {
            let (p, q) = (w[0].1, w[1].1);
            if !(p.is_valid() && q.is_valid()) {
                continue;
            }
            if let Some(b) = barriers.crossing(p, q, |b| b.closed) {
                cuts.push(k);
                out.closed_crossings.push((road.id.clone(), id_of(b)));
                continue;
            }
            if ford_possible && implied.is_none() {
                implied = barriers.crossing(p, q, |b| {
                    b.kind == BarrierKind::Water && matches!(b.shape, BarrierShape::Line(_))
                });
            }
        }
        if let Some(b) = implied {
            road.passability
                .push(("ford".to_string(), IMPLIED_FORD.to_string()));
            out.implied_fords.push((road.id.clone(), id_of(b)));
        }
        if cuts.is_empty() {
            result.push(road);
            continue;
        }
        let mut start = 0;
        for k in cuts
            .into_iter()
            .chain(std::iter::once(road.vertices.len() - 1))
        {
            let piece = &road.vertices[start..=k];
            if piece.len() >= 2 {
                result.push(Road {
                    vertices: piece.to_vec(),
                    ..road.clone()
                });
            }
            start = k + 1;
        }
    }
    *roads = result;
    out
}

/// Where a place at `p` sits clear of every barrier: `None` when it is on
/// none; otherwise its new position and the barrier it was moved off (the
/// first, when several). A place in nested or overlapping polygons is
/// stepped out of each in turn (at most a few times).
pub fn move_off(p: LonLat, barriers: &BarrierIndex) -> Option<(LonLat, u32)> {
    if barriers.is_empty() || !p.is_valid() {
        return None;
    }
    let mut at = p;
    let mut first = None;
    for _ in 0..4 {
        let step = if let Some(&b) = barriers.polygons_at(at).first() {
            let (edge, d) = barriers.nearest_on(b, at)?;
            Some((away(at, edge, d, true), b))
        } else if let Some(&b) = barriers.lines_near(at, Meters(TOUCH_M)).first() {
            let (on, d) = barriers.nearest_on(b, at)?;
            // Exactly on the line: no side to choose; the touch tolerance
            // lets its legs leave either way.
            (d.0 > 0.0).then(|| (away(at, on, d, false), b))
        } else {
            None
        };
        let Some((next, b)) = step else {
            break;
        };
        first.get_or_insert(b);
        at = next;
    }
    first.map(|b| (at, b))
}

/// The point [`STEP_OUT_M`] from `on` (at distance `d` from `p`), beyond it
/// from `p` (`beyond`, out of a polygon) or back towards `p`'s side.
fn away(p: LonLat, on: LonLat, d: Meters, beyond: bool) -> LonLat {
    if d.0 <= 0.0 {
        // On the boundary itself: a hair further along the same bearing is
        // not defined; step north, which leaves a polygon's edge or not, and
        // the loop checks again.
        return LonLat::new(on.lon, on.lat + STEP_OUT_M / 111_195.0);
    }
    let f = if beyond {
        (d.0 + STEP_OUT_M) / d.0
    } else {
        (d.0 - STEP_OUT_M) / d.0
    };
    LonLat::new(p.lon + f * (on.lon - p.lon), p.lat + f * (on.lat - p.lat))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Barrier, Oneway};

    fn ll(x: f64, y: f64) -> LonLat {
        LonLat::new(x, y)
    }

    fn river(closed: bool, kind: BarrierKind) -> BarrierIndex {
        BarrierIndex::build(vec![Barrier {
            id: "river".into(),
            kind,
            closed,
            shape: BarrierShape::Line(vec![ll(0.0, -1.0), ll(0.0, 1.0)]),
        }])
    }

    fn road(id: &str, tags: &[(&str, &str)]) -> Road {
        Road {
            id: id.into(),
            class: "track".into(),
            oneway: Oneway::No,
            maxspeed: None,
            vertices: vec![
                (None, ll(-0.01, 0.0)),
                (None, ll(0.01, 0.0)),
                (None, ll(0.02, 0.0)),
            ],
            passability: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            joinable: true,
        }
    }

    #[test]
    fn untagged_osm_crossings_become_implied_fords_and_bridges_do_not() {
        let idx = river(false, BarrierKind::Water);
        let mut roads = vec![
            road("osm:way/1", &[]),
            road("osm:way/2", &[("bridge", "yes")]),
            road("layer/3", &[]),
        ];
        let c = apply_to_roads(&mut roads, &idx);
        assert_eq!(c.implied_fords, [("osm:way/1".into(), "river".into())]);
        assert_eq!(roads[0].passability, [("ford".into(), IMPLIED_FORD.into())]);
        assert_eq!(roads.len(), 3);
    }

    #[test]
    fn a_closed_border_cuts_the_segment_crossing_it() {
        let idx = river(true, BarrierKind::Border);
        let mut roads = vec![road("osm:way/1", &[])];
        let c = apply_to_roads(&mut roads, &idx);
        assert_eq!(c.closed_crossings.len(), 1);
        // The first segment crosses: only the second remains.
        assert_eq!(roads.len(), 1);
        assert_eq!(roads[0].vertices.len(), 2);
        assert_eq!(roads[0].vertices[0].1, ll(0.01, 0.0));
    }

    #[test]
    fn places_on_barriers_are_moved_to_their_nearer_side() {
        let lake = BarrierIndex::build(vec![Barrier {
            id: "lake".into(),
            kind: BarrierKind::Water,
            closed: false,
            shape: BarrierShape::Polygon(vec![vec![
                ll(0.0, 0.0),
                ll(0.01, 0.0),
                ll(0.01, 0.01),
                ll(0.0, 0.01),
            ]]),
        }]);
        let (to, b) = move_off(ll(0.009, 0.005), &lake).unwrap();
        assert_eq!(b, 0);
        assert!(lake.polygons_at(to).is_empty());
        assert!(to.lon > 0.01 && to.lon < 0.01 + 2.0 / 111_000.0, "{to:?}");
        assert!(move_off(ll(0.02, 0.005), &lake).is_none());
        let line = river(false, BarrierKind::Water);
        let (to, _) = move_off(ll(-0.000001, 0.5), &line).unwrap();
        assert!(to.lon < -0.000005, "{to:?}");
        assert!(move_off(ll(-0.001, 0.5), &line).is_none());
    }
}

//! Barriers from an `.osm.pbf` (`[barriers] osm = true`): its own passes
//! over the file, made only when barriers are asked for, with the loader's
//! block-parallel scan merged in file order (`file::for_each_block`), so
//! what is read does not depend on the thread count.
//!
//! | OSM | barrier |
//! |---|---|
//! | way `waterway=river\|canal` (and `stream` with `osm_streams`), not in a culvert or tunnel (`tunnel=*`) | water line |
//! | closed way `natural=water` | water polygon |
//! | `type=multipolygon` relation `natural=water` | water polygon (rings assembled by `relations`) |
//! | way `barrier=<osm_barrier_values>` | fence line |
//! | closed way `landuse=military` | area polygon |
//!
//! Ways clipped at the extract's edge are split at their missing nodes.
//! Borders come from layers (`[barriers] layers`), not from OSM: an
//! extract's administrative boundaries are not closed to travel.

use std::path::Path;

use rustc_hash::{FxHashMap, FxHashSet};

use super::relations::{assemble, Member};
use super::{file, scan, tag, wire, Tags};
use crate::config::BarrierSettings;
use crate::load::{Diagnostics, LoadError};
use crate::model::{Barrier, BarrierKind, BarrierShape, LonLat};

/// What the ways read as barriers are.
#[derive(Clone, Copy, PartialEq)]
enum WayUse {
    Line(BarrierKind),
    Polygon(BarrierKind),
}

/// What a way's tags make of it, if anything.
fn way_use<S: AsRef<str>>(tags: &[(S, S)], settings: &BarrierSettings) -> Option<WayUse> {
    if let Some(w) = tag(tags, "waterway") {
        let stream = settings.osm_streams && w == "stream";
        // A piece in a culvert or tunnel is walked over, and a road over it
        // is no ford.
        let underground = tag(tags, "tunnel").is_some_and(|v| v != "no");
        if (matches!(w, "river" | "canal") || stream) && !underground {
            return Some(WayUse::Line(BarrierKind::Water));
        }
    }
    if tag(tags, "natural") == Some("water") {
        return Some(WayUse::Polygon(BarrierKind::Water));
    }
    if tag(tags, "landuse") == Some("military") {
        return Some(WayUse::Polygon(BarrierKind::Area));
    }
    if let Some(b) = tag(tags, "barrier") {
        if settings.osm_barrier_values.iter().any(|v| v == b) {
            return Some(WayUse::Line(BarrierKind::Fence));
        }
    }
    None
}

fn water_relation<S: AsRef<str>>(tags: &[(S, S)]) -> bool {
    tag(tags, "type") == Some("multipolygon") && tag(tags, "natural") == Some("water")
}

/// The barriers of the extract at `path`; clipped or broken ones are
/// counted in `diags`.
pub fn read_barriers(
    path: &Path,
    settings: &BarrierSettings,
    diags: &mut Diagnostics,
) -> Result<Vec<Barrier>, LoadError> {
    // Pass 1: the ways that are barriers, and whether a water relation exists.
    let mut ways: Vec<(i64, WayUse, Vec<i64>)> = Vec::new();
    let mut any_relation = false;
    let plan = file::for_each_block(
        path,
        |block| {
            let mut found = Vec::new();
            let mut rel = false;
            let mut tags: Vec<(&str, &str)> = Vec::new();
            for group in block.groups() {
                for w in group.ways() {
                    tags.clear();
                    tags.extend(w.tags());
                    if let Some(u) = way_use(&tags, settings) {
                        found.push((w.id(), u, w.refs().collect::<Vec<i64>>()));
                    }
                }
                for r in group.relations() {
                    tags.clear();
                    tags.extend(r.tags());
                    rel |= water_relation(&tags);
                }
            }
            (found, rel)
        },
        |(found, rel)| {
            ways.extend(found);
            any_relation |= rel;
        },
    )?;
    let rels = if any_relation {
        wire::read_relations(path, &plan.offsets(file::RELATIONS), |t: &Tags| {
            water_relation(t)
        })?
    } else {
        Vec::new()
    };
    let member_ids: FxHashSet<i64> = rels
        .iter()
        .flat_map(|r| r.ways.iter().map(|w| w.0))
        .collect();
    let member_refs = if member_ids.is_empty() {
        FxHashMap::default()
    } else {
        scan::way_refs(path, &plan, &member_ids)?
    };
    // Pass 2: their nodes' coordinates.
    let needed: Vec<i64> = ways
        .iter()
        .flat_map(|w| w.2.iter().copied())
        .chain(member_refs.values().flatten().copied())
        .collect();
    let coords = scan::coords(path, &plan, super::nodes::NodeIds::new(needed))?;
    let point = |id: &i64| coords.get(*id).filter(LonLat::is_valid);

    let mut out = Vec::new();
    for (id, u, refs) in ways {
        let label = format!("osm:way/{id}");
        match u {
            WayUse::Line(kind) => {
                // Split at nodes missing from the extract.
                let mut run: Vec<LonLat> = Vec::new();
                let mut runs = Vec::new();
                for r in &refs {
                    match point(r) {
                        Some(p) => run.push(p),
                        None => runs.push(std::mem::take(&mut run)),
                    }
                }
                runs.push(run);
                for run in runs.into_iter().filter(|r| r.len() >= 2) {
                    out.push(Barrier {
                        id: label.clone(),
                        kind,
                        closed: false,
                        shape: BarrierShape::Line(run),
                    });
                }
            }
            WayUse::Polygon(kind) => {
                let ring: Option<Vec<LonLat>> = refs.iter().map(point).collect();
                let closed = refs.len() >= 4 && refs.first() == refs.last();
                match ring {
                    Some(ring) if closed => out.push(Barrier {
                        id: label,
                        kind,
                        closed: false,
                        shape: BarrierShape::Polygon(vec![ring]),
                    }),
                    // An outer member of a relation, or clipped: not a
                    // polygon of its own.
                    _ => {}
                }
            }
        }
    }
    for rel in rels {
        let label = format!("osm:relation/{}", rel.id);
        let mut members = Vec::new();
        let mut missing = 0;
        for (way, role) in &rel.ways {
            let nodes: Option<Vec<(i64, LonLat)>> = member_refs
                .get(way)
                .and_then(|refs| refs.iter().map(|r| Some((*r, point(r)?))).collect());
            match nodes {
                Some(nodes) => members.push(Member {
                    inner: role == "inner",
                    nodes,
                }),
                None => missing += 1,
            }
        }
        if missing > 0 {
            diags.push(
                "barrier_incomplete",
                path,
                &label,
                "members",
                format!("{missing} member way(s) missing or clipped: water body left out"),
            );
            continue;
        }
        for poly in assemble(members).polygon {
            let (exterior, interiors) = poly.into_inner();
            let rings = std::iter::once(exterior)
                .chain(interiors)
                .map(|r| r.0.iter().map(|c| LonLat::new(c.x, c.y)).collect())
                .collect();
            out.push(Barrier {
                id: label.clone(),
                kind: BarrierKind::Water,
                closed: false,
                shape: BarrierShape::Polygon(rings),
            });
        }
    }
    Ok(out)
}

//! The passes over the file's blocks: what each block gives, scanned in
//! parallel and merged in file order ([`file::for_each_block`]), so the
//! lists come out as a sequential read makes them.
//!
//! Tags are looked at borrowed from the block and copied only for the
//! elements kept.

use osmpbf::{DenseNode, Node, PrimitiveBlock};
use rustc_hash::{FxHashMap, FxHashSet};

use super::file::{self, BadTags};
use super::nodes::{NodeCoords, NodeIds};
use super::wire;
use super::{buildings, facility_category, is_place, relations, tag, PendingWay, Tags};
use crate::config::OsmTags;
use crate::load::LoadError;
use crate::model::LonLat;

/// What the first pass keeps: tagged nodes and ways of interest, in file
/// order.
#[derive(Default)]
pub(super) struct Tagged {
    /// Ways of interest (roads, places, facilities).
    pub ways: Vec<PendingWay>,
    /// Nodes that are places or facilities.
    pub nodes: Vec<(i64, LonLat, Tags)>,
    /// Nodes tagged `ford=yes`.
    pub ford_nodes: Vec<i64>,
    /// First node of each building, when settlements come from buildings.
    pub building_nodes: Vec<i64>,
    /// The first element whose tags could not be decoded.
    pub bad_tags: BadTags,
    /// Whether a relation of interest exists.
    pub any_relation: bool,
}

impl Tagged {
    /// Appends what a later block gave.
    pub(super) fn append(&mut self, later: Tagged) {
        self.ways.extend(later.ways);
        self.nodes.extend(later.nodes);
        self.ford_nodes.extend(later.ford_nodes);
        self.building_nodes.extend(later.building_nodes);
        self.bad_tags.append(later.bad_tags);
        self.any_relation |= later.any_relation;
    }

    /// Node `id` at `pos`, tagged `tags` (not empty).
    pub(super) fn node(&mut self, id: i64, pos: LonLat, tags: &[(&str, &str)], table: &OsmTags) {
        if tag(tags, "ford") == Some("yes") {
            self.ford_nodes.push(id);
        }
        if is_place(tags, table) || facility_category(tags, table).is_some() {
            self.nodes.push((id, pos, owned(tags)));
        }
    }

    /// Way `id` with node ids `refs`, tagged `tags`.
    pub(super) fn way(
        &mut self,
        id: i64,
        refs: impl Iterator<Item = i64> + Clone,
        tags: &[(&str, &str)],
        table: &OsmTags,
    ) {
        if table.building_cells.is_some() && buildings::is_building(tags) {
            self.building_nodes.extend(refs.clone().next());
        }
        let wanted = tag(tags, "highway").is_some()
            || is_place(tags, table)
            || facility_category(tags, table).is_some();
        if wanted {
            self.ways.push(PendingWay {
                id,
                refs: refs.collect(),
                tags: owned(tags),
            });
        }
    }

    /// What one block gives.
    pub(super) fn block(block: &PrimitiveBlock, table: &OsmTags) -> Tagged {
        let mut out = Tagged::default();
        let mut tags: Vec<(&str, &str)> = Vec::new();
        for group in block.groups() {
            for n in group.nodes() {
                tags.clear();
                tags.extend(n.tags());
                out.bad_tags
                    .check("node", n.id(), tags.len(), n.raw_tags().count());
                if !tags.is_empty() {
                    out.node(n.id(), node_pos(&n), &tags, table);
                }
            }
            for n in group.dense_nodes() {
                let raw = n.raw_tags().count();
                if raw > 0 {
                    tags.clear();
                    tags.extend(n.tags());
                    out.bad_tags.check("node", n.id(), tags.len(), raw);
                    if !tags.is_empty() {
                        out.node(n.id(), dense_pos(&n), &tags, table);
                    }
                }
            }
            for w in group.ways() {
                tags.clear();
                tags.extend(w.tags());
                out.bad_tags
                    .check("way", w.id(), tags.len(), w.raw_tags().count());
                out.way(w.id(), w.refs(), &tags, table);
            }
            for r in group.relations() {
                tags.clear();
                tags.extend(r.tags());
                out.bad_tags
                    .check("relation", r.id(), tags.len(), r.raw_tags().count());
                out.any_relation |= relations::wanted(&tags, table);
            }
        }
        out
    }
}

fn owned(tags: &[(&str, &str)]) -> Tags {
    tags.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn node_pos(n: &Node) -> LonLat {
    LonLat::new(n.lon(), n.lat())
}

fn dense_pos(n: &DenseNode) -> LonLat {
    LonLat::new(n.lon(), n.lat())
}

/// Pass 1: tagged nodes and ways of interest, and the ids of ford nodes;
/// with the file's [`file::Plan`], which the later passes read by. Read by
/// [`wire::read_tagged`] (a third less time than `osmpbf` on a large
/// extract), or, for a file it does not accept, by `osmpbf`
/// ([`Tagged::block`]), whose errors and diagnostics the file then gets.
pub(super) fn tagged(
    path: &std::path::Path,
    table: &OsmTags,
) -> Result<(Tagged, file::Plan), LoadError> {
    if let Ok(found) = wire::read_tagged(path, table) {
        return Ok(found);
    }
    // A file `wire` does not read as `osmpbf` would, whole and without a
    // word: `osmpbf` reads it, and what is wrong with it is reported as
    // before.
    let mut all = Tagged::default();
    let plan = file::for_each_block(path, |b| Tagged::block(b, table), |t| all.append(t))?;
    Ok((all, plan))
}

/// The node ids of the ways in `members`.
pub(super) fn way_refs(
    path: &std::path::Path,
    plan: &file::Plan,
    members: &FxHashSet<i64>,
) -> Result<FxHashMap<i64, Vec<i64>>, LoadError> {
    let mut refs = FxHashMap::default();
    file::for_each_planned(
        path,
        plan,
        file::WAYS,
        |block| {
            let mut found = Vec::new();
            for group in block.groups() {
                for w in group.ways() {
                    if members.contains(&w.id()) {
                        found.push((w.id(), w.refs().collect::<Vec<i64>>()));
                    }
                }
            }
            found
        },
        |found| refs.extend(found),
    )?;
    Ok(refs)
}

/// Pass 2: the coordinates of the nodes in `needed`, decoded by
/// [`wire::read_nodes`]; a node found twice has the later position.
pub(super) fn coords(
    path: &std::path::Path,
    plan: &file::Plan,
    needed: NodeIds,
) -> Result<NodeCoords, LoadError> {
    let mut coords = NodeCoords::new(needed);
    if !coords.is_empty() {
        let (ids, mut set) = coords.ids_and_setter();
        wire::read_nodes(
            path,
            &plan.offsets(file::NODES),
            || {
                let mut cursor = ids.cursor();
                move |id| cursor.rank(id)
            },
            |found| {
                for (rank, p) in found {
                    set(rank, p);
                }
            },
        )?;
    }
    Ok(coords)
}

//! OpenStreetMap `.osm.pbf`: roads, settlements and facilities from one file.
//!
//! Two passes over the file: the first keeps tagged nodes and ways of
//! interest and the node ids their ways reference; the second reads only the
//! coordinates of those nodes, so memory grows with the roads kept, not with
//! the whole extract. Each pass decodes and scans the file's blocks in
//! parallel and merges them in file order (`scan`), so the result is the
//! same at any thread count.
//!
//! * Roads: ways with a `highway=*` tag (class = its value), `oneway`
//!   (`yes`/`-1`; implied on motorways and roundabouts) and `maxspeed`.
//!   Their seasonal-passability tags ([`PASSABILITY_KEYS`]) are kept raw in
//!   [`Road::passability`] (read by `scenario::seasons`). A way with no `ford`
//!   tag of its own that passes a node tagged `ford=yes` gets `("ford",
//!   "yes")`: pass 1 keeps the ids of those nodes only (a few per extract).
//!   Roads crossing `waterway=*` ways tagged `intermittent=yes` without a ford
//!   or bridge tag are not detected here; with `[barriers]`, a road crossing
//!   a river or canal line without a `bridge`, `tunnel`, `culvert` or `ford`
//!   tag becomes an implied ford (`index::crossings`). Barriers themselves
//!   are read by `barriers`, in passes of their own. Each road says whether places may join it
//!   ([`Road::joinable`]): not tunnels, ways below ground, covered service
//!   ways, nor the `access` values of `osm.snap_exclude_access`.
//! * Settlements: nodes (or ways, at their centroid) with a `place=*` value
//!   in the configured list; population from the `population` tag. Or, with
//!   `osm.building_cells`, H3 cells of `building=*` ways (`buildings`).
//! * Facilities: nodes and ways matching the facility tag table; ways count at
//!   their centroid, except linear ones (`power=line|minor_line`), which are
//!   sampled along their length. `type=multipolygon` (or `boundary`)
//!   relations matching the table (hospital or school campuses) count at a
//!   point inside their polygon (`relations`).
//! * Zones, when `zones.osm_admin_level` is set: `boundary=administrative`
//!   relations with that `admin_level`.
//!
//! Relations need more passes, made only when the extract has a relation
//! of interest: their members (read by `wire`), then the member ways'
//! node ids, before the coordinates.

use std::path::Path;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

mod barriers;
mod buildings;
mod file;
mod nodes;
mod relations;
mod scan;
mod wire;

pub use barriers::read_barriers;
use file::check_header;
use nodes::{NodeCoords, NodeIds};

use super::layers::{category_for_tag, parse_maxspeed, parse_oneway};
use super::{Diagnostics, LoadError};
use crate::config::OsmTags;
use crate::geometry::{mean_position, sample_line};
use crate::model::{
    Facility, LonLat, Oneway, PopulationSource, Road, Settlement, Zone, PASSABILITY_KEYS,
};
use crate::units::{Meters, Population};

/// What a `.pbf` gave.
#[derive(Debug, Default)]
pub struct OsmData {
    /// Settlements.
    pub settlements: Vec<Settlement>,
    /// Facilities.
    pub facilities: Vec<Facility>,
    /// Roads.
    pub roads: Vec<Road>,
    /// Zones from `boundary=administrative` relations (`zones.osm_admin_level`).
    pub zones: Vec<Zone>,
    /// Warnings.
    pub diagnostics: Diagnostics,
}

/// Tags of one element as owned pairs.
type Tags = Vec<(String, String)>;

/// The value of `key`, in owned or borrowed tags.
fn tag<'a, S: AsRef<str>>(tags: &'a [(S, S)], key: &str) -> Option<&'a str> {
    tags.iter()
        .find(|(k, _)| k.as_ref() == key)
        .map(|(_, v)| v.as_ref())
}

struct PendingWay {
    id: i64,
    tags: Tags,
    refs: Vec<i64>,
}

fn facility_category<S: AsRef<str>>(tags: &[(S, S)], table: &OsmTags) -> Option<String> {
    tags.iter()
        .find_map(|(k, v)| category_for_tag(table, k.as_ref(), v.as_ref()))
}

/// A `place=*` settlement (none when settlements come from buildings).
fn is_place<S: AsRef<str>>(tags: &[(S, S)], table: &OsmTags) -> bool {
    table.building_cells.is_none()
        && tag(tags, "place").is_some_and(|v| table.place_values.iter().any(|p| p == v))
}

/// Whether a place may join the network on this way (see
/// [`Road::joinable`]): not when its `access` is one of
/// `osm.snap_exclude_access`, nor, with `osm.snap_exclude_underground`, when
/// it is a tunnel (`tunnel=*` but `no` and `building_passage`, which is at
/// street level), on a layer or level below ground (`layer` < 0; every
/// `level` listed, `-1;0` is not, below 0), or a covered service way
/// (ramps and service roads under buildings).
fn joinable(tags: &Tags, table: &OsmTags) -> bool {
    if tag(tags, "access").is_some_and(|v| table.snap_exclude_access.iter().any(|a| a == v)) {
        return false;
    }
    if !table.snap_exclude_underground {
        return true;
    }
    let below = |v: &str| v.trim().parse::<f64>().is_ok_and(|x| x < 0.0);
    let tunnel = tag(tags, "tunnel").is_some_and(|v| !matches!(v, "no" | "building_passage"));
    let layer = tag(tags, "layer").is_some_and(below);
    let level = tag(tags, "level").is_some_and(|v| v.split(';').all(below));
    let covered_service =
        tag(tags, "covered") == Some("yes") && tag(tags, "highway") == Some("service");
    !(tunnel || layer || level || covered_service)
}

fn parse_population(v: &str) -> Option<f64> {
    let cleaned: String = v
        .chars()
        .filter(|c| !matches!(c, ' ' | ',' | '\u{a0}' | '\u{202f}'))
        .collect();
    cleaned
        .parse::<f64>()
        .ok()
        .and_then(|x| Population::checked(x, Population::MAX_SETTLEMENT).ok())
        .map(|p| p.0)
}

/// Reads a `.osm.pbf` file.
pub fn read_pbf(path: &Path, table: &OsmTags) -> Result<OsmData, LoadError> {
    let mut out = OsmData::default();
    check_header(path)?;

    // Pass 1: tagged nodes and ways of interest, and the ids of ford nodes.
    let (
        scan::Tagged {
            ways,
            nodes: tagged_nodes,
            ford_nodes,
            building_nodes,
            bad_tags,
            any_relation,
        },
        plan,
    ) = scan::tagged(path, table)?;
    if let Some(message) = bad_tags.0 {
        return Err(LoadError::Format {
            path: path.to_path_buf(),
            message,
        });
    }
    let ford_nodes: FxHashSet<i64> = ford_nodes.into_iter().collect();

    // Relations of interest, then their member ways' node ids.
    let rels = if any_relation {
        wire::read_relations(path, &plan.offsets(file::RELATIONS), |t| {
            relations::wanted(t, table)
        })?
    } else {
        Vec::new()
    };
    let mut member_refs: FxHashMap<i64, Vec<i64>> = FxHashMap::default();
    if !rels.is_empty() {
        let members: FxHashSet<i64> = rels
            .iter()
            .flat_map(|r| r.ways.iter().map(|w| w.0))
            .collect();
        member_refs = scan::way_refs(path, &plan, &members)?;
    }

    // Pass 2: coordinates of referenced nodes only.
    let mut needed: Vec<i64> = ways
        .par_iter()
        .flat_map_iter(|w| w.refs.iter().copied())
        .collect();
    needed.extend(member_refs.values().flatten());
    needed.extend(&building_nodes);
    let coords = scan::coords(path, &plan, NodeIds::new(needed))?;

    for (id, pos, tags) in tagged_nodes {
        let label = format!("node/{id}");
        if !pos.is_valid() {
            // A place is kept (status `invalid_location`); a facility cannot be.
            let place = is_place(&tags, table);
            out.diagnostics.push(
                "invalid_coordinates",
                path,
                &label,
                "lon/lat",
                format!(
                    "({}, {}) out of range: {}",
                    pos.lon,
                    pos.lat,
                    if place {
                        "settlement kept as invalid_location"
                    } else {
                        "skipped"
                    }
                ),
            );
            if place {
                add_place(&mut out, path, &format!("osm:node/{id}"), pos, &tags);
            }
            continue;
        }
        add_tagged(&mut out, path, &format!("osm:node/{id}"), pos, &tags, table);
    }

    // Facility ways by id, so that a relation tagged like its outer way is
    // counted once.
    let facility_ways: FxHashMap<i64, String> = ways
        .iter()
        .filter_map(|w| Some((w.id, facility_category(&w.tags, table)?)))
        .collect();
    // Ways in chunks, in parallel, each into a result of its own; the
    // results are appended in file order, as one pass over the ways makes
    // them (diagnostics keep their first examples per kind in that order).
    // Each way is dropped once handled, so its node ids make room for the
    // roads built.
    let from_ways: Vec<OsmData> = ways
        .into_par_iter()
        .chunks(WAY_CHUNK)
        .map(|chunk| {
            let mut part = OsmData::default();
            for w in chunk {
                add_way(&mut part, path, &w, &coords, &ford_nodes, table);
            }
            part
        })
        .collect();
    out.roads
        .reserve(from_ways.iter().map(|p| p.roads.len()).sum::<usize>());
    for part in from_ways {
        out.roads.extend(part.roads);
        out.settlements.extend(part.settlements);
        out.facilities.extend(part.facilities);
        out.diagnostics.extend(part.diagnostics);
    }
    let members = relations::Members {
        refs: &member_refs,
        coords: &coords,
        facility_ways: &facility_ways,
    };
    relations::add(&mut out, path, rels, &members, table);
    if let Some(res) = table.building_cells {
        let at = building_nodes
            .iter()
            .filter_map(|id| coords.get(*id))
            .collect();
        out.settlements = buildings::cells(at, res);
    }
    Ok(out)
}

/// Ways handled per parallel task when turning ways into roads, places and
/// facilities: large enough that a task's merge costs little next to its
/// hash lookups (one per node reference).
const WAY_CHUNK: usize = 4096;

/// Adds what way `w` gives: its roads (split at nodes missing or out of
/// range, and at the antimeridian), the place or facility at its centroid,
/// or, for a linear facility, samples along it; with the diagnostics.
/// Cost: one lookup in `coords` per node reference.
fn add_way(
    out: &mut OsmData,
    path: &Path,
    w: &PendingWay,
    coords: &NodeCoords,
    ford_nodes: &FxHashSet<i64>,
    table: &OsmTags,
) {
    let spacing = Meters(table.line_sample_m);
    let label = format!("way/{}", w.id);
    // Split at nodes missing from the extract (ways clipped at its border).
    let mut runs: Vec<Vec<(i64, LonLat)>> = vec![Vec::new()];
    // A node with coordinates outside the WGS 84 ranges splits the way
    // too, counted apart.
    let (mut missing, mut invalid) = (0usize, None);
    for r in &w.refs {
        match coords.get(*r) {
            Some(p) if p.is_valid() => runs.last_mut().expect("runs is never empty").push((*r, p)),
            found => {
                match found {
                    Some(p) => {
                        invalid.get_or_insert((*r, p));
                    }
                    None => missing += 1,
                }
                if !runs.last().is_some_and(Vec::is_empty) {
                    runs.push(Vec::new());
                }
            }
        }
    }
    if missing > 0 {
        out.diagnostics.push(
            "missing_node",
            path,
            &label,
            "nd",
            format!("{missing} referenced node(s) not in the extract: way split there"),
        );
    }
    if let Some((node, p)) = invalid {
        out.diagnostics.push(
            "invalid_coordinates",
            path,
            &label,
            "nd",
            format!(
                "node/{node} at ({}, {}) is out of range: way split there",
                p.lon, p.lat
            ),
        );
    }
    runs.retain(|r| !r.is_empty());
    if let Some(class) = tag(&w.tags, "highway") {
        let explicit = parse_oneway(tag(&w.tags, "oneway"));
        let implied = class == "motorway" || tag(&w.tags, "junction") == Some("roundabout");
        let oneway = match (explicit, tag(&w.tags, "oneway")) {
            (Oneway::No, None) if implied => Oneway::Forward,
            (o, _) => o,
        };
        let tagged: Tags = w
            .tags
            .iter()
            .filter(|(k, _)| PASSABILITY_KEYS.contains(&k.as_str()))
            .cloned()
            .collect();
        let has_ford_tag = tagged.iter().any(|(k, _)| k == "ford");
        let maxspeed = parse_maxspeed(tag(&w.tags, "maxspeed"));
        let joinable = joinable(&w.tags, table);
        // The road graph is planar in longitude: cut at the antimeridian.
        let road_runs: Vec<&[(i64, LonLat)]> = runs
            .iter()
            .flat_map(|run| crate::geometry::split_at_antimeridian(run, |v| v.1.lon))
            .collect();
        if road_runs.len() > runs.len() {
            out.diagnostics.push(
                "antimeridian_split",
                path,
                &label,
                "nd",
                "road crosses the antimeridian (±180°): split there (no link across it)".into(),
            );
        }
        let runs = road_runs;
        for (k, run) in runs.iter().enumerate() {
            if run.len() < 2 {
                continue;
            }
            let mut passability = tagged.clone();
            if !has_ford_tag && run.iter().any(|(id, _)| ford_nodes.contains(id)) {
                passability.push(("ford".into(), "yes".into()));
            }
            out.roads.push(Road {
                id: if runs.len() > 1 {
                    format!("osm:way/{}#{k}", w.id)
                } else {
                    format!("osm:way/{}", w.id)
                },
                class: class.to_string(),
                oneway,
                maxspeed,
                vertices: run.iter().map(|(id, p)| (Some(*id), *p)).collect(),
                passability,
                joinable,
            });
        }
    }
    let pts: Vec<LonLat> = runs.iter().flatten().map(|(_, p)| *p).collect();
    if pts.is_empty() {
        // A place drawn with no usable node is kept, unplaced.
        if invalid.is_some() && tag(&w.tags, "highway").is_none() && is_place(&w.tags, table) {
            let nowhere = LonLat::new(f64::NAN, f64::NAN);
            add_place(out, path, &format!("osm:way/{}", w.id), nowhere, &w.tags);
        }
        return;
    }
    let linear = matches!(tag(&w.tags, "power"), Some("line" | "minor_line"));
    if linear {
        if let Some(cat) = facility_category(&w.tags, table) {
            let samples: Vec<Vec<LonLat>> = runs
                .iter()
                .map(|run| {
                    let line: Vec<LonLat> = run.iter().map(|(_, p)| *p).collect();
                    sample_line(&line, spacing)
                })
                .collect();
            // One facility of capacity 1, shared among its sample points.
            let share = 1.0 / samples.iter().map(Vec::len).sum::<usize>().max(1) as f64;
            let mut k = 0usize;
            for points in samples {
                for p in points {
                    k += 1;
                    out.facilities.push(Facility {
                        id: format!("osm:way/{}#{}", w.id, k - 1),
                        name: tag(&w.tags, "name").unwrap_or_default().to_string(),
                        category: cat.clone(),
                        pos: p,
                        capacity: share,
                    });
                }
            }
        }
    } else if is_place(&w.tags, table) || facility_category(&w.tags, table).is_some() {
        if let Some(c) = mean_position(&pts) {
            add_tagged(out, path, &format!("osm:way/{}", w.id), c, &w.tags, table);
        }
    }
}

fn add_tagged(out: &mut OsmData, path: &Path, id: &str, pos: LonLat, tags: &Tags, table: &OsmTags) {
    if is_place(tags, table) {
        add_place(out, path, id, pos, tags);
    }
    if let Some(category) = facility_category(tags, table) {
        add_facility(out, path, id, pos, tags, category, table);
    }
}

/// Adds a facility of `category`, with its capacity from the configured tag.
fn add_facility(
    out: &mut OsmData,
    path: &Path,
    id: &str,
    pos: LonLat,
    tags: &Tags,
    category: String,
    table: &OsmTags,
) {
    let capacity = table
        .capacity_tag
        .as_deref()
        .map_or(1.0, |key| osm_capacity(out, path, id, tags, key));
    out.facilities.push(Facility {
        id: id.to_string(),
        name: tag(tags, "name").unwrap_or_default().to_string(),
        category,
        pos,
        capacity,
    });
}

/// Adds a `place=*` element as a settlement.
fn add_place(out: &mut OsmData, path: &Path, id: &str, pos: LonLat, tags: &Tags) {
    let name = tag(tags, "name").unwrap_or_default().to_string();
    {
        let (population, population_source) = match tag(tags, "population") {
            None => (Population(0.0), PopulationSource::Missing),
            Some(v) => match parse_population(v) {
                Some(p) => (Population(p), PopulationSource::Attribute),
                None => {
                    out.diagnostics.push(
                        "population_invalid",
                        path,
                        id,
                        "population",
                        format!(
                            "not a population from 0 to {:e}: `{v}`: treated as unknown",
                            Population::MAX_SETTLEMENT
                        ),
                    );
                    (Population(0.0), PopulationSource::Missing)
                }
            },
        };
        out.settlements.push(Settlement {
            id: id.to_string(),
            name,
            place: tag(tags, "place").unwrap_or_default().to_string(),
            pos,
            population,
            population_source,
        });
    }
}

/// A facility's capacity from the configured tag: untagged counts 1; a value
/// that is not a non-negative number counts 1 with a counted warning (OSM
/// values are free text, so this is not fatal).
fn osm_capacity(out: &mut OsmData, path: &Path, id: &str, tags: &Tags, key: &str) -> f64 {
    let Some(v) = tag(tags, key) else {
        return 1.0;
    };
    match v.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && (0.0..=crate::units::MAX_CAPACITY).contains(&x) => x,
        _ => {
            out.diagnostics.push(
                "capacity_invalid",
                path,
                id,
                key,
                format!(
                    "capacity `{v}` is not a number from 0 to {:e}: counted as 1",
                    crate::units::MAX_CAPACITY
                ),
            );
            1.0
        }
    }
}

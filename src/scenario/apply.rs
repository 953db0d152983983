//! Applying a scenario's modifications to a view of the baseline: the
//! scenario's facility list and populations, its edited network (profiles
//! rebuilt only where an edit touches them), and what each modification
//! touched.

use std::collections::HashMap;
use std::sync::Arc;

use geo::{Contains, Intersects};
use geo_types::{Coord, Line, LineString, Point, Polygon};
use rayon::prelude::*;
use serde::Serialize;
use thiserror::Error;

use super::model::{
    Change, FacilitySelection, Modification, NewRoad, RoadEdit, RoadSelection, Scenario,
    ScenarioSet,
};
use crate::geometry::haversine;
use crate::index::{PointIndex, ProfileGraph, RoadNetwork, SegmentEdit, SpeedChange};
use crate::model::{Facility, LonLat, Road};
use crate::pipeline::Study;
use crate::search::access::{ProfileContext, TravelModel};

/// A modification that cannot be applied.
#[derive(Debug, Error)]
#[error("{file}: scenario `{scenario}`: modification {index}: field `{field}`: {message}")]
pub struct ApplyError {
    /// Scenario file.
    pub file: String,
    /// Scenario name.
    pub scenario: String,
    /// Modification, 1-based.
    pub index: usize,
    /// Field at fault.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// What one modification touched, for the summary and `run.json`.
#[derive(Debug, Clone, Serialize)]
pub struct ModReport {
    /// Modification, 1-based.
    pub index: usize,
    /// Kind (`add_facility`, `close_roads`…).
    pub kind: &'static str,
    /// What it did, in words.
    pub report: String,
    /// Whether it selected nothing (a warning).
    pub selected_nothing: bool,
}

/// A scenario applied: the inputs a run of it reads.
pub struct Applied {
    /// Scenario name.
    pub name: String,
    /// All facilities, baseline order with removals, added ones last.
    pub facilities: Vec<Facility>,
    /// Population of each settlement.
    pub population: Vec<f64>,
    /// The road network (the baseline's unless roads were added).
    pub net: Option<Arc<RoadNetwork>>,
    /// Contexts of the profiles in use (shared with the baseline where no
    /// edit touched them).
    pub profiles: Vec<Arc<ProfileContext>>,
    /// One report per modification (seasons expanded into one line each).
    pub reports: Vec<ModReport>,
}

impl Applied {
    /// The travel model of the scenario.
    pub fn model<'s>(&'s self, study: &'s Study) -> TravelModel<'s> {
        TravelModel {
            net: self.net.as_deref().unwrap_or(&study.net),
            travel: study.settings.travel,
            settlements: &study.dataset.settlements,
            profiles: self.profiles.clone(),
            terrain: study.dataset.terrain.clone(),
        }
    }

    /// Whether the network differs from the baseline's for `profile`.
    pub fn profile_changed(&self, study: &Study, profile: &str) -> bool {
        let find =
            |v: &[Arc<ProfileContext>]| v.iter().find(|p| p.profile.name == profile).cloned();
        match (find(&self.profiles), find(&study.profiles)) {
            (Some(a), Some(b)) => !Arc::ptr_eq(&a, &b),
            _ => true,
        }
    }
}

fn in_polygon(poly: &Polygon<f64>, p: LonLat) -> bool {
    let pt = Point::new(p.lon, p.lat);
    poly.contains(&pt) || poly.exterior().intersects(&pt)
}

fn facility_selected(sel: &FacilitySelection, f: &Facility, category: Option<&str>) -> bool {
    (sel.ids.is_empty() || sel.ids.contains(&f.id))
        && category.is_none_or(|c| c == f.category)
        && sel.within.as_ref().is_none_or(|p| in_polygon(p, f.pos))
}

fn road_id_matches(ids: &[String], id: &str) -> bool {
    ids.iter().any(|want| {
        id == want
            || id
                .strip_prefix(want.as_str())
                .is_some_and(|rest| rest.starts_with('#'))
    })
}

/// Segments of `net` selected by `sel` (only those of roads below
/// `road_limit`, i.e. that existed when the edit was made).
fn select_segments(
    net: &RoadNetwork,
    sel: &RoadSelection,
    classes_now: &HashMap<u32, String>,
    road_limit: usize,
) -> Vec<u32> {
    let crossing: Option<&LineString<f64>> = sel.crossing.as_ref();
    let bbox = |pts: &[Coord<f64>]| {
        pts.iter().fold(
            (f64::INFINITY, f64::INFINITY, -f64::INFINITY, -f64::INFINITY),
            |(a, b, c, d), p| (a.min(p.x), b.min(p.y), c.max(p.x), d.max(p.y)),
        )
    };
    let poly_box = sel.within.as_ref().map(|p| bbox(&p.exterior().0));
    let line_box = crossing.map(|l| bbox(&l.0));
    let inside = |b: (f64, f64, f64, f64), p: LonLat| {
        p.lon >= b.0 && p.lat >= b.1 && p.lon <= b.2 && p.lat <= b.3
    };
    (0..net.segments.len() as u32)
        .into_par_iter()
        .filter(|&i| {
            let s = &net.segments[i as usize];
            if s.road as usize >= road_limit {
                return false;
            }
            let r = &net.roads[s.road as usize];
            if !sel.ids.is_empty() && !road_id_matches(&sel.ids, &r.id) {
                return false;
            }
            if !sel.classes.is_empty() {
                let class = classes_now.get(&i).unwrap_or(&r.class);
                if !sel.classes.iter().any(|c| c == class) {
                    return false;
                }
            }
            let (a, b) = (net.nodes[s.a as usize], net.nodes[s.b as usize]);
            if let (Some(poly), Some(bb)) = (&sel.within, poly_box) {
                if !(inside(bb, a) && inside(bb, b) && in_polygon(poly, a) && in_polygon(poly, b)) {
                    return false;
                }
            }
            if let (Some(line), Some(lb)) = (crossing, line_box) {
                let sb = (
                    a.lon.min(b.lon),
                    a.lat.min(b.lat),
                    a.lon.max(b.lon),
                    a.lat.max(b.lat),
                );
                if sb.0 > lb.2 || sb.2 < lb.0 || sb.1 > lb.3 || sb.3 < lb.1 {
                    return false;
                }
                let seg = Line::new((a.lon, a.lat), (b.lon, b.lat));
                if !seg.intersects(line) {
                    return false;
                }
            }
            true
        })
        .collect()
}

/// Joins a new road's vertices to existing nodes within `join_m`.
fn joined_road(net: &RoadNetwork, nodes: &PointIndex, r: &NewRoad) -> (Road, usize) {
    let mut joined = 0;
    let vertices = r
        .line
        .iter()
        .map(|&p| match nodes.nearest(p) {
            Some((n, d)) if d.0 <= r.join_m => {
                joined += 1;
                (net.node_key[n as usize], net.nodes[n as usize])
            }
            _ => (None, p),
        })
        .collect();
    (
        Road {
            id: r.id.clone(),
            class: r.class.clone(),
            oneway: crate::model::Oneway::No,
            maxspeed: None,
            passability: Vec::new(),
            joinable: true,
            vertices,
        },
        joined,
    )
}

/// Applies `scenario` of `set` to the prepared baseline `study`.
pub fn apply(study: &Study, set: &ScenarioSet, scenario: &Scenario) -> Result<Applied, ApplyError> {
    let err = |index: usize, field: &str, message: String| ApplyError {
        file: set.path.display().to_string(),
        scenario: scenario.name.clone(),
        index,
        field: field.into(),
        message,
    };
    let settings = &study.settings;
    let category_of = |service: &str| {
        settings
            .services
            .iter()
            .find(|s| s.name == service)
            .map(|s| s.category.clone())
    };
    let mut facilities = study.dataset.facilities.clone();
    let mut population = study.dataset.populations();
    let mut reports = Vec::new();
    // Road edits in order, with the modification that made them.
    let mut road_edits: Vec<(usize, &RoadEdit)> = Vec::new();
    for (k, m) in scenario.modifications.iter().enumerate() {
        let index = k + 1;
        let mut report = |kind: &'static str, n: usize, text: String| {
            reports.push(ModReport {
                index,
                kind,
                report: text,
                selected_nothing: n == 0,
            })
        };
        match m {
            Modification::AddFacility(nf) => {
                let Some(category) = category_of(&nf.service) else {
                    return Err(err(
                        index,
                        "service",
                        format!("no service `{}`", nf.service),
                    ));
                };
                if facilities
                    .iter()
                    .any(|f| f.id == nf.id && f.category == category)
                {
                    return Err(err(
                        index,
                        "id",
                        format!("a `{category}` facility `{}` already exists", nf.id),
                    ));
                }
                // A facility added on a barrier stands on its nearer side,
                // as the inputs' facilities do.
                let barriers = study.profiles.iter().find_map(|p| p.barriers());
                let pos = barriers
                    .and_then(|b| crate::index::crossings::move_off(nf.pos, b))
                    .map_or(nf.pos, |(to, _)| to);
                facilities.push(Facility {
                    id: nf.id.clone(),
                    name: nf.name.clone(),
                    category,
                    pos,
                    capacity: nf.capacity,
                });
                report(
                    "add_facility",
                    1,
                    format!(
                        "adds {} facility {} at ({:.5}, {:.5}), capacity {}",
                        nf.service, nf.id, nf.pos.lon, nf.pos.lat, nf.capacity
                    ),
                );
            }
            Modification::RemoveFacilities(sel) => {
                let cat = sel.service.as_deref().and_then(category_of);
                let before = facilities.len();
                facilities.retain(|f| !facility_selected(sel, f, cat.as_deref()));
                let n = before - facilities.len();
                report(
                    "remove_facilities",
                    n,
                    format!("removes {n} of {before} facilities"),
                );
            }
            Modification::Capacity { select, change } => {
                let cat = select.service.as_deref().and_then(category_of);
                let mut n = 0;
                for f in facilities
                    .iter_mut()
                    .filter(|f| facility_selected(select, f, cat.as_deref()))
                {
                    f.capacity = match *change {
                        Change::Set(v) => v,
                        Change::Scale(x) => f.capacity * x,
                    };
                    n += 1;
                }
                report(
                    "capacity",
                    n,
                    format!("changes the capacity of {n} facilities"),
                );
            }
            Modification::Population { zones, change } => {
                let wanted: Vec<usize> = if zones.is_empty() {
                    (0..study.zones.len()).collect()
                } else {
                    let mut v = Vec::new();
                    for id in zones {
                        match study.zones.iter().position(|z| z.id == *id) {
                            Some(z) => v.push(z),
                            None => {
                                return Err(err(index, "zones", format!("no zone `{id}`")));
                            }
                        }
                    }
                    v
                };
                let mut people = 0.0;
                for &z in &wanted {
                    let members: Vec<usize> = (0..population.len())
                        .filter(|&i| study.zone_of[i] == Some(z))
                        .collect();
                    let total: f64 = members.iter().map(|&i| population[i]).sum();
                    for &i in &members {
                        population[i] = match *change {
                            Change::Scale(x) => population[i] * x,
                            Change::Set(v) if total > 0.0 => population[i] * (v / total),
                            Change::Set(v) => v / members.len() as f64,
                        };
                    }
                    people += members.iter().map(|&i| population[i]).sum::<f64>();
                }
                report(
                    "population",
                    wanted.len(),
                    format!("{} zones now hold {people:.0} people", wanted.len()),
                );
            }
            Modification::Road(e) => road_edits.push((index, e)),
            Modification::Season(name) => {
                let Some(edits) = set.seasons.get(name) else {
                    return Err(err(index, "name", format!("no season `{name}`")));
                };
                road_edits.extend(edits.iter().map(|e| (index, e)));
            }
        }
    }

    // Roads: new roads first (they change the network), then segment edits
    // in order, each on the roads that existed when it was made.
    let mut net: Option<Arc<RoadNetwork>> = None;
    let mut road_limit_at: Vec<usize> = Vec::with_capacity(road_edits.len());
    if road_edits
        .iter()
        .any(|(_, e)| matches!(e, RoadEdit::Add(_)))
    {
        let nodes = PointIndex::build(&study.net.nodes);
        let mut roads = study.roads.clone();
        for (index, e) in &road_edits {
            road_limit_at.push(roads.len());
            if let RoadEdit::Add(r) = e {
                let (road, joined) = joined_road(&study.net, &nodes, r);
                let len: f64 = r.line.windows(2).map(|w| haversine(w[0], w[1]).0).sum();
                reports.push(ModReport {
                    index: *index,
                    kind: "add_road",
                    report: format!(
                        "adds road {} ({}, {:.0} m), {joined} of {} vertices joined to the network",
                        r.id,
                        r.class,
                        len,
                        r.line.len()
                    ),
                    selected_nothing: joined == 0,
                });
                roads.push(road);
            }
        }
        net = Some(Arc::new(crate::pipeline::road_network(
            &roads,
            &study.settings,
            study.dataset.terrain.as_deref(),
        )));
    } else {
        road_limit_at = vec![usize::MAX; road_edits.len()];
    }
    let the_net: &RoadNetwork = net.as_deref().unwrap_or(&study.net);
    let mut edits: HashMap<u32, SegmentEdit> = HashMap::new();
    let mut classes_now: HashMap<u32, String> = HashMap::new();
    let mut touched_profiles: Vec<Option<String>> = Vec::new();
    for ((index, e), limit) in road_edits.iter().zip(&road_limit_at) {
        let (sel, kind) = match e {
            RoadEdit::Add(_) => continue,
            RoadEdit::Close(s) => (s, "close_roads"),
            RoadEdit::Speed { select, .. } => (select, "road_speed"),
            RoadEdit::Upgrade { select, .. } => (select, "upgrade_roads"),
        };
        let segs = select_segments(the_net, sel, &classes_now, *limit);
        for &s in &segs {
            let edit = edits.entry(s).or_default();
            match e {
                RoadEdit::Close(_) => edit.closed = true,
                RoadEdit::Speed {
                    profile, change, ..
                } => edit.speeds.push((
                    profile.clone(),
                    match *change {
                        Change::Set(v) => SpeedChange::Set(v),
                        Change::Scale(x) => SpeedChange::Scale(x),
                    },
                )),
                RoadEdit::Upgrade { class, .. } => {
                    edit.class = Some(class.clone());
                    classes_now.insert(s, class.clone());
                }
                RoadEdit::Add(_) => {}
            }
        }
        if !segs.is_empty() {
            touched_profiles.push(match e {
                RoadEdit::Speed { profile, .. } => profile.clone(),
                _ => None,
            });
        }
        let len: f64 = segs
            .iter()
            .map(|&s| the_net.segments[s as usize].len_m)
            .sum();
        let verb = match kind {
            "close_roads" => "closes",
            "road_speed" => "changes the speed of",
            _ => "upgrades",
        };
        reports.push(ModReport {
            index: *index,
            kind,
            report: format!(
                "{verb} {} of {} segments ({:.1} km)",
                segs.len(),
                the_net.segments.len(),
                len / 1000.0
            ),
            selected_nothing: segs.is_empty(),
        });
    }
    reports.sort_by_key(|r| r.index);

    // Profiles: rebuilt where the network changed or an edit touched them.
    let positions: Vec<LonLat> = facilities.iter().map(|f| f.pos).collect();
    let profiles = study
        .profiles
        .par_iter()
        .map(|ctx| {
            let name = &ctx.profile.name;
            let touched = touched_profiles
                .iter()
                .any(|p| p.as_deref().is_none_or(|p| p == name));
            if net.is_none() && !touched {
                return ctx.clone();
            }
            let graph =
                ProfileGraph::build_edited(the_net, &ctx.profile, |s| edits.get(&(s as u32)));
            let settlements = &study.dataset.settlements;
            if net.is_none() {
                // Same network: closures and speed changes snap on the
                // baseline's segment index.
                return Arc::new(ProfileContext::edited(
                    ctx,
                    the_net,
                    graph,
                    settlements,
                    &positions,
                ));
            }
            Arc::new(ProfileContext::with_graph_blocked(
                the_net,
                ctx.profile.clone(),
                graph,
                settlements,
                &positions,
                ctx.blocking().cloned(),
            ))
        })
        .collect();
    Ok(Applied {
        name: scenario.name.clone(),
        facilities,
        population,
        net,
        profiles,
        reports,
    })
}

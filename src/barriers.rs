//! Barriers in a study: the index built once from the dataset's barriers
//! (`[barriers]`), applied to the roads (cut at closed borders, implied
//! fords; [`crate::index::crossings`]) and to the places sitting on one
//! (moved to their nearer side, counted `on_barrier`), before the network
//! is built; and what they did, for `run.json`.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use crate::config::Settings;
use crate::index::crossings::{apply_to_roads, move_off};
use crate::index::BarrierIndex;
use crate::load::Dataset;
use crate::model::BarrierShape;
use crate::search::access::{Blocking, ProfileContext};
use crate::units::Meters;

/// What the barriers did, for `run.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BarrierReport {
    /// Barrier lines by kind.
    pub lines: BTreeMap<&'static str, usize>,
    /// Barrier polygons by kind.
    pub polygons: BTreeMap<&'static str, usize>,
    /// Settlements moved off a barrier.
    pub settlements_moved: usize,
    /// Facilities moved off a barrier.
    pub facilities_moved: usize,
    /// Roads given an implied ford (closed in the `wet` season).
    pub implied_fords: usize,
    /// Road segments cut where they cross a closed barrier.
    pub closed_crossings: usize,
    /// By profile, settlements whose snap moved to a road on their side of
    /// a barrier (or that lost their snap: every road within reach lies
    /// across one).
    pub snaps_moved: BTreeMap<String, usize>,
}

/// Indexes `dataset.barriers` and applies them to its roads and places
/// (warnings to its diagnostics, the report to `barrier_report`); returns
/// what the profile contexts need (snaps look as far as
/// `travel.max_snap_m`), `None` when there is no barrier. Warnings about
/// roads and facilities name the OSM extract, when there is one;
/// settlements name their own file.
pub fn settle(dataset: &mut Dataset, settings: &Settings) -> Option<Blocking> {
    if dataset.barriers.is_empty() {
        return None;
    }
    let source = settings.inputs.osm.clone().unwrap_or_default();
    let source = source.as_path();
    let index = BarrierIndex::build(std::mem::take(&mut dataset.barriers));
    let mut report = BarrierReport::default();
    for b in index.barriers() {
        let by = match b.shape {
            BarrierShape::Line(_) => &mut report.lines,
            BarrierShape::Polygon(_) => &mut report.polygons,
        };
        *by.entry(b.kind.as_str()).or_default() += 1;
    }
    let crossings = apply_to_roads(&mut dataset.roads, &index);
    report.implied_fords = crossings.implied_fords.len();
    report.closed_crossings = crossings.closed_crossings.len();
    let diags = &mut dataset.diagnostics;
    for (road, barrier) in &crossings.implied_fords {
        diags.push(
            "implied_fords",
            source,
            road,
            "geometry",
            format!("crosses {barrier} with no bridge, tunnel, culvert or ford tag: an implied ford, closed in the wet season"),
        );
    }
    for (road, barrier) in &crossings.closed_crossings {
        diags.push(
            "closed_crossings",
            source,
            road,
            "geometry",
            format!("crosses the closed barrier {barrier}: cut there"),
        );
    }
    let id_of = |b: u32| index.barriers()[b as usize].id.clone();
    for i in 0..dataset.settlements.len() {
        let s = &dataset.settlements[i];
        if !s.valid {
            continue;
        }
        if let Some((to, b)) = move_off(s.settlement.pos, &index) {
            let file = dataset.settlement_file(i).to_path_buf();
            let id = dataset.settlements[i].settlement.id.clone();
            dataset.settlements[i].settlement.pos = to;
            report.settlements_moved += 1;
            dataset.diagnostics.push(
                "on_barrier",
                &file,
                &id,
                "geometry",
                format!(
                    "settlement on barrier {}: moved to its nearer side ({:.6}, {:.6})",
                    id_of(b),
                    to.lon,
                    to.lat
                ),
            );
        }
    }
    for f in &mut dataset.facilities {
        if let Some((to, b)) = move_off(f.pos, &index) {
            f.pos = to;
            report.facilities_moved += 1;
            dataset.diagnostics.push(
                "on_barrier",
                source,
                &f.id,
                "geometry",
                format!(
                    "facility on barrier {}: moved to its nearer side ({:.6}, {:.6})",
                    id_of(b),
                    to.lon,
                    to.lat
                ),
            );
        }
    }
    dataset.barrier_report = Some(report);
    Some(Blocking {
        barriers: Arc::new(index),
        reach: Meters(settings.travel.max_snap_m),
    })
}

/// Counts, per profile, the settlements whose snap the barriers changed
/// (into `dataset.barrier_report`).
pub fn count_snaps_moved(dataset: &mut Dataset, profiles: &[Arc<ProfileContext>]) {
    if dataset.barrier_report.is_none() {
        return;
    }
    for ctx in profiles {
        let moved = ctx.moved_by_barriers(&dataset.settlements);
        record_snaps_moved(dataset, &ctx.profile.name, moved);
    }
}

/// Records that barriers moved the snaps of `moved` settlements of
/// `profile` (into `dataset.barrier_report`, when there are barriers).
pub fn record_snaps_moved(dataset: &mut Dataset, profile: &str, moved: usize) {
    if let Some(report) = dataset.barrier_report.as_mut() {
        report.snaps_moved.insert(profile.to_string(), moved);
    }
}

//! Running scenarios on a prepared network: each service is reused,
//! updated incrementally or searched again, whichever its changes allow;
//! measures, scores and zones are then recomputed on the scenario's inputs,
//! taking from the baseline the catchment cost rows of facilities that did
//! not move on an unchanged profile, and gravity remoteness when neither its
//! profile nor the population changed ([`Prior`]).
//! [`evaluate_full`] computes everything from scratch and is the oracle the
//! incremental path is tested against.

use std::collections::HashMap;

use serde::Serialize;

use super::apply::Applied;
use super::incremental::{add_sources, Overlay};
use crate::catchment::{Prior, PriorRows};
use crate::config::Service;
use crate::execution::Execution;
use crate::geometry::haversine;
use crate::index::PointIndex;
use crate::model::{Facility, LonLat};
use crate::pipeline::{access_stage, results, Results, Study};
use crate::search::access::{facilities_for, Access, Labels, Seeding, ServiceAccess, TravelModel};
use crate::search::trip::Trips;
use crate::units::Seconds;

/// How a service's access was obtained in a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Same network, same facility positions: the baseline's access.
    Reused,
    /// Facilities added (one search from them, pruned where they do not
    /// improve the baseline) or removed (a search of the nodes they served,
    /// from the border of that region).
    Incremental,
    /// A full search (network edited, facilities moved, added and removed
    /// at once, or a tie that an update cannot settle exactly).
    Full,
}

/// A scenario's results, with how each service was obtained.
pub struct Evaluation {
    /// The results.
    pub results: Results,
    /// Per service (settings order).
    pub strategies: Vec<Strategy>,
}

fn same_positions(a: &[Facility], b: &[Facility]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.pos.bits() == y.pos.bits())
}

/// Everything from scratch on the scenario's inputs: the oracle.
pub fn evaluate_full(study: &Study, applied: &Applied, exec: Execution) -> Results {
    let model = applied.model(study);
    let access = access_stage(
        &model,
        &study.settings.services,
        &applied.facilities,
        exec,
        true,
    );
    finish(study, &model, applied, access, &Prior::default(), exec)
}

fn finish(
    study: &Study,
    model: &TravelModel,
    applied: &Applied,
    access: Vec<ServiceAccess>,
    prior: &Prior,
    exec: Execution,
) -> Results {
    results(
        &study.settings,
        model,
        &study.zones,
        &study.zone_of,
        access,
        &applied.facilities,
        &applied.population,
        prior,
        exec,
    )
}

/// What the scenario's measures can take from the baseline's: the cost
/// rows of every facility still at its baseline position, per service whose
/// profile is unchanged; gravity when its profile and every population are.
fn prior<'b>(
    study: &Study,
    baseline: &'b Results,
    applied: &Applied,
    access: &[ServiceAccess],
) -> Prior<'b> {
    let services = &study.settings.services;
    let rows = services
        .iter()
        .enumerate()
        .map(|(k, svc)| {
            if applied.profile_changed(study, &svc.profile) {
                return None;
            }
            let cat = baseline
                .measures
                .catchment
                .iter()
                .find(|c| c.service == k)?;
            let mut row_of: HashMap<(u64, u64), usize> = HashMap::new();
            for (j, f) in baseline.access[k].facilities.iter().enumerate() {
                row_of.entry(f.pos.bits()).or_insert(j);
            }
            Some(PriorRows {
                costs: &cat.costs,
                row_of: access[k]
                    .facilities
                    .iter()
                    .map(|f| row_of.get(&f.pos.bits()).copied())
                    .collect(),
            })
        })
        .collect();
    let population_same = applied.population.len() == study.dataset.settlements.len()
        && applied
            .population
            .iter()
            .zip(study.dataset.populations())
            .all(|(a, b)| a.to_bits() == b.to_bits());
    let gravity = study.settings.measures.gravity.as_ref().and_then(|g| {
        (population_same && !applied.profile_changed(study, &g.profile))
            .then_some(baseline.measures.gravity.as_ref())
            .flatten()
    });
    Prior { rows, gravity }
}

/// The scenario's results, reusing and updating the baseline's searches
/// where that gives the same numbers (see the module docs).
pub fn evaluate(
    study: &Study,
    baseline: &Results,
    applied: &Applied,
    exec: Execution,
) -> Evaluation {
    let model = applied.model(study);
    let services = &study.settings.services;
    let one = |(svc, base): (&Service, &ServiceAccess)| -> (ServiceAccess, Strategy) {
        let list = facilities_for(svc, &applied.facilities);
        if !applied.profile_changed(study, &svc.profile) {
            if same_positions(&base.facilities, &list) {
                let sa = ServiceAccess {
                    facilities: list,
                    ..base.clone()
                };
                return (sa, Strategy::Reused);
            }
            let nb = base.facilities.len();
            if list.len() > nb && same_positions(&base.facilities, &list[..nb]) {
                if let Some(sa) = add_facilities(&model, svc, base, list.clone()) {
                    return (sa, Strategy::Incremental);
                }
            }
            if let Some(removed) = removed_subset(&base.facilities, &list) {
                if let Some(sa) = remove_facilities(&model, svc, base, list.clone(), &removed) {
                    return (sa, Strategy::Incremental);
                }
            }
        }
        (model.service_access(svc, list), Strategy::Full)
    };
    let pairs: Vec<(ServiceAccess, Strategy)> = match exec {
        Execution::Parallel => {
            use rayon::prelude::*;
            services
                .par_iter()
                .zip(baseline.access.par_iter())
                .map(one)
                .collect()
        }
        Execution::Sequential => services.iter().zip(&baseline.access).map(one).collect(),
    };
    let (access, strategies): (Vec<_>, Vec<_>) = pairs.into_iter().unzip();
    let prior = prior(study, baseline, applied, &access);
    let r = finish(study, &model, applied, access, &prior, exec);
    Evaluation {
        results: r,
        strategies,
    }
}

/// Access of `svc` with facilities appended to the baseline's: `None`
/// when the update cannot be exact (no baseline labels, or a tie).
fn add_facilities(
    model: &TravelModel,
    svc: &Service,
    base: &ServiceAccess,
    list: Vec<Facility>,
) -> Option<ServiceAccess> {
    let paths = base.paths.as_deref()?;
    let trips = model.trips(svc);
    if !trips.uses_network() {
        return None;
    }
    let nb = base.facilities.len();
    let seeding = model.seeding(svc, &list);
    let ctx = model.context(&svc.profile);
    let new_seeds: Vec<_> = seeding
        .seeds
        .iter()
        .filter(|s| s.source as usize >= nb)
        .copied()
        .collect();
    let changed = add_sources(&ctx.graph.reverse, paths, &new_seeds)?;
    let overlay = Overlay {
        base: paths,
        changed: &changed,
        renumber: None,
    };
    let added: Vec<LonLat> = list[nb..].iter().map(|f| f.pos).collect();
    let new_segments: Vec<u32> = seeding.placed[nb..]
        .iter()
        .flatten()
        .map(|p| p.snap.segment)
        .collect();
    let nearest = PointIndex::build(&list.iter().map(|f| f.pos).collect::<Vec<_>>());
    let mut access = base.access.clone();
    let aff = affected(model, &trips, &changed, &new_segments, &added, &base.access);
    for k in aff {
        access[k] =
            model.settlement_access(svc, k, Some(&overlay as &dyn Labels), &seeding, &nearest);
    }
    Some(updated(base, list, &seeding, access))
}

/// The updated access of `base`'s service with the facilities `list`
/// (placed by `seeding`); no labels are kept, so a scenario's result is
/// never the base of another update.
fn updated(
    base: &ServiceAccess,
    list: Vec<Facility>,
    seeding: &Seeding,
    access: Vec<Access>,
) -> ServiceAccess {
    ServiceAccess {
        service: base.service.clone(),
        facilities_on_network: seeding.placed.iter().filter(|p| p.is_some()).count(),
        facilities: list,
        access,
        paths: None,
    }
}

/// When `list` is `base` with some facilities taken out (in order), which
/// of `base` are gone.
fn removed_subset(base: &[Facility], list: &[Facility]) -> Option<Vec<bool>> {
    if list.len() >= base.len() {
        return None;
    }
    let mut removed = vec![true; base.len()];
    let mut k = 0;
    for f in list {
        while k < base.len() && base[k].pos.bits() != f.pos.bits() {
            k += 1;
        }
        if k == base.len() {
            return None;
        }
        removed[k] = false;
        k += 1;
    }
    Some(removed)
}

/// Access of `svc` with the facilities marked in `removed` taken out of the
/// baseline's: `None` when the update cannot be exact.
fn remove_facilities(
    model: &TravelModel,
    svc: &Service,
    base: &ServiceAccess,
    list: Vec<Facility>,
    removed: &[bool],
) -> Option<ServiceAccess> {
    let paths = base.paths.as_deref()?;
    let trips = model.trips(svc);
    if !trips.uses_network() || list.is_empty() {
        return None;
    }
    let mut renumber = Vec::with_capacity(removed.len());
    let mut next = 0u32;
    for &r in removed {
        renumber.push(if r { crate::search::NO_SOURCE } else { next });
        next += u32::from(!r);
    }
    let seeding = model.seeding(svc, &list);
    let ctx = model.context(&svc.profile);
    let changed = super::incremental::remove_sources(
        &ctx.graph.reverse,
        ctx.graph.forward(),
        paths,
        removed,
        &renumber,
        &seeding.seeds,
    )?;
    let overlay = Overlay {
        base: paths,
        changed: &changed,
        renumber: Some(&renumber),
    };
    let gone_segments: Vec<u32> = base
        .facilities
        .iter()
        .zip(removed)
        .filter(|(_, &r)| r)
        .filter_map(|(f, _)| trips.place_facility(f.pos, ctx.snap_facility(f.pos)))
        .map(|p| p.snap.segment)
        .collect();
    let nearest = PointIndex::build(&list.iter().map(|f| f.pos).collect::<Vec<_>>());
    let mut access = base.access.clone();
    let mut redo = vec![false; access.len()];
    for k in affected(model, &trips, &changed, &gone_segments, &[], &base.access) {
        redo[k] = true;
    }
    for (k, a) in access.iter_mut().enumerate() {
        let lost = a.facility.is_some_and(|f| removed[f as usize]);
        if lost || redo[k] {
            *a = model.settlement_access(svc, k, Some(&overlay as &dyn Labels), &seeding, &nearest);
        } else if let Some(f) = a.facility {
            a.facility = Some(renumber[f as usize]);
        }
    }
    Some(updated(base, list, &seeding, access))
}

/// The settlements whose trip can change, ascending: those joining the
/// network at a changed node, placed on a segment in `segments` (where a
/// facility was added or removed), or with a direct trip to a facility in
/// `added` no longer than their `current` trip (the direct trip goes to the
/// nearest facility, and wins only when shorter than the road trip: an
/// added facility farther in time than the current trip changes nothing).
/// Found through the profile's exit and settlement indices, so the cost
/// follows the size of the change, not the number of settlements.
fn affected(
    model: &TravelModel,
    trips: &Trips,
    changed: &super::incremental::Changed,
    segments: &[u32],
    added: &[LonLat],
    current: &[Access],
) -> Vec<usize> {
    let ctx = trips.context();
    let exits = ctx.exits(trips, model.settlements);
    let mut out: Vec<u32> = changed
        .keys()
        .flat_map(|&v| exits.at_node(v).iter().map(|e| e.0))
        .collect();
    for &s in segments {
        out.extend(exits.on_segment(s).iter().map(|e| e.0));
    }
    let points = ctx.settlement_points(model.settlements);
    let reach = trips.direct_radius(Seconds(f64::INFINITY));
    for &f in added {
        out.extend(points.within(f, reach).filter(|&i| {
            let from = model.settlements[i as usize].settlement.pos;
            trips
                .direct(from, f, haversine(from, f))
                .is_some_and(|(t, _, _)| current[i as usize].time.is_none_or(|now| t <= now.0))
        }));
    }
    out.sort_unstable();
    out.dedup();
    out.into_iter().map(|i| i as usize).collect()
}

/// One scenario run: its analysis, what each modification touched, and
/// how each service was obtained.
pub struct Outcome {
    /// The scenario's name.
    pub name: String,
    /// Its description.
    pub description: String,
    /// The analysis of the scenario's inputs.
    pub analysis: crate::pipeline::Analysis,
    /// A report per modification.
    pub reports: Vec<super::apply::ModReport>,
    /// Per service (settings order).
    pub strategies: Vec<Strategy>,
}

/// Runs the baseline and every scenario of `set` on the prepared `study`.
/// Scenarios run one after another; each parallelises inside as the
/// baseline does, so results do not depend on the thread count.
pub fn run_all(
    study: &mut Study,
    set: &super::ScenarioSet,
    exec: Execution,
    progress: &dyn crate::pipeline::Progress,
) -> Result<(crate::pipeline::Analysis, Vec<Outcome>), super::apply::ApplyError> {
    let baseline = study.analyse(exec, progress);
    let base_results = Results {
        access: baseline.access.clone(),
        measures: baseline.measures.clone(),
        scores: baseline.scores.clone(),
        zone_stats: baseline.zone_stats.clone(),
        zone_measures: baseline.zone_measures.clone(),
    };
    let study: &Study = study;
    let mut out = Vec::with_capacity(set.scenarios.len());
    for sc in &set.scenarios {
        progress.begin(&format!("scenario {}", sc.name));
        let t0 = std::time::Instant::now();
        let applied = super::apply::apply(study, set, sc)?;
        let ev = evaluate(study, &base_results, &applied, exec);
        // The scenario's catchment polygons, on its own network, facilities
        // and populations, as the baseline's.
        let catchments = study.settings.catchments.enabled.then(|| {
            crate::isochrone::build(
                &applied.model(study),
                &study.settings.services,
                &ev.results.access,
                &applied.population,
                &study.settings.catchments,
                exec,
            )
        });
        let mut dataset = study.dataset.clone();
        dataset.facilities = applied.facilities.clone();
        for (s, p) in dataset.settlements.iter_mut().zip(&applied.population) {
            s.settlement.population = crate::units::Population(*p);
        }
        for r in applied.reports.iter().filter(|r| r.selected_nothing) {
            dataset.diagnostics.push(
                "scenario_selects_nothing",
                &set.path,
                &format!("{} modification {}", sc.name, r.index),
                r.kind,
                format!("{}: selects nothing", r.report),
            );
        }
        let mut analysis = study.analysis(dataset, ev.results);
        analysis.catchments = match catchments {
            Some(Ok(c)) => Some(c),
            Some(Err(e)) => {
                analysis.dataset.diagnostics.push(
                    "catchments_failed",
                    std::path::Path::new("(catchments)"),
                    &sc.name,
                    "catchments",
                    format!("{e}: no catchment polygons written"),
                );
                None
            }
            None => None,
        };
        let secs = t0.elapsed().as_secs_f64();
        analysis.timings = vec![("scenario".to_string(), secs)];
        progress.end(&format!("scenario {}", sc.name), secs);
        out.push(Outcome {
            name: sc.name.clone(),
            description: sc.description.clone(),
            analysis,
            reports: applied.reports,
            strategies: ev.strategies,
        });
    }
    Ok((baseline, out))
}

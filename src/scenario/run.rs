//! Running scenarios on a prepared network: each service is reused,
//! updated incrementally or searched again, whichever its changes allow;
//! measures, scores and zones are then recomputed on the scenario's inputs.
//! [`evaluate_full`] computes everything from scratch and is the oracle the
//! incremental path is tested against.

use serde::Serialize;

use super::apply::Applied;
use super::incremental::{add_sources, Overlay};
use crate::config::Service;
use crate::execution::Execution;
use crate::geometry::haversine;
use crate::index::PointIndex;
use crate::model::{Facility, LonLat};
use crate::pipeline::{access_stage, results, Results, Study};
use crate::search::access::{facilities_for, Labels, ServiceAccess, TravelModel};
use crate::search::trip::Trips;

/// How a service's access was obtained in a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Same network, same facility positions: the baseline's access.
    Reused,
    /// Facilities added: one search from them, pruned where they do not
    /// improve the baseline.
    Incremental,
    /// A full search (network edited, facilities removed or moved, or a tie
    /// that an update cannot settle exactly).
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
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.pos.lon.to_bits() == y.pos.lon.to_bits() && x.pos.lat.to_bits() == y.pos.lat.to_bits()
        })
}

/// Everything from scratch on the scenario's inputs: the oracle.
pub fn evaluate_full(study: &Study, applied: &Applied, exec: Execution) -> Results {
    let model = applied.model(study);
    let access = access_stage(&model, &study.settings.services, &applied.facilities, exec);
    finish(study, &model, applied, access, exec)
}

fn finish(
    study: &Study,
    model: &TravelModel,
    applied: &Applied,
    access: Vec<ServiceAccess>,
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
        exec,
    )
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
    Evaluation {
        results: finish(study, &model, applied, access, exec),
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
    };
    let added: Vec<LonLat> = list[nb..].iter().map(|f| f.pos).collect();
    let new_segments: Vec<u32> = seeding.placed[nb..]
        .iter()
        .flatten()
        .map(|p| p.snap.segment)
        .collect();
    let nearest = PointIndex::build(&list.iter().map(|f| f.pos).collect::<Vec<_>>());
    let mut access = base.access.clone();
    for (k, a) in access.iter_mut().enumerate() {
        if affected(
            model,
            &trips,
            ctx.settlement_snaps[k],
            k,
            &changed,
            &new_segments,
            &added,
        ) {
            *a = model.settlement_access(svc, k, Some(&overlay as &dyn Labels), &seeding, &nearest);
        }
    }
    Some(ServiceAccess {
        service: base.service.clone(),
        facilities_on_network: seeding.placed.iter().filter(|p| p.is_some()).count(),
        facilities: list,
        access,
        paths: None,
    })
}

/// Whether settlement `k`'s trip can change: it joins the network at a
/// changed node, shares a segment with a new facility, or a new facility is
/// within direct reach.
fn affected(
    model: &TravelModel,
    trips: &Trips,
    snap: Option<crate::index::Snap>,
    k: usize,
    changed: &super::incremental::Changed,
    new_segments: &[u32],
    added: &[LonLat],
) -> bool {
    let s = &model.settlements[k];
    if !s.valid {
        return false;
    }
    if let Some(p) = trips.place(snap) {
        if new_segments.contains(&p.snap.segment)
            || trips
                .settlement_exits(p)
                .any(|e| changed.contains_key(&e.node))
        {
            return true;
        }
    }
    added
        .iter()
        .any(|&f| trips.direct(haversine(s.settlement.pos, f)).is_some())
}

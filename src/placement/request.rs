//! A whole placement run on a prepared [`Study`]: the removable facilities
//! taken out, the baseline, the candidates (settlements, H3 cells or a
//! layer), the problem, the heuristic, and on small plain problems the MILP
//! whose sites are adopted when they are better. The `place` command and
//! the Python module both run this; neither holds placement logic.

use super::exact;
use super::study::{self as pst, PlaceError, Placement};
use super::{Limits, Solution};
use crate::config::{CandidateSpec, PlaceObjective, Threshold};
use crate::execution::Execution;
use crate::load::Diagnostics;
use crate::model::{Candidate, Facility};
use crate::pipeline::{Progress, Study};

/// What to place, beyond `[placement]`.
#[derive(Debug, Clone)]
pub struct Request {
    /// Service name, as in the config.
    pub service: String,
    /// Number of sites (else `placement.k`; with a budget, at most).
    pub k: Option<usize>,
    /// Solve coverage exactly (MILP) with at most this many candidates.
    pub exact_max: usize,
}

/// A finished placement.
pub struct Placed {
    /// The problem and its candidates.
    pub placement: Placement,
    /// The answer.
    pub solution: Solution,
    /// Where the candidates came from, in words.
    pub source: String,
    /// The number of sites asked for.
    pub k: usize,
    /// The exact check (`run.json`'s `exact`), when it ran.
    pub exact: Option<serde_json::Value>,
    /// Stage timings (seconds).
    pub timings: Vec<(String, f64)>,
    /// The run's warnings.
    pub diagnostics: Diagnostics,
}

/// Runs the placement `req` on `study` with its `[placement]` settings.
/// Removable facilities are taken out of the study for the run and put
/// back before it returns, so the study can serve further runs.
pub fn place(
    study: &mut Study,
    req: &Request,
    exec: Execution,
    progress: &dyn Progress,
) -> Result<Placed, PlaceError> {
    let pl = study.settings.placement.clone();
    if pl.objective == PlaceObjective::Capacity && pl.people_per_capacity.is_none() {
        return Err(PlaceError::Setting(
            "the capacity objective needs `people_per_capacity` in [placement] (the people one \
             unit of a facility's capacity serves, e.g. 10000 per health post)"
                .into(),
        ));
    }
    let Some(service) = study
        .settings
        .services
        .iter()
        .position(|s| s.name == req.service)
    else {
        let known: Vec<&str> = study
            .settings
            .services
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        return Err(PlaceError::Setting(format!(
            "service `{}`: no such service (known: {})",
            req.service,
            known.join(", ")
        )));
    };
    // Relocation: the removable facilities leave the baseline and come back
    // as candidates (kept at no cost when chosen).
    let category = study.settings.services[service].category.clone();
    let mut removed: Vec<(usize, Facility)> = Vec::new();
    for id in &pl.removable {
        let Some(i) = study
            .dataset
            .facilities
            .iter()
            .position(|f| &f.id == id && f.category == category)
        else {
            restore(study, removed);
            return Err(PlaceError::Setting(format!(
                "placement.removable: no facility `{id}` serves {} (category `{category}`)",
                req.service
            )));
        };
        removed.push((i, study.dataset.facilities.remove(i)));
    }
    let result = place_without(study, req, service, &removed, exec, progress);
    restore(study, removed);
    result
}

/// Puts removed facilities back where they were (in reverse order of
/// removal, so every index is the one it was taken from).
fn restore(study: &mut Study, removed: Vec<(usize, Facility)>) {
    for (i, f) in removed.into_iter().rev() {
        study.dataset.facilities.insert(i, f);
    }
}

fn place_without(
    study: &mut Study,
    req: &Request,
    service: usize,
    removed: &[(usize, Facility)],
    exec: Execution,
    progress: &dyn Progress,
) -> Result<Placed, PlaceError> {
    let pl = study.settings.placement.clone();
    let baseline = study.analyse(exec, progress);
    let mut timings = baseline.timings.clone();
    let mut diagnostics = baseline.dataset.diagnostics.clone();
    let t0 = std::time::Instant::now();
    let (candidates, source) = match &pl.candidates {
        CandidateSpec::Settlements => {
            (pst::settlement_candidates(study), "settlements".to_string())
        }
        CandidateSpec::H3 { resolution } => (
            pst::h3_candidates(study, *resolution),
            format!("H3 cells at resolution {resolution} holding people"),
        ),
        CandidateSpec::Layer(spec) => (
            crate::load::load_candidates(
                spec,
                pl.cost_field.as_deref(),
                study.settings.inputs.crs.as_deref(),
                &mut diagnostics,
            )?,
            format!("{}", spec.path.display()),
        ),
    };
    let threshold_min = match study.settings.services[service].threshold {
        Threshold::Time(t) => t.minutes(),
        Threshold::Distance(_) => 0.0,
    };
    let goal = match pl.objective {
        PlaceObjective::Coverage => pst::Goal::Coverage,
        PlaceObjective::Median { cap_min } => pst::Goal::Median {
            cap_min: cap_min.unwrap_or(2.0 * threshold_min),
        },
        PlaceObjective::Center { cap_min } => pst::Goal::Center {
            cap_min: cap_min.unwrap_or(2.0 * threshold_min),
        },
        PlaceObjective::Capacity => pst::Goal::Capacity {
            // Checked by `place`.
            people_per_unit: pl.people_per_capacity.unwrap_or(1.0),
            site_capacity: pl.site_capacity,
        },
    };
    let kept: Vec<Candidate> = removed
        .iter()
        .map(|(_, f)| Candidate {
            id: format!("existing:{}", f.id),
            name: f.name.clone(),
            pos: f.pos,
            cost: 0.0,
            capacity: Some(f.capacity),
        })
        .chain(candidates)
        .collect();
    let mut placement = pst::problem(study, &baseline, service, goal, kept, exec)?;
    for (k, (_, f)) in removed.iter().enumerate() {
        placement.existing[k] = Some(f.id.clone());
    }
    placement.removable = pl.removable.clone();
    timings.push(("candidate_search".into(), t0.elapsed().as_secs_f64()));
    let k = match (req.k.or(pl.k), pl.budget) {
        (Some(k), _) => k,
        (None, Some(_)) => placement.candidates.len(),
        (None, None) => {
            return Err(PlaceError::Setting(
                "give the number of sites (k, or `placement.k`, or a budget)".into(),
            ))
        }
    };
    let limits = Limits {
        k,
        budget: pl.budget,
        min_people: pl.min_people,
        zones_first: if pl.one_per_zone {
            pst::zones_in_need(study, &placement.problem)
        } else {
            Vec::new()
        },
    };
    let t1 = std::time::Instant::now();
    let mut solution = pst::solve(&placement, &limits, &format!("candidates: {source}"))?;
    timings.push(("solve".into(), t1.elapsed().as_secs_f64()));
    let plain =
        limits.budget.is_none() && limits.zones_first.is_empty() && limits.min_people == 0.0;
    let mut exact_doc = None;
    if plain && placement.candidates.len() <= req.exact_max {
        let t2 = std::time::Instant::now();
        exact_doc = Some(check_exact(&placement, &mut solution, k, t2));
        timings.push(("exact".into(), t2.elapsed().as_secs_f64()));
    }
    Ok(Placed {
        placement,
        solution,
        source,
        k,
        exact: exact_doc,
        timings,
        diagnostics,
    })
}

/// Solves the problem exactly; when the optimum beats the heuristic (by
/// the engine's own count: the solver's value carries its floating-point
/// noise) its sites, in greedy order, become the answer.
fn check_exact(
    placement: &Placement,
    sol: &mut Solution,
    k: usize,
    started: std::time::Instant,
) -> serde_json::Value {
    match exact::milp(&placement.problem, k) {
        Ok((v, sites)) => {
            let ours = super::value_of(&placement.problem, &sites);
            let better = ours > sol.value + 1e-9 * ours.abs().max(1.0);
            let doc = serde_json::json!({
                "method": "MILP (microlp), proven optimal",
                "value": v,
                "heuristic_value": sol.value,
                "heuristic_share_of_optimal_gain": if v - sol.base > 0.0 { ((sol.value - sol.base) / (v - sol.base)).min(1.0) } else { 1.0 },
                "seconds": started.elapsed().as_secs_f64(),
                "adopted": better,
            });
            if better {
                sol.sites = super::greedy_order(&placement.problem, &sites);
                sol.value = sol.sites.last().map_or(sol.base, |s| s.cumulative);
                sol.swaps = 0;
            }
            sol.optimal = true;
            doc
        }
        Err(e) => serde_json::json!({
            "method": "MILP (microlp)",
            "failed": e.to_string(),
            "seconds": started.elapsed().as_secs_f64(),
        }),
    }
}

/// The problem as JSON (weights, current times, candidate rows and
/// capacities, coordinates), for peers and notebooks.
pub fn export_problem(study: &Study, placed: &Placed) -> serde_json::Value {
    let p = &placed.placement;
    let settlements = &study.dataset.settlements;
    serde_json::json!({
        "objective": p.problem.objective,
        "settlements": settlements.iter().map(|s| s.settlement.id.clone()).collect::<Vec<_>>(),
        "weight": p.problem.weight,
        "current_min": p.problem.current.iter().map(|&d| d.is_finite().then_some(d)).collect::<Vec<_>>(),
        "settlement_lonlat": settlements.iter().map(|s| [s.settlement.pos.lon, s.settlement.pos.lat]).collect::<Vec<_>>(),
        "candidates": p.candidates.iter().map(|c| c.id.clone()).collect::<Vec<_>>(),
        "candidate_lonlat": p.candidates.iter().map(|c| [c.pos.lon, c.pos.lat]).collect::<Vec<_>>(),
        "rows": p.problem.rows,
        "capacities": p.problem.capacities.as_ref().map(|c| serde_json::json!({
            "site_people": c.site_people,
            "existing_rows": c.existing_rows,
            "existing_people": c.existing_people,
        })),
        "k": placed.k,
    })
}

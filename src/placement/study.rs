//! Placement on a prepared network: candidate sites (given, the
//! settlements, or H3 cells over populated areas), their trip-time rows
//! from one bounded search each on the study's network (the travel model
//! the scenarios use, so a placement re-run as a scenario gives the same
//! times), and the [`Problem`] built from the baseline's access.

use h3o::{LatLng, Resolution};

use super::flow::{self, Capacities};
use super::{Limits, Objective, PlacementError, Problem, Solution};
use crate::catchment::costs::CostBuilder;
use crate::config::Threshold;
use crate::execution::Execution;
use crate::index::zones::ZoneIndex;
pub use crate::model::Candidate;
use crate::model::{Facility, LonLat};
use crate::pipeline::{Analysis, Study};
use crate::search::access::facilities_for;
use crate::units::Seconds;

/// Every valid settlement with people as a candidate (`site:<id>`).
pub fn settlement_candidates(study: &Study) -> Vec<Candidate> {
    study
        .dataset
        .settlements
        .iter()
        .filter(|s| s.valid && s.settlement.population.0 > 0.0)
        .map(|s| Candidate {
            id: format!("site:{}", s.settlement.id),
            name: s.settlement.name.clone(),
            pos: s.settlement.pos,
            cost: 1.0,
            capacity: None,
        })
        .collect()
}

/// The centre of every H3 cell at `resolution` holding a settlement with
/// people, in cell order.
pub fn h3_candidates(study: &Study, resolution: u8) -> Vec<Candidate> {
    let res = Resolution::try_from(resolution).unwrap_or(Resolution::Eight);
    let mut cells: Vec<h3o::CellIndex> = study
        .dataset
        .settlements
        .iter()
        .filter(|s| s.valid && s.settlement.population.0 > 0.0)
        .filter_map(|s| LatLng::new(s.settlement.pos.lat, s.settlement.pos.lon).ok())
        .map(|ll| ll.to_cell(res))
        .collect();
    cells.sort_unstable();
    cells.dedup();
    cells
        .into_iter()
        .map(|c| {
            let ll = LatLng::from(c);
            Candidate {
                id: format!("h3:{c}"),
                name: String::new(),
                pos: LonLat::new(ll.lng(), ll.lat()),
                cost: 1.0,
                capacity: None,
            }
        })
        .collect()
}

/// What the placement asks for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Goal {
    /// People within the service's threshold.
    Coverage,
    /// Population-weighted trip time, times capped at `cap_min`.
    Median {
        /// Cap, minutes.
        cap_min: f64,
    },
    /// The longest trip, times capped at `cap_min`.
    Center {
        /// Cap, minutes.
        cap_min: f64,
    },
    /// People served within the threshold under the facilities'
    /// capacities: a facility of capacity `c` serves `c × people_per_unit`
    /// people; a site without its own capacity has `site_capacity`.
    Capacity {
        /// People served per unit of capacity.
        people_per_unit: f64,
        /// Capacity of a new site, units.
        site_capacity: f64,
    },
}

/// A placement problem on a study, with what is needed to report it.
pub struct Placement {
    /// Service index.
    pub service: usize,
    /// The candidates, in problem order.
    pub candidates: Vec<Candidate>,
    /// Per candidate, the id of the existing facility it is (a removable
    /// one, kept when chosen), or `None` for a new site.
    pub existing: Vec<Option<String>>,
    /// The removable facilities' ids.
    pub removable: Vec<String>,
    /// The problem.
    pub problem: Problem,
}

/// Why a placement cannot be set up or solved.
#[derive(Debug, thiserror::Error)]
pub enum PlaceError {
    /// The service's threshold is a distance: coverage and trip times here
    /// are in minutes.
    #[error("service `{0}` has a distance threshold (threshold_m); placement needs a time threshold (threshold_min)")]
    DistanceThreshold(String),
    /// The problem's limits cannot be met.
    #[error("{reason} ({candidates})")]
    Limits {
        /// What is wrong.
        reason: PlacementError,
        /// Where the candidates come from.
        candidates: String,
    },
    /// A setting or request cannot be met (unknown service, missing `k`…).
    #[error("{0}")]
    Setting(String),
    /// The candidate layer cannot be read.
    #[error(transparent)]
    Load(#[from] crate::load::LoadError),
}

/// Builds the problem for `service` on `study`, from the baseline
/// `analysis` (the current trip times) and `candidates`.
pub fn problem(
    study: &Study,
    analysis: &Analysis,
    service: usize,
    goal: Goal,
    candidates: Vec<Candidate>,
    exec: Execution,
) -> Result<Placement, PlaceError> {
    let svc = &study.settings.services[service];
    let Threshold::Time(threshold) = svc.threshold else {
        return Err(PlaceError::DistanceThreshold(svc.name.clone()));
    };
    let (objective, cutoff_min) = match goal {
        Goal::Coverage => {
            let t = threshold.minutes();
            (Objective::Coverage { threshold_min: t }, t)
        }
        Goal::Median { cap_min } => (Objective::Median { cap_min }, cap_min),
        Goal::Center { cap_min } => (Objective::Center { cap_min }, cap_min),
        Goal::Capacity { .. } => {
            let t = threshold.minutes();
            (Objective::Capacity { threshold_min: t }, t)
        }
    };
    let facilities: Vec<Facility> = candidates
        .iter()
        .map(|c| Facility {
            id: c.id.clone(),
            name: c.name.clone(),
            category: svc.category.clone(),
            pos: c.pos,
            capacity: 1.0,
        })
        .collect();
    let model = study.model();
    let costs = CostBuilder::new(&model, svc);
    // The search leaves a hair of slack at the cutoff; the objective applies
    // it exactly.
    let within = |rows: Vec<Vec<(u32, f64)>>| -> Vec<Vec<(u32, f64)>> {
        rows.into_iter()
            .map(|r| r.into_iter().filter(|&(_, t)| t <= cutoff_min).collect())
            .collect()
    };
    let rows = within(costs.rows(&facilities, Seconds(cutoff_min * 60.0), exec));
    let capacities = match goal {
        Goal::Capacity {
            people_per_unit,
            site_capacity,
        } => {
            let existing = facilities_for(svc, &study.dataset.facilities);
            let existing_rows = within(costs.rows(&existing, Seconds(cutoff_min * 60.0), exec))
                .into_iter()
                .map(|r| r.into_iter().map(|(i, _)| i).collect())
                .collect();
            Some(Capacities {
                site_people: candidates
                    .iter()
                    .map(|c| c.capacity.unwrap_or(site_capacity) * people_per_unit)
                    .collect(),
                existing_rows,
                existing_people: existing
                    .iter()
                    .map(|f| f.capacity * people_per_unit)
                    .collect(),
            })
        }
        _ => None,
    };
    let weight: Vec<f64> = study
        .dataset
        .settlements
        .iter()
        .map(|s| {
            if s.valid {
                s.settlement.population.0
            } else {
                0.0
            }
        })
        .collect();
    let current: Vec<f64> = analysis.access[service]
        .access
        .iter()
        .map(|a| a.time.map_or(f64::INFINITY, |t| t.minutes()))
        .collect();
    let zones = ZoneIndex::build(&study.zones);
    let zone = candidates.iter().map(|c| zones.locate(c.pos)).collect();
    Ok(Placement {
        existing: vec![None; candidates.len()],
        removable: Vec::new(),
        service,
        problem: Problem {
            weight,
            current,
            rows,
            cost: candidates.iter().map(|c| c.cost).collect(),
            zone,
            objective,
            capacities,
        },
        candidates,
    })
}

/// The zones with people beyond the threshold (coverage) or with any
/// people (median), most such people first (ties by zone order): the
/// one-site-per-zone rule's list.
pub fn zones_in_need(study: &Study, p: &Problem) -> Vec<usize> {
    let mut need = vec![0.0; study.zones.len()];
    let base = super::State::new(p);
    for (i, z) in study.zone_of.iter().enumerate() {
        let Some(z) = z else { continue };
        need[*z] += match (&base.flow, p.objective) {
            (Some(f), _) => (p.weight[i] - flow::people(f.served_at(i))).max(0.0),
            (None, Objective::Coverage { threshold_min }) if p.current[i] <= threshold_min => 0.0,
            (None, _) => p.weight[i],
        };
    }
    let mut zones: Vec<usize> = (0..need.len())
        .filter(|&z| need[z] > 0.0 && p.zone.contains(&Some(z)))
        .collect();
    zones.sort_by(|&a, &b| need[b].total_cmp(&need[a]).then(a.cmp(&b)));
    zones
}

/// Solves `placement` within `limits`; `source` names where the candidates
/// come from, for messages.
pub fn solve(placement: &Placement, limits: &Limits, source: &str) -> Result<Solution, PlaceError> {
    super::solve(&placement.problem, limits).map_err(|e| PlaceError::Limits {
        reason: e,
        candidates: source.to_string(),
    })
}

/// The settlements site `c` newly serves when added after `before`
/// (coverage: brought within the threshold; median: whose trip it
/// shortens; capacity: more of whose people are served, there or through
/// the places it frees elsewhere), in settlement order.
pub fn newly_served(p: &Problem, before: &[usize], c: usize) -> Vec<u32> {
    let mut state = super::State::of(p, before);
    if let Some(f) = &state.flow {
        let was: Vec<u64> = (0..p.weight.len()).map(|i| f.served_at(i)).collect();
        state.add(p, c);
        let now = state
            .flow
            .as_ref()
            .map(|f| (0..p.weight.len()).map(|i| f.served_at(i)));
        return now
            .into_iter()
            .flatten()
            .zip(was)
            .enumerate()
            .filter(|&(_, (now, was))| now > was)
            .map(|(i, _)| i as u32)
            .collect();
    }
    p.rows[c]
        .iter()
        .filter(|&&(i, t)| {
            let d = state.best[i as usize];
            t < d && p.objective.utility(t) > p.objective.utility(d) && p.weight[i as usize] > 0.0
        })
        .map(|&(i, _)| i)
        .collect()
}

//! Capacity-aware measures: floating catchments, multi-threshold coverage
//! and gravity remoteness. A stage between the search and the scores.
//!
//! * [`costs`] — sparse settlement → facility trip costs up to a cutoff, one
//!   bounded search per facility (in parallel), from the travel model.
//! * [`fca`] — 2SFCA, E2SFCA, G2SFCA and 3SFCA on a sparse cost list, as
//!   PySAL `access` defines them.
//! * [`coverage`] — covered or not at each threshold, population totals.
//! * [`gravity`] — the gravity remoteness index (Statistics Canada's form).
//!
//! The algorithms take cost lists, demand and supply vectors and weight
//! functions; they never see files or the travel model.

pub mod costs;
pub mod coverage;
pub mod fca;
pub mod gravity;

use std::sync::Arc;

use serde::Serialize;

use crate::config::{CatchmentSpec, GravityDecay, Method, Service, Settings};
use crate::execution::Execution;
use crate::model::Facility;
use crate::search::access::{facilities_for, ServiceAccess, TravelModel};
use crate::units::Seconds;
use costs::CostBuilder;
use fca::{Decay, Fca, Pairs};

/// One method's results for one service.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodResult {
    /// The method.
    pub method: Method,
    /// Its catchment, minutes.
    pub cutoff_min: f64,
    /// `A_i` per settlement: capacity per person; 0 when no facility is
    /// within the catchment; `None` for an invalid location or a service
    /// without facilities.
    pub access: Vec<Option<f64>>,
    /// `R_j` per facility (see [`Fca`]).
    pub ratio: Vec<Option<f64>>,
    /// `D_j` per facility: weighted demand (people).
    pub demand: Vec<f64>,
}

/// One service's catchment results.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceCatchment {
    /// Index of the service in the settings.
    pub service: usize,
    /// Capacity `S_j` of each of the service's facilities (in the order of
    /// its access results).
    pub capacity: Vec<f64>,
    /// Listed settlement → facility pairs within the largest catchment.
    pub pairs: usize,
    /// Per facility: settlements and people within the largest catchment.
    pub reach: Vec<(usize, f64)>,
    /// Per method, in output order.
    pub methods: Vec<MethodResult>,
    /// The cost rows the methods ran on, kept so that a scenario can reuse
    /// the rows of the facilities it leaves in place.
    pub costs: Arc<Pairs>,
}

/// Gravity remoteness of every settlement.
#[derive(Debug, Clone, PartialEq)]
pub struct GravityResult {
    /// Number of centres.
    pub centres: usize,
    /// Gravity sum `G_i`, people per minute.
    pub accessibility: Vec<Option<f64>>,
    /// Index `IR_i` in [0, 1].
    pub index: Vec<Option<f64>>,
    /// Settlements whose sum fell back to the nearest centre.
    pub fallback: usize,
}

/// Figures for `run.json`.
#[derive(Debug, Clone, Serialize)]
pub struct CatchmentStats {
    /// Service name.
    pub service: String,
    /// Facilities.
    pub facilities: usize,
    /// Total capacity.
    pub capacity: f64,
    /// Pairs within the largest catchment.
    pub pairs: usize,
    /// Population-weighted total of each method's accessibility,
    /// `Σ P_i A_i`, which equals the capacity within reach of some demand.
    pub shared_capacity: std::collections::BTreeMap<Method, f64>,
}

/// Everything the stage computes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Measures {
    /// Services with catchment methods.
    pub catchment: Vec<ServiceCatchment>,
    /// Per service (settings order): covered flags `[threshold][settlement]`,
    /// `None` for services not covered.
    pub coverage: Vec<Option<Vec<Vec<Option<bool>>>>>,
    /// Gravity remoteness, when enabled.
    pub gravity: Option<GravityResult>,
}

impl Measures {
    /// Figures per catchment service for `run.json`.
    pub fn stats(&self, settings: &Settings, population: &[f64]) -> Vec<CatchmentStats> {
        self.catchment
            .iter()
            .map(|sc| CatchmentStats {
                service: settings.services[sc.service].name.clone(),
                facilities: sc.capacity.len(),
                capacity: sc.capacity.iter().sum(),
                pairs: sc.pairs,
                shared_capacity: sc
                    .methods
                    .iter()
                    .map(|m| {
                        let total = m
                            .access
                            .iter()
                            .zip(population)
                            .map(|(a, p)| a.unwrap_or(0.0) * p)
                            .sum();
                        (m.method, total)
                    })
                    .collect(),
            })
            .collect()
    }
}

/// The weight function of `method` under `spec`, costs in minutes.
pub fn decay(spec: &CatchmentSpec, method: Method) -> Decay {
    match method {
        Method::TwoStep => Decay::Uniform,
        Method::Enhanced => Decay::Step {
            bounds: spec.steps_min.clone(),
            weights: spec.step_weights.clone(),
        },
        Method::ThreeStep => Decay::Step {
            bounds: spec.steps3_min.clone(),
            weights: spec.weights3.clone(),
        },
        Method::Gravity => match spec.gravity {
            GravityDecay::Power {
                power,
                scale_min,
                floor_min,
            } => Decay::Power {
                exponent: -power,
                scale: scale_min,
                floor: floor_min,
            },
            GravityDecay::Gaussian { sigma_min } => Decay::Gaussian { sigma: sigma_min },
        },
    }
}

/// Runs every method of `spec` on `pairs`; `valid[i]` says whether
/// settlement `i` has a usable location.
pub fn methods(
    spec: &CatchmentSpec,
    pairs: &Pairs,
    population: &[f64],
    capacity: &[f64],
    valid: &[bool],
) -> Vec<MethodResult> {
    spec.methods
        .iter()
        .map(|&m| {
            let c0 = spec.cutoff(m);
            let d = decay(spec, m);
            let Fca {
                access,
                ratio,
                demand,
            } = match m {
                Method::ThreeStep => fca::three_step(pairs, population, capacity, Some(c0), &d),
                _ => fca::two_step(pairs, population, capacity, Some(c0), &d),
            };
            let has_supply = pairs.facilities() > 0;
            let access = access
                .into_iter()
                .zip(valid)
                .map(|(a, &ok)| (ok && has_supply).then(|| a.unwrap_or(0.0)))
                .collect();
            MethodResult {
                method: m,
                cutoff_min: c0,
                access,
                ratio,
                demand,
            }
        })
        .collect()
}

/// What a scenario can take from the baseline's measures as they are: the
/// cost rows of facilities that stay where they were on a network that did
/// not change, and gravity remoteness when neither the network nor the
/// population changed. Each row is the same bounded search from the same
/// place, so reusing it gives the same numbers as searching again.
#[derive(Default)]
pub struct Prior<'b> {
    /// Per service (settings order; missing or `None`: search every
    /// facility).
    pub rows: Vec<Option<PriorRows<'b>>>,
    /// The baseline's gravity result, when it still holds.
    pub gravity: Option<&'b GravityResult>,
}

/// One service's reusable cost rows.
pub struct PriorRows<'b> {
    /// The baseline's cost rows.
    pub costs: &'b Pairs,
    /// For each of this run's facilities of the service, its row in
    /// `costs` (`None`: search it).
    pub row_of: Vec<Option<usize>>,
}

/// Runs the stage: catchments per service, coverage, gravity remoteness,
/// computing only what `prior` does not hold (`Prior::default()` computes
/// everything).
pub fn measure(
    settings: &Settings,
    model: &TravelModel,
    access: &[ServiceAccess],
    all_facilities: &[Facility],
    population: &[f64],
    prior: &Prior,
    exec: Execution,
) -> Measures {
    let m = &settings.measures;
    let valid: Vec<bool> = model.settlements.iter().map(|s| s.valid).collect();
    let mut catchment = Vec::new();
    for (k, service) in settings.services.iter().enumerate() {
        let Some(spec) = m.catchment.get(&service.name) else {
            continue;
        };
        let facilities = facilities_for(service, all_facilities);
        let builder = CostBuilder::new(model, service);
        let cutoff = Seconds(spec.search_cutoff() * 60.0);
        let pairs = match prior.rows.get(k).and_then(Option::as_ref) {
            Some(p) => reuse_rows(&builder, &facilities, p, cutoff, exec),
            None => builder.pairs(&facilities, cutoff, exec),
        };
        let capacity: Vec<f64> = facilities.iter().map(|f| f.capacity).collect();
        let reach = (0..pairs.facilities())
            .map(|j| {
                pairs
                    .of_facility(j)
                    .fold((0, 0.0), |(n, p), (i, _)| (n + 1, p + population[i]))
            })
            .collect();
        catchment.push(ServiceCatchment {
            service: k,
            methods: methods(spec, &pairs, population, &capacity, &valid),
            capacity,
            pairs: pairs.len(),
            reach,
            costs: Arc::new(pairs),
        });
    }
    let coverage = settings
        .services
        .iter()
        .zip(access)
        .map(|(s, sa)| {
            m.covers(s)
                .then(|| coverage::flags(&sa.access, &m.coverage_min))
        })
        .collect();
    let gravity = m.gravity.as_ref().map(|g| match prior.gravity {
        Some(done) => done.clone(),
        None => gravity_stage(g, model, population, exec),
    });
    Measures {
        catchment,
        coverage,
        gravity,
    }
}

/// The cost rows of `facilities`: the baseline's row where `prior` names
/// one, a bounded search for the others.
fn reuse_rows(
    builder: &CostBuilder,
    facilities: &[Facility],
    prior: &PriorRows,
    cutoff: Seconds,
    exec: Execution,
) -> Pairs {
    let (base, row_of) = (prior.costs, &prior.row_of);
    let todo: Vec<Facility> = facilities
        .iter()
        .zip(row_of)
        .filter(|(_, r)| r.is_none())
        .map(|(f, _)| f.clone())
        .collect();
    let mut fresh = builder.rows(&todo, cutoff, exec).into_iter();
    let rows = row_of
        .iter()
        .map(|r| match r {
            Some(j) => base.of_facility(*j).map(|(i, c)| (i as u32, c)).collect(),
            None => fresh.next().unwrap_or_default(),
        })
        .collect();
    Pairs::from_rows(base.settlements(), rows)
}

/// Gravity remoteness: centres are settlements of at least
/// `centre_min_pop`; costs by the same bounded searches; the nearest centre
/// (for the fallback) by the travel model's nearest-facility search.
fn gravity_stage(
    g: &crate::config::GravitySettings,
    model: &TravelModel,
    population: &[f64],
    exec: Execution,
) -> GravityResult {
    let centre_of: Vec<usize> = model
        .settlements
        .iter()
        .enumerate()
        .filter(|(i, s)| s.valid && population[*i] >= g.centre_min_pop)
        .map(|(i, _)| i)
        .collect();
    let centres: Vec<Facility> = centre_of
        .iter()
        .map(|&i| {
            let s = &model.settlements[i].settlement;
            Facility {
                id: s.id.clone(),
                name: s.name.clone(),
                category: "centre".into(),
                pos: s.pos,
                capacity: population[i],
            }
        })
        .collect();
    let service = Service {
        name: "gravity".into(),
        code: "grav".into(),
        category: "centre".into(),
        profile: g.profile.clone(),
        threshold: crate::config::Threshold::Time(Seconds(g.cutoff_min * 60.0)),
        straight_line: false,
    };
    let pairs =
        CostBuilder::new(model, &service).pairs(&centres, Seconds(g.cutoff_min * 60.0), exec);
    let mut within = vec![false; population.len()];
    for (i, _, c) in pairs.iter() {
        within[i] |= c <= g.cutoff_min;
    }
    // The nearest centre is the fallback of a settlement with none within
    // the cutoff: one search over the whole network, run only when a valid
    // settlement needs it (an invalid one has no trip at all).
    let needs_fallback = model
        .settlements
        .iter()
        .zip(&within)
        .any(|(s, w)| s.valid && !w);
    let nearest: Vec<Option<(usize, f64)>> = if needs_fallback {
        let nearest_access = model.service_access(&service, centres.clone());
        nearest_access
            .access
            .iter()
            .map(|a| {
                a.facility
                    .zip(a.time)
                    .map(|(f, t)| (f as usize, t.minutes()))
            })
            .collect()
    } else {
        vec![None; population.len()]
    };
    let centre_pop: Vec<f64> = centre_of.iter().map(|&i| population[i]).collect();
    let acc = gravity::accessibility(&pairs, &centre_pop, g.cutoff_min, g.floor_min, &nearest);
    let fallback = acc
        .iter()
        .zip(&within)
        .filter(|(a, w)| a.is_some() && !**w)
        .count();

    GravityResult {
        centres: centres.len(),
        index: gravity::index(&acc, g.transform),
        accessibility: acc,
        fallback,
    }
}

//! Per-zone capacity-aware measures, and ranking zones by any of them.
//!
//! For zone `z` with valid settlements `i ∈ z` of population `p_i`:
//!
//! * per service and floating catchment method: the population-weighted mean
//!   accessibility `Σ p_i A_i / Σ p_i` (plain mean when those weigh 0);
//! * per covered service and threshold `T`: people covered (`t_i ≤ T`) and
//!   not covered (beyond `T`, or no trip);
//! * the population-weighted mean gravity remoteness index.
//!
//! **Ranking** by `[zones] rank_by`: `composite` (the default) keeps the
//! burden ranking of [`super::aggregate`](mod@super::aggregate). Any other measure ranks the
//! zones worst first: accessibility (`<svc>_2sf`, `_e2sf`, `_g2sf`, `_3sf`)
//! lowest first, people not covered (`<svc>_np<T>`) and the remoteness
//! index (`grav_idx`) highest first; then by population (largest first) and
//! zone id. Zones without a value rank last. **Priority**: the first
//! `ceil(priority_fraction × Z)` zones holding settlements, `Z` being those
//! zones; for a measure where higher is worse, only zones with a positive
//! value.

use crate::catchment::coverage::{self, Covered};
use crate::catchment::Measures;
use crate::config::{Measures as MeasureSettings, ServiceColumn, Worse, ZoneMeasure, ZoneSettings};
use crate::zones::aggregate::weighted_mean;
use crate::zones::ZoneStats;

/// Capacity-aware indicators of one zone.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneMeasures {
    /// Per catchment service (as in [`Measures::catchment`]), per method:
    /// population-weighted mean accessibility.
    pub catchment: Vec<Vec<Option<f64>>>,
    /// Per service (settings order): population covered and not covered at
    /// each threshold, for covered services.
    pub coverage: Vec<Option<Vec<Covered>>>,
    /// Population-weighted mean gravity remoteness index.
    pub gravity: Option<f64>,
}

/// Aggregates the measures to `nz` zones; `valid[i]` marks usable locations.
pub fn aggregate_measures(
    nz: usize,
    zone_of: &[Option<usize>],
    valid: &[bool],
    population: &[f64],
    settings: &MeasureSettings,
    m: &Measures,
) -> Vec<ZoneMeasures> {
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); nz];
    for (i, z) in zone_of.iter().enumerate() {
        if let (Some(z), true) = (z, valid[i]) {
            members[*z].push(i);
        }
    }
    let mean = |v: &[Option<f64>], mem: &[usize]| {
        weighted_mean(mem.iter().filter_map(|&i| v[i].map(|x| (population[i], x))))
    };
    members
        .iter()
        .map(|mem| ZoneMeasures {
            catchment: m
                .catchment
                .iter()
                .map(|sc| sc.methods.iter().map(|r| mean(&r.access, mem)).collect())
                .collect(),
            coverage: m
                .coverage
                .iter()
                .map(|c| {
                    c.as_ref().map(|flags| {
                        coverage::totals(
                            flags,
                            &settings.coverage_min,
                            population,
                            mem.iter().copied(),
                        )
                    })
                })
                .collect(),
            gravity: m.gravity.as_ref().and_then(|g| mean(&g.index, mem)),
        })
        .collect()
}

/// Per zone, the value of the ranking measure `measure`.
pub fn field_values(
    measure: ZoneMeasure,
    m: &Measures,
    zm: &[ZoneMeasures],
    stats: &[ZoneStats],
) -> Vec<Option<f64>> {
    let occupied = |z: &ZoneStats| z.settlements > 0;
    match measure {
        ZoneMeasure::Severity => stats.iter().map(|z| z.severity).collect(),
        ZoneMeasure::Population => stats
            .iter()
            .map(|z| occupied(z).then_some(z.population))
            .collect(),
        ZoneMeasure::Service { service, column } => stats
            .iter()
            .map(|z| {
                let s = z.services.get(service)?;
                match column {
                    ServiceColumn::MeanValue => s.mean_value,
                    ServiceColumn::PeopleBeyond => occupied(z).then_some(s.pop_beyond),
                    ServiceColumn::ShareBeyond => occupied(z).then_some(s.share_beyond),
                }
            })
            .collect(),
        ZoneMeasure::Catchment { service, method } => {
            let found = m.catchment.iter().enumerate().find_map(|(k, sc)| {
                let r = sc.methods.iter().position(|res| res.method == method)?;
                (sc.service == service).then_some((k, r))
            });
            match found {
                Some((k, r)) => zm.iter().map(|z| z.catchment[k][r]).collect(),
                None => vec![None; zm.len()],
            }
        }
        ZoneMeasure::NotCovered { service, threshold } => zm
            .iter()
            .map(|z| {
                z.coverage
                    .get(service)
                    .and_then(|c| c.as_ref())
                    .and_then(|c| c.get(threshold))
                    .map(|c| c.not_covered)
            })
            .collect(),
        ZoneMeasure::Gravity => zm.iter().map(|z| z.gravity).collect(),
    }
}

/// The zones ordered by `values` worst first, then by population
/// (largest first) and zone id; zones without a value, or without
/// settlements, last.
pub fn worst_first(
    stats: &[ZoneStats],
    zone_ids: &[String],
    values: &[Option<f64>],
    worse: Worse,
) -> Vec<usize> {
    let key = |z: usize| {
        values[z]
            .filter(|_| stats[z].settlements > 0)
            .map(|v| match worse {
                Worse::Higher => -v,
                Worse::Lower => v,
            })
    };
    let mut order: Vec<usize> = (0..stats.len()).collect();
    order.sort_by(|&a, &b| {
        let (ka, kb) = (key(a), key(b));
        match (ka, kb) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }
        .then(stats[b].population.total_cmp(&stats[a].population))
        .then(zone_ids[a].cmp(&zone_ids[b]))
    });
    order
}

/// Re-ranks `stats` by `values` worst first (see the module docs).
pub fn rerank(
    stats: &mut [ZoneStats],
    zone_ids: &[String],
    values: &[Option<f64>],
    worse: Worse,
    settings: &ZoneSettings,
) {
    let order = worst_first(stats, zone_ids, values, worse);
    let occupied = stats.iter().filter(|s| s.settlements > 0).count();
    let n_priority = (settings.priority_fraction * occupied as f64).ceil() as usize;
    for (r, &z) in order.iter().enumerate() {
        let ok = match (values[z], worse) {
            (Some(v), Worse::Higher) => v > 0.0,
            (Some(_), Worse::Lower) => true,
            (None, _) => false,
        };
        stats[z].rank = r + 1;
        stats[z].priority = r < n_priority && stats[z].settlements > 0 && ok;
    }
}

//! Scores: thresholds per service and an ARIA+-style composite.
//!
//! For each service the metric is the one its threshold is set in: travel
//! time in minutes (`threshold_min`) or trip length in metres (`threshold_m`).
//!
//! **Component** (per settlement `i`, service `s`):
//! `c_is = min(3, v_is / mean_s)` where `mean_s` is the plain mean of `v_is`
//! over settlements with a trip; a settlement with no trip scores the
//! maximum 3. **Composite**: `C_i = Σ_s c_is`, from 0 to `3 × S` for the `S`
//! services that have at least one facility (services with none are left out
//! and reported). This is the ARIA+ construction (Australian Population and
//! Migration Research Centre), on travel time instead of road distance.
//!
//! **Classes** use the ARIA+ cut-points 0.2 / 2.4 / 5.92 / 10.53 on its
//! 0–15 scale, rescaled to 0–3S: highly accessible, accessible, moderately
//! accessible, remote, very remote.

use serde::Serialize;

use crate::config::{Service, Threshold};
use crate::search::access::{Access, ServiceAccess, Status};

/// Cap of one service's component.
pub const COMPONENT_CAP: f64 = 3.0;

/// ARIA+ class cut-points on its 0–15 scale.
pub const ARIA_CUTS: [f64; 4] = [0.2, 2.4, 5.92, 10.53];

/// Class names, from least to most remote.
pub const CLASS_NAMES: [&str; 5] = [
    "highly_accessible",
    "accessible",
    "moderately_accessible",
    "remote",
    "very_remote",
];

/// One settlement's score for one service.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServiceScore {
    /// Metric value (minutes or metres), when a trip exists.
    pub value: Option<f64>,
    /// Beyond the threshold (always, when the service has no facility);
    /// `None` when unknown (invalid place).
    pub beyond: Option<bool>,
    /// Composite component `min(3, value / mean)`; `None` when the service is
    /// not in the composite or the place is invalid.
    pub component: Option<f64>,
}

/// Per-service summary over all settlements.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceSummary {
    /// Service name.
    pub service: String,
    /// Metric (`time_min` or `dist_m`).
    pub metric: &'static str,
    /// Threshold in the metric's unit.
    pub threshold: f64,
    /// Mean of the metric over settlements with a trip (the composite's divisor).
    pub mean: Option<f64>,
    /// Whether the service enters the composite.
    pub in_composite: bool,
    /// Settlements by status.
    pub status_counts: std::collections::BTreeMap<&'static str, usize>,
    /// Population beyond the threshold (including those with no trip).
    pub population_beyond: f64,
    /// Its share of the total population.
    pub share_beyond: f64,
}

/// Scores of every settlement.
#[derive(Debug, Clone)]
pub struct Scores {
    /// `[service][settlement]`.
    pub per_service: Vec<Vec<ServiceScore>>,
    /// Composite per settlement (`None` for invalid places).
    pub composite: Vec<Option<f64>>,
    /// Class per settlement.
    pub class: Vec<Option<&'static str>>,
    /// Upper bound of the composite, `3 × S`.
    pub composite_max: f64,
    /// Per-service summaries.
    pub summaries: Vec<ServiceSummary>,
}

/// The metric value of an access result for a threshold.
pub fn metric_value(a: &Access, threshold: Threshold) -> Option<f64> {
    match threshold {
        Threshold::Time(_) => a.time.map(|t| t.minutes()),
        Threshold::Distance(_) => a.dist.map(|d| d.0),
    }
}

/// The threshold in its metric's unit, and the metric's name.
pub fn threshold_value(threshold: Threshold) -> (f64, &'static str) {
    match threshold {
        Threshold::Time(t) => (t.minutes(), "time_min"),
        Threshold::Distance(d) => (d.0, "dist_m"),
    }
}

/// Class of a composite on a `0..=max` scale.
pub fn class_of(composite: f64, max: f64) -> &'static str {
    let k = ARIA_CUTS
        .iter()
        .take_while(|&&c| composite > c * max / 15.0)
        .count();
    CLASS_NAMES[k]
}

/// Scores every settlement. `population[i]` weighs the summaries.
pub fn score(services: &[Service], access: &[ServiceAccess], population: &[f64]) -> Scores {
    let n = population.len();
    let total_pop: f64 = population.iter().sum();
    let mut per_service = Vec::with_capacity(services.len());
    let mut summaries = Vec::with_capacity(services.len());
    let mut composite = vec![Some(0.0); n];
    let mut in_count = 0usize;
    for (svc, sa) in services.iter().zip(access) {
        let (thr, metric) = threshold_value(svc.threshold);
        let values: Vec<Option<f64>> = sa
            .access
            .iter()
            .map(|a| metric_value(a, svc.threshold))
            .collect();
        let with: Vec<f64> = values.iter().flatten().copied().collect();
        let mean = (!with.is_empty()).then(|| with.iter().sum::<f64>() / with.len() as f64);
        let in_composite = !sa.facilities.is_empty() && mean.is_some();
        if in_composite {
            in_count += 1;
        }
        let mut status_counts = std::collections::BTreeMap::new();
        let mut pop_beyond = 0.0;
        let scores: Vec<ServiceScore> = sa
            .access
            .iter()
            .zip(&values)
            .enumerate()
            .map(|(i, (a, v))| {
                *status_counts.entry(a.status.as_str()).or_insert(0) += 1;
                // With no facility at all everyone is beyond the threshold
                // (as coverage counts them uncovered); only an invalid
                // place is unknown.
                let known = a.status != Status::InvalidLocation;
                let beyond = known.then(|| v.is_none_or(|x| x > thr));
                if beyond == Some(true) {
                    pop_beyond += population[i];
                }
                let component =
                    (in_composite && a.status != Status::InvalidLocation).then(|| {
                        match (v, mean) {
                            (Some(x), Some(m)) if m > 0.0 => (x / m).min(COMPONENT_CAP),
                            (Some(_), _) => 0.0,
                            (None, _) => COMPONENT_CAP,
                        }
                    });
                ServiceScore {
                    value: *v,
                    beyond,
                    component,
                }
            })
            .collect();
        for (c, s) in composite.iter_mut().zip(&scores) {
            if let (Some(acc), Some(x)) = (c.as_mut(), s.component) {
                *acc += x;
            }
        }
        summaries.push(ServiceSummary {
            service: svc.name.clone(),
            metric,
            threshold: thr,
            mean,
            in_composite,
            status_counts,
            population_beyond: pop_beyond,
            share_beyond: if total_pop > 0.0 {
                pop_beyond / total_pop
            } else {
                0.0
            },
        });
        per_service.push(scores);
    }
    let invalid: Vec<bool> = (0..n)
        .map(|i| {
            access
                .first()
                .is_some_and(|sa| sa.access[i].status == Status::InvalidLocation)
        })
        .collect();
    for (c, bad) in composite.iter_mut().zip(&invalid) {
        if *bad {
            *c = None;
        }
    }
    let composite_max = COMPONENT_CAP * in_count as f64;
    let class = composite
        .iter()
        .map(|c| {
            c.filter(|_| in_count > 0)
                .map(|c| class_of(c, composite_max))
        })
        .collect();
    Scores {
        per_service,
        composite,
        class,
        composite_max,
        summaries,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_rescale_aria_cuts() {
        // Four services: scale 0–12, cuts at 0.16, 1.92, 4.736, 8.424.
        assert_eq!(class_of(0.0, 12.0), "highly_accessible");
        assert_eq!(class_of(0.17, 12.0), "accessible");
        assert_eq!(class_of(1.9, 12.0), "accessible");
        assert_eq!(class_of(1.95, 12.0), "moderately_accessible");
        assert_eq!(class_of(4.8, 12.0), "remote");
        assert_eq!(class_of(12.0, 12.0), "very_remote");
    }
}

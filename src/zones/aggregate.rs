//! Per-zone indicators, isolation burden, rank, priority flag and reason.
//!
//! For zone `z` with settlements `i ∈ z` of population `p_i`:
//!
//! * `population = Σ p_i`, `settlements = |z|`;
//! * per service: population-weighted mean of the metric over settlements
//!   with a trip, `Σ p_i v_i / Σ p_i` (plain mean when those weigh 0);
//!   population beyond the threshold (no trip counts as beyond) and its share;
//!   population-weighted mean component;
//! * `composite` = population-weighted mean composite (plain mean at zero
//!   population); **burden** = `population × composite` (person-score units);
//! * **severity** = the share of the zone's people beyond the threshold,
//!   averaged over the services with facilities (0–1; none without people):
//!   how cut off the zone is, whatever its size;
//! * **rank**: by burden descending, then composite descending, then zone id
//!   (kept as `rank_burden`); **priority**: the first
//!   `ceil(priority_fraction × Z)` zones with a positive burden, `Z` being the
//!   zones that hold settlements; **rank_severity**: by severity descending,
//!   then population descending, then zone id (zones without a severity
//!   last). Burden puts large towns first; severity puts first the zones
//!   whose people are the most cut off, small ones included. `[zones]
//!   rank_by` may then re-rank by another measure ([`super::measures`]);
//! * **reason**, in words: the services whose share beyond threshold is at
//!   least `reason_min_share`, worst first; failing that, the service with
//!   the largest mean component (its trip as a multiple of the average).

use serde::Serialize;

use crate::config::{Service, Worse, ZoneSettings};
use crate::score::{threshold_value, Scores};

/// One service's indicators in a zone.
#[derive(Debug, Clone, Serialize)]
pub struct ZoneService {
    /// Population-weighted mean metric (minutes or metres).
    pub mean_value: Option<f64>,
    /// Population beyond the threshold.
    pub pop_beyond: f64,
    /// Share of the zone population beyond it.
    pub share_beyond: f64,
    /// Population-weighted mean composite component.
    pub mean_component: Option<f64>,
}

/// Indicators of one zone.
#[derive(Debug, Clone, Serialize)]
pub struct ZoneStats {
    /// Zone index in the zone list.
    pub zone: usize,
    /// Population.
    pub population: f64,
    /// Number of settlements.
    pub settlements: usize,
    /// Per service, in service order.
    pub services: Vec<ZoneService>,
    /// Mean composite.
    pub composite: Option<f64>,
    /// Population × composite.
    pub burden: f64,
    /// Mean share of people beyond the threshold over the services with
    /// facilities (0–1); `None` without people.
    pub severity: Option<f64>,
    /// 1 = worst by the configured ranking (`[zones] rank_by`).
    pub rank: usize,
    /// 1 = most burdened.
    pub rank_burden: usize,
    /// 1 = most severe.
    pub rank_severity: usize,
    /// In the priority set.
    pub priority: bool,
    /// Why, in words.
    pub reason: String,
}

/// Mean of `x` weighted by `w` over `(w, x)` pairs; the plain mean when every
/// weight is 0, `None` when there are no pairs.
pub(super) fn weighted_mean(pairs: impl Iterator<Item = (f64, f64)>) -> Option<f64> {
    let (mut sw, mut swx, mut n, mut sx) = (0.0, 0.0, 0usize, 0.0);
    for (w, x) in pairs {
        sw += w;
        swx += w * x;
        n += 1;
        sx += x;
    }
    match n {
        0 => None,
        _ if sw > 0.0 => Some(swx / sw),
        _ => Some(sx / n as f64),
    }
}

/// Aggregates scores to zones and ranks them. `zone_ids[z]` breaks ties.
pub fn aggregate(
    zone_ids: &[String],
    zone_of: &[Option<usize>],
    population: &[f64],
    services: &[Service],
    scores: &Scores,
    settings: &ZoneSettings,
) -> Vec<ZoneStats> {
    let nz = zone_ids.len();
    // Services with facilities: those with a trip anywhere.
    let active: Vec<bool> = (0..services.len())
        .map(|s| scores.per_service[s].iter().any(|x| x.value.is_some()))
        .collect();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); nz];
    for (i, z) in zone_of.iter().enumerate() {
        if let (Some(z), Some(_)) = (z, scores.composite[i]) {
            members[*z].push(i);
        }
    }
    let mut stats: Vec<ZoneStats> = (0..nz)
        .map(|z| {
            let m = &members[z];
            let pop: f64 = m.iter().map(|&i| population[i]).sum();
            let per: Vec<ZoneService> = (0..services.len())
                .map(|s| {
                    let sc = &scores.per_service[s];
                    let pop_beyond: f64 = m
                        .iter()
                        .filter(|&&i| sc[i].beyond == Some(true))
                        .map(|&i| population[i])
                        .sum();
                    ZoneService {
                        mean_value: weighted_mean(
                            m.iter()
                                .filter_map(|&i| sc[i].value.map(|v| (population[i], v))),
                        ),
                        pop_beyond,
                        share_beyond: if pop > 0.0 { pop_beyond / pop } else { 0.0 },
                        mean_component: weighted_mean(
                            m.iter()
                                .filter_map(|&i| sc[i].component.map(|c| (population[i], c))),
                        ),
                    }
                })
                .collect();
            let composite = weighted_mean(
                m.iter()
                    .filter_map(|&i| scores.composite[i].map(|c| (population[i], c))),
            );
            let reason = reason(services, &per, settings.reason_min_share);
            let shares: Vec<f64> = per
                .iter()
                .zip(&active)
                .filter(|(_, &a)| a)
                .map(|(s, _)| s.share_beyond)
                .collect();
            let severity = (pop > 0.0 && !shares.is_empty())
                .then(|| shares.iter().sum::<f64>() / shares.len() as f64);
            ZoneStats {
                zone: z,
                population: pop,
                settlements: m.len(),
                services: per,
                burden: pop * composite.unwrap_or(0.0),
                composite,
                severity,
                rank: 0,
                rank_burden: 0,
                rank_severity: 0,
                priority: false,
                reason,
            }
        })
        .collect();
    let mut order: Vec<usize> = (0..nz).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&stats[a], &stats[b]);
        y.burden
            .total_cmp(&x.burden)
            .then(
                y.composite
                    .unwrap_or(-1.0)
                    .total_cmp(&x.composite.unwrap_or(-1.0)),
            )
            .then(zone_ids[a].cmp(&zone_ids[b]))
    });
    let occupied = stats.iter().filter(|s| s.settlements > 0).count();
    let n_priority = (settings.priority_fraction * occupied as f64).ceil() as usize;
    for (r, &z) in order.iter().enumerate() {
        stats[z].rank = r + 1;
        stats[z].rank_burden = r + 1;
        stats[z].priority = r < n_priority && stats[z].burden > 0.0;
    }
    let severity: Vec<Option<f64>> = stats.iter().map(|s| s.severity).collect();
    let order = super::measures::worst_first(&stats, zone_ids, &severity, Worse::Higher);
    for (r, &z) in order.iter().enumerate() {
        stats[z].rank_severity = r + 1;
    }
    stats
}

/// A zone's reason in plain words, short enough for a table cell:
/// `100% of people are more than 5000 m from power; 96% more than 60 min
/// from school`, or, when no service leaves enough people beyond its
/// threshold, `health is the main gap: its trip is 1.4 times the average`.
fn reason(services: &[Service], per: &[ZoneService], min_share: f64) -> String {
    let mut over: Vec<(usize, f64)> = per
        .iter()
        .enumerate()
        .filter(|(_, s)| s.share_beyond >= min_share && s.pop_beyond > 0.0)
        .map(|(k, s)| (k, s.share_beyond))
        .collect();
    over.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    if !over.is_empty() {
        return over
            .iter()
            .enumerate()
            .map(|(n, &(k, share))| {
                let (thr, metric) = threshold_value(services[k].threshold);
                let unit = if metric == "time_min" { "min" } else { "m" };
                let who = if n == 0 { " of people are" } else { "" };
                format!(
                    "{:.0}%{who} more than {thr} {unit} from {}",
                    share * 100.0,
                    services[k].name
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
    }
    per.iter()
        .enumerate()
        .filter_map(|(k, s)| s.mean_component.map(|c| (k, c)))
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(k, c)| main_gap(&services[k], c))
        .unwrap_or_default()
}

/// `NAME is the main gap: its trip is C times the average` (`its distance`
/// for straight-line services), the form the report translates.
pub fn main_gap(service: &Service, component: f64) -> String {
    let what = if service.straight_line {
        "distance"
    } else {
        "trip"
    };
    format!(
        "{} is the main gap: its {what} is {component:.1} times the average",
        service.name
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Threshold;
    use crate::units::{Meters, Seconds};

    fn service(name: &str, threshold: Threshold, straight_line: bool) -> Service {
        Service {
            name: name.into(),
            code: name[..2].into(),
            category: name.into(),
            profile: "walk".into(),
            threshold,
            straight_line,
        }
    }

    fn per(share: f64, component: f64) -> ZoneService {
        ZoneService {
            mean_value: Some(1.0),
            pop_beyond: share * 100.0,
            share_beyond: share,
            mean_component: Some(component),
        }
    }

    #[test]
    fn reasons_read_as_sentences_with_units() {
        let services = [
            service("school", Threshold::Time(Seconds(3600.0)), false),
            service("power", Threshold::Distance(Meters(5000.0)), true),
        ];
        assert_eq!(
            reason(&services, &[per(0.96, 1.0), per(1.0, 2.0)], 0.25),
            "100% of people are more than 5000 m from power; 96% more than 60 min from school"
        );
        assert_eq!(
            reason(&services, &[per(0.1, 1.42), per(0.0, 0.5)], 0.25),
            "school is the main gap: its trip is 1.4 times the average"
        );
        assert_eq!(
            reason(&services, &[per(0.0, 0.2), per(0.1, 0.9)], 0.25),
            "power is the main gap: its distance is 0.9 times the average"
        );
    }
}

//! Scenario comparison: per scenario, service and zone the people beyond
//! the threshold, the mean metric, the composite and the rank, each with its
//! change against the baseline (`comparison.csv`, and the same rows with the
//! zone outlines in `comparison_zones.geojson`); per scenario and settlement
//! the change of trip time for every service (`comparison.geojson`), so a
//! map shows who gains; and the closing summary.

use std::fmt::Write as _;

use super::table::{Cell, Geom, Kind, Table};
use crate::pipeline::Analysis;
use crate::score::threshold_value;

/// One scenario's analysis, beside the baseline's.
pub struct Compared<'a> {
    /// Scenario name.
    pub name: &'a str,
    /// Its analysis.
    pub analysis: &'a Analysis,
}

impl<'a> Compared<'a> {
    /// Each scenario outcome beside the baseline, in order.
    pub fn all(outcomes: &'a [crate::scenario::run::Outcome]) -> Vec<Compared<'a>> {
        outcomes
            .iter()
            .map(|o| Compared {
                name: &o.name,
                analysis: &o.analysis,
            })
            .collect()
    }
}

fn delta(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    Some(a? - b?)
}

/// The zone rows of every scenario against `base`.
pub fn zone_table(base: &Analysis, scenarios: &[Compared], with_geometry: bool) -> Table {
    let mut t = Table::default();
    t.column("scenario", Kind::Text, "Scenario");
    t.column("service", Kind::Text, "Service");
    t.column("zone", Kind::Text, "Zone id");
    t.column("zone_name", Kind::Text, "Zone name");
    t.column(
        "pop",
        Kind::Float,
        "Zone population in the scenario (people)",
    );
    t.column(
        "pop_beyond",
        Kind::Float,
        "People beyond the service threshold (people)",
    );
    t.column(
        "d_beyond",
        Kind::Float,
        "Change in people beyond the threshold vs baseline (people)",
    );
    t.column(
        "mean",
        Kind::Float,
        "Population-weighted mean metric (unit in `unit`)",
    );
    t.column(
        "d_mean",
        Kind::Float,
        "Change in the mean metric vs baseline (unit in `unit`)",
    );
    t.column("unit", Kind::Text, "Unit of `mean` and `d_mean` (min or m)");
    t.column(
        "composite",
        Kind::Float,
        "Zone mean composite score (0 to 3 x services)",
    );
    t.column("d_comp", Kind::Float, "Change in composite vs baseline");
    t.column("rank", Kind::Int, "Zone rank (1 = most burdened)");
    t.column(
        "d_rank",
        Kind::Int,
        "Change in rank vs baseline (negative = moved up the priority list)",
    );
    let base_by_zone: Vec<usize> = index_by_zone(base);
    for sc in scenarios {
        let a = sc.analysis;
        let by_zone = index_by_zone(a);
        for (k, svc) in a.settings.services.iter().enumerate() {
            let (_, unit) = threshold_value(svc.threshold);
            for z in 0..a.zones.len() {
                let (zs, bs) = (&a.zone_stats[by_zone[z]], &base.zone_stats[base_by_zone[z]]);
                let (s, b) = (&zs.services[k], &bs.services[k]);
                t.rows.push(vec![
                    Cell::Text(sc.name.to_string()),
                    Cell::Text(svc.name.clone()),
                    Cell::Text(a.zones[z].id.clone()),
                    Cell::Text(a.zones[z].name.clone()),
                    Cell::float(Some(zs.population), 1),
                    Cell::float(Some(s.pop_beyond), 1),
                    Cell::float(Some(s.pop_beyond - b.pop_beyond), 1),
                    Cell::float(s.mean_value, 2),
                    Cell::float(delta(s.mean_value, b.mean_value), 2),
                    Cell::Text(unit.to_string()),
                    Cell::float(zs.composite, 4),
                    Cell::float(delta(zs.composite, bs.composite), 4),
                    Cell::Int(zs.rank as i64),
                    Cell::Int(zs.rank as i64 - bs.rank as i64),
                ]);
                t.geometry
                    .push(with_geometry.then(|| Geom::from_multipolygon(&a.zones[z].geometry)));
            }
        }
    }
    t
}

/// Position of each zone's stats (stats are in rank order).
fn index_by_zone(a: &Analysis) -> Vec<usize> {
    let mut v = vec![0; a.zones.len()];
    for (i, zs) in a.zone_stats.iter().enumerate() {
        v[zs.zone] = i;
    }
    v
}

/// Trip time (minutes) of settlement `i` for service `k`.
fn minutes(a: &Analysis, k: usize, i: usize) -> Option<f64> {
    a.access[k].access[i].time.map(|t| t.minutes())
}

/// The settlement rows of every scenario against `base`: time and change
/// of time per service, and whether the settlement crossed the threshold.
pub fn settlement_table(base: &Analysis, scenarios: &[Compared]) -> Table {
    let mut t = Table::default();
    t.column("scenario", Kind::Text, "Scenario");
    t.column("id", Kind::Text, "Settlement id");
    t.column("name", Kind::Text, "Settlement name");
    t.column("pop", Kind::Float, "Population in the scenario (people)");
    for svc in &base.settings.services {
        let c = &svc.code;
        t.column(
            format!("{c}_min"),
            Kind::Float,
            format!("{}: trip time in the scenario (min)", svc.name),
        );
        t.column(
            format!("{c}_dmin"),
            Kind::Float,
            format!(
                "{}: change of trip time vs baseline (min; negative = faster)",
                svc.name
            ),
        );
        t.column(
            format!("{c}_cross"),
            Kind::Text,
            format!(
                "{}: threshold crossed (newly_within, newly_beyond or none)",
                svc.name
            ),
        );
    }
    for sc in scenarios {
        let a = sc.analysis;
        for (i, s) in a.dataset.settlements.iter().enumerate() {
            let mut row = vec![
                Cell::Text(sc.name.to_string()),
                Cell::Text(s.settlement.id.clone()),
                Cell::Text(s.settlement.name.clone()),
                Cell::float(Some(s.settlement.population.0), 1),
            ];
            for k in 0..a.settings.services.len() {
                let (now, was) = (minutes(a, k, i), minutes(base, k, i));
                row.push(Cell::float(now, 2));
                row.push(Cell::float(delta(now, was), 2));
                row.push(Cell::Text(crossing(a, base, k, i).to_string()));
            }
            t.rows.push(row);
            t.geometry.push(
                s.valid
                    .then_some(Geom::Point(s.settlement.pos.lon, s.settlement.pos.lat)),
            );
        }
    }
    t
}

fn crossing(a: &Analysis, base: &Analysis, k: usize, i: usize) -> &'static str {
    let now = a.scores.per_service[k][i].beyond;
    let was = base.scores.per_service[k][i].beyond;
    match (was, now) {
        (Some(true), Some(false)) => "newly_within",
        (Some(false), Some(true)) => "newly_beyond",
        (None, Some(false)) => "newly_within",
        (Some(false), None) => "newly_beyond",
        _ => "none",
    }
}

/// The closing summary: per scenario and service, people newly within and
/// newly beyond the threshold; the biggest rank moves.
pub fn summary(base: &Analysis, scenarios: &[Compared], top: usize) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "\nScenarios against the baseline");
    for sc in scenarios {
        let a = sc.analysis;
        let _ = writeln!(s, "\n{}", sc.name);
        for (k, svc) in a.settings.services.iter().enumerate() {
            let (mut within, mut beyond) = (0.0, 0.0);
            for i in 0..a.dataset.settlements.len() {
                let p = a.dataset.settlements[i].settlement.population.0;
                match crossing(a, base, k, i) {
                    "newly_within" => within += p,
                    "newly_beyond" => beyond += p,
                    _ => {}
                }
            }
            let _ = writeln!(
                s,
                "  {:<10} newly within threshold: {:>9.0} people   newly beyond: {:>9.0} people",
                svc.name, within, beyond
            );
        }
        let base_rank: Vec<usize> = {
            let mut v = vec![0; base.zones.len()];
            for zs in &base.zone_stats {
                v[zs.zone] = zs.rank;
            }
            v
        };
        let mut moves: Vec<(i64, usize, usize)> = a
            .zone_stats
            .iter()
            .map(|zs| (zs.rank as i64 - base_rank[zs.zone] as i64, zs.zone, zs.rank))
            .filter(|m| m.0 != 0)
            .collect();
        moves.sort_by_key(|m| (-m.0.abs(), m.1));
        if moves.is_empty() {
            let _ = writeln!(s, "  no zone changes rank");
        }
        for (d, z, r) in moves.into_iter().take(top) {
            let _ = writeln!(
                s,
                "  zone {:<24} rank {:>4} -> {:>4} ({:+})",
                a.zones[z].id, base_rank[z], r, d
            );
        }
    }
    s
}

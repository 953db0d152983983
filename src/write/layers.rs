//! Result layers as tables: one row per input settlement, one per zone.
//!
//! Field names carry their unit (`_min`, `_m`) and fit dBase's 10
//! characters, so the layers export to shapefile unchanged: per service they
//! start with the service's code (`hlth_min`). Every column also has a
//! title with its unit, which the QGIS styles use as the field alias.

use super::table::{Cell, Geom, Kind, Table};
use crate::config::Threshold;
use crate::pipeline::Analysis;
use crate::search::access::Status;

/// Decimals kept per kind of value.
const MIN_DP: u8 = 3;
const M_DP: u8 = 1;
const SCORE_DP: u8 = 4;
use super::table::POP_DP;

/// A threshold in words with its unit: `60 min`, `5000 m`.
fn threshold_text(t: Threshold) -> String {
    match t {
        Threshold::Time(s) => format!("{} min", s.minutes()),
        Threshold::Distance(m) => format!("{} m", m.0),
    }
}

/// Overall status of a settlement: `invalid_location`, else the first
/// non-`ok` of `off_network`, `unreachable`, `no_facility`, else `ok`.
fn overall_status(statuses: &[Status]) -> &'static str {
    for s in [
        Status::InvalidLocation,
        Status::OffNetwork,
        Status::Unreachable,
        Status::NoFacility,
    ] {
        if statuses.contains(&s) {
            return s.as_str();
        }
    }
    "ok"
}

/// The settlements layer: every input settlement, in input order.
pub fn settlements_table(a: &Analysis) -> Table {
    let mut t = Table::default();
    for (name, kind, title) in [
        ("id", Kind::Text, "settlement id"),
        ("name", Kind::Text, "name"),
        ("place", Kind::Text, "place class"),
        ("lon", Kind::Float, "longitude (degrees, WGS 84)"),
        ("lat", Kind::Float, "latitude (degrees, WGS 84)"),
        ("pop", Kind::Float, "population (people)"),
        ("pop_src", Kind::Text, "population source"),
        ("zone_id", Kind::Text, "zone id"),
        ("status", Kind::Text, "status"),
    ] {
        t.column(name, kind, title);
    }
    for s in &a.settings.services {
        let (c, n) = (&s.code, &s.name);
        t.column(
            format!("{c}_min"),
            Kind::Float,
            format!("{n}: travel time (min)"),
        );
        t.column(
            format!("{c}_m"),
            Kind::Float,
            format!("{n}: trip length (m)"),
        );
        t.column(
            format!("{c}_fac"),
            Kind::Text,
            format!("{n}: nearest facility id"),
        );
        t.column(format!("{c}_stat"), Kind::Text, format!("{n}: status"));
        t.column(format!("{c}_via"), Kind::Text, format!("{n}: route type"));
        t.column(
            format!("{c}_over"),
            Kind::Bool,
            format!("{n}: beyond {}", threshold_text(s.threshold)),
        );
        t.column(
            format!("{c}_scr"),
            Kind::Float,
            format!("{n}: score min(3, value / mean)"),
        );
    }
    t.column("composite", Kind::Float, "composite isolation score");
    t.column("class", Kind::Text, "remoteness class");
    super::measures::settlement_columns(&mut t, a);
    for (i, ls) in a.dataset.settlements.iter().enumerate() {
        let s = &ls.settlement;
        let statuses: Vec<Status> = a.access.iter().map(|sa| sa.access[i].status).collect();
        let mut row = vec![
            Cell::Text(s.id.clone()),
            Cell::Text(s.name.clone()),
            Cell::Text(s.place.clone()),
            Cell::float(ls.valid.then_some(s.pos.lon), 7),
            Cell::float(ls.valid.then_some(s.pos.lat), 7),
            Cell::Float(s.population.0, POP_DP),
            Cell::Text(s.population_source.as_str().into()),
            a.zone_of[i]
                .map(|z| Cell::Text(a.zones[z].id.clone()))
                .unwrap_or(Cell::Null),
            Cell::Text(overall_status(&statuses).into()),
        ];
        for (k, sa) in a.access.iter().enumerate() {
            let x = &sa.access[i];
            let sc = &a.scores.per_service[k][i];
            row.push(Cell::float(x.time.map(|t| t.minutes()), MIN_DP));
            row.push(Cell::float(x.dist.map(|d| d.0), M_DP));
            row.push(
                x.facility
                    .map(|f| Cell::Text(sa.facilities[f as usize].id.clone()))
                    .unwrap_or(Cell::Null),
            );
            row.push(Cell::Text(x.status.as_str().into()));
            row.push(Cell::Text(x.via.as_str().into()));
            row.push(sc.beyond.map(Cell::Bool).unwrap_or(Cell::Null));
            row.push(Cell::float(sc.component, SCORE_DP));
        }
        row.push(Cell::float(a.scores.composite[i], SCORE_DP));
        row.push(
            a.scores.class[i]
                .map(|c| Cell::Text(c.into()))
                .unwrap_or(Cell::Null),
        );
        super::measures::settlement_cells(&mut row, a, i);
        t.rows.push(row);
        t.geometry
            .push(ls.valid.then_some(Geom::Point(s.pos.lon, s.pos.lat)));
    }
    t
}

/// What the zones are ranked by (`rank_by` in the config), in words with
/// the ranking field's title from the zones table `zt`.
pub fn rank_title(a: &Analysis, zt: &Table) -> super::qml::RankTitle {
    use crate::config::RankBy;
    match &a.settings.measures.rank_by {
        RankBy::Composite => super::qml::RankTitle {
            by: "burden: people × composite isolation score (person-score units), worst first"
                .into(),
            field: None,
        },
        RankBy::Measure { field, .. } => {
            let title = zt
                .column_index(field)
                .map(|k| zt.columns[k].title.clone())
                .unwrap_or_else(|| field.clone());
            super::qml::RankTitle {
                by: format!("{field}: {title}, worst first"),
                field: Some(field.clone()),
            }
        }
    }
}

/// The zones layer, in rank order.
pub fn zones_table(a: &Analysis) -> Table {
    let mut t = Table::default();
    for (name, kind, title) in [
        ("zone_id", Kind::Text, "zone id"),
        ("name", Kind::Text, "name"),
        ("rank", Kind::Int, "rank (its title is set below)"),
        ("priority", Kind::Bool, "priority zone"),
        ("reason", Kind::Text, "services most often beyond threshold"),
        ("pop", Kind::Float, "population (people)"),
        ("census_pop", Kind::Float, "census population (people)"),
        ("n_settl", Kind::Int, "settlements (count)"),
        (
            "composite",
            Kind::Float,
            "composite score (population-weighted mean)",
        ),
        ("burden", Kind::Float, "burden (people × composite)"),
        (
            "severity",
            Kind::Float,
            "severity: share of people beyond the threshold, mean over the services (0-1)",
        ),
        ("rank_burd", Kind::Int, "rank by burden (1 = most burdened)"),
        (
            "rank_sev",
            Kind::Int,
            "rank by severity (1 = people most cut off)",
        ),
    ] {
        t.column(name, kind, title);
    }
    for s in &a.settings.services {
        let (c, n) = (&s.code, &s.name);
        match s.threshold {
            Threshold::Time(_) => t.column(
                format!("{c}_min"),
                Kind::Float,
                format!("{n}: mean travel time, population-weighted (min)"),
            ),
            Threshold::Distance(_) => t.column(
                format!("{c}_m"),
                Kind::Float,
                format!("{n}: mean distance, population-weighted (m)"),
            ),
        }
        let beyond = threshold_text(s.threshold);
        t.column(
            format!("{c}_opop"),
            Kind::Float,
            format!("{n}: people beyond {beyond}"),
        );
        t.column(
            format!("{c}_oshr"),
            Kind::Float,
            format!("{n}: share of people beyond {beyond} (0-1)"),
        );
    }
    super::measures::zone_columns(&mut t, a);
    let by = rank_title(a, &t);
    if let Some(k) = t.column_index("rank") {
        t.columns[k].title = match by.field {
            None => format!("rank by {} (1 = most burdened)", by.by),
            Some(_) => format!("rank by {} (1 = worst)", by.by),
        };
    }
    let mut order: Vec<&crate::zones::ZoneStats> = a.zone_stats.iter().collect();
    order.sort_by_key(|z| z.rank);
    for z in order {
        let zone = &a.zones[z.zone];
        let mut row = vec![
            Cell::Text(zone.id.clone()),
            Cell::Text(zone.name.clone()),
            Cell::Int(z.rank as i64),
            Cell::Bool(z.priority),
            Cell::Text(z.reason.clone()),
            Cell::Float(z.population, POP_DP),
            Cell::float(zone.census_population.map(|p| p.0), POP_DP),
            Cell::Int(z.settlements as i64),
            Cell::float(z.composite, SCORE_DP),
            Cell::Float(z.burden, POP_DP),
            Cell::float(z.severity, SCORE_DP),
            Cell::Int(z.rank_burden as i64),
            Cell::Int(z.rank_severity as i64),
        ];
        for (s, zs) in a.settings.services.iter().zip(&z.services) {
            let dp = match s.threshold {
                Threshold::Time(_) => MIN_DP,
                Threshold::Distance(_) => M_DP,
            };
            row.push(Cell::float(zs.mean_value, dp));
            row.push(Cell::Float(zs.pop_beyond, POP_DP));
            row.push(Cell::Float(zs.share_beyond, SCORE_DP));
        }
        super::measures::zone_cells(&mut row, a, z.zone);
        t.rows.push(row);
        t.geometry
            .push(Some(Geom::from_multipolygon(&zone.geometry)));
    }
    t
}

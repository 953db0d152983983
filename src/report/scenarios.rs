//! Scenarios: the comparison a `scenarios` output folder holds
//! (`comparison.csv`, and each scenario's `run.json`), read back and shown
//! against the baseline.

use std::fmt::Write as _;
use std::path::Path;

use super::data::{invalid, read_json, RunData, ServiceInfo};
use super::i18n::{service_label, Key, Lang};
use super::{bdi, esc, ReportError};

/// One scenario's totals.
#[derive(Debug, Clone)]
pub struct ScenarioRun {
    /// Folder and scenario name.
    pub name: String,
    /// Its description.
    pub description: String,
    /// Per service of the baseline: people beyond the threshold.
    pub beyond: Vec<Option<f64>>,
}

/// A row of `comparison.csv`.
#[derive(Debug, Clone)]
pub struct ZoneChange {
    /// Scenario name.
    pub scenario: String,
    /// Service name.
    pub service: String,
    /// Zone name (or id).
    pub zone: String,
    /// People beyond the threshold in the scenario.
    pub pop_beyond: Option<f64>,
    /// Its change against the baseline.
    pub d_beyond: Option<f64>,
    /// Rank in the scenario.
    pub rank: Option<i64>,
    /// Change of rank.
    pub d_rank: Option<i64>,
}

/// The outputs of `scenarios`: each scenario and the zone rows.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The scenarios, in the comparison's order.
    pub scenarios: Vec<ScenarioRun>,
    /// `comparison.csv`'s rows.
    pub rows: Vec<ZoneChange>,
}

/// The comparison of a `scenarios` output folder `dir` against the
/// baseline's `services`.
pub fn load(dir: &Path, services: &[ServiceInfo]) -> Result<Comparison, ReportError> {
    let path = dir.join("comparison.csv");
    let mut reader = csv::Reader::from_path(&path).map_err(|e| ReportError::Parse {
        path: path.clone(),
        message: e.to_string(),
    })?;
    let headers = reader
        .headers()
        .map_err(|e| ReportError::Parse {
            path: path.clone(),
            message: e.to_string(),
        })?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| invalid(&path, format!("no `{name}` column")))
    };
    let (c_sc, c_svc, c_zone, c_name) = (
        col("scenario")?,
        col("service")?,
        col("zone")?,
        col("zone_name")?,
    );
    let (c_pb, c_db, c_rank, c_dr) = (
        col("pop_beyond")?,
        col("d_beyond")?,
        col("rank")?,
        col("d_rank")?,
    );
    let mut rows = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| ReportError::Parse {
            path: path.clone(),
            message: e.to_string(),
        })?;
        let get = |i: usize| rec.get(i).unwrap_or_default();
        let scenario = get(c_sc).to_string();
        if !names.contains(&scenario) {
            names.push(scenario.clone());
        }
        let zone = if get(c_name).trim().is_empty() {
            get(c_zone)
        } else {
            get(c_name)
        };
        rows.push(ZoneChange {
            scenario,
            service: get(c_svc).to_string(),
            zone: zone.to_string(),
            pop_beyond: get(c_pb).parse().ok(),
            d_beyond: get(c_db).parse().ok(),
            rank: get(c_rank).parse().ok(),
            d_rank: get(c_dr).parse().ok(),
        });
    }
    let scenarios = names
        .into_iter()
        .map(|name| {
            let run_path = dir.join(&name).join("run.json");
            let run = read_json(&run_path)?;
            let summaries = run["services"].as_array().cloned().unwrap_or_default();
            Ok(ScenarioRun {
                description: run["scenario"]["description"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                beyond: services
                    .iter()
                    .map(|sv| {
                        summaries
                            .iter()
                            .find(|x| x["service"] == sv.name.as_str())
                            .and_then(|x| x["population_beyond"].as_f64())
                    })
                    .collect(),
                name,
            })
        })
        .collect::<Result<_, ReportError>>()?;
    Ok(Comparison { scenarios, rows })
}

/// Each scenario against the baseline.
pub fn section(lang: Lang, data: &RunData) -> String {
    let Some(c) = &data.comparison else {
        return String::new();
    };
    let mut h = format!(
        "<p>{}</p><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        esc(lang.t(Key::ScenariosNote)),
        esc(lang.t(Key::Scenario)),
        esc(lang.t(Key::Service)),
        esc(lang.t(Key::Baseline)),
        esc(lang.t(Key::Scenario)),
        esc(lang.t(Key::Change)),
    );
    for sc in &c.scenarios {
        for (k, svc) in data.services.iter().enumerate() {
            let after = sc.beyond.get(k).copied().flatten().unwrap_or(f64::NAN);
            let d = after - svc.population_beyond;
            let _ = write!(
                h,
                "<tr><td><bdi>{}</bdi></td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n{}\">{}{}</td></tr>",
                esc(&sc.name),
                bdi(&service_label(lang, &svc.name)),
                lang.int(svc.population_beyond),
                lang.int(after),
                if d < -0.5 { " better" } else if d > 0.5 { " worse" } else { "" },
                if d > 0.5 { "+" } else { "" },
                lang.int(d)
            );
        }
    }
    h.push_str("</tbody></table>");
    for sc in &c.scenarios {
        let _ = write!(
            h,
            "<h3><bdi>{}</bdi></h3><p lang=\"en\" dir=\"auto\">{}</p>",
            esc(&sc.name),
            esc(&sc.description)
        );
        let rows: Vec<_> = c.rows.iter().filter(|r| r.scenario == sc.name).collect();
        let mut zones: Vec<&str> = Vec::new();
        for r in &rows {
            let changed =
                r.d_beyond.is_some_and(|d| d.abs() > 0.5) || r.d_rank.is_some_and(|d| d != 0);
            if changed && !zones.contains(&r.zone.as_str()) {
                zones.push(&r.zone);
            }
        }
        if zones.is_empty() {
            let _ = write!(h, "<p>{}</p>", esc(lang.t(Key::NoZoneChange)));
            continue;
        }
        let _ = write!(
            h,
            "<table><caption>{}</caption><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            esc(lang.t(Key::ZoneChanges)),
            esc(lang.t(Key::Zone)),
            esc(lang.t(Key::Rank)),
            esc(lang.t(Key::RankChange)),
            esc(lang.t(Key::BeyondThreshold)),
        );
        zones.sort_by_key(|z| {
            rows.iter()
                .find(|r| r.zone == *z)
                .and_then(|r| r.rank)
                .unwrap_or(i64::MAX)
        });
        for z in zones {
            let zr: Vec<_> = rows.iter().filter(|r| r.zone == z).collect();
            let first = zr[0];
            let changes: Vec<String> = zr
                .iter()
                .filter(|r| r.d_beyond.is_some_and(|d| d.abs() > 0.5))
                .map(|r| {
                    let d = r.d_beyond.unwrap_or(0.0);
                    format!(
                        "{} {}{} → {}",
                        service_label(lang, &r.service),
                        if d > 0.0 { "+" } else { "" },
                        lang.int(d),
                        lang.int(r.pop_beyond.unwrap_or(f64::NAN))
                    )
                })
                .collect();
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                bdi(z),
                first.rank.map_or("–".into(), |r| r.to_string()),
                first.d_rank.map_or("–".into(), |d| if d > 0 {
                    format!("+{d}")
                } else {
                    lang.int(d as f64)
                }),
                esc(&changes.join(" ; "))
            );
        }
        h.push_str("</tbody></table>");
    }
    h
}

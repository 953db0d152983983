//! Placement outputs: the chosen sites (`sites.geojson`, `sites.csv` with its `.csvt`, with
//! their QGIS style), the curve of the objective against the number of
//! sites (`curve.csv`), a scenario file that the `scenarios` command runs
//! as is (`scenario.toml`), and `run.json`; written all at once.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::table::{Cell, Geom, Kind, Table, POP_DP};
use super::{write_geojson, Staged, WriteError};
use crate::pipeline::Study;
use crate::placement::study::{newly_served, Placement};
use crate::placement::{Objective, Solution};

/// Most settlement ids listed per site in `served_ids`.
const MAX_SERVED_IDS: usize = 200;

/// The sites table.
pub fn sites_table(study: &Study, pl: &Placement, sol: &Solution) -> Table {
    let p = &pl.problem;
    let u = p.objective.unit();
    let mut t = Table::default();
    for (name, kind, title) in [
        ("order", Kind::Int, "order chosen (1 = first)".to_string()),
        ("site_id", Kind::Text, "candidate site id".into()),
        ("name", Kind::Text, "name".into()),
        ("lon", Kind::Float, "longitude (degrees, WGS 84)".into()),
        ("lat", Kind::Float, "latitude (degrees, WGS 84)".into()),
        ("cost", Kind::Float, "cost".into()),
        ("zone_id", Kind::Text, "zone id".into()),
        ("gain", Kind::Float, format!("gain when added ({u})")),
        (
            "cumulative",
            Kind::Float,
            format!("objective with the sites so far ({u})"),
        ),
        (
            "people",
            Kind::Float,
            "people newly served when added (people)".into(),
        ),
        (
            "n_served",
            Kind::Int,
            "settlements newly served when added".into(),
        ),
        (
            "served_ids",
            Kind::Text,
            format!("ids of the settlements newly served (first {MAX_SERVED_IDS})"),
        ),
        (
            "kept",
            Kind::Bool,
            "an existing facility kept (relocation study)".into(),
        ),
    ] {
        t.column(name, kind, title);
    }
    let caps = p.capacities.as_ref();
    if caps.is_some() {
        t.column(
            "room",
            Kind::Float,
            "people the site can serve: capacity × people per unit (people)",
        );
    }
    let mut before: Vec<usize> = Vec::new();
    for (k, s) in sol.sites.iter().enumerate() {
        let c = &pl.candidates[s.candidate];
        let served = newly_served(p, &before, s.candidate);
        let ids: Vec<&str> = served
            .iter()
            .take(MAX_SERVED_IDS)
            .map(|&i| study.dataset.settlements[i as usize].settlement.id.as_str())
            .collect();
        t.rows.push(vec![
            Cell::Int(k as i64 + 1),
            Cell::Text(c.id.clone()),
            Cell::Text(c.name.clone()),
            Cell::Float(c.pos.lon, 7),
            Cell::Float(c.pos.lat, 7),
            Cell::Float(c.cost, 6),
            p.zone[s.candidate]
                .map(|z| Cell::Text(study.zones[z].id.clone()))
                .unwrap_or(Cell::Null),
            Cell::Float(s.gain, POP_DP),
            Cell::Float(s.cumulative, POP_DP),
            Cell::Float(s.people, POP_DP),
            Cell::Int(served.len() as i64),
            Cell::Text(ids.join(";")),
            Cell::Bool(pl.existing[s.candidate].is_some()),
        ]);
        if let Some(caps) = caps {
            if let Some(row) = t.rows.last_mut() {
                row.push(Cell::Float(caps.site_people[s.candidate], POP_DP));
            }
        }
        t.geometry.push(Some(Geom::Point(c.pos.lon, c.pos.lat)));
        before.push(s.candidate);
    }
    t
}

/// The curve: the objective after 0, 1, … sites, in the order chosen,
/// with the share of people covered (coverage) or the mean trip (median).
pub fn curve_table(pl: &Placement, sol: &Solution) -> Table {
    let p = &pl.problem;
    let people: f64 = p.weight.iter().sum();
    let mut t = Table::default();
    let (metric, title) = match p.objective {
        Objective::Coverage { .. } => ("share", "share of the population within the threshold"),
        Objective::Capacity { .. } => (
            "share",
            "share of the population served within the threshold and the capacities",
        ),
        Objective::Median { .. } => ("mean_min", "mean trip (min, capped)"),
        Objective::Center { .. } => ("max_min", "longest trip (min, capped)"),
    };
    t.column("k", Kind::Int, "sites");
    t.column("site_id", Kind::Text, "site added");
    t.column(
        "gain",
        Kind::Float,
        format!("gain ({})", p.objective.unit()),
    );
    t.column(
        "value",
        Kind::Float,
        format!("objective ({})", p.objective.unit()),
    );
    t.column(metric, Kind::Float, title);
    let derived = |v: f64| match p.objective {
        Objective::Coverage { .. } | Objective::Capacity { .. } if people > 0.0 => Some(v / people),
        Objective::Median { .. } if people > 0.0 => Some(-v / people),
        Objective::Center { .. } => Some(-v),
        _ => None,
    };
    t.rows.push(vec![
        Cell::Int(0),
        Cell::Null,
        Cell::Null,
        Cell::Float(sol.base, POP_DP),
        Cell::float(derived(sol.base), 6),
    ]);
    t.geometry.push(None);
    for (k, s) in sol.sites.iter().enumerate() {
        t.rows.push(vec![
            Cell::Int(k as i64 + 1),
            Cell::Text(pl.candidates[s.candidate].id.clone()),
            Cell::Float(s.gain, POP_DP),
            Cell::Float(s.cumulative, POP_DP),
            Cell::float(derived(s.cumulative), 6),
        ]);
        t.geometry.push(None);
    }
    t
}

/// A TOML string.
fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The scenario file adding the sites as facilities, one scenario.
pub fn scenario_toml(study: &Study, pl: &Placement, sol: &Solution, name: &str) -> String {
    let svc = &study.settings.services[pl.service];
    let mut s = format!(
        "# Written by `remoteness place`: the {} sites chosen for {} ({}).\n\
         # Run it with `remoteness scenarios CONFIG --scenarios scenario.toml --out DIR`.\n\n\
         [[scenario]]\nname = {}\ndescription = {}\n",
        sol.sites.len(),
        svc.name,
        pl.problem.objective.as_str(),
        toml_str(name),
        toml_str(&format!(
            "{} new {} sites chosen by remoteness place ({})",
            sol.sites.len(),
            svc.name,
            pl.problem.objective.as_str()
        )),
    );
    let kept: Vec<&str> = sol
        .sites
        .iter()
        .filter_map(|s| pl.existing[s.candidate].as_deref())
        .collect();
    let gone: Vec<&String> = pl
        .removable
        .iter()
        .filter(|id| !kept.contains(&id.as_str()))
        .collect();
    if !gone.is_empty() {
        s.push_str(&format!(
            "\n# Removable facilities not kept.\n[[scenario.modification]]\nkind = \"remove_facilities\"\n\
             service = {}\nids = [{}]\n",
            toml_str(&svc.name),
            gone.iter().map(|id| toml_str(id)).collect::<Vec<_>>().join(", ")
        ));
    }
    for (k, site) in sol.sites.iter().enumerate() {
        let c = &pl.candidates[site.candidate];
        if pl.existing[site.candidate].is_some() {
            s.push_str(&format!(
                "\n# {}: keeps {} (gain {})\n",
                k + 1,
                c.id,
                (site.gain * 1e6).round() / 1e6
            ));
            continue;
        }
        s.push_str(&format!(
            "\n# {}: gain {} {}\n[[scenario.modification]]\nkind = \"add_facility\"\n\
             service = {}\nid = {}\nname = {}\nlon = {}\nlat = {}\n",
            k + 1,
            (site.gain * 1e6).round() / 1e6,
            pl.problem.objective.unit(),
            toml_str(&svc.name),
            toml_str(&format!("new:{}", c.id)),
            toml_str(if c.name.is_empty() { &c.id } else { &c.name }),
            c.pos.lon,
            c.pos.lat,
        ));
        let capacity = match pl.problem.objective {
            Objective::Capacity { .. } => {
                Some(c.capacity.unwrap_or(study.settings.placement.site_capacity))
            }
            _ => c.capacity,
        };
        if let Some(cap) = capacity.filter(|&c| c > 0.0) {
            s.push_str(&format!("capacity = {cap}\n"));
        }
    }
    s
}

/// What `run.json` says about the placement besides the common parts.
pub struct Report<'a> {
    /// The command line.
    pub args: &'a [String],
    /// Where the candidates came from.
    pub source: &'a str,
    /// Input files (hashed).
    pub inputs: &'a [PathBuf],
    /// Stage timings, seconds.
    pub timings: &'a [(String, f64)],
    /// The exact optimum, when computed.
    pub exact: Option<serde_json::Value>,
    /// Warnings.
    pub warnings: &'a crate::load::Diagnostics,
}

/// Writes every placement output into `dir`, all or nothing.
pub fn write_placement(
    study: &Study,
    pl: &Placement,
    sol: &Solution,
    dir: &Path,
    report: &Report,
) -> Result<Vec<PathBuf>, WriteError> {
    let staged = Staged::new(dir, report.inputs)?;
    let sites = sites_table(study, pl, sol);
    let curve = curve_table(pl, sol);
    let svc = &study.settings.services[pl.service];
    let name = format!("place_{}_{}", svc.name, sol.sites.len());
    staged.file("sites.geojson", |w| write_geojson(&sites, w))?;
    super::stage_csv(&staged, "sites.csv", &sites)?;
    let qml = super::qml::sites_qml(&sites, sol.sites.len());
    staged.file("sites.qml", |w| w.write_all(qml.as_bytes()))?;
    super::stage_csv(&staged, "curve.csv", &curve)?;
    let scenario = scenario_toml(study, pl, sol, &name);
    staged.file("scenario.toml", |w| w.write_all(scenario.as_bytes()))?;
    let inputs: Vec<serde_json::Value> = report
        .inputs
        .iter()
        .map(|p| {
            let (sha, bytes) = super::run_json::sha256_file(p).unwrap_or_default();
            json!({"path": p.display().to_string(), "sha256": sha, "bytes": bytes})
        })
        .collect();
    let mut doc = json!({
        "tool": "remoteness",
        "version": env!("CARGO_PKG_VERSION"),
        "command": report.args,
        "crs": "EPSG:4326 (WGS 84 longitude, latitude; RFC 7946)",
        "inputs": inputs,
        "travel_mode": study.travel_mode().as_str(),
        "settings": study.settings,
        "service": svc.name,
        "objective": pl.problem.objective,
        "objective_unit": pl.problem.objective.unit(),
        "placement": study.settings.placement,
        "candidates": {"source": report.source, "count": pl.candidates.len()},
        "sites": sol.sites.len(),
        "base": sol.base,
        "value": sol.value,
        "gain": sol.value - sol.base,
        "upper_bound": sol.upper_bound,
        "gap_to_bound": sol.gap(),
        "swaps": sol.swaps,
        "proven_optimal": sol.optimal,
        "forced_by_zone_rule": sol.forced,
        "removable": pl.removable,
        "kept": sol.sites.iter().filter_map(|s| pl.existing[s.candidate].clone()).collect::<Vec<_>>(),
        "exact": report.exact,
        "method": "lazy greedy (CELF) on one bounded search per candidate, then Teitz-Bart interchange; upper bound: the greedy online bound (Minoux); ties to the lower candidate index",
        "warnings": report.warnings,
        "timings_s": report.timings.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<serde_json::Map<_, _>>(),
        "outputs": ["sites.geojson", "sites.csv", "sites.csvt", "sites.qml", "curve.csv", "curve.csvt", "scenario.toml", "run.json"],
    });
    super::run_json::normalise_zeros(&mut doc);
    staged.file("run.json", |w| {
        serde_json::to_writer_pretty(&mut *w, &doc)?;
        w.write_all(b"\n")
    })?;
    staged.commit()
}

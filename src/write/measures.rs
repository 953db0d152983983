//! Columns of the capacity-aware measures in the settlement and zone
//! layers, and the facility layer (supply-to-demand ratio per facility).
//!
//! Field names fit 10 characters: `<svc>_2sf`, `<svc>_e2sf`, `<svc>_g2sf`,
//! `<svc>_3sf` (accessibility), `<svc>_c<T>` (covered within `T` minutes),
//! `<svc>_cp<T>` / `<svc>_np<T>` (people covered / not covered),
//! `grav_acc`, `grav_idx`.

use super::table::{Cell, Geom, Kind, Table};
use crate::catchment::MethodResult;
use crate::config::{CatchmentSpec, GravityTransform, Method, RankBy};
use crate::pipeline::Analysis;

/// Accessibility ratios are small (capacity per person): kept to 1e-15.
const ACC_DP: u8 = 15;
use super::table::POP_DP;
const IDX_DP: u8 = 6;

/// Method name with its catchment and weights, for titles.
fn method_title(spec: &CatchmentSpec, r: &MethodResult) -> String {
    let zones = |b: &[f64], w: &[f64]| {
        b.iter()
            .zip(w)
            .map(|(b, w)| format!("{w} to {b} min"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match r.method {
        Method::TwoStep => format!("2SFCA within {} min", r.cutoff_min),
        Method::Enhanced => format!(
            "E2SFCA, weights {}",
            zones(&spec.steps_min, &spec.step_weights)
        ),
        Method::Gravity => format!("gravity 2SFCA within {} min", r.cutoff_min),
        Method::ThreeStep => format!("3SFCA, weights {}", zones(&spec.steps3_min, &spec.weights3)),
    }
}

/// One column per service and catchment method, titled with `unit`.
fn catchment_columns(t: &mut Table, a: &Analysis, unit: &str) {
    for sc in &a.measures.catchment {
        let s = &a.settings.services[sc.service];
        let spec = &a.settings.measures.catchment[&s.name];
        for r in &sc.methods {
            t.column(
                format!("{}_{}", s.code, r.method.suffix()),
                Kind::Float,
                format!("{}: {} ({unit})", s.name, method_title(spec, r)),
            );
        }
    }
}

/// Appends the settlement columns.
pub fn settlement_columns(t: &mut Table, a: &Analysis) {
    let m = &a.measures;
    catchment_columns(t, a, "capacity per person");
    for (s, cov) in a.settings.services.iter().zip(&m.coverage) {
        if cov.is_some() {
            for thr in &a.settings.measures.coverage_min {
                t.column(
                    format!("{}_c{thr}", s.code),
                    Kind::Bool,
                    format!("{}: nearest facility within {thr} min", s.name),
                );
            }
        }
    }
    if let (Some(_), Some(g)) = (&m.gravity, &a.settings.measures.gravity) {
        t.column(
            "grav_acc",
            Kind::Float,
            format!(
                "gravity sum of centre populations / max(time, {} min) within {} min (people per min)",
                g.floor_min, g.cutoff_min
            ),
        );
        t.column(
            "grav_idx",
            Kind::Float,
            "gravity remoteness index (0 = least remote, 1 = most remote)",
        );
    }
}

/// Appends settlement `i`'s cells, in the order of [`settlement_columns`].
pub fn settlement_cells(row: &mut Vec<Cell>, a: &Analysis, i: usize) {
    let m = &a.measures;
    for sc in &m.catchment {
        for r in &sc.methods {
            row.push(Cell::float(r.access[i], ACC_DP));
        }
    }
    for flags in m.coverage.iter().flatten() {
        for f in flags {
            row.push(f[i].map(Cell::Bool).unwrap_or(Cell::Null));
        }
    }
    if let Some(g) = &m.gravity {
        row.push(Cell::float(g.accessibility[i], 6));
        row.push(Cell::float(g.index[i], IDX_DP));
    }
}

/// Appends the zone columns.
pub fn zone_columns(t: &mut Table, a: &Analysis) {
    let m = &a.measures;
    catchment_columns(t, a, "capacity per person, population-weighted mean");
    for (s, cov) in a.settings.services.iter().zip(&m.coverage) {
        if cov.is_some() {
            for thr in &a.settings.measures.coverage_min {
                t.column(
                    format!("{}_cp{thr}", s.code),
                    Kind::Float,
                    format!("{}: people within {thr} min", s.name),
                );
                t.column(
                    format!("{}_np{thr}", s.code),
                    Kind::Float,
                    format!("{}: people not within {thr} min", s.name),
                );
            }
        }
    }
    if m.gravity.is_some() {
        t.column(
            "grav_idx",
            Kind::Float,
            "gravity remoteness index, population-weighted mean (0-1)",
        );
    }
}

/// Appends zone `z`'s cells (zone index), in the order of [`zone_columns`].
pub fn zone_cells(row: &mut Vec<Cell>, a: &Analysis, z: usize) {
    let zm = &a.zone_measures[z];
    for v in zm.catchment.iter().flatten() {
        row.push(Cell::float(*v, ACC_DP));
    }
    for c in zm.coverage.iter().flatten().flatten() {
        row.push(Cell::Float(c.covered, POP_DP));
        row.push(Cell::Float(c.not_covered, POP_DP));
    }
    if a.measures.gravity.is_some() {
        row.push(Cell::float(zm.gravity, IDX_DP));
    }
}

/// The facility layer: one row per facility of every service (in service
/// order), with its capacity; for services with catchment methods also its
/// reach, and per method the weighted demand and supply-to-demand ratio
/// (null otherwise).
pub fn facilities_table(a: &Analysis) -> Table {
    let mut t = Table::default();
    for (name, kind, title) in [
        ("service", Kind::Text, "service"),
        ("fac_id", Kind::Text, "facility id"),
        ("name", Kind::Text, "name"),
        ("lon", Kind::Float, "longitude (degrees, WGS 84)"),
        ("lat", Kind::Float, "latitude (degrees, WGS 84)"),
        ("capacity", Kind::Float, "capacity (supply units)"),
        (
            "n_settl",
            Kind::Int,
            "settlements within the largest catchment (count)",
        ),
        (
            "pop_reach",
            Kind::Float,
            "people within the largest catchment",
        ),
    ] {
        t.column(name, kind, title);
    }
    for m in Method::ALL {
        t.column(
            format!("d_{}", m.suffix()),
            Kind::Float,
            format!("{}: weighted demand within the catchment (people)", m.key()),
        );
        t.column(
            format!("r_{}", m.suffix()),
            Kind::Float,
            format!("{}: supply-to-demand ratio (capacity per person)", m.key()),
        );
    }
    for (k, (s, sa)) in a.settings.services.iter().zip(&a.access).enumerate() {
        let sc = a.measures.catchment.iter().find(|c| c.service == k);
        for (j, f) in sa.facilities.iter().enumerate() {
            let mut row = vec![
                Cell::Text(s.name.clone()),
                Cell::Text(f.id.clone()),
                Cell::Text(f.name.clone()),
                Cell::Float(f.pos.lon, 7),
                Cell::Float(f.pos.lat, 7),
            ];
            match sc {
                Some(sc) => {
                    let (n, pop) = sc.reach[j];
                    row.extend([
                        Cell::Float(sc.capacity[j], 6),
                        Cell::Int(n as i64),
                        Cell::Float(pop, POP_DP),
                    ]);
                }
                // No catchment measure: no catchment to count people in.
                None => row.extend([Cell::Float(f.capacity, 6), Cell::Null, Cell::Null]),
            }
            for m in Method::ALL {
                match sc.and_then(|sc| sc.methods.iter().find(|r| r.method == m)) {
                    Some(r) => {
                        row.push(Cell::Float(r.demand[j], 6));
                        row.push(Cell::float(r.ratio[j], ACC_DP));
                    }
                    None => row.extend([Cell::Null, Cell::Null]),
                }
            }
            t.rows.push(row);
            t.geometry.push(Some(Geom::Point(f.pos.lon, f.pos.lat)));
        }
    }
    t
}

/// The measures' assumptions in words, for `run.json`.
pub fn assumptions(a: &Analysis) -> Vec<String> {
    let ms = &a.settings.measures;
    let mut v = Vec::new();
    if !a.measures.catchment.is_empty() {
        v.push("Floating catchments (2SFCA, E2SFCA, gravity 2SFCA, 3SFCA) follow PySAL access 1.1.10: facility ratio R_j = S_j / sum of P_i w(t_ij) over settlements within the catchment (t <= cutoff); accessibility A_i = sum of R_j w(t_ij) (3SFCA also weighs by the selection share G_ij = w_ij / sum_k w_ik). Values are capacity per person; 0 when no facility is within the catchment.".into());
        v.push("Catchment trip times are the travel model's trip to each facility (road or direct off-road, or straight line without roads), from one bounded search per facility.".into());
        v.push("Capacity is the facility layer's capacity_field (or the OSM capacity_tag), else 1 per facility.".into());
    }
    if !ms.coverage_min.is_empty() {
        v.push(format!(
            "Coverage: a settlement is covered at T minutes when its nearest-facility trip takes at most T (thresholds {:?} min, services with a time threshold).",
            ms.coverage_min
        ));
    }
    if let Some(g) = &ms.gravity {
        v.push(format!(
            "Gravity remoteness (Statistics Canada's form): G_i = sum over centres (settlements of at least {} people) within {} min by {} of population / max(time, {} min), else the nearest centre alone; index = min-max rescaling of {} G over settlements, 0 least remote, 1 most remote.",
            g.centre_min_pop, g.cutoff_min, g.profile, g.floor_min,
            match g.transform {
                GravityTransform::Log => "ln",
                GravityTransform::Linear => "",
            }
        ));
    }
    if let RankBy::Measure { field, .. } = &ms.rank_by {
        v.push(format!(
            "Zones are ranked by {field} (worst first), not by burden."
        ));
    }
    v
}

/// The measures' figures for `run.json`.
pub fn run_json(a: &Analysis) -> serde_json::Value {
    let population = a.dataset.populations();
    let coverage: Vec<serde_json::Value> = a
        .settings
        .services
        .iter()
        .zip(&a.measures.coverage)
        .filter_map(|(s, c)| {
            c.as_ref().map(|flags| {
                let totals = crate::catchment::coverage::totals(
                    flags,
                    &a.settings.measures.coverage_min,
                    &population,
                    0..population.len(),
                );
                serde_json::json!({"service": s.name, "population": totals})
            })
        })
        .collect();
    let gravity = a.measures.gravity.as_ref().map(|g| {
        serde_json::json!({
            "centres": g.centres,
            "fallback_to_nearest": g.fallback,
            "no_centre_reachable": g.accessibility.iter().zip(&a.dataset.settlements).filter(|(x, s)| x.is_none() && s.valid).count(),
        })
    });
    serde_json::json!({
        "catchment": a.measures.stats(&a.settings, &population),
        "coverage": coverage,
        "gravity": gravity,
        "rank_by": a.settings.measures.rank_by,
    })
}

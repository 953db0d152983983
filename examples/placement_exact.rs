//! The placement heuristic against the exact MILP on a problem exported
//! by `remoteness place --export-problem FILE` (coverage or capacity):
//!
//! ```text
//! cargo run --release --example placement_exact -- problem.json K [K ...]
//! ```
//!
//! Prints, per `k`, the heuristic's gain and time and the MILP's optimum
//! gain and time (or why the solver stopped), and their ratio.

use std::time::Instant;

use remoteness::placement::flow::Capacities;
use remoteness::placement::{exact, solve, Limits, Objective, Problem};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        return Err("usage: placement_exact PROBLEM.json K [K ...]".into());
    };
    let d: serde_json::Value = serde_json::from_slice(&std::fs::read(path)?)?;
    let weight: Vec<f64> = serde_json::from_value(d["weight"].clone())?;
    let current: Vec<Option<f64>> = serde_json::from_value(d["current_min"].clone())?;
    let rows: Vec<Vec<(u32, f64)>> = serde_json::from_value(d["rows"].clone())?;
    let objective: Objective = match d["objective"].as_object().and_then(|o| o.iter().next()) {
        Some((name, v)) if name == "coverage" || name == "capacity" => {
            let threshold_min = v["threshold_min"].as_f64().ok_or("threshold_min")?;
            if name == "coverage" {
                Objective::Coverage { threshold_min }
            } else {
                Objective::Capacity { threshold_min }
            }
        }
        _ => return Err("the MILP covers the coverage and capacity objectives".into()),
    };
    let capacities = match &d["capacities"] {
        serde_json::Value::Null => None,
        c => Some(Capacities {
            site_people: serde_json::from_value(c["site_people"].clone())?,
            existing_rows: serde_json::from_value(c["existing_rows"].clone())?,
            existing_people: serde_json::from_value(c["existing_people"].clone())?,
        }),
    };
    let m = rows.len();
    let p = Problem {
        current: current
            .into_iter()
            .map(|c| c.unwrap_or(f64::INFINITY))
            .collect(),
        weight,
        rows,
        cost: vec![1.0; m],
        zone: vec![None; m],
        objective,
        capacities,
    };
    for k in args[2..].iter().map(|k| k.parse::<usize>()) {
        let k = k?;
        let t = Instant::now();
        let s = solve(
            &p,
            &Limits {
                k,
                ..Limits::default()
            },
        )?;
        let heur_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        // Without the `place` command's size limit.
        let milp = match p.objective {
            Objective::Capacity { .. } => exact::milp_capacity(&p, k),
            _ => exact::milp_coverage(&p, k),
        };
        let milp_s = t.elapsed().as_secs_f64();
        match milp {
            Ok((v, _)) => println!(
                "k = {k}: heuristic gain {:.3} in {heur_s:.3} s ({} swaps); MILP optimum {:.3} in {milp_s:.1} s; ratio {:.5}",
                s.value - s.base,
                s.swaps,
                v - s.base,
                (s.value - s.base) / (v - s.base).max(f64::MIN_POSITIVE)
            ),
            Err(e) => println!(
                "k = {k}: heuristic gain {:.3} in {heur_s:.3} s; MILP: {e} after {milp_s:.1} s",
                s.value - s.base
            ),
        }
    }
    Ok(())
}

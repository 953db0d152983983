//! Placement at province scale: k = 50 health sites from 10,000 candidate
//! settlements over 100,000 settlements on the seeded 1M-node rural network
//! (`common/engine.rs`, 200 existing facilities, drive, 15 min), coverage
//! and median (times capped at 30 min). Times, once each after a warm-up, the candidates' bounded
//! searches (one per candidate, in parallel) and the solve (lazy greedy and
//! interchange), and prints them with the objective, the bound and the
//! swaps as `figure:` lines. The network, the baseline and the prepared
//! study are built outside the timed code.
//!
//! The capacity objective gives each facility (existing or new) room for
//! `PLACEMENT_PEOPLE_PER_SITE` people (default 5,000).
//!
//! Run: `cargo bench --bench placement`; `PLACEMENT_NODES`,
//! `PLACEMENT_SETTLEMENTS`, `PLACEMENT_CANDIDATES` and `PLACEMENT_K` change
//! the sizes (defaults 1,000,000, 100,000, 10,000 and 50);
//! `PLACEMENT_OBJECTIVES` lists the objectives (default
//! `coverage,median,capacity`); `PLACEMENT_EXACT=100,200` compares the
//! heuristic with the MILP on the first 100, 200 candidates instead, for
//! `PLACEMENT_EXACT_OBJECTIVE` (`coverage` or `capacity`).

#[path = "common/engine.rs"]
mod engine;
#[path = "common/synth.rs"]
mod synth;

use std::time::Instant;

use remoteness::config::Threshold;
use remoteness::execution::Execution;
use remoteness::pipeline::{Quiet, Study};
use remoteness::placement::study::{problem, settlement_candidates, Goal};
use remoteness::placement::{exact, solve, Limits};
use remoteness::units::Seconds;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .map(|s| s.parse().expect("a number"))
        .unwrap_or(default)
}

fn main() {
    let n = env("PLACEMENT_NODES", 1_000_000);
    let settlements = env("PLACEMENT_SETTLEMENTS", 100_000);
    let candidates = env("PLACEMENT_CANDIDATES", 10_000);
    let k = env("PLACEMENT_K", 50);
    let t = Instant::now();
    // Health by road within 15 min: a stretch the 200 existing facilities
    // leave most people beyond.
    let mut settings = engine::settings();
    settings.services[0].threshold = Threshold::Time(Seconds(15.0 * 60.0));
    let mut study = Study::prepare(settings, engine::dataset(n, settlements, 200), &Quiet);
    let baseline = study.analyse(Execution::Parallel, &Quiet);
    println!(
        "figure: prepared {n} nodes, {settlements} settlements and the baseline in {:.1} s on {} threads",
        t.elapsed().as_secs_f64(),
        rayon::current_num_threads()
    );
    let capacity = Goal::Capacity {
        people_per_unit: env("PLACEMENT_PEOPLE_PER_SITE", 5000) as f64,
        site_capacity: 1.0,
    };
    let goal_named = |name: &str| match name {
        "coverage" => Goal::Coverage,
        "median" => Goal::Median { cap_min: 30.0 },
        "capacity" => capacity,
        o => panic!("unknown objective {o}"),
    };
    // Every tenth settlement is a candidate: 10,000 spread over the land.
    let all = settlement_candidates(&study);
    let step = (all.len() / candidates).max(1);
    let cands: Vec<_> = all.into_iter().step_by(step).take(candidates).collect();
    if let Ok(sizes) = std::env::var("PLACEMENT_EXACT") {
        // The heuristic against the MILP optimum (k = PLACEMENT_EXACT_K,
        // default 10) on the first N candidates, N as listed
        // (`PLACEMENT_EXACT=100,200,400`).
        let objective =
            std::env::var("PLACEMENT_EXACT_OBJECTIVE").unwrap_or_else(|_| "coverage".into());
        for size in sizes
            .split(',')
            .map(|x| x.trim().parse::<usize>().expect("sizes"))
        {
            let sub: Vec<_> = cands.iter().take(size).cloned().collect();
            let pl = problem(
                &study,
                &baseline,
                0,
                goal_named(&objective),
                sub,
                Execution::Parallel,
            )
            .expect("a time threshold");
            let kk = env("PLACEMENT_EXACT_K", 10).min(pl.candidates.len());
            let t0 = Instant::now();
            let sol = solve(
                &pl.problem,
                &Limits {
                    k: kk,
                    ..Limits::default()
                },
            )
            .expect("solvable");
            let heur_s = t0.elapsed().as_secs_f64();
            let t1 = Instant::now();
            let milp = match pl.problem.objective {
                remoteness::placement::Objective::Capacity { .. } => {
                    exact::milp_capacity(&pl.problem, kk)
                }
                _ => exact::milp_coverage(&pl.problem, kk),
            };
            let milp_s = t1.elapsed().as_secs_f64();
            match milp {
                Ok((v, _)) => println!(
                    "figure: exact: {objective}, {size} candidates, k = {kk}: heuristic gain {:.1} in {heur_s:.3} s, \
                     MILP optimum {:.1} in {milp_s:.1} s: heuristic/optimum = {:.5}",
                    sol.value - sol.base,
                    v - sol.base,
                    (sol.value - sol.base) / (v - sol.base).max(f64::MIN_POSITIVE)
                ),
                Err(e) => println!("figure: exact: {size} candidates: the MILP failed after {milp_s:.1} s: {e}"),
            }
        }
        return;
    }
    let objectives =
        std::env::var("PLACEMENT_OBJECTIVES").unwrap_or_else(|_| "coverage,median,capacity".into());
    for name in objectives.split(',').map(str::trim) {
        let goal = goal_named(name);
        for run in 0..2 {
            let t0 = Instant::now();
            let pl = problem(
                &study,
                &baseline,
                0,
                goal,
                cands.clone(),
                Execution::Parallel,
            )
            .expect("a time threshold");
            let rows_s = t0.elapsed().as_secs_f64();
            let t1 = Instant::now();
            let sol = solve(
                &pl.problem,
                &Limits {
                    k,
                    ..Limits::default()
                },
            )
            .expect("solvable");
            let solve_s = t1.elapsed().as_secs_f64();
            if run == 1 {
                let pairs: usize = pl.problem.rows.iter().map(Vec::len).sum();
                println!(
                    "figure: {name}: k = {k} from {} candidates: searches {rows_s:.2} s \
                     ({pairs} pairs), solve {solve_s:.2} s, total {:.2} s; gain {:.1}, \
                     bound {:.1} (gap {:.2} %), {} swaps",
                    pl.candidates.len(),
                    rows_s + solve_s,
                    sol.value - sol.base,
                    sol.upper_bound.unwrap_or(f64::NAN) - sol.base,
                    100.0 * sol.gap().unwrap_or(f64::NAN),
                    sol.swaps
                );
            }
        }
    }
}

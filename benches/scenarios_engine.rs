//! Scenarios through the whole engine, on the seeded 1M-node rural network
//! (`common/synth.rs`) turned into roads, 20,000 settlements and one
//! service (health, by road, 200 facilities), with the default measures of
//! that service (E2SFCA catchment, coverage), the score and H3 zones:
//!
//! * `full_evaluation`: the scenario "add one facility" run from scratch
//!   (`scenario::run::evaluate_full`: the search, catchment rows, coverage,
//!   score and zones): what a scenario costs without the incremental path;
//! * `full_search`: the search alone, for reference;
//! * `add_one_facility` / `remove_one_facility`: `apply` + `evaluate`
//!   (incremental search, reused catchment rows, then measures, score and
//!   zones on the scenario's inputs);
//! * `sweep_add_scenarios`: 1,000 single-facility additions, each at
//!   another settlement, scenarios in parallel on a 2-thread pool;
//! * `growth/add_K`: K = 1, 4, 16, 64 facilities added in one scenario;
//! * `road_closure`: every road inside a square holding 1 % of the road
//!   vertices closed: the profile's context rebuilt, searched again,
//!   re-scored; `road_closure_apply` and `road_closure_search` time the
//!   first two apart (the time to new labels).
//!
//! Gravity remoteness (bounded searches from every centre, independent of
//! the facilities) is off: it would inflate the full evaluation, which the
//! incremental path skips by reusing it. Inputs and the baseline are built
//! once, outside the timed code; the strategies each scenario took and the
//! size of the closure are printed as `figure:` lines, and every timed
//! scenario is checked once against `evaluate_full`.
//!
//! Run: `cargo bench --bench scenarios_engine`; `SCENARIOS_NODES` changes the
//! network size (default 1,000,000).

#[path = "common/engine.rs"]
mod engine;
#[path = "common/synth.rs"]
mod synth;

use engine::{dataset, settings};

use criterion::{black_box, criterion_group, criterion_main, Criterion, SamplingMode};
use rayon::prelude::*;
use remoteness::model::LonLat;
use remoteness::pipeline::{Execution, Quiet, Results, Study};
use remoteness::scenario::apply::apply;
use remoteness::scenario::run::{evaluate, evaluate_full, Strategy};
use remoteness::scenario::{
    FacilitySelection, Modification, NewFacility, RoadEdit, RoadSelection, Scenario, ScenarioSet,
};

const FACILITIES: usize = 200;
const SETTLEMENTS: usize = 20_000;
const SWEEP: usize = 1_000;

fn nodes() -> usize {
    std::env::var("SCENARIOS_NODES")
        .ok()
        .map(|s| s.parse().expect("SCENARIOS_NODES is a number"))
        .unwrap_or(1_000_000)
}

fn scenario(name: &str, modifications: Vec<Modification>) -> Scenario {
    Scenario {
        name: name.into(),
        description: String::new(),
        modifications,
    }
}

fn add_at(study: &Study, settlements: &[usize], tag: &str) -> Scenario {
    let mods = settlements
        .iter()
        .enumerate()
        .map(|(j, &i)| {
            Modification::AddFacility(NewFacility {
                id: format!("{tag}{j}"),
                name: String::new(),
                service: "health".into(),
                pos: study.dataset.settlements[i].settlement.pos,
                capacity: 2.0,
            })
        })
        .collect();
    scenario(tag, mods)
}

/// A square polygon (degrees) around the network's centre holding about
/// 1 % of its road vertices.
fn closure(study: &Study, n: usize) -> Scenario {
    let pts: Vec<LonLat> = study
        .roads
        .iter()
        .flat_map(|r| r.vertices.iter().map(|v| v.1))
        .collect();
    let (cx, cy) = (
        pts.iter().map(|p| p.lon).sum::<f64>() / pts.len() as f64,
        pts.iter().map(|p| p.lat).sum::<f64>() / pts.len() as f64,
    );
    // Grow the square until it holds 1 % of the vertices (each node is
    // listed once per segment it ends, inside as outside the square).
    let mut half = 0.001;
    loop {
        let inside = pts
            .iter()
            .filter(|p| (p.lon - cx).abs() <= half && (p.lat - cy).abs() <= half)
            .count();
        if inside >= pts.len() / 100 {
            eprintln!(
                "figure: closure square {:.3}° a side, {inside} of {} road vertices (network {n} nodes)",
                2.0 * half,
                pts.len()
            );
            break;
        }
        half *= 1.1;
    }
    let ring = geo_types::LineString::from(vec![
        (cx - half, cy - half),
        (cx + half, cy - half),
        (cx + half, cy + half),
        (cx - half, cy + half),
        (cx - half, cy - half),
    ]);
    scenario(
        "closure",
        vec![Modification::Road(RoadEdit::Close(RoadSelection {
            within: Some(geo_types::Polygon::new(ring, vec![])),
            ..Default::default()
        }))],
    )
}

fn fingerprint(r: &Results) -> String {
    format!(
        "{:?}{:?}{:?}{:?}",
        r.access.iter().map(|a| &a.access).collect::<Vec<_>>(),
        r.measures,
        r.scores,
        r.zone_stats
    )
}

fn engine(c: &mut Criterion) {
    let n = nodes();
    let mut study = Study::prepare(settings(), dataset(n, SETTLEMENTS, FACILITIES), &Quiet);
    let base = study.analyse(Execution::Parallel, &Quiet);
    let baseline = Results {
        access: base.access.clone(),
        measures: base.measures.clone(),
        scores: base.scores.clone(),
        zone_stats: base.zone_stats.clone(),
        zone_measures: base.zone_measures.clone(),
    };
    let set = ScenarioSet {
        path: "bench.toml".into(),
        sha256: String::new(),
        seasons: Default::default(),
        scenarios: Vec::new(),
    };
    let mut rng = synth::Rng(11);
    let mut pick = |k: usize| (0..k).map(|_| rng.below(SETTLEMENTS)).collect::<Vec<_>>();
    let add_one = add_at(&study, &pick(1), "add");
    let remove_one = scenario(
        "remove",
        vec![Modification::RemoveFacilities(FacilitySelection {
            ids: vec!["h17".into()],
            ..Default::default()
        })],
    );
    let closed = closure(&study, n);
    let growth: Vec<(usize, Scenario)> = [1, 4, 16, 64]
        .into_iter()
        .map(|k| (k, add_at(&study, &pick(k), &format!("grow{k}_"))))
        .collect();
    let sweep: Vec<Scenario> = (0..SWEEP)
        .map(|j| add_at(&study, &pick(1), &format!("sweep{j}_")))
        .collect();

    // Each timed scenario once against the oracle, with its strategy.
    let mut checked = vec![
        ("add_one_facility", &add_one),
        ("remove_one_facility", &remove_one),
        ("road_closure", &closed),
    ];
    checked.extend(growth.iter().map(|(_, sc)| ("growth", sc)));
    for (label, sc) in &checked {
        let applied = apply(&study, &set, sc).expect("scenario applies");
        let ev = evaluate(&study, &baseline, &applied, Execution::Parallel);
        let full = evaluate_full(&study, &applied, Execution::Parallel);
        assert_eq!(fingerprint(&ev.results), fingerprint(&full), "{label}");
        let first = applied.reports.first().map_or("", |r| r.report.as_str());
        eprintln!(
            "figure: {label} {}: {:?}; {} modification(s), first: {first}",
            sc.name,
            ev.strategies,
            applied.reports.len()
        );
    }

    let mut g = c.benchmark_group("scenarios_engine");
    g.sample_size(10).sampling_mode(SamplingMode::Flat);
    let applied_add = apply(&study, &set, &add_one).unwrap();
    g.bench_function("full_evaluation", |b| {
        b.iter(|| evaluate_full(&study, black_box(&applied_add), Execution::Parallel))
    });
    let model = study.model();
    let health = &study.settings.services[0];
    g.bench_function("full_search", |b| {
        b.iter(|| model.service_access(health, black_box(applied_add.facilities.clone())))
    });
    g.bench_function("add_one_facility", |b| {
        b.iter(|| {
            let a = apply(&study, &set, black_box(&add_one)).unwrap();
            evaluate(&study, &baseline, &a, Execution::Parallel)
        })
    });
    g.bench_function("remove_one_facility", |b| {
        b.iter(|| {
            let a = apply(&study, &set, black_box(&remove_one)).unwrap();
            evaluate(&study, &baseline, &a, Execution::Parallel)
        })
    });
    for (k, sc) in &growth {
        g.bench_function(format!("growth/add_{k}"), |b| {
            b.iter(|| {
                let a = apply(&study, &set, black_box(sc)).unwrap();
                evaluate(&study, &baseline, &a, Execution::Parallel)
            })
        });
    }
    g.bench_function("road_closure_apply", |b| {
        b.iter(|| apply(&study, &set, black_box(&closed)).unwrap())
    });
    let applied_closed = apply(&study, &set, &closed).unwrap();
    g.bench_function("road_closure_search", |b| {
        let m = applied_closed.model(&study);
        b.iter(|| m.service_access(health, black_box(study.dataset.facilities.clone())))
    });
    g.bench_function("road_closure", |b| {
        b.iter(|| {
            let a = apply(&study, &set, black_box(&closed)).unwrap();
            evaluate(&study, &baseline, &a, Execution::Parallel)
        })
    });
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let run_sweep = || -> Vec<Strategy> {
        pool.install(|| {
            sweep
                .par_iter()
                .map(|sc| {
                    let a = apply(&study, &set, sc).unwrap();
                    evaluate(&study, &baseline, &a, Execution::Sequential).strategies[0]
                })
                .collect()
        })
    };
    let strategies = run_sweep();
    eprintln!(
        "figure: sweep strategies: {} incremental, {} full, {} reused of {SWEEP}",
        strategies
            .iter()
            .filter(|s| **s == Strategy::Incremental)
            .count(),
        strategies.iter().filter(|s| **s == Strategy::Full).count(),
        strategies
            .iter()
            .filter(|s| **s == Strategy::Reused)
            .count(),
    );
    g.bench_function("sweep_add_scenarios", |b| b.iter(run_sweep));
    g.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);

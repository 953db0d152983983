//! Stage benchmarks on the bundled Liechtenstein extract, and the bare
//! multi-source search on a seeded synthetic grid.
//!
//! Run: `cargo bench --bench pipeline`.

use std::path::PathBuf;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use remoteness::config::Settings;
use remoteness::index::{Csr, RoadNetwork};
use remoteness::load;
use remoteness::pipeline::{analyse, Execution, Quiet};
use remoteness::score;
use remoteness::search::access::{access_all, TravelModel};
use remoteness::search::{multi_source, Seed};

fn fixture_settings() -> Settings {
    let p =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/liechtenstein/liechtenstein.toml");
    Settings::load(&p).expect("fixture config")
}

fn stages(c: &mut Criterion) {
    let settings = fixture_settings();
    let mut g = c.benchmark_group("liechtenstein");
    g.sample_size(10);
    g.bench_function("load_pbf", |b| {
        b.iter(|| load::load(black_box(&settings)).unwrap())
    });
    let ds = load::load(&settings).unwrap();
    g.bench_function("index_network", |b| {
        b.iter(|| RoadNetwork::build(black_box(&ds.roads)))
    });
    let net = RoadNetwork::build(&ds.roads);
    let profiles: Vec<_> = settings.profiles.values().cloned().collect();
    g.bench_function("graphs_and_snap", |b| {
        b.iter(|| TravelModel::build(&net, settings.travel, &ds.settlements, profiles.clone()))
    });
    let model = TravelModel::build(&net, settings.travel, &ds.settlements, profiles.clone());
    g.bench_function("search_4_services", |b| {
        b.iter(|| access_all(&model, &settings.services, &ds.facilities))
    });
    let access = access_all(&model, &settings.services, &ds.facilities);
    let pop: Vec<f64> = ds
        .settlements
        .iter()
        .map(|s| s.settlement.population.0)
        .collect();
    g.bench_function("score", |b| {
        b.iter(|| score::score(&settings.services, &access, &pop))
    });
    g.bench_function("whole_pipeline", |b| {
        b.iter(|| analyse(settings.clone(), Execution::Parallel, &Quiet).unwrap())
    });
    g.finish();
}

/// A `side × side` grid with 4-neighbour arcs and pseudo-random times.
fn grid(side: usize) -> Csr {
    let mut s = 42u64;
    let mut next = || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        1.0 + (s >> 40) as f64 / (1u64 << 24) as f64 * 60.0
    };
    let id = |x: usize, y: usize| (y * side + x) as u32;
    let mut arcs = Vec::with_capacity(side * side * 4);
    for y in 0..side {
        for x in 0..side {
            if x + 1 < side {
                let t = next();
                arcs.push((id(x, y), id(x + 1, y), t, t * 10.0));
                arcs.push((id(x + 1, y), id(x, y), t, t * 10.0));
            }
            if y + 1 < side {
                let t = next();
                arcs.push((id(x, y), id(x, y + 1), t, t * 10.0));
                arcs.push((id(x, y + 1), id(x, y), t, t * 10.0));
            }
        }
    }
    Csr::from_arcs(side * side, arcs)
}

fn search(c: &mut Criterion) {
    let side = 316; // ≈ 100 000 nodes, 400 000 arcs
    let g = grid(side);
    let seeds: Vec<Seed> = (0..200u32)
        .map(|i| Seed {
            node: (i as usize * 7919 % (side * side)) as u32,
            time_s: 0.0,
            dist_m: 0.0,
            source: i,
        })
        .collect();
    let mut grp = c.benchmark_group("grid_100k");
    grp.sample_size(10);
    grp.bench_function("multi_source_200_facilities", |b| {
        b.iter(|| multi_source(black_box(&g), &seeds))
    });
    grp.bench_function("edge_sweep_floor", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for e in 0..g.arc_count() {
                acc += g.time_s[e] * (g.head[e] & 1) as f64;
            }
            black_box(acc)
        })
    });
    grp.finish();
}

criterion_group!(benches, stages, search);
criterion_main!(benches);

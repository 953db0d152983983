//! Stage benchmarks on the real fixtures: load, index, snap (graphs and
//! settlement snaps), search (four services), score, zones, write, and the
//! whole pipeline. Synthetic-network search benchmarks are in `search.rs`.
//!
//! Run: `cargo bench --bench pipeline`.

use std::path::PathBuf;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use remoteness::config::Settings;
use remoteness::index::RoadNetwork;
use remoteness::load;
use remoteness::pipeline::{analyse, Execution, Quiet};
use remoteness::score;
use remoteness::search::access::{access_all, access_all_sequential, TravelModel};
use remoteness::write::write_outputs;

fn fixture_settings(rel: &str) -> Settings {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel);
    Settings::load(&p).expect("fixture config")
}

fn stages(c: &mut Criterion) {
    let settings = fixture_settings("liechtenstein/liechtenstein.toml");
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
    g.bench_function("search_4_services_sequential", |b| {
        b.iter(|| access_all_sequential(&model, &settings.services, &ds.facilities))
    });
    let access = access_all(&model, &settings.services, &ds.facilities);
    let pop = ds.populations();
    g.bench_function("score", |b| {
        b.iter(|| score::score(&settings.services, &access, &pop))
    });
    let analysis = analyse(settings.clone(), Execution::Parallel, &Quiet).unwrap();
    let zone_ids: Vec<String> = analysis.zones.iter().map(|z| z.id.clone()).collect();
    g.bench_function("zones", |b| {
        b.iter(|| {
            remoteness::zones::aggregate(
                &zone_ids,
                &analysis.zone_of,
                &pop,
                &settings.services,
                &analysis.scores,
                &settings.zones,
            )
        })
    });
    let out = tempfile::tempdir().unwrap();
    g.bench_function("write", |b| {
        b.iter(|| write_outputs(&analysis, out.path(), &[], 1, &[], None, &[]).unwrap())
    });
    g.bench_function("whole_pipeline", |b| {
        b.iter(|| analyse(settings.clone(), Execution::Parallel, &Quiet).unwrap())
    });
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);

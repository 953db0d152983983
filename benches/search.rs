//! The nearest-facility search on seeded synthetic networks: rural-looking
//! networks of 0.1M, 1M and 4M nodes (see `common/synth.rs`) and the 1M-node
//! grid, one service of 200 facilities. Beside each search: one sweep over
//! every arc (the floor proxy) and, up to 1M nodes, the binary-heap
//! reference.
//!
//! Run: `cargo bench --bench search`. The peers (scipy, igraph, networkx,
//! Pandana) are compared on the same graphs by `benches/peers/run.py`.

#[path = "common/synth.rs"]
mod synth;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use remoteness::index::{Csr, SearchGraph};
use remoteness::search::{multi_source, multi_source_reference};

fn sweep(g: &Csr) -> f64 {
    let mut acc = 0.0;
    for (h, t) in g.head.iter().zip(&g.time_s) {
        acc += t * f64::from(h & 1);
    }
    acc
}

fn case(c: &mut Criterion, name: &str, net: synth::Network, reference: bool) {
    let n = net.xy.len();
    let csr = Csr::from_arcs(n, net.arcs);
    let g = SearchGraph::from(&csr);
    let seeds = synth::facilities(n, 200, 2);
    let mut grp = c.benchmark_group(name);
    grp.sample_size(10);
    grp.bench_function("search_200_facilities", |b| {
        b.iter(|| multi_source(black_box(&g), &seeds))
    });
    grp.bench_function("edge_sweep_floor", |b| b.iter(|| sweep(black_box(&csr))));
    if reference {
        grp.bench_function("reference_200_facilities", |b| {
            b.iter(|| multi_source_reference(black_box(&csr), &seeds))
        });
    }
    grp.finish();
}

fn search(c: &mut Criterion) {
    case(c, "rural_100k", synth::rural(100_000, 1), true);
    case(c, "rural_1m", synth::rural(1_000_000, 1), true);
    case(c, "grid_1m", synth::grid(1000, 1), true);
    case(c, "rural_4m", synth::rural(4_000_000, 1), false);
}

criterion_group!(benches, search);
criterion_main!(benches);

//! Bounded searches (the catchment cost rows and the gravity index: one
//! search per facility or population centre, stopped at a cutoff) on the
//! seeded rural 1M-node network (see `common/synth.rs`): 20 searches from
//! pseudo-random nodes, reusing one set of buffers, at a 30-minute and a
//! 120-minute cutoff.
//!
//! Run: `cargo bench --bench bounded`.

#[path = "common/synth.rs"]
mod synth;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use remoteness::index::{Csr, SearchGraph};
use remoteness::search::bounded::BoundedSearch;

fn bounded(c: &mut Criterion) {
    let net = synth::rural(1_000_000, 1);
    let n = net.xy.len();
    let g = SearchGraph::from(&Csr::from_arcs(n, net.arcs));
    let sources: Vec<u32> = synth::facilities(n, 20, 3).iter().map(|s| s.node).collect();
    let mut grp = c.benchmark_group("rural_1m_bounded");
    grp.sample_size(10);
    for minutes in [30.0, 120.0] {
        let mut search = BoundedSearch::new(n);
        grp.bench_function(format!("20_searches_{minutes}_min"), |b| {
            b.iter(|| {
                let mut settled = 0usize;
                for &s in &sources {
                    search.run(black_box(&g), &[(s, 0.0)], minutes * 60.0, |_, _| {
                        settled += 1
                    });
                }
                settled
            })
        });
    }
    grp.finish();
}

criterion_group!(benches, bounded);
criterion_main!(benches);

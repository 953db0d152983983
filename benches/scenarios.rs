//! What a scenario costs against the full search it replaces, on the seeded
//! 1M-node rural network (`common/synth.rs`) with one service of 200
//! facilities:
//!
//! * `full_search`: `multi_source` from the 200 seeds, the baseline a
//!   scenario would otherwise pay;
//! * `add_one_facility`: `add_sources` for one new facility, plus the
//!   re-evaluation proxy: 20,000 pseudo-random settlement nodes, a copy of
//!   their baseline `(time, source)` labels, and the entries whose node
//!   changed patched (as `scenario::run` re-evaluates only the settlements
//!   whose exit nodes changed);
//! * `sweep_add_scenarios`: 1,000 such scenarios, one new facility each at a
//!   different node, over a 2-thread rayon pool; a scenario whose update
//!   reports a tie (`None`) runs the full search with 201 seeds instead, as
//!   the engine does;
//! * `growth/add_K`: K = 1, 4, 16, 64 facilities added at once;
//! * `road_closure`: the arcs of the nodes inside a square holding 1 % of
//!   the nodes removed, the graph rebuilt (`SearchGraph::from_arcs`) and
//!   searched again: the time to new labels.
//!
//! Inputs are built once, outside the timed closures. The figures the
//! timings do not show (changed-node counts, fallbacks, the closed square)
//! are printed as `figure:` lines.
//!
//! Run: `cargo bench --bench scenarios`. The network size can be changed
//! with `SCENARIOS_NODES` (default 1,000,000).

#[path = "common/synth.rs"]
mod synth;

use criterion::{black_box, criterion_group, criterion_main, Criterion, SamplingMode};
use rayon::prelude::*;
use remoteness::index::SearchGraph;
use remoteness::scenario::incremental::{add_sources, Changed};
use remoteness::search::{multi_source, Seed, ShortestPaths};

/// One service's labels at the settlements: `(seconds, source)`.
type Settled = Vec<(f64, u32)>;

const FACILITIES: usize = 200;
const SETTLEMENTS: usize = 20_000;
const SWEEP: usize = 1_000;

fn nodes() -> usize {
    std::env::var("SCENARIOS_NODES")
        .ok()
        .map(|s| s.parse().expect("SCENARIOS_NODES is a number"))
        .unwrap_or(1_000_000)
}

/// `count` pseudo-random nodes.
fn random_nodes(n: usize, count: usize, seed: u64) -> Vec<u32> {
    let mut rng = synth::Rng(seed);
    (0..count).map(|_| rng.below(n) as u32).collect()
}

/// New facilities at `nodes`, numbered after the baseline's.
fn new_seeds(nodes: &[u32]) -> Vec<Seed> {
    nodes
        .iter()
        .enumerate()
        .map(|(i, &node)| Seed {
            node,
            time_s: 0.0,
            dist_m: 0.0,
            source: (FACILITIES + i) as u32,
        })
        .collect()
}

fn read(sp: &ShortestPaths, settlements: &[u32]) -> Settled {
    settlements
        .iter()
        .map(|&v| (sp.time_s[v as usize], sp.source[v as usize]))
        .collect()
}

/// The baseline settlement labels with those of changed nodes patched in.
fn patch(base: &Settled, settlements: &[u32], changed: &Changed) -> Settled {
    let mut out = base.clone();
    for (slot, v) in out.iter_mut().zip(settlements) {
        if let Some(&(t, _, s)) = changed.get(v) {
            *slot = (t, s);
        }
    }
    out
}

struct Inputs {
    g: SearchGraph,
    seeds: Vec<Seed>,
    base: ShortestPaths,
    settlements: Vec<u32>,
    base_settled: Settled,
}

/// One add scenario: the settlement labels, and whether it fell back to the
/// full search.
fn scenario(x: &Inputs, added: &[Seed]) -> (Settled, bool) {
    match add_sources(&x.g, &x.base, added) {
        Some(changed) => (patch(&x.base_settled, &x.settlements, &changed), false),
        None => {
            let mut all = x.seeds.clone();
            all.extend_from_slice(added);
            (read(&multi_source(&x.g, &all), &x.settlements), true)
        }
    }
}

/// The settlement labels of the full search with `added` seeds too.
fn oracle(x: &Inputs, added: &[Seed]) -> Settled {
    let mut all = x.seeds.clone();
    all.extend_from_slice(added);
    read(&multi_source(&x.g, &all), &x.settlements)
}

fn scenarios(c: &mut Criterion) {
    let net = synth::rural(nodes(), 1);
    let n = net.xy.len();
    let seeds = synth::facilities(n, FACILITIES, 2);
    let g = SearchGraph::from_arcs(n, net.arcs.clone());
    let base = multi_source(&g, &seeds);
    let settlements = random_nodes(n, SETTLEMENTS, 5);
    let base_settled = read(&base, &settlements);
    let x = Inputs {
        g,
        seeds,
        base,
        settlements,
        base_settled,
    };
    println!(
        "figure: network nodes={n} arcs={} facilities={FACILITIES} settlements={SETTLEMENTS}",
        x.g.arc_count()
    );

    // One new facility; its result checked against the full search.
    let one = new_seeds(&random_nodes(n, 1, 3));
    let one_changed = add_sources(&x.g, &x.base, &one).map(|c| c.len());
    let (one_settled, _) = scenario(&x, &one);
    assert!(one_settled == oracle(&x, &one), "incremental != full");
    let reevaluated = |c: &Changed| x.settlements.iter().filter(|v| c.contains_key(v)).count();
    println!(
        "figure: add_one_facility node={} changed_nodes={one_changed:?} settlements_reevaluated={:?}",
        one[0].node,
        add_sources(&x.g, &x.base, &one).map(|c| reevaluated(&c)),
    );

    // The sweep's scenarios; fallbacks and changed-node counts counted
    // once, and the first few checked against the full search.
    let sweep: Vec<Vec<Seed>> = random_nodes(n, SWEEP, 7)
        .iter()
        .map(|&v| new_seeds(&[v]))
        .collect();
    let mut counts: Vec<usize> = Vec::new();
    let mut fallbacks = 0;
    for s in &sweep {
        match add_sources(&x.g, &x.base, s) {
            Some(c) => counts.push(c.len()),
            None => fallbacks += 1,
        }
    }
    for s in &sweep[..5] {
        assert!(scenario(&x, s).0 == oracle(&x, s), "incremental != full");
    }
    counts.sort_unstable();
    println!(
        "figure: sweep scenarios={SWEEP} fallbacks={fallbacks} changed_nodes median={} mean={:.0} max={}",
        counts.get(counts.len() / 2).copied().unwrap_or(0),
        counts.iter().sum::<usize>() as f64 / counts.len().max(1) as f64,
        counts.last().copied().unwrap_or(0),
    );

    let growth: Vec<(usize, Vec<Seed>)> = [1, 4, 16, 64]
        .into_iter()
        .map(|k| (k, new_seeds(&random_nodes(n, k, 11))))
        .collect();
    for (k, s) in &growth {
        let changed = add_sources(&x.g, &x.base, s);
        println!(
            "figure: growth add={k} changed_nodes={:?} settlements_reevaluated={:?}",
            changed.as_ref().map(|c| c.len()),
            changed.as_ref().map(&reevaluated),
        );
    }

    // Road closure: every arc of a node inside the square around the
    // network's centre that holds 1 % of the nodes.
    let (mut lo, mut hi) = ((f64::MAX, f64::MAX), (f64::MIN, f64::MIN));
    for &(px, py) in &net.xy {
        (lo.0, lo.1, hi.0, hi.1) = (lo.0.min(px), lo.1.min(py), hi.0.max(px), hi.1.max(py));
    }
    let centre = ((lo.0 + hi.0) / 2.0, (lo.1 + hi.1) / 2.0);
    let cheb = |p: &(f64, f64)| (p.0 - centre.0).abs().max((p.1 - centre.1).abs());
    let mut d: Vec<f64> = net.xy.iter().map(cheb).collect();
    let k = n / 100;
    d.select_nth_unstable_by(k, f64::total_cmp);
    let half = d[k];
    let inside: Vec<bool> = net.xy.iter().map(|p| cheb(p) < half).collect();
    let open = |arcs: &synth::Arcs| -> synth::Arcs {
        arcs.iter()
            .filter(|a| !inside[a.0 as usize] && !inside[a.1 as usize])
            .copied()
            .collect()
    };
    let kept = open(&net.arcs);
    println!(
        "figure: road_closure square_side_m={:.0} nodes_inside={} arcs_removed={} of {} ({:.2} %)",
        2.0 * half,
        inside.iter().filter(|&&b| b).count(),
        net.arcs.len() - kept.len(),
        net.arcs.len(),
        100.0 * (net.arcs.len() - kept.len()) as f64 / net.arcs.len() as f64,
    );
    drop(kept);

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("a 2-thread pool");

    let mut grp = c.benchmark_group("scenarios");
    grp.sample_size(10);
    grp.sampling_mode(SamplingMode::Flat);
    grp.bench_function("full_search", |b| {
        b.iter(|| multi_source(black_box(&x.g), &x.seeds))
    });
    grp.bench_function("add_one_facility", |b| {
        b.iter(|| scenario(black_box(&x), &one))
    });
    grp.bench_function("sweep_add_scenarios", |b| {
        b.iter(|| {
            pool.install(|| {
                sweep
                    .par_iter()
                    .map(|s| {
                        let (settled, fell_back) = scenario(&x, s);
                        black_box(settled);
                        usize::from(fell_back)
                    })
                    .sum::<usize>()
            })
        })
    });
    for (k, s) in &growth {
        grp.bench_function(format!("growth/add_{k}"), |b| {
            b.iter(|| scenario(black_box(&x), s))
        });
    }
    grp.bench_function("road_closure/rebuild_graph", |b| {
        b.iter(|| SearchGraph::from_arcs(n, open(black_box(&net.arcs))))
    });
    grp.bench_function("road_closure/rebuild_and_search", |b| {
        b.iter(|| {
            let g = SearchGraph::from_arcs(n, open(black_box(&net.arcs)));
            multi_source(&g, &x.seeds)
        })
    });
    grp.finish();
}

criterion_group!(benches, scenarios);
criterion_main!(benches);

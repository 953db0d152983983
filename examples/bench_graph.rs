//! Times the nearest-facility search on a seeded synthetic network, and
//! exports the network for the peer benchmark (`benches/peers/run.py`).
//!
//! ```text
//! cargo run --release --example bench_graph -- [--graph rural|grid] [--nodes N]
//!     [--facilities F] [--runs R] [--reference] [--threads] [--memory] [--hierarchy]
//!     [--export DIR]
//! ```
//!
//! Prints one JSON object: node and arc counts, the median over `R` runs
//! (wall time, and the thread's CPU time, which a busy shared machine
//! disturbs less) of
//! one sweep over every arc (the floor: a search must at least read each arc
//! once), of the production search and (with `--reference`) of the
//! binary-heap reference; with `--threads`, four services (four seed sets)
//! on a 1-thread and on a 2-thread rayon pool; with `--hierarchy`, the
//! contraction hierarchy's build time and query time, and its largest
//! relative difference from the exact search; and the peak resident set
//! (`VmHWM`) in bytes and per node. `--memory` builds only the search's
//! graph and runs one search, so that the peak is the engine's own: the
//! graph, the search's working set and its result. `--export DIR` writes the searched graph
//! and the seeds as raw little-endian arrays (`tail.u32`, `head.u32`,
//! `time.f64`, node positions `x.f64`, `y.f64`, `seed_node.u32`,
//! `seed_time.f64`) and our times (`ours.f64`).

#[path = "../benches/common/synth.rs"]
mod synth;

use std::hint::black_box;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use rayon::prelude::*;
use remoteness::index::{Csr, SearchGraph};
use remoteness::search::ch::Hierarchy;
use remoteness::search::{multi_source, multi_source_reference, Seed};

struct Args {
    graph: String,
    nodes: usize,
    facilities: usize,
    runs: usize,
    reference: bool,
    threads: bool,
    memory: bool,
    hierarchy: bool,
    export: Option<PathBuf>,
}

fn args() -> Args {
    let mut a = Args {
        graph: "rural".into(),
        nodes: 1_000_000,
        facilities: 200,
        runs: 5,
        reference: false,
        threads: false,
        memory: false,
        hierarchy: false,
        export: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut val = || it.next().unwrap_or_else(|| panic!("{k} needs a value"));
        match k.as_str() {
            "--graph" => a.graph = val(),
            "--nodes" => a.nodes = val().parse().expect("--nodes N"),
            "--facilities" => a.facilities = val().parse().expect("--facilities F"),
            "--runs" => a.runs = val().parse().expect("--runs R"),
            "--export" => a.export = Some(val().into()),
            "--reference" => a.reference = true,
            "--threads" => a.threads = true,
            "--memory" => a.memory = true,
            "--hierarchy" => a.hierarchy = true,
            _ => panic!("unknown argument {k}"),
        }
    }
    a
}

/// Median wall time of `runs` calls, seconds.
fn median_time<T>(runs: usize, f: impl FnMut() -> T) -> f64 {
    median_times(runs, f).0
}

/// CPU time of the calling thread, seconds (`/proc/thread-self/schedstat`,
/// nanoseconds on the CPU): unlike wall time, it does not count the time
/// other processes on a shared machine hold the core.
fn thread_cpu_s() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(f64::NAN, |ns| ns as f64 * 1e-9)
}

/// Median wall time and median thread CPU time of `runs` calls, seconds.
fn median_times<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, f64) {
    let (mut wall, mut cpu): (Vec<f64>, Vec<f64>) = (0..runs.max(1))
        .map(|_| {
            let (t0, c0) = (Instant::now(), thread_cpu_s());
            black_box(f());
            (t0.elapsed().as_secs_f64(), thread_cpu_s() - c0)
        })
        .unzip();
    wall.sort_by(f64::total_cmp);
    cpu.sort_by(f64::total_cmp);
    (wall[wall.len() / 2], cpu[cpu.len() / 2])
}

/// One pass over every arc, reading head and time from the plain CSR arrays
/// (12 bytes an arc, the least a search must read): the floor proxy.
fn edge_sweep(g: &Csr) -> f64 {
    let mut acc = 0.0;
    for (h, t) in g.head.iter().zip(&g.time_s) {
        acc += t * f64::from(h & 1);
    }
    acc
}

fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn write_raw(dir: &std::path::Path, name: &str, bytes: impl Iterator<Item = u8>) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join(name)).unwrap());
    for b in bytes {
        f.write_all(&[b]).unwrap();
    }
}

fn main() {
    let a = args();
    let t0 = Instant::now();
    let net = match a.graph.as_str() {
        "rural" => synth::rural(a.nodes, 1),
        "grid" => {
            let side = (a.nodes as f64).sqrt().round() as usize;
            synth::grid(side, 1)
        }
        g => panic!("unknown graph {g}"),
    };
    let (n, arcs, xy) = (net.xy.len(), net.arcs, net.xy);
    let seeds = synth::facilities(n, a.facilities, 2);
    if a.memory {
        drop(xy);
        let g = SearchGraph::from_arcs(n, arcs);
        let build_s = t0.elapsed().as_secs_f64();
        let t1 = Instant::now();
        let sp = multi_source(&g, &seeds);
        let search_s = t1.elapsed().as_secs_f64();
        let rss = peak_rss_bytes();
        let out = serde_json::json!({
            "graph": a.graph,
            "nodes": n,
            "arcs": g.arc_count(),
            "build_s": build_s,
            "search_s": search_s,
            "reached": sp.source.iter().filter(|&&s| s != u32::MAX).count(),
            "peak_rss_bytes": rss,
            "peak_rss_per_node": rss.map(|b| b as f64 / n as f64),
        });
        println!("{out}");
        return;
    }
    let csr = Csr::from_arcs(n, arcs);
    let g = SearchGraph::from(&csr);
    let build_s = t0.elapsed().as_secs_f64();

    let (sweep_s, sweep_cpu_s) = median_times(a.runs, || edge_sweep(&csr));
    let (search_s, search_cpu_s) = median_times(a.runs, || multi_source(&g, &seeds));
    let reference_s = a
        .reference
        .then(|| median_times(a.runs, || multi_source_reference(&csr, &seeds)));

    let threads = a.threads.then(|| {
        let services: Vec<Vec<Seed>> = (0..4)
            .map(|k| synth::facilities(n, a.facilities, 10 + k))
            .collect();
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            median_time(a.runs, || {
                pool.install(|| {
                    services
                        .par_iter()
                        .map(|s| multi_source(&g, s))
                        .collect::<Vec<_>>()
                })
            })
        };
        let one = on(1);
        let two = on(2);
        (one, two)
    });

    let hierarchy = a.hierarchy.then(|| {
        let t0 = Instant::now();
        let h = Hierarchy::build(&g);
        let build_s = t0.elapsed().as_secs_f64();
        let (query_s, query_cpu_s) = median_times(a.runs, || h.nearest(&seeds));
        let exact = multi_source(&g, &seeds);
        let fast = h.nearest(&seeds);
        let worst = exact
            .time_s
            .iter()
            .zip(&fast.time_s)
            .filter(|(x, _)| x.is_finite())
            .map(|(x, y)| (x - y).abs() / x.abs().max(1e-12))
            .fold(0.0, f64::max);
        let other_source = exact
            .source
            .iter()
            .zip(&fast.source)
            .filter(|(x, y)| x != y)
            .count();
        serde_json::json!({
            "build_s": build_s,
            "shortcuts": h.shortcuts,
            "arcs": h.arc_count(),
            "query_s": query_s,
            "query_cpu_s": query_cpu_s,
            "query_per_sweep": query_s / sweep_s,
            "max_rel_diff": worst,
            "nodes_with_other_source": other_source,
        })
    });

    if let Some(dir) = &a.export {
        std::fs::create_dir_all(dir).unwrap();
        let mut tails = Vec::with_capacity(g.arc_count());
        for u in 0..n as u32 {
            tails.extend(csr.arcs(u).map(|_| u));
        }
        let ours = multi_source(&g, &seeds);
        write_raw(dir, "tail.u32", tails.iter().flat_map(|x| x.to_le_bytes()));
        write_raw(
            dir,
            "head.u32",
            csr.head.iter().flat_map(|x| x.to_le_bytes()),
        );
        write_raw(
            dir,
            "time.f64",
            csr.time_s.iter().flat_map(|x| x.to_le_bytes()),
        );
        write_raw(dir, "x.f64", xy.iter().flat_map(|p| p.0.to_le_bytes()));
        write_raw(dir, "y.f64", xy.iter().flat_map(|p| p.1.to_le_bytes()));
        write_raw(
            dir,
            "seed_node.u32",
            seeds.iter().flat_map(|s| s.node.to_le_bytes()),
        );
        write_raw(
            dir,
            "seed_time.f64",
            seeds.iter().flat_map(|s| s.time_s.to_le_bytes()),
        );
        write_raw(
            dir,
            "ours.f64",
            ours.time_s.iter().flat_map(|x| x.to_le_bytes()),
        );
    }

    let rss = peak_rss_bytes();
    let mut out = serde_json::json!({
        "graph": a.graph,
        "nodes": n,
        "arcs": g.arc_count(),
        "facilities": a.facilities,
        "runs": a.runs,
        "build_s": build_s,
        "edge_sweep_s": sweep_s,
        "search_s": search_s,
        "search_per_sweep": search_s / sweep_s,
        "edge_sweep_cpu_s": sweep_cpu_s,
        "search_cpu_s": search_cpu_s,
        "search_per_sweep_cpu": search_cpu_s / sweep_cpu_s,
        "peak_rss_bytes": rss,
        "peak_rss_per_node": rss.map(|b| b as f64 / n as f64),
    });
    if let Some((r, rc)) = reference_s {
        out["reference_s"] = r.into();
        out["reference_cpu_s"] = rc.into();
        out["reference_per_search"] = (r / search_s).into();
        out["reference_per_search_cpu"] = (rc / search_cpu_s).into();
    }
    if let Some(h) = hierarchy {
        out["hierarchy"] = h;
    }
    if let Some((one, two)) = threads {
        out["four_services_1_thread_s"] = one.into();
        out["four_services_2_threads_s"] = two.into();
        out["thread_speedup"] = (one / two).into();
    }
    println!("{out}");
}

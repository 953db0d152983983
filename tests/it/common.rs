//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use remoteness::config::Settings;
use remoteness::pipeline::{analyse, Analysis, Execution, Quiet};
use remoteness::search::Seed;

/// Repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A bundled fixture path.
pub fn fixture(rel: &str) -> PathBuf {
    root().join("fixtures").join(rel)
}

/// Runs the analysis of a config file in-process.
pub fn analyse_config(path: &Path, exec: Execution) -> Analysis {
    let settings = Settings::load(path).expect("fixture config is valid");
    analyse(settings, exec, &Quiet).expect("fixture runs")
}

/// Runs the binary with `args`.
pub fn run_bin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_remoteness"))
        .args(args)
        .output()
        .expect("binary starts")
}

/// Runs `remoteness run CONFIG --out OUT -q` plus `extra` arguments.
pub fn run_config(config: &Path, out: &Path, extra: &[&str]) -> Output {
    run_command("run", config, out, extra)
}

/// Copies the Tata fixture's config and inputs into `dir`.
pub fn copy_tata(dir: &Path) {
    for f in [
        "tata.toml",
        "settlements.geojson",
        "facilities.geojson",
        "communes.geojson",
        "census.csv",
    ] {
        std::fs::copy(fixture(&format!("tata/{f}")), dir.join(f)).unwrap();
    }
}

/// Runs `remoteness COMMAND CONFIG --out OUT -q` plus `extra` arguments.
pub fn run_command(command: &str, config: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        command,
        config.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ];
    args.extend_from_slice(extra);
    run_bin(&args)
}

#[path = "../support/rng.rs"]
mod rng;
pub use rng::Rng;

/// Arcs `(tail, head, time_s, dist_m)`.
pub type Arcs = Vec<(u32, u32, f64, f64)>;

/// A random directed graph on `2 + below(max_nodes)` nodes with up to four
/// arcs per node, arc times in `[min_time, min_time + 100)`, and up to
/// `max_seeds` seeds with starting times in `[min_time, min_time + 30)`.
pub fn random_case(
    rng: &mut Rng,
    max_nodes: usize,
    max_seeds: usize,
    min_time: f64,
) -> (usize, Arcs, Vec<Seed>) {
    let n = 2 + rng.below(max_nodes);
    let m = rng.below(n * 4);
    let arcs = (0..m)
        .map(|_| {
            (
                rng.below(n) as u32,
                rng.below(n) as u32,
                min_time + rng.f64() * 100.0,
                rng.f64() * 1000.0,
            )
        })
        .collect();
    let seeds = (0..1 + rng.below(max_seeds))
        .map(|i| Seed {
            node: rng.below(n) as u32,
            time_s: min_time + rng.f64() * 30.0,
            dist_m: 0.0,
            source: i as u32,
        })
        .collect();
    (n, arcs, seeds)
}

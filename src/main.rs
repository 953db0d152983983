//! The `remoteness` command line: parse arguments, run the pipeline, write
//! the outputs, print a summary. All logic lives in the library.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use remoteness::config::{RawConfig, Settings};
use remoteness::pipeline::{analyse, Execution, Progress};
use remoteness::write::{summary::summary, write_outputs};

/// Measures access to water, power, schools and health care, and ranks the
/// zones where action helps most.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run an analysis described by a TOML config and write its outputs.
    Run(RunArgs),
}

#[derive(clap::Args)]
struct RunArgs {
    /// Config file (TOML).
    config: PathBuf,
    /// Output folder (created if needed).
    #[arg(long, short)]
    out: PathBuf,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// CRS of input layers that declare none (no `.prj`): `EPSG:26191`, a
    /// PROJ string or WKT. Sets `inputs.crs`.
    #[arg(long, value_name = "CRS")]
    crs: Option<String>,
    /// Override `travel.max_snap_m`.
    #[arg(long)]
    max_snap_m: Option<f64>,
    /// Override `travel.circuity`.
    #[arg(long)]
    circuity: Option<f64>,
    /// Override `zones.h3_resolution`.
    #[arg(long)]
    h3_resolution: Option<u8>,
    /// Override `zones.priority_fraction`.
    #[arg(long)]
    priority_fraction: Option<f64>,
    /// Compute services one after another instead of in parallel.
    #[arg(long)]
    sequential: bool,
    /// No progress display.
    #[arg(long, short)]
    quiet: bool,
    /// Zones listed in the summary.
    #[arg(long, default_value_t = 10)]
    top: usize,
}

struct Bars {
    bar: Mutex<Option<ProgressBar>>,
    quiet: bool,
}

impl Progress for Bars {
    fn begin(&self, stage: &str) {
        if self.quiet {
            return;
        }
        let pb = ProgressBar::new_spinner();
        pb.set_style(
            ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        pb.set_message(stage.to_string());
        pb.enable_steady_tick(Duration::from_millis(120));
        *self.bar.lock().unwrap_or_else(|e| e.into_inner()) = Some(pb);
    }

    fn end(&self, stage: &str, seconds: f64) {
        if let Some(pb) = self.bar.lock().unwrap_or_else(|e| e.into_inner()).take() {
            pb.finish_with_message(format!("{stage} done in {seconds:.2} s"));
        }
    }
}

fn run(args: RunArgs) -> Result<()> {
    let text = std::fs::read_to_string(&args.config)
        .with_context(|| format!("cannot read config {}", args.config.display()))?;
    let mut raw: RawConfig = toml::from_str(&text)
        .with_context(|| format!("config {} is not valid", args.config.display()))?;
    if let Some(v) = &args.crs {
        raw.inputs.crs = Some(v.clone());
    }
    if let Some(v) = args.max_snap_m {
        raw.travel.max_snap_m = Some(v);
    }
    if let Some(v) = args.circuity {
        raw.travel.circuity = Some(v);
    }
    if let Some(v) = args.h3_resolution {
        raw.zones.h3_resolution = Some(v);
    }
    if let Some(v) = args.priority_fraction {
        raw.zones.priority_fraction = Some(v);
    }
    let base = args
        .config
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    let settings = Settings::from_raw(raw, &base, &args.config)?;
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .context("cannot start the thread pool")?;
    let exec = if args.sequential {
        Execution::Sequential
    } else {
        Execution::Parallel
    };
    let bars = Bars {
        bar: Mutex::new(None),
        quiet: args.quiet,
    };
    let analysis = analyse(settings, exec, &bars)?;
    let argv: Vec<String> = std::env::args().collect();
    let written = write_outputs(&analysis, &args.out, &argv, threads)?;
    print!("{}", summary(&analysis, args.top));
    println!("\nWrote {} files to {}", written.len(), args.out.display());
    Ok(())
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(a) => run(a),
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        for cause in e.chain().skip(1) {
            eprintln!("  caused by: {cause}");
        }
        std::process::exit(1);
    }
}

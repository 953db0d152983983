//! The `remoteness` command line: parse arguments, run the pipeline, write
//! the outputs, print a summary. All logic lives in the library.

use clap::{Parser, Subcommand};

/// Set by `--quiet`: only errors are printed.
static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn quiet() -> bool {
    QUIET.load(std::sync::atomic::Ordering::Relaxed)
}

/// `println!` that prints nothing under `--quiet` and ignores a closed
/// stdout (`remoteness … | head`): the run's outputs are already written,
/// so a reader that stops early is no error and must not panic.
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        if !$crate::quiet() {
            let _ = writeln!(std::io::stdout().lock(), $($t)*);
        }
    }};
}

/// `print!` likewise.
macro_rules! say_raw {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        if !$crate::quiet() {
            let _ = write!(std::io::stdout().lock(), $($t)*);
        }
    }};
}

/// A note on stderr, silenced by `--quiet`.
macro_rules! note {
    ($($t:tt)*) => {{
        if !$crate::quiet() {
            eprintln!($($t)*);
        }
    }};
}

mod cmd;

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
    /// Run an analysis described by a TOML config and write its outputs
    /// (with `report.html`).
    Run(cmd::run::RunCmd),
    /// Run the baseline and every scenario of a scenario file on one
    /// prepared network; write each run's outputs and the comparisons.
    Scenarios(cmd::run::ScenarioArgs),
    /// Choose where the next K facilities of a service should go; write
    /// the sites, the coverage curve and a scenario file that adds them.
    Place(cmd::place::PlaceArgs),
    /// Rebuild `report.html` from the outputs of a finished `run` or
    /// `scenarios` in DIR: one self-contained page, readable offline.
    Report(cmd::run::ReportArgs),
    /// Write a commented config from the files you have (GeoJSON,
    /// shapefile, CSV, .osm.pbf): each file's role, fields and CRS are
    /// guessed; what could not be is listed in comments.
    Init(cmd::init::InitArgs),
}

fn main() {
    let cli = Cli::parse();
    let quiet = match &cli.command {
        Command::Run(a) => a.run.quiet,
        Command::Scenarios(a) => a.run.quiet,
        Command::Place(a) => a.run.quiet,
        Command::Report(a) => a.quiet,
        Command::Init(a) => a.quiet,
    };
    QUIET.store(quiet, std::sync::atomic::Ordering::Relaxed);
    let result = match cli.command {
        Command::Run(a) => cmd::run::run(a),
        Command::Scenarios(a) => cmd::run::scenarios(a),
        Command::Place(a) => cmd::place::place(a),
        Command::Report(a) => cmd::run::report(a),
        Command::Init(a) => cmd::init::init(a),
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        for cause in e.chain().skip(1) {
            eprintln!("  caused by: {cause}");
        }
        std::process::exit(1);
    }
}

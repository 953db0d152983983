//! The commands: their arguments and what each does with the library.
//! Shared here: the common run arguments, the progress display, the
//! settings from the config and the flags, and the prepared study.

pub mod init;
pub mod place;
pub mod run;

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};

use remoteness::config::{RawConfig, Settings};
use remoteness::load::load;
use remoteness::pipeline::{Execution, Progress, Study};
use remoteness::report::Lang;
use remoteness::scenario::ScenarioSet;
use remoteness::write::{check_output_folder, OutputFormat};

#[derive(clap::Args)]
pub(crate) struct RunArgs {
    /// Config file (TOML).
    pub(crate) config: PathBuf,
    /// Output folder (created if needed).
    #[arg(long, short)]
    pub(crate) out: PathBuf,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub(crate) threads: Option<usize>,
    /// CRS of input layers that declare none (no `.prj`): `EPSG:26191`, a
    /// PROJ string or WKT. Sets `inputs.crs`.
    #[arg(long, value_name = "CRS")]
    pub(crate) crs: Option<String>,
    /// Override `travel.max_snap_m`.
    #[arg(long)]
    pub(crate) max_snap_m: Option<f64>,
    /// Override `travel.circuity`.
    #[arg(long)]
    pub(crate) circuity: Option<f64>,
    /// Override `zones.h3_resolution`.
    #[arg(long)]
    h3_resolution: Option<u8>,
    /// Override `zones.priority_fraction`.
    #[arg(long)]
    pub(crate) priority_fraction: Option<f64>,
    /// Compute services one after another instead of in parallel.
    #[arg(long)]
    pub(crate) sequential: bool,
    /// Print only errors (no progress, summary or notes).
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// Zones listed in the summary.
    #[arg(long, default_value_t = 10)]
    pub(crate) top: usize,
    /// Run in a named season: its road edits (from OSM passability tags,
    /// or from `--scenarios`) are applied to the network.
    #[arg(long, value_name = "NAME")]
    pub(crate) season: Option<String>,
    /// Also write the catchment polygons (`catchments.geojson`): sets
    /// `catchments.enabled`.
    #[arg(long)]
    pub(crate) catchments: bool,
}

/// The report written with the outputs.
#[derive(clap::Args)]
pub(crate) struct ReportOpts {
    /// Language of `report.html`: en, fr or ar.
    #[arg(long, value_name = "LANG", default_value = "en", value_parser = parse_lang)]
    pub(crate) lang: Lang,
    /// Do not write `report.html`.
    #[arg(long)]
    pub(crate) no_report: bool,
}

impl ReportOpts {
    pub(crate) fn lang(&self) -> Option<Lang> {
        (!self.no_report).then_some(self.lang)
    }
}

/// Output formats written besides the defaults.
#[derive(clap::Args)]
pub(crate) struct FormatOpts {
    /// Also write FORMAT; repeatable. `geoparquet`: one `NAME.parquet`
    /// (GeoParquet 1.1) per layer, in builds with `--features geoparquet`.
    /// Joined to the config's `[output] formats`. GeoJSON, CSV and QGIS
    /// styles are always written, and so is `results.gpkg` in builds with
    /// `--features gdal`.
    #[arg(long = "format", value_name = "FORMAT", value_parser = parse_format)]
    pub(crate) formats: Vec<OutputFormat>,
}

pub(crate) fn parse_format(s: &str) -> Result<OutputFormat, String> {
    s.parse()
}

pub(crate) fn parse_lang(s: &str) -> Result<Lang, String> {
    s.parse()
}

pub(crate) struct Bars {
    pub(crate) bar: Mutex<Option<ProgressBar>>,
    pub(crate) quiet: bool,
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

/// More worker threads than this per core only cost time spawning them.
pub(crate) const MAX_THREADS_PER_CORE: usize = 4;

/// Settings from the config file and the flag overrides; sizes the
/// thread pool.
pub(crate) fn settings(
    args: &RunArgs,
    extra_inputs: &[PathBuf],
) -> Result<(Settings, usize, Execution)> {
    let text = remoteness::files::read_text(&args.config).context("cannot read the config")?;
    let mut raw: RawConfig = remoteness::config::parse_raw(&text, &args.config)?;
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
    if args.catchments {
        raw.catchments.get_or_insert_with(Default::default).enabled = Some(true);
    }
    let base = args
        .config
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    let settings = Settings::from_raw(raw, &base, &args.config)?;
    // Refuse an unusable --out now, not after the analysis.
    let mut inputs = settings.inputs.paths();
    inputs.push(args.config.clone());
    inputs.extend(extra_inputs.iter().cloned());
    check_output_folder(&args.out, &inputs)?;
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let threads = match args.threads {
        None => cores,
        Some(0) => anyhow::bail!("--threads 0: give at least 1"),
        Some(n) if n > MAX_THREADS_PER_CORE * cores => {
            let cap = MAX_THREADS_PER_CORE * cores;
            note!(
                "note: --threads {n} capped at {cap} ({MAX_THREADS_PER_CORE} per core on {cores} \
                 cores); results do not depend on it"
            );
            cap
        }
        Some(n) => n,
    };
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .context("cannot start the thread pool")?;
    let exec = if args.sequential {
        Execution::Sequential
    } else {
        Execution::Parallel
    };
    Ok((settings, threads, exec))
}

/// Loads the inputs, reads the scenario file (or none) with the seasons the
/// OSM tags define, and prepares the network.
pub(crate) fn prepare(
    settings: Settings,
    file: Option<&PathBuf>,
    bars: &Bars,
) -> Result<(Study, ScenarioSet)> {
    bars.begin("load");
    let t0 = std::time::Instant::now();
    let dataset = load(&settings)?;
    bars.end("load", t0.elapsed().as_secs_f64());
    let text = match file {
        Some(f) => Some(
            remoteness::files::read_text(f).map_err(remoteness::scenario::ScenarioError::from)?,
        ),
        None => None,
    };
    let set = remoteness::scenario::scenario_set(
        &settings,
        &dataset.roads,
        text.as_deref().zip(file.map(PathBuf::as_path)),
    )?;
    let study = Study::prepare(settings, dataset, bars);
    Ok((study, set))
}

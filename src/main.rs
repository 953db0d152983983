//! The `remoteness` command line: parse arguments, run the pipeline, write
//! the outputs, print a summary. All logic lives in the library.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use remoteness::config::{RawConfig, Settings};
use remoteness::load::load;
use remoteness::pipeline::{analyse, Execution, Progress, Study};
use remoteness::report::{write_report, Lang};
use remoteness::scenario::run::run_all;
use remoteness::scenario::{
    read_scenarios, seasons_from_osm, Known, Modification, Scenario, ScenarioSet,
};
use remoteness::write::compare::{summary as compare_summary, Compared};
use remoteness::write::{check_output_folder, summary::summary, write_outputs, write_scenarios};

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
    Run(RunCmd),
    /// Run the baseline and every scenario of a scenario file on one
    /// prepared network; write each run's outputs and the comparisons.
    Scenarios(ScenarioArgs),
    /// Choose where the next K facilities of a service should go; write
    /// the sites, the coverage curve and a scenario file that adds them.
    Place(PlaceArgs),
    /// Rebuild `report.html` from the outputs of a finished `run` or
    /// `scenarios` in DIR: one self-contained page, readable offline.
    Report(ReportArgs),
    /// Write a commented config from the files you have (GeoJSON,
    /// shapefile, CSV, .osm.pbf): each file's role, fields and CRS are
    /// guessed; what could not be is listed in comments.
    Init(InitArgs),
}

#[derive(clap::Args)]
struct InitArgs {
    /// Input files: layers, a census CSV, an OpenStreetMap extract.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// The config to write (never overwritten).
    #[arg(
        long,
        short,
        value_name = "CONFIG.toml",
        default_value = "remoteness.toml"
    )]
    out: PathBuf,
    /// Print only errors.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(clap::Args)]
struct RunCmd {
    #[command(flatten)]
    run: RunArgs,
    #[command(flatten)]
    report: ReportOpts,
}

/// The report written with the outputs.
#[derive(clap::Args)]
struct ReportOpts {
    /// Language of `report.html`: en, fr or ar.
    #[arg(long, value_name = "LANG", default_value = "en", value_parser = parse_lang)]
    lang: Lang,
    /// Do not write `report.html`.
    #[arg(long)]
    no_report: bool,
}

impl ReportOpts {
    fn lang(&self) -> Option<Lang> {
        (!self.no_report).then_some(self.lang)
    }
}

#[derive(clap::Args)]
struct ReportArgs {
    /// Output folder of a finished run (holding run.json), or of
    /// `scenarios` (holding baseline/ and comparison.csv).
    dir: PathBuf,
    /// Language: en, fr or ar.
    #[arg(long, value_name = "LANG", default_value = "en", value_parser = parse_lang)]
    lang: Lang,
    /// Write the report here instead of DIR/report.html.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Print only errors.
    #[arg(long, short)]
    quiet: bool,
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    s.parse()
}

#[derive(clap::Args)]
struct PlaceArgs {
    #[command(flatten)]
    run: RunArgs,
    /// Service to place facilities for (as named in the config).
    #[arg(long)]
    service: String,
    /// Number of sites (overrides `placement.k`; with a budget, at most).
    #[arg(long)]
    k: Option<usize>,
    /// `coverage` or `median` (overrides `placement.objective`).
    #[arg(long)]
    objective: Option<String>,
    /// Total cost allowed (overrides `placement.budget`).
    #[arg(long)]
    budget: Option<f64>,
    /// Also solve coverage exactly (MILP) when there are at most this many
    /// candidates, and report the gap.
    #[arg(long, default_value_t = 2000)]
    exact_max: usize,
    /// Also write the problem (weights, current times, candidate rows) as
    /// JSON to this file, for peers and notebooks.
    #[arg(long, value_name = "FILE")]
    export_problem: Option<PathBuf>,
}

#[derive(clap::Args)]
struct ScenarioArgs {
    #[command(flatten)]
    run: RunArgs,
    /// Scenario file (TOML).
    #[arg(long, value_name = "FILE")]
    scenarios: PathBuf,
    #[command(flatten)]
    report: ReportOpts,
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
    /// Print only errors (no progress, summary or notes).
    #[arg(long, short)]
    quiet: bool,
    /// Zones listed in the summary.
    #[arg(long, default_value_t = 10)]
    top: usize,
    /// Run in a named season: its road edits (from OSM passability tags,
    /// or from `--scenarios`) are applied to the network.
    #[arg(long, value_name = "NAME")]
    season: Option<String>,
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
        if !quiet() {
            let _ = writeln!(std::io::stdout().lock(), $($t)*);
        }
    }};
}

/// `print!` likewise.
macro_rules! say_raw {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        if !quiet() {
            let _ = write!(std::io::stdout().lock(), $($t)*);
        }
    }};
}

/// A note on stderr, silenced by `--quiet`.
macro_rules! note {
    ($($t:tt)*) => {{
        if !quiet() {
            eprintln!($($t)*);
        }
    }};
}

/// More worker threads than this per core only cost time spawning them.
const MAX_THREADS_PER_CORE: usize = 4;

/// Settings from the config file and the flag overrides; sizes the
/// thread pool.
fn settings(args: &RunArgs, extra_inputs: &[PathBuf]) -> Result<(Settings, usize, Execution)> {
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
fn prepare(
    settings: Settings,
    file: Option<&PathBuf>,
    bars: &Bars,
) -> Result<(Study, ScenarioSet)> {
    bars.begin("load");
    let t0 = std::time::Instant::now();
    let dataset = load(&settings)?;
    bars.end("load", t0.elapsed().as_secs_f64());
    let osm_seasons = seasons_from_osm(&dataset.roads);
    let known = Known {
        services: settings.services.iter().map(|s| s.name.clone()).collect(),
        profiles: settings.profiles.keys().cloned().collect(),
        seasons: osm_seasons.keys().cloned().collect(),
    };
    let mut set = match file {
        Some(f) => read_scenarios(f, &known)?,
        None => ScenarioSet {
            path: PathBuf::from("(OSM passability tags)"),
            sha256: String::new(),
            seasons: Default::default(),
            scenarios: Vec::new(),
        },
    };
    for (name, edits) in osm_seasons {
        set.seasons.entry(name).or_insert(edits);
    }
    let study = Study::prepare(settings, dataset, bars);
    Ok((study, set))
}

fn run(cmd: RunCmd) -> Result<()> {
    let args = cmd.run;
    let (settings, threads, exec) = settings(&args, &[])?;
    let bars = Bars {
        bar: Mutex::new(None),
        quiet: args.quiet,
    };
    let argv: Vec<String> = std::env::args().collect();
    let analysis = match &args.season {
        None => analyse(settings, exec, &bars)?,
        Some(season) => {
            let (mut study, mut set) = prepare(settings, None, &bars)?;
            if !set.seasons.contains_key(season) {
                let known: Vec<&String> = set.seasons.keys().collect();
                anyhow::bail!(
                    "--season {season}: no such season (the OSM passability tags define: {known:?})"
                );
            }
            set.scenarios.push(Scenario {
                name: format!("season_{season}"),
                description: format!("the {season} season"),
                modifications: vec![Modification::Season(season.clone())],
            });
            let (_, mut outcomes) = run_all(&mut study, &set, exec, &bars)?;
            outcomes.remove(0).analysis
        }
    };
    let written = write_outputs(
        &analysis,
        &args.out,
        &argv,
        threads,
        std::slice::from_ref(&args.config),
        cmd.report.lang(),
    )?;
    say_raw!("{}", summary(&analysis, args.top));
    say!("\nWrote {} files to {}", written.len(), args.out.display());
    Ok(())
}

fn scenarios(args: ScenarioArgs) -> Result<()> {
    let (settings, threads, exec) = settings(&args.run, std::slice::from_ref(&args.scenarios))?;
    let bars = Bars {
        bar: Mutex::new(None),
        quiet: args.run.quiet,
    };
    let (mut study, mut set) = prepare(settings, Some(&args.scenarios), &bars)?;
    if let Some(season) = &args.run.season {
        if !set.seasons.contains_key(season) {
            anyhow::bail!("--season {season}: no such season");
        }
        for sc in &mut set.scenarios {
            sc.modifications
                .insert(0, Modification::Season(season.clone()));
        }
    }
    let (baseline, outcomes) = run_all(&mut study, &set, exec, &bars)?;
    let argv: Vec<String> = std::env::args().collect();
    let written = write_scenarios(
        &baseline,
        &outcomes,
        &set,
        &args.run.out,
        &argv,
        threads,
        std::slice::from_ref(&args.run.config),
        args.report.lang(),
    )?;
    say_raw!("{}", summary(&baseline, args.run.top));
    let compared: Vec<Compared> = outcomes
        .iter()
        .map(|o| Compared {
            name: &o.name,
            analysis: &o.analysis,
        })
        .collect();
    for o in &outcomes {
        for r in &o.reports {
            let warn = if r.selected_nothing {
                "  (warning: selects nothing)"
            } else {
                ""
            };
            say!("{} #{} {}: {}{warn}", o.name, r.index, r.kind, r.report);
        }
    }
    say_raw!(
        "{}",
        compare_summary(&baseline, &compared, args.run.top.min(5))
    );
    say!(
        "\nWrote {} files to {}",
        written.len(),
        args.run.out.display()
    );
    Ok(())
}

fn place(args: PlaceArgs) -> Result<()> {
    use remoteness::config::{CandidateSpec, PlaceObjective};
    use remoteness::placement::study as pst;
    use remoteness::placement::{exact, Limits};
    let (mut settings, _threads, exec) = settings(&args.run, &[])?;
    if let Some(o) = &args.objective {
        settings.placement.objective = match o.as_str() {
            "coverage" => PlaceObjective::Coverage,
            "median" => PlaceObjective::Median { cap_min: None },
            "center" => PlaceObjective::Center { cap_min: None },
            "capacity" => PlaceObjective::Capacity,
            o => anyhow::bail!(
                "--objective {o}: expected `coverage`, `median`, `center` or `capacity`"
            ),
        };
    }
    if settings.placement.objective == PlaceObjective::Capacity
        && settings.placement.people_per_capacity.is_none()
    {
        anyhow::bail!(
            "{}: the capacity objective needs `people_per_capacity` in [placement] \
             (the people one unit of a facility's capacity serves, e.g. 10000 per health post)",
            args.run.config.display()
        );
    }
    if let Some(b) = args.budget {
        if !(b.is_finite() && b > 0.0) {
            anyhow::bail!("--budget {b}: give a positive number");
        }
        settings.placement.budget = Some(b);
    }
    let mut inputs = settings.inputs.paths();
    inputs.push(args.run.config.clone());
    if let CandidateSpec::Layer(l) = &settings.placement.candidates {
        inputs.push(l.path.clone());
    }
    check_output_folder(&args.run.out, &inputs)?;
    let bars = Bars {
        bar: Mutex::new(None),
        quiet: args.run.quiet,
    };
    let Some(service) = settings
        .services
        .iter()
        .position(|s| s.name == args.service)
    else {
        let known: Vec<&str> = settings.services.iter().map(|s| s.name.as_str()).collect();
        anyhow::bail!(
            "--service {}: no such service (known: {})",
            args.service,
            known.join(", ")
        );
    };
    let pl_settings = settings.placement.clone();
    let default_crs = settings.inputs.crs.clone();
    let (mut study, _) = prepare(settings, None, &bars)?;
    // Relocation: the removable facilities leave the baseline and come
    // back as candidates (kept at no cost when chosen).
    let category = study.settings.services[service].category.clone();
    let mut removed = Vec::new();
    for id in &pl_settings.removable {
        let Some(i) = study
            .dataset
            .facilities
            .iter()
            .position(|f| &f.id == id && f.category == category)
        else {
            anyhow::bail!(
                "placement.removable: no facility `{id}` serves {} (category `{category}`)",
                args.service
            );
        };
        removed.push(study.dataset.facilities.remove(i));
    }
    let baseline = study.analyse(exec, &bars);
    let mut timings = baseline.timings.clone();
    let mut diags = baseline.dataset.diagnostics.clone();
    let t0 = std::time::Instant::now();
    let (candidates, source) = match &pl_settings.candidates {
        CandidateSpec::Settlements => (
            pst::settlement_candidates(&study),
            "settlements".to_string(),
        ),
        CandidateSpec::H3 { resolution } => (
            pst::h3_candidates(&study, *resolution),
            format!("H3 cells at resolution {resolution} holding people"),
        ),
        CandidateSpec::Layer(spec) => (
            remoteness::load::load_candidates(
                spec,
                pl_settings.cost_field.as_deref(),
                default_crs.as_deref(),
                &mut diags,
            )?,
            format!("{}", spec.path.display()),
        ),
    };
    let threshold_min = match study.settings.services[service].threshold {
        remoteness::config::Threshold::Time(t) => t.minutes(),
        remoteness::config::Threshold::Distance(_) => 0.0,
    };
    let goal = match pl_settings.objective {
        PlaceObjective::Coverage => pst::Goal::Coverage,
        PlaceObjective::Median { cap_min } => pst::Goal::Median {
            cap_min: cap_min.unwrap_or(2.0 * threshold_min),
        },
        PlaceObjective::Center { cap_min } => pst::Goal::Center {
            cap_min: cap_min.unwrap_or(2.0 * threshold_min),
        },
        PlaceObjective::Capacity => pst::Goal::Capacity {
            // Checked above.
            people_per_unit: pl_settings.people_per_capacity.unwrap_or(1.0),
            site_capacity: pl_settings.site_capacity,
        },
    };
    let kept_candidates: Vec<remoteness::model::Candidate> = removed
        .iter()
        .map(|f| remoteness::model::Candidate {
            id: format!("existing:{}", f.id),
            name: f.name.clone(),
            pos: f.pos,
            cost: 0.0,
            capacity: Some(f.capacity),
        })
        .chain(candidates)
        .collect();
    let mut placement = pst::problem(&study, &baseline, service, goal, kept_candidates, exec)?;
    for (k, f) in removed.iter().enumerate() {
        placement.existing[k] = Some(f.id.clone());
    }
    placement.removable = pl_settings.removable.clone();
    timings.push(("candidate_search".into(), t0.elapsed().as_secs_f64()));
    let k = match (args.k.or(pl_settings.k), pl_settings.budget) {
        (Some(k), _) => k,
        (None, Some(_)) => placement.candidates.len(),
        (None, None) => {
            anyhow::bail!("give the number of sites with --k (or `placement.k`, or a budget)")
        }
    };
    let limits = Limits {
        k,
        budget: pl_settings.budget,
        min_people: pl_settings.min_people,
        zones_first: if pl_settings.one_per_zone {
            pst::zones_in_need(&study, &placement.problem)
        } else {
            Vec::new()
        },
    };
    if let Some(f) = &args.export_problem {
        let doc = serde_json::json!({
            "objective": placement.problem.objective,
            "settlements": study.dataset.settlements.iter().map(|s| s.settlement.id.clone()).collect::<Vec<_>>(),
            "weight": placement.problem.weight,
            "current_min": placement.problem.current.iter().map(|&d| d.is_finite().then_some(d)).collect::<Vec<_>>(),
            "settlement_lonlat": study.dataset.settlements.iter().map(|s| [s.settlement.pos.lon, s.settlement.pos.lat]).collect::<Vec<_>>(),
            "candidates": placement.candidates.iter().map(|c| c.id.clone()).collect::<Vec<_>>(),
            "candidate_lonlat": placement.candidates.iter().map(|c| [c.pos.lon, c.pos.lat]).collect::<Vec<_>>(),
            "rows": placement.problem.rows,
            "capacities": placement.problem.capacities.as_ref().map(|c| serde_json::json!({
                "site_people": c.site_people,
                "existing_rows": c.existing_rows,
                "existing_people": c.existing_people,
            })),
            "k": k,
        });
        std::fs::write(f, serde_json::to_vec(&doc)?)
            .with_context(|| format!("cannot write {}", f.display()))?;
    }
    let t1 = std::time::Instant::now();
    let sol = pst::solve(&placement, &limits, &format!("candidates: {source}"))?;
    timings.push(("solve".into(), t1.elapsed().as_secs_f64()));
    // Small enough: the exact optimum too; when it beats the heuristic it
    // is the answer (its sites in greedy order).
    let plain =
        limits.budget.is_none() && limits.zones_first.is_empty() && limits.min_people == 0.0;
    let mut sol = sol;
    let mut exact_doc = None;
    if plain && placement.candidates.len() <= args.exact_max {
        let t2 = std::time::Instant::now();
        match exact::milp(&placement.problem, k) {
            Ok((v, sites)) => {
                // Adopted when better by the engine's own count (the
                // solver's value carries its floating-point noise).
                let ours = remoteness::placement::value_of(&placement.problem, &sites);
                let better = ours > sol.value + 1e-9 * ours.abs().max(1.0);
                exact_doc = Some(serde_json::json!({
                    "method": "MILP (microlp), proven optimal",
                    "value": v,
                    "heuristic_value": sol.value,
                    "heuristic_share_of_optimal_gain": if v - sol.base > 0.0 { ((sol.value - sol.base) / (v - sol.base)).min(1.0) } else { 1.0 },
                    "seconds": t2.elapsed().as_secs_f64(),
                    "adopted": better,
                }));
                if better {
                    sol.sites = remoteness::placement::greedy_order(&placement.problem, &sites);
                    sol.value = sol.sites.last().map_or(sol.base, |s| s.cumulative);
                    sol.swaps = 0;
                }
                sol.optimal = true;
            }
            Err(e) => {
                exact_doc = Some(serde_json::json!({
                    "method": "MILP (microlp)",
                    "failed": e.to_string(),
                    "seconds": t2.elapsed().as_secs_f64(),
                }));
            }
        }
        timings.push(("exact".into(), t2.elapsed().as_secs_f64()));
    }
    let argv: Vec<String> = std::env::args().collect();
    let written = remoteness::write::placement::write_placement(
        &study,
        &placement,
        &sol,
        &args.run.out,
        &remoteness::write::placement::Report {
            args: &argv,
            source: &source,
            inputs: &inputs,
            timings: &timings,
            exact: exact_doc.clone(),
            warnings: &diags,
        },
    )?;
    let unit = placement.problem.objective.unit();
    say!(
        "{} sites for {} from {} candidates ({source}): gain {:.1} {unit}",
        sol.sites.len(),
        args.service,
        placement.candidates.len(),
        sol.value - sol.base
    );
    for (k, s) in sol.sites.iter().enumerate() {
        let c = &placement.candidates[s.candidate];
        say!(
            "  {:>3}  {:<28} +{:.1}  ({:.1} people newly served)",
            k + 1,
            c.id,
            s.gain,
            s.people
        );
    }
    if let Some(g) = sol.gap() {
        say!(
            "Upper bound on the best gain: {:.1}; this answer is within {:.2} % of it",
            sol.upper_bound.unwrap_or(0.0) - sol.base,
            100.0 * g
        );
    }
    if sol.optimal
        && exact_doc
            .as_ref()
            .is_some_and(|d| d.get("failed").is_none())
    {
        say!(
            "Proven optimal: the MILP on {} candidates agrees",
            placement.candidates.len()
        );
    } else if sol.optimal {
        say!("Proven optimal: the answer meets the upper bound");
    }
    say!(
        "\nWrote {} files to {}",
        written.len(),
        args.run.out.display()
    );
    Ok(())
}

fn init(args: InitArgs) -> Result<()> {
    let guesses = remoteness::init::write_config(&args.files, &args.out)?;
    say!("Wrote {}", args.out.display());
    for l in &guesses.layers {
        say!(
            "  {:<12} {}: {}",
            format!("{:?}", l.role).to_lowercase(),
            l.path.display(),
            l.why
        );
    }
    let missing = guesses.missing();
    if missing.is_empty() {
        say!(
            "Every field the run needs was guessed: check them, then run\n  remoteness run {} --out out",
            args.out.display()
        );
    } else {
        say!("Not guessed (see the `# key = ?` comments in the config):");
        for m in &missing {
            say!("  {m}");
        }
    }
    Ok(())
}

fn report(args: ReportArgs) -> Result<()> {
    let path = write_report(&args.dir, args.lang, args.out.as_deref())?;
    say!("Wrote {}", path.display());
    Ok(())
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
        Command::Run(a) => run(a),
        Command::Scenarios(a) => scenarios(a),
        Command::Place(a) => place(a),
        Command::Report(a) => report(a),
        Command::Init(a) => init(a),
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        for cause in e.chain().skip(1) {
            eprintln!("  caused by: {cause}");
        }
        std::process::exit(1);
    }
}

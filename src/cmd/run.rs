//! `run`, `scenarios` and `report`.

use super::{parse_lang, prepare, settings, Bars, FormatOpts, ReportOpts, RunArgs};
use std::path::PathBuf;
use std::sync::Mutex;

use anyhow::Result;

use remoteness::pipeline::analyse;
use remoteness::report::{write_report, Lang};
use remoteness::scenario::run::run_all;
use remoteness::scenario::{Modification, Scenario};
use remoteness::write::compare::{summary as compare_summary, Compared};
use remoteness::write::{summary::summary, write_outputs, write_scenarios};

#[derive(clap::Args)]
pub(crate) struct RunCmd {
    #[command(flatten)]
    pub(crate) run: RunArgs,
    #[command(flatten)]
    pub(crate) report: ReportOpts,
    #[command(flatten)]
    pub(crate) output: FormatOpts,
}

#[derive(clap::Args)]
pub(crate) struct ScenarioArgs {
    #[command(flatten)]
    pub(crate) run: RunArgs,
    /// Scenario file (TOML).
    #[arg(long, value_name = "FILE")]
    pub(crate) scenarios: PathBuf,
    #[command(flatten)]
    pub(crate) report: ReportOpts,
    #[command(flatten)]
    pub(crate) output: FormatOpts,
}

#[derive(clap::Args)]
pub(crate) struct ReportArgs {
    /// Output folder of a finished run (holding run.json), or of
    /// `scenarios` (holding baseline/ and comparison.csv).
    pub(crate) dir: PathBuf,
    /// Language: en, fr or ar.
    #[arg(long, value_name = "LANG", default_value = "en", value_parser = parse_lang)]
    pub(crate) lang: Lang,
    /// Write the report here instead of DIR/report.html.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
    /// Print only errors.
    #[arg(long, short)]
    pub(crate) quiet: bool,
}

pub(crate) fn run(cmd: RunCmd) -> Result<()> {
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
        &cmd.output.formats,
    )?;
    say_raw!("{}", summary(&analysis, args.top));
    say!("\nWrote {} files to {}", written.len(), args.out.display());
    Ok(())
}

pub(crate) fn scenarios(args: ScenarioArgs) -> Result<()> {
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
        &args.output.formats,
    )?;
    say_raw!("{}", summary(&baseline, args.run.top));
    let compared = Compared::all(&outcomes);
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

pub(crate) fn report(args: ReportArgs) -> Result<()> {
    let path = write_report(&args.dir, args.lang, args.out.as_deref())?;
    say!("Wrote {}", path.display());
    Ok(())
}

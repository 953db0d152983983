//! `place`: where the next facilities of a service should go.

use super::{prepare, settings, Bars, RunArgs};
use std::path::PathBuf;
use std::sync::Mutex;

use anyhow::{Context, Result};

use remoteness::write::check_output_folder;

#[derive(clap::Args)]
pub(crate) struct PlaceArgs {
    #[command(flatten)]
    pub(crate) run: RunArgs,
    /// Service to place facilities for (as named in the config).
    #[arg(long)]
    pub(crate) service: String,
    /// Number of sites (overrides `placement.k`; with a budget, at most).
    #[arg(long)]
    pub(crate) k: Option<usize>,
    /// `coverage` or `median` (overrides `placement.objective`).
    #[arg(long)]
    pub(crate) objective: Option<String>,
    /// Total cost allowed (overrides `placement.budget`).
    #[arg(long)]
    pub(crate) budget: Option<f64>,
    /// Also solve coverage exactly (MILP) when there are at most this many
    /// candidates, and report the gap.
    #[arg(long, default_value_t = 2000)]
    pub(crate) exact_max: usize,
    /// Also write the problem (weights, current times, candidate rows) as
    /// JSON to this file, for peers and notebooks.
    #[arg(long, value_name = "FILE")]
    pub(crate) export_problem: Option<PathBuf>,
}

pub(crate) fn place(args: PlaceArgs) -> Result<()> {
    use remoteness::config::{CandidateSpec, PlaceObjective};
    let (mut settings, _threads, exec) = settings(&args.run, &[])?;
    if let Some(o) = &args.objective {
        settings.placement.objective = PlaceObjective::from_name(o, None).ok_or_else(|| {
            anyhow::anyhow!(
                "--objective {o}: expected `coverage`, `median`, `center` or `capacity`"
            )
        })?;
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
    let (mut study, _) = prepare(settings, None, &bars)?;
    let req = remoteness::placement::request::Request {
        service: args.service.clone(),
        k: args.k,
        exact_max: args.exact_max,
    };
    let placed = remoteness::placement::request::place(&mut study, &req, exec, &bars)
        .with_context(|| format!("{}", args.run.config.display()))?;
    if let Some(f) = &args.export_problem {
        let doc = remoteness::placement::request::export_problem(&study, &placed);
        std::fs::write(f, serde_json::to_vec(&doc)?)
            .with_context(|| format!("cannot write {}", f.display()))?;
    }
    let (placement, sol, source) = (&placed.placement, &placed.solution, &placed.source);
    let exact_doc = &placed.exact;
    let argv: Vec<String> = std::env::args().collect();
    let written = remoteness::write::placement::write_placement(
        &study,
        placement,
        sol,
        &args.run.out,
        &remoteness::write::placement::Report {
            args: &argv,
            source,
            inputs: &inputs,
            timings: &placed.timings,
            exact: exact_doc.clone(),
            warnings: &placed.diagnostics,
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

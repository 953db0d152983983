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

//! The closing summary printed by the binary: population beyond each
//! threshold per service, and the top priority zones.

use std::fmt::Write;

use crate::config::RankBy;
use crate::pipeline::Analysis;

/// Formats the summary (plain text, one item per line).
pub fn summary(a: &Analysis, top: usize) -> String {
    let mut s = String::new();
    let total: f64 = a
        .dataset
        .settlements
        .iter()
        .map(|x| x.settlement.population.0)
        .sum();
    let _ = writeln!(
        s,
        "{} settlements ({:.0} people), {} zones ({}), travel: {}",
        a.dataset.settlements.len(),
        total,
        a.zones.len(),
        a.zone_source.as_str(),
        a.travel_mode.as_str()
    );
    let _ = writeln!(s, "\nPopulation beyond threshold, by service:");
    for (svc, sum) in a.settings.services.iter().zip(&a.scores.summaries) {
        let unit = if sum.metric == "time_min" { "min" } else { "m" };
        let how = if svc.straight_line {
            "in a straight line".to_string()
        } else {
            format!("by {}", svc.profile)
        };
        let _ = writeln!(
            s,
            "  {:<10} {:>12.0} ({:>5.1}%) beyond {} {unit} {how}{}",
            svc.name,
            sum.population_beyond,
            sum.share_beyond * 100.0,
            sum.threshold,
            if sum.in_composite {
                ""
            } else {
                "  [no facility]"
            }
        );
    }
    let mut zs: Vec<_> = a.zone_stats.iter().collect();
    zs.sort_by_key(|z| z.rank);
    let by = match &a.settings.measures.rank_by {
        RankBy::Composite => String::new(),
        RankBy::Measure { field, .. } => format!(", ranked by {field}"),
    };
    let _ = writeln!(
        s,
        "\nTop priority zones (rank, zone, population, composite, burden, reason{by}):"
    );
    for z in zs.iter().take(top).filter(|z| z.settlements > 0) {
        let zone = &a.zones[z.zone];
        let label = if zone.name.is_empty() {
            zone.id.clone()
        } else {
            format!("{} ({})", zone.name, zone.id)
        };
        let _ = writeln!(
            s,
            "  {:>3}{} {:<40} {:>9.0} {:>6.2} {:>11.0}  {}",
            z.rank,
            if z.priority { "*" } else { " " },
            label,
            z.population,
            z.composite.unwrap_or(0.0),
            z.burden,
            z.reason
        );
    }
    let w = &a.dataset.diagnostics;
    if w.total() > 0 {
        let _ = writeln!(s, "\nWarnings (details in run.json):");
        for (k, n) in &w.counts {
            let _ = writeln!(s, "  {k}: {n}");
        }
    }
    s
}

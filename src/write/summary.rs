//! The closing summary printed by the binary: population beyond each
//! threshold per service, and the top priority zones.

use std::fmt::Write;

use crate::config::RankBy;
use crate::pipeline::{Analysis, TravelMode, ZoneSource};

/// How a profile is travelled, in words (`walk` → `on foot`).
fn by_profile(profile: &str) -> String {
    match profile {
        "walk" => "on foot".into(),
        "drive" => "by road".into(),
        p => format!("by {p}"),
    }
}

/// Formats the summary (plain text, one item per line), in sentences a
/// planner reads without the glossary; units stay explicit (min, m).
pub fn summary(a: &Analysis, top: usize) -> String {
    let mut s = String::new();
    let total: f64 = a
        .dataset
        .settlements
        .iter()
        .map(|x| x.settlement.population.0)
        .sum();
    let zones = match a.zone_source {
        ZoneSource::Layer => "from the zone layer",
        ZoneSource::H3 => "H3 cells",
        ZoneSource::Osm => "OSM administrative boundaries",
    };
    let travel = match a.travel_mode {
        TravelMode::RoadNetwork => "trips follow the road network",
        TravelMode::StraightLine => "no road layer, so trips are straight lines × circuity",
    };
    let _ = writeln!(
        s,
        "{} settlements ({:.0} people) in {} zones ({zones}); {travel}.",
        a.dataset.settlements.len(),
        total,
        a.zones.len(),
    );
    let _ = writeln!(s, "\nPeople beyond each service's threshold:");
    for (svc, sum) in a.settings.services.iter().zip(&a.scores.summaries) {
        let unit = if sum.metric == "time_min" { "min" } else { "m" };
        let how = if svc.straight_line {
            "in a straight line".to_string()
        } else {
            by_profile(&svc.profile)
        };
        let _ = writeln!(
            s,
            "  {:<10} {:>9.0} people ({:>5.1}%) live more than {} {unit} {how} from the nearest \
             {} facility{}",
            format!("{}:", svc.name),
            sum.population_beyond,
            sum.share_beyond * 100.0,
            sum.threshold,
            svc.name,
            if sum.in_composite {
                ""
            } else {
                " (none in the data: everyone counts as beyond)"
            }
        );
    }
    let mut zs: Vec<_> = a.zone_stats.iter().collect();
    zs.sort_by_key(|z| z.rank);
    let by = match &a.settings.measures.rank_by {
        RankBy::Composite => "the people times how cut off they are (the burden)".to_string(),
        RankBy::Measure { field, .. } => format!("`{field}`"),
    };
    let max = a.scores.composite_max;
    let _ = writeln!(
        s,
        "\nZones where action helps most, ranked by {by}; * marks a priority zone.\n\
         Score: each service's trip divided by the average trip, added up (each capped at \
         3): {:.0} is average everywhere, {max:.0} the most cut off.",
        max / 3.0
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
            "  {:>3}{} {label}: {:.0} people, score {:.2}, burden {:.0}",
            z.rank,
            if z.priority { "*" } else { " " },
            z.population,
            z.composite.unwrap_or(0.0),
            z.burden,
        );
        if !z.reason.is_empty() {
            let _ = writeln!(s, "       {}", z.reason);
        }
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

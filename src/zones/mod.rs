//! Zones: population allocation, H3 zones, aggregation and priority ranking.
//!
//! * [`allocate`](mod@allocate) — census totals of zones → settlements without a population.
//! * [`h3`] — hexagonal zones when no zone layer is given.
//! * [`aggregate`](mod@aggregate) — per-zone indicators, burden, rank, priority and reason.
//! * [`measures`] — per-zone capacity-aware measures; ranking by any of them.

pub mod aggregate;
pub mod allocate;
pub mod h3;
pub mod measures;

pub use aggregate::{aggregate, ZoneStats};
pub use allocate::{allocate, AllocationReport};
pub use measures::{aggregate_measures, ZoneMeasures};

/// Share of the smaller zone's area from which two overlapping zones are
/// warned about (`overlapping_zones`): slivers along shared borders stay
/// below it, a zone nested in another is at 1.
pub const OVERLAP_SHARE: f64 = 0.1;

/// Counts an `overlapping_zones` warning for each pair of zones of `zs`
/// (indexed by `idx`, read from `path`) that overlap over at least
/// [`OVERLAP_SHARE`] of the smaller one: point-in-polygon there depends on
/// input order.
pub fn warn_overlaps(
    idx: &crate::index::zones::ZoneIndex,
    zs: &[crate::model::Zone],
    path: &std::path::Path,
    diags: &mut crate::load::Diagnostics,
) {
    for (a, b, share) in idx.overlaps(OVERLAP_SHARE) {
        diags.push(
            "overlapping_zones",
            path,
            &zs[b].id,
            "geometry",
            format!(
                "zones {} and {} overlap over {:.0}% of the smaller one's area: \
                 a settlement there goes to {}, the first in input order",
                zs[a].id,
                zs[b].id,
                share * 100.0,
                zs[a].id
            ),
        );
    }
}

//! Zones: population allocation, H3 zones, aggregation and priority ranking.
//!
//! * [`allocate`] — census totals of zones → settlements without a population.
//! * [`h3`] — hexagonal zones when no zone layer is given.
//! * [`aggregate`] — per-zone indicators, burden, rank, priority and reason.
//! * [`measures`] — per-zone capacity-aware measures; ranking by any of them.

pub mod aggregate;
pub mod allocate;
pub mod h3;
pub mod measures;

pub use aggregate::{aggregate, ZoneStats};
pub use allocate::{allocate, AllocationReport};
pub use measures::{aggregate_measures, ZoneMeasures};

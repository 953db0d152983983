//! What ranks the zones: `[zones] rank_by`, the zone measures and columns
//! that may rank them, and which way each points.

use serde::Serialize;

use super::measures::{Measures, Method};
use super::{Service, Threshold};

/// What ranks the zones (`[zones] rank_by`).
#[derive(Debug, Clone, PartialEq)]
pub enum RankBy {
    /// Burden (the composite ranking), the default.
    Composite,
    /// A zone measure, worst first.
    Measure {
        /// Its field name in the zone outputs (`hlth_e2sf`, `schl_np30`).
        field: String,
        /// The measure.
        measure: ZoneMeasure,
    },
}

impl RankBy {
    /// The zone field it names (`composite` for the burden ranking).
    pub fn field(&self) -> &str {
        match self {
            RankBy::Composite => "composite",
            RankBy::Measure { field, .. } => field,
        }
    }
}

/// Written as the field name, as in the config.
impl Serialize for RankBy {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.field())
    }
}

/// A zone measure that can rank the zones.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ZoneMeasure {
    /// Mean accessibility of a service (index in the settings' services)
    /// by a catchment method: lowest first.
    Catchment {
        /// Service index.
        service: usize,
        /// Method.
        method: Method,
    },
    /// People a service does not cover at a coverage threshold (index in
    /// `coverage_min`): most first.
    NotCovered {
        /// Service index.
        service: usize,
        /// Threshold index.
        threshold: usize,
    },
    /// Mean gravity remoteness index: highest first.
    Gravity,
    /// Severity: the zone's share of people beyond the threshold, averaged
    /// over the services with facilities: highest first.
    Severity,
    /// One of a service's zone indicators: highest first.
    Service {
        /// Service index.
        service: usize,
        /// Which indicator.
        column: ServiceColumn,
    },
    /// The zone's population: largest first.
    Population,
}

/// A service's zone indicator (`<code>_min` or `<code>_m`, `_opop`,
/// `_oshr`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceColumn {
    /// Population-weighted mean trip (minutes or metres).
    MeanValue,
    /// People beyond the threshold.
    PeopleBeyond,
    /// Share of people beyond the threshold.
    ShareBeyond,
}

impl ZoneMeasure {
    /// Which way the measure points.
    pub fn worse(self) -> Worse {
        match self {
            ZoneMeasure::Catchment { .. } => Worse::Lower,
            ZoneMeasure::NotCovered { .. }
            | ZoneMeasure::Gravity
            | ZoneMeasure::Severity
            | ZoneMeasure::Service { .. }
            | ZoneMeasure::Population => Worse::Higher,
        }
    }
}

/// Which way a ranking measure points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Worse {
    /// Larger values rank first (burden, people not covered, remoteness).
    Higher,
    /// Smaller values rank first (accessibility ratios).
    Lower,
}

impl Measures {
    /// Zone fields that may rank the zones, with their direction:
    /// `composite` (or its other name `burden`: the burden ranking),
    /// `severity`, `pop`, every service's `<code>_min` (or `_m`), `_opop`
    /// and `_oshr`, and the capacity-aware measures.
    pub fn rank_fields(&self, services: &[Service]) -> Vec<RankBy> {
        let mut v = vec![RankBy::Composite];
        let mut push = |field: String, measure| v.push(RankBy::Measure { field, measure });
        push("severity".into(), ZoneMeasure::Severity);
        push("pop".into(), ZoneMeasure::Population);
        for (service, s) in services.iter().enumerate() {
            let unit = match s.threshold {
                Threshold::Time(_) => "min",
                Threshold::Distance(_) => "m",
            };
            for (suffix, column) in [
                (unit, ServiceColumn::MeanValue),
                ("opop", ServiceColumn::PeopleBeyond),
                ("oshr", ServiceColumn::ShareBeyond),
            ] {
                push(
                    format!("{}_{suffix}", s.code),
                    ZoneMeasure::Service { service, column },
                );
            }
        }
        for (service, s) in services.iter().enumerate() {
            if let Some(spec) = self.catchment.get(&s.name) {
                for &method in &spec.methods {
                    push(
                        format!("{}_{}", s.code, method.suffix()),
                        ZoneMeasure::Catchment { service, method },
                    );
                }
            }
            if self.covers(s) {
                for (threshold, t) in self.coverage_min.iter().enumerate() {
                    push(
                        format!("{}_np{t}", s.code),
                        ZoneMeasure::NotCovered { service, threshold },
                    );
                }
            }
        }
        if self.gravity.is_some() {
            push("grav_idx".into(), ZoneMeasure::Gravity);
        }
        v
    }

    /// The ranking a `[zones] rank_by` field name selects, if it is one of
    /// [`Measures::rank_fields`].
    pub fn rank_field(&self, services: &[Service], field: &str) -> Option<RankBy> {
        let field = if field == "burden" {
            "composite"
        } else {
            field
        };
        self.rank_fields(services)
            .into_iter()
            .find(|r| r.field() == field)
    }
}

//! `[placement]`: where the next facilities go (`remoteness place`).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::raw::LayerSpec;
use super::ConfigError;

/// `[placement]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPlacement {
    /// `coverage` (people within the threshold), `median` (weighted time),
    /// `center` (longest trip) or `capacity` (people served within the
    /// threshold under the facilities' capacities).
    pub objective: Option<String>,
    /// Capacity: people one unit of a facility's capacity serves (with no
    /// capacity field, each facility has one unit).
    pub people_per_capacity: Option<f64>,
    /// Capacity: units of capacity of a new site (default 1; a candidate
    /// layer's `capacity_field` gives each its own).
    pub site_capacity: Option<f64>,
    /// Median: trip times beyond this count as this (minutes; default twice
    /// the service's threshold).
    pub cap_min: Option<f64>,
    /// `settlements`, `h3` or `layer` (then `[placement.layer]`).
    pub candidates: Option<String>,
    /// H3 resolution of `h3` candidates (default 8, about 0.7 km²).
    pub h3_resolution: Option<u8>,
    /// The candidate layer (points).
    pub layer: Option<LayerSpec>,
    /// Field of the candidate layer giving each site's cost.
    pub cost_field: Option<String>,
    /// Total cost allowed (with costs; each site costs 1 without).
    pub budget: Option<f64>,
    /// Sites to choose (`--k` overrides).
    pub k: Option<usize>,
    /// Each site must newly serve at least this many people.
    pub min_people: Option<f64>,
    /// First one site in every zone with people beyond the threshold.
    pub one_per_zone: Option<bool>,
    /// Ids of existing facilities of the service that may be moved: they
    /// are removed from the baseline and become candidates (kept at no
    /// cost when chosen).
    pub removable: Option<Vec<String>>,
}

/// The objective, validated.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceObjective {
    /// People within the service's threshold.
    Coverage,
    /// Population-weighted trip time, capped (minutes; `None`: twice the
    /// threshold).
    Median {
        /// Cap, minutes.
        cap_min: Option<f64>,
    },
    /// The longest trip of anyone, capped likewise.
    Center {
        /// Cap, minutes.
        cap_min: Option<f64>,
    },
    /// People served within the threshold, each facility serving at most
    /// its capacity × `people_per_capacity`.
    Capacity,
}

impl PlaceObjective {
    /// The objective a name gives (`coverage`, `median`, `center`,
    /// `capacity`), with the cap of the trip-time objectives.
    pub fn from_name(name: &str, cap_min: Option<f64>) -> Option<Self> {
        Some(match name {
            "coverage" => PlaceObjective::Coverage,
            "median" => PlaceObjective::Median { cap_min },
            "center" => PlaceObjective::Center { cap_min },
            "capacity" => PlaceObjective::Capacity,
            _ => return None,
        })
    }
}

/// Where candidate sites come from.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CandidateSpec {
    /// Every valid settlement with people.
    Settlements,
    /// The centres of H3 cells holding people.
    H3 {
        /// Resolution (0–15).
        resolution: u8,
    },
    /// A point layer.
    Layer(Box<LayerSpec>),
}

/// `[placement]` after defaults and checks.
#[derive(Debug, Clone, Serialize)]
pub struct PlacementSettings {
    /// Objective.
    pub objective: PlaceObjective,
    /// Candidate sites.
    pub candidates: CandidateSpec,
    /// Cost field of a candidate layer.
    pub cost_field: Option<String>,
    /// Budget.
    pub budget: Option<f64>,
    /// Sites to choose.
    pub k: Option<usize>,
    /// Minimum people newly served per site.
    pub min_people: f64,
    /// One site per zone in need first.
    pub one_per_zone: bool,
    /// Existing facilities that may be moved (relocation studies).
    pub removable: Vec<String>,
    /// Capacity objective: people per unit of capacity (required by it).
    pub people_per_capacity: Option<f64>,
    /// Capacity objective: units of capacity of a new site without its own.
    pub site_capacity: f64,
}

impl Default for PlacementSettings {
    fn default() -> Self {
        PlacementSettings {
            objective: PlaceObjective::Coverage,
            candidates: CandidateSpec::Settlements,
            cost_field: None,
            budget: None,
            k: None,
            min_people: 0.0,
            one_per_zone: false,
            removable: Vec::new(),
            people_per_capacity: None,
            site_capacity: 1.0,
        }
    }
}

/// Validates `[placement]`; relative layer paths resolve against `base`.
pub(super) fn from_raw(
    raw: RawPlacement,
    base: &Path,
    invalid: &dyn Fn(&str, String) -> ConfigError,
) -> Result<PlacementSettings, ConfigError> {
    let positive = |key: &str, v: f64| {
        if v.is_finite() && v > 0.0 && v <= super::MAX_SETTING {
            Ok(v)
        } else {
            Err(invalid(
                key,
                format!("must be > 0 and at most {:e}, got {v}", super::MAX_SETTING),
            ))
        }
    };
    let cap_min = raw
        .cap_min
        .map(|v| {
            if v.is_finite() && v > 0.0 && v <= super::MAX_MINUTES {
                Ok(v)
            } else {
                Err(invalid(
                    "placement.cap_min",
                    format!(
                        "must be > 0 and at most {} min, got {v}",
                        super::MAX_MINUTES
                    ),
                ))
            }
        })
        .transpose()?;
    let people_per_capacity = raw
        .people_per_capacity
        .map(|v| positive("placement.people_per_capacity", v))
        .transpose()?;
    let site_capacity = match raw.site_capacity {
        None => 1.0,
        Some(v) if v.is_finite() && v > 0.0 && v <= crate::units::MAX_CAPACITY => v,
        Some(v) => {
            return Err(invalid(
                "placement.site_capacity",
                format!(
                    "must be > 0 and at most {:e}, got {v}",
                    crate::units::MAX_CAPACITY
                ),
            ))
        }
    };
    let objective = match PlaceObjective::from_name(
        raw.objective.as_deref().unwrap_or("coverage"),
        cap_min,
    ) {
        Some(o @ PlaceObjective::Capacity) => {
            if people_per_capacity.is_none() {
                return Err(invalid(
                    "placement.people_per_capacity",
                    "the capacity objective needs the people one unit of capacity serves (e.g. 10000 per health post)".into(),
                ));
            }
            o
        }
        Some(o) => o,
        None => {
            let o = raw.objective.as_deref().unwrap_or_default();
            return Err(invalid(
                "placement.objective",
                format!("`{o}`: expected `coverage`, `median`, `center` or `capacity`"),
            ));
        }
    };

    let candidates = match (raw.candidates.as_deref(), raw.layer) {
        (None | Some("settlements"), None) => CandidateSpec::Settlements,
        (Some("h3"), None) => {
            let r = raw.h3_resolution.unwrap_or(8);
            if r > 15 {
                return Err(invalid("placement.h3_resolution", "must be 0–15".into()));
            }
            CandidateSpec::H3 { resolution: r }
        }
        (None | Some("layer"), Some(mut l)) => {
            if l.path.as_os_str().is_empty() {
                return Err(invalid(
                    "placement.layer.path",
                    "the path is empty: give a file name".into(),
                ));
            }
            if l.path.is_relative() && !super::is_connection_string(&l.path) {
                l.path = base.join(&l.path);
            }
            CandidateSpec::Layer(Box::new(l))
        }
        (Some("layer"), None) => {
            return Err(invalid(
                "placement.layer",
                "`candidates = \"layer\"` needs a [placement.layer] table with its `path`".into(),
            ))
        }
        (Some(c), _) => {
            return Err(invalid(
                "placement.candidates",
                format!("`{c}`: expected `settlements`, `h3` or `layer` (with [placement.layer])"),
            ))
        }
    };
    if raw.cost_field.is_some() && !matches!(candidates, CandidateSpec::Layer(_)) {
        return Err(invalid(
            "placement.cost_field",
            "costs come from a candidate layer: set [placement.layer]".into(),
        ));
    }
    let budget = raw
        .budget
        .map(|b| positive("placement.budget", b))
        .transpose()?;
    let min_people = match raw.min_people {
        None => 0.0,
        Some(v) if v.is_finite() && (0.0..=super::MAX_SETTING).contains(&v) => v,
        Some(v) => {
            return Err(invalid(
                "placement.min_people",
                format!("must be from 0 to {:e}, got {v}", super::MAX_SETTING),
            ))
        }
    };
    if raw.k == Some(0) {
        return Err(invalid("placement.k", "must be at least 1".into()));
    }
    Ok(PlacementSettings {
        objective,
        candidates,
        cost_field: raw.cost_field,
        budget,
        k: raw.k,
        min_people,
        one_per_zone: raw.one_per_zone.unwrap_or(false),
        removable: raw.removable.unwrap_or_default(),
        people_per_capacity,
        site_capacity,
    })
}

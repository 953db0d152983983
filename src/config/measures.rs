//! Settings of the capacity-aware measures: floating catchments per service,
//! coverage thresholds, gravity remoteness, and what ranks the zones.
//!
//! `[services.NAME.catchment]`, `[coverage]`, `[gravity]` and
//! `[zones] rank_by` in the file; every default is in [`super::defaults`]
//! and written to `run.json`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::defaults::{
    CATCHMENT_CUTOFF_MIN, CATCHMENT_METHODS, COVERAGE_MIN, E2SFCA_STEPS, G2SFCA_DECAY,
    G2SFCA_FLOOR_MIN, G2SFCA_POWER, G2SFCA_SCALE_MIN, G2SFCA_SIGMA_MIN, GRAVITY_CENTRE_MIN_POP,
    GRAVITY_CUTOFF_MIN, GRAVITY_FLOOR_MIN, GRAVITY_PROFILE, GRAVITY_TRANSFORM, THREE_STEP_STEPS,
};
use super::kinds::GravityTransform;
use super::ranking::RankBy;
use super::raw::{RawCatchment, RawCoverage, RawGravity};
use super::{ConfigError, Profile, Service, Threshold};

/// A floating catchment method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Two-step FCA, uniform weights within the cutoff.
    #[serde(rename = "2sfca")]
    TwoStep,
    /// Enhanced 2SFCA, step weights.
    #[serde(rename = "e2sfca")]
    Enhanced,
    /// Gravity-weighted 2SFCA.
    #[serde(rename = "g2sfca")]
    Gravity,
    /// Three-step FCA, selection weights.
    #[serde(rename = "3sfca")]
    ThreeStep,
}

impl Method {
    /// Every method, in output order.
    pub const ALL: [Method; 4] = [
        Method::TwoStep,
        Method::Enhanced,
        Method::Gravity,
        Method::ThreeStep,
    ];

    /// Name in the config.
    pub fn key(self) -> &'static str {
        match self {
            Method::TwoStep => "2sfca",
            Method::Enhanced => "e2sfca",
            Method::Gravity => "g2sfca",
            Method::ThreeStep => "3sfca",
        }
    }

    /// Field suffix after the service code (`hlth_e2sf`).
    pub fn suffix(self) -> &'static str {
        match self {
            Method::TwoStep => "2sf",
            Method::Enhanced => "e2sf",
            Method::Gravity => "g2sf",
            Method::ThreeStep => "3sf",
        }
    }
}

/// G2SFCA decay after defaults.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "decay", rename_all = "snake_case")]
pub enum GravityDecay {
    /// `w = (max(t, floor_min) / scale_min)^-power`.
    Power {
        /// `β`.
        power: f64,
        /// Minutes.
        scale_min: f64,
        /// Minutes.
        floor_min: f64,
    },
    /// `w = exp(-t² / (2 sigma_min²))`.
    Gaussian {
        /// Minutes.
        sigma_min: f64,
    },
}

/// One service's catchment settings after defaults.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CatchmentSpec {
    /// Methods computed, in output order.
    pub methods: Vec<Method>,
    /// 2SFCA and G2SFCA cutoff, minutes.
    pub cutoff_min: f64,
    /// E2SFCA zones, minutes.
    pub steps_min: Vec<f64>,
    /// E2SFCA weights.
    pub step_weights: Vec<f64>,
    /// G2SFCA decay.
    pub gravity: GravityDecay,
    /// 3SFCA zones, minutes.
    pub steps3_min: Vec<f64>,
    /// 3SFCA weights.
    pub weights3: Vec<f64>,
}

impl CatchmentSpec {
    /// The catchment of `m`, minutes: `cutoff_min`, or the last step zone.
    pub fn cutoff(&self, m: Method) -> f64 {
        match m {
            Method::TwoStep | Method::Gravity => self.cutoff_min,
            Method::Enhanced => *self.steps_min.last().expect("validated non-empty"),
            Method::ThreeStep => *self.steps3_min.last().expect("validated non-empty"),
        }
    }

    /// How far the searches must reach: the largest catchment in use.
    pub fn search_cutoff(&self) -> f64 {
        self.methods
            .iter()
            .map(|m| self.cutoff(*m))
            .fold(0.0, f64::max)
    }
}

/// Gravity remoteness settings after defaults.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GravitySettings {
    /// Travel profile.
    pub profile: String,
    /// Centre threshold, people.
    pub centre_min_pop: f64,
    /// Minutes.
    pub cutoff_min: f64,
    /// Minutes.
    pub floor_min: f64,
    /// How the sum is rescaled to the index.
    pub transform: GravityTransform,
}

/// Every setting of the capacity-aware measures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measures {
    /// Catchment settings by service name (services without are absent).
    pub catchment: BTreeMap<String, CatchmentSpec>,
    /// Coverage thresholds, whole minutes, ascending; applied to the services
    /// with a time threshold.
    pub coverage_min: Vec<f64>,
    /// Gravity remoteness, when enabled.
    pub gravity: Option<GravitySettings>,
    /// What ranks the zones.
    pub rank_by: RankBy,
}

/// Raw parts of the file the measures read.
pub struct RawMeasures {
    /// Per service: name, catchment table, whether it is `straight_line`.
    pub catchment: Vec<(String, Option<RawCatchment>)>,
    /// `[coverage]`.
    pub coverage: RawCoverage,
    /// `[gravity]`.
    pub gravity: RawGravity,
    /// `[zones] rank_by`.
    pub rank_by: Option<String>,
}

fn invalid(origin: &Path, key: &str, message: String) -> ConfigError {
    ConfigError::Invalid {
        path: origin.to_path_buf(),
        key: key.to_string(),
        message,
    }
}

/// Positive, finite and at most [`super::MAX_MINUTES`] (every such
/// setting is minutes, people or an exponent).
fn positive(origin: &Path, key: &str, v: f64) -> Result<f64, ConfigError> {
    if v.is_finite() && v > 0.0 && v <= super::MAX_MINUTES {
        Ok(v)
    } else {
        Err(invalid(
            origin,
            key,
            format!("must be > 0 and at most {:e}, got {v}", super::MAX_MINUTES),
        ))
    }
}

/// Step zones: strictly ascending positive bounds, as many non-negative weights.
fn steps(
    origin: &Path,
    (key, weights_key): (&str, &str),
    bounds: Vec<f64>,
    weights: Vec<f64>,
) -> Result<(Vec<f64>, Vec<f64>), ConfigError> {
    let ok_bounds = !bounds.is_empty()
        && bounds
            .iter()
            .all(|b| b.is_finite() && *b > 0.0 && *b <= super::MAX_MINUTES)
        && bounds.windows(2).all(|w| w[0] < w[1]);
    if !ok_bounds {
        return Err(invalid(
            origin,
            key,
            format!("zones must be positive and strictly ascending, got {bounds:?}"),
        ));
    }
    if weights.len() != bounds.len()
        || !weights
            .iter()
            .all(|w| w.is_finite() && *w >= 0.0 && *w <= super::MAX_SETTING)
    {
        return Err(invalid(
            origin,
            weights_key,
            format!(
                "give one weight ≥ 0 per zone ({} zones), got {weights:?}",
                bounds.len()
            ),
        ));
    }
    Ok((bounds, weights))
}

fn catchment_spec(
    origin: &Path,
    name: &str,
    raw: Option<RawCatchment>,
    straight_line: bool,
) -> Result<CatchmentSpec, ConfigError> {
    let raw = raw.unwrap_or_default();
    let k = |f: &str| format!("services.{name}.catchment.{f}");
    let default_methods: &[&str] = if straight_line {
        &[]
    } else {
        CATCHMENT_METHODS
    };
    let mut methods = Vec::new();
    for m in raw
        .methods
        .unwrap_or_else(|| default_methods.iter().map(|s| s.to_string()).collect())
    {
        let Some(method) = Method::ALL.into_iter().find(|x| x.key() == m) else {
            return Err(invalid(
                origin,
                &k("methods"),
                format!("`{m}`: expected any of 2sfca, e2sfca, g2sfca, 3sfca"),
            ));
        };
        if !methods.contains(&method) {
            methods.push(method);
        }
    }
    methods.sort();
    let cutoff_min = positive(
        origin,
        &k("cutoff_min"),
        raw.cutoff_min.unwrap_or(CATCHMENT_CUTOFF_MIN),
    )?;
    let (steps_min, step_weights) = steps(
        origin,
        (&k("steps_min"), &k("step_weights")),
        raw.steps_min
            .unwrap_or_else(|| E2SFCA_STEPS.iter().map(|s| s.0).collect()),
        raw.step_weights
            .unwrap_or_else(|| E2SFCA_STEPS.iter().map(|s| s.1).collect()),
    )?;
    let (steps3_min, weights3) = steps(
        origin,
        (&k("steps3_min"), &k("weights3")),
        raw.steps3_min
            .unwrap_or_else(|| THREE_STEP_STEPS.iter().map(|s| s.0).collect()),
        raw.weights3
            .unwrap_or_else(|| THREE_STEP_STEPS.iter().map(|s| s.1).collect()),
    )?;
    let gravity = match raw.decay.as_deref().unwrap_or(G2SFCA_DECAY) {
        "power" => GravityDecay::Power {
            power: positive(origin, &k("power"), raw.power.unwrap_or(G2SFCA_POWER))?,
            scale_min: positive(
                origin,
                &k("scale_min"),
                raw.scale_min.unwrap_or(G2SFCA_SCALE_MIN),
            )?,
            floor_min: positive(
                origin,
                &k("floor_min"),
                raw.floor_min.unwrap_or(G2SFCA_FLOOR_MIN),
            )?,
        },
        "gaussian" => GravityDecay::Gaussian {
            sigma_min: positive(
                origin,
                &k("sigma_min"),
                raw.sigma_min.unwrap_or(G2SFCA_SIGMA_MIN),
            )?,
        },
        other => {
            return Err(invalid(
                origin,
                &k("decay"),
                format!("`{other}`: expected `power` or `gaussian`"),
            ))
        }
    };
    Ok(CatchmentSpec {
        methods,
        cutoff_min,
        steps_min,
        step_weights,
        gravity,
        steps3_min,
        weights3,
    })
}

/// Validates the measures' settings against the services and profiles.
pub fn measures(
    origin: &Path,
    raw: RawMeasures,
    services: &[Service],
    profiles: &BTreeMap<String, Profile>,
) -> Result<Measures, ConfigError> {
    let mut catchment = BTreeMap::new();
    for (name, rc) in raw.catchment {
        let straight = services.iter().any(|s| s.name == name && s.straight_line);
        let spec = catchment_spec(origin, &name, rc, straight)?;
        if !spec.methods.is_empty() {
            catchment.insert(name, spec);
        }
    }
    let coverage_min = raw
        .coverage
        .thresholds_min
        .unwrap_or_else(|| COVERAGE_MIN.to_vec());
    let whole = coverage_min
        .iter()
        .all(|t| t.fract() == 0.0 && (1.0..=999.0).contains(t));
    if !whole || !coverage_min.windows(2).all(|w| w[0] < w[1]) {
        return Err(invalid(
            origin,
            "coverage.thresholds_min",
            format!("give whole minutes from 1 to 999, strictly ascending (they name fields such as `hlth_c30`), got {coverage_min:?}"),
        ));
    }
    let g = raw.gravity;
    let gravity = if g.enabled.unwrap_or(true) {
        let profile = g.profile.unwrap_or_else(|| GRAVITY_PROFILE.to_string());
        if !profiles.contains_key(&profile) {
            return Err(invalid(
                origin,
                "gravity.profile",
                format!("unknown profile `{profile}`"),
            ));
        }
        let transform = match g.transform {
            None => GRAVITY_TRANSFORM,
            Some(t) => GravityTransform::ALL
                .into_iter()
                .find(|x| x.key() == t)
                .ok_or_else(|| {
                    invalid(
                        origin,
                        "gravity.transform",
                        format!("`{t}`: expected `log` or `linear`"),
                    )
                })?,
        };
        Some(GravitySettings {
            profile,
            centre_min_pop: positive(
                origin,
                "gravity.centre_min_pop",
                g.centre_min_pop.unwrap_or(GRAVITY_CENTRE_MIN_POP),
            )?,
            cutoff_min: positive(
                origin,
                "gravity.cutoff_min",
                g.cutoff_min.unwrap_or(GRAVITY_CUTOFF_MIN),
            )?,
            floor_min: positive(
                origin,
                "gravity.floor_min",
                g.floor_min.unwrap_or(GRAVITY_FLOOR_MIN),
            )?,
            transform,
        })
    } else {
        None
    };
    let mut m = Measures {
        catchment,
        coverage_min,
        gravity,
        rank_by: RankBy::Composite,
    };
    if let Some(r) = raw.rank_by {
        let Some(rank) = m.rank_field(services, &r) else {
            let allowed = m.rank_fields(services);
            let names: Vec<&str> = allowed.iter().map(RankBy::field).collect();
            return Err(invalid(
                origin,
                "zones.rank_by",
                format!(
                    "`{r}` is not a zone measure of this run; expected one of: {}",
                    names.join(", ")
                ),
            ));
        };
        m.rank_by = rank;
    }
    Ok(m)
}

impl Measures {
    /// Services covered at the thresholds: those with a time threshold.
    pub fn covers(&self, s: &Service) -> bool {
        !self.coverage_min.is_empty() && matches!(s.threshold, Threshold::Time(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ZoneMeasure;
    use crate::config::{RawConfig, Settings};

    fn parse(text: &str) -> Result<Settings, ConfigError> {
        let raw: RawConfig = toml::from_str(text).unwrap();
        Settings::from_raw(raw, Path::new("/base"), Path::new("t.toml"))
    }

    #[test]
    fn defaults_fill_every_measure() {
        let m = parse("[inputs]\nosm = \"x.osm.pbf\"\n").unwrap().measures;
        // E2SFCA for every service with trips; none for power (straight line).
        let names: Vec<&str> = m.catchment.keys().map(String::as_str).collect();
        assert_eq!(names, ["health", "school", "water"]);
        let h = &m.catchment["health"];
        assert_eq!(h.methods, [Method::Enhanced]);
        assert_eq!(
            (h.steps_min.clone(), h.step_weights.clone()),
            (vec![10.0, 20.0, 30.0], vec![1.0, 0.68, 0.22])
        );
        assert_eq!(h.cutoff(Method::Enhanced), 30.0);
        assert_eq!(h.cutoff(Method::ThreeStep), 60.0);
        assert_eq!(m.coverage_min, [15.0, 30.0, 60.0, 120.0]);
        let g = m.gravity.unwrap();
        assert_eq!(
            (g.profile.as_str(), g.centre_min_pop, g.transform),
            ("drive", 1000.0, GravityTransform::Log)
        );
        assert_eq!(m.rank_by, RankBy::Composite);
    }

    #[test]
    fn methods_sort_and_search_reaches_the_largest_catchment() {
        let s = parse(
            "[inputs]\nosm='x'\n[services.health.catchment]\nmethods=['3sfca','2sfca','3sfca']\ncutoff_min=90\ndecay='gaussian'\n[gravity]\nenabled=false\n",
        )
        .unwrap();
        let h = &s.measures.catchment["health"];
        assert_eq!(h.methods, [Method::TwoStep, Method::ThreeStep]);
        assert_eq!(h.search_cutoff(), 90.0);
        assert_eq!(h.gravity, GravityDecay::Gaussian { sigma_min: 15.0 });
        assert!(s.measures.gravity.is_none());
        let fields: Vec<String> = s
            .measures
            .rank_fields(&s.services)
            .iter()
            .map(|f| f.field().to_string())
            .collect();
        assert!(
            fields.contains(&"hlth_3sf".to_string()) && fields.contains(&"hlth_np120".to_string())
        );
        assert!(
            !fields.contains(&"powr_np15".to_string()) && !fields.contains(&"grav_idx".to_string())
        );
    }

    #[test]
    fn ranking_and_transform_are_typed_and_written_as_in_the_file() {
        let s = parse(
            "[inputs]\nosm='x'\n[zones]\nrank_by='schl_np30'\n[gravity]\ntransform='linear'\n",
        )
        .unwrap();
        let school = s.services.iter().position(|x| x.name == "school").unwrap();
        let t30 = s
            .measures
            .coverage_min
            .iter()
            .position(|&t| t == 30.0)
            .unwrap();
        assert_eq!(
            s.measures.rank_by,
            RankBy::Measure {
                field: "schl_np30".into(),
                measure: ZoneMeasure::NotCovered {
                    service: school,
                    threshold: t30
                },
            }
        );
        assert_eq!(s.measures.rank_by.field(), "schl_np30");
        assert_eq!(
            serde_json::to_string(&s.measures.rank_by).unwrap(),
            "\"schl_np30\""
        );
        let g = s.measures.gravity.as_ref().unwrap();
        assert_eq!(g.transform, GravityTransform::Linear);
        assert_eq!(serde_json::to_string(&g.transform).unwrap(), "\"linear\"");
        // Every listed field parses back to itself.
        for r in s.measures.rank_fields(&s.services) {
            assert_eq!(s.measures.rank_field(&s.services, r.field()), Some(r));
        }
        let err = parse("[inputs]\nosm='x'\n[gravity]\ntransform='sqrt'\n").unwrap_err();
        assert!(err.to_string().contains("gravity.transform"), "{err}");
    }
}

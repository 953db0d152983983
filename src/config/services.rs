//! `[services.NAME]` tables: merged over the default services, checked,
//! and given their field codes.

use std::collections::BTreeMap;

use super::defaults::{default_services, SERVICE_CODES};
use super::{ConfigError, Profile, RawCatchment, RawService, Service, Threshold};
use super::{MAX_METRES, MAX_MINUTES};
use crate::units::{Meters, Seconds};

/// The services of a run, and each one's raw catchment table (checked with
/// the measures).
pub(super) type Services = (Vec<Service>, Vec<(String, Option<RawCatchment>)>);

/// Validates the `[services]` tables against the known `profiles`;
/// `invalid` makes the error for a key.
pub(super) fn from_raw(
    raw: BTreeMap<String, RawService>,
    profiles: &BTreeMap<String, Profile>,
    invalid: &dyn Fn(&str, String) -> ConfigError,
) -> Result<Services, ConfigError> {
    // A threshold: finite, above 0, at most `max`.
    let positive = |key: &str, v: f64, max: f64| {
        if v.is_finite() && v > 0.0 && v <= max {
            Ok(v)
        } else {
            Err(invalid(
                key,
                format!("must be > 0 and at most {max}, got {v}"),
            ))
        }
    };
    // Services: the defaults, each merged with the user's table of the
    // same name, then the user's other services; `enabled = false`
    // drops one.
    let mut user = raw;
    let mut raw_services: Vec<(String, RawService)> = default_services()
        .into_iter()
        .map(|(n, d)| match user.remove(n) {
            Some(u) => (n.to_string(), u.over(d)),
            None => (n.to_string(), d),
        })
        .collect();
    raw_services.extend(user);
    raw_services.retain(|(_, s)| s.enabled != Some(false));
    if raw_services.is_empty() {
        return Err(invalid(
            "services",
            "every service is disabled (`enabled = false`): keep at least one".into(),
        ));
    }
    let mut services = Vec::new();
    let mut catchment = Vec::new();
    for (name, rs) in raw_services {
        catchment.push((name.clone(), rs.catchment.clone()));
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(invalid(
                &format!("services.{name}"),
                "service names are used in column names: use ASCII letters, digits, `_`".into(),
            ));
        }
        let profile = rs.profile.unwrap_or_else(|| "walk".into());
        if !profiles.contains_key(&profile) {
            return Err(invalid(
                &format!("services.{name}.profile"),
                format!(
                    "unknown profile `{profile}` (known: {})",
                    profiles.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        let threshold = match (rs.threshold_min, rs.threshold_m) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    &format!("services.{name}"),
                    "give `threshold_min` or `threshold_m`, not both".into(),
                ))
            }
            (Some(t), None) => Threshold::Time(Seconds(
                positive(&format!("services.{name}.threshold_min"), t, MAX_MINUTES)? * 60.0,
            )),
            (None, Some(d)) => Threshold::Distance(Meters(positive(
                &format!("services.{name}.threshold_m"),
                d,
                MAX_METRES,
            )?)),
            (None, None) => Threshold::Time(Seconds(3600.0)),
        };
        let code = match rs.code {
            Some(c) => c,
            None => SERVICE_CODES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, c)| c.to_string())
                .unwrap_or_else(|| name.to_ascii_lowercase().chars().take(4).collect()),
        };
        let valid_code = (1..=4).contains(&code.len())
            && code.starts_with(|c: char| c.is_ascii_lowercase())
            && code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if !valid_code {
            return Err(invalid(
                &format!("services.{name}.code"),
                format!("`{code}` is not a field code: give 1 to 4 lowercase letters or digits, starting with a letter"),
            ));
        }
        if let Some(other) = services.iter().find(|s: &&Service| s.code == code) {
            return Err(invalid(
                &format!("services.{name}.code"),
                format!(
                    "code `{code}` is already used by service `{}`: set a distinct `code`",
                    other.name
                ),
            ));
        }
        services.push(Service {
            code,
            category: rs.category.unwrap_or_else(|| name.clone()),
            name,
            profile,
            threshold,
            straight_line: rs.straight_line.unwrap_or(false),
        });
    }
    Ok((services, catchment))
}

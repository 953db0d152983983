//! Checks of single values in a scenario file, each error naming the key.

use geo::Area;
use geo_types::{Coord, LineString, MultiPolygon, Polygon};

use super::raw::Kind;
use super::{Cx, Result};
use crate::geometry::polygon_problem;
use crate::model::LonLat;
use crate::scenario::model::Change;

/// Longest scenario or season name (names become folder names).
const MAX_NAME_LEN: usize = 64;

/// Why `name` cannot be a scenario or season name.
pub(super) fn name_problem(name: &str) -> std::result::Result<(), String> {
    if name.is_empty() || name.chars().count() > MAX_NAME_LEN {
        return Err(format!(
            "`{name}`: a name has 1 to {MAX_NAME_LEN} characters"
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(format!(
            "`{name}`: names become folder names: use ASCII letters, digits, `_` and `-` only"
        ));
    }
    Ok(())
}

/// Exactly one of two keys: the first gives `Change::Set`, the second
/// `Change::Scale`; values finite and ≥ 0 (> 0 when `strict`).
pub(super) fn change(
    cx: &Cx,
    (set_key, set): (&str, Option<f64>),
    (scale_key, scale): (&str, Option<f64>),
    strict: bool,
) -> Result<Change> {
    match (set, scale) {
        (Some(v), None) => Ok(Change::Set(number(cx, set_key, v, strict)?)),
        (None, Some(v)) => Ok(Change::Scale(number(cx, scale_key, v, strict)?)),
        (Some(_), Some(_)) => Err(cx.err(
            &format!("{set_key}/{scale_key}"),
            format!("give `{set_key}` or `{scale_key}`, not both"),
        )),
        (None, None) => Err(cx.err(
            &format!("{set_key}/{scale_key}"),
            format!("missing: give one of `{set_key}` or `{scale_key}`"),
        )),
    }
}

/// A finite number ≥ 0 (> 0 when `strict`).
pub(super) fn number(cx: &Cx, field: &str, v: f64, strict: bool) -> Result<f64> {
    let ok = v.is_finite() && if strict { v > 0.0 } else { v >= 0.0 };
    if ok {
        Ok(v)
    } else {
        let op = if strict { ">" } else { "≥" };
        Err(cx.err(field, format!("must be a finite number {op} 0, got {v}")))
    }
}

pub(super) fn missing_for(kind: Kind) -> String {
    format!("missing: `{}` requires it", kind.name())
}

/// A required, non-blank string.
pub(super) fn required_text(cx: &Cx, field: &str, v: Option<&str>, kind: Kind) -> Result<String> {
    match v {
        None => Err(cx.err(field, missing_for(kind))),
        Some(s) if s.trim().is_empty() => Err(cx.err(field, "must not be empty".into())),
        Some(s) => Ok(s.to_string()),
    }
}

/// A required name from `known`.
pub(super) fn known_name(
    cx: &Cx,
    field: &str,
    v: Option<&str>,
    kind: Kind,
    known: &[String],
) -> Result<String> {
    let v = required_text(cx, field, v, kind)?;
    check_known(cx, field, v, known)
}

/// `v` when it is one of `known`.
pub(super) fn check_known(cx: &Cx, field: &str, v: String, known: &[String]) -> Result<String> {
    if known.contains(&v) {
        Ok(v)
    } else {
        Err(cx.err(
            field,
            format!(
                "unknown {field} `{v}` (known: {})",
                list_or_none(known.iter().map(String::as_str))
            ),
        ))
    }
}

pub(super) fn list_or_none<'s>(names: impl Iterator<Item = &'s str>) -> String {
    let v: Vec<&str> = names.collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

/// Non-blank strings.
pub(super) fn text_list(cx: &Cx, field: &str, v: &[String]) -> Result<Vec<String>> {
    if let Some(k) = v.iter().position(|s| s.trim().is_empty()) {
        return Err(cx.err(field, format!("entry {} is empty", k + 1)));
    }
    Ok(v.to_vec())
}

/// Non-blank strings, at least one: an empty list would silently widen the
/// selection to everything the other keys pick.
pub(super) fn nonempty_text_list(cx: &Cx, field: &str, v: &[String]) -> Result<Vec<String>> {
    if v.is_empty() {
        return Err(cx.err(
            field,
            format!("is empty: list at least one entry or remove `{field}`"),
        ));
    }
    text_list(cx, field, v)
}

pub(super) fn lon_problem(lon: f64) -> std::result::Result<(), String> {
    if lon.is_finite() && (-180.0..=180.0).contains(&lon) {
        Ok(())
    } else {
        Err(format!(
            "must be a finite longitude in [-180, 180], got {lon}"
        ))
    }
}

pub(super) fn lat_problem(lat: f64) -> std::result::Result<(), String> {
    if lat.is_finite() && (-90.0..=90.0).contains(&lat) {
        Ok(())
    } else {
        Err(format!("must be a finite latitude in [-90, 90], got {lat}"))
    }
}

/// Valid `[lon, lat]` points.
pub(super) fn points(cx: &Cx, field: &str, written: &[Vec<f64>]) -> Result<Vec<LonLat>> {
    written
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let at = |m: String| cx.err(field, format!("point {}: {m}", k + 1));
            let &[lon, lat] = p.as_slice() else {
                return Err(at(format!("must be [lon, lat], got {} number(s)", p.len())));
            };
            lon_problem(lon).map_err(at)?;
            lat_problem(lat).map_err(at)?;
            Ok(LonLat::new(lon, lat))
        })
        .collect()
}

/// A line: at least two valid points, no point repeated twice in a row.
pub(super) fn line(cx: &Cx, field: &str, written: &[Vec<f64>]) -> Result<Vec<LonLat>> {
    let pts = points(cx, field, written)?;
    if pts.len() < 2 {
        return Err(cx.err(
            field,
            format!("a line needs at least 2 points, got {}", pts.len()),
        ));
    }
    if let Some(k) = pts.windows(2).position(|w| w[0] == w[1]) {
        return Err(cx.err(
            field,
            format!(
                "points {} and {} are the same: remove the repeated point",
                k + 1,
                k + 2
            ),
        ));
    }
    Ok(pts)
}

/// A simple polygon of non-zero area: at least three distinct valid points,
/// closed when not closed already.
pub(super) fn polygon(cx: &Cx, field: &str, written: &[Vec<f64>]) -> Result<Polygon<f64>> {
    let pts = points(cx, field, written)?;
    let mut distinct: Vec<(u64, u64)> = pts
        .iter()
        // `+ 0.0` maps -0.0 to 0.0, so both count as one point.
        .map(|p| ((p.lon + 0.0).to_bits(), (p.lat + 0.0).to_bits()))
        .collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 3 {
        return Err(cx.err(
            field,
            format!(
                "a polygon needs at least 3 distinct points, got {}",
                distinct.len()
            ),
        ));
    }
    // `Polygon::new` closes the ring when its last point is not its first.
    let ring: Vec<Coord<f64>> = pts.iter().map(|p| Coord { x: p.lon, y: p.lat }).collect();
    let poly = Polygon::new(LineString::from(ring), vec![]);
    if let Some(problem) = polygon_problem(&MultiPolygon(vec![poly.clone()])) {
        return Err(cx.err(
            field,
            format!(
                "must be a simple polygon (one that does not cross or touch itself): {problem}"
            ),
        ));
    }
    let area = poly.unsigned_area();
    if area.is_nan() || area <= 0.0 {
        return Err(cx.err(field, "has zero area".into()));
    }
    Ok(poly)
}

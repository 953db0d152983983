//! Roles: [`Feature`]s → settlements, roads, facilities and zones, using the
//! field names of the layer's [`LayerSpec`].

use std::collections::BTreeSet;
use std::path::Path;

use geo::Centroid;
use geo_types::Geometry;

mod candidates;
mod facilities;

pub use candidates::candidates;
pub use facilities::{category_for_tag, facilities, facility_points};

use super::formats::Feature;
use super::{Diagnostics, LoadError, LoadedSettlement};
use crate::config::LayerSpec;
use crate::model::{LonLat, Oneway, PopulationSource, Road, Settlement, Zone};
use crate::units::{KmPerHour, Population};

/// Features that pass the layer's `where` filter.
fn filtered<'a>(features: &'a [Feature], spec: &'a LayerSpec) -> impl Iterator<Item = &'a Feature> {
    features.iter().filter(move |f| {
        spec.filter
            .iter()
            .all(|(field, values)| f.text(field).is_some_and(|v| values.contains(&v)))
    })
}

/// Checks a layer against its spec before any feature is interpreted:
/// every configured field (and each of `extra`, a default field the role
/// needs, with its role) must be present in some feature, or it is a typo;
/// and a `where` filter must name present fields and keep at least one
/// feature of a non-empty layer.
fn check_layer(
    features: &[Feature],
    spec: &LayerSpec,
    extra: &[(&str, &str)],
) -> Result<(), LoadError> {
    let path = spec.path.as_path();
    let fields = spec
        .configured_fields()
        .into_iter()
        .chain(extra.iter().copied())
        .chain(spec.filter.keys().map(|k| (k.as_str(), "where filter")));
    for (field, role) in fields {
        require_field(features, path, field, role)?;
    }
    if !spec.filter.is_empty() && !features.is_empty() && filtered(features, spec).next().is_none()
    {
        let shown: Vec<String> = spec
            .filter
            .iter()
            .map(|(field, wanted)| {
                let mut present: Vec<String> =
                    features.iter().filter_map(|f| f.text(field)).collect();
                present.sort();
                present.dedup();
                let more = if present.len() > 10 { ", …" } else { "" };
                present.truncate(10);
                format!(
                    "`{field}` in {wanted:?} (values present: {}{more})",
                    present.join(", ")
                )
            })
            .collect();
        return Err(LoadError::Feature {
            path: path.to_path_buf(),
            feature: "(all)".into(),
            field: spec.filter.keys().cloned().collect::<Vec<_>>().join(", "),
            message: format!(
                "the `where` filter keeps none of the {} features: {}",
                features.len(),
                shown.join("; ")
            ),
        });
    }
    Ok(())
}

fn require_field(
    features: &[Feature],
    path: &Path,
    field: &str,
    role: &str,
) -> Result<(), LoadError> {
    if features.is_empty() || features.iter().any(|f| f.properties.contains_key(field)) {
        return Ok(());
    }
    let available: BTreeSet<&str> = features
        .iter()
        .take(100)
        .flat_map(|f| f.properties.keys().map(String::as_str))
        .collect();
    Err(LoadError::MissingField {
        path: path.to_path_buf(),
        field: field.to_string(),
        role: role.to_string(),
        available: available.into_iter().collect::<Vec<_>>().join(", "),
    })
}

/// The text of a configured field, empty when unset or blank.
fn text_of(f: &Feature, field: Option<&str>) -> String {
    field.and_then(|k| f.text(k)).unwrap_or_default()
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("layer")
        .to_string()
}

/// A feature's identifier: the id field, else `stem:index`. When an id
/// field is configured but this feature's is null or blank, the generated
/// id is a counted `missing_id` warning.
fn feature_id(f: &Feature, spec: &LayerSpec, diags: &mut Diagnostics) -> String {
    let generated = || format!("{}:{}", file_stem(&spec.path), f.index);
    match spec.id_field.as_deref() {
        None => generated(),
        Some(k) => f.text(k).unwrap_or_else(|| {
            let id = generated();
            diags.push(
                "missing_id",
                &spec.path,
                &f.index.to_string(),
                k,
                format!("no id (null or blank): given the id `{id}`"),
            );
            id
        }),
    }
}

fn coord(c: geo_types::Coord<f64>) -> LonLat {
    LonLat::new(c.x, c.y)
}

/// The first invalid coordinate of a geometry, if any.
fn invalid_coordinate(g: &Geometry<f64>) -> Option<LonLat> {
    use geo::CoordsIter;
    g.coords_iter().map(coord).find(|p| !p.is_valid())
}

/// Reads settlements. Every feature that passes the filter is kept, those
/// without a usable position flagged `valid: false`, so none is lost.
pub fn settlements(
    features: &[Feature],
    spec: &LayerSpec,
    diags: &mut Diagnostics,
) -> Result<Vec<LoadedSettlement>, LoadError> {
    let path = spec.path.as_path();
    check_layer(features, spec, &[])?;
    let kept: Vec<&Feature> = filtered(features, spec).collect();
    if kept.is_empty() {
        return Err(LoadError::Empty {
            path: path.to_path_buf(),
            role: "settlement".into(),
        });
    }
    let mut out = Vec::with_capacity(kept.len());
    for f in kept {
        let label = f.label(spec.id_field.as_deref());
        let (pos, valid) = match point_of(f, path, &label, diags) {
            Some(p) => (p, true),
            None => (LonLat::new(f64::NAN, f64::NAN), false),
        };
        let population = spec.population_field.as_deref().and_then(|field| {
            population_of(f, field, Population::MAX_SETTLEMENT, path, &label, diags)
        });
        let (population, population_source) = match population {
            Some(p) => (p, PopulationSource::Attribute),
            None => (Population(0.0), PopulationSource::Missing),
        };
        out.push(LoadedSettlement {
            settlement: Settlement {
                id: feature_id(f, spec, diags),
                name: text_of(f, spec.name_field.as_deref()),
                place: text_of(f, spec.place_field.as_deref()),
                pos,
                population,
                population_source,
            },
            valid,
        });
    }
    Ok(out)
}

/// A population from `field`: `None` when blank, and when not a number
/// from 0 to `max` (then with a counted `population_invalid` warning; the
/// figure is treated as unknown).
fn population_of(
    f: &Feature,
    field: &str,
    max: f64,
    path: &Path,
    label: &str,
    diags: &mut Diagnostics,
) -> Option<Population> {
    let checked = f
        .number(field)
        .map_err(|text| format!("not a number: `{text}`"))
        .and_then(|v| v.map(|v| Population::checked(v, max)).transpose());
    checked.unwrap_or_else(|why| {
        diags.push(
            "population_invalid",
            path,
            label,
            field,
            format!("{why}: treated as unknown"),
        );
        None
    })
}

/// The feature's geometry when it is present and wholly within the WGS 84
/// ranges. Otherwise a counted `invalid_geometry` or `invalid_coordinates`
/// warning, whose message ends with `outcome`, and `None`.
fn usable_geometry<'a>(
    f: &'a Feature,
    path: &Path,
    label: &str,
    outcome: &str,
    diags: &mut Diagnostics,
) -> Option<&'a Geometry<f64>> {
    let Some(g) = &f.geometry else {
        let (field, msg) = f
            .geometry_problem
            .clone()
            .unwrap_or_else(|| ("geometry".into(), "missing".into()));
        diags.push(
            "invalid_geometry",
            path,
            label,
            &field,
            format!("{msg}: {outcome}"),
        );
        return None;
    };
    if geo::CoordsIter::coords_count(g) == 0 {
        diags.push(
            "invalid_geometry",
            path,
            label,
            "geometry",
            format!("empty geometry: {outcome}"),
        );
        return None;
    }
    if let Some(bad) = invalid_coordinate(g) {
        diags.push(
            "invalid_coordinates",
            path,
            label,
            "geometry",
            format!(
                "coordinate ({}, {}) is not a WGS 84 longitude/latitude: {outcome}",
                bad.lon, bad.lat
            ),
        );
        return None;
    }
    Some(g)
}

/// A geometry's kind in words, for messages.
fn geometry_kind(g: &Geometry<f64>) -> &'static str {
    match g {
        Geometry::Point(_) => "point",
        Geometry::MultiPoint(_) => "multipart point",
        Geometry::LineString(_) | Geometry::Line(_) => "line",
        Geometry::MultiLineString(_) => "multipart line",
        Geometry::Polygon(_) | Geometry::Rect(_) | Geometry::Triangle(_) => "polygon",
        Geometry::MultiPolygon(_) => "multipolygon",
        Geometry::GeometryCollection(_) => "geometry collection",
    }
}

/// One representative point of a feature (settlements): the point itself, the
/// centroid of a polygon or multipart geometry (counted as a warning). `None`
/// with a counted warning when the geometry is missing or out of range.
fn point_of(f: &Feature, path: &Path, label: &str, diags: &mut Diagnostics) -> Option<LonLat> {
    let g = usable_geometry(f, path, label, "kept as invalid_location", diags)?;
    match g {
        Geometry::Point(p) => Some(LonLat::new(p.x(), p.y())),
        Geometry::MultiPoint(m) if m.0.len() == 1 => Some(LonLat::new(m.0[0].x(), m.0[0].y())),
        other => {
            if let Err(e) = refuse_antimeridian(other, path, label) {
                diags.push(
                    "invalid_geometry",
                    path,
                    label,
                    "geometry",
                    format!("{e}: kept as invalid_location"),
                );
                return None;
            }
            let c = other.centroid()?;
            diags.push(
                "settlement_not_point",
                path,
                label,
                "geometry",
                format!("{} settlement placed at its centroid", geometry_kind(other)),
            );
            Some(LonLat::new(c.x(), c.y()))
        }
    }
}

/// Every ring or line of `g` as positions.
fn paths_of(g: &Geometry<f64>) -> Vec<Vec<LonLat>> {
    let line = |l: &geo_types::LineString<f64>| l.0.iter().map(|c| coord(*c)).collect();
    let poly = |p: &geo_types::Polygon<f64>| {
        std::iter::once(p.exterior())
            .chain(p.interiors())
            .map(line)
            .collect::<Vec<_>>()
    };
    match g {
        Geometry::LineString(l) => vec![line(l)],
        Geometry::MultiLineString(m) => m.0.iter().map(line).collect(),
        Geometry::Polygon(p) => poly(p),
        Geometry::MultiPolygon(m) => m.0.iter().flat_map(poly).collect(),
        Geometry::GeometryCollection(c) => c.0.iter().flat_map(paths_of).collect(),
        _ => Vec::new(),
    }
}

/// Refuses a line or polygon that crosses the antimeridian: centroids and
/// point-in-polygon in longitude/latitude would go the wrong way round the
/// world. The error names the segment.
fn refuse_antimeridian(g: &Geometry<f64>, path: &Path, label: &str) -> Result<(), LoadError> {
    for pts in paths_of(g) {
        if let Some(k) = crate::geometry::antimeridian_crossing(&pts) {
            return Err(LoadError::Feature {
                path: path.to_path_buf(),
                feature: label.to_string(),
                field: "geometry".into(),
                message: format!(
                    "crosses the antimeridian (±180°) between vertices {k} and {} (longitude \
                     {} to {}): split it there (e.g. `ogr2ogr -wrapdateline`)",
                    k + 1,
                    pts[k].lon,
                    pts[k + 1].lon
                ),
            });
        }
    }
    Ok(())
}

/// Parses an OSM-style `oneway` value.
pub fn parse_oneway(v: Option<&str>) -> Oneway {
    match v.map(str::trim) {
        Some("yes" | "true" | "1") => Oneway::Forward,
        Some("-1" | "reverse") => Oneway::Backward,
        _ => Oneway::No,
    }
}

/// Parses an OSM-style `maxspeed` (`50`, `50 km/h`, `30 mph`); `None` for
/// symbolic values (`RU:rural`, `walk`, `none`).
pub fn parse_maxspeed(v: Option<&str>) -> Option<KmPerHour> {
    let v = v?.trim();
    let (num, factor) = if let Some(n) = v.strip_suffix("mph") {
        (n.trim(), 1.609_344)
    } else {
        (
            v.trim_end_matches("km/h").trim_end_matches("kmh").trim(),
            1.0,
        )
    };
    let x: f64 = num.parse().ok()?;
    (x.is_finite() && x > 0.0).then_some(KmPerHour(x * factor))
}

/// A field value saying no: `no`, `false`, `0`, `n`, `f` (any case).
fn is_no(v: &str) -> bool {
    matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "no" | "false" | "0" | "n" | "f"
    )
}

/// Reads roads from LineString / MultiLineString features.
pub fn roads(
    features: &[Feature],
    spec: &LayerSpec,
    diags: &mut Diagnostics,
) -> Result<Vec<Road>, LoadError> {
    let path = spec.path.as_path();
    let class_field = spec.class_field.as_deref().unwrap_or("highway");
    check_layer(features, spec, &[(class_field, "road class")])?;
    let oneway_field = spec.oneway_field.as_deref().unwrap_or("oneway");
    let maxspeed_field = spec.maxspeed_field.as_deref().unwrap_or("maxspeed");
    let mut out = Vec::new();
    for f in filtered(features, spec) {
        let label = f.label(spec.id_field.as_deref());
        let Some(g) = usable_geometry(f, path, &label, "road skipped", diags) else {
            continue;
        };
        let lines: Vec<&geo_types::LineString<f64>> = match g {
            Geometry::LineString(l) => vec![l],
            Geometry::MultiLineString(m) => m.0.iter().collect(),
            _ => {
                diags.push(
                    "road_not_line",
                    path,
                    &label,
                    "geometry",
                    "road is not a LineString: skipped".into(),
                );
                continue;
            }
        };
        let class = f.text(class_field).unwrap_or_default();
        let joinable = spec
            .joinable_field
            .as_deref()
            .and_then(|field| f.text(field))
            .is_none_or(|v| !is_no(&v));
        let fid = feature_id(f, spec, diags);
        let mut part = 0;
        for l in lines {
            let pts: Vec<LonLat> = l.0.iter().map(|c| coord(*c)).collect();
            let pieces = crate::geometry::split_at_antimeridian(&pts, |p| p.lon);
            if pieces.len() > 1 {
                diags.push(
                    "antimeridian_split",
                    path,
                    &label,
                    "geometry",
                    "road crosses the antimeridian (±180°): split there (no link across it)".into(),
                );
            }
            for piece in pieces {
                if piece.len() < 2 {
                    continue;
                }
                out.push(Road {
                    id: format!("{fid}#{part}"),
                    class: class.clone(),
                    oneway: parse_oneway(f.text(oneway_field).as_deref()),
                    maxspeed: parse_maxspeed(f.text(maxspeed_field).as_deref()),
                    vertices: piece.iter().map(|p| (None, *p)).collect(),
                    passability: Vec::new(),
                    joinable,
                });
                part += 1;
            }
        }
    }
    Ok(out)
}

/// Reads zone polygons; the population field (if set) is a census total.
pub fn zones(
    features: &[Feature],
    spec: &LayerSpec,
    diags: &mut Diagnostics,
) -> Result<Vec<Zone>, LoadError> {
    let path = spec.path.as_path();
    check_layer(features, spec, &[])?;
    let mut out = Vec::new();
    for f in filtered(features, spec) {
        let label = f.label(spec.id_field.as_deref());
        let Some(g) = usable_geometry(f, path, &label, "zone skipped", diags) else {
            continue;
        };
        let geometry = match g {
            Geometry::Polygon(p) => geo_types::MultiPolygon(vec![p.clone()]),
            Geometry::MultiPolygon(m) => m.clone(),
            _ => {
                diags.push(
                    "zone_not_polygon",
                    path,
                    &label,
                    "geometry",
                    "zone is not a Polygon or MultiPolygon: skipped".into(),
                );
                continue;
            }
        };
        refuse_antimeridian(g, path, &label)?;
        if let Some(problem) = crate::geometry::polygon_problem(&geometry) {
            return Err(LoadError::Feature {
                path: path.to_path_buf(),
                feature: label,
                field: "geometry".into(),
                message: format!(
                    "invalid zone polygon: {problem}; point-in-polygon on it is undefined. \
                     Repair it (QGIS: Fix Geometries; `ogr2ogr -makevalid`)"
                ),
            });
        }
        let census_population = spec
            .population_field
            .as_deref()
            .and_then(|field| population_of(f, field, Population::MAX_ZONE, path, &label, diags));
        out.push(Zone {
            id: feature_id(f, spec, diags),
            name: text_of(f, spec.name_field.as_deref()),
            geometry,
            census_population,
            census_key: spec.key_field.as_deref().and_then(|k| f.text(k)),
        });
    }
    if out.is_empty() {
        return Err(LoadError::Empty {
            path: path.to_path_buf(),
            role: "zone".into(),
        });
    }
    let mut seen = std::collections::HashMap::new();
    for (k, z) in out.iter().enumerate() {
        if let Some(k0) = seen.insert(z.id.as_str(), k) {
            return Err(LoadError::DuplicateId {
                path: path.to_path_buf(),
                feature: format!("{k} (also zone {k0})"),
                field: spec.id_field.clone().unwrap_or_else(|| "id".into()),
                id: z.id.clone(),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maxspeed_forms() {
        assert_eq!(parse_maxspeed(Some("50")), Some(KmPerHour(50.0)));
        assert_eq!(parse_maxspeed(Some("80 km/h")), Some(KmPerHour(80.0)));
        let mph = parse_maxspeed(Some("30 mph")).unwrap().0;
        assert!((mph - 48.28).abs() < 0.01);
        assert_eq!(parse_maxspeed(Some("RU:rural")), None);
        assert_eq!(parse_maxspeed(Some("none")), None);
    }

    #[test]
    fn oneway_forms() {
        assert_eq!(parse_oneway(Some("yes")), Oneway::Forward);
        assert_eq!(parse_oneway(Some("-1")), Oneway::Backward);
        assert_eq!(parse_oneway(Some("no")), Oneway::No);
        assert_eq!(parse_oneway(None), Oneway::No);
    }
}

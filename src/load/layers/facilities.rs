//! The facility role: category from the layer, a field or the OSM tag
//! table; representative points (lines sampled, polygons at their centroid);
//! capacity.

use std::path::Path;

use geo::Centroid;
use geo_types::Geometry;

use super::{
    check_layer, coord, feature_id, filtered, refuse_antimeridian, text_of, usable_geometry,
};
use crate::config::{LayerSpec, OsmTags};
use crate::geometry::{mean_position, sample_line};
use crate::load::formats::Feature;
use crate::load::{Diagnostics, LoadError};
use crate::model::{Facility, LonLat};
use crate::units::Meters;

/// Looks a `key=value` pair up in the facility tag table (exact, then `key=*`).
pub fn category_for_tag(tags: &OsmTags, key: &str, value: &str) -> Option<String> {
    tags.facility_tags.category(key, value).map(str::to_string)
}

/// Representative points of a facility geometry: a point, each point of a
/// multipoint, samples along lines, the centroid of polygons.
pub fn facility_points(g: &Geometry<f64>, line_sample: Meters) -> Vec<LonLat> {
    let line = |l: &geo_types::LineString<f64>| {
        let pts: Vec<LonLat> = l.0.iter().map(|c| coord(*c)).collect();
        sample_line(&pts, line_sample)
    };
    match g {
        Geometry::Point(p) => vec![LonLat::new(p.x(), p.y())],
        Geometry::MultiPoint(m) => m.0.iter().map(|p| LonLat::new(p.x(), p.y())).collect(),
        Geometry::LineString(l) => line(l),
        Geometry::MultiLineString(m) => m.0.iter().flat_map(line).collect(),
        Geometry::Polygon(p) => {
            let pts: Vec<LonLat> = p.exterior().0.iter().map(|c| coord(*c)).collect();
            mean_position(&pts).into_iter().collect()
        }
        other => other
            .centroid()
            .map(|c| vec![LonLat::new(c.x(), c.y())])
            .unwrap_or_default(),
    }
}

/// Reads facilities; the category comes from the layer's `category`, its
/// `category_field`, or its OSM key/value fields through the tag table.
pub fn facilities(
    features: &[Feature],
    spec: &LayerSpec,
    tags: &OsmTags,
    diags: &mut Diagnostics,
) -> Result<Vec<Facility>, LoadError> {
    let path = spec.path.as_path();
    match (
        &spec.category,
        &spec.category_field,
        &spec.osm_key_field,
        &spec.osm_value_field,
    ) {
        (Some(_), None, None, None)
        | (None, Some(_), None, None)
        | (None, None, Some(_), Some(_)) => {}
        _ => {
            return Err(LoadError::Feature {
                path: path.to_path_buf(),
                feature: "(layer)".into(),
                field: "category".into(),
                message: "set exactly one of `category`, `category_field`, or both \
                          `osm_key_field` and `osm_value_field`"
                    .into(),
            })
        }
    }
    check_layer(features, spec, &[])?;
    let mut out = Vec::new();
    let kept: Vec<&Feature> = filtered(features, spec).collect();
    if kept.is_empty() {
        diags.push(
            "empty_layer",
            path,
            "(layer)",
            "",
            "facility layer has no features".into(),
        );
    }
    for f in kept {
        let label = f.label(spec.id_field.as_deref());
        let category = if let Some(c) = &spec.category {
            Some(c.clone())
        } else if let Some(field) = &spec.category_field {
            f.text(field)
        } else {
            let k = f.text(spec.osm_key_field.as_deref().unwrap_or_default());
            let v = f.text(spec.osm_value_field.as_deref().unwrap_or_default());
            k.zip(v).and_then(|(k, v)| category_for_tag(tags, &k, &v))
        };
        let Some(category) = category else { continue };
        let Some(g) = usable_geometry(f, path, &label, "facility skipped", diags) else {
            continue;
        };
        let id = feature_id(f, spec, diags);
        let name = text_of(f, spec.name_field.as_deref());
        let capacity = match spec.capacity_field.as_deref() {
            None => 1.0,
            Some(field) => capacity_of(f, field, path, &label, diags)?,
        };
        if !matches!(g, Geometry::LineString(_) | Geometry::MultiLineString(_)) {
            // Lines are sampled on the great circle; outlines are averaged.
            refuse_antimeridian(g, path, &label)?;
        }
        let pts = facility_points(g, Meters(tags.line_sample_m));
        let many = pts.len() > 1;
        // A line's or multipoint's capacity is shared among its points.
        let capacity = capacity / pts.len().max(1) as f64;
        for (k, pos) in pts.into_iter().enumerate() {
            out.push(Facility {
                id: if many {
                    format!("{id}#{k}")
                } else {
                    id.clone()
                },
                name: name.clone(),
                category: category.clone(),
                pos,
                capacity,
            });
        }
    }
    Ok(out)
}

/// A facility's capacity from `field`: a missing value counts 1 (a counted
/// warning); text that is not a number, or a negative number, is an error.
pub(super) fn capacity_of(
    f: &Feature,
    field: &str,
    path: &Path,
    label: &str,
    diags: &mut Diagnostics,
) -> Result<f64, LoadError> {
    let bad = |message: String| LoadError::Feature {
        path: path.to_path_buf(),
        feature: label.to_string(),
        field: field.to_string(),
        message,
    };
    match f.number(field) {
        Ok(Some(v)) if (0.0..=crate::units::MAX_CAPACITY).contains(&v) => Ok(v),
        Ok(Some(v)) => Err(bad(format!(
            "capacity {v} is out of range (0 to {:e})",
            crate::units::MAX_CAPACITY
        ))),
        Err(text) => Err(bad(format!("capacity is not a number: `{text}`"))),
        Ok(None) => {
            diags.push(
                "capacity_missing",
                path,
                label,
                field,
                "no capacity: counted as 1".into(),
            );
            Ok(1.0)
        }
    }
}

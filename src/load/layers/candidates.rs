//! The candidate-site role of `remoteness place`: a position per feature,
//! with its cost and capacity when the layer gives them.

use geo::Centroid;

use super::{check_layer, feature_id, filtered, refuse_antimeridian, text_of, usable_geometry};
use crate::config::LayerSpec;
use crate::load::formats::Feature;
use crate::load::{Diagnostics, LoadError};
use crate::model::LonLat;

/// Reads candidate sites for a placement: a point (or the centroid of a
/// line or polygon) per feature that passes the filter; a feature without a
/// usable position is skipped with a counted warning. `cost_field` gives
/// each site's cost, which must be a positive finite number.
pub fn candidates(
    features: &[Feature],
    spec: &LayerSpec,
    cost_field: Option<&str>,
    diags: &mut Diagnostics,
) -> Result<Vec<crate::model::Candidate>, LoadError> {
    let path = spec.path.as_path();
    let extra: Vec<(&str, &str)> = cost_field.map(|f| (f, "cost_field")).into_iter().collect();
    check_layer(features, spec, &extra)?;
    let mut out = Vec::new();
    for f in filtered(features, spec) {
        let label = f.label(spec.id_field.as_deref());
        let Some(g) = usable_geometry(f, path, &label, "candidate skipped", diags) else {
            continue;
        };
        refuse_antimeridian(g, path, &label)?;
        let Some(c) = g.centroid() else { continue };
        let cost = match cost_field {
            None => 1.0,
            Some(field) => match f.number(field) {
                Ok(Some(v)) if v.is_finite() && v > 0.0 && v <= 1e12 => v,
                Ok(v) => {
                    return Err(LoadError::Feature {
                        path: path.to_path_buf(),
                        feature: label,
                        field: field.to_string(),
                        message: format!(
                            "cost {} is not a positive number up to 1e12",
                            v.map_or("(blank)".to_string(), |v| v.to_string())
                        ),
                    })
                }
                Err(text) => {
                    return Err(LoadError::Feature {
                        path: path.to_path_buf(),
                        feature: label,
                        field: field.to_string(),
                        message: format!("cost is not a number: `{text}`"),
                    })
                }
            },
        };
        let capacity = match spec.capacity_field.as_deref() {
            None => None,
            Some(field) => Some(super::facilities::capacity_of(
                f, field, path, &label, diags,
            )?),
        };
        out.push(crate::model::Candidate {
            id: feature_id(f, spec, diags),
            name: text_of(f, spec.name_field.as_deref()),
            pos: LonLat::new(c.x(), c.y()),
            cost,
            capacity,
        });
    }
    if out.is_empty() {
        return Err(LoadError::Empty {
            path: path.to_path_buf(),
            role: "candidate".into(),
        });
    }
    Ok(out)
}

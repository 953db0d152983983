//! Every OGR vector source through GDAL (`gdal` feature): GeoPackage,
//! FileGDB, KML, MapInfo, a PostGIS connection string (`PG:dbname=…`)…
//!
//! The layer is the configured `layer`, else the source's only layer (a
//! source with several is an error listing them). The CRS is the layer's
//! spatial reference: its EPSG code when GDAL identifies one, else its WKT.

use std::path::Path;

use gdal::vector::{FieldValue, LayerAccess};
use gdal::Dataset;
use serde_json::{Map, Number, Value};

use super::{Feature, RawLayer};
use crate::load::LoadError;

fn format_error(path: &Path, message: String) -> LoadError {
    LoadError::Format {
        path: path.to_path_buf(),
        message,
    }
}

fn field_value(v: Option<FieldValue>) -> Value {
    let num = |x: f64| {
        Number::from_f64(x)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    };
    match v {
        None => Value::Null,
        Some(FieldValue::IntegerValue(i)) => Value::Number(i.into()),
        Some(FieldValue::Integer64Value(i)) => Value::Number(i.into()),
        Some(FieldValue::RealValue(x)) => num(x),
        Some(FieldValue::StringValue(s)) => Value::String(s),
        Some(FieldValue::DateValue(d)) => Value::String(format!("{d:?}")),
        Some(FieldValue::DateTimeValue(d)) => Value::String(format!("{d:?}")),
        Some(FieldValue::IntegerListValue(v)) => Value::String(format!("{v:?}")),
        Some(FieldValue::Integer64ListValue(v)) => Value::String(format!("{v:?}")),
        Some(FieldValue::RealListValue(v)) => Value::String(format!("{v:?}")),
        Some(FieldValue::StringListValue(v)) => Value::String(v.join(",")),
    }
}

/// The layer names of an OGR source, in order.
pub fn layer_names(path: &Path) -> Result<Vec<String>, LoadError> {
    if !crate::config::is_connection_string(path) && !path.is_dir() {
        crate::files::regular_file(path)?;
    }
    let ds = Dataset::open(path)
        .map_err(|e| format_error(path, format!("GDAL cannot open it as a vector source: {e}")))?;
    Ok(ds.layers().map(|l| l.name()).collect())
}

/// Reads one layer of an OGR source.
pub fn read(path: &Path, layer_name: Option<&str>) -> Result<RawLayer, LoadError> {
    if !crate::config::is_connection_string(path) && !path.is_dir() {
        // A FIFO or device would block GDAL; folders are OGR sources.
        crate::files::regular_file(path)?;
    }
    let ds = Dataset::open(path)
        .map_err(|e| format_error(path, format!("GDAL cannot open it as a vector source: {e}")))?;
    let names: Vec<String> = ds.layers().map(|l| l.name()).collect();
    let mut layer = match layer_name {
        Some(name) => ds.layer_by_name(name).map_err(|_| {
            format_error(
                path,
                format!("no layer `{name}`; layers: {}", names.join(", ")),
            )
        })?,
        None if names.len() == 1 => ds.layer(0).map_err(|e| format_error(path, e.to_string()))?,
        None => {
            return Err(format_error(
                path,
                format!(
                    "{} layers ({}): choose one with `layer = \"…\"`",
                    names.len(),
                    names.join(", ")
                ),
            ))
        }
    };
    let crs = layer.spatial_ref().map(|srs| {
        let text = match (srs.auth_name(), srs.auth_code()) {
            (Some(n), Ok(c)) if n.eq_ignore_ascii_case("EPSG") => format!("EPSG:{c}"),
            _ => srs.to_wkt().unwrap_or_default(),
        };
        (text, format!("OGR layer `{}`", layer.name()))
    });
    let mut features = Vec::new();
    for (index, f) in layer.features().enumerate() {
        let (geometry, geometry_problem) = match f.geometry() {
            None => (None, Some(("geometry".into(), "null geometry".into()))),
            Some(g) if g.is_empty() => (None, Some(("geometry".into(), "empty geometry".into()))),
            Some(g) => match g.to_geo() {
                Ok(g) => (Some(g), None),
                Err(e) => (None, Some(("geometry".into(), e.to_string()))),
            },
        };
        let properties: Map<String, Value> =
            f.fields().map(|(name, v)| (name, field_value(v))).collect();
        features.push(Feature {
            index,
            geometry,
            geometry_problem,
            properties,
        });
    }
    Ok(RawLayer {
        features,
        crs,
        warnings: Vec::new(),
    })
}

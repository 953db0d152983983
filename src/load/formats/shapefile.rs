//! ESRI Shapefile reader (pure Rust): `.shp` geometry, `.dbf` attributes with
//! their dBase types, the `.cpg` code page (UTF-8, Windows and ISO 8859 code
//! pages), and the `.prj` CRS.
//!
//! Z and M values are dropped (the analysis is 2-D). A null shape is a
//! feature without geometry, reported by the role that reads it.

use std::path::Path;

use geo_types::Geometry;
use serde_json::{Map, Number, Value};
use shapefile::dbase::FieldValue;

use super::{Feature, RawLayer};
use crate::load::LoadError;

fn format_error(path: &Path, message: String) -> LoadError {
    LoadError::Format {
        path: path.to_path_buf(),
        message,
    }
}

/// A dBase value as JSON: numbers stay numbers, dates become ISO text.
fn field_value(v: FieldValue) -> Value {
    let num = |x: f64| {
        Number::from_f64(x)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    };
    match v {
        FieldValue::Character(s) => s.map(Value::String).unwrap_or(Value::Null),
        FieldValue::Memo(s) => Value::String(s),
        // dBase stores integers as numeric text: keep them integers (ids!).
        FieldValue::Numeric(Some(x)) if x.fract() == 0.0 && x.abs() < 9.0e15 => {
            Value::Number((x as i64).into())
        }
        FieldValue::Numeric(x) => x.map(num).unwrap_or(Value::Null),
        FieldValue::Float(x) => x.map(|x| num(x as f64)).unwrap_or(Value::Null),
        FieldValue::Double(x) | FieldValue::Currency(x) => num(x),
        FieldValue::Integer(i) => Value::Number(i.into()),
        FieldValue::Logical(b) => b.map(Value::Bool).unwrap_or(Value::Null),
        FieldValue::Date(d) => d
            .map(|d| Value::String(format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())))
            .unwrap_or(Value::Null),
        FieldValue::DateTime(dt) => {
            let d = dt.date();
            let t = dt.time();
            Value::String(format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                d.year(),
                d.month(),
                d.day(),
                t.hours(),
                t.minutes(),
                t.seconds()
            ))
        }
    }
}

/// Reads a shapefile and its sidecar files.
pub fn read(path: &Path) -> Result<RawLayer, LoadError> {
    for ext in ["shx", "dbf"] {
        let side = path.with_extension(ext);
        if !side.exists() {
            return Err(format_error(
                path,
                format!(
                    "the shapefile's `.{ext}` is missing ({}): copy every file of the shapefile",
                    side.display()
                ),
            ));
        }
    }
    let mut reader = shapefile::Reader::from_path(path)
        .map_err(|e| format_error(path, format!("not a readable shapefile: {e}")))?;
    let mut features = Vec::new();
    for (index, item) in reader.iter_shapes_and_records().enumerate() {
        let (shape, record) =
            item.map_err(|e| format_error(path, format!("record {index} cannot be read: {e}")))?;
        let (geometry, geometry_problem) = match shape {
            shapefile::Shape::NullShape => (None, Some(("geometry".into(), "null shape".into()))),
            s => match Geometry::<f64>::try_from(s) {
                Ok(g) => (Some(g), None),
                Err(e) => (None, Some(("geometry".into(), e.to_string()))),
            },
        };
        let properties: Map<String, Value> = record
            .into_iter()
            .map(|(k, v)| (k, field_value(v)))
            .collect();
        features.push(Feature {
            index,
            geometry,
            geometry_problem,
            properties,
        });
    }
    let prj = path.with_extension("prj");
    let crs = match std::fs::read(&prj) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes).trim().to_string();
            (!text.is_empty()).then(|| (text, format!("{}", prj.display())))
        }
        Err(_) => None,
    };
    Ok(RawLayer { features, crs })
}

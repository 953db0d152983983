//! Arrow record batches → features (feature `arrow`): how layers held in
//! memory by a host program (GeoDataFrames, through the Arrow PyCapsule
//! interface) reach the loaders. One column holds WKB geometry (named
//! `geometry`, or the one field tagged `geoarrow.wkb`); every other column
//! becomes a property: integers and floats as numbers, booleans, text, and
//! any other type (dates, decimals, dictionaries) as its text form.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type,
    UInt64Type, UInt8Type,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use serde_json::{Map, Value};

use super::{Feature, RawLayer};
use crate::load::LoadError;

/// The geometry column of `batch`: a field tagged `geoarrow.wkb`, else one
/// named `geometry`.
fn geometry_column(batch: &RecordBatch) -> Option<usize> {
    let fields = batch.schema_ref().fields();
    fields
        .iter()
        .position(|f| {
            f.metadata()
                .get("ARROW:extension:name")
                .is_some_and(|n| n == "geoarrow.wkb" || n == "ogc.wkb")
        })
        .or_else(|| fields.iter().position(|f| f.name() == "geometry"))
}

/// One cell as a JSON value (null for a null).
fn cell(col: &dyn Array, row: usize, text: Option<&arrow_array::StringArray>) -> Value {
    if col.is_null(row) {
        return Value::Null;
    }
    let float = |x: f64| serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number);
    match col.data_type() {
        DataType::Boolean => Value::Bool(col.as_boolean().value(row)),
        DataType::Int8 => col.as_primitive::<Int8Type>().value(row).into(),
        DataType::Int16 => col.as_primitive::<Int16Type>().value(row).into(),
        DataType::Int32 => col.as_primitive::<Int32Type>().value(row).into(),
        DataType::Int64 => col.as_primitive::<Int64Type>().value(row).into(),
        DataType::UInt8 => col.as_primitive::<UInt8Type>().value(row).into(),
        DataType::UInt16 => col.as_primitive::<UInt16Type>().value(row).into(),
        DataType::UInt32 => col.as_primitive::<UInt32Type>().value(row).into(),
        DataType::UInt64 => col.as_primitive::<UInt64Type>().value(row).into(),
        DataType::Float32 => float(f64::from(col.as_primitive::<Float32Type>().value(row))),
        DataType::Float64 => float(col.as_primitive::<Float64Type>().value(row)),
        DataType::Utf8 => col.as_string::<i32>().value(row).into(),
        DataType::LargeUtf8 => col.as_string::<i64>().value(row).into(),
        DataType::Utf8View => col.as_string_view().value(row).into(),
        _ => text.map_or(Value::Null, |t| {
            if t.is_null(row) {
                Value::Null
            } else {
                t.value(row).into()
            }
        }),
    }
}

/// Whether a column is read as it is (not through its text form).
fn direct(t: &DataType) -> bool {
    t.is_numeric()
        && !matches!(
            t,
            DataType::Float16 | DataType::Decimal128(..) | DataType::Decimal256(..)
        )
        || matches!(
            t,
            DataType::Boolean | DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
        )
}

/// Reads `batches` (one layer, in order) into features; `name` stands for
/// the file in messages and `crs` is the CRS the host declares (WKT, PROJ
/// JSON or an identifier). A missing geometry column, a geometry column
/// that is not binary, or a blob that is not WKB is an error naming the
/// feature.
pub fn read(
    batches: &[RecordBatch],
    name: &std::path::Path,
    crs: Option<String>,
) -> Result<RawLayer, LoadError> {
    let fail = |message: String| LoadError::Format {
        path: name.to_path_buf(),
        message,
    };
    let mut features = Vec::new();
    for batch in batches {
        let Some(g) = geometry_column(batch) else {
            return Err(fail(
                "no geometry column (a binary column named `geometry`, or tagged \
                 `geoarrow.wkb`): hand the table over with WKB geometry"
                    .into(),
            ));
        };
        let geoms = batch.column(g);
        let blob = |row: usize| -> Option<&[u8]> {
            match geoms.data_type() {
                DataType::Binary => Some(geoms.as_binary::<i32>().value(row)),
                DataType::LargeBinary => Some(geoms.as_binary::<i64>().value(row)),
                DataType::BinaryView => Some(geoms.as_binary_view().value(row)),
                _ => None,
            }
        };
        if !matches!(
            geoms.data_type(),
            DataType::Binary | DataType::LargeBinary | DataType::BinaryView
        ) {
            return Err(fail(format!(
                "the geometry column is {}, not WKB (binary): hand the table over with \
                 WKB geometry (GeoPandas: to_arrow(geometry_encoding=\"WKB\"))",
                geoms.data_type()
            )));
        }
        let schema = batch.schema();
        let texts: Vec<Option<arrow_array::StringArray>> = batch
            .columns()
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == g || direct(c.data_type()) {
                    return Ok(None);
                }
                let t = arrow_cast::cast(c, &DataType::Utf8).map_err(|e| {
                    fail(format!(
                        "column `{}` ({}) cannot be read as text: {e}",
                        schema.field(i).name(),
                        c.data_type()
                    ))
                })?;
                Ok(Some(t.as_string::<i32>().clone()))
            })
            .collect::<Result<_, LoadError>>()?;
        for row in 0..batch.num_rows() {
            let index = features.len();
            let mut properties = Map::new();
            for (i, c) in batch.columns().iter().enumerate() {
                if i != g {
                    let v = cell(c.as_ref(), row, texts[i].as_ref());
                    properties.insert(schema.field(i).name().clone(), v);
                }
            }
            let (geometry, geometry_problem) = if geoms.is_null(row) {
                (None, Some(("geometry".into(), "no geometry (null)".into())))
            } else {
                let bytes = blob(row).unwrap_or_default();
                match super::wkb::read(bytes) {
                    Ok(geom) => (Some(geom), None),
                    Err(e) => {
                        return Err(LoadError::Feature {
                            path: name.to_path_buf(),
                            feature: index.to_string(),
                            field: schema.field(g).name().clone(),
                            message: format!("not WKB: {e}"),
                        })
                    }
                }
            };
            features.push(Feature {
                index,
                geometry,
                geometry_problem,
                properties,
            });
        }
    }
    Ok(RawLayer {
        features,
        crs: crs.map(|c| (c, "the table's CRS".to_string())),
        warnings: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{
        ArrayRef, BinaryArray, BooleanArray, Date32Array, Float64Array, Int32Array, StringArray,
    };
    use arrow_schema::{Field, Schema};
    use std::path::Path;
    use std::sync::Arc;

    fn point(x: f64, y: f64) -> Vec<u8> {
        let mut v = vec![1];
        v.extend(1u32.to_le_bytes());
        v.extend(x.to_le_bytes());
        v.extend(y.to_le_bytes());
        v
    }

    fn batch(geometry: ArrayRef) -> RecordBatch {
        let schema = Schema::new(vec![
            Field::new("id", DataType::Utf8, true),
            Field::new("pop", DataType::Int32, true),
            Field::new("share", DataType::Float64, true),
            Field::new("ok", DataType::Boolean, true),
            Field::new("surveyed", DataType::Date32, true),
            Field::new("geometry", geometry.data_type().clone(), true),
        ]);
        RecordBatch::try_new(
            Arc::new(schema),
            vec![
                Arc::new(StringArray::from(vec![Some("a"), None])),
                Arc::new(Int32Array::from(vec![Some(120), None])),
                Arc::new(Float64Array::from(vec![Some(0.5), Some(f64::NAN)])),
                Arc::new(BooleanArray::from(vec![Some(true), Some(false)])),
                Arc::new(Date32Array::from(vec![Some(19_000), None])),
                geometry,
            ],
        )
        .unwrap()
    }

    #[test]
    fn columns_become_properties_and_wkb_geometry() {
        let p = point(-7.5, 29.75);
        let geoms: ArrayRef = Arc::new(BinaryArray::from(vec![Some(p.as_slice()), None]));
        let raw = read(
            &[batch(geoms)],
            Path::new("memory:s"),
            Some("EPSG:4326".into()),
        )
        .unwrap();
        assert_eq!(raw.features.len(), 2);
        let (a, b) = (&raw.features[0], &raw.features[1]);
        assert_eq!(
            a.geometry,
            Some(geo_types::Geometry::Point(geo_types::Point::new(
                -7.5, 29.75
            )))
        );
        assert_eq!(a.properties["id"], Value::from("a"));
        assert_eq!(a.properties["pop"], Value::from(120));
        assert_eq!(a.properties["share"], Value::from(0.5));
        assert_eq!(a.properties["ok"], Value::from(true));
        assert_eq!(a.properties["surveyed"], Value::from("2022-01-08"));
        assert!(!a.properties.contains_key("geometry"));
        assert_eq!(b.properties["id"], Value::Null);
        assert_eq!(b.properties["share"], Value::Null, "NaN is no number");
        assert_eq!(b.properties["surveyed"], Value::Null);
        assert!(b.geometry.is_none() && b.geometry_problem.is_some());
        assert_eq!(raw.crs.unwrap().0, "EPSG:4326");
    }

    #[test]
    fn bad_geometry_columns_are_errors_naming_the_feature() {
        let geoms: ArrayRef = Arc::new(BinaryArray::from(vec![
            Some(point(0.0, 0.0).as_slice()),
            Some(&[1u8, 2, 3][..]),
        ]));
        let e = read(&[batch(geoms)], Path::new("memory:s"), None).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("memory:s") && msg.contains("feature 1") && msg.contains("WKB"),
            "{msg}"
        );
        let text: ArrayRef = Arc::new(StringArray::from(vec![Some("POINT (0 0)"), None]));
        let e = read(&[batch(text)], Path::new("memory:s"), None).unwrap_err();
        assert!(e.to_string().contains("not WKB"), "{e}");
    }
}

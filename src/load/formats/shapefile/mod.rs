//! ESRI Shapefile reader (pure Rust): `.shp` geometry, `.dbf` attributes with
//! their dBase types, the `.cpg` code page (UTF-8, Windows and ISO 8859 code
//! pages), and the `.prj` CRS.
//!
//! Z and M values are dropped (the analysis is 2-D). A null shape is a
//! feature without geometry, reported by the role that reads it.

use std::io::Cursor;
use std::path::Path;

use geo_types::Geometry;
use serde_json::{Map, Number, Value};
use shapefile::dbase::{self, FieldValue};

use super::{Feature, RawLayer};
use crate::load::LoadError;

mod encoding;
mod layout;

use encoding::dbf_encoding;
use layout::{check_records, check_shp, dbf_layout, overflow_cells, shx_count, sidecar};

fn format_error(path: &Path, message: String) -> LoadError {
    LoadError::Format {
        path: path.to_path_buf(),
        message,
    }
}

/// A dBase value as JSON: numbers stay numbers, dates become ISO text.
fn field_value(v: FieldValue) -> Value {
    // A non-finite number stays visible (as text) so the role reports it.
    let num = |x: f64| {
        Number::from_f64(x)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(x.to_string()))
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

/// Reads a shapefile and its sidecar files (found in either case).
pub fn read(path: &Path) -> Result<RawLayer, LoadError> {
    let side = |ext: &str| {
        sidecar(path, ext).ok_or_else(|| {
            format_error(
                path,
                format!(
                    "the shapefile's `.{ext}` is missing (looked for {}): copy every file of \
                     the shapefile",
                    path.with_extension(ext).display()
                ),
            )
        })
    };
    let (shx_path, dbf_path) = (side("shx")?, side("dbf")?);
    let shp = crate::files::read(path)?;
    let shx = crate::files::read(&shx_path)?;
    let dbf = crate::files::read(&dbf_path)?;
    check_shp(path, &shp)?;
    check_records(path, &shp)?;
    let n_shx = shx_count(&shx_path, &shx)?;
    let (n_dbf, records) = dbf_layout(&dbf_path, &dbf)?;
    let name = |p: &Path| {
        p.file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into_owned())
    };
    if n_shx != n_dbf {
        return Err(format_error(
            path,
            format!(
                "{} indexes {n_shx} records but {} holds {n_dbf}: the files do not belong \
                 together, or one is truncated; every shape needs its attributes",
                name(&shx_path),
                name(&dbf_path)
            ),
        ));
    }
    let mut warnings = Vec::new();
    let encoding = dbf_encoding(&dbf_path, &dbf, records, &mut warnings)?;
    let mut shapes = shapefile::ShapeReader::new(Cursor::new(shp))
        .map_err(|e| format_error(path, format!("not a readable .shp: {}", shp_error(&e))))?;
    let overflowed = overflow_cells(&dbf);
    let mut table = dbase::ReaderBuilder::new()
        .with_encoding(encoding)
        .build(Cursor::new(dbf))
        .map_err(|e| format_error(&dbf_path, format!("not a readable .dbf: {e}")))?;
    let names: Vec<String> = table
        .fields()
        .iter()
        .map(|f| f.name().to_string())
        .collect();
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = names.iter().find(|n| !seen.insert(n.as_str())) {
        return Err(format_error(
            &dbf_path,
            format!(
                "field `{dup}` appears twice: which one holds the values is ambiguous; rename one"
            ),
        ));
    }
    let mut features = Vec::with_capacity(n_dbf);
    let mut rows = table.iter_records();
    for (index, shape) in shapes.iter_shapes().enumerate() {
        let shape = shape
            .map_err(|e| format_error(path, format!("shape record {index}: {}", shp_error(&e))))?;
        let record = match rows.next() {
            Some(r) => r.map_err(|e| {
                let field = e
                    .field_index()
                    .and_then(|i| names.get(i.0))
                    .map_or(String::new(), |n| format!(" field `{n}`"));
                format_error(&dbf_path, format!("record {index}{field}: {}", e.kind()))
            })?,
            None => {
                return Err(format_error(
                    path,
                    format!(
                        "{} has more shapes than the {n_dbf} records of {}: the files do not \
                         belong together",
                        name(path),
                        name(&dbf_path)
                    ),
                ))
            }
        };
        let (geometry, geometry_problem) = shape_geometry(shape);
        let properties: Map<String, Value> = record
            .into_iter()
            .map(|(k, v)| {
                // `****` marks a number too wide for its field: not a blank.
                let v = if overflowed.contains(&(index, k.clone())) {
                    Value::String("*".repeat(10))
                } else {
                    field_value(v)
                };
                (k, v)
            })
            .collect();
        features.push(Feature {
            index,
            geometry,
            geometry_problem,
            properties,
        });
    }
    if features.len() != n_dbf {
        return Err(format_error(
            path,
            format!(
                "{} holds {} shapes but {} and {} {n_dbf} records: the .shp is truncated or \
                 does not belong with them",
                name(path),
                features.len(),
                name(&shx_path),
                name(&dbf_path)
            ),
        ));
    }
    let crs = match sidecar(path, "prj") {
        Some(prj) => {
            let bytes = crate::files::read_capped(&prj, 1 << 20)?;
            let text = String::from_utf8_lossy(&bytes).trim().to_string();
            (!text.is_empty()).then(|| (text, format!("{}", prj.display())))
        }
        None => None,
    };
    Ok(RawLayer {
        features,
        crs,
        warnings,
    })
}

/// A shape as a geometry, or why it has none. A polygon whose rings do not
/// follow the shapefile's orientation rule (outer rings clockwise) is
/// rebuilt by nesting instead of failing.
fn shape_geometry(shape: shapefile::Shape) -> (Option<Geometry<f64>>, Option<(String, String)>) {
    let problem = |m: String| (None, Some(("geometry".to_string(), m)));
    match shape {
        shapefile::Shape::NullShape => problem("null shape".into()),
        shapefile::Shape::Polygon(p) => (Some(nested(p.rings())), None),
        shapefile::Shape::PolygonZ(p) => (Some(nested(p.rings())), None),
        shapefile::Shape::PolygonM(p) => (Some(nested(p.rings())), None),
        s => match Geometry::<f64>::try_from(s) {
            Ok(g) => (Some(g), None),
            Err(e) => problem(shp_error(&e)),
        },
    }
}

/// A polygon's rings (2-D), nested by containment.
fn nested<P: shapefile::record::traits::HasXY>(
    rings: &[shapefile::PolygonRing<P>],
) -> Geometry<f64> {
    let rings = rings
        .iter()
        .map(|r| {
            r.points()
                .iter()
                .map(|q| geo_types::Coord { x: q.x(), y: q.y() })
                .collect()
        })
        .collect();
    crate::geometry::nest_rings(rings)
}

/// A shapefile error in words (an early end of file is a truncation).
fn shp_error(e: &shapefile::Error) -> String {
    match e {
        shapefile::Error::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            "the file ends inside a record: it is truncated".into()
        }
        e => e.to_string(),
    }
}

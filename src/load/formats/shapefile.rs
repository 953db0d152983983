//! ESRI Shapefile reader (pure Rust): `.shp` geometry, `.dbf` attributes with
//! their dBase types, the `.cpg` code page (UTF-8, Windows and ISO 8859 code
//! pages), and the `.prj` CRS.
//!
//! Z and M values are dropped (the analysis is 2-D). A null shape is a
//! feature without geometry, reported by the role that reads it.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use geo_types::Geometry;
use serde_json::{Map, Number, Value};
use shapefile::dbase::{self, encoding::DynEncoding, CodePageMark, FieldValue};

use super::{Feature, RawLayer};
use crate::load::{LoadError, Warning};

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
    let n_shx = shx_count(&shx_path, &shx)?;
    let (n_dbf, records) = dbf_layout(&dbf_path, &dbf)?;
    if n_shx != n_dbf {
        return Err(format_error(
            path,
            format!(
                "the .shx indexes {n_shx} records but the .dbf holds {n_dbf}: the files do not \
                 belong together, or one is truncated; every shape needs its attributes"
            ),
        ));
    }
    let mut warnings = Vec::new();
    let encoding = dbf_encoding(&dbf_path, &dbf, records, &mut warnings);
    let mut shapes = shapefile::ShapeReader::new(Cursor::new(shp))
        .map_err(|e| format_error(path, format!("not a readable .shp: {}", shp_error(&e))))?;
    let mut table = dbase::ReaderBuilder::new()
        .with_encoding(encoding)
        .build(Cursor::new(dbf))
        .map_err(|e| format_error(&dbf_path, format!("not a readable .dbf: {e}")))?;
    let names: Vec<String> = table
        .fields()
        .iter()
        .map(|f| f.name().to_string())
        .collect();
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
                        "the .shp has more shapes than the .dbf's {n_dbf} records: the files do \
                         not belong together"
                    ),
                ))
            }
        };
        let (geometry, geometry_problem) = shape_geometry(shape);
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
    if features.len() != n_dbf {
        return Err(format_error(
            path,
            format!(
                "the .shp holds {} shapes but the .shx and .dbf {n_dbf} records: the .shp is \
                 truncated or does not belong with them",
                features.len()
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

/// The file beside `path` with extension `ext`, in either case
/// (`roads.SHP` with `roads.DBF`, or `roads.shp` with `roads.dbf`).
fn sidecar(path: &Path, ext: &str) -> Option<PathBuf> {
    for e in [ext.to_string(), ext.to_ascii_uppercase()] {
        let p = path.with_extension(e);
        if p.is_file() {
            return Some(p);
        }
    }
    let stem = path.file_stem()?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_stem() == Some(stem)
                && p.extension()
                    .and_then(|x| x.to_str())
                    .is_some_and(|x| x.eq_ignore_ascii_case(ext))
        })
}

fn be_u32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// An error when the `.ext` file `bytes` is shorter than its `header`.
fn shorter_than(path: &Path, ext: &str, bytes: &[u8], header: usize) -> Result<(), LoadError> {
    if bytes.len() >= header {
        return Ok(());
    }
    Err(format_error(
        path,
        format!(
            "the .{ext} is {} bytes, shorter than its {header}-byte header: the file is empty or \
             truncated",
            bytes.len()
        ),
    ))
}

/// Checks the `.shp` main header: its file code and that the file is as
/// long as the header says.
fn check_shp(path: &Path, shp: &[u8]) -> Result<(), LoadError> {
    shorter_than(path, "shp", shp, 100)?;
    let code = be_u32(shp, 0);
    if code != 9994 {
        return Err(format_error(
            path,
            format!("not a shapefile: the .shp starts with file code {code}, not 9994"),
        ));
    }
    let declared = u64::from(be_u32(shp, 24)) * 2;
    if declared > shp.len() as u64 {
        return Err(format_error(
            path,
            format!(
                "the .shp is truncated: its header says {declared} bytes, the file has {}",
                shp.len()
            ),
        ));
    }
    Ok(())
}

/// The number of records the `.shx` indexes.
fn shx_count(path: &Path, shx: &[u8]) -> Result<usize, LoadError> {
    if shx.len() < 100 || (shx.len() - 100) % 8 != 0 {
        return Err(format_error(
            path,
            format!(
                "the .shx is {} bytes, not a 100-byte header plus 8 bytes per record: it is \
                 empty or truncated",
                shx.len()
            ),
        ));
    }
    Ok((shx.len() - 100) / 8)
}

/// The `.dbf` header: record count, and the record area's byte range.
fn dbf_layout(path: &Path, dbf: &[u8]) -> Result<(usize, std::ops::Range<usize>), LoadError> {
    shorter_than(path, "dbf", dbf, 32)?;
    let n = u32::from_le_bytes([dbf[4], dbf[5], dbf[6], dbf[7]]) as usize;
    let header = u16::from_le_bytes([dbf[8], dbf[9]]) as usize;
    let record = u16::from_le_bytes([dbf[10], dbf[11]]) as usize;
    let needed = n.saturating_mul(record).saturating_add(header);
    if needed > dbf.len() || header < 33 {
        return Err(format_error(
            path,
            format!(
                "the .dbf is truncated: its header says {n} records of {record} bytes after a \
                 {header}-byte header ({needed} bytes), the file has {}",
                dbf.len()
            ),
        ));
    }
    Ok((n, header..needed))
}

/// The text encoding of the `.dbf`: the `.cpg` code page when there is one,
/// else the dBase language-driver byte, else UTF-8 when the text is valid
/// UTF-8 and Windows-1252 (with a warning) when it is not.
fn dbf_encoding(
    path: &Path,
    dbf: &[u8],
    records: std::ops::Range<usize>,
    warnings: &mut Vec<Warning>,
) -> DynEncoding {
    let mut warn = |kind: &str, message: String| {
        warnings.push(Warning {
            kind: kind.into(),
            file: path.display().to_string(),
            feature: "(all)".into(),
            field: "(text fields)".into(),
            message,
        })
    };
    if let Some(cpg) = sidecar(path, "cpg") {
        let bytes = crate::files::read_capped(&cpg, 1024).unwrap_or_default();
        let label = String::from_utf8_lossy(&bytes);
        let name = label.trim().trim_start_matches('\u{feff}');
        match code_page(name) {
            Some(e) => return e,
            None => warn(
                "unknown_code_page",
                format!(
                    "the .cpg names code page `{name}`, which this reader does not know; text \
                     is read as UTF-8 (invalid bytes become U+FFFD)"
                ),
            ),
        }
        return DynEncoding::from(dbase::encoding::UnicodeLossy);
    }
    let mark = CodePageMark::from(dbf[29]);
    if !matches!(mark, CodePageMark::Undefined | CodePageMark::Invalid) {
        if let Some(e) = mark.to_encoding() {
            return e;
        }
        warn(
            "unknown_code_page",
            format!(
                "the .dbf's language-driver byte 0x{:02X} names a code page this reader does \
                 not decode; text is read as UTF-8 (invalid bytes become U+FFFD)",
                dbf[29]
            ),
        );
        return DynEncoding::from(dbase::encoding::UnicodeLossy);
    }
    if std::str::from_utf8(&dbf[records]).is_ok() {
        return DynEncoding::from(dbase::encoding::Unicode);
    }
    warn(
        "code_page_assumed",
        "no .cpg and no language-driver byte, and the text is not UTF-8: read as Windows-1252 \
         (Latin-1); add a .cpg naming the code page if that is wrong"
            .into(),
    );
    code_page("1252").unwrap_or_else(|| DynEncoding::from(dbase::encoding::UnicodeLossy))
}

/// A code page by its `.cpg` name (`UTF-8`, `1252`, `CP1252`,
/// `ANSI 1252`, `ISO-8859-1`, `ISO 8859-6`, `windows-1256`, `LATIN1`…).
fn code_page(name: &str) -> Option<DynEncoding> {
    let upper = name.trim().to_ascii_uppercase();
    let bare = upper
        .trim_start_matches("ANSI")
        .trim_start_matches("WINDOWS")
        .trim_start_matches("CP")
        .trim_start_matches(['-', '_', ' '])
        .trim()
        .replace("ISO ", "ISO-")
        .replace("ISO_", "ISO-");
    let normalised = match bare.as_str() {
        "UTF8" | "UTF-8" | "65001" => "UTF-8".to_string(),
        "LATIN1" | "LATIN-1" => "ISO-8859-1".to_string(),
        "437" | "850" | "852" | "857" | "861" | "865" => {
            // DOS code pages: through the language-driver table.
            let mark = match bare.as_str() {
                "437" => 0x01,
                "850" => 0x02,
                "852" => 0x64,
                "857" => 0x6B,
                "861" => 0x67,
                _ => 0x66,
            };
            return CodePageMark::from(mark).to_encoding();
        }
        other => other.to_string(),
    };
    DynEncoding::from_name(&normalised)
        .or_else(|| DynEncoding::from_name(&upper))
        .or_else(|| {
            dbase::encoding_rs::Encoding::for_label(name.trim().as_bytes())
                .map(|e| DynEncoding::from(dbase::encoding::EncodingRs::from(e)))
        })
}

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
use shapefile::dbase::{
    self,
    encoding::{DynEncoding, EncodingRs},
    CodePageMark, FieldValue,
};

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

/// Checks every `.shp` record's declared part and point counts against its
/// length, so that no reader allocates for counts the file cannot hold (a
/// corrupt record may claim billions of points).
fn check_records(path: &Path, shp: &[u8]) -> Result<(), LoadError> {
    let le = |at: usize| {
        u64::from(u32::from_le_bytes([
            shp[at],
            shp[at + 1],
            shp[at + 2],
            shp[at + 3],
        ]))
    };
    let end = (u64::from(be_u32(shp, 24)) * 2).min(shp.len() as u64) as usize;
    let (mut at, mut k) = (100usize, 0usize);
    while at + 8 <= end {
        let content = be_u32(shp, at + 4) as usize * 2;
        let body = at + 8;
        if body + content > shp.len() {
            return Err(format_error(
                path,
                format!("shape record {k} runs past the end of the file: it is truncated"),
            ));
        }
        if content < 4 {
            return Err(format_error(
                path,
                format!("shape record {k} is {content} bytes, too short for its shape type: the file is corrupt"),
            ));
        }
        {
            let ty = le(body);
            let (fixed, counts) = match ty {
                // Polyline, polygon, multipatch (+ Z, M): bbox, parts, points.
                3 | 5 | 13 | 15 | 23 | 25 | 31 if content >= 44 => {
                    let (parts, points) = (le(body + 36), le(body + 40));
                    let per_part = if ty == 31 { 8 } else { 4 };
                    (44, parts * per_part + points * 16)
                }
                // Multipoint (+ Z, M): bbox, points.
                8 | 18 | 28 if content >= 40 => (40, le(body + 36) * 16),
                3 | 5 | 13 | 15 | 23 | 25 | 31 | 8 | 18 | 28 => (u64::MAX, 0),
                // Points read a fixed size whatever the record says: a
                // shorter record would put the reader out of step.
                0 => (4, 0),
                1 => (20, 0),
                21 => (28, 0),
                11 => (36, 0),
                _ => {
                    return Err(format_error(
                        path,
                        format!(
                            "shape record {k} has the unknown shape type {ty}: the file is corrupt"
                        ),
                    ))
                }
            };
            // Part starts must rise within the points: rings are sized by
            // their differences.
            let parts_ok = match ty {
                3 | 5 | 13 | 15 | 23 | 25 | 31
                    if fixed != u64::MAX && fixed + counts <= content as u64 =>
                {
                    let (parts, points) = (le(body + 36) as usize, le(body + 40));
                    let mut prev = 0;
                    (0..parts).all(|j| {
                        let start = le(body + 44 + 4 * j);
                        let ok = start >= prev && start <= points;
                        prev = start;
                        ok
                    })
                }
                _ => true,
            };
            if fixed == u64::MAX || fixed + counts > content as u64 || !parts_ok {
                return Err(format_error(
                    path,
                    format!(
                        "shape record {k} declares more parts or points than its {content} bytes \
                         hold, or parts outside its points: the file is corrupt"
                    ),
                ));
            }
        }
        at = body + content;
        k += 1;
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

/// The (record, field) cells of numeric fields filled with `*`: dBase's
/// mark of a value too wide for its field, which the reader would
/// otherwise return as blank.
fn overflow_cells(dbf: &[u8]) -> std::collections::HashSet<(usize, String)> {
    let mut out = std::collections::HashSet::new();
    let Ok((n, records)) = dbf_layout(Path::new(""), dbf) else {
        return out;
    };
    let record_len = u16::from_le_bytes([dbf[10], dbf[11]]) as usize;
    // Field descriptors: 32 bytes each from byte 32, ended by 0x0D.
    let mut fields = Vec::new();
    let mut offset = 1; // the deletion flag
    let mut at = 32;
    while at + 32 <= records.start && dbf[at] != 0x0D {
        let d = &dbf[at..at + 32];
        let name_end = d[..11].iter().position(|&b| b == 0).unwrap_or(11);
        let name = String::from_utf8_lossy(&d[..name_end]).into_owned();
        let len = d[16] as usize;
        if matches!(d[11], b'N' | b'F') {
            fields.push((name, offset, len));
        }
        offset += len;
        at += 32;
    }
    if record_len == 0 {
        return out;
    }
    for r in 0..n {
        let start = records.start + r * record_len;
        for (name, off, len) in &fields {
            let cell = dbf.get(start + off..start + off + len).unwrap_or_default();
            let cell = cell.trim_ascii();
            if !cell.is_empty() && cell.iter().all(|&b| b == b'*') {
                out.insert((r, name.clone()));
            }
        }
    }
    out
}

/// The `.dbf` header: record count, and the record area's byte range.
fn dbf_layout(path: &Path, dbf: &[u8]) -> Result<(usize, std::ops::Range<usize>), LoadError> {
    shorter_than(path, "dbf", dbf, 32)?;
    let n = u32::from_le_bytes([dbf[4], dbf[5], dbf[6], dbf[7]]) as usize;
    let header = u16::from_le_bytes([dbf[8], dbf[9]]) as usize;
    let record = u16::from_le_bytes([dbf[10], dbf[11]]) as usize;
    let needed = n.saturating_mul(record).saturating_add(header);
    if record == 0 {
        return Err(format_error(
            path,
            "the .dbf header gives records of 0 bytes: the file is corrupt".into(),
        ));
    }
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

/// The text encoding of the `.dbf`: the `.cpg` code page when there is a
/// known one, else the dBase language-driver byte when it names a known
/// one, else UTF-8 when the text is valid UTF-8 and Windows-1252 (with a
/// `code_page_assumed` warning) when it is not. An unknown code page is an
/// `unknown_code_page` warning; a `.cpg` saying UTF-8 over text that is not
/// falls back to Windows-1252 with a warning.
fn dbf_encoding(
    path: &Path,
    dbf: &[u8],
    records: std::ops::Range<usize>,
    warnings: &mut Vec<Warning>,
) -> Result<DynEncoding, LoadError> {
    let mut warn = |kind: &str, message: String| {
        warnings.push(Warning {
            kind: kind.into(),
            file: path.display().to_string(),
            feature: "(all)".into(),
            field: "(text fields)".into(),
            message,
        })
    };
    let utf8 = std::str::from_utf8(&dbf[records]).is_ok();
    let cp1252 = || DynEncoding::from(EncodingRs::from(dbase::encoding_rs::WINDOWS_1252));
    if let Some(cpg) = sidecar(path, "cpg") {
        let bytes = crate::files::read_capped(&cpg, 1024)?;
        let label = String::from_utf8_lossy(&bytes);
        let name = label.trim().trim_start_matches('\u{feff}').trim();
        match code_page(name) {
            _ if name.is_empty() => {}
            Some(CodePage::Utf8) if !utf8 => {
                warn(
                    "code_page_assumed",
                    "the .cpg says UTF-8 but the text is not UTF-8: read as Windows-1252 \
                     (Latin-1); correct the .cpg if that is wrong"
                        .into(),
                );
                return Ok(cp1252());
            }
            Some(CodePage::Utf8) => return Ok(DynEncoding::from(dbase::encoding::Unicode)),
            Some(CodePage::Other(e)) => return Ok(e),
            None => warn(
                "unknown_code_page",
                format!(
                    "the .cpg names code page `{}`, which this reader does not know",
                    crate::load::excerpt(name)
                ),
            ),
        }
    } else if dbf[29] != 0 {
        let mark = CodePageMark::from(dbf[29]);
        match mark.to_encoding() {
            Some(e) if !matches!(mark, CodePageMark::Invalid | CodePageMark::Undefined) => {
                return Ok(e)
            }
            _ => warn(
                "unknown_code_page",
                format!(
                    "the .dbf's language-driver byte 0x{:02X} names no code page this reader \
                     knows",
                    dbf[29]
                ),
            ),
        }
    }
    if utf8 {
        return Ok(DynEncoding::from(dbase::encoding::Unicode));
    }
    warn(
        "code_page_assumed",
        "no known code page (.cpg or language-driver byte) and the text is not UTF-8: read as \
         Windows-1252 (Latin-1); add a .cpg naming the code page if that is wrong"
            .into(),
    );
    Ok(cp1252())
}

/// A `.cpg` code page.
enum CodePage {
    Utf8,
    Other(DynEncoding),
}

/// A code page by its `.cpg` name: `UTF-8`, `65001`, `1252`, `CP1252`,
/// `ANSI 1252`, `windows-1256`, `ISO-8859-6`, `8859-1`, `88591`, `LATIN1`,
/// the DOS code pages `437`, `850`, `852`, `857`, `861`, `865`, and any
/// WHATWG encoding label (`koi8-r`, `shift_jis`…).
fn code_page(name: &str) -> Option<CodePage> {
    let upper = name.trim().to_ascii_uppercase();
    let number = upper
        .trim_start_matches("ANSI")
        .trim_start_matches("WINDOWS")
        .trim_start_matches("CP")
        .trim_start_matches(['-', '_', ' '])
        .trim();
    let web = |label: &str| {
        dbase::encoding_rs::Encoding::for_label(label.as_bytes())
            .map(|e| CodePage::Other(DynEncoding::from(EncodingRs::from(e))))
    };
    let dos = |byte: u8| CodePageMark::from(byte).to_encoding().map(CodePage::Other);
    match number {
        "UTF-8" | "UTF8" | "65001" => return Some(CodePage::Utf8),
        "LATIN1" | "LATIN-1" => return web("windows-1252"),
        "437" => return dos(0x01),
        "850" => return dos(0x02),
        "852" => return dos(0x64),
        "857" => return dos(0x6B),
        "861" => return dos(0x67),
        "865" => return dos(0x66),
        "866" => return web("ibm866"),
        "874" => return web("windows-874"),
        "932" => return web("shift_jis"),
        "936" => return web("gbk"),
        "949" => return web("euc-kr"),
        "950" => return web("big5"),
        n if n.len() == 4 && n.starts_with("125") => return web(&format!("windows-{n}")),
        _ => {}
    }
    let iso = upper
        .trim_start_matches("ISO")
        .trim_start_matches(['-', '_', ' ']);
    if let Some(part) = iso.strip_prefix("8859") {
        let part = part.trim_start_matches(['-', '_', ' ']);
        if !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()) {
            return web(&format!("iso-8859-{part}"));
        }
    }
    web(name.trim())
}

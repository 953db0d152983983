//! CSV readers: point layers from an x/longitude and a y/latitude column,
//! and plain tables (census).

use std::path::Path;

use geo_types::Geometry;
use serde_json::{Map, Value};

use super::{Feature, RawLayer};
use crate::load::{excerpt, LoadError};

const LON_NAMES: &[&str] = &["lon", "lng", "longitude", "x", "long"];
const LAT_NAMES: &[&str] = &["lat", "latitude", "y"];

fn find_column(headers: &csv::StringRecord, wanted: Option<&str>, names: &[&str]) -> Option<usize> {
    match wanted {
        Some(w) => headers.iter().position(|h| h == w),
        None => names.iter().find_map(|n| {
            headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(n))
        }),
    }
}

/// A CSV reader over a file read whole.
type Rows = csv::Reader<std::io::Cursor<Vec<u8>>>;

/// Opens a CSV (every record as wide as the header) and reads its header.
fn open(path: &Path) -> Result<(Rows, csv::StringRecord), LoadError> {
    let bytes = crate::files::read(path)?;
    // Flexible: widths are checked here, after the quote check, so that an
    // unterminated quote is reported as such.
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(std::io::Cursor::new(bytes));
    let headers = rdr.headers().map_err(|e| record_error(path, e))?.clone();
    check_record(path, &headers, &headers, 1)?;
    let mut seen = std::collections::HashSet::new();
    if let Some(name) = headers.iter().find(|h| !seen.insert(*h)) {
        return Err(LoadError::Format {
            path: path.to_path_buf(),
            message: format!(
                "line 1: column `{}` appears twice: which one holds the values is ambiguous; \
                 rename one",
                excerpt(name)
            ),
        });
    }
    Ok((rdr, headers))
}

/// A CSV error with its line, in words.
fn record_error(path: &Path, e: csv::Error) -> LoadError {
    let line =
        |p: Option<&csv::Position>| p.map_or(String::new(), |p| format!("line {}: ", p.line()));
    let message = match e.kind() {
        csv::ErrorKind::Utf8 { pos, err } => format!(
            "{}field {} is not UTF-8 text (invalid byte {} bytes into the field); save the \
             file as UTF-8",
            line(pos.as_ref()),
            err.field() + 1,
            err.valid_up_to()
        ),
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => format!(
            "{}{len} fields where the header has {expected_len}",
            line(pos.as_ref())
        ),
        _ => format!("not a readable CSV: {e}"),
    };
    LoadError::Format {
        path: path.to_path_buf(),
        message,
    }
}

/// Refuses a value that spans lines and holds a comma (rows swallowed by an
/// unterminated quote; a quoted line break alone, as in a two-line name,
/// is kept), then a record whose width is not the header's.
fn check_record(
    path: &Path,
    headers: &csv::StringRecord,
    rec: &csv::StringRecord,
    line: u64,
) -> Result<(), LoadError> {
    let fail = |message: String| {
        Err(LoadError::Format {
            path: path.to_path_buf(),
            message: format!("line {line}: {message}"),
        })
    };
    for (i, v) in rec.iter().enumerate() {
        let swallowed = v.contains(['\n', '\r']) && v.contains(',');
        if swallowed {
            let field = excerpt(headers.get(i).unwrap_or("?"));
            return fail(format!(
                "unterminated quote: field `{field}` opens a quote (\") that is not closed, so \
                 the rows after it were swallowed into it; close or remove the quote"
            ));
        }
    }
    if rec.len() != headers.len() {
        return fail(format!(
            "{} fields where the header has {}",
            rec.len(),
            headers.len()
        ));
    }
    Ok(())
}

/// Every record with its line number, checked.
fn records<'a>(
    path: &'a Path,
    rdr: &'a mut Rows,
    headers: &'a csv::StringRecord,
) -> impl Iterator<Item = Result<csv::StringRecord, LoadError>> + 'a {
    rdr.records().map(move |r| {
        let rec = r.map_err(|e| record_error(path, e))?;
        let line = rec.position().map_or(0, |p| p.line());
        check_record(path, headers, &rec, line)?;
        Ok(rec)
    })
}

/// Reads a CSV of points with longitude and latitude (or x and y) columns.
pub fn read(
    path: &Path,
    lon_field: Option<&str>,
    lat_field: Option<&str>,
) -> Result<RawLayer, LoadError> {
    let (mut rdr, headers) = open(path)?;
    let missing = |role: &str, wanted: Option<&str>, names: &[&str]| LoadError::MissingField {
        path: path.to_path_buf(),
        field: wanted
            .map(str::to_string)
            .unwrap_or_else(|| names.join("|")),
        role: role.into(),
        available: headers.iter().collect::<Vec<_>>().join(", "),
    };
    let lon_i = find_column(&headers, lon_field, LON_NAMES)
        .ok_or_else(|| missing("longitude", lon_field, LON_NAMES))?;
    let lat_i = find_column(&headers, lat_field, LAT_NAMES)
        .ok_or_else(|| missing("latitude", lat_field, LAT_NAMES))?;
    let lon_name = headers[lon_i].to_string();
    let lat_name = headers[lat_i].to_string();
    let mut out = Vec::new();
    for (index, rec) in records(path, &mut rdr, &headers).enumerate() {
        let rec = rec?;
        let properties: Map<String, Value> = headers
            .iter()
            .zip(rec.iter())
            .map(|(h, v)| (h.to_string(), Value::String(v.to_string())))
            .collect();
        let parse = |i: usize| rec[i].trim().parse::<f64>().ok().filter(|v| v.is_finite());
        let (geometry, geometry_problem) = match (parse(lon_i), parse(lat_i)) {
            (Some(x), Some(y)) => (Some(Geometry::Point(geo_types::Point::new(x, y))), None),
            (None, _) => (
                None,
                Some((
                    lon_name.clone(),
                    format!("not a finite number: `{}`", excerpt(&rec[lon_i])),
                )),
            ),
            (_, None) => (
                None,
                Some((
                    lat_name.clone(),
                    format!("not a finite number: `{}`", excerpt(&rec[lat_i])),
                )),
            ),
        };
        out.push(Feature {
            index,
            geometry,
            geometry_problem,
            properties,
        });
    }
    Ok(RawLayer {
        features: out,
        crs: None,
        warnings: Vec::new(),
    })
}

/// The column names of a CSV file, in order.
pub fn columns(path: &Path) -> Result<Vec<String>, LoadError> {
    let (_, headers) = open(path)?;
    Ok(headers.iter().map(str::to_string).collect())
}

/// Reads the named columns of a CSV table (no geometry), row by row.
pub fn read_table(path: &Path, columns: &[&str]) -> Result<Vec<Vec<String>>, LoadError> {
    let (mut rdr, headers) = open(path)?;
    let idx: Vec<usize> = columns
        .iter()
        .map(|c| {
            headers
                .iter()
                .position(|h| h == *c)
                .ok_or_else(|| LoadError::MissingField {
                    path: path.to_path_buf(),
                    field: c.to_string(),
                    role: "census column".into(),
                    available: headers.iter().collect::<Vec<_>>().join(", "),
                })
        })
        .collect::<Result<_, _>>()?;
    let mut out = Vec::new();
    for rec in records(path, &mut rdr, &headers) {
        let rec = rec?;
        out.push(idx.iter().map(|&k| rec[k].to_string()).collect());
    }
    Ok(out)
}

//! CSV readers: point layers from an x/longitude and a y/latitude column,
//! and plain tables (census).

use std::path::Path;

use geo_types::Geometry;
use serde_json::{Map, Value};

use super::{Feature, RawLayer};
use crate::load::LoadError;

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

/// Opens a CSV (every record as wide as the header) and reads its header.
fn open(path: &Path) -> Result<(csv::Reader<std::fs::File>, csv::StringRecord), LoadError> {
    let fail = |what: &str, e: csv::Error| LoadError::Format {
        path: path.to_path_buf(),
        message: format!("cannot read CSV{what}: {e}"),
    };
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .map_err(|e| fail("", e))?;
    let headers = rdr.headers().map_err(|e| fail(" header", e))?.clone();
    Ok((rdr, headers))
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
    for (index, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| LoadError::Format {
            path: path.to_path_buf(),
            message: format!("CSV record {index}: {e}"),
        })?;
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
                    format!("not a finite number: `{}`", &rec[lon_i]),
                )),
            ),
            (_, None) => (
                None,
                Some((
                    lat_name.clone(),
                    format!("not a finite number: `{}`", &rec[lat_i]),
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
    })
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
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| LoadError::Format {
            path: path.to_path_buf(),
            message: format!("CSV record {i}: {e}"),
        })?;
        out.push(idx.iter().map(|&k| rec[k].to_string()).collect());
    }
    Ok(out)
}

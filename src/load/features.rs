//! Format readers for GeoJSON and CSV layers: files → [`Feature`]s.
//!
//! A feature is a geometry plus flat properties; roles (settlements, roads…)
//! are interpreted in [`super::layers`]. CSV layers are points built from a
//! longitude and a latitude column.

use std::path::Path;

use geo_types::Geometry;
use serde_json::{Map, Value};

use super::LoadError;
use crate::config::LayerSpec;

/// One feature of a layer.
#[derive(Debug, Clone)]
pub struct Feature {
    /// Position in the file (0-based), for messages.
    pub index: usize,
    /// Geometry; `None` for a null geometry or unparsable CSV coordinates.
    pub geometry: Option<Geometry<f64>>,
    /// Why `geometry` is `None`, naming the field at fault.
    pub geometry_problem: Option<(String, String)>,
    /// Flat properties; CSV values are strings.
    pub properties: Map<String, Value>,
}

impl Feature {
    /// A property as text (numbers formatted), `None` when absent, null or blank.
    pub fn text(&self, field: &str) -> Option<String> {
        match self.properties.get(field)? {
            Value::Null => None,
            Value::String(s) if s.trim().is_empty() => None,
            Value::String(s) => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            v => Some(v.to_string()),
        }
    }

    /// A property as a number: `Ok(None)` when absent or blank, `Err` with the
    /// offending text when present but not a finite number.
    pub fn number(&self, field: &str) -> Result<Option<f64>, String> {
        match self.properties.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => match n.as_f64() {
                Some(v) if v.is_finite() => Ok(Some(v)),
                _ => Err(n.to_string()),
            },
            Some(Value::String(s)) => {
                let t = s.trim();
                if t.is_empty() {
                    return Ok(None);
                }
                match t.replace([' ', '\u{a0}'], "").parse::<f64>() {
                    Ok(v) if v.is_finite() => Ok(Some(v)),
                    _ => Err(s.clone()),
                }
            }
            Some(v) => Err(v.to_string()),
        }
    }

    /// `index` or `index (id=…)` for messages.
    pub fn label(&self, id_field: Option<&str>) -> String {
        match id_field.and_then(|f| self.text(f)) {
            Some(id) => format!("{} (id={id})", self.index),
            None => self.index.to_string(),
        }
    }
}

/// Reads a layer, choosing the format by extension.
pub fn read_layer(spec: &LayerSpec) -> Result<Vec<Feature>, LoadError> {
    let ext = spec
        .path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "geojson" | "json" => read_geojson(&spec.path),
        "csv" => read_csv(
            &spec.path,
            spec.lon_field.as_deref(),
            spec.lat_field.as_deref(),
        ),
        _ => Err(LoadError::Format {
            path: spec.path.clone(),
            message: format!(
                "unsupported layer format `.{ext}`: the default build reads .geojson, .json, \
                 .csv and (as `inputs.osm`) .osm.pbf"
            ),
        }),
    }
}

/// Reads a GeoJSON FeatureCollection (or a single Feature).
pub fn read_geojson(path: &Path) -> Result<Vec<Feature>, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let gj: geojson::GeoJson = text
        .parse()
        .map_err(|e: geojson::Error| LoadError::Format {
            path: path.to_path_buf(),
            message: format!("not valid GeoJSON: {e}"),
        })?;
    let raw = match gj {
        geojson::GeoJson::FeatureCollection(fc) => fc.features,
        geojson::GeoJson::Feature(f) => vec![f],
        geojson::GeoJson::Geometry(_) => {
            return Err(LoadError::Format {
                path: path.to_path_buf(),
                message: "a bare Geometry has no properties: expected a FeatureCollection".into(),
            })
        }
    };
    Ok(raw
        .into_iter()
        .enumerate()
        .map(|(index, f)| {
            let (geometry, geometry_problem) = match &f.geometry {
                None => (None, Some(("geometry".into(), "null geometry".into()))),
                Some(g) => match Geometry::<f64>::try_from(&g.value) {
                    Ok(g) => (Some(g), None),
                    Err(e) => (None, Some(("geometry".into(), e.to_string()))),
                },
            };
            let mut properties = f.properties.unwrap_or_default();
            if let Some(id) = f.id {
                let v = match id {
                    geojson::feature::Id::String(s) => Value::String(s),
                    geojson::feature::Id::Number(n) => Value::Number(n),
                };
                properties.entry("id").or_insert(v);
            }
            Feature {
                index,
                geometry,
                geometry_problem,
                properties,
            }
        })
        .collect())
}

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

/// Reads a CSV of points with longitude and latitude columns.
pub fn read_csv(
    path: &Path,
    lon_field: Option<&str>,
    lat_field: Option<&str>,
) -> Result<Vec<Feature>, LoadError> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .map_err(|e| LoadError::Format {
            path: path.to_path_buf(),
            message: format!("cannot read CSV: {e}"),
        })?;
    let headers = rdr
        .headers()
        .map_err(|e| LoadError::Format {
            path: path.to_path_buf(),
            message: format!("cannot read CSV header: {e}"),
        })?
        .clone();
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
    Ok(out)
}

/// Reads the named columns of a CSV table (no geometry), row by row.
pub fn read_csv_table(path: &Path, columns: &[&str]) -> Result<Vec<Vec<String>>, LoadError> {
    let mut rdr = csv::Reader::from_path(path).map_err(|e| LoadError::Format {
        path: path.to_path_buf(),
        message: format!("cannot read CSV: {e}"),
    })?;
    let headers = rdr
        .headers()
        .map_err(|e| LoadError::Format {
            path: path.to_path_buf(),
            message: format!("cannot read CSV header: {e}"),
        })?
        .clone();
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

//! GeoJSON reader: a FeatureCollection (or one Feature) → [`Feature`]s, and
//! the legacy `crs` member GDAL writes for non-WGS 84 GeoJSON.

use std::path::Path;

use geo_types::Geometry;
use serde_json::Value;

use super::{Feature, RawLayer};
use crate::load::LoadError;

/// Reads a GeoJSON FeatureCollection (or a single Feature).
pub fn read(path: &Path) -> Result<RawLayer, LoadError> {
    let text = crate::files::read_text(path)?;
    let gj: geojson::GeoJson = text
        .parse()
        .map_err(|e: geojson::Error| LoadError::Format {
            path: path.to_path_buf(),
            message: format!("not valid GeoJSON: {e}"),
        })?;
    let mut crs = None;
    let raw = match gj {
        geojson::GeoJson::FeatureCollection(fc) => {
            crs = fc.foreign_members.as_ref().and_then(crs_member);
            fc.features
        }
        geojson::GeoJson::Feature(f) => vec![f],
        geojson::GeoJson::Geometry(_) => {
            return Err(LoadError::Format {
                path: path.to_path_buf(),
                message: "a bare Geometry has no properties: expected a FeatureCollection".into(),
            })
        }
    };
    let features = raw
        .into_iter()
        .enumerate()
        .map(|(index, f)| {
            let (geometry, geometry_problem) = match &f.geometry {
                None => (None, Some(("geometry".into(), "null geometry".into()))),
                Some(g) if !positions_ok(&g.value) => (
                    None,
                    Some((
                        "geometry".into(),
                        "a position has fewer than 2 coordinates".into(),
                    )),
                ),
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
        .collect();
    Ok(RawLayer {
        features,
        crs: crs.map(|c| (c, "GeoJSON `crs` member".to_string())),
        warnings: Vec::new(),
    })
}

/// Whether every position has at least two coordinates (the conversion to
/// `geo` types indexes the second without checking).
fn positions_ok(v: &geojson::GeometryValue) -> bool {
    use geojson::GeometryValue as V;
    let ok = |p: &geojson::Position| p.len() >= 2;
    match v {
        V::Point { coordinates } => ok(coordinates),
        V::MultiPoint { coordinates } | V::LineString { coordinates } => coordinates.iter().all(ok),
        V::MultiLineString { coordinates } | V::Polygon { coordinates } => {
            coordinates.iter().flatten().all(ok)
        }
        V::MultiPolygon { coordinates } => coordinates.iter().flatten().flatten().all(ok),
        V::GeometryCollection { geometries } => geometries.iter().all(|g| positions_ok(&g.value)),
    }
}

/// The legacy (2008) GeoJSON `crs` member: `{"type": "name", "properties":
/// {"name": "urn:ogc:def:crs:EPSG::26191"}}`, as GDAL writes it for
/// GeoJSON that is not in WGS 84.
fn crs_member(members: &serde_json::Map<String, Value>) -> Option<String> {
    let c = members.get("crs")?;
    c.get("properties")?
        .get("name")?
        .as_str()
        .map(str::to_string)
}

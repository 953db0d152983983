//! Format readers: files → [`Feature`]s in WGS 84.
//!
//! One module per format: [`geojson`], [`csv`] (points from two columns),
//! [`shapefile`] (pure Rust), and with the `gdal` feature `ogr` (every OGR
//! vector source). Each returns a [`RawLayer`]: features in the file's own
//! coordinates, and the CRS the file declares. [`read_layer`] then resolves
//! the layer's CRS (see [`crate::crs`]), checks that the coordinates are
//! plausible in it, and reprojects them to WGS 84 longitude/latitude.
//!
//! A feature is a geometry plus flat properties; roles (settlements, roads…)
//! are interpreted in [`super::layers`].

#[cfg(feature = "arrow")]
pub mod arrow;
pub mod csv;
pub mod geojson;
#[cfg(feature = "gdal")]
pub mod ogr;
pub mod shapefile;
#[cfg(feature = "arrow")]
pub mod wkb;

use std::path::Path;

use geo_types::Geometry;
use serde::Serialize;
use serde_json::{Map, Value};

use super::{LoadError, Warning};
use crate::config::LayerSpec;
use crate::crs::Crs;

/// What a format reader returns: features in the file's coordinates and the
/// CRS the file declares, as `(text, where it was found)`.
#[derive(Debug, Clone, Default)]
pub struct RawLayer {
    /// Features, coordinates as stored.
    pub features: Vec<Feature>,
    /// The declared CRS (WKT, identifier or PROJ string) and its source.
    pub crs: Option<(String, String)>,
    /// Recoverable problems of the file as a whole (an unknown code page…).
    pub warnings: Vec<Warning>,
}

/// The CRS a layer was read in, for `run.json`.
#[derive(Debug, Clone, Serialize)]
pub struct LayerCrs {
    /// `EPSG:26191`, or a PROJ string.
    pub crs: String,
    /// Where it came from: the config key, the `.prj` file, the GeoJSON
    /// `crs` member, the OGR layer, `inputs.crs`, or the format's default.
    pub source: String,
}

/// A layer read and reprojected to WGS 84.
#[derive(Debug, Clone)]
pub struct Layer {
    /// Features in WGS 84 longitude/latitude.
    pub features: Vec<Feature>,
    /// The CRS the file was read in.
    pub crs: LayerCrs,
    /// Recoverable problems of the file as a whole.
    pub warnings: Vec<Warning>,
}

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
                _ => Err(super::excerpt(&n.to_string())),
            },
            Some(Value::String(s)) => {
                let t = s.trim();
                if t.is_empty() {
                    return Ok(None);
                }
                match t.replace([' ', '\u{a0}'], "").parse::<f64>() {
                    Ok(v) if v.is_finite() => Ok(Some(v)),
                    _ => Err(super::excerpt(s)),
                }
            }
            Some(v) => Err(super::excerpt(&v.to_string())),
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

/// Layers a host program holds in memory (a GeoDataFrame handed over as
/// Arrow), by the path a config gives them: a name such as
/// `memory:settlements`, which is kept as written like a connection string.
#[derive(Debug, Clone, Default)]
pub struct MemoryLayers {
    /// Each layer's features (in its own CRS) and declared CRS.
    pub layers: std::collections::BTreeMap<std::path::PathBuf, RawLayer>,
}

impl MemoryLayers {
    /// Whether `path` names a layer held here (not a file).
    pub fn holds(&self, path: &Path) -> bool {
        self.layers.contains_key(path)
    }
}

/// Reads a layer (format by extension; with the `gdal` feature any other
/// source goes to OGR), resolves its CRS and reprojects it to WGS 84.
/// `default_crs` is `inputs.crs` (or `--crs`).
pub fn read_layer(spec: &LayerSpec, default_crs: Option<&str>) -> Result<Layer, LoadError> {
    read_layer_in(spec, default_crs, &MemoryLayers::default())
}

/// [`read_layer`], taking the layer from `memory` when it holds the spec's
/// path.
pub fn read_layer_in(
    spec: &LayerSpec,
    default_crs: Option<&str>,
    memory: &MemoryLayers,
) -> Result<Layer, LoadError> {
    let path = spec.path.as_path();
    if let Some(raw) = memory.layers.get(path) {
        if raw.crs.is_none() && spec.crs.is_none() && default_crs.is_none() {
            return Err(LoadError::Format {
                path: spec.path.clone(),
                message: "the table has no CRS: give it one (GeoPandas: `gdf.set_crs(...)`) \
                          or declare it with `crs`"
                    .into(),
            });
        }
        return finish_layer(spec, default_crs, raw.clone(), false);
    }
    // A FIFO or device would block or never end; only OGR reads folders
    // (a FileGDB) and connection strings.
    let ogr_source =
        crate::config::is_connection_string(path) || (cfg!(feature = "gdal") && path.is_dir());
    if !ogr_source {
        crate::files::regular_file(path)?;
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
    let (raw, implicit_wgs84) = match ext.as_str() {
        "geojson" | "json" if spec.layer.is_none() => (geojson::read(path)?, true),
        "csv" if spec.layer.is_none() => (
            csv::read(path, spec.lon_field.as_deref(), spec.lat_field.as_deref())?,
            true,
        ),
        "shp" if spec.layer.is_none() => (shapefile::read(path)?, false),
        _ => (other_source(spec, &ext)?, false),
    };
    finish_layer(spec, default_crs, raw, implicit_wgs84)
}

/// Resolves a raw layer's CRS and reprojects it to WGS 84.
fn finish_layer(
    spec: &LayerSpec,
    default_crs: Option<&str>,
    raw: RawLayer,
    implicit_wgs84: bool,
) -> Result<Layer, LoadError> {
    let path = spec.path.as_path();
    let (crs, source) = resolve_crs(spec, default_crs, raw.crs.as_ref(), implicit_wgs84)?;
    let mut features = raw.features;
    reproject(&mut features, &crs, path)?;
    Ok(Layer {
        features,
        crs: LayerCrs {
            crs: crs.label().to_string(),
            source,
        },
        warnings: raw.warnings,
    })
}

#[cfg(feature = "gdal")]
fn other_source(spec: &LayerSpec, _ext: &str) -> Result<RawLayer, LoadError> {
    ogr::read(&spec.path, spec.layer.as_deref())
}

#[cfg(not(feature = "gdal"))]
fn other_source(spec: &LayerSpec, ext: &str) -> Result<RawLayer, LoadError> {
    const FORMATS: &str = ".geojson, .json, .csv, .shp and (as `inputs.osm`) .osm.pbf";
    let what = if spec.layer.is_some() {
        "a named `layer`".to_string()
    } else {
        format!("format `.{ext}`")
    };
    Err(LoadError::Format {
        path: spec.path.clone(),
        message: format!(
            "{what} needs a build with the `gdal` feature (cargo build --features gdal); \
             this build reads {FORMATS}"
        ),
    })
}

/// The layer's CRS and where it came from: the layer's `crs` key, else the
/// file's own declaration if it resolves, else `inputs.crs`, else WGS 84 for
/// formats that imply it (GeoJSON, CSV). Anything else is an error saying
/// how to declare the CRS.
fn resolve_crs(
    spec: &LayerSpec,
    default_crs: Option<&str>,
    declared: Option<&(String, String)>,
    implicit_wgs84: bool,
) -> Result<(Crs, String), LoadError> {
    let fail = |message: String| LoadError::Format {
        path: spec.path.clone(),
        message,
    };
    let how = "declare it with `crs = \"EPSG:…\"` in the layer's [[inputs.…]] entry or \
               under [inputs], or with `--crs EPSG:…`";
    if let Some(text) = &spec.crs {
        let crs = Crs::parse(text).map_err(|e| fail(e.to_string()))?;
        return Ok((crs, "config `crs`".into()));
    }
    let from_file = declared.map(|(text, source)| (Crs::parse(text), source));
    if let Some((Ok(crs), source)) = &from_file {
        return Ok((crs.clone(), source.to_string()));
    }
    if let Some(text) = default_crs {
        let crs = Crs::parse(text).map_err(|e| fail(e.to_string()))?;
        return Ok((crs, "inputs.crs / --crs".into()));
    }
    match from_file {
        Some((Err(e), source)) => Err(fail(format!("CRS from {source}: {e}; {how}"))),
        _ if implicit_wgs84 => Ok((Crs::wgs84(), "format default (WGS 84)".into())),
        _ => Err(fail(format!("the layer declares no CRS (no .prj); {how}"))),
    }
}

/// Checks that coordinates are plausible in `crs`, then transforms them to
/// WGS 84 in place. Degrees in a projected CRS, or metres in a geographic
/// one, are an error naming the CRS; a coordinate that fails to transform
/// leaves its feature without geometry (reported by the role, like any bad
/// geometry).
fn reproject(features: &mut [Feature], crs: &Crs, path: &Path) -> Result<(), LoadError> {
    use geo::{CoordsIter, MapCoordsInPlace};
    let in_degrees = |x: f64, y: f64| x.abs() <= 180.0 && y.abs() <= 90.0;
    let mut first = None;
    let (mut any_degrees, mut all_degrees) = (false, true);
    for g in features.iter().filter_map(|f| f.geometry.as_ref()) {
        for c in g
            .coords_iter()
            .filter(|c| c.x.is_finite() && c.y.is_finite())
        {
            first.get_or_insert((c.x, c.y));
            let d = in_degrees(c.x, c.y);
            any_degrees |= d;
            all_degrees &= d;
        }
    }
    if let Some((x, y)) = first {
        let mismatch = if crs.is_geographic() {
            (!any_degrees).then_some("projected (metres, not degrees)")
        } else {
            all_degrees.then_some("geographic (degrees, not metres)")
        };
        if let Some(what) = mismatch {
            return Err(LoadError::Feature {
                path: path.to_path_buf(),
                feature: "(all)".into(),
                field: "geometry".into(),
                message: format!(
                    "the coordinates look {what} (first: {x}, {y}) but the layer's CRS is \
                     {}: declare the right CRS with `crs = \"EPSG:…\"` or `--crs`",
                    crs.label()
                ),
            });
        }
    }
    if crs.is_wgs84() {
        return Ok(());
    }
    for f in features.iter_mut() {
        let Some(g) = f.geometry.as_mut() else {
            continue;
        };
        let failure = std::cell::RefCell::new(None);
        g.map_coords_in_place(|c| match crs.to_wgs84(c.x, c.y) {
            Ok((x, y)) => geo_types::Coord { x, y },
            Err(e) => {
                failure.borrow_mut().get_or_insert(e.to_string());
                geo_types::Coord {
                    x: f64::NAN,
                    y: f64::NAN,
                }
            }
        });
        if let Some(reason) = failure.into_inner() {
            f.geometry = None;
            f.geometry_problem = Some(("geometry".into(), reason));
        }
    }
    Ok(())
}

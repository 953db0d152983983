//! `remoteness init`: a first config from the files a planner has.
//!
//! Each file is read with the project's own readers ([`crate::load::formats`]),
//! its fields summarised ([`fields`]), and its role guessed from its
//! geometry and values: points with place classes or a population are
//! settlements, points whose fields map to a facility category through the
//! OSM tag table (or name one) are facilities, polygons are zones, lines are
//! roads, a CSV without coordinates is the census, an `.osm.pbf` is read
//! whole. Then the fields each role needs are guessed by name and value,
//! the zone key by the values it shares with a census column, and the CRS
//! from the file (or, when it declares none, from the coordinate range).
//! [`render`](mod@render) writes the commented TOML; what could not be guessed is
//! written as `# key = ?  (why)`.

use std::path::{Path, PathBuf};

use geo::CoordsIter;
use geo_types::Geometry;
use thiserror::Error;

use crate::load::formats::{self, Feature, RawLayer};
use crate::load::LoadError;

pub mod fields;
mod guess;
pub mod render;

pub use render::render;

/// An error of `init`, naming the file at fault.
#[derive(Debug, Error)]
pub enum InitError {
    /// No input file was given.
    #[error("no input files: give the layers you have (GeoJSON, shapefile, CSV, .osm.pbf)")]
    NoFiles,
    /// A file could not be read (the message names it).
    #[error(transparent)]
    Load(#[from] LoadError),
    /// A file of a format this build does not read, or with no features.
    #[error("{path}: {message}")]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// Why it is not used.
        message: String,
    },
    /// The config file exists already.
    #[error(
        "{path}: already exists; init does not overwrite a config (remove it or give another --out)"
    )]
    Exists {
        /// The config file.
        path: PathBuf,
    },
    /// The config file could not be written.
    #[error("{path}: cannot write the config: {source}")]
    Write {
        /// The config file.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
}

/// What a file is used as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `[[inputs.settlements]]`.
    Settlements,
    /// `[[inputs.facilities]]`.
    Facilities,
    /// `[inputs.zones]`.
    Zones,
    /// `[[inputs.roads]]`.
    Roads,
    /// `[inputs.census]`.
    Census,
    /// `inputs.osm`.
    Osm,
    /// Not used (a second zone layer or census table); written as a comment.
    Unused,
}

/// One `key = value` of a layer, or a key that could not be guessed.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Config key (`population_field`).
    pub key: &'static str,
    /// The guess; `None` when it could not be made.
    pub value: Option<String>,
    /// Why (shown as a comment).
    pub note: String,
}

impl Entry {
    fn guessed(key: &'static str, value: &str, note: impl Into<String>) -> Entry {
        Entry {
            key,
            value: Some(value.to_string()),
            note: note.into(),
        }
    }

    fn missing(key: &'static str, note: impl Into<String>) -> Entry {
        Entry {
            key,
            value: None,
            note: note.into(),
        }
    }
}

/// A file, its guessed role and its keys.
#[derive(Debug, Clone)]
pub struct LayerGuess {
    /// The file as given.
    pub path: PathBuf,
    /// Its role.
    pub role: Role,
    /// What was seen (`499 points; place classes in VALUE`).
    pub why: String,
    /// Keys, in the order written.
    pub entries: Vec<Entry>,
    /// Further comment lines (the CRS found, the fields present).
    pub notes: Vec<String>,
}

/// Everything `init` guessed.
#[derive(Debug, Clone, Default)]
pub struct Guesses {
    /// One per file, in the order given.
    pub layers: Vec<LayerGuess>,
}

impl Guesses {
    /// `file: key` for every key that could not be guessed.
    pub fn missing(&self) -> Vec<String> {
        self.layers
            .iter()
            .filter(|l| l.role != Role::Unused)
            .flat_map(|l| {
                l.entries
                    .iter()
                    .filter(|e| e.value.is_none())
                    .map(move |e| format!("{}: {}", l.path.display(), e.key))
            })
            .collect()
    }
}

/// A file read for guessing.
pub(crate) struct Read {
    path: PathBuf,
    /// The layer, in a multi-layer source (GeoPackage).
    layer: Option<String>,
    kind: Kind,
    raw: RawLayer,
}

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Points,
    Lines,
    Polygons,
    /// A CSV without coordinate columns.
    Table,
    /// An OpenStreetMap extract.
    Pbf,
    /// A GeoJSON or CSV (WGS 84 unless it says otherwise).
    Empty,
}

/// Reads the files and guesses a config.
pub fn guess(files: &[PathBuf]) -> Result<Guesses, InitError> {
    if files.is_empty() {
        return Err(InitError::NoFiles);
    }
    let mut read_all = Vec::new();
    for f in files {
        read_all.extend(read(f)?);
    }
    let read = read_all;
    Ok(guess::roles(&read))
}

/// Guesses a config from `files` and writes it to `out`, which must not
/// exist; paths in it are relative to its folder.
pub fn write_config(files: &[PathBuf], out: &Path) -> Result<Guesses, InitError> {
    use std::io::Write as _;
    if out.exists() {
        return Err(InitError::Exists {
            path: out.to_path_buf(),
        });
    }
    let guesses = guess(files)?;
    let werr = |source| InitError::Write {
        path: out.to_path_buf(),
        source,
    };
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(werr)?;
    let text = render(&guesses, &dir, out);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(out)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => InitError::Exists {
                path: out.to_path_buf(),
            },
            _ => werr(e),
        })?;
    f.write_all(text.as_bytes()).map_err(werr)?;
    Ok(guesses)
}

fn ext_of(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default()
}

fn read(path: &Path) -> Result<Vec<Read>, InitError> {
    let ext = ext_of(path);
    let done = |raw: RawLayer| -> Result<Vec<Read>, InitError> {
        Ok(vec![Read {
            path: path.to_path_buf(),
            layer: None,
            kind: kind_of(&raw.features),
            raw,
        }])
    };
    match ext.as_str() {
        "pbf" => {
            crate::files::regular_file(path).map_err(LoadError::from)?;
            Ok(vec![Read {
                path: path.to_path_buf(),
                layer: None,
                kind: Kind::Pbf,
                raw: RawLayer::default(),
            }])
        }
        "geojson" | "json" => done(formats::geojson::read(path)?),
        "shp" => done(formats::shapefile::read(path)?),
        "csv" => match formats::csv::read(path, None, None) {
            Ok(raw) => done(raw),
            Err(LoadError::MissingField { .. }) => Ok(vec![Read {
                path: path.to_path_buf(),
                layer: None,
                kind: Kind::Table,
                raw: table(path)?,
            }]),
            Err(e) => Err(e.into()),
        },
        _ => other(path, &ext),
    }
}

/// Every layer of an OGR source, each named when there are several.
#[cfg(feature = "gdal")]
fn other(path: &Path, _ext: &str) -> Result<Vec<Read>, InitError> {
    let names = formats::ogr::layer_names(path)?;
    let several = names.len() > 1;
    names
        .iter()
        .map(|name| {
            let raw = formats::ogr::read(path, Some(name))?;
            Ok(Read {
                path: path.to_path_buf(),
                layer: several.then(|| name.clone()),
                kind: kind_of(&raw.features),
                raw,
            })
        })
        .collect()
}

#[cfg(not(feature = "gdal"))]
fn other(path: &Path, ext: &str) -> Result<Vec<Read>, InitError> {
    Err(InitError::Unsupported {
        path: path.to_path_buf(),
        message: format!(
            "format `.{ext}` needs a build with the `gdal` feature; this build reads .geojson, \
             .json, .csv, .shp and .osm.pbf"
        ),
    })
}

/// A CSV table as features without geometry (values as text).
fn table(path: &Path) -> Result<RawLayer, InitError> {
    let columns = formats::csv::columns(path)?;
    let names: Vec<&str> = columns.iter().map(String::as_str).collect();
    let rows = formats::csv::read_table(path, &names)?;
    let features = rows
        .into_iter()
        .enumerate()
        .map(|(index, row)| Feature {
            index,
            geometry: None,
            geometry_problem: None,
            properties: columns
                .iter()
                .cloned()
                .zip(row.into_iter().map(serde_json::Value::String))
                .collect(),
        })
        .collect();
    Ok(RawLayer {
        features,
        crs: None,
        warnings: Vec::new(),
    })
}

/// The geometry most features have.
fn kind_of(features: &[Feature]) -> Kind {
    let (mut p, mut l, mut a) = (0, 0, 0);
    for g in features.iter().filter_map(|f| f.geometry.as_ref()) {
        match g {
            Geometry::Point(_) | Geometry::MultiPoint(_) => p += 1,
            Geometry::LineString(_) | Geometry::MultiLineString(_) | Geometry::Line(_) => l += 1,
            Geometry::Polygon(_)
            | Geometry::MultiPolygon(_)
            | Geometry::Rect(_)
            | Geometry::Triangle(_) => a += 1,
            Geometry::GeometryCollection(_) => {}
        }
    }
    if p + l + a == 0 {
        Kind::Empty
    } else if a >= p && a >= l {
        Kind::Polygons
    } else if l >= p {
        Kind::Lines
    } else {
        Kind::Points
    }
}

/// The first coordinate, and whether every coordinate lies in degree range.
pub(crate) fn coordinate_range(features: &[Feature]) -> (Option<(f64, f64)>, bool) {
    let mut first = None;
    let mut all_degrees = true;
    for g in features.iter().filter_map(|f| f.geometry.as_ref()) {
        for c in g
            .coords_iter()
            .filter(|c| c.x.is_finite() && c.y.is_finite())
        {
            first.get_or_insert((c.x, c.y));
            all_degrees &= c.x.abs() <= 180.0 && c.y.abs() <= 90.0;
        }
    }
    (first, all_degrees)
}

/// `path` relative to `dir` when both resolve and share a root; else
/// `path` made absolute.
pub fn relative_to(dir: &Path, path: &Path) -> PathBuf {
    let abs = |p: &Path| std::fs::canonicalize(p).or_else(|_| std::path::absolute(p));
    let (Ok(d), Ok(p)) = (abs(dir), abs(path)) else {
        return path.to_path_buf();
    };
    let dc: Vec<_> = d.components().collect();
    let pc: Vec<_> = p.components().collect();
    let common = dc.iter().zip(&pc).take_while(|(a, b)| a == b).count();
    // Sharing only the root (`/tmp/…` and `/work/…`): absolute reads better.
    if common <= 1 {
        return p;
    }
    let mut out = PathBuf::new();
    for _ in common..dc.len() {
        out.push("..");
    }
    for c in &pc[common..] {
        out.push(c);
    }
    out
}

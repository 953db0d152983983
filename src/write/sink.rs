//! Output formats as sinks: each receives every result layer (a typed
//! table with its QGIS style) and writes what its format holds, staged with
//! the rest of the run's files. A new format is one `Sink`; the list of
//! files a run writes comes from the sinks, not from a fixed list.

use super::{write_geojson, Staged, Table, WriteError};

/// One result layer.
pub struct Layer<'a> {
    /// Layer name (`settlements`, `zones`, `facilities`): the file's base
    /// name or the table's name.
    pub name: &'a str,
    /// Its rows.
    pub table: &'a Table,
    /// Its QGIS style (`.qml` document).
    pub style: &'a str,
}

/// A destination for result layers.
pub trait Sink {
    /// Stages what this format writes for `layer` under `prefix` (a folder
    /// ending in `/`, or empty); returns the file names it staged.
    fn layer(
        &mut self,
        staged: &mut Staged,
        prefix: &str,
        layer: &Layer,
    ) -> Result<Vec<String>, WriteError>;

    /// Stages what this format writes once every layer is in (a container
    /// such as a GeoPackage); returns the file names it staged.
    fn finish(&mut self, _staged: &mut Staged, _prefix: &str) -> Result<Vec<String>, WriteError> {
        Ok(Vec::new())
    }
}

/// RFC 7946 GeoJSON, one file per layer.
pub struct GeoJsonSink;

impl Sink for GeoJsonSink {
    fn layer(
        &mut self,
        st: &mut Staged,
        prefix: &str,
        l: &Layer,
    ) -> Result<Vec<String>, WriteError> {
        let name = format!("{}.geojson", l.name);
        st.file(&format!("{prefix}{name}"), |w| write_geojson(l.table, w))?;
        Ok(vec![name])
    }
}

/// CSV with a header row, one file per layer, with its column types
/// (`.csvt`) beside it.
pub struct CsvSink;

impl Sink for CsvSink {
    fn layer(
        &mut self,
        st: &mut Staged,
        prefix: &str,
        l: &Layer,
    ) -> Result<Vec<String>, WriteError> {
        let name = format!("{}.csv", l.name);
        super::stage_csv(st, &format!("{prefix}{name}"), l.table)?;
        Ok(vec![name.clone(), format!("{name}t")])
    }
}

/// QGIS styles beside each layer (`NAME.qml`, loaded with `NAME.geojson`).
pub struct QmlSink;

impl Sink for QmlSink {
    fn layer(
        &mut self,
        st: &mut Staged,
        prefix: &str,
        l: &Layer,
    ) -> Result<Vec<String>, WriteError> {
        let name = format!("{}.qml", l.name);
        st.file(&format!("{prefix}{name}"), |w| {
            w.write_all(l.style.as_bytes())
        })?;
        Ok(vec![name])
    }
}

/// One GeoPackage holding every layer with its style as default
/// (`gdal` feature).
#[cfg(feature = "gdal")]
#[derive(Default)]
pub struct GpkgSink {
    layers: Vec<(String, Table, String)>,
}

#[cfg(feature = "gdal")]
impl Sink for GpkgSink {
    fn layer(&mut self, _: &mut Staged, _: &str, l: &Layer) -> Result<Vec<String>, WriteError> {
        self.layers
            .push((l.name.to_string(), l.table.clone(), l.style.to_string()));
        Ok(Vec::new())
    }

    fn finish(&mut self, st: &mut Staged, prefix: &str) -> Result<Vec<String>, WriteError> {
        let layers: Vec<(&str, &Table, &String)> = self
            .layers
            .iter()
            .map(|(n, t, s)| (n.as_str(), t, s))
            .collect();
        st.path_file(&format!("{prefix}{}", super::GPKG_FILE), |p| {
            super::gpkg::write_gpkg(p, &layers)
        })?;
        Ok(vec![super::GPKG_FILE.to_string()])
    }
}

/// An output format a run can ask for besides those always written
/// (`--format`). Formats this build cannot write have no variant: their
/// names parse to an error naming the feature to build with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// RFC 7946 GeoJSON (always written).
    GeoJson,
    /// CSV with `.csvt` type hints (always written).
    Csv,
    /// QGIS styles (always written).
    Qml,
    /// The GeoPackage `results.gpkg` (written by every `gdal` build).
    #[cfg(feature = "gdal")]
    Gpkg,
    /// GeoParquet 1.1, one `NAME.parquet` per layer.
    #[cfg(feature = "geoparquet")]
    GeoParquet,
}

/// The names `--format` takes.
pub const FORMAT_NAMES: [&str; 5] = ["geojson", "csv", "qml", "gpkg", "geoparquet"];

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "geojson" => Ok(Format::GeoJson),
            "csv" => Ok(Format::Csv),
            "qml" => Ok(Format::Qml),
            #[cfg(feature = "gdal")]
            "gpkg" | "geopackage" => Ok(Format::Gpkg),
            #[cfg(not(feature = "gdal"))]
            "gpkg" | "geopackage" => Err(format!(
                "{s}: this build has no GeoPackage writer; build with `--features gdal`"
            )),
            #[cfg(feature = "geoparquet")]
            "geoparquet" | "parquet" => Ok(Format::GeoParquet),
            #[cfg(not(feature = "geoparquet"))]
            "geoparquet" | "parquet" => Err(format!(
                "{s}: this build has no GeoParquet writer; build with `--features geoparquet`"
            )),
            _ => Err(format!(
                "{s}: unknown output format; known: {}",
                FORMAT_NAMES.join(", ")
            )),
        }
    }
}

/// The sinks of this build: GeoJSON, CSV and QGIS styles; and a GeoPackage
/// with the `gdal` feature.
pub fn default_sinks() -> Vec<Box<dyn Sink>> {
    #[allow(unused_mut)]
    let mut v: Vec<Box<dyn Sink>> =
        vec![Box::new(GeoJsonSink), Box::new(CsvSink), Box::new(QmlSink)];
    #[cfg(feature = "gdal")]
    v.push(Box::new(GpkgSink::default()));
    v
}

/// The default sinks and those of `formats` not among them, in that
/// order, each once. GeoJSON, CSV and the styles are always written (the
/// report is rendered from them), and so is the GeoPackage of a `gdal`
/// build, the GIS default.
pub fn sinks(formats: &[Format]) -> Vec<Box<dyn Sink>> {
    #[allow(unused_mut)]
    let mut v = default_sinks();
    #[cfg(feature = "geoparquet")]
    if formats.contains(&Format::GeoParquet) {
        v.push(Box::new(super::geoparquet::GeoParquetSink));
    }
    let _ = formats;
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_parse_or_name_the_feature() {
        assert_eq!("GeoJSON".parse::<Format>(), Ok(Format::GeoJson));
        let e = "shp".parse::<Format>().unwrap_err();
        assert!(e.contains("unknown output format"), "{e}");
        let gpq = "geoparquet".parse::<Format>();
        #[cfg(feature = "geoparquet")]
        assert_eq!(gpq, Ok(Format::GeoParquet));
        #[cfg(not(feature = "geoparquet"))]
        assert!(gpq.unwrap_err().contains("--features geoparquet"));
        let gpkg = "gpkg".parse::<Format>();
        #[cfg(not(feature = "gdal"))]
        assert!(gpkg.unwrap_err().contains("--features gdal"));
        #[cfg(feature = "gdal")]
        assert_eq!(gpkg, Ok(Format::Gpkg));
    }
}

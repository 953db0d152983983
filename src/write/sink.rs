//! Output formats as sinks: each receives every result layer (a typed
//! table with its QGIS style) and writes what its format holds, staged with
//! the rest of the run's files. A new format is one `Sink`; the list of
//! files a run writes comes from the sinks, not from a fixed list.

use super::{write_geojson, Staged, Table, WriteError};
use crate::config::OutputFormat;

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
pub trait Sink: Send {
    /// Stages what this format writes for `layer` under `prefix` (a folder
    /// ending in `/`, or empty); returns the file names it staged.
    fn layer(
        &mut self,
        staged: &Staged,
        prefix: &str,
        layer: &Layer,
    ) -> Result<Vec<String>, WriteError>;

    /// Stages what this format writes once every layer is in (a container
    /// such as a GeoPackage); returns the file names it staged.
    fn finish(&mut self, _staged: &Staged, _prefix: &str) -> Result<Vec<String>, WriteError> {
        Ok(Vec::new())
    }
}

/// RFC 7946 GeoJSON, one file per layer.
pub struct GeoJsonSink;

impl Sink for GeoJsonSink {
    fn layer(&mut self, st: &Staged, prefix: &str, l: &Layer) -> Result<Vec<String>, WriteError> {
        let name = format!("{}.geojson", l.name);
        st.file(&format!("{prefix}{name}"), |w| write_geojson(l.table, w))?;
        Ok(vec![name])
    }
}

/// CSV with a header row, one file per layer, with its column types
/// (`.csvt`) beside it.
pub struct CsvSink;

impl Sink for CsvSink {
    fn layer(&mut self, st: &Staged, prefix: &str, l: &Layer) -> Result<Vec<String>, WriteError> {
        let name = format!("{}.csv", l.name);
        super::stage_csv(st, &format!("{prefix}{name}"), l.table)?;
        Ok(vec![name.clone(), format!("{name}t")])
    }
}

/// QGIS styles beside each layer (`NAME.qml`, loaded with `NAME.geojson`).
pub struct QmlSink;

impl Sink for QmlSink {
    fn layer(&mut self, st: &Staged, prefix: &str, l: &Layer) -> Result<Vec<String>, WriteError> {
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
    fn layer(&mut self, _: &Staged, _: &str, l: &Layer) -> Result<Vec<String>, WriteError> {
        self.layers
            .push((l.name.to_string(), l.table.clone(), l.style.to_string()));
        Ok(Vec::new())
    }

    fn finish(&mut self, st: &Staged, prefix: &str) -> Result<Vec<String>, WriteError> {
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
#[cfg_attr(not(feature = "geoparquet"), allow(unused_variables, unused_mut))]
pub fn sinks(formats: &[OutputFormat]) -> Vec<Box<dyn Sink>> {
    let mut v = default_sinks();
    #[cfg(feature = "geoparquet")]
    if formats.contains(&OutputFormat::GeoParquet) {
        v.push(Box::new(super::geoparquet::GeoParquetSink));
    }
    v
}

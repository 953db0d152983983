//! Small closed choices of the config, shared by the defaults and the
//! validated settings (a leaf: it imports nothing of the config).

use serde::Serialize;

/// How the gravity sum is rescaled to the index (`[gravity] transform`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GravityTransform {
    /// Min–max of `ln G` (the sum spans orders of magnitude).
    Log,
    /// Min–max of `G`.
    Linear,
}

impl GravityTransform {
    /// Every transform.
    pub const ALL: [GravityTransform; 2] = [GravityTransform::Log, GravityTransform::Linear];

    /// Name in the config.
    pub fn key(self) -> &'static str {
        match self {
            GravityTransform::Log => "log",
            GravityTransform::Linear => "linear",
        }
    }
}

/// An output format a run can ask for besides those always written
/// (`--format`, `[output] formats`). Formats this build cannot write have
/// no variant: their names parse to an error naming the feature to build
/// with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
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
pub const OUTPUT_FORMATS: [&str; 5] = ["geojson", "csv", "qml", "gpkg", "geoparquet"];

impl std::str::FromStr for OutputFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "geojson" => Ok(OutputFormat::GeoJson),
            "csv" => Ok(OutputFormat::Csv),
            "qml" => Ok(OutputFormat::Qml),
            #[cfg(feature = "gdal")]
            "gpkg" | "geopackage" => Ok(OutputFormat::Gpkg),
            #[cfg(not(feature = "gdal"))]
            "gpkg" | "geopackage" => Err(format!(
                "{s}: this build has no GeoPackage writer; build with `--features gdal`"
            )),
            #[cfg(feature = "geoparquet")]
            "geoparquet" | "parquet" => Ok(OutputFormat::GeoParquet),
            #[cfg(not(feature = "geoparquet"))]
            "geoparquet" | "parquet" => Err(format!(
                "{s}: this build has no GeoParquet writer; build with `--features geoparquet`"
            )),
            _ => Err(format!(
                "{s}: unknown output format; known: {}",
                OUTPUT_FORMATS.join(", ")
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_parse_or_name_the_feature() {
        assert_eq!("GeoJSON".parse::<OutputFormat>(), Ok(OutputFormat::GeoJson));
        let e = "shp".parse::<OutputFormat>().unwrap_err();
        assert!(e.contains("unknown output format"), "{e}");
        let gpq = "geoparquet".parse::<OutputFormat>();
        #[cfg(feature = "geoparquet")]
        assert_eq!(gpq, Ok(OutputFormat::GeoParquet));
        #[cfg(not(feature = "geoparquet"))]
        assert!(gpq.unwrap_err().contains("--features geoparquet"));
        let gpkg = "gpkg".parse::<OutputFormat>();
        #[cfg(not(feature = "gdal"))]
        assert!(gpkg.unwrap_err().contains("--features gdal"));
        #[cfg(feature = "gdal")]
        assert_eq!(gpkg, Ok(OutputFormat::Gpkg));
    }
}

//! `[output]`: the formats a run writes besides the defaults.

use serde::Serialize;

use super::kinds::OutputFormat;
use super::raw::RawOutput;

/// `[output]`, validated.
#[derive(Debug, Clone, Default, Serialize)]
pub struct OutputSettings {
    /// Formats asked for, each once, in the order given.
    pub formats: Vec<OutputFormat>,
}

/// Parses `formats`; the error is the first unknown or unavailable name's
/// (for the key `output.formats`).
pub(super) fn from_raw(raw: RawOutput) -> Result<OutputSettings, String> {
    let mut out = OutputSettings::default();
    for name in raw.formats.unwrap_or_default() {
        let f: OutputFormat = name.parse()?;
        if !out.formats.contains(&f) {
            out.formats.push(f);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::tests::parse;
    use super::super::OutputFormat;

    #[test]
    fn output_formats_parse_once_each_or_name_the_key() {
        let s = parse("[inputs]\nosm='x'\n[output]\nformats=['csv', 'CSV', 'geojson']\n").unwrap();
        assert_eq!(s.output.formats, [OutputFormat::Csv, OutputFormat::GeoJson]);
        assert!(parse("[inputs]\nosm='x'\n")
            .unwrap()
            .output
            .formats
            .is_empty());
        let e = parse("[inputs]\nosm='x'\n[output]\nformats=['shp']\n").unwrap_err();
        assert!(e.to_string().contains("output.formats"), "{e}");
        let gpq = parse("[inputs]\nosm='x'\n[output]\nformats=['geoparquet']\n");
        #[cfg(feature = "geoparquet")]
        assert_eq!(gpq.unwrap().output.formats, [OutputFormat::GeoParquet]);
        #[cfg(not(feature = "geoparquet"))]
        assert!(gpq
            .unwrap_err()
            .to_string()
            .contains("--features geoparquet"));
    }
}

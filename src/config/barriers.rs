//! `[barriers]`: lines and polygons that off-road legs and direct trips
//! cannot cross (rivers, fences, closed borders, lakes, closed areas).
//! Absent, nothing is read and trips are as before.
//!
//! ```toml
//! [barriers]
//! layers = [{ path = "border.geojson", kind = "border", closed = true }]
//! osm = true                  # read them from inputs.osm too (default)
//! osm_streams = false         # waterway=stream as well (default false)
//! osm_barrier_values = ["fence", "wall", "city_wall"]
//! ```
//!
//! `barrier=kerb` and `barrier=hedge` are not read by default: kerbs line
//! every street (a place would be walled off its own road) and hedges are
//! mostly field edges with gaps a walker uses.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{is_connection_string, ConfigError, LayerSpec};
use crate::model::BarrierKind;

/// The `barrier=*` values read from OSM by default.
pub const OSM_BARRIER_VALUES: [&str; 3] = ["fence", "wall", "city_wall"];

/// One `[[barriers.layers]]` entry as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBarrierLayer {
    /// Line or polygon layer (any format the loaders read).
    pub path: Option<std::path::PathBuf>,
    /// `water`, `fence`, `border` or `area`.
    pub kind: Option<String>,
    /// Roads crossing it are cut (a closed border); default false.
    pub closed: Option<bool>,
    /// The layer's CRS, when the file does not say.
    pub crs: Option<String>,
    /// Identifier field (the feature index otherwise).
    pub id_field: Option<String>,
}

/// `[barriers]` as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBarriers {
    /// Barrier layers.
    pub layers: Option<Vec<RawBarrierLayer>>,
    /// Read barriers from `inputs.osm` (default true).
    pub osm: Option<bool>,
    /// Read `waterway=stream` too (default false).
    pub osm_streams: Option<bool>,
    /// The `barrier=*` values read (default [`OSM_BARRIER_VALUES`]).
    pub osm_barrier_values: Option<Vec<String>>,
}

/// A validated barrier layer.
#[derive(Debug, Clone, Serialize)]
pub struct BarrierLayer {
    /// How to read it (path resolved against the config's folder).
    pub spec: LayerSpec,
    /// What its features are.
    pub kind: BarrierKind,
    /// Roads crossing it are cut.
    pub closed: bool,
}

/// The validated `[barriers]`.
#[derive(Debug, Clone, Serialize)]
pub struct BarrierSettings {
    /// Barrier layers.
    pub layers: Vec<BarrierLayer>,
    /// Read barriers from `inputs.osm`.
    pub osm: bool,
    /// Read `waterway=stream` from OSM too.
    pub osm_streams: bool,
    /// The `barrier=*` values read from OSM.
    pub osm_barrier_values: Vec<String>,
}

/// The kind named `s`, if any.
pub fn parse_kind(s: &str) -> Option<BarrierKind> {
    match s {
        "water" => Some(BarrierKind::Water),
        "fence" => Some(BarrierKind::Fence),
        "border" => Some(BarrierKind::Border),
        "area" => Some(BarrierKind::Area),
        _ => None,
    }
}

/// Validates `[barriers]`: `None` when the table is absent.
pub(super) fn from_raw(
    raw: Option<RawBarriers>,
    base: &Path,
    invalid: &dyn Fn(&str, String) -> ConfigError,
) -> Result<Option<BarrierSettings>, ConfigError> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    let mut layers = Vec::new();
    for (i, l) in raw.layers.unwrap_or_default().into_iter().enumerate() {
        let key = |k: &str| format!("barriers.layers[{i}].{k}");
        let path = match l.path {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => return Err(invalid(&key("path"), "a barrier layer needs `path`".into())),
        };
        let kind = match l.kind.as_deref() {
            Some(k) => parse_kind(k).ok_or_else(|| {
                invalid(
                    &key("kind"),
                    format!("unknown kind `{k}`: one of water, fence, border, area"),
                )
            })?,
            None => {
                return Err(invalid(
                    &key("kind"),
                    "a barrier layer needs `kind`: water, fence, border or area".into(),
                ))
            }
        };
        let path = if path.is_absolute() || is_connection_string(&path) {
            path
        } else {
            base.join(path)
        };
        layers.push(BarrierLayer {
            spec: LayerSpec {
                path,
                crs: l.crs,
                id_field: l.id_field,
                ..LayerSpec::default()
            },
            kind,
            closed: l.closed.unwrap_or(false),
        });
    }
    let values = raw
        .osm_barrier_values
        .unwrap_or_else(|| OSM_BARRIER_VALUES.iter().map(|s| s.to_string()).collect());
    if let Some(v) = values.iter().find(|v| v.trim().is_empty()) {
        return Err(invalid(
            "barriers.osm_barrier_values",
            format!("empty value {v:?}: name barrier=* values such as \"fence\""),
        ));
    }
    Ok(Some(BarrierSettings {
        layers,
        osm: raw.osm.unwrap_or(true),
        osm_streams: raw.osm_streams.unwrap_or(false),
        osm_barrier_values: values,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid(key: &str, message: String) -> ConfigError {
        ConfigError::Invalid {
            path: "c.toml".into(),
            key: key.into(),
            message,
        }
    }

    fn parse(text: &str) -> Result<Option<BarrierSettings>, ConfigError> {
        #[derive(Deserialize)]
        struct Wrap {
            barriers: Option<RawBarriers>,
        }
        let w: Wrap = toml::from_str(text).unwrap();
        from_raw(w.barriers, Path::new("/cfg"), &invalid)
    }

    #[test]
    fn defaults_and_layers() {
        assert!(parse("").unwrap().is_none());
        let b = parse(
            "[barriers]\nlayers = [{ path = \"b.geojson\", kind = \"border\", closed = true }]",
        )
        .unwrap()
        .unwrap();
        assert!(b.osm && !b.osm_streams);
        assert_eq!(b.osm_barrier_values, OSM_BARRIER_VALUES);
        assert_eq!(b.layers[0].kind, BarrierKind::Border);
        assert!(b.layers[0].closed);
        assert_eq!(b.layers[0].spec.path, Path::new("/cfg/b.geojson"));
    }

    #[test]
    fn errors_name_the_dotted_key() {
        let e =
            parse("[barriers]\nlayers = [{ path = \"b.geojson\", kind = \"moat\" }]").unwrap_err();
        assert!(e.to_string().contains("barriers.layers[0].kind"), "{e}");
        let e = parse("[barriers]\nlayers = [{ kind = \"water\" }]").unwrap_err();
        assert!(e.to_string().contains("barriers.layers[0].path"), "{e}");
        let e = parse("[barriers]\nosm_barrier_values = [\"\"]").unwrap_err();
        assert!(e.to_string().contains("barriers.osm_barrier_values"), "{e}");
    }
}

//! Input locations: paths resolved against the config file's folder (GDAL
//! connection strings kept as they are), CRS declarations checked, and the
//! combinations a run needs.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::raw::{CensusSpec, LayerSpec, RawInputs};
use super::ConfigError;

/// Input locations after resolving paths.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Inputs {
    /// One `.osm.pbf`.
    pub osm: Option<PathBuf>,
    /// Settlement layers.
    pub settlements: Vec<LayerSpec>,
    /// Road layers.
    pub roads: Vec<LayerSpec>,
    /// Facility layers.
    pub facilities: Vec<LayerSpec>,
    /// Zone layer.
    pub zones: Option<LayerSpec>,
    /// Census table.
    pub census: Option<CensusSpec>,
    /// CRS of layers that declare none (`inputs.crs` or `--crs`).
    pub crs: Option<String>,
}

impl Inputs {
    /// Every input file named by the config (layers, OSM extract, census).
    pub fn paths(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = self
            .layers()
            .into_iter()
            .map(|(_, l)| l.path.clone())
            .collect();
        v.extend(self.osm.clone());
        v.extend(self.census.as_ref().map(|c| c.path.clone()));
        v
    }

    /// Every layer with its config key (`inputs.settlements[0]`…).
    pub fn layers(&self) -> Vec<(String, &LayerSpec)> {
        let mut v = Vec::new();
        for (name, ls) in [
            ("settlements", &self.settlements),
            ("roads", &self.roads),
            ("facilities", &self.facilities),
        ] {
            for (i, l) in ls.iter().enumerate() {
                v.push((format!("inputs.{name}[{i}]"), l));
            }
        }
        if let Some(z) = &self.zones {
            v.push(("inputs.zones".to_string(), z));
        }
        v
    }
}

/// A GDAL connection string (`PG:dbname=…`, `MySQL:…`) rather than a path:
/// a driver prefix of two or more letters and a colon.
pub fn is_connection_string(p: &Path) -> bool {
    let s = p.to_string_lossy();
    s.split_once(':').is_some_and(|(prefix, _)| {
        prefix.len() >= 2 && prefix.chars().all(|c| c.is_ascii_alphanumeric())
    })
}

/// Validates `[inputs]`; `invalid` makes the error for a key.
pub(super) fn from_raw(
    raw: RawInputs,
    base: &Path,
    invalid: &dyn Fn(&str, String) -> ConfigError,
) -> Result<Inputs, ConfigError> {
    let empty = |key: String, p: &Path| {
        p.as_os_str()
            .is_empty()
            .then(|| invalid(&key, "the path is empty: give a file name".into()))
    };
    let raw_layers = [
        ("settlements", &raw.settlements),
        ("roads", &raw.roads),
        ("facilities", &raw.facilities),
    ];
    for (name, ls) in raw_layers {
        for (i, l) in ls.iter().enumerate() {
            if let Some(e) = empty(format!("inputs.{name}[{i}].path"), &l.path) {
                return Err(e);
            }
        }
    }
    let singles = [
        (
            "inputs.zones.path",
            raw.zones.as_ref().map(|z| z.path.as_path()),
        ),
        (
            "inputs.census.path",
            raw.census.as_ref().map(|c| c.path.as_path()),
        ),
        ("inputs.osm", raw.osm.as_deref()),
    ];
    for (key, p) in singles {
        if let Some(e) = p.and_then(|p| empty(key.to_string(), p)) {
            return Err(e);
        }
    }
    let resolve = |p: &Path| -> PathBuf {
        if p.is_absolute() || is_connection_string(p) {
            p.to_path_buf()
        } else {
            base.join(p)
        }
    };
    let layer = |mut l: LayerSpec| {
        l.path = resolve(&l.path);
        l
    };
    let inputs = Inputs {
        osm: raw.osm.as_deref().map(resolve),
        settlements: raw.settlements.into_iter().map(layer).collect(),
        roads: raw.roads.into_iter().map(layer).collect(),
        facilities: raw.facilities.into_iter().map(layer).collect(),
        zones: raw.zones.map(layer),
        census: raw.census.map(|mut c| {
            c.path = resolve(&c.path);
            c
        }),
        crs: raw.crs,
    };
    // CRSs are checked now, so a typo fails before any file is read.
    let crs_keys = std::iter::once(("inputs.crs".to_string(), inputs.crs.as_ref())).chain(
        inputs
            .layers()
            .into_iter()
            .map(|(key, l)| (format!("{key}.crs"), l.crs.as_ref())),
    );
    for (key, crs) in crs_keys {
        if let Some(text) = crs {
            crate::crs::Crs::parse(text).map_err(|e| invalid(&key, e.to_string()))?;
        }
    }
    if inputs.osm.is_none() && inputs.settlements.is_empty() {
        return Err(invalid(
            "inputs",
            "no settlements: give `inputs.osm` or at least one `[[inputs.settlements]]`".into(),
        ));
    }
    if inputs.census.is_some() && inputs.zones.is_none() {
        return Err(invalid(
            "inputs.census",
            "a census table needs `[inputs.zones]`".into(),
        ));
    }
    if let (Some(_), Some(z)) = (&inputs.census, &inputs.zones) {
        if z.key_field.is_none() {
            return Err(invalid(
                "inputs.zones.key_field",
                "needed to join the census table".into(),
            ));
        }
    }
    Ok(inputs)
}

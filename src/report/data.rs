//! Reading a finished run's outputs back: `run.json`, the three GeoJSON
//! layers and, for a scenario folder, the comparison ([`super::scenarios`]).
//!
//! Only the fields the report shows are kept. Every problem is a
//! [`ReportError`] naming the file.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use geo::{BoundingRect, Contains, Coord, LineString, MultiPolygon, Point, Polygon, Rect};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::ReportError;

/// How a service is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Travel time in minutes (`*_min` columns).
    Time,
    /// Distance in metres (`*_m` columns).
    Distance,
}

/// One service as `run.json` describes it.
#[derive(Debug, Clone)]
pub struct ServiceInfo {
    /// Name from the config.
    pub name: String,
    /// Short code of its output columns (`hlth`).
    pub code: String,
    /// Travel profile.
    pub profile: String,
    /// Time or distance.
    pub metric: Metric,
    /// Threshold in the metric's unit (minutes or metres).
    pub threshold: f64,
    /// Measured as a great-circle distance, with no route.
    pub straight_line: bool,
    /// People beyond the threshold.
    pub population_beyond: f64,
    /// Their share of all people.
    pub share_beyond: f64,
    /// Facilities of the service in the run.
    pub facilities: Option<u64>,
}

impl ServiceInfo {
    /// The settlements' and zones' column of the metric (`hlth_min`, `powr_m`).
    pub fn column(&self) -> String {
        match self.metric {
            Metric::Time => format!("{}_min", self.code),
            Metric::Distance => format!("{}_m", self.code),
        }
    }
}

/// A zone of `zones.geojson`.
#[derive(Debug, Clone)]
pub struct Zone {
    /// `zone_id`.
    pub id: String,
    /// `name` (empty for H3 cells).
    pub name: String,
    /// `rank` (1 = most burdened).
    pub rank: Option<u64>,
    /// `priority`.
    pub priority: bool,
    /// `reason`, as written by the run.
    pub reason: String,
    /// `pop`.
    pub pop: f64,
    /// `composite`.
    pub composite: Option<f64>,
    /// `burden`.
    pub burden: Option<f64>,
    /// `severity` (0–1).
    pub severity: Option<f64>,
    /// `rank_burd` (1 = most burdened).
    pub rank_burden: Option<u64>,
    /// `rank_sev` (1 = most cut off).
    pub rank_severity: Option<u64>,
    /// Outline (WGS 84).
    pub geometry: Option<MultiPolygon<f64>>,
    /// Per service: share of the people beyond the threshold (`*_oshr`).
    pub share_beyond: Vec<Option<f64>>,
    /// Per service: population-weighted mean metric.
    pub mean: Vec<Option<f64>>,
}

impl Zone {
    /// The name, or the id when the zone has no name.
    pub fn label(&self) -> &str {
        if self.name.trim().is_empty() {
            &self.id
        } else {
            &self.name
        }
    }
}

/// A settlement of `settlements.geojson`.
#[derive(Debug, Clone)]
pub struct Settlement {
    /// `name`.
    pub name: String,
    /// Longitude.
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
    /// `pop`.
    pub pop: f64,
    /// `zone_id`.
    pub zone_id: String,
    /// `composite`.
    pub composite: Option<f64>,
    /// `class`.
    pub class: String,
    /// Per service: the metric (`None`: no trip).
    pub values: Vec<Option<f64>>,
}

/// A facility of `facilities.geojson`.
#[derive(Debug, Clone)]
pub struct Facility {
    /// Service name.
    pub service: String,
    /// `name`.
    pub name: String,
    /// Longitude.
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
}

/// Everything the report shows.
#[derive(Debug, Clone)]
pub struct RunData {
    /// `run.json`.
    pub run: Value,
    /// Services, in the run's order.
    pub services: Vec<ServiceInfo>,
    /// Zones, when the run wrote `zones.geojson`.
    pub zones: Option<Vec<Zone>>,
    /// Settlements.
    pub settlements: Vec<Settlement>,
    /// Facilities with a location in the outputs.
    pub facilities: Vec<Facility>,
    /// Scenario comparison, for a `scenarios` output folder.
    pub comparison: Option<super::scenarios::Comparison>,
}

pub(super) fn invalid(path: &Path, message: impl Into<String>) -> ReportError {
    ReportError::Invalid {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Reads a file whole, naming it when it is missing or unreadable.
fn read_bytes(path: &Path) -> Result<Vec<u8>, ReportError> {
    match std::fs::read(path) {
        Ok(b) => Ok(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(ReportError::Missing {
            path: path.to_path_buf(),
        }),
        Err(source) => Err(ReportError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn parse_error(path: &Path, e: serde_json::Error) -> ReportError {
    ReportError::Parse {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Reads and parses a JSON file.
pub fn read_json(path: &Path) -> Result<Value, ReportError> {
    serde_json::from_slice(&read_bytes(path)?).map_err(|e| parse_error(path, e))
}

/// A feature's properties, each left as its JSON text until it is read
/// (a layer of 200,000 settlements has millions of values the report never
/// looks at).
type Props<'a> = BTreeMap<Cow<'a, str>, &'a RawValue>;

fn f(p: &Props, key: &str) -> Option<f64> {
    p.get(key)
        .and_then(|r| serde_json::from_str::<f64>(r.get()).ok())
        .filter(|x| x.is_finite())
}

fn u(p: &Props, key: &str) -> Option<u64> {
    p.get(key).and_then(|r| serde_json::from_str(r.get()).ok())
}

fn s(p: &Props, key: &str) -> String {
    match p.get(key).map(|r| r.get()) {
        None | Some("null") => String::new(),
        Some(t) if t.starts_with('"') => serde_json::from_str(t).unwrap_or_default(),
        Some(t) => t.to_string(),
    }
}

/// The services of `run.json`.
fn services(run: &Value, path: &Path) -> Result<Vec<ServiceInfo>, ReportError> {
    let settings = run["settings"]["services"]
        .as_array()
        .ok_or_else(|| invalid(path, "no settings.services list"))?;
    let summaries = run["services"].as_array().cloned().unwrap_or_default();
    let counts = run["counts"]["facilities"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    settings
        .iter()
        .map(|svc| {
            let name = svc["name"]
                .as_str()
                .ok_or_else(|| invalid(path, "a service in settings.services has no name"))?
                .to_string();
            let code = svc["code"]
                .as_str()
                .ok_or_else(|| invalid(path, format!("service {name} has no code")))?
                .to_string();
            let metric = match svc["threshold"]["metric"].as_str() {
                Some("time_min") => Metric::Time,
                Some("dist_m") => Metric::Distance,
                other => {
                    return Err(invalid(
                        path,
                        format!(
                            "service {name}: threshold metric {other:?} is not time_min or dist_m"
                        ),
                    ))
                }
            };
            let threshold = svc["threshold"]["value"]
                .as_f64()
                .ok_or_else(|| invalid(path, format!("service {name} has no threshold value")))?;
            let summary = summaries.iter().find(|x| x["service"] == name.as_str());
            let get = |k: &str| summary.and_then(|x| x[k].as_f64()).unwrap_or(f64::NAN);
            Ok(ServiceInfo {
                code,
                profile: svc["profile"].as_str().unwrap_or_default().to_string(),
                metric,
                threshold,
                straight_line: svc["straight_line"].as_bool().unwrap_or(false),
                population_beyond: get("population_beyond"),
                share_beyond: get("share_beyond"),
                facilities: counts
                    .iter()
                    .find(|x| x["service"] == name.as_str())
                    .and_then(|x| x["facilities"].as_u64()),
                name,
            })
        })
        .collect()
}

#[derive(Deserialize)]
struct RawCollection<'a> {
    #[serde(borrow)]
    features: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct RawFeature<'a> {
    #[serde(borrow, default)]
    properties: Option<Props<'a>>,
    #[serde(borrow)]
    geometry: Option<&'a RawValue>,
}

/// The features of a GeoJSON FeatureCollection, each turned into a `T` (or
/// skipped) by `each` from its properties and geometry, one at a time.
fn features<T>(
    path: &Path,
    mut each: impl FnMut(&Props, Option<&RawValue>) -> Option<T>,
) -> Result<Vec<T>, ReportError> {
    let bytes = read_bytes(path)?;
    let doc: RawCollection = serde_json::from_slice(&bytes).map_err(|e| match e.is_data() {
        true => invalid(path, "not a GeoJSON FeatureCollection (no `features` list)"),
        false => parse_error(path, e),
    })?;
    let mut out = Vec::with_capacity(doc.features.len());
    for raw in doc.features {
        let ft: RawFeature = serde_json::from_str(raw.get()).map_err(|e| parse_error(path, e))?;
        let props = ft.properties.unwrap_or_default();
        out.extend(each(&props, ft.geometry));
    }
    Ok(out)
}

/// A geometry as a JSON value (zones: few features, read whole).
fn geometry_value(g: Option<&RawValue>) -> Value {
    g.and_then(|g| serde_json::from_str(g.get()).ok())
        .unwrap_or(Value::Null)
}

fn ring(v: &Value) -> Option<LineString<f64>> {
    let pts: Option<Vec<Coord<f64>>> = v
        .as_array()?
        .iter()
        .map(|c| {
            let c = c.as_array()?;
            Some(Coord {
                x: c.first()?.as_f64()?,
                y: c.get(1)?.as_f64()?,
            })
        })
        .collect();
    Some(LineString::new(pts?))
}

fn polygon(v: &Value) -> Option<Polygon<f64>> {
    let rings = v.as_array()?;
    let outer = ring(rings.first()?)?;
    let inner: Option<Vec<_>> = rings[1..].iter().map(ring).collect();
    Some(Polygon::new(outer, inner?))
}

/// A Polygon or MultiPolygon geometry; `None` for anything else.
fn multipolygon(g: &Value) -> Option<MultiPolygon<f64>> {
    match g["type"].as_str()? {
        "Polygon" => Some(MultiPolygon::new(vec![polygon(&g["coordinates"])?])),
        "MultiPolygon" => {
            let polys: Option<Vec<_>> = g["coordinates"].as_array()?.iter().map(polygon).collect();
            Some(MultiPolygon::new(polys?))
        }
        _ => None,
    }
}

fn point(p: &Props, g: Option<&RawValue>) -> Option<(f64, f64)> {
    if let (Some(lon), Some(lat)) = (f(p, "lon"), f(p, "lat")) {
        return Some((lon, lat));
    }
    #[derive(Deserialize)]
    struct Point {
        coordinates: (f64, f64),
    }
    let pt: Point = serde_json::from_str(g?.get()).ok()?;
    Some(pt.coordinates)
}

fn zones(path: &Path, services: &[ServiceInfo]) -> Result<Vec<Zone>, ReportError> {
    features(path, |p, g| {
        Some(Zone {
            id: s(p, "zone_id"),
            name: s(p, "name"),
            rank: u(p, "rank"),
            priority: p
                .get("priority")
                .and_then(|r| serde_json::from_str(r.get()).ok())
                .unwrap_or(false),
            reason: s(p, "reason"),
            pop: f(p, "pop").unwrap_or(0.0),
            composite: f(p, "composite"),
            burden: f(p, "burden"),
            severity: f(p, "severity"),
            rank_burden: u(p, "rank_burd"),
            rank_severity: u(p, "rank_sev"),
            geometry: multipolygon(&geometry_value(g)),
            share_beyond: services
                .iter()
                .map(|sv| f(p, &format!("{}_oshr", sv.code)))
                .collect(),
            mean: services.iter().map(|sv| f(p, &sv.column())).collect(),
        })
    })
}

fn settlements(path: &Path, services: &[ServiceInfo]) -> Result<Vec<Settlement>, ReportError> {
    let columns: Vec<String> = services.iter().map(ServiceInfo::column).collect();
    features(path, |p, g| {
        let (lon, lat) = point(p, g)?;
        Some(Settlement {
            name: s(p, "name"),
            lon,
            lat,
            pop: f(p, "pop").unwrap_or(0.0),
            zone_id: s(p, "zone_id"),
            composite: f(p, "composite"),
            class: s(p, "class"),
            values: columns.iter().map(|c| f(p, c)).collect(),
        })
    })
}

fn facilities(path: &Path) -> Result<Vec<Facility>, ReportError> {
    features(path, |p, g| {
        let (lon, lat) = point(p, g)?;
        Some(Facility {
            service: s(p, "service"),
            name: s(p, "name"),
            lon,
            lat,
        })
    })
}

/// The folder holding the run's layers: `dir`, or `dir/baseline` for the
/// output of `scenarios` (which has `comparison.csv` and no `run.json` of
/// its own).
pub fn run_folder(dir: &Path) -> (PathBuf, bool) {
    let scenarios = !dir.join("run.json").exists()
        && dir.join("baseline").join("run.json").is_file()
        && dir.join("comparison.csv").is_file();
    if scenarios {
        (dir.join("baseline"), true)
    } else {
        (dir.to_path_buf(), false)
    }
}

/// Reads the outputs of the run in `dir` (see [`run_folder`]).
pub fn load(dir: &Path) -> Result<RunData, ReportError> {
    let (base, is_scenarios) = run_folder(dir);
    let run_path = base.join("run.json");
    let run = read_json(&run_path)?;
    if !run.is_object() || run["tool"] != "remoteness" {
        return Err(invalid(
            &run_path,
            "not a remoteness run.json (no \"tool\": \"remoteness\")",
        ));
    }
    let services = services(&run, &run_path)?;
    let zones_path = base.join("zones.geojson");
    let zones = if zones_path.exists() {
        Some(zones(&zones_path, &services)?)
    } else {
        None
    };
    let settlements = settlements(&base.join("settlements.geojson"), &services)?;
    let facilities = facilities(&base.join("facilities.geojson"))?;
    let comparison = if is_scenarios {
        Some(super::scenarios::load(dir, &services)?)
    } else {
        None
    };
    Ok(RunData {
        run,
        services,
        zones,
        settlements,
        facilities,
        comparison,
    })
}

/// Population-weighted quantiles of `(value, weight)` pairs (`None`: never
/// reached, above every value); `None` where the quantile is unreached.
pub fn weighted_quantiles(pairs: &[(Option<f64>, f64)], qs: &[f64]) -> Vec<Option<f64>> {
    let mut v: Vec<(f64, f64)> = pairs
        .iter()
        .map(|&(x, w)| (x.unwrap_or(f64::INFINITY), w.max(0.0)))
        .collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = v.iter().map(|p| p.1).sum();
    qs.iter()
        .map(|&q| {
            if total <= 0.0 {
                return None;
            }
            let target = q * total;
            let mut acc = 0.0;
            for &(x, w) in &v {
                acc += w;
                if acc >= target - 1e-9 * total && w > 0.0 {
                    return x.is_finite().then_some(x);
                }
            }
            None
        })
        .collect()
}

/// For each zone, the number of facilities of each service inside it
/// (`counts[zone][service]`).
pub fn facilities_by_zone(
    zones: &[Zone],
    services: &[ServiceInfo],
    facilities: &[Facility],
) -> Vec<Vec<usize>> {
    let boxes: Vec<Option<Rect<f64>>> = zones
        .iter()
        .map(|z| z.geometry.as_ref().and_then(|g| g.bounding_rect()))
        .collect();
    let mut counts = vec![vec![0usize; services.len()]; zones.len()];
    for fac in facilities {
        let Some(k) = services.iter().position(|s| s.name == fac.service) else {
            continue;
        };
        let p = Point::new(fac.lon, fac.lat);
        for (z, zone) in zones.iter().enumerate() {
            let (Some(b), Some(g)) = (boxes[z], &zone.geometry) else {
                continue;
            };
            let inside_box = p.x() >= b.min().x
                && p.x() <= b.max().x
                && p.y() >= b.min().y
                && p.y() <= b.max().y;
            if inside_box && g.contains(&p) {
                counts[z][k] += 1;
                break;
            }
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_weigh_people_and_unreached() {
        let pairs = [(Some(10.0), 1.0), (Some(20.0), 3.0), (None, 1.0)];
        let q = weighted_quantiles(&pairs, &[0.2, 0.5, 0.8, 1.0]);
        assert_eq!(q, vec![Some(10.0), Some(20.0), Some(20.0), None]);
        assert_eq!(weighted_quantiles(&[], &[0.5]), vec![None]);
    }
}

//! The whole run: load → index → search → score → zones, with stage timings.
//!
//! The pipeline never prints; it reports stage starts and ends to a
//! [`Progress`] implementation (the binary draws progress bars with it).

use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use serde::Serialize;
use thiserror::Error;

use crate::catchment::{self, Measures};
use crate::config::{ConfigError, RankBy, Settings};
use crate::index::network::Components;
use crate::index::{RoadNetwork, ZoneIndex};
use crate::isochrone::{self, Catchments};
use crate::load::{self, Dataset, LoadError};
use crate::model::{LonLat, PopulationSource, Road, Zone};
use crate::score::{self, Scores};
use crate::search::access::{
    access_all, access_all_sequential, facilities_for, ProfileContext, ServiceAccess, TravelModel,
};
use crate::zones::{self, AllocationReport, ZoneMeasures, ZoneStats};

/// Any error of a run, by stage.
#[derive(Debug, Error)]
pub enum Error {
    /// Configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Loading inputs.
    #[error(transparent)]
    Load(#[from] LoadError),
}

/// Receives stage events.
pub trait Progress: Sync {
    /// A stage starts.
    fn begin(&self, _stage: &str) {}
    /// A stage ends after `seconds`.
    fn end(&self, _stage: &str, _seconds: f64) {}
}

/// A [`Progress`] that ignores everything.
pub struct Quiet;
impl Progress for Quiet {}

pub use crate::execution::Execution;

/// Per-profile figures for `run.json`.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileStats {
    /// Profile name.
    pub profile: String,
    /// Segments this profile may use.
    pub usable_segments: usize,
    /// Graph arcs.
    pub arcs: usize,
    /// Valid settlements within `max_snap_m` of a usable road.
    pub settlements_snapped: usize,
    /// Valid settlements beyond it.
    pub settlements_off_network: usize,
}

/// Road network figures for `run.json`.
#[derive(Debug, Clone, Serialize)]
pub struct NetworkStats {
    /// Road features kept.
    pub roads: usize,
    /// Graph nodes.
    pub nodes: usize,
    /// Segments.
    pub segments: usize,
    /// Undirected connected components.
    pub components: Components,
}

/// Everything a run produced.
pub struct Analysis {
    /// Settings used.
    pub settings: Settings,
    /// Inputs as loaded (populations after allocation).
    pub dataset: Dataset,
    /// How trips are made.
    pub travel_mode: TravelMode,
    /// Network figures.
    pub network: NetworkStats,
    /// Per-profile figures.
    pub profiles: Vec<ProfileStats>,
    /// Per-service access.
    pub access: Vec<ServiceAccess>,
    /// Scores.
    pub scores: Scores,
    /// Zones (the layer's, or H3 cells).
    pub zones: Vec<Zone>,
    /// Where the zones come from.
    pub zone_source: ZoneSource,
    /// Zone of each settlement.
    pub zone_of: Vec<Option<usize>>,
    /// Zone indicators.
    pub zone_stats: Vec<ZoneStats>,
    /// Capacity-aware measures (floating catchments, coverage, gravity).
    pub measures: Measures,
    /// Their zone aggregates, in zone order.
    pub zone_measures: Vec<ZoneMeasures>,
    /// Census allocation report.
    pub allocation: Option<AllocationReport>,
    /// Catchment polygons (the baseline of a run with `[catchments]`
    /// enabled; `None` otherwise).
    pub catchments: Option<Catchments>,
    /// Stage timings in seconds.
    pub timings: Vec<(String, f64)>,
    /// The process's peak resident memory at the end of each stage, MiB
    /// (Linux's `VmHWM`; empty where it cannot be read).
    pub peaks_mib: Vec<(String, f64)>,
}

struct Clock<'a> {
    progress: &'a dyn Progress,
    timings: Vec<(String, f64)>,
    peaks_mib: Vec<(String, f64)>,
}

/// The process's peak resident memory so far, MiB (Linux's `VmHWM`).
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

impl Clock<'_> {
    fn stage<T>(&mut self, name: &str, f: impl FnOnce() -> T) -> T {
        self.progress.begin(name);
        let t0 = Instant::now();
        let out = f();
        // What the stage freed goes back before the next one maps its own.
        crate::memory::release_freed();
        let s = t0.elapsed().as_secs_f64();
        self.progress.end(name, s);
        self.timings.push((name.to_string(), s));
        if let Some(p) = peak_rss_mib() {
            self.peaks_mib.push((name.to_string(), p));
        }
        out
    }
}

/// How trips are made in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TravelMode {
    /// Along a road network.
    RoadNetwork,
    /// No road layer: straight lines only.
    StraightLine,
}

impl TravelMode {
    /// Stable name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            TravelMode::RoadNetwork => "road_network",
            TravelMode::StraightLine => "straight_line",
        }
    }
}

/// Where the zones come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ZoneSource {
    /// The configured zone layer.
    Layer,
    /// H3 cells made from the settlements.
    H3,
    /// `boundary=administrative` relations of the OSM extract
    /// (`zones.osm_admin_level`).
    Osm,
}

impl ZoneSource {
    /// Stable name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            ZoneSource::Layer => "layer",
            ZoneSource::H3 => "h3",
            ZoneSource::Osm => "osm",
        }
    }
}

/// A prepared network: zones located, populations allocated, the road
/// network merged, and per profile the graph, segment R-tree and snaps —
/// built once, then queried by the baseline and by every scenario.
/// Owned and `Send + Sync`.
pub struct Study {
    /// Settings used.
    pub settings: Settings,
    /// Inputs after allocation (roads moved to `roads`, zones to `zones`).
    pub dataset: Dataset,
    /// Roads as loaded (empty in a one-shot run: only scenarios adding
    /// roads read them).
    pub roads: Vec<Road>,
    /// Whether the baseline keeps every node's labels (the default): only
    /// scenarios and catchment polygons read them, and a one-shot run
    /// without polygons drops them after the search.
    pub keep_labels: bool,
    /// The merged road network.
    pub net: RoadNetwork,
    /// Contexts of the profiles in use.
    pub profiles: Vec<Arc<ProfileContext>>,
    /// Zones (the layer's, or H3 cells).
    pub zones: Vec<Zone>,
    /// Where the zones come from.
    pub zone_source: ZoneSource,
    /// Zone of each settlement.
    pub zone_of: Vec<Option<usize>>,
    /// Census allocation report.
    pub allocation: Option<AllocationReport>,
    /// Preparation timings in seconds.
    pub timings: Vec<(String, f64)>,
    /// Peak resident memory after each preparation stage, MiB.
    pub peaks_mib: Vec<(String, f64)>,
}

/// Runs the analysis (no output written; see [`crate::write`]).
pub fn analyse(
    settings: Settings,
    exec: Execution,
    progress: &dyn Progress,
) -> Result<Analysis, Error> {
    let mut clock = Clock {
        progress,
        timings: Vec::new(),
        peaks_mib: Vec::new(),
    };
    let dataset = clock.stage("load", || load::load(&settings))?;
    // No scenario follows: what only scenarios read (the loaded roads, the
    // nodes' OSM ids, every node's labels) is dropped as soon as nothing
    // else needs it.
    let mut study = Study::prepare_timed(settings, dataset, &mut clock, true);
    study.keep_labels = false;
    let a = study.analyse(exec, progress);
    Ok(a)
}

mod prepare;
pub use prepare::road_network;

impl Study {
    /// Roads, or straight lines when there is no road network.
    pub fn travel_mode(&self) -> TravelMode {
        if self.net.segment_count() == 0 {
            TravelMode::StraightLine
        } else {
            TravelMode::RoadNetwork
        }
    }

    /// The travel model of the prepared network.
    pub fn model(&self) -> TravelModel<'_> {
        TravelModel {
            net: &self.net,
            travel: self.settings.travel,
            settlements: &self.dataset.settlements,
            profiles: self.profiles.clone(),
            terrain: self.dataset.terrain.clone(),
        }
    }

    /// The baseline analysis.
    pub fn analyse(&mut self, exec: Execution, progress: &dyn Progress) -> Analysis {
        let mut clock = Clock {
            progress,
            timings: std::mem::take(&mut self.timings),
            peaks_mib: std::mem::take(&mut self.peaks_mib),
        };
        let model = self.model();
        let facilities = self.dataset.facilities.clone();
        let population = self.dataset.populations();
        let keep_labels = self.keep_labels || self.settings.catchments.enabled;
        let access = clock.stage("search", || {
            access_stage(
                &model,
                &self.settings.services,
                &facilities,
                exec,
                keep_labels,
            )
        });
        let results = clock.stage("measure", || {
            results(
                &self.settings,
                &model,
                &self.zones,
                &self.zone_of,
                access,
                &facilities,
                &population,
                &catchment::Prior::default(),
                exec,
            )
        });
        let catchments = self.settings.catchments.enabled.then(|| {
            clock.stage("catchments", || {
                isochrone::build(
                    &model,
                    &self.settings.services,
                    &results.access,
                    &population,
                    &self.settings.catchments,
                    exec,
                )
            })
        });
        drop(model);
        let mut a = self.analysis(self.dataset.clone(), results);
        a.catchments = match catchments {
            Some(Ok(c)) => Some(c),
            Some(Err(e)) => {
                a.dataset.diagnostics.push(
                    "catchments_failed",
                    std::path::Path::new("(catchments)"),
                    "(all)",
                    "catchments",
                    format!("{e}: no catchment polygons written"),
                );
                None
            }
            None => None,
        };
        self.timings = clock.timings.clone();
        self.peaks_mib = clock.peaks_mib.clone();
        Analysis {
            timings: clock.timings,
            peaks_mib: clock.peaks_mib,
            ..a
        }
    }

    /// An [`Analysis`] of `results` computed on `dataset` (the baseline's,
    /// or a scenario's copy of it).
    pub fn analysis(&self, mut dataset: Dataset, r: Results) -> Analysis {
        let settings = &self.settings;
        let access = r.access;
        let measures = r.measures;
        for sa in &access {
            if sa.facilities.is_empty() {
                let cat = &settings
                    .services
                    .iter()
                    .find(|s| s.name == sa.service)
                    .expect("one result per service")
                    .category;
                dataset.diagnostics.push(
                "no_facility",
                std::path::Path::new("(facility inputs)"),
                &sa.service,
                "category",
                format!("no facility of category `{cat}` in the inputs: service left out of the composite"),
            );
            }
        }
        if let (Some(g), Some(gs)) = (&measures.gravity, &settings.measures.gravity) {
            if g.centres == 0 {
                dataset.diagnostics.push(
                "gravity_no_centre",
                std::path::Path::new("(settlement inputs)"),
                "(all)",
                "population",
                format!(
                    "no settlement has {} people or more: no gravity remoteness index (lower `gravity.centre_min_pop`)",
                    gs.centre_min_pop
                ),
            );
            }
        }
        let mut unused: std::collections::BTreeMap<&str, usize> = Default::default();
        for f in &dataset.facilities {
            if !settings.services.iter().any(|s| s.category == f.category) {
                *unused.entry(f.category.as_str()).or_insert(0) += 1;
            }
        }
        let mut unused_diags = load::Diagnostics::default();
        for (cat, n) in unused {
            unused_diags.push(
                "unused_category",
                std::path::Path::new("(facility inputs)"),
                cat,
                "category",
                format!("{n} facilities of category `{cat}` serve no configured service"),
            );
        }
        dataset.diagnostics.extend(unused_diags);
        let (scores, zone_stats, zone_measures) = (r.scores, r.zone_stats, r.zone_measures);
        let profiles = self
            .profiles
            .iter()
            .map(|c| {
                let max = settings.travel.max_snap_m;
                let snapped = c
                    .settlement_snaps
                    .iter()
                    .filter(|s| s.is_some_and(|s| s.offroad.0 <= max))
                    .count();
                let valid = dataset.settlements.iter().filter(|s| s.valid).count();
                ProfileStats {
                    profile: c.profile.name.clone(),
                    usable_segments: c.graph.usable_segments,
                    arcs: c.graph.reverse.arc_count(),
                    settlements_snapped: snapped,
                    settlements_off_network: valid - snapped,
                }
            })
            .collect();
        let network = NetworkStats {
            roads: self.net.road_count(),
            nodes: self.net.node_count(),
            segments: self.net.segment_count(),
            components: self.net.components.clone(),
        };
        let travel_mode = self.travel_mode();
        Analysis {
            settings: settings.clone(),
            dataset,
            travel_mode,
            network,
            profiles,
            access,
            scores,
            zones: self.zones.clone(),
            zone_source: self.zone_source,
            zone_of: self.zone_of.clone(),
            zone_stats,
            measures,
            zone_measures,
            allocation: self.allocation.clone(),
            catchments: None,
            timings: Vec::new(),
            peaks_mib: Vec::new(),
        }
    }
}

/// What the analysis computed from access onwards.
#[derive(Debug, Clone)]
pub struct Results {
    /// Per-service access.
    pub access: Vec<ServiceAccess>,
    /// Capacity-aware measures.
    pub measures: Measures,
    /// Scores.
    pub scores: Scores,
    /// Zone indicators.
    pub zone_stats: Vec<ZoneStats>,
    /// Zone aggregates of the measures.
    pub zone_measures: Vec<ZoneMeasures>,
}

/// Access of every service: services in parallel, or one after another
/// (the reference; equal bit for bit). Without `keep_labels`, no
/// service keeps node labels (`paths`: only scenarios and catchment
/// polygons read them): each one's access is read off its search's work
/// array, which goes as soon as the access is known.
pub fn access_stage(
    model: &TravelModel,
    services: &[crate::config::Service],
    facilities: &[crate::model::Facility],
    exec: Execution,
    keep_labels: bool,
) -> Vec<ServiceAccess> {
    if keep_labels {
        return match exec {
            Execution::Parallel => access_all(model, services, facilities),
            Execution::Sequential => access_all_sequential(model, services, facilities),
        };
    }
    let one = |s: &crate::config::Service| {
        model.service_access_with(s, facilities_for(s, facilities), false)
    };
    match exec {
        Execution::Parallel => services.par_iter().map(one).collect(),
        Execution::Sequential => services.iter().map(one).collect(),
    }
}

/// Measures, scores and zones from access: everything after the search.
#[allow(clippy::too_many_arguments)]
pub fn results(
    settings: &Settings,
    model: &TravelModel,
    zones: &[Zone],
    zone_of: &[Option<usize>],
    access: Vec<ServiceAccess>,
    facilities: &[crate::model::Facility],
    population: &[f64],
    prior: &catchment::Prior,
    exec: Execution,
) -> Results {
    let measures = catchment::measure(
        settings, model, &access, facilities, population, prior, exec,
    );
    let scores = score::score(&settings.services, &access, population);
    let zone_ids: Vec<String> = zones.iter().map(|z| z.id.clone()).collect();
    let mut stats = zones::aggregate(
        &zone_ids,
        zone_of,
        population,
        &settings.services,
        &scores,
        &settings.zones,
    );
    let valid: Vec<bool> = model.settlements.iter().map(|s| s.valid).collect();
    let zm = zones::aggregate_measures(
        zone_ids.len(),
        zone_of,
        &valid,
        population,
        &settings.measures,
        &measures,
    );
    if let RankBy::Measure { measure, .. } = settings.measures.rank_by {
        let values = zones::measures::field_values(measure, &measures, &zm, &stats);
        zones::measures::rerank(
            &mut stats,
            &zone_ids,
            &values,
            measure.worse(),
            &settings.zones,
        );
    }
    Results {
        access,
        measures,
        scores,
        zone_stats: stats,
        zone_measures: zm,
    }
}

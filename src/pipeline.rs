//! The whole run: load → index → search → score → zones, with stage timings.
//!
//! The pipeline never prints; it reports stage starts and ends to a
//! [`Progress`] implementation (the binary draws progress bars with it).

use std::time::Instant;

use serde::Serialize;
use thiserror::Error;

use crate::catchment::{self, Measures};
use crate::config::{ConfigError, Settings};
use crate::index::network::Components;
use crate::index::{RoadNetwork, ZoneIndex};
use crate::load::{self, Dataset, LoadError};
use crate::model::{PopulationSource, Zone};
use crate::score::{self, Scores};
use crate::search::access::{access_all, access_all_sequential, ServiceAccess, TravelModel};
use crate::write::WriteError;
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
    /// Writing outputs.
    #[error(transparent)]
    Write(#[from] WriteError),
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
    /// `road_network` or `straight_line`.
    pub travel_mode: &'static str,
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
    /// `layer` or `h3`.
    pub zone_source: &'static str,
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
    /// Stage timings in seconds.
    pub timings: Vec<(String, f64)>,
}

struct Clock<'a> {
    progress: &'a dyn Progress,
    timings: Vec<(String, f64)>,
}

impl Clock<'_> {
    fn stage<T>(&mut self, name: &str, f: impl FnOnce() -> T) -> T {
        self.progress.begin(name);
        let t0 = Instant::now();
        let out = f();
        let s = t0.elapsed().as_secs_f64();
        self.progress.end(name, s);
        self.timings.push((name.to_string(), s));
        out
    }
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
    };
    let mut dataset = clock.stage("load", || load::load(&settings))?;

    // Zones: the layer's (with census allocation), or H3 cells.
    let (zones, zone_of, zone_source, allocation) =
        clock.stage("zones_locate", || match dataset.zones.take() {
            Some(zs) => {
                let idx = ZoneIndex::build(&zs);
                let zone_of: Vec<Option<usize>> = dataset
                    .settlements
                    .iter()
                    .map(|s| s.valid.then(|| idx.locate(s.settlement.pos)).flatten())
                    .collect();
                let allocation = zs.iter().any(|z| z.census_population.is_some()).then(|| {
                    zones::allocate(
                        &mut dataset.settlements,
                        &zone_of,
                        &zs,
                        &settings.population,
                    )
                });
                (zs, zone_of, "layer", allocation)
            }
            None => {
                let (zs, zone_of) =
                    zones::h3::h3_zones(&dataset.settlements, settings.zones.h3_resolution);
                (zs, zone_of, "h3", None)
            }
        });
    if let Some(rep) = &allocation {
        let zone_path = settings
            .inputs
            .zones
            .as_ref()
            .map(|z| z.path.clone())
            .unwrap_or_default();
        for id in &rep.zones_without_settlements {
            dataset.diagnostics.push(
                "census_no_settlement",
                &zone_path,
                id,
                "geometry",
                "zone has a census total but no settlement inside it: population unallocated"
                    .into(),
            );
        }
        for id in &rep.zones_total_exceeded {
            dataset.diagnostics.push(
                "census_exceeded",
                &zone_path,
                id,
                "population",
                "settlements' own populations already exceed the zone's census total".into(),
            );
        }
    }
    let mut placement = load::Diagnostics::default();
    for (i, (s, z)) in dataset.settlements.iter().zip(&zone_of).enumerate() {
        let file = dataset.settlement_file(i);
        if s.valid && z.is_none() && zone_source == "layer" {
            placement.push(
                "outside_zones",
                file,
                &s.settlement.id,
                "geometry",
                "settlement lies in no zone".into(),
            );
        }
        if s.settlement.population_source == PopulationSource::Missing {
            placement.push(
                "population_missing",
                file,
                &s.settlement.id,
                "population",
                "no population and no zone total to allocate: counted as 0".into(),
            );
        }
    }
    dataset.diagnostics.extend(placement);

    let net = clock.stage("index", || RoadNetwork::build(&dataset.roads));
    let used: Vec<crate::config::Profile> = settings
        .profiles
        .values()
        .filter(|p| {
            settings.services.iter().any(|s| s.profile == p.name)
                || settings
                    .measures
                    .gravity
                    .as_ref()
                    .is_some_and(|g| g.profile == p.name)
        })
        .cloned()
        .collect();
    let model = clock.stage("snap", || {
        TravelModel::build(&net, settings.travel, &dataset.settlements, used)
    });
    let access = clock.stage("search", || match exec {
        Execution::Parallel => access_all(&model, &settings.services, &dataset.facilities),
        Execution::Sequential => {
            access_all_sequential(&model, &settings.services, &dataset.facilities)
        }
    });
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
    let measures = clock.stage("catchment", || {
        catchment::measure(&settings, &model, &access, &dataset.facilities, exec)
    });
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
    let population = dataset.populations();
    let scores = clock.stage("score", || {
        score::score(&settings.services, &access, &population)
    });
    let zone_ids: Vec<String> = zones.iter().map(|z| z.id.clone()).collect();
    let (zone_stats, zone_measures) = clock.stage("zones", || {
        let mut stats = zones::aggregate(
            &zone_ids,
            &zone_of,
            &population,
            &settings.services,
            &scores,
            &settings.zones,
        );
        let valid: Vec<bool> = dataset.settlements.iter().map(|s| s.valid).collect();
        let zm = zones::aggregate_measures(
            zone_ids.len(),
            &zone_of,
            &valid,
            &population,
            &settings.measures,
            &measures,
        );
        let ms = &settings.measures;
        if let Some((values, worse)) =
            zones::measures::field_values(&ms.rank_by, &settings.services, ms, &measures, &zm)
        {
            zones::measures::rerank(&mut stats, &zone_ids, &values, worse, &settings.zones);
        }
        (stats, zm)
    });

    let profiles = model
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
                arcs: c.graph.forward.arc_count(),
                settlements_snapped: snapped,
                settlements_off_network: valid - snapped,
            }
        })
        .collect();
    let network = NetworkStats {
        roads: dataset.roads.len(),
        nodes: net.nodes.len(),
        segments: net.segments.len(),
        components: net.components(),
    };
    let travel_mode = if net.segments.is_empty() {
        "straight_line"
    } else {
        "road_network"
    };
    drop(model);
    Ok(Analysis {
        settings,
        dataset,
        travel_mode,
        network,
        profiles,
        access,
        scores,
        zones,
        zone_source,
        zone_of,
        zone_stats,
        measures,
        zone_measures,
        allocation,
        timings: clock.timings,
    })
}

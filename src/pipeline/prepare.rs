//! [`Study::prepare`]: zones located, census allocated, barriers settled,
//! the road network built (with its slopes) and every profile context
//! built once.

use crate::index::{ProfileGraph, RoadNetwork, SegmentIndex, SegmentUses};
use crate::search::context::Snaps;

use super::*;

impl Study {
    /// Prepares `dataset` under `settings` (see the type's docs).
    pub fn prepare(settings: Settings, dataset: Dataset, progress: &dyn Progress) -> Study {
        let mut clock = Clock {
            progress,
            timings: Vec::new(),
            peaks_mib: Vec::new(),
        };
        Study::prepare_timed(settings, dataset, &mut clock, false)
    }

    /// As [`Study::prepare`], timed on `clock`. With `one_shot` (a run
    /// that no scenario follows), the nodes' OSM ids
    /// (`RoadNetwork::node_key`), which only scenarios adding roads read,
    /// are not kept (16 bytes a road node), and the loaded roads are
    /// dropped once the network is built, before the graphs and the
    /// segment index (about 30). The network's road attributes follow once
    /// the graphs and the segment index are built (12 bytes a node), and,
    /// without catchment polygons (whose grid points are snapped later),
    /// the segment index itself once every settlement and facility is
    /// snapped (about 35).
    pub(super) fn prepare_timed(
        settings: Settings,
        mut dataset: Dataset,
        clock: &mut Clock,
        one_shot: bool,
    ) -> Study {
        let zone_path = settings
            .inputs
            .zones
            .as_ref()
            .map(|z| z.path.clone())
            .or_else(|| settings.inputs.osm.clone())
            .unwrap_or_default();
        let given = if settings.inputs.zones.is_some() {
            ZoneSource::Layer
        } else {
            ZoneSource::Osm
        };
        // Zones: the layer's (with census allocation), or H3 cells.
        let (zones, zone_of, zone_source, allocation) =
            clock.stage("zones_locate", || match dataset.zones.take() {
                Some(zs) => {
                    let idx = ZoneIndex::build(&zs);
                    zones::warn_overlaps(&idx, &zs, &zone_path, &mut dataset.diagnostics);
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
                    (zs, zone_of, given, allocation)
                }
                None => {
                    let (zs, zone_of) =
                        zones::h3::h3_zones(&dataset.settlements, settings.zones.h3_resolution);
                    (zs, zone_of, ZoneSource::H3, None)
                }
            });
        if let Some(rep) = &allocation {
            for id in &rep.zones_without_settlements {
                dataset.diagnostics.push(
                    "census_no_settlement",
                    &zone_path,
                    id,
                    "geometry",
                    "the zone's census total exceeds the populations of the settlements inside \
                     it, and no settlement without a population of its own is there to receive \
                     the rest: it stays unallocated (allocation.population_unallocated)"
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
            if s.valid && z.is_none() && zone_source != ZoneSource::H3 {
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

        // Staged (and timed) only when there are barriers: a run without
        // them keeps its `run.json` as it was.
        let blocking = match dataset.barriers.is_empty() {
            true => None,
            false => clock.stage("barriers", || {
                crate::barriers::settle(&mut dataset, &settings)
            }),
        };
        let mut net = clock.stage("index", || {
            let net = match one_shot {
                true => RoadNetwork::build_without_keys(&dataset.roads),
                false => RoadNetwork::build(&dataset.roads),
            };
            with_slopes(net, &settings, dataset.terrain.as_deref())
        });
        if one_shot {
            dataset.roads = Vec::new();
            crate::memory::release_freed();
        }
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
        // Each profile snaps the facilities its road services route to: a
        // straight-line service's (power, on a national extract some 55,000
        // of 61,000 features) never leave or join a road.
        let positions: Vec<Vec<LonLat>> = used
            .iter()
            .map(|p| {
                let routed = |f: &crate::model::Facility| {
                    settings.services.iter().any(|s| {
                        s.profile == p.name && !s.straight_line && s.category == f.category
                    })
                };
                dataset
                    .facilities
                    .iter()
                    .filter(|f| routed(f))
                    .map(|f| f.pos)
                    .collect()
            })
            .collect();
        // Without scenarios or catchment polygons, every snap the run reads
        // is made in the snap stage: the segment R-tree is built, snapped
        // on and dropped before the graphs are built, so the two are never
        // held together.
        let release = one_shot && !settings.catchments.enabled;
        let profiles = clock.stage("snap", || {
            // Which segments each profile may use (a cheap pass), then the
            // graphs and one R-tree of the segments any profile uses; the
            // tree is shared, each profile snapping among its own segments
            // as on an index of its own.
            let uses: Vec<_> = used
                .par_iter()
                .map(|p| ProfileGraph::segment_uses(&net, p, |_| None))
                .collect();
            let any: Vec<bool> = (0..net.segments.len())
                .map(|i| uses.iter().any(|u| u[i].is_some()))
                .collect();
            if release {
                return snapped_then_graphs(
                    &mut net,
                    &mut dataset,
                    used,
                    uses,
                    &any,
                    &positions,
                    &blocking,
                );
            }
            let (graphs, segments) = rayon::join(
                || {
                    used.par_iter()
                        .zip(uses)
                        .map(|(p, u)| ProfileGraph::from_uses(&net, p, u))
                        .collect::<Vec<_>>()
                },
                || Arc::new(SegmentIndex::build_where(&net, |i| any[i])),
            );
            let profiles: Vec<_> = used
                .into_par_iter()
                .zip(graphs)
                .zip(&positions)
                .map(|((p, g), positions)| {
                    Arc::new(ProfileContext::with_segments(
                        p,
                        g,
                        segments.clone(),
                        &dataset.settlements,
                        positions,
                        blocking.clone(),
                    ))
                })
                .collect();
            crate::barriers::count_snaps_moved(&mut dataset, &profiles);
            profiles
        });
        if one_shot {
            // The road attributes' last readers (segment uses, the R-tree)
            // are done.
            net.release_roads();
            if release {
                // Every graph is built: trips read only the segments
                // places snapped to, kept with the nodes' release.
                net.release_segments();
            }
            crate::memory::release_freed();
        }
        let roads = std::mem::take(&mut dataset.roads);
        Study {
            settings,
            dataset,
            roads,
            keep_labels: true,
            net,
            profiles,
            zones,
            zone_source,
            zone_of,
            allocation,
            timings: std::mem::take(&mut clock.timings),
            peaks_mib: std::mem::take(&mut clock.peaks_mib),
        }
    }
}

/// The road network of `roads`, with slope factors over `terrain` for the
/// profiles of `[terrain] road_profiles` (the baseline's and a scenario's
/// with added roads alike).
pub fn road_network(
    roads: &[Road],
    settings: &Settings,
    terrain: Option<&crate::terrain::Terrain>,
) -> RoadNetwork {
    with_slopes(RoadNetwork::build(roads), settings, terrain)
}

/// `net` with the slope factors of `[terrain] road_profiles` over
/// `terrain`, if any.
fn with_slopes(
    mut net: RoadNetwork,
    settings: &Settings,
    terrain: Option<&crate::terrain::Terrain>,
) -> RoadNetwork {
    if let (Some(t), Some(ts)) = (terrain, &settings.terrain) {
        crate::search::trip::slope_network(&mut net, t, &ts.road_profiles);
    }
    net
}

/// The one-shot snap stage: the R-tree of the segments any profile uses
/// (`any`), every settlement and facility position snapped on it for each
/// profile (and, with barriers, counted where they moved the snap), the
/// tree and the network's nodes dropped (the snapped segments' geometry
/// kept, [`RoadNetwork::release_nodes`]) and their memory handed back, then
/// each profile's graph built from its `uses`. The contexts hold no R-tree: the settlements' snaps
/// join their facility cache, all the run will ask of them
/// ([`ProfileContext::release_segment_index`]). The same contexts, snaps
/// and graphs as building the graphs and the tree side by side.
fn snapped_then_graphs(
    net: &mut RoadNetwork,
    dataset: &mut Dataset,
    used: Vec<crate::config::Profile>,
    uses: Vec<SegmentUses>,
    any: &[bool],
    positions: &[Vec<LonLat>],
    blocking: &Option<crate::search::context::Blocking>,
) -> Vec<Arc<ProfileContext>> {
    let segments = SegmentIndex::build_where(net, |i| any[i]);
    let snaps: Vec<Snaps> = uses
        .iter()
        .zip(positions)
        .map(|(u, positions)| {
            Snaps::compute(
                &segments,
                u,
                blocking.as_ref(),
                &dataset.settlements,
                positions,
            )
        })
        .collect();
    if dataset.barrier_report.is_some() {
        for ((p, u), s) in used.iter().zip(&uses).zip(&snaps) {
            let moved = s.moved_by_barriers(&segments, u, &dataset.settlements);
            crate::barriers::record_snaps_moved(dataset, &p.name, moved);
        }
    }
    drop(segments);
    // Every snap the run reads is made: the nodes go (the graphs read the
    // segments only), the snapped segments' geometry stays.
    net.release_nodes(snaps.iter().flat_map(Snaps::segments));
    crate::memory::release_freed();
    let net = &*net;
    let settlements = &dataset.settlements;
    used.into_par_iter()
        .zip(uses)
        .zip(snaps)
        .map(|((p, u), s)| {
            let graph = ProfileGraph::from_uses(net, &p, u);
            let mut ctx = ProfileContext::from_parts(p, graph, None, s, blocking.clone());
            ctx.release_segment_index(settlements);
            Arc::new(ctx)
        })
        .collect()
}

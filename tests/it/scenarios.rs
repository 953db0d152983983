//! Scenarios: the incremental path against from-scratch oracles.
//!
//! * search level: adding facilities to a search by [`add_sources`] equals
//!   the reference search over all facilities, bit for bit, on random
//!   graphs full of exact ties and on continuous ones;
//! * engine level: random sequences of modifications on the Liechtenstein
//!   and Tata studies — [`evaluate`] (reuse, incremental, full per service)
//!   equals [`evaluate_full`], and scenarios that only change facilities
//!   equal a fresh study prepared from the modified inputs;
//! * the bundled scenario files end to end, with their comparison outputs.

use remoteness::config::Settings;
use remoteness::index::{Csr, SearchGraph};
use remoteness::load::load;
use remoteness::model::LonLat;
use remoteness::pipeline::{Analysis, Execution, Quiet, Results, Study};
use remoteness::scenario::apply::apply;
use remoteness::scenario::incremental::{add_sources, remove_sources, Overlay};
use remoteness::scenario::run::{evaluate, evaluate_full, run_all, Strategy};
use remoteness::scenario::{
    read_scenarios, seasons_from_osm, Change, FacilitySelection, Known, Modification, NewFacility,
    RoadEdit, RoadSelection, Scenario, ScenarioSet,
};
use remoteness::search::access::Labels;
use remoteness::search::{multi_source_reference, Seed};

use crate::common::{fixture, random_case, Rng};

/// Every label of `a` equals `b`'s, bit for bit.
fn same_labels(a: &dyn Labels, b: &remoteness::search::ShortestPaths) -> bool {
    (0..b.time_s.len() as u32).all(|v| {
        let x = a.label(v).map(|(t, d, s)| (t.to_bits(), d.to_bits(), s));
        let y = b.label(v).map(|(t, d, s)| (t.to_bits(), d.to_bits(), s));
        x == y
    })
}

#[test]
fn adding_sources_equals_the_full_search_on_random_graphs() {
    let mut rng = Rng(91);
    let (mut exact, mut fell_back) = (0, 0);
    for case in 0..1500 {
        let (n, mut arcs, seeds) = random_case(&mut rng, 60, 12, 0.0);
        if case % 2 == 0 {
            // Integer times: exact ties everywhere.
            for a in &mut arcs {
                a.2 = (a.2 / 25.0).floor();
            }
        }
        let mut seeds: Vec<Seed> = seeds;
        if case % 2 == 0 {
            for s in &mut seeds {
                s.time_s = (s.time_s / 10.0).floor();
                s.dist_m = rng.f64() * 100.0;
            }
        }
        let k = 1 + rng.below(seeds.len());
        let csr = Csr::from_arcs(n, arcs);
        let g = SearchGraph::from(&csr);
        let base = multi_source_reference(&csr, &seeds[..k.min(seeds.len())]);
        let full = multi_source_reference(&csr, &seeds);
        match add_sources(&g, &base, &seeds[k.min(seeds.len())..]) {
            Some(changed) => {
                let overlay = Overlay {
                    base: &base,
                    changed: &changed,
                    renumber: None,
                };
                assert!(same_labels(&overlay, &full), "case {case}");
                exact += 1;
            }
            None => fell_back += 1,
        }
    }
    // The update must be usable, not a fallback every time.
    assert!(exact > 500, "{exact} exact, {fell_back} fell back");
}

#[test]
fn removing_sources_equals_the_full_search_on_random_graphs() {
    let mut rng = Rng(93);
    let (mut exact, mut fell_back) = (0, 0);
    for case in 0..1500 {
        let (n, mut arcs, mut seeds) = random_case(&mut rng, 60, 12, 0.0);
        if case % 2 == 0 {
            for a in &mut arcs {
                a.2 = (a.2 / 25.0).floor();
            }
            for s in &mut seeds {
                s.time_s = (s.time_s / 10.0).floor();
                s.dist_m = rng.f64() * 100.0;
            }
        }
        // Several seeds per source now and then.
        let sources = 1 + seeds.len() / (1 + rng.below(2));
        for s in &mut seeds {
            s.source %= sources as u32;
        }
        let removed: Vec<bool> = (0..sources).map(|_| rng.below(3) == 0).collect();
        let mut renumber = Vec::new();
        let mut next = 0;
        for &r in &removed {
            renumber.push(if r { u32::MAX } else { next });
            next += u32::from(!r);
        }
        let csr = Csr::from_arcs(n, arcs);
        let g = SearchGraph::from(&csr);
        let base = multi_source_reference(&csr, &seeds);
        let kept: Vec<Seed> = seeds
            .iter()
            .filter(|s| !removed[s.source as usize])
            .map(|s| Seed {
                source: renumber[s.source as usize],
                ..*s
            })
            .collect();
        let full = multi_source_reference(&csr, &kept);
        let forward = csr.reversed();
        match remove_sources(&g, &forward, &base, &removed, &renumber, &kept) {
            Some(changed) => {
                let overlay = Overlay {
                    base: &base,
                    changed: &changed,
                    renumber: Some(&renumber),
                };
                assert!(same_labels(&overlay, &full), "case {case}");
                exact += 1;
            }
            None => fell_back += 1,
        }
    }
    assert!(exact > 500, "{exact} exact, {fell_back} fell back");
    eprintln!("removal: {exact} exact, {fell_back} fell back");
}

/// Everything a run computed, with floats at full precision.
fn fingerprint(r: &Results) -> String {
    let access: Vec<_> = r
        .access
        .iter()
        .map(|a| {
            (
                &a.service,
                a.facilities_on_network,
                &a.access,
                a.facilities.len(),
            )
        })
        .collect();
    format!(
        "{access:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{}",
        r.measures,
        r.zone_measures,
        r.scores.per_service,
        r.scores.composite,
        serde_json::to_string(&r.zone_stats).unwrap()
    )
}

fn fingerprint_analysis(a: &Analysis) -> String {
    fingerprint(&Results {
        access: a.access.clone(),
        measures: a.measures.clone(),
        scores: a.scores.clone(),
        zone_stats: a.zone_stats.clone(),
        zone_measures: a.zone_measures.clone(),
    })
}

fn baseline_results(a: &Analysis) -> Results {
    Results {
        access: a.access.clone(),
        measures: a.measures.clone(),
        scores: a.scores.clone(),
        zone_stats: a.zone_stats.clone(),
        zone_measures: a.zone_measures.clone(),
    }
}

fn square(c: LonLat, half: f64) -> geo_types::Polygon<f64> {
    geo_types::Polygon::new(
        geo_types::LineString::from(vec![
            (c.lon - half, c.lat - half),
            (c.lon + half, c.lat - half),
            (c.lon + half, c.lat + half),
            (c.lon - half, c.lat + half),
            (c.lon - half, c.lat - half),
        ]),
        vec![],
    )
}

/// A random modification on `study`'s data.
fn random_modification(
    rng: &mut Rng,
    study: &Study,
    facilities_only: bool,
    k: usize,
) -> Modification {
    let s = &study.dataset.settlements;
    let near = |rng: &mut Rng| {
        let p = s[rng.below(s.len())].settlement.pos;
        LonLat::new(
            p.lon + (rng.f64() - 0.5) * 0.02,
            p.lat + (rng.f64() - 0.5) * 0.02,
        )
    };
    let services = &study.settings.services;
    let service = services[rng.below(services.len())].name.clone();
    let kinds = if facilities_only { 3 } else { 7 };
    match rng.below(kinds) {
        0 | 1 => Modification::AddFacility(NewFacility {
            id: format!("new{k}"),
            name: String::new(),
            service,
            pos: near(rng),
            capacity: 1.0 + rng.below(5) as f64,
        }),
        2 => {
            let f = &study.dataset.facilities;
            Modification::RemoveFacilities(FacilitySelection {
                ids: vec![f[rng.below(f.len())].id.clone()],
                ..Default::default()
            })
        }
        3 => Modification::Capacity {
            select: FacilitySelection {
                service: Some(service),
                ..Default::default()
            },
            change: Change::Scale(0.5 + rng.f64()),
        },
        4 => Modification::Population {
            zones: vec![study.zones[rng.below(study.zones.len())].id.clone()],
            change: Change::Scale(0.5 + rng.f64()),
        },
        5 => Modification::Road(RoadEdit::Close(RoadSelection {
            within: Some(square(near(rng), 0.01)),
            ..Default::default()
        })),
        _ => Modification::Road(RoadEdit::Speed {
            select: RoadSelection {
                within: Some(square(near(rng), 0.02)),
                ..Default::default()
            },
            profile: None,
            change: Change::Scale(0.3 + rng.f64()),
        }),
    }
}

fn check_random_sequences(config: &str, seed: u64, scenarios: usize) {
    check_random_sequences_at(&fixture(config), config, seed, scenarios);
}

/// [`check_random_sequences`] on the config at `path`, named `config`.
pub fn check_random_sequences_at(
    path: &std::path::Path,
    config: &str,
    seed: u64,
    scenarios: usize,
) {
    let settings = Settings::load(path).unwrap();
    let dataset = load(&settings).unwrap();
    let mut study = Study::prepare(settings.clone(), dataset.clone(), &Quiet);
    let base = study.analyse(Execution::Parallel, &Quiet);
    let base_r = baseline_results(&base);
    let set = ScenarioSet {
        path: "random.toml".into(),
        sha256: String::new(),
        seasons: Default::default(),
        scenarios: Vec::new(),
    };
    let mut rng = Rng(seed);
    let mut strategies = std::collections::BTreeMap::new();
    for k in 0..scenarios {
        let facilities_only = k % 2 == 0;
        let modifications = (0..1 + rng.below(3))
            .map(|i| random_modification(&mut rng, &study, facilities_only, 10 * k + i))
            .collect();
        let sc = Scenario {
            name: format!("s{k}"),
            description: String::new(),
            modifications,
        };
        let applied = apply(&study, &set, &sc).unwrap();
        let ev = evaluate(&study, &base_r, &applied, Execution::Parallel);
        let full = evaluate_full(&study, &applied, Execution::Sequential);
        assert_eq!(
            fingerprint(&ev.results),
            fingerprint(&full),
            "{config} {sc:?}"
        );
        for st in &ev.strategies {
            *strategies.entry(format!("{st:?}")).or_insert(0) += 1;
        }
        if facilities_only {
            // A fresh study of the modified inputs: nothing shared.
            let mut ds = dataset.clone();
            ds.facilities = applied.facilities.clone();
            let fresh =
                Study::prepare(settings.clone(), ds, &Quiet).analyse(Execution::Parallel, &Quiet);
            assert_eq!(
                fingerprint(&ev.results),
                fingerprint_analysis(&fresh),
                "{config} {sc:?}"
            );
        }
    }
    eprintln!("{config}: strategies {strategies:?}");
    assert!(strategies.contains_key("Incremental") || config.contains("tata"));
}

#[test]
fn random_modification_sequences_equal_a_from_scratch_run_liechtenstein() {
    check_random_sequences("liechtenstein/liechtenstein.toml", 5, 24);
}

#[test]
fn random_modification_sequences_equal_a_from_scratch_run_tata() {
    check_random_sequences("tata/tata.toml", 6, 16);
}

fn run_file(
    config: &str,
    scenarios: &str,
) -> (
    Analysis,
    Vec<remoteness::scenario::run::Outcome>,
    ScenarioSet,
) {
    let settings = Settings::load(&fixture(config)).unwrap();
    let dataset = load(&settings).unwrap();
    let osm = seasons_from_osm(&dataset.roads);
    let known = Known {
        services: settings.services.iter().map(|s| s.name.clone()).collect(),
        profiles: settings.profiles.keys().cloned().collect(),
        seasons: osm.keys().cloned().collect(),
    };
    let mut set = read_scenarios(&fixture(scenarios), &known).unwrap();
    set.seasons.extend(osm);
    let mut study = Study::prepare(settings, dataset, &Quiet);
    let (base, outcomes) = run_all(&mut study, &set, Execution::Parallel, &Quiet).unwrap();
    (base, outcomes, set)
}

fn minutes(a: &Analysis, service: &str, settlement: &str) -> Option<f64> {
    let k = a.settings.services.iter().position(|s| s.name == service)?;
    let i = a
        .dataset
        .settlements
        .iter()
        .position(|s| s.settlement.name == settlement)?;
    a.access[k].access[i].time.map(|t| t.minutes())
}

#[test]
fn liechtenstein_scenarios_end_to_end() {
    let (base, outcomes, set) = run_file(
        "liechtenstein/liechtenstein.toml",
        "liechtenstein/scenarios.toml",
    );
    let by = |n: &str| outcomes.iter().find(|o| o.name == n).unwrap();
    // A new school in Ruggell: found incrementally, Ruggell at 0 min.
    let school = by("new_school_ruggell");
    let k = base
        .settings
        .services
        .iter()
        .position(|s| s.name == "school")
        .unwrap();
    assert_eq!(school.strategies[k], Strategy::Incremental);
    assert!(minutes(&base, "school", "Ruggell").unwrap() > 30.0);
    assert!(minutes(&school.analysis, "school", "Ruggell").unwrap() < 1.0);
    // Malbunstrasse closed: Malbun's trips get longer, the valley's do not.
    let closed = by("malbunstrasse_closed");
    assert!(closed.reports.iter().all(|r| !r.selected_nothing));
    assert!(
        minutes(&closed.analysis, "health", "Malbun").unwrap()
            > minutes(&base, "health", "Malbun").unwrap() + 10.0
    );
    assert_eq!(
        minutes(&closed.analysis, "health", "Vaduz"),
        minutes(&base, "health", "Vaduz")
    );
    // Written outputs: a folder per run, comparisons with a row per
    // scenario, service and zone.
    let dir = tempfile::tempdir().unwrap();
    let written = remoteness::write::write_scenarios(
        &base,
        &outcomes,
        &set,
        dir.path(),
        &[],
        1,
        &[],
        None,
        &[],
    )
    .unwrap();
    assert!(written
        .iter()
        .any(|p| p.ends_with("baseline/settlements.geojson")));
    assert!(written
        .iter()
        .any(|p| p.ends_with("new_school_ruggell/run.json")));
    let csv = std::fs::read_to_string(dir.path().join("comparison.csv")).unwrap();
    let rows = csv.lines().count() - 1;
    assert_eq!(
        rows,
        outcomes.len() * base.settings.services.len() * base.zones.len()
    );
    let run: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("malbunstrasse_closed/run.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(run["scenario"]["sha256"].as_str().unwrap(), set.sha256);
    assert!(run["scenario"]["modifications"][0]["report"]
        .as_str()
        .unwrap()
        .starts_with("closes "));
    let gj = std::fs::read_to_string(dir.path().join("comparison.geojson")).unwrap();
    assert!(
        gj.contains("\"schl_dmin\":-3"),
        "Ruggell's school time drops by over 30 min"
    );
}

#[test]
fn tata_scenarios_end_to_end() {
    let (base, outcomes, _) = run_file("tata/tata.toml", "tata/scenarios.toml");
    for o in &outcomes {
        assert!(o.reports.iter().all(|r| !r.selected_nothing), "{}", o.name);
    }
    let posts = outcomes.iter().find(|o| o.name.contains("health")).unwrap();
    let k = base
        .settings
        .services
        .iter()
        .position(|s| s.name == "health")
        .unwrap();
    let beyond =
        |a: &Analysis| -> f64 { a.zone_stats.iter().map(|z| z.services[k].pop_beyond).sum() };
    assert!(beyond(&posts.analysis) < beyond(&base));
    let closed = outcomes.iter().find(|o| o.name.contains("closed")).unwrap();
    assert!(beyond(&closed.analysis) > beyond(&base));
}

#[test]
fn a_bad_scenario_file_exits_non_zero_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[[scenario]]\nname = \"x\"\n[[scenario.modification]]\nkind = \"add_facility\"\nservice = \"school\"\nid = \"a\"\nlon = 200\nlat = 47\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let config = fixture("liechtenstein/liechtenstein.toml");
    let o = crate::common::run_bin(&[
        "scenarios",
        config.to_str().unwrap(),
        "--scenarios",
        bad.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.toml") && err.contains("scenario `x`") && err.contains("`lon`"),
        "{err}"
    );
    assert!(!out.exists(), "nothing written");
}

/// Every facility of the Liechtenstein example removed in turn: the update
/// from the boundary of its region equals the from-scratch run.
#[test]
fn removing_each_facility_equals_a_from_scratch_run() {
    let settings = Settings::load(&fixture("liechtenstein/liechtenstein.toml")).unwrap();
    let dataset = load(&settings).unwrap();
    let mut study = Study::prepare(settings, dataset, &Quiet);
    let base = study.analyse(Execution::Parallel, &Quiet);
    let base_r = baseline_results(&base);
    let set = ScenarioSet {
        path: "remove.toml".into(),
        sha256: String::new(),
        seasons: Default::default(),
        scenarios: Vec::new(),
    };
    // Every facility of a network service (straight-line services have no
    // search to update), one in three: all services, all kinds of place.
    let network: Vec<&str> = study
        .settings
        .services
        .iter()
        .filter(|s| !s.straight_line)
        .map(|s| s.category.as_str())
        .collect();
    let ids: Vec<String> = study
        .dataset
        .facilities
        .iter()
        .filter(|f| network.contains(&f.category.as_str()))
        .step_by(3)
        .map(|f| f.id.clone())
        .collect();
    let mut incremental = 0;
    for id in &ids {
        let sc = Scenario {
            name: format!("without_{id}"),
            description: String::new(),
            modifications: vec![Modification::RemoveFacilities(FacilitySelection {
                ids: vec![id.clone()],
                ..Default::default()
            })],
        };
        let applied = apply(&study, &set, &sc).unwrap();
        let ev = evaluate(&study, &base_r, &applied, Execution::Parallel);
        let full = evaluate_full(&study, &applied, Execution::Sequential);
        assert_eq!(fingerprint(&ev.results), fingerprint(&full), "{id}");
        incremental += ev
            .strategies
            .iter()
            .filter(|s| **s == Strategy::Incremental)
            .count();
    }
    eprintln!(
        "{} removals, {incremental} incremental service updates",
        ids.len()
    );
    // Each removal touches one service; most are updated, not re-searched.
    assert!(ids.len() >= 10);
    assert!(
        incremental * 2 > ids.len(),
        "{incremental} of {}",
        ids.len()
    );
}

/// Closing roads snaps on the baseline's segment index, re-snapping only
/// the places whose segment closed: the same snaps as an index built afresh
/// on the edited graph, for settlements and facilities.
#[test]
fn closures_snap_as_a_fresh_index_would() {
    use remoteness::search::access::ProfileContext;
    let settings = Settings::load(&fixture("liechtenstein/liechtenstein.toml")).unwrap();
    let dataset = load(&settings).unwrap();
    let study = Study::prepare(settings, dataset, &Quiet);
    let set = ScenarioSet {
        path: "close.toml".into(),
        sha256: String::new(),
        seasons: Default::default(),
        scenarios: Vec::new(),
    };
    let mut rng = Rng(44);
    let positions: Vec<LonLat> = study.dataset.facilities.iter().map(|f| f.pos).collect();
    let mut moved = 0;
    for k in 0..6 {
        let s = &study.dataset.settlements;
        let c = s[rng.below(s.len())].settlement.pos;
        let sc = Scenario {
            name: format!("close{k}"),
            description: String::new(),
            modifications: vec![Modification::Road(RoadEdit::Close(RoadSelection {
                within: Some(square(c, 0.005 + 0.01 * rng.f64())),
                ..Default::default()
            }))],
        };
        let applied = apply(&study, &set, &sc).unwrap();
        for (ctx, base) in applied.profiles.iter().zip(&study.profiles) {
            let fresh = ProfileContext::with_graph(
                &study.net,
                ctx.profile.clone(),
                ctx.graph.clone(),
                &study.dataset.settlements,
                &positions,
            );
            assert_eq!(ctx.settlement_snaps, fresh.settlement_snaps, "{k}");
            for &p in &positions {
                assert_eq!(ctx.snap_facility(p), fresh.snap_facility(p), "{k} {p:?}");
            }
            moved += ctx
                .settlement_snaps
                .iter()
                .zip(&base.settlement_snaps)
                .filter(|(a, b)| a != b)
                .count();
        }
    }
    // The closures did move some snaps: the test exercises the re-snap.
    assert!(moved > 0);
}

//! Results do not depend on parallelism or the thread count.

use remoteness::pipeline::Execution;
use remoteness::write::layers::{settlements_table, zones_table};
use remoteness::write::measures::facilities_table;

use crate::common::{analyse_config, fixture, run_bin};

#[test]
fn parallel_equals_sequential() {
    for cfg in ["liechtenstein/liechtenstein.toml", "tata/tata.toml"] {
        let par = analyse_config(&fixture(cfg), Execution::Parallel);
        let seq = analyse_config(&fixture(cfg), Execution::Sequential);
        for (p, s) in par.access.iter().zip(&seq.access) {
            assert_eq!(p.access, s.access, "{cfg}: {}", p.service);
        }
        assert_eq!(settlements_table(&par).rows, settlements_table(&seq).rows);
        assert_eq!(zones_table(&par).rows, zones_table(&seq).rows);
        assert_eq!(par.measures, seq.measures, "{cfg}");
        assert_eq!(facilities_table(&par).rows, facilities_table(&seq).rows);
    }
}

#[test]
fn identical_files_at_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = fixture("liechtenstein/liechtenstein.toml");
    for t in ["1", "2"] {
        let out = dir.path().join(t);
        let o = run_bin(&[
            "run",
            cfg.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--threads",
            t,
            "-q",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    for f in [
        "settlements.geojson",
        "settlements.csv",
        "zones.geojson",
        "zones.csv",
        "facilities.geojson",
        "facilities.csv",
    ] {
        let a = std::fs::read(dir.path().join("1").join(f)).unwrap();
        let b = std::fs::read(dir.path().join("2").join(f)).unwrap();
        assert!(a == b, "{f} differs between 1 and 2 threads");
    }
}

/// The `.osm.pbf` reader decodes blocks in parallel and merges them in file
/// order: what it reads is the same at one thread as at several, with
/// relations (zones) and with building cells too.
#[test]
fn osm_read_is_the_same_at_one_and_several_threads() {
    use remoteness::config::Settings;
    use remoteness::load::osm::read_pbf;

    let path = fixture("liechtenstein/liechtenstein.osm.pbf");
    let base = Settings::load(&fixture("liechtenstein/liechtenstein.toml"))
        .unwrap()
        .osm;
    let mut zones = base.clone();
    zones.zone_admin_level = Some(8);
    let mut buildings = base.clone();
    buildings.building_cells = Some(9);
    for table in [base, zones, buildings] {
        let read = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| format!("{:?}", read_pbf(&path, &table).unwrap()))
        };
        let one = read(1);
        assert!(one.contains("osm:way/"), "the fixture gives roads");
        assert!(one == read(3), "1 and 3 threads differ");
        assert!(one == read(8), "1 and 8 threads differ");
    }
}

/// A one-shot run (`pipeline::analyse`: roads, node ids and labels dropped
/// early) gives the results of a prepared `Study` that keeps them all; and
/// the access stage without labels equals the one with them, labels aside.
#[test]
fn a_one_shot_run_equals_a_study_that_keeps_everything() {
    use remoteness::config::Settings;
    use remoteness::pipeline::{access_stage, Quiet, Study};
    for cfg in ["liechtenstein/liechtenstein.toml", "tata/tata.toml"] {
        let one_shot = analyse_config(&fixture(cfg), Execution::Parallel);
        let settings = Settings::load(&fixture(cfg)).unwrap();
        let dataset = remoteness::load::load(&settings).unwrap();
        let mut study = Study::prepare(settings, dataset, &Quiet);
        assert_eq!(study.roads.len(), study.net.roads.len(), "{cfg}");
        assert_eq!(study.net.node_key.len(), study.net.nodes.len(), "{cfg}");
        let kept = study.analyse(Execution::Parallel, &Quiet);
        assert_eq!(
            settlements_table(&one_shot).rows,
            settlements_table(&kept).rows
        );
        assert_eq!(zones_table(&one_shot).rows, zones_table(&kept).rows);
        assert_eq!(one_shot.measures, kept.measures, "{cfg}");
        // The one-shot run dropped its road attributes but still counts
        // its roads.
        assert_eq!(
            format!("{:?}", one_shot.network),
            format!("{:?}", kept.network),
            "{cfg}"
        );
        // (Tata's bundled example has no road layer.)
        assert_eq!(one_shot.network.roads > 0, cfg.starts_with("liechtenstein"));
        assert_eq!(
            facilities_table(&one_shot).rows,
            facilities_table(&kept).rows
        );
        let model = study.model();
        let facilities = &study.dataset.facilities;
        for exec in [Execution::Parallel, Execution::Sequential] {
            let with = access_stage(&model, &study.settings.services, facilities, exec, true);
            let without = access_stage(&model, &study.settings.services, facilities, exec, false);
            let on_roads = !study.net.segments.is_empty();
            assert_eq!(with.iter().any(|a| a.paths.is_some()), on_roads, "{cfg}");
            for (w, o) in with.iter().zip(&without) {
                assert!(o.paths.is_none());
                assert_eq!(w.access, o.access, "{cfg}: {}", w.service);
                assert_eq!(w.facilities_on_network, o.facilities_on_network);
            }
        }
    }
}

/// A prepared study snaps, for each profile, the facilities its road
/// services route to and no other: a straight-line service's facilities
/// (power) never leave or join a road.
#[test]
fn each_profile_snaps_only_the_facilities_its_road_services_route_to() {
    use remoteness::config::Settings;
    use remoteness::pipeline::{Quiet, Study};
    use std::collections::HashSet;
    let settings = Settings::load(&fixture("liechtenstein/liechtenstein.toml")).unwrap();
    let dataset = remoteness::load::load(&settings).unwrap();
    let study = Study::prepare(settings, dataset, &Quiet);
    let services = &study.settings.services;
    let straight: Vec<_> = services.iter().filter(|s| s.straight_line).collect();
    assert!(
        !straight.is_empty(),
        "the fixture has a straight-line service"
    );
    let skipped = study
        .dataset
        .facilities
        .iter()
        .filter(|f| straight.iter().any(|s| s.category == f.category))
        .count();
    assert!(skipped > 100, "{skipped} straight-line facilities");
    for ctx in &study.profiles {
        let routed: HashSet<(u64, u64)> = study
            .dataset
            .facilities
            .iter()
            .filter(|f| {
                services.iter().any(|s| {
                    s.profile == ctx.profile.name && !s.straight_line && s.category == f.category
                })
            })
            .map(|f| f.pos.bits())
            .collect();
        assert_eq!(
            ctx.cached_facility_snaps(),
            routed.len(),
            "{}",
            ctx.profile.name
        );
    }
}

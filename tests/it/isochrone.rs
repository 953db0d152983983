//! Catchment polygons against the trip model: on both bundled examples and
//! on random networks, every settlement within `T` lies in the `T` polygon
//! and every other one outside, but for the documented tolerance (a trip
//! time within `tol_min` of `T`, or a jump of the trip-time field inside
//! the settlement's grid cell); polygons nest; a facility's lies within
//! its service's; the output is the same at any thread count and valid
//! RFC 7946.

use geo::{Contains, Distance, Euclidean, Intersects};
use geo_types::{Coord, MultiPolygon, Point};
use remoteness::config::{CatchmentSettings, Service, Settings};
use remoteness::geometry::haversine;
use remoteness::isochrone::{self, Catchments, Grid, Scope};
use remoteness::model::LonLat;
use remoteness::pipeline::{Execution, Quiet, Study};
use remoteness::search::access::{ServiceAccess, TravelModel};

use crate::common::{fixture, Rng};
use crate::model::{model, random_case, service};

/// What one containment check found.
#[derive(Debug, Default)]
struct Tally {
    checked: usize,
    within_threshold: usize,
    near_threshold: usize,
    field_jumps: usize,
    failures: Vec<String>,
}

/// The grid points at the corners of the cell holding `p`.
fn corners(g: &Grid, p: LonLat) -> [LonLat; 4] {
    let i = ((p.lon - g.lon0) / g.dlon).floor();
    let j = ((p.lat - g.lat0) / g.dlat).floor();
    let at = |di: f64, dj: f64| LonLat {
        lon: g.lon0 + (i + di) * g.dlon,
        lat: g.lat0 + (j + dj) * g.dlat,
    };
    [at(0.0, 0.0), at(1.0, 0.0), at(0.0, 1.0), at(1.0, 1.0)]
}

/// Whether the trip-time field may jump between `p` and the corners of its
/// cell: they snap onto different segments (or on either side of
/// `max_snap_m`), lie on either side of `max_direct_m` from the nearest
/// facility, or snap onto a segment holding a facility.
fn field_jumps(model: &TravelModel, s: &Service, sa: &ServiceAccess, g: &Grid, p: LonLat) -> bool {
    let trips = model.trips(s);
    let ctx = model.context(&s.profile);
    let seeding = model.seeding(s, &sa.facilities);
    let key = |q: LonLat| {
        let seg = trips
            .uses_network()
            .then(|| ctx.snap(q))
            .flatten()
            .filter(|x| x.offroad.0 <= model.travel.max_snap_m)
            .map(|x| x.segment);
        let nearest = sa
            .facilities
            .iter()
            .map(|f| haversine(q, f.pos).0)
            .fold(f64::INFINITY, f64::min);
        let direct = !trips.uses_network() || nearest <= model.travel.max_direct_m;
        (seg, direct)
    };
    let k = key(p);
    let on_facility_segment = k.0.is_some_and(|s| seeding.on_segment.contains_key(&s));
    on_facility_segment || corners(g, p).into_iter().any(|c| key(c) != k)
}

/// Checks every valid settlement against every service polygon of `c`.
fn containment(
    model: &TravelModel,
    services: &[Service],
    access: &[ServiceAccess],
    c: &Catchments,
) -> Tally {
    let mut tally = Tally::default();
    for (summary, grid) in c.grids.iter().zip(&c.lattices) {
        let s = services.iter().find(|s| s.name == summary.service).unwrap();
        let sa = access.iter().find(|a| a.service == s.name).unwrap();
        let trips = model.trips(s);
        let ctx = model.context(&s.profile);
        let d = summary.diagonal_m;
        for p in c
            .polygons
            .iter()
            .filter(|p| p.service == s.name && p.scope == Scope::Service)
        {
            for (k, st) in model.settlements.iter().enumerate() {
                if !st.valid {
                    continue;
                }
                tally.checked += 1;
                let pos = st.settlement.pos;
                let t = sa.access[k].time.map_or(f64::INFINITY, |t| t.0);
                let inside = p.polygon.contains(&Point::new(pos.lon, pos.lat));
                tally.within_threshold += usize::from(t <= p.threshold.0);
                if inside == (t <= p.threshold.0) {
                    continue;
                }
                // The bound for a place snapped where this settlement is
                // (its cell's corners too, or the field jumps).
                let seg = ctx.settlement_snaps[k]
                    .filter(|x| x.offroad.0 <= model.travel.max_snap_m)
                    .map(|x| x.segment);
                let tol = isochrone::field::lipschitz(&trips, ctx, seg) * d * (1.0 + 1e-9) + 1e-9;
                assert!(tol <= summary.tolerance_min * 60.0 * (1.0 + 1e-6) + 1e-6);
                if (t - p.threshold.0).abs() <= tol {
                    tally.near_threshold += 1;
                } else if field_jumps(model, s, sa, grid, pos) {
                    tally.field_jumps += 1;
                } else {
                    tally.failures.push(format!(
                        "{} {} min: settlement {} at {pos:?}, trip {t} s, inside {inside}",
                        s.name,
                        p.threshold.0 / 60.0,
                        st.settlement.id
                    ));
                }
            }
        }
    }
    tally
}

/// Up to `n` vertices of `m`, evenly spread.
fn some_vertices(m: &MultiPolygon<f64>, n: usize) -> Vec<Coord<f64>> {
    let all: Vec<Coord<f64>> =
        m.0.iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .flat_map(|r| r.0.iter().copied())
            .collect();
    let step = (all.len() / n).max(1);
    all.into_iter().step_by(step).collect()
}

/// Whether every sampled vertex of `inner` lies in `outer` or within
/// `tol_deg` of it.
fn within(inner: &MultiPolygon<f64>, outer: &MultiPolygon<f64>, tol_deg: f64) -> bool {
    some_vertices(inner, 300).into_iter().all(|c| {
        let pt = Point::from(c);
        outer.intersects(&pt) || Euclidean.distance(&pt, outer) <= tol_deg
    })
}

/// Nesting of each service's and facility's polygons, and each facility's
/// within its service's (within one cell diagonal).
fn check_nesting(c: &Catchments) {
    for (summary, grid) in c.grids.iter().zip(&c.lattices) {
        let of = |f: Option<u32>| -> Vec<&isochrone::Catchment> {
            c.polygons
                .iter()
                .filter(|p| p.service == summary.service && p.facility == f)
                .filter(|p| p.scope != Scope::Voronoi)
                .collect()
        };
        let service = of(None);
        // A cell diagonal in degrees of longitude, at the grid's widest.
        let tol_deg = grid.dlon.hypot(grid.dlat) * 1.01;
        for w in service.windows(2) {
            assert!(w[0].threshold < w[1].threshold);
            assert!(
                within(&w[0].polygon, &w[1].polygon, 1e-9),
                "{}: {} min not within {} min",
                summary.service,
                w[0].threshold.0 / 60.0,
                w[1].threshold.0 / 60.0
            );
            assert!(w[0].area_km2 <= w[1].area_km2 + 1e-9);
            assert!(w[0].population <= w[1].population + 1e-9);
        }
        for f in 0..summary.facilities as u32 {
            let own = of(Some(f));
            assert_eq!(own.len(), service.len());
            for (k, p) in own.iter().enumerate() {
                assert!(within(&p.polygon, &service[k].polygon, tol_deg));
                assert!(p.population <= service[k].population + 1e-6);
                if k > 0 {
                    assert!(within(&own[k - 1].polygon, &p.polygon, 1e-9));
                }
            }
        }
    }
}

/// Service areas: at most one per facility, within the service's largest
/// polygon (but for border cells), never overlapping at a settlement.
fn check_service_areas(c: &Catchments, model: &TravelModel) {
    for (summary, grid) in c.grids.iter().zip(&c.lattices) {
        let areas: Vec<_> = c
            .polygons
            .iter()
            .filter(|p| p.service == summary.service && p.scope == Scope::Voronoi)
            .collect();
        assert!(!areas.is_empty(), "{}: no service area", summary.service);
        let largest = c
            .polygons
            .iter()
            .rfind(|p| p.service == summary.service && p.scope == Scope::Service)
            .unwrap();
        let tol_deg = grid.dlon.hypot(grid.dlat) * 1.01;
        let mut seen = std::collections::BTreeSet::new();
        for a in &areas {
            assert!(seen.insert(a.facility), "one area per facility");
            assert!(within(&a.polygon, &largest.polygon, tol_deg));
        }
        for st in model.settlements {
            let pt = Point::new(st.settlement.pos.lon, st.settlement.pos.lat);
            let n = areas.iter().filter(|a| a.polygon.contains(&pt)).count();
            assert!(
                n <= 1,
                "{}: settlement in {n} service areas",
                st.settlement.id
            );
        }
    }
}

/// A fixture's settings with catchments on, at `cell_m`.
fn settings_with(cfg: &str, cell_m: f64) -> Settings {
    let mut s = Settings::load(&fixture(cfg)).unwrap();
    s.catchments.enabled = true;
    s.catchments.cell_m = cell_m;
    s.catchments.voronoi = true;
    s
}

#[test]
fn examples_polygons_hold_exactly_the_settlements_within_each_threshold() {
    for (cfg, cell) in [
        ("tata/tata.toml", 1000.0),
        ("liechtenstein/liechtenstein.toml", 250.0),
    ] {
        let settings = settings_with(cfg, cell);
        let dataset = remoteness::load::load(&settings).unwrap();
        let mut study = Study::prepare(settings, dataset, &Quiet);
        let a = study.analyse(Execution::Parallel, &Quiet);
        let c = a.catchments.as_ref().expect("catchments are on");
        assert!(!c.polygons.is_empty());
        let model = study.model();
        let tally = containment(&model, &a.settings.services, &a.access, c);
        eprintln!("{cfg}: {tally:?}");
        assert!(tally.checked > 0);
        assert!(tally.failures.is_empty(), "{cfg}: {:#?}", tally.failures);
        check_nesting(c);
        check_service_areas(c, &model);
    }
}

#[test]
fn random_networks_polygons_follow_the_trip_model() {
    let mut rng = Rng(0x150c_4201);
    let mut total = Tally::default();
    for case in 0..8 {
        let (net, mut places, facilities) = random_case(&mut rng);
        // More settlements, around the facilities, so that many lie near
        // each threshold.
        for i in 0..200 {
            let f = facilities[i % facilities.len()].pos;
            let mut extra = places[i % places.len()].clone();
            extra.settlement.id = format!("near{i}");
            extra.settlement.pos = LonLat {
                lon: f.lon + (rng.f64() - 0.5) * 0.06,
                lat: f.lat + (rng.f64() - 0.5) * 0.06,
            };
            places.push(extra);
        }
        let m = model(&net, &places);
        let s = service();
        let sa = m.service_access(&s, facilities.clone());
        let population: Vec<f64> = places.iter().map(|p| p.settlement.population.0).collect();
        let settings = CatchmentSettings {
            enabled: true,
            thresholds_min: vec![4.0, 8.0, 16.0],
            cell_m: 30.0 + 10.0 * (case % 3) as f64,
            per_facility: true,
            voronoi: true,
        };
        let run = |exec| {
            isochrone::build(
                &m,
                std::slice::from_ref(&s),
                std::slice::from_ref(&sa),
                &population,
                &settings,
                exec,
            )
            .unwrap()
        };
        let c = run(Execution::Parallel);
        let seq = run(Execution::Sequential);
        assert_eq!(c.polygons.len(), seq.polygons.len());
        for (p, q) in c.polygons.iter().zip(&seq.polygons) {
            assert_eq!(p.polygon, q.polygon, "case {case}: parallel = sequential");
            assert_eq!(p.population.to_bits(), q.population.to_bits());
        }
        let tally = containment(&m, std::slice::from_ref(&s), std::slice::from_ref(&sa), &c);
        assert!(
            tally.failures.is_empty(),
            "case {case}: {:#?}",
            tally.failures
        );
        check_nesting(&c);
        check_service_areas(&c, &m);
        total.checked += tally.checked;
        total.within_threshold += tally.within_threshold;
        total.near_threshold += tally.near_threshold;
        total.field_jumps += tally.field_jumps;
    }
    eprintln!("random networks: {total:?}");
    assert!(total.checked > 4000);
    assert!(total.within_threshold > 100, "{total:?}");
}

/// Every ring of a GeoJSON MultiPolygon: closed, finite WGS 84
/// coordinates, exterior counter-clockwise and holes clockwise.
fn check_rfc7946(geometry: &serde_json::Value) {
    assert_eq!(geometry["type"], "MultiPolygon");
    for poly in geometry["coordinates"].as_array().unwrap() {
        for (k, ring) in poly.as_array().unwrap().iter().enumerate() {
            let pts: Vec<(f64, f64)> = ring
                .as_array()
                .unwrap()
                .iter()
                .map(|c| (c[0].as_f64().unwrap(), c[1].as_f64().unwrap()))
                .collect();
            assert!(pts.len() >= 4 && pts[0] == pts[pts.len() - 1]);
            for &(x, y) in &pts {
                assert!(x.is_finite() && y.is_finite());
                assert!((-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y));
            }
            let twice_area: f64 = pts
                .windows(2)
                .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
                .sum();
            assert_eq!(twice_area > 0.0, k == 0, "ring {k}: exterior CCW, holes CW");
        }
    }
}

#[test]
fn catchments_file_is_rfc7946_and_the_same_at_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = settings_with("tata/tata.toml", 2000.0);
    settings.catchments.thresholds_min = vec![30.0, 60.0];
    let mut files = Vec::new();
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let a = pool.install(|| {
            remoteness::analyse(settings.clone(), Execution::Parallel, &Quiet).unwrap()
        });
        let out = dir.path().join(threads.to_string());
        let written =
            remoteness::write::write_outputs(&a, &out, &[], threads, &[], None, &[]).unwrap();
        assert!(written.iter().any(|p| p.ends_with("catchments.geojson")));
        files.push(std::fs::read(out.join("catchments.geojson")).unwrap());
        let run: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
        assert!(run["timings_s"]["catchments"].as_f64().unwrap() >= 0.0);
        if cfg!(target_os = "linux") {
            // Peak memory per stage, never falling from one stage to the next.
            let peak = |s: &str| run["peak_rss_mib"][s].as_f64().unwrap();
            assert!(peak("search") > 0.0 && peak("catchments") >= peak("search"));
            assert!(peak("write") >= peak("catchments"));
        }
        assert!(
            run["catchments"]["services"][0]["tolerance_min"]
                .as_f64()
                .unwrap()
                > 0.0
        );
        assert_eq!(run["settings"]["catchments"]["thresholds_min"][1], 60.0);
        assert!(out.join("catchments.qml").exists());
    }
    assert!(
        files[0] == files[1],
        "catchments.geojson differs between 1 and 2 threads"
    );
    let doc: serde_json::Value = serde_json::from_slice(&files[0]).unwrap();
    assert_eq!(doc["type"], "FeatureCollection");
    let features = doc["features"].as_array().unwrap();
    assert!(!features.is_empty());
    for f in features {
        check_rfc7946(&f["geometry"]);
        let p = &f["properties"];
        assert!(["service", "facility", "voronoi"].contains(&p["scope"].as_str().unwrap()));
        assert_eq!(p["fac_id"].is_null(), p["scope"] == "service");
        assert!([30, 60].contains(&p["time_min"].as_i64().unwrap()));
        assert!(p["area_km2"].as_f64().unwrap() > 0.0);
    }
    // GDAL reads the layer (when installed), in WGS 84 with every feature.
    let out = dir.path().join("1");
    if let Ok(o) = std::process::Command::new("ogrinfo")
        .args(["-ro", "-al", "-so"])
        .arg(out.join("catchments.geojson"))
        .output()
    {
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(
            text.contains(&format!("Feature Count: {}", features.len())),
            "{text}"
        );
        assert!(text.contains("4326"), "{text}");
    }
    let gpkg = out.join("results.gpkg");
    assert_eq!(gpkg.exists(), cfg!(feature = "gdal"));
    if gpkg.exists() {
        let o = std::process::Command::new("ogrinfo")
            .args(["-ro", "-so"])
            .arg(&gpkg)
            .arg("catchments")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(
            text.contains(&format!("Feature Count: {}", features.len())),
            "{text}"
        );
    }
}

#[test]
fn catchments_are_off_by_default() {
    let a = remoteness::analyse(
        Settings::load(&fixture("tata/tata.toml")).unwrap(),
        Execution::Parallel,
        &Quiet,
    )
    .unwrap();
    assert!(a.catchments.is_none());
}

/// `run --catchments` turns them on for one run, as `[catchments] enabled`.
#[test]
fn the_catchments_flag_turns_them_on() {
    let dir = tempfile::tempdir().unwrap();
    crate::common::copy_tata(dir.path());
    // Coarse and service-wide only, to keep a debug build quick; the flag
    // alone sets `enabled`.
    let cfg = dir.path().join("tata.toml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(
        &cfg,
        format!("{text}\n[catchments]\ncell_m = 5000\nper_facility = false\n"),
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = crate::common::run_config(&cfg, &out, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!out.join("catchments.geojson").exists());
    std::fs::remove_dir_all(&out).unwrap();
    let o = crate::common::run_config(&cfg, &out, &["--catchments"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(out.join("catchments.geojson")).unwrap();
    assert!(text.contains("\"time_min\""));
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["settings"]["catchments"]["enabled"], true);
}

/// A scenario's catchment polygons (Tata's health posts) equal a fresh
/// run's on the scenario's facilities, byte for byte as GeoJSON.
#[test]
fn a_scenarios_polygons_equal_a_fresh_run_of_its_inputs() {
    use remoteness::write::catchments::catchments_table;
    let mut settings = Settings::load(&fixture("tata/tata.toml")).unwrap();
    settings.catchments.enabled = true;
    settings.catchments.cell_m = 5000.0;
    let geojson = |c: &Catchments| {
        let mut out = Vec::new();
        remoteness::write::write_geojson(&catchments_table(c), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    let dataset = remoteness::load::load(&settings).unwrap();
    let mut study = Study::prepare(settings.clone(), dataset, &Quiet);
    let path = fixture("tata/scenarios.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let set =
        remoteness::scenario::scenario_set(&settings, &study.roads, Some((&text, &path))).unwrap();
    let (baseline, outcomes) =
        remoteness::scenario::run::run_all(&mut study, &set, Execution::Parallel, &Quiet).unwrap();
    let scenario = &outcomes[0];
    assert_eq!(scenario.name, "health_posts_worst_communes");
    let got = scenario.analysis.catchments.as_ref().unwrap();
    // A fresh study whose facilities are the scenario's.
    let mut dataset = remoteness::load::load(&settings).unwrap();
    dataset.facilities = scenario.analysis.dataset.facilities.clone();
    let fresh = Study::prepare(settings, dataset, &Quiet).analyse(Execution::Parallel, &Quiet);
    let want = fresh.catchments.as_ref().unwrap();
    assert_eq!(geojson(got), geojson(want));
    // The new posts have polygons of their own, and the baseline's differ.
    assert!(got
        .polygons
        .iter()
        .any(|p| p.facility_id.as_deref() == Some("new-health-tissint")));
    assert_ne!(geojson(got), geojson(baseline.catchments.as_ref().unwrap()));
}

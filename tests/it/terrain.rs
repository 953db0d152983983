//! Terrain: access and catchment costs agree over a DEM as they do without
//! one; the Porto Alegre DEM read as GDAL reads it; GDAL-written GeoTIFFs
//! (floating-point predictor, tiles) read as the rasters they hold; a bad
//! DEM is an error naming it.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use remoteness::catchment::costs::CostBuilder;
use remoteness::crs::Crs;
use remoteness::index::RoadNetwork;
use remoteness::model::LonLat;
use remoteness::pipeline::Execution;
use remoteness::terrain::{geotiff, Dem, Terrain};
use remoteness::units::Seconds;

use crate::common::{copy_tata, run_config, Rng};
use crate::model::{model, random_case, service};

const POA: &str = "../shared/data/porto-alegre/poa_elevation.tif";

/// Ridges over the random cases' box (lon 4.98–5.12, lat 29.98–30.12):
/// `h = 500 + 300·sin(200·lon)·cos(150·lat)` m on 0.001° pixels, slopes up
/// to about 60 %.
fn ridges() -> Arc<Terrain> {
    let (w, h) = (300usize, 300usize);
    let values = (0..h)
        .flat_map(|r| {
            (0..w).map(move |c| {
                let lon = 4.9 + (c as f64 + 0.5) * 0.001;
                let lat = 30.2 - (r as f64 + 0.5) * 0.001;
                (500.0 + 300.0 * (200.0 * lon).sin() * (150.0 * lat).cos()) as f32
            })
        })
        .collect();
    let geo = [4.9, 0.001, 0.0, 30.2, 0.0, -0.001];
    let dem = Dem::new(w, h, values, geo, Crs::wgs84()).unwrap();
    Arc::new(Terrain::new(dem, 30.0))
}

/// Whether a GDAL command-line tool runs; when it does not, the test is
/// skipped unless `REMOTENESS_REQUIRE_PEERS` is set.
fn has_tool(tool: &str) -> bool {
    let ok = Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("REMOTENESS_REQUIRE_PEERS").is_err(),
            "REMOTENESS_REQUIRE_PEERS is set but {tool} is missing (apt-get install gdal-bin)"
        );
        eprintln!("skipped: {tool} not available");
    }
    ok
}

#[test]
fn least_pair_cost_is_the_nearest_facility_time_over_terrain() {
    let terrain = ridges();
    let mut rng = Rng(77);
    let mut changed = 0;
    for round in 0..6 {
        let (net, places, facilities) = random_case(&mut rng);
        let empty = RoadNetwork::build(&[]);
        // The random cases' profile is `drive`: its roads over the slopes.
        let mut sloped = net.clone();
        remoteness::search::trip::slope_network(&mut sloped, &terrain, &["drive".into()]);
        assert!(sloped.sloped("drive"));
        for network in [&net, &sloped, &empty] {
            let flat = model(network, &places);
            let m = model(network, &places).with_terrain(Some(terrain.clone()));
            let svc = service();
            let before = flat.service_access(&svc, facilities.clone());
            let access = m.service_access(&svc, facilities.clone());
            let cutoff_s = 1200.0;
            let b = CostBuilder::new(&m, &svc);
            let pairs = b.pairs(&facilities, Seconds(cutoff_s), Execution::Parallel);
            assert_eq!(
                pairs,
                b.pairs(&facilities, Seconds(cutoff_s), Execution::Sequential)
            );
            let mut least = vec![f64::INFINITY; places.len()];
            for (i, _, c) in pairs.iter() {
                least[i] = least[i].min(c * 60.0);
            }
            for (i, a) in access.access.iter().enumerate() {
                let t = a.time.map_or(f64::INFINITY, |t| t.0);
                if before.access[i].time != a.time {
                    changed += 1;
                }
                if t <= cutoff_s * (1.0 - 1e-9) {
                    assert!(
                        (least[i] - t).abs() <= 1e-9 * t.max(1.0),
                        "round {round}, settlement {i}: pairs {} s vs access {t} s",
                        least[i]
                    );
                } else if t > cutoff_s * (1.0 + 1e-9) {
                    assert!(least[i].is_infinite(), "round {round}, settlement {i}");
                }
            }
        }
    }
    assert!(changed > 100, "terrain changed only {changed} trips");
    assert!(terrain.flat_legs() == 0, "every leg lies on the DEM");
}

#[test]
fn porto_alegre_dem_reads_as_gdal_reads_it() {
    let path = crate::common::root().join(POA);
    if !path.exists() {
        eprintln!("skipped: {} not present", path.display());
        return;
    }
    let t0 = std::time::Instant::now();
    let t = Terrain::open(&path, 30.0).unwrap();
    eprintln!("read {} in {:?}", path.display(), t0.elapsed());
    let dem = t.dem();
    // gdalinfo: Size is 413, 403; Origin = (-51.254861110999997,
    // -29.997_638_889); Pixel Size = (0.000277777777240,
    // -0.000277777779156); GEOGCRS WGS 84 (EPSG:4326); Byte samples.
    assert_eq!(dem.size(), (413, 403));
    assert!(dem.crs().is_wgs84());
    let g = dem.geotransform();
    assert!((g[0] - -51.254_861_111).abs() < 1e-12);
    assert!((g[3] - -29.997_638_889).abs() < 1e-12);
    assert!((g[1] - 0.000277777777240).abs() < 1e-15);
    assert!((g[5] - -0.000277777779156).abs() < 1e-15);
    // gdalinfo -stats: minimum 0, maximum 255, mean 47.564.
    let (w, h) = dem.size();
    let all: Vec<f64> = (0..h)
        .flat_map(|r| (0..w).map(move |c| (c, r)))
        .map(|(c, r)| dem.pixel(c, r).unwrap())
        .collect();
    let mean = all.iter().sum::<f64>() / all.len() as f64;
    assert!((mean - 47.564).abs() < 1e-3, "mean {mean}");
    assert_eq!(all.iter().cloned().fold(f64::INFINITY, f64::min), 0.0);
    assert_eq!(all.iter().cloned().fold(0.0, f64::max), 255.0);
    if !has_tool("gdallocationinfo") {
        return;
    }
    for (c, r) in [(0, 0), (412, 402), (200, 100), (37, 311), (300, 250)] {
        let o = Command::new("gdallocationinfo")
            .args(["-valonly"])
            .arg(&path)
            .args([c.to_string(), r.to_string()])
            .output()
            .unwrap();
        let v: f64 = String::from_utf8_lossy(&o.stdout).trim().parse().unwrap();
        assert_eq!(dem.pixel(c, r), Some(v), "pixel ({c}, {r})");
    }
}

/// Runs `gdal_translate ARGS SRC DST`.
fn gdal_translate(src: &Path, dst: &Path, args: &[&str]) {
    let o = Command::new("gdal_translate")
        .args(args)
        .arg(src)
        .arg(dst)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// `gdal_translate`s `src` with `args` into `dir/name` and reads both.
fn translated(src: &Path, dir: &Path, name: &str, args: &[&str]) -> (Dem, Dem) {
    let dst = dir.join(name);
    gdal_translate(src, &dst, args);
    (geotiff::read(src).unwrap(), geotiff::read(&dst).unwrap())
}

#[test]
fn gdal_written_predictors_tiles_and_types_read_back() {
    if !has_tool("gdal_translate") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // A Float32 DEM with a fractional part, then GDAL's encodings of it.
    let (w, h) = (70u32, 45u32);
    let values: Vec<f32> = (0..w * h)
        .map(|k| 1000.0 + (k % w) as f32 * 1.25 - (k / w) as f32 * 0.5)
        .collect();
    let geo = [-8.5, 0.01, 0.0, 30.0, 0.0, -0.01];
    let bytes =
        geotiff::write::<tiff::encoder::colortype::Gray32Float>(w, h, &values, geo, 4326, None)
            .unwrap();
    let src = dir.path().join("src.tif");
    std::fs::write(&src, bytes).unwrap();
    for (name, args) in [
        (
            "fp.tif",
            &["-co", "COMPRESS=DEFLATE", "-co", "PREDICTOR=3"][..],
        ),
        (
            "tiled.tif",
            &[
                "-co",
                "TILED=YES",
                "-co",
                "BLOCKXSIZE=16",
                "-co",
                "BLOCKYSIZE=16",
                "-co",
                "COMPRESS=LZW",
            ][..],
        ),
        ("f64.tif", &["-ot", "Float64"][..]),
        (
            "i16.tif",
            &[
                "-ot",
                "Int16",
                "-co",
                "COMPRESS=DEFLATE",
                "-co",
                "PREDICTOR=2",
                "-a_nodata",
                "-32768",
            ][..],
        ),
        (
            "utm.tif",
            &[
                "-a_srs",
                "EPSG:32629",
                "-a_ullr",
                "500000",
                "3300000",
                "507000",
                "3295500",
            ][..],
        ),
    ] {
        let (a, b) = translated(&src, dir.path(), name, args);
        assert_eq!(a.size(), b.size(), "{name}");
        for r in 0..h as usize {
            for c in 0..w as usize {
                let (x, y) = (a.pixel(c, r).unwrap(), b.pixel(c, r).unwrap());
                // GDAL rounds to the nearest integer.
                let want = if name == "i16.tif" { x.round() } else { x };
                assert_eq!(y, want, "{name} ({c}, {r})");
            }
        }
        if name == "utm.tif" {
            assert_eq!(b.crs().label(), "EPSG:32629");
            assert_eq!(
                b.geotransform(),
                [500000.0, 100.0, 0.0, 3300000.0, 0.0, -100.0]
            );
        } else {
            assert_eq!(a.geotransform(), b.geotransform(), "{name}");
        }
    }
}

#[test]
fn the_fuzz_seeds_read() {
    let dir = crate::common::root().join("fuzz/seeds/dem");
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let dem = geotiff::read(&e.path()).unwrap();
        assert!(dem.size().0 >= 8, "{}", e.path().display());
        n += 1;
    }
    assert_eq!(n, 4);
}

/// The fuzz seeds with random bytes overwritten, cut or repeated: a result
/// or an error, never a panic (a quick stand-in for the `dem` fuzz target).
#[test]
fn mutated_seeds_never_panic() {
    let dir = crate::common::root().join("fuzz/seeds/dem");
    let mut seeds: Vec<Vec<u8>> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| std::fs::read(e.path()).unwrap())
        .collect();
    seeds.sort();
    let mut rng = Rng(2026);
    let mut read = 0;
    for _ in 0..3000 {
        let mut b = seeds[rng.below(seeds.len())].clone();
        match rng.below(3) {
            0 => {
                for _ in 0..1 + rng.below(4) {
                    let k = rng.below(b.len());
                    b[k] = rng.below(256) as u8;
                }
            }
            1 => b.truncate(rng.below(b.len())),
            _ => {
                let k = rng.below(b.len());
                let tail = b[k..].to_vec();
                b.extend_from_slice(&tail);
            }
        }
        if let Ok(dem) = geotiff::from_bytes(&b) {
            read += 1;
            let g = dem.geotransform();
            let p = LonLat::new(g[0].clamp(-180.0, 180.0), g[3].clamp(-90.0, 90.0));
            let _ = dem.elevation(p);
        }
    }
    assert!(read > 100, "only {read} mutants read");
}

#[test]
fn a_bad_dem_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    copy_tata(dir.path());
    std::fs::write(dir.path().join("dem.tif"), b"II*\0not a tiff at all").unwrap();
    let cfg = dir.path().join("tata.toml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(&cfg, format!("{text}\n[terrain]\ndem = \"dem.tif\"\n")).unwrap();
    let o = run_config(&cfg, &dir.path().join("out"), &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains("terrain.dem") && err.contains("dem.tif"),
        "{err}"
    );
}

/// With the `gdal` feature, a raster the GeoTIFF reader cannot open (an
/// ESRI ASCII grid with its `.prj`) is read through GDAL, to the same
/// grid.
#[cfg(feature = "gdal")]
#[test]
fn gdal_reads_other_rasters() {
    if !has_tool("gdal_translate") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (w, h) = (20u32, 10u32);
    let values: Vec<f32> = (0..w * h).map(|k| 200.0 + k as f32 * 0.5).collect();
    let geo = [-8.0, 0.01, 0.0, 30.0, 0.0, -0.01];
    let bytes =
        geotiff::write::<tiff::encoder::colortype::Gray32Float>(w, h, &values, geo, 4326, None)
            .unwrap();
    let src = dir.path().join("src.tif");
    std::fs::write(&src, bytes).unwrap();
    let asc = dir.path().join("grid.asc");
    gdal_translate(&src, &asc, &["-of", "AAIGrid"]);
    let a = geotiff::read(&src).unwrap();
    let b = Terrain::open(&asc, 30.0).unwrap();
    let b = b.dem();
    assert_eq!(a.size(), b.size());
    assert!(b.crs().is_geographic());
    for (x, y) in a.geotransform().iter().zip(b.geotransform()) {
        assert!(
            (x - y).abs() < 1e-9,
            "{:?} vs {:?}",
            a.geotransform(),
            b.geotransform()
        );
    }
    for r in 0..h as usize {
        for c in 0..w as usize {
            assert_eq!(a.pixel(c, r), b.pixel(c, r), "({c}, {r})");
        }
    }
}

/// A Float32 GeoTIFF of `h(lon, lat)`, `w` × `h` pixels of `px` degrees
/// from (`west`, `north`), written to `path`.
fn write_dem(
    path: &Path,
    (west, north, px): (f64, f64, f64),
    w: u32,
    h: u32,
    f: impl Fn(f64, f64) -> f64,
) {
    let values: Vec<f32> = (0..h)
        .flat_map(|r| {
            let f = &f;
            (0..w).map(move |c| {
                f(
                    west + (f64::from(c) + 0.5) * px,
                    north - (f64::from(r) + 0.5) * px,
                ) as f32
            })
        })
        .collect();
    let geo = [west, px, 0.0, north, 0.0, -px];
    let bytes =
        geotiff::write::<tiff::encoder::colortype::Gray32Float>(w, h, &values, geo, 4326, None)
            .unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// Liechtenstein (roads: off-road legs at both ends, direct trips) and Tata
/// (no roads) over synthetic ridges: parallel equals sequential, and the
/// trips change.
#[test]
fn parallel_equals_sequential_over_terrain() {
    use remoteness::config::{Settings, TerrainSettings};
    use remoteness::pipeline::{analyse, Quiet, Study};
    let dir = tempfile::tempdir().unwrap();
    let dem = dir.path().join("dem.tif");
    // One DEM each; Tata's trips are long (no roads), so it is sampled
    // coarsely to keep the test short.
    for (cfg, corner, w, h, step_m) in [
        (
            "liechtenstein/liechtenstein.toml",
            (9.4, 47.3, 0.001),
            350,
            320,
            30.0,
        ),
        ("tata/tata.toml", (-9.7, 31.0, 0.01), 380, 230, 500.0),
    ] {
        write_dem(&dem, corner, w, h, |lon, lat| {
            1000.0 + 400.0 * (300.0 * lon).sin() * (200.0 * lat).cos()
        });
        let flat = Settings::load(&crate::common::fixture(cfg)).unwrap();
        let mut settings = flat.clone();
        settings.terrain = Some(TerrainSettings::new(
            dem.clone(),
            step_m,
            vec!["walk".into()],
        ));
        let par = analyse(settings.clone(), Execution::Parallel, &Quiet).unwrap();
        // A one-shot run keeps of the network only the segments places
        // snapped to (their ends place the sloped off-road legs, their
        // slope factors time the roads' first and last pieces): it equals
        // a study that keeps everything.
        let dataset = remoteness::load::load(&settings).unwrap();
        let kept =
            Study::prepare(settings.clone(), dataset, &Quiet).analyse(Execution::Parallel, &Quiet);
        for (p, k) in par.access.iter().zip(&kept.access) {
            assert_eq!(p.access, k.access, "{cfg}: {}", p.service);
        }
        assert_eq!(par.measures, kept.measures, "{cfg}");
        let seq = analyse(settings, Execution::Sequential, &Quiet).unwrap();
        let before = analyse(flat, Execution::Parallel, &Quiet).unwrap();
        let mut changed = 0;
        for ((p, s), b) in par.access.iter().zip(&seq.access).zip(&before.access) {
            assert_eq!(p.access, s.access, "{cfg}: {}", p.service);
            changed += p
                .access
                .iter()
                .zip(&b.access)
                .filter(|(x, y)| x.time != y.time)
                .count();
        }
        assert_eq!(par.measures, seq.measures, "{cfg}");
        assert!(changed > 50, "{cfg}: {changed} trips changed");
        assert_eq!(
            par.dataset.terrain.as_ref().unwrap().flat_legs(),
            0,
            "{cfg}"
        );
    }
}

/// `remoteness run` with `[terrain]`: the DEM is an input of `run.json`
/// with its hash, the settings and an assumption name it, and its grid is
/// recorded.
#[test]
fn run_json_records_the_dem() {
    let dir = tempfile::tempdir().unwrap();
    copy_tata(dir.path());
    write_dem(
        &dir.path().join("dem.tif"),
        (-9.7, 31.0, 0.001),
        100,
        80,
        |lon, _| 600.0 + 100.0 * lon,
    );
    let cfg = dir.path().join("tata.toml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(
        &cfg,
        format!("{text}\n[terrain]\ndem = \"dem.tif\"\nstep_m = 50\n"),
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = run_config(&cfg, &out, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    let inputs = run["inputs"].to_string();
    assert!(inputs.contains("dem.tif"), "{inputs}");
    assert_eq!(run["settings"]["terrain"]["step_m"], 50.0);
    assert_eq!(run["terrain"]["columns"], 100);
    assert_eq!(run["terrain"]["crs"], "EPSG:4326");
    // The DEM covers the north-west corner only: most settlements are off it.
    assert!(
        run["terrain"]["settlements_without_elevation"]
            .as_u64()
            .unwrap()
            > 0
    );
    assert!(run["terrain"]["flat_legs"].as_u64().unwrap() > 0);
    let assumptions = run["assumptions"].to_string();
    assert!(assumptions.contains("Tobler"), "{assumptions}");
}

/// A 1,000 m track climbing 30 % eastwards along the equator, worked by
/// hand: a profile in `road_profiles` walks it in the class time times
/// Tobler's ratio (uphill 1 / e^(−1.05) = 2.857647, downhill
/// 1 / e^(−0.7) = 2.013753); another profile keeps the flat time; a place
/// halfway along gets half of each; without slopes nothing changes.
#[test]
fn roads_of_sloped_profiles_follow_the_dem_both_ways() {
    use remoteness::config::Profile;
    use remoteness::geometry::EARTH_RADIUS_M;
    use remoteness::index::graph::segment_time;
    use remoteness::index::ProfileGraph;
    use remoteness::model::{Oneway, Road};
    use remoteness::search::trip::slope_network;
    use std::collections::BTreeMap;

    let deg = |m: f64| (m / EARTH_RADIUS_M).to_degrees();
    // 10 m pixels rising 3 m each: bilinear is exact on a plane.
    let (w, h) = (400usize, 3usize);
    let values = (0..h)
        .flat_map(|_| (0..w).map(|c| (3.0 * (c as f64 + 0.5)) as f32))
        .collect();
    let px = deg(10.0);
    let dem = Dem::new(
        w,
        h,
        values,
        [0.0, px, 0.0, 1.5 * px, 0.0, -px],
        Crs::wgs84(),
    )
    .unwrap();
    let terrain = Terrain::new(dem, 30.0);
    let road = Road {
        id: "track".into(),
        class: "track".into(),
        oneway: Oneway::No,
        maxspeed: None,
        vertices: vec![
            (None, LonLat::new(deg(1000.0), 0.0)),
            (None, LonLat::new(deg(2000.0), 0.0)),
        ],
        passability: Vec::new(),
        joinable: true,
    };
    let profile = |name: &str| Profile {
        name: name.into(),
        speeds_kmh: BTreeMap::from([("track".to_string(), 5.0)]),
        offroad_kmh: 3.5,
        oneway: false,
        use_maxspeed: false,
        no_road_kmh: 4.5,
    };
    let mut net = RoadNetwork::build(std::slice::from_ref(&road));
    assert_eq!(net.segments.len(), 1);
    let len = net.segments[0].len_m;
    assert!((len - 1000.0).abs() < 1e-6, "{len}");
    let flat = ProfileGraph::build(&net, &profile("walk"));
    slope_network(&mut net, &terrain, &["walk".to_string()]);
    let walk = ProfileGraph::build(&net, &profile("walk"));
    let drive = ProfileGraph::build(&net, &profile("drive"));
    let arc_time = |g: &ProfileGraph, from: u32| {
        let r = g.forward().arcs(from);
        assert_eq!(r.len(), 1);
        g.forward().time_s[r.start]
    };
    // 5 km/h: 720 s on the flat.
    let flat_s = 720.0 * len / 1000.0;
    assert!((arc_time(&flat, 0) - flat_s).abs() < 1e-9);
    assert!((arc_time(&flat, 1) - flat_s).abs() < 1e-9);
    assert_eq!(arc_time(&drive, 0), arc_time(&flat, 0));
    assert_eq!(arc_time(&drive, 1), arc_time(&flat, 1));
    let up = arc_time(&walk, 0);
    let down = arc_time(&walk, 1);
    assert!((up - 2057.51).abs() < 0.05, "uphill {up}");
    assert!((down - 1449.90).abs() < 0.05, "downhill {down}");
    // Half the segment each way costs half: the trip model's `along`.
    let usage = walk.segment_use[0].unwrap();
    let half = remoteness::units::Meters(len / 2.0);
    let time = |forward| segment_time(&net, walk.sloped, 0, usage, half, forward);
    assert!((time(true) - up / 2.0).abs() < 1e-9);
    assert!((time(false) - down / 2.0).abs() < 1e-9);
    assert_eq!(
        terrain.flat_legs(),
        0,
        "road segments are not off-road legs"
    );
}

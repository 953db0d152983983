//! The effect of terrain on Tata (Morocco) with a synthetic DEM: no real
//! DEM of the region is at hand, so this writes one from a documented
//! formula and runs the Tata fixture with and without it.
//!
//! ```text
//! cargo run --example tata_terrain [-- DEM.tif]
//! ```
//!
//! The DEM covers lon −9.7…−5.9, lat 28.7…31.0 (every settlement and
//! facility of the fixture) on 0.002° pixels (about 190 × 220 m), Float32,
//! EPSG:4326. With `x`, `y` the kilometres east and north of Tata town
//! (−7.97, 29.74) (`x = (lon + 7.97)·96.7`, `y = (lat − 29.74)·111.2`) and
//! `u = −0.5·x + 0.866·y` the kilometres across the N60°E trend of the
//! Jbel Bani and the Anti-Atlas folds:
//!
//! ```text
//! h = 600                                          the hamada
//!   + 350·exp(−u²)                                 Jbel Bani through Tata
//!   + (1000 + 300·sin(2πx/5)·sin(2πy/5))
//!     · exp(−((y − 80) / 35)²)                     the Anti-Atlas to the north
//! ```
//!
//! so the Bani's flanks reach 30 % and the Anti-Atlas folds up to 65 %; the
//! plains stay flat. It prints, per service, how many
//! settlements' trips change and by how much, the settlements whose
//! isolation class changes (and between which classes), and the DEM's
//! write and read times.

use std::collections::BTreeMap;
use std::f64::consts::PI;
use std::path::{Path, PathBuf};
use std::time::Instant;

use remoteness::config::{Settings, TerrainSettings};
use remoteness::pipeline::{analyse, Execution, Quiet};
use remoteness::terrain::geotiff;
use tiff::encoder::colortype::Gray32Float;

const PIXEL: f64 = 0.002;
const WEST: f64 = -9.7;
const NORTH: f64 = 31.0;
const COLUMNS: u32 = 1900;
const ROWS: u32 = 1150;

/// The synthetic elevation (metres) at `lon`, `lat` (see the module docs).
fn elevation(lon: f64, lat: f64) -> f64 {
    let x = (lon + 7.97) * 96.7;
    let y = (lat - 29.74) * 111.2;
    let u = -0.5 * x + 0.866 * y;
    let folds = 1000.0 + 300.0 * (2.0 * PI * x / 5.0).sin() * (2.0 * PI * y / 5.0).sin();
    600.0 + 350.0 * (-u * u).exp() + folds * (-((y - 80.0) / 35.0).powi(2)).exp()
}

fn write_dem(path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let values: Vec<f32> = (0..ROWS)
        .flat_map(|r| {
            (0..COLUMNS).map(move |c| {
                let lon = WEST + (f64::from(c) + 0.5) * PIXEL;
                let lat = NORTH - (f64::from(r) + 0.5) * PIXEL;
                elevation(lon, lat) as f32
            })
        })
        .collect();
    let geo = [WEST, PIXEL, 0.0, NORTH, 0.0, -PIXEL];
    let bytes = geotiff::write::<Gray32Float>(COLUMNS, ROWS, &values, geo, 4326, None)?;
    std::fs::write(path, bytes)?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dem: PathBuf = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("tata_synthetic_dem.tif"));
    let t0 = Instant::now();
    write_dem(&dem)?;
    println!(
        "DEM: {COLUMNS} x {ROWS} Float32 written to {} in {:.2} s ({} bytes)",
        dem.display(),
        t0.elapsed().as_secs_f64(),
        std::fs::metadata(&dem)?.len()
    );
    let t0 = Instant::now();
    let terrain = remoteness::terrain::Terrain::open(&dem, 30.0)?;
    println!("DEM read in {:.3} s", t0.elapsed().as_secs_f64());
    drop(terrain);

    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tata/tata.toml");
    let flat_settings = Settings::load(&config)?;
    let mut sloped_settings = flat_settings.clone();
    sloped_settings.terrain = Some(TerrainSettings::new(dem.clone(), 30.0, vec!["walk".into()]));
    let t0 = Instant::now();
    let flat = analyse(flat_settings, Execution::Parallel, &Quiet)?;
    let flat_s = t0.elapsed().as_secs_f64();
    let t0 = Instant::now();
    let sloped = analyse(sloped_settings, Execution::Parallel, &Quiet)?;
    let sloped_s = t0.elapsed().as_secs_f64();
    println!("analysis: flat {flat_s:.2} s, over the DEM {sloped_s:.2} s");
    let n = flat.dataset.settlements.len();
    println!("settlements: {n}");

    for (k, (a, b)) in flat.access.iter().zip(&sloped.access).enumerate() {
        let (mut changed, mut slower, mut sum, mut worst) = (0, 0, 0.0, 0.0f64);
        for (x, y) in a.access.iter().zip(&b.access) {
            if let (Some(tx), Some(ty)) = (x.time, y.time) {
                // A minute or more: over flat ground the stepped sum
                // differs from the flat time in the last bits only.
                if (ty.0 - tx.0).abs() >= 60.0 {
                    changed += 1;
                    let d = (ty.0 - tx.0) / 60.0;
                    if d > 0.0 {
                        slower += 1;
                    }
                    sum += d;
                    worst = worst.max(d);
                }
            }
        }
        let beyond = |s: &remoteness::pipeline::Analysis| {
            s.scores.per_service[k]
                .iter()
                .filter(|x| x.beyond == Some(true))
                .count()
        };
        println!(
            "{}: {changed} trips change by a minute or more ({slower} slower), mean {:+.1} min, worst {:+.1} min; beyond threshold {} -> {}",
            a.service,
            if changed > 0 { sum / changed as f64 } else { 0.0 },
            worst,
            beyond(&flat),
            beyond(&sloped),
        );
    }
    let people = flat.dataset.populations();
    let mut moves: BTreeMap<(&str, &str), (usize, f64)> = BTreeMap::new();
    for ((x, y), p) in flat
        .scores
        .class
        .iter()
        .zip(&sloped.scores.class)
        .zip(&people)
    {
        if let (Some(x), Some(y)) = (x, y) {
            if x != y {
                let m = moves.entry((x, y)).or_default();
                m.0 += 1;
                m.1 += p;
            }
        }
    }
    let total: usize = moves.values().map(|m| m.0).sum();
    let total_people: f64 = moves.values().map(|m| m.1).sum();
    println!(
        "isolation class changes: {total} of {n} settlements, {total_people:.0} of {:.0} people",
        people.iter().sum::<f64>()
    );
    for ((x, y), (c, p)) in moves {
        println!("  {x} -> {y}: {c} settlements, {p:.0} people");
    }
    if let Some(t) = &sloped.dataset.terrain {
        println!("legs timed flat (off the DEM): {}", t.flat_legs());
    }
    Ok(())
}

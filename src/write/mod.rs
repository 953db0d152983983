//! Writing: result tables → GeoJSON (RFC 7946), CSV, QGIS styles (`.qml`),
//! `run.json`, and with the `gdal` feature a GeoPackage.
//!
//! Results are first laid out as a flat, typed [`Table`] (one per layer), so
//! GeoJSON and CSV carry exactly the same fields. Every file is written to a
//! temporary name in the output folder, and renamed into place only after all
//! files are complete: a failed run leaves no half-written output.

pub mod compare;
#[cfg(feature = "gdal")]
pub mod gpkg;
pub mod layers;
pub mod measures;
pub mod qml;
pub mod run_json;
pub mod sink;
pub mod summary;
pub mod table;

use std::io::Write;
use std::path::{Path, PathBuf};

use thiserror::Error;

pub use table::{Cell, Column, Geom, Kind, Table};

/// A writing error, naming the file.
#[derive(Debug, Error)]
pub enum WriteError {
    /// Creating or writing a file failed.
    #[error("{path}: cannot write")]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// Serialising failed.
    #[error("{path}: {message}")]
    Encode {
        /// File.
        path: PathBuf,
        /// Cause.
        message: String,
    },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The folder and file name of `path`.
fn split_name(path: &Path) -> (PathBuf, String) {
    let parent = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let base = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    (parent, base)
}

/// Files staged under temporary names, committed together.
pub struct Staged {
    dir: PathBuf,
    files: Vec<(PathBuf, PathBuf)>,
}

impl Staged {
    /// Starts staging into `dir` (created if needed).
    pub fn new(dir: &Path) -> Result<Self, WriteError> {
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        Ok(Staged {
            dir: dir.to_path_buf(),
            files: Vec::new(),
        })
    }

    /// Writes `name` under a temporary name with `fill`, synced to disk.
    pub fn file(
        &mut self,
        name: &str,
        fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<(), WriteError> {
        let final_path = self.dir.join(name);
        let (parent, base) = split_name(&final_path);
        std::fs::create_dir_all(&parent).map_err(io_err(&parent))?;
        let tmp = parent.join(format!(".{base}.tmp-{}", std::process::id()));
        let f = std::fs::File::create(&tmp).map_err(io_err(&tmp))?;
        let mut w = std::io::BufWriter::new(f);
        let res = fill(&mut w)
            .and_then(|_| w.flush())
            .and_then(|_| w.get_ref().sync_all());
        if let Err(e) = res {
            let _ = std::fs::remove_file(&tmp);
            return Err(WriteError::Io {
                path: final_path,
                source: e,
            });
        }
        self.files.push((tmp, final_path));
        Ok(())
    }

    /// Has `fill` create `name` at a temporary path (for writers that need a
    /// path, such as GDAL's), to be renamed with the rest.
    pub fn path_file(
        &mut self,
        name: &str,
        fill: impl FnOnce(&Path) -> Result<(), String>,
    ) -> Result<(), WriteError> {
        let final_path = self.dir.join(name);
        let (parent, base) = split_name(&final_path);
        std::fs::create_dir_all(&parent).map_err(io_err(&parent))?;
        let tmp = parent.join(format!(".tmp-{}-{base}", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        if let Err(message) = fill(&tmp) {
            let _ = std::fs::remove_file(&tmp);
            return Err(WriteError::Encode {
                path: final_path,
                message,
            });
        }
        self.files.push((tmp, final_path));
        Ok(())
    }

    /// Renames every staged file into place.
    pub fn commit(self) -> Result<Vec<PathBuf>, WriteError> {
        let mut done = Vec::new();
        for (tmp, dest) in &self.files {
            std::fs::rename(tmp, dest).map_err(io_err(dest))?;
            done.push(dest.clone());
        }
        Ok(done)
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        for (tmp, _) in &self.files {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// Writes a table as an RFC 7946 FeatureCollection (WGS 84 lon/lat,
/// coordinates rounded to 1e-7°, about 1 cm).
pub fn write_geojson(t: &Table, w: &mut dyn Write) -> std::io::Result<()> {
    w.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
    for (r, row) in t.rows.iter().enumerate() {
        let mut props = serde_json::Map::new();
        for (c, cell) in t.columns.iter().zip(row) {
            props.insert(c.name.clone(), cell.to_json());
        }
        let feature = serde_json::json!({
            "type": "Feature",
            "geometry": t.geometry[r].as_ref().map(|g| g.to_json()),
            "properties": props,
        });
        if r > 0 {
            w.write_all(b",\n")?;
        }
        serde_json::to_writer(&mut *w, &feature)?;
    }
    w.write_all(b"\n]}\n")
}

/// Writes a table as CSV with a header row; missing values are empty.
pub fn write_csv(t: &Table, w: &mut dyn Write) -> std::io::Result<()> {
    let mut c = csv::Writer::from_writer(w);
    c.write_record(t.columns.iter().map(|c| c.name.as_str()))?;
    for row in &t.rows {
        c.write_record(row.iter().map(Cell::to_csv))?;
    }
    c.flush()
}

/// The GeoPackage a `gdal` build writes: layers `settlements` and `zones`,
/// with their styles in `layer_styles`.
pub const GPKG_FILE: &str = "results.gpkg";

/// Writes every output of `a` into `dir`, all or nothing.
pub fn write_outputs(
    a: &crate::pipeline::Analysis,
    dir: &Path,
    args: &[String],
    threads: usize,
) -> Result<Vec<PathBuf>, WriteError> {
    let mut staged = Staged::new(dir)?;
    stage_outputs(a, &mut staged, "", args, threads, None)?;
    staged.commit()
}

/// Stages every output of `a` under `prefix` (a sub-folder ending in `/`,
/// or empty); `extra` is added to `run.json` as its `scenario` member.
pub fn stage_outputs(
    a: &crate::pipeline::Analysis,
    staged: &mut Staged,
    prefix: &str,
    args: &[String],
    threads: usize,
    extra: Option<serde_json::Value>,
) -> Result<(), WriteError> {
    let st = layers::settlements_table(a);
    let zt = layers::zones_table(a);
    let ft = measures::facilities_table(a);
    let priority = a.zone_stats.iter().filter(|z| z.priority).count();
    let sq = qml::settlements_qml(&st, a.scores.composite_max);
    let zq = qml::zones_qml(&zt, a.zone_stats.len(), priority);
    let catchment_services: Vec<String> = a
        .measures
        .catchment
        .iter()
        .map(|c| a.settings.services[c.service].name.clone())
        .collect();
    let fq = qml::facilities_qml(&ft, &catchment_services);
    let layers = [
        sink::Layer {
            name: "settlements",
            table: &st,
            style: &sq,
        },
        sink::Layer {
            name: "zones",
            table: &zt,
            style: &zq,
        },
        sink::Layer {
            name: "facilities",
            table: &ft,
            style: &fq,
        },
    ];
    let mut outputs: Vec<String> = Vec::new();
    for mut s in sink::default_sinks() {
        for l in &layers {
            outputs.extend(s.layer(staged, prefix, l)?);
        }
        outputs.extend(s.finish(staged, prefix)?);
    }
    outputs.push("run.json".to_string());
    let name = |n: &str| format!("{prefix}{n}");
    let mut doc = run_json::run_json(a, args, threads, &outputs);
    if let Some(x) = extra {
        doc["scenario"] = x;
    }
    staged.file(&name("run.json"), |w| {
        serde_json::to_writer_pretty(&mut *w, &doc)?;
        w.write_all(b"\n")
    })
}

/// Writes the baseline into `dir/baseline/`, each scenario into
/// `dir/<scenario>/`, and the comparisons (`comparison.csv`,
/// `comparison.geojson`, `comparison_zones.geojson`) into `dir`, all or
/// nothing.
pub fn write_scenarios(
    baseline: &crate::pipeline::Analysis,
    outcomes: &[crate::scenario::run::Outcome],
    set: &crate::scenario::ScenarioSet,
    dir: &Path,
    args: &[String],
    threads: usize,
) -> Result<Vec<PathBuf>, WriteError> {
    let mut staged = Staged::new(dir)?;
    let file = serde_json::json!({
        "file": set.path.display().to_string(),
        "sha256": set.sha256,
    });
    let mut base_doc = file.clone();
    base_doc["name"] = "baseline".into();
    stage_outputs(
        baseline,
        &mut staged,
        "baseline/",
        args,
        threads,
        Some(base_doc),
    )?;
    for o in outcomes {
        let services: serde_json::Map<String, serde_json::Value> = baseline
            .settings
            .services
            .iter()
            .zip(&o.strategies)
            .map(|(s, st)| (s.name.clone(), serde_json::json!(st)))
            .collect();
        let mut doc = file.clone();
        doc["name"] = o.name.clone().into();
        doc["description"] = o.description.clone().into();
        doc["modifications"] = serde_json::json!(o.reports);
        doc["access_by_service"] = serde_json::Value::Object(services);
        stage_outputs(
            &o.analysis,
            &mut staged,
            &format!("{}/", o.name),
            args,
            threads,
            Some(doc),
        )?;
    }
    let compared: Vec<compare::Compared> = outcomes
        .iter()
        .map(|o| compare::Compared {
            name: &o.name,
            analysis: &o.analysis,
        })
        .collect();
    let zt = compare::zone_table(baseline, &compared, false);
    let zg = compare::zone_table(baseline, &compared, true);
    let st = compare::settlement_table(baseline, &compared);
    staged.file("comparison.csv", |w| write_csv(&zt, w))?;
    staged.file("comparison_zones.geojson", |w| write_geojson(&zg, w))?;
    staged.file("comparison.geojson", |w| write_geojson(&st, w))?;
    staged.file("comparison_settlements.csv", |w| write_csv(&st, w))?;
    staged.commit()
}

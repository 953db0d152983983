//! Writing: result tables → GeoJSON (RFC 7946), CSV, QGIS styles (`.qml`),
//! `run.json`; with the `gdal` feature a GeoPackage, and with `geoparquet`
//! GeoParquet on request (`--format geoparquet`). With `arrow`, a table is
//! also an Arrow record batch (`arrow::table_to_batch`, feature `arrow`).
//!
//! Results are first laid out as a flat, typed [`Table`] (one per layer), so
//! GeoJSON and CSV carry exactly the same fields. The whole output folder is
//! written beside its final place and swapped in with one rename once every
//! file is complete ([`Staged`]): a failed run leaves the previous output as
//! it was, and no half-written file.

#[cfg(feature = "arrow")]
pub mod arrow;
pub mod catchments;
pub mod compare;
#[cfg(feature = "geoparquet")]
pub mod geoparquet;
#[cfg(feature = "gdal")]
pub mod gpkg;
pub mod layers;
pub mod measures;
pub mod placement;
pub mod qml;
pub mod run_json;
pub mod sink;
mod staged;
pub mod summary;
pub mod table;

use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use thiserror::Error;

pub use crate::config::OutputFormat;
pub use staged::{check_output_folder, Staged};
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
    /// The output folder cannot be used.
    #[error("--out {path}: {message}")]
    Refused {
        /// Output folder.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// Serialising failed.
    #[error("{path}: {message}")]
    Encode {
        /// File.
        path: PathBuf,
        /// Cause.
        message: String,
    },
    /// A table cannot be laid out as typed columns (Arrow, Parquet).
    #[error("column {column}: {message}")]
    Column {
        /// Column name.
        column: String,
        /// Why.
        message: String,
    },
    /// The report could not be rendered from the staged outputs.
    #[error(transparent)]
    Report(#[from] crate::report::ReportError),
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes a table as an RFC 7946 FeatureCollection (WGS 84 lon/lat,
/// coordinates rounded to 1e-7°, about 1 cm). Streams each feature
/// without building a JSON tree: the property names are escaped once.
pub fn write_geojson(t: &Table, w: &mut dyn Write) -> std::io::Result<()> {
    let keys: Vec<String> = t
        .columns
        .iter()
        .map(|c| serde_json::to_string(&c.name).map(|k| format!("{k}:")))
        .collect::<Result<_, _>>()?;
    w.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
    for (r, row) in t.rows.iter().enumerate() {
        if r > 0 {
            w.write_all(b",\n")?;
        }
        w.write_all(b"{\"type\":\"Feature\",\"geometry\":")?;
        match &t.geometry[r] {
            Some(g) => g.write_json(w)?,
            None => w.write_all(b"null")?,
        }
        w.write_all(b",\"properties\":{")?;
        for (k, (key, cell)) in keys.iter().zip(row).enumerate() {
            if k > 0 {
                w.write_all(b",")?;
            }
            w.write_all(key.as_bytes())?;
            cell.write_json(w)?;
        }
        w.write_all(b"}}")?;
    }
    w.write_all(b"\n]}\n")
}

/// Writes a table as CSV with a header row; missing values are empty.
pub fn write_csv(t: &Table, w: &mut dyn Write) -> std::io::Result<()> {
    let mut c = csv::Writer::from_writer(w);
    c.write_record(t.columns.iter().map(|c| c.name.as_str()))?;
    let mut buf = String::new();
    for row in &t.rows {
        for cell in row {
            buf.clear();
            cell.write_csv(&mut buf);
            c.write_field(buf.as_bytes())?;
        }
        c.write_record(None::<&[u8]>)?;
    }
    c.flush()
}

/// The GDAL/QGIS CSV type hints of a table (`.csvt`): one quoted type per
/// column, `"String"`, `"Integer"`, `"Real"` or `"Integer(Boolean)"`, so
/// QGIS and OGR read each column with its type rather than guessing it.
pub fn write_csvt(t: &Table, w: &mut dyn Write) -> std::io::Result<()> {
    let types: Vec<&str> = t
        .columns
        .iter()
        .map(|c| match c.kind {
            Kind::Int => "\"Integer\"",
            Kind::Float => "\"Real\"",
            Kind::Text => "\"String\"",
            Kind::Bool => "\"Integer(Boolean)\"",
        })
        .collect();
    w.write_all(types.join(",").as_bytes())?;
    w.write_all(b"\n")
}

/// Stages `name` (a `.csv`) and its type hints beside it (`.csvt`); returns
/// both names.
pub fn stage_csv(staged: &Staged, name: &str, t: &Table) -> Result<[String; 2], WriteError> {
    staged.file(name, |w| write_csv(t, w))?;
    let csvt = format!("{name}t");
    staged.file(&csvt, |w| write_csvt(t, w))?;
    Ok([name.to_string(), csvt])
}

/// The GeoPackage a `gdal` build writes: layers `settlements` and `zones`,
/// with their styles in `layer_styles`.
pub const GPKG_FILE: &str = "results.gpkg";

/// The run's inputs: its data files and `extra` (the config file, a
/// scenario file).
fn inputs_of(a: &crate::pipeline::Analysis, extra: &[PathBuf]) -> Vec<PathBuf> {
    a.dataset.files.iter().chain(extra).cloned().collect()
}

/// Writes every output of `a` into the folder `dir`, all or nothing (see
/// [`Staged`]); `extra_inputs` are input files besides the data (config).
/// With `report`, `report.html` in that language is rendered last, from the
/// staged files.
pub fn write_outputs(
    a: &crate::pipeline::Analysis,
    dir: &Path,
    args: &[String],
    threads: usize,
    extra_inputs: &[PathBuf],
    report: Option<crate::report::Lang>,
    formats: &[OutputFormat],
) -> Result<Vec<PathBuf>, WriteError> {
    let staged = Staged::new(dir, &inputs_of(a, extra_inputs))?;
    let also: &[&str] = match report {
        Some(_) => &[crate::report::REPORT_FILE],
        None => &[],
    };
    stage_outputs(a, &staged, "", args, threads, None, also, formats)?;
    if let Some(lang) = report {
        staged.report(lang)?;
    }
    staged.commit()
}

/// Stages every output of `a` under `prefix` (a sub-folder ending in `/`,
/// or empty); `extra` is added to `run.json` as its `scenario` member, and
/// `also` (files staged after `run.json`, such as the report) to its
/// `outputs`; the formats of `a`'s settings (`[output] formats`) and
/// `formats` are written besides the defaults ([`sink::sinks`]).
#[allow(clippy::too_many_arguments)]
pub fn stage_outputs(
    a: &crate::pipeline::Analysis,
    staged: &Staged,
    prefix: &str,
    args: &[String],
    threads: usize,
    extra: Option<serde_json::Value>,
    also: &[&str],
    formats: &[OutputFormat],
) -> Result<(), WriteError> {
    let started = std::time::Instant::now();
    let ((st, zt), ft) = rayon::join(
        || rayon::join(|| layers::settlements_table(a), || layers::zones_table(a)),
        || measures::facilities_table(a),
    );
    let priority = a.zone_stats.iter().filter(|z| z.priority).count();
    let sq = qml::settlements_qml(&st, a.scores.composite_max);
    let by = layers::rank_title(a, &zt);
    let ranked = a
        .zone_stats
        .iter()
        .filter(|z| z.settlements > 0 && z.population > 0.0)
        .count();
    let zq = qml::zones_qml(&zt, ranked, priority, &by);
    let services: Vec<String> = a.settings.services.iter().map(|s| s.name.clone()).collect();
    let fq = qml::facilities_qml(&ft, &services);
    let ct = a.catchments.as_ref().map(catchments::catchments_table);
    let cq = ct
        .as_ref()
        .map(|t| catchments::catchments_qml(t, &a.settings.catchments.thresholds_min));
    let mut layers = vec![
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
    if let (Some(table), Some(style)) = (&ct, &cq) {
        layers.push(sink::Layer {
            name: catchments::LAYER,
            table,
            style,
        });
    }
    let mut outputs: Vec<String> = Vec::new();
    let mut asked = a.settings.output.formats.clone();
    asked.extend(
        formats
            .iter()
            .filter(|f| !a.settings.output.formats.contains(f)),
    );
    // Each format on a thread of its own (GeoJSON and CSV take about the
    // same time); the file list keeps the formats' order.
    let mut sinks = sink::sinks(&asked);
    let written: Vec<Result<Vec<String>, WriteError>> = sinks
        .par_iter_mut()
        .map(|s| {
            let mut names = Vec::new();
            for l in &layers {
                names.extend(s.layer(staged, prefix, l)?);
            }
            names.extend(s.finish(staged, prefix)?);
            Ok(names)
        })
        .collect();
    for names in written {
        outputs.extend(names?);
    }
    outputs.push("run.json".to_string());
    outputs.extend(also.iter().map(|s| s.to_string()));
    let name = |n: &str| format!("{prefix}{n}");
    let write_s = started.elapsed().as_secs_f64();
    let mut doc = run_json::run_json(a, args, threads, &outputs, write_s);
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
/// nothing; with `report`, `dir/report.html` (the baseline and the
/// comparison) in that language.
#[allow(clippy::too_many_arguments)]
pub fn write_scenarios(
    baseline: &crate::pipeline::Analysis,
    outcomes: &[crate::scenario::run::Outcome],
    set: &crate::scenario::ScenarioSet,
    dir: &Path,
    args: &[String],
    threads: usize,
    extra_inputs: &[PathBuf],
    report: Option<crate::report::Lang>,
    formats: &[OutputFormat],
) -> Result<Vec<PathBuf>, WriteError> {
    let mut inputs = inputs_of(baseline, extra_inputs);
    inputs.push(set.path.clone());
    let staged = Staged::new(dir, &inputs)?;
    let file = serde_json::json!({
        "file": set.path.display().to_string(),
        "sha256": set.sha256,
    });
    let mut base_doc = file.clone();
    base_doc["name"] = "baseline".into();
    stage_outputs(
        baseline,
        &staged,
        "baseline/",
        args,
        threads,
        Some(base_doc),
        &[],
        formats,
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
            &staged,
            &format!("{}/", o.name),
            args,
            threads,
            Some(doc),
            &[],
            formats,
        )?;
    }
    let compared = compare::Compared::all(outcomes);
    let zt = compare::zone_table(baseline, &compared, false);
    let zg = compare::zone_table(baseline, &compared, true);
    let st = compare::settlement_table(baseline, &compared);
    stage_csv(&staged, "comparison.csv", &zt)?;
    staged.file("comparison_zones.geojson", |w| write_geojson(&zg, w))?;
    staged.file("comparison.geojson", |w| write_geojson(&st, w))?;
    stage_csv(&staged, "comparison_settlements.csv", &st)?;
    if let Some(lang) = report {
        staged.report(lang)?;
    }
    staged.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The GeoJSON a JSON tree gives: the reference for the streamed writer.
    fn tree_geojson(t: &Table) -> Vec<u8> {
        let mut out = b"{\"type\":\"FeatureCollection\",\"features\":[\n".to_vec();
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
                out.extend_from_slice(b",\n");
            }
            serde_json::to_writer(&mut out, &feature).unwrap();
        }
        out.extend_from_slice(b"\n]}\n");
        out
    }

    #[test]
    fn streamed_geojson_and_csv_equal_the_tree_and_cell_forms() {
        let mut t = Table::default();
        for (name, kind) in [
            ("id", Kind::Text),
            ("n", Kind::Int),
            ("x", Kind::Float),
            ("ok", Kind::Bool),
            ("q\"\\é", Kind::Text),
        ] {
            t.column(name, kind, name);
        }
        let cells = [
            vec![
                Cell::Text("a \"quoted\"\n, name ⵜⴰⵟⴰ".into()),
                Cell::Int(-3),
                Cell::Float(-0.00000001, 3),
                Cell::Bool(true),
                Cell::Null,
            ],
            vec![
                Cell::Text(String::new()),
                Cell::Int(i64::MAX),
                Cell::Float(1e300, 15),
                Cell::Bool(false),
                Cell::Float(f64::NAN, 2),
            ],
            vec![
                Cell::Null,
                Cell::Null,
                Cell::Float(2.0 / 3.0, 6),
                Cell::Null,
                Cell::Text("\u{1}".into()),
            ],
        ];
        t.rows = cells.to_vec();
        t.geometry = vec![
            Some(Geom::Point(-7.969_605_12, -0.000_000_01)),
            None,
            Some(Geom::MultiPolygon(vec![
                vec![
                    vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)],
                    vec![(0.2, 0.2), (0.3, 0.2), (0.2, 0.3), (0.2, 0.2)],
                ],
                vec![vec![(5.0, 5.0), (6.0, 5.0), (6.0, 6.0), (5.0, 5.0)]],
            ])),
        ];
        let mut streamed = Vec::new();
        write_geojson(&t, &mut streamed).unwrap();
        assert_eq!(
            String::from_utf8(streamed).unwrap(),
            String::from_utf8(tree_geojson(&t)).unwrap()
        );
        let mut csv_out = Vec::new();
        write_csv(&t, &mut csv_out).unwrap();
        let mut reference = csv::Writer::from_writer(Vec::new());
        reference
            .write_record(t.columns.iter().map(|c| c.name.as_str()))
            .unwrap();
        for row in &t.rows {
            reference
                .write_record(row.iter().map(Cell::to_csv))
                .unwrap();
        }
        assert_eq!(csv_out, reference.into_inner().unwrap());
    }
}

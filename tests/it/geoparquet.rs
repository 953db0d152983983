//! GeoParquet output: asked for with `--format` or `[output] formats`
//! (refused, naming the feature, by a build without it), and read back
//! with the `parquet` crate: row counts, the `geo` metadata, the bbox
//! covering against the geometry, the Hilbert order as a permutation of
//! the rows, and every value equal to the CSV's.

use crate::common::{copy_tata, run_config};

/// The Tata fixture copied into a temporary folder, its config asking for
/// GeoParquet in `[output]`.
fn tata_with_output_formats() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    copy_tata(dir.path());
    let config = dir.path().join("tata.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("\n[output]\nformats = [\"geoparquet\"]\n");
    std::fs::write(&config, text).unwrap();
    (dir, config)
}

#[cfg(not(feature = "geoparquet"))]
#[test]
fn asking_for_geoparquet_without_the_feature_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let r = run_config(
        &crate::common::fixture("tata/tata.toml"),
        &out,
        &["--format", "geoparquet"],
    );
    assert!(!r.status.success());
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("--features geoparquet"), "{err}");
    let (dir, config) = tata_with_output_formats();
    let r = run_config(&config, &dir.path().join("out"), &[]);
    assert!(!r.status.success());
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains("output.formats") && err.contains("--features geoparquet"),
        "{err}"
    );
    assert!(!out.exists(), "nothing written");
}

#[cfg(feature = "geoparquet")]
#[test]
fn the_config_key_asks_for_geoparquet_too() {
    let (dir, config) = tata_with_output_formats();
    let out = dir.path().join("out");
    let r = run_config(&config, &out, &["--format", "geoparquet", "--no-report"]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    let outputs = run["outputs"].as_array().unwrap();
    let parquet = outputs
        .iter()
        .filter(|o| o.as_str().unwrap().ends_with(".parquet"))
        .count();
    assert_eq!(parquet, 3, "each layer once: {outputs:?}");
    assert_eq!(
        run["settings"]["output"]["formats"],
        serde_json::json!(["geoparquet"])
    );
}

#[cfg(feature = "geoparquet")]
mod read_back {
    use std::collections::{HashMap, HashSet};
    use std::fs::File;
    use std::path::Path;

    use arrow_array::{
        Array, BinaryArray, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray,
        StructArray,
    };
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use remoteness::pipeline::Execution;
    use remoteness::write::{write_outputs, OutputFormat};

    use crate::common::{analyse_config, fixture};

    /// The batches and the `geo` metadata (if any) of a Parquet file.
    fn read(path: &Path) -> (Vec<RecordBatch>, Option<serde_json::Value>, usize) {
        let b = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap()).unwrap();
        let groups = b.metadata().num_row_groups();
        let geo = b
            .metadata()
            .file_metadata()
            .key_value_metadata()
            .and_then(|kv| kv.iter().find(|k| k.key == "geo").cloned())
            .and_then(|k| k.value)
            .map(|v| serde_json::from_str(&v).expect("geo metadata is JSON"));
        let batches = b.build().unwrap().map(Result::unwrap).collect();
        (batches, geo, groups)
    }

    /// The cell at `row` of `col` as the CSV writer spells it.
    fn csv_text(col: &dyn Array, row: usize) -> String {
        if col.is_null(row) {
            return String::new();
        }
        let any = col.as_any();
        if let Some(a) = any.downcast_ref::<Int64Array>() {
            a.value(row).to_string()
        } else if let Some(a) = any.downcast_ref::<Float64Array>() {
            a.value(row).to_string()
        } else if let Some(a) = any.downcast_ref::<StringArray>() {
            a.value(row).to_string()
        } else if let Some(a) = any.downcast_ref::<BooleanArray>() {
            a.value(row).to_string()
        } else {
            panic!("unexpected column type {:?}", col.data_type())
        }
    }

    /// The coordinates of an ISO WKB point or multipolygon (little endian).
    fn wkb_coords(w: &[u8]) -> (&'static str, Vec<(f64, f64)>) {
        let u32_at = |i: usize| u32::from_le_bytes(w[i..i + 4].try_into().unwrap());
        let f64_at = |i: usize| f64::from_le_bytes(w[i..i + 8].try_into().unwrap());
        assert_eq!(w[0], 1, "little endian");
        match u32_at(1) {
            1 => ("Point", vec![(f64_at(5), f64_at(13))]),
            6 => {
                let mut out = Vec::new();
                let mut i = 9;
                for _ in 0..u32_at(5) {
                    assert_eq!((w[i], u32_at(i + 1)), (1, 3), "polygon header");
                    let rings = u32_at(i + 5);
                    i += 9;
                    for _ in 0..rings {
                        let n = u32_at(i);
                        i += 4;
                        for _ in 0..n {
                            out.push((f64_at(i), f64_at(i + 8)));
                            i += 16;
                        }
                    }
                }
                assert_eq!(i, w.len(), "no trailing bytes");
                ("MultiPolygon", out)
            }
            t => panic!("unexpected WKB type {t}"),
        }
    }

    /// CSV rows keyed by the value of column `key`.
    fn csv_rows(path: &Path, key: &str) -> (Vec<String>, HashMap<String, Vec<String>>) {
        let mut r = csv::Reader::from_path(path).unwrap();
        let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
        let k = header.iter().position(|h| h == key).unwrap();
        let mut rows = HashMap::new();
        for rec in r.records() {
            let rec: Vec<String> = rec.unwrap().iter().map(String::from).collect();
            assert!(
                rows.insert(rec[k].clone(), rec).is_none(),
                "{key} is unique"
            );
        }
        (header, rows)
    }

    #[test]
    fn tata_geoparquet_reads_back_equal_to_the_csv() {
        let a = analyse_config(&fixture("tata/tata.toml"), Execution::Parallel);
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let written =
            write_outputs(&a, &out, &[], 1, &[], None, &[OutputFormat::GeoParquet]).unwrap();
        let run: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
        for (layer, key, geometry_type, rows) in [
            ("settlements", "id", "Point", a.dataset.settlements.len()),
            ("zones", "zone_id", "MultiPolygon", a.zone_stats.len()),
            ("facilities", "", "Point", 0),
        ] {
            let file = format!("{layer}.parquet");
            assert!(written.contains(&out.join(&file)), "{file} written");
            assert!(
                run["outputs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|o| o == &serde_json::json!(file)),
                "run.json lists {file}"
            );
            let (batches, geo, groups) = read(&out.join(&file));
            assert_eq!(groups, 1, "{file}: a small layer is one row group");
            let batch = only_batch(&batches);
            if rows > 0 {
                assert_eq!(batch.num_rows(), rows, "{file}: one row per input");
            }
            let geo = geo.expect("geo metadata");
            assert_eq!(geo["version"], "1.1.0");
            assert_eq!(geo["primary_column"], "geometry");
            let g = &geo["columns"]["geometry"];
            assert_eq!(g["encoding"], "WKB");
            assert_eq!(g["geometry_types"], serde_json::json!([geometry_type]));
            assert!(g.get("crs").is_none(), "crs omitted: OGC:CRS84");
            for n in ["xmin", "ymin", "xmax", "ymax"] {
                assert_eq!(g["covering"]["bbox"][n], serde_json::json!(["bbox", n]));
            }
            let extent: Vec<f64> = serde_json::from_value(g["bbox"].clone()).unwrap();

            // The bbox column bounds each geometry; the layer's bbox bounds all.
            let schema = batch.schema();
            let gi = schema.index_of("geometry").unwrap();
            let bi = schema.index_of("bbox").unwrap();
            let wkb = batch
                .column(gi)
                .as_any()
                .downcast_ref::<BinaryArray>()
                .unwrap();
            let bbox = batch
                .column(bi)
                .as_any()
                .downcast_ref::<StructArray>()
                .unwrap();
            let part = |n: &str| {
                bbox.column_by_name(n)
                    .unwrap()
                    .as_any()
                    .downcast_ref::<Float64Array>()
                    .unwrap()
                    .clone()
            };
            let (x0, y0, x1, y1) = (part("xmin"), part("ymin"), part("xmax"), part("ymax"));
            let mut all = [f64::INFINITY, f64::INFINITY, -f64::INFINITY, -f64::INFINITY];
            for r in 0..batch.num_rows() {
                if wkb.is_null(r) {
                    assert!(bbox.is_null(r), "{file} row {r}: no geometry, no bbox");
                    continue;
                }
                let (t, pts) = wkb_coords(wkb.value(r));
                assert_eq!(t, geometry_type);
                let b = pts.iter().fold(
                    [f64::INFINITY, f64::INFINITY, -f64::INFINITY, -f64::INFINITY],
                    |b, &(x, y)| [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)],
                );
                assert_eq!(
                    [x0.value(r), y0.value(r), x1.value(r), y1.value(r)],
                    b,
                    "{file} row {r}"
                );
                all = [
                    all[0].min(b[0]),
                    all[1].min(b[1]),
                    all[2].max(b[2]),
                    all[3].max(b[3]),
                ];
            }
            assert_eq!(extent, all.to_vec(), "{file}: layer bbox");

            // Same columns and values as the CSV, each row once (the Hilbert
            // order is a permutation); the facilities' key is service + id.
            let (header, csv) = if key.is_empty() {
                let mut r = csv::Reader::from_path(out.join(format!("{layer}.csv"))).unwrap();
                let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
                let rows: HashMap<String, Vec<String>> = r
                    .records()
                    .map(|rec| {
                        let rec: Vec<String> = rec.unwrap().iter().map(String::from).collect();
                        (format!("{}/{}", rec[0], rec[1]), rec)
                    })
                    .collect();
                (header, rows)
            } else {
                csv_rows(&out.join(format!("{layer}.csv")), key)
            };
            let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
            assert_eq!(&names[..header.len()], &header[..], "{file}: columns");
            assert_eq!(&names[header.len()..], ["geometry", "bbox"]);
            assert_eq!(batch.num_rows(), csv.len(), "{file}: rows");
            let mut seen = HashSet::new();
            for r in 0..batch.num_rows() {
                let cells: Vec<String> = (0..header.len())
                    .map(|c| csv_text(batch.column(c).as_ref(), r))
                    .collect();
                let id = if key.is_empty() {
                    format!("{}/{}", cells[0], cells[1])
                } else {
                    cells[header.iter().position(|h| h == key).unwrap()].clone()
                };
                assert!(seen.insert(id.clone()), "{file}: {id} once");
                assert_eq!(Some(&cells), csv.get(&id), "{file}: row {id}");
            }
            // Titles (units) travel in the field metadata.
            assert!(schema
                .fields()
                .iter()
                .take(header.len())
                .all(|f| !f.metadata()["title"].is_empty()));
        }
    }

    /// One batch of `batches` (a small layer is written as one).
    fn only_batch(batches: &[RecordBatch]) -> RecordBatch {
        assert_eq!(batches.len(), 1, "one batch");
        batches[0].clone()
    }

    #[test]
    fn rows_follow_the_hilbert_curve_not_the_table() {
        let a = analyse_config(&fixture("tata/tata.toml"), Execution::Parallel);
        let t = remoteness::write::layers::settlements_table(&a);
        let (batch, _) = remoteness::write::geoparquet::layer_batch(&t).unwrap();
        let ids = batch
            .column(0)
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap();
        let written: Vec<&str> = (0..ids.len()).map(|r| ids.value(r)).collect();
        let input: Vec<String> = t.rows.iter().map(|r| r[0].to_csv()).collect();
        assert_ne!(written, input, "reordered");
        let mut a_sorted = written.clone();
        let mut b_sorted: Vec<&str> = input.iter().map(String::as_str).collect();
        a_sorted.sort_unstable();
        b_sorted.sort_unstable();
        assert_eq!(a_sorted, b_sorted, "a permutation");
    }
}

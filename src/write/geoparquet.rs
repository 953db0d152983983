//! GeoParquet 1.1 output (`geoparquet` feature): one `NAME.parquet` per
//! result layer, the Arrow batch of [`super::arrow::table_to_batch`]
//! written with Snappy compression.
//!
//! A layer with geometry holds, besides its columns, `geometry` (ISO WKB)
//! and `bbox`, a struct of `xmin`, `ymin`, `xmax`, `ymax` (Float64) with
//! each row's bounds, declared as the geometry's `covering`, so readers
//! that filter by area (DuckDB, GDAL, GeoPandas with `bbox=`) skip row
//! groups from their statistics. For that the rows are written in the
//! Hilbert-curve order of their bounding-box centres (on a 2¹⁶ × 2¹⁶ grid
//! over the layer's bounds; ties, and rows without geometry at the end, in
//! the table's order): nearby rows share row groups. The table's order is
//! not lost, since each row keeps its id (and zones their rank) in its
//! columns. The file metadata `geo` says version `1.1.0`, the WKB
//! encoding, the geometry types present, the layer's bounds and the
//! covering; `crs` is left out, which the specification defines as
//! `OGC:CRS84` (WGS 84 longitude, latitude), the coordinates written.
//! A layer without geometry is plain Parquet in the table's order.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::NullBufferBuilder;
use arrow_array::{ArrayRef, Float64Array, RecordBatch, StructArray};
use arrow_schema::{DataType, Field, Fields, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;

use super::arrow::{has_geometry, table_to_batch, GEOMETRY_COLUMN};
use super::sink::{Layer, Sink};
use super::table::{r7, Geom, Table};
use super::{Staged, WriteError};

/// Rows per row group: small enough that a bounding-box filter skips most
/// of a large layer, large enough to compress well.
pub const ROW_GROUP_ROWS: usize = 32_768;

/// Name of the per-row bounds column.
pub const BBOX_COLUMN: &str = "bbox";

/// Bounds `[xmin, ymin, xmax, ymax]` of a geometry, in the rounded
/// coordinates the WKB holds; `None` for a geometry with no point.
pub fn bounds(g: &Geom) -> Option<[f64; 4]> {
    let mut b: Option<[f64; 4]> = None;
    let mut add = |x: f64, y: f64| {
        let (x, y) = (r7(x), r7(y));
        b = Some(match b {
            None => [x, y, x, y],
            Some([a, c, d, e]) => [a.min(x), c.min(y), d.max(x), e.max(y)],
        });
    };
    match g {
        Geom::Point(x, y) => add(*x, *y),
        Geom::MultiPolygon(polys) => {
            for (x, y) in polys.iter().flatten().flatten() {
                add(*x, *y);
            }
        }
    }
    b.filter(|b| b.iter().all(|v| v.is_finite()))
}

/// The union of `boxes`.
fn union(boxes: &[Option<[f64; 4]>]) -> Option<[f64; 4]> {
    boxes.iter().flatten().fold(None, |acc, b| {
        Some(match acc {
            None => *b,
            Some(a) => [
                a[0].min(b[0]),
                a[1].min(b[1]),
                a[2].max(b[2]),
                a[3].max(b[3]),
            ],
        })
    })
}

/// Distance along the Hilbert curve of side 2¹⁶ of the cell `(x, y)`
/// (coordinates past the grid are clamped to its edge).
pub fn hilbert_index(x: u32, y: u32) -> u64 {
    const N: u32 = 1 << 16;
    let (mut x, mut y) = (x.min(N - 1), y.min(N - 1));
    let mut d = 0u64;
    let mut s = N / 2;
    while s > 0 {
        let rx = u32::from(x & s > 0);
        let ry = u32::from(y & s > 0);
        d += u64::from(s) * u64::from(s) * u64::from((3 * rx) ^ ry);
        if ry == 0 {
            if rx == 1 {
                x = N - 1 - x;
                y = N - 1 - y;
            }
            std::mem::swap(&mut x, &mut y);
        }
        s /= 2;
    }
    d
}

/// The rows of a layer in Hilbert order of their bounding-box centres
/// within `extent`; rows without bounds last; ties in table order.
pub fn hilbert_order(boxes: &[Option<[f64; 4]>]) -> Vec<usize> {
    let Some(e) = union(boxes) else {
        return (0..boxes.len()).collect();
    };
    let cell = |v: f64, lo: f64, hi: f64| -> u32 {
        if hi > lo {
            // In [0, 65535]; the cast saturates.
            (((v - lo) / (hi - lo)) * 65535.0).round() as u32
        } else {
            0
        }
    };
    let mut keyed: Vec<(u64, usize)> = boxes
        .iter()
        .enumerate()
        .map(|(i, b)| match b {
            Some(b) => {
                let cx = (b[0] + b[2]) / 2.0;
                let cy = (b[1] + b[3]) / 2.0;
                (hilbert_index(cell(cx, e[0], e[2]), cell(cy, e[1], e[3])), i)
            }
            None => (u64::MAX, i),
        })
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// The `geo` file metadata of a layer.
fn geo_metadata(t: &Table, extent: Option<[f64; 4]>) -> serde_json::Value {
    let mut types: Vec<&str> = Vec::new();
    for g in t.geometry.iter().flatten() {
        let name = match g {
            Geom::Point(..) => "Point",
            Geom::MultiPolygon(_) => "MultiPolygon",
        };
        if !types.contains(&name) {
            types.push(name);
        }
    }
    let mut column = serde_json::json!({
        "encoding": "WKB",
        "geometry_types": types,
        "covering": {
            "bbox": {
                "xmin": [BBOX_COLUMN, "xmin"],
                "ymin": [BBOX_COLUMN, "ymin"],
                "xmax": [BBOX_COLUMN, "xmax"],
                "ymax": [BBOX_COLUMN, "ymax"],
            }
        },
    });
    if let Some(b) = extent {
        column["bbox"] = serde_json::json!(b);
    }
    serde_json::json!({
        "version": "1.1.0",
        "primary_column": GEOMETRY_COLUMN,
        "columns": { GEOMETRY_COLUMN: column },
    })
}

/// The `bbox` struct column of `boxes` (null where a row has no bounds).
fn bbox_column(boxes: &[Option<[f64; 4]>]) -> Result<(Field, ArrayRef), String> {
    let names = ["xmin", "ymin", "xmax", "ymax"];
    let fields: Fields = names
        .iter()
        .map(|n| Field::new(*n, DataType::Float64, true))
        .collect();
    let arrays: Vec<ArrayRef> = (0..4)
        .map(|k| {
            Arc::new(
                boxes
                    .iter()
                    .map(|b| b.map(|b| b[k]))
                    .collect::<Float64Array>(),
            ) as ArrayRef
        })
        .collect();
    let mut nulls = NullBufferBuilder::new(boxes.len());
    for b in boxes {
        nulls.append(b.is_some());
    }
    let array = StructArray::try_new(fields.clone(), arrays, nulls.finish())
        .map_err(|e| format!("bbox column: {e}"))?;
    Ok((
        Field::new(BBOX_COLUMN, DataType::Struct(fields), true),
        Arc::new(array),
    ))
}

/// `t` with its rows (and geometries) in the order `order`.
fn reordered(t: &Table, order: &[usize]) -> Table {
    Table {
        columns: t.columns.clone(),
        rows: order
            .iter()
            .map(|&i| t.rows.get(i).cloned().unwrap_or_default())
            .collect(),
        geometry: order
            .iter()
            .map(|&i| t.geometry.get(i).cloned().flatten())
            .collect(),
    }
}

/// The record batch and `geo` metadata (none without geometry) a layer is
/// written as: rows in Hilbert order, with the `bbox` column.
pub fn layer_batch(t: &Table) -> Result<(RecordBatch, Option<serde_json::Value>), String> {
    if !has_geometry(t) {
        return Ok((table_to_batch(t).map_err(|e| e.to_string())?, None));
    }
    if t.column_index(BBOX_COLUMN).is_some() {
        return Err(format!(
            "the layer has a column `{BBOX_COLUMN}`, the name of GeoParquet's bounds column"
        ));
    }
    let boxes: Vec<Option<[f64; 4]>> = (0..t.rows.len())
        .map(|i| t.geometry.get(i).and_then(Option::as_ref).and_then(bounds))
        .collect();
    let order = hilbert_order(&boxes);
    let sorted = reordered(t, &order);
    let boxes: Vec<Option<[f64; 4]>> = order.iter().map(|&i| boxes[i]).collect();
    let batch = table_to_batch(&sorted).map_err(|e| e.to_string())?;
    let (field, array) = bbox_column(&boxes)?;
    let schema = batch.schema();
    let mut fields: Vec<Arc<Field>> = schema.fields().iter().cloned().collect();
    fields.push(Arc::new(field));
    let mut columns = batch.columns().to_vec();
    columns.push(array);
    let schema = Schema::new_with_metadata(Fields::from(fields), HashMap::new());
    let batch = RecordBatch::try_new(Arc::new(schema), columns).map_err(|e| e.to_string())?;
    Ok((batch, Some(geo_metadata(&sorted, union(&boxes)))))
}

/// Writes `t` as GeoParquet (or plain Parquet without geometry) to `path`.
pub fn write_geoparquet(path: &Path, t: &Table) -> Result<(), String> {
    let (batch, geo) = layer_batch(t)?;
    let mut props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_created_by(format!("remoteness {}", env!("CARGO_PKG_VERSION")));
    if let Some(geo) = geo {
        props = props.set_key_value_metadata(Some(vec![KeyValue::new(
            "geo".to_string(),
            geo.to_string(),
        )]));
    }
    let file = std::fs::File::create(path).map_err(|e| e.to_string())?;
    let mut w = ArrowWriter::try_new(&file, batch.schema(), Some(props.build()))
        .map_err(|e| e.to_string())?;
    w.write(&batch).map_err(|e| e.to_string())?;
    w.close().map_err(|e| e.to_string())?;
    file.sync_all().map_err(|e| e.to_string())
}

/// GeoParquet 1.1, one `NAME.parquet` per layer.
pub struct GeoParquetSink;

impl Sink for GeoParquetSink {
    fn layer(&mut self, st: &Staged, prefix: &str, l: &Layer) -> Result<Vec<String>, WriteError> {
        let name = format!("{}.parquet", l.name);
        st.path_file(&format!("{prefix}{name}"), |p| write_geoparquet(p, l.table))?;
        Ok(vec![name])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hilbert_index_visits_the_smallest_grid_in_order() {
        // The first-order curve: (0,0) (0,1) (1,1) (1,0), scaled up.
        let h = 1 << 15;
        let d: Vec<u64> = [(0, 0), (0, h), (h, h), (h, 0)]
            .iter()
            .map(|&(x, y)| hilbert_index(x, y))
            .collect();
        assert!(d.windows(2).all(|w| w[0] < w[1]), "{d:?}");
        assert_eq!(hilbert_index(0, 0), 0);
        assert_eq!(
            hilbert_index(u32::MAX, u32::MAX),
            hilbert_index(65535, 65535)
        );
    }

    #[test]
    fn hilbert_index_is_a_bijection_on_a_small_grid() {
        // Cells of a 2⁸ block at the origin map to distinct distances.
        let mut seen = std::collections::HashSet::new();
        for x in 0..256 {
            for y in 0..256 {
                assert!(seen.insert(hilbert_index(x, y)));
            }
        }
    }

    #[test]
    fn order_is_a_permutation_with_missing_bounds_last() {
        let boxes = vec![
            Some([1.0, 1.0, 1.0, 1.0]),
            None,
            Some([0.0, 0.0, 0.0, 0.0]),
            Some([f64::NAN; 4]).filter(|_| false),
            Some([0.5, 0.5, 0.6, 0.6]),
        ];
        let o = hilbert_order(&boxes);
        let mut s = o.clone();
        s.sort_unstable();
        assert_eq!(s, vec![0, 1, 2, 3, 4]);
        assert_eq!(&o[3..], &[1, 3]);
        assert_eq!(o[0], 2);
        assert_eq!(hilbert_order(&[None, None]), vec![0, 1]);
    }

    #[test]
    fn a_large_layer_is_split_into_row_groups_in_hilbert_order() {
        use parquet::file::reader::{FileReader, SerializedFileReader};
        let n = 2 * ROW_GROUP_ROWS + 10;
        let mut t = Table::default();
        t.column("id", super::super::Kind::Int, "id");
        for i in 0..n {
            t.rows.push(vec![super::super::Cell::Int(i as i64)]);
            // A diagonal walked from its far end: the curve starts at the
            // near corner, the table's last row.
            let v = (n - i) as f64 * 1e-4;
            t.geometry.push(Some(Geom::Point(v, v)));
        }
        t.geometry[7] = None;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.parquet");
        write_geoparquet(&path, &t).unwrap();
        let r = SerializedFileReader::new(std::fs::File::open(&path).unwrap()).unwrap();
        let groups: Vec<i64> = r
            .metadata()
            .row_groups()
            .iter()
            .map(|g| g.num_rows())
            .collect();
        assert_eq!(groups, [ROW_GROUP_ROWS as i64, ROW_GROUP_ROWS as i64, 10]);
        let (batch, _) = layer_batch(&t).unwrap();
        let ids = batch
            .column(0)
            .as_any()
            .downcast_ref::<arrow_array::Int64Array>()
            .unwrap();
        assert_eq!(ids.value(0), n as i64 - 1);
        assert_eq!(ids.value(n - 1), 7, "the row without geometry last");
    }

    #[test]
    fn bounds_of_points_and_polygons() {
        assert_eq!(
            bounds(&Geom::Point(1.000_000_04, 2.0)),
            Some([1.0, 2.0, 1.0, 2.0])
        );
        let g = Geom::MultiPolygon(vec![vec![vec![(0.0, 1.0), (3.0, -1.0), (2.0, 5.0)]]]);
        assert_eq!(bounds(&g), Some([0.0, -1.0, 3.0, 5.0]));
        assert_eq!(bounds(&Geom::MultiPolygon(vec![])), None);
        assert_eq!(bounds(&Geom::Point(f64::NAN, 0.0)), None);
    }
}

//! A result [`Table`] as an Arrow record batch (`arrow` feature): what the
//! GeoParquet writer stores, and what a Python caller hands to GeoPandas or
//! any Arrow reader without going through a file.
//!
//! One Arrow column per table column, with the same values the CSV and
//! GeoJSON writers give (floats rounded to the column's decimals, not
//! finite → null), each field's title (its unit) in its metadata under
//! `title`; then, when the table has geometry, a `geometry` column of ISO
//! WKB (little endian, coordinates rounded to 10⁻⁷° as in the GeoJSON),
//! tagged as the GeoArrow extension `geoarrow.wkb` in WGS 84 longitude,
//! latitude (`OGC:CRS84`, as PROJJSON).

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::{
    ArrayRef, BinaryArray, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray,
};
use arrow_schema::{DataType, Field, Schema};

use super::table::{r7, Cell, Geom, Kind, Table};
use super::WriteError;

/// Name of the WKB geometry column.
pub const GEOMETRY_COLUMN: &str = "geometry";

/// Field metadata key holding a column's title (with its unit).
pub const TITLE_KEY: &str = "title";

/// `OGC:CRS84` (WGS 84, longitude then latitude in degrees) as PROJJSON,
/// the CRS encoding the GeoArrow and GeoParquet specifications recommend.
pub const CRS84_PROJJSON: &str = r#"{"$schema":"https://proj.org/schemas/v0.7/projjson.schema.json","type":"GeographicCRS","name":"WGS 84 (CRS84)","datum_ensemble":{"name":"World Geodetic System 1984 ensemble","members":[{"name":"World Geodetic System 1984 (Transit)","id":{"authority":"EPSG","code":1166}},{"name":"World Geodetic System 1984 (G730)","id":{"authority":"EPSG","code":1152}},{"name":"World Geodetic System 1984 (G873)","id":{"authority":"EPSG","code":1153}},{"name":"World Geodetic System 1984 (G1150)","id":{"authority":"EPSG","code":1154}},{"name":"World Geodetic System 1984 (G1674)","id":{"authority":"EPSG","code":1155}},{"name":"World Geodetic System 1984 (G1762)","id":{"authority":"EPSG","code":1156}},{"name":"World Geodetic System 1984 (G2139)","id":{"authority":"EPSG","code":1309}},{"name":"World Geodetic System 1984 (G2296)","id":{"authority":"EPSG","code":1383}}],"ellipsoid":{"name":"WGS 84","semi_major_axis":6378137,"inverse_flattening":298.257223563},"accuracy":"2.0","id":{"authority":"EPSG","code":6326}},"coordinate_system":{"subtype":"ellipsoidal","axis":[{"name":"Geodetic longitude","abbreviation":"Lon","direction":"east","unit":"degree"},{"name":"Geodetic latitude","abbreviation":"Lat","direction":"north","unit":"degree"}]},"scope":"Not known.","area":"World.","bbox":{"south_latitude":-90,"west_longitude":-180,"north_latitude":90,"east_longitude":180},"id":{"authority":"OGC","code":"CRS84"}}"#;

fn column_error(column: &str, message: String) -> WriteError {
    WriteError::Column {
        column: column.to_string(),
        message,
    }
}

fn cell_kind(c: &Cell) -> &'static str {
    match c {
        Cell::Null => "null",
        Cell::Int(_) => "integer",
        Cell::Float(..) => "float",
        Cell::Text(_) => "text",
        Cell::Bool(_) => "boolean",
    }
}

/// The value of `cell` as a `kind` column holds it; a cell of another type
/// is converted only when nothing is lost (an integer in a float column, a
/// whole float in an integer column), else an error naming the column.
fn int_value(name: &str, cell: &Cell) -> Result<Option<i64>, WriteError> {
    match cell {
        Cell::Null => Ok(None),
        Cell::Int(i) => Ok(Some(*i)),
        Cell::Float(x, d) => {
            let r = Cell::rounded(*x, *d);
            // 2⁶³ as f64; below it a whole float converts exactly.
            if r.is_finite() && r.fract() == 0.0 && r.abs() < 9.223_372_036_854_775e18 {
                Ok(Some(r as i64))
            } else if r.is_finite() {
                Err(column_error(name, format!("{r} in an integer column")))
            } else {
                Ok(None)
            }
        }
        other => Err(column_error(
            name,
            format!("a {} value in an integer column", cell_kind(other)),
        )),
    }
}

fn float_value(name: &str, cell: &Cell) -> Result<Option<f64>, WriteError> {
    match cell {
        Cell::Null => Ok(None),
        Cell::Float(x, d) => {
            let r = Cell::rounded(*x, *d);
            Ok(r.is_finite().then_some(r))
        }
        Cell::Int(i) => Ok(Some(*i as f64)),
        other => Err(column_error(
            name,
            format!("a {} value in a float column", cell_kind(other)),
        )),
    }
}

fn text_value<'a>(name: &str, cell: &'a Cell) -> Result<Option<&'a str>, WriteError> {
    match cell {
        Cell::Null => Ok(None),
        Cell::Text(s) => Ok(Some(s)),
        other => Err(column_error(
            name,
            format!("a {} value in a text column", cell_kind(other)),
        )),
    }
}

fn bool_value(name: &str, cell: &Cell) -> Result<Option<bool>, WriteError> {
    match cell {
        Cell::Null => Ok(None),
        Cell::Bool(b) => Ok(Some(*b)),
        other => Err(column_error(
            name,
            format!("a {} value in a boolean column", cell_kind(other)),
        )),
    }
}

/// The cells of column `c` in `rows`, in order.
fn cells(rows: &[Vec<Cell>], c: usize) -> impl Iterator<Item = &Cell> {
    rows.iter().map(move |r| r.get(c).unwrap_or(&Cell::Null))
}

/// Appends the ISO WKB (little endian) of `g`, coordinates rounded to
/// 10⁻⁷° as the GeoJSON writer rounds them.
pub fn write_wkb(g: &Geom, out: &mut Vec<u8>) {
    let coord = |out: &mut Vec<u8>, x: f64, y: f64| {
        out.extend_from_slice(&r7(x).to_le_bytes());
        out.extend_from_slice(&r7(y).to_le_bytes());
    };
    let count = |out: &mut Vec<u8>, n: usize| {
        out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
    };
    let header = |out: &mut Vec<u8>, kind: u32| {
        out.push(1);
        out.extend_from_slice(&kind.to_le_bytes());
    };
    match g {
        Geom::Point(x, y) => {
            header(out, 1);
            coord(out, *x, *y);
        }
        Geom::MultiPolygon(polys) => {
            header(out, 6);
            count(out, polys.len());
            for rings in polys {
                header(out, 3);
                count(out, rings.len());
                for ring in rings {
                    count(out, ring.len());
                    for (x, y) in ring {
                        coord(out, *x, *y);
                    }
                }
            }
        }
    }
}

/// The GeoArrow extension metadata of the geometry field: WKB in
/// `OGC:CRS84`.
fn geometry_field() -> Field {
    let crs: serde_json::Value =
        serde_json::from_str(CRS84_PROJJSON).unwrap_or(serde_json::Value::Null);
    let ext = serde_json::json!({ "crs": crs, "crs_type": "projjson" });
    Field::new(GEOMETRY_COLUMN, DataType::Binary, true).with_metadata(HashMap::from([
        (
            "ARROW:extension:name".to_string(),
            "geoarrow.wkb".to_string(),
        ),
        ("ARROW:extension:metadata".to_string(), ext.to_string()),
    ]))
}

/// Whether any row of `t` has a geometry.
pub fn has_geometry(t: &Table) -> bool {
    t.geometry.iter().any(Option::is_some)
}

/// Lays out `t` as one record batch, rows in the table's order.
///
/// Columns: one per table column (`Int` → Int64, `Float` → Float64 rounded
/// to its decimals as in the CSV, `Text` → Utf8, `Bool` → Boolean; a
/// missing or non-finite value → null), each with its title in the field
/// metadata (`title`); then, if any row has a geometry, `geometry`: ISO
/// WKB tagged `geoarrow.wkb`, null where a row has none (a settlement with
/// an invalid location). A table whose geometry column would clash with one
/// of its own columns, or a cell of the wrong type for its column, is an
/// error naming the column.
pub fn table_to_batch(t: &Table) -> Result<RecordBatch, WriteError> {
    let mut fields = Vec::with_capacity(t.columns.len() + 1);
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(t.columns.len() + 1);
    for (c, col) in t.columns.iter().enumerate() {
        let name = col.name.as_str();
        let (data_type, array): (DataType, ArrayRef) = match col.kind {
            Kind::Int => (
                DataType::Int64,
                Arc::new(Int64Array::from(
                    cells(&t.rows, c)
                        .map(|v| int_value(name, v))
                        .collect::<Result<Vec<_>, _>>()?,
                )),
            ),
            Kind::Float => (
                DataType::Float64,
                Arc::new(Float64Array::from(
                    cells(&t.rows, c)
                        .map(|v| float_value(name, v))
                        .collect::<Result<Vec<_>, _>>()?,
                )),
            ),
            Kind::Text => (
                DataType::Utf8,
                Arc::new(StringArray::from(
                    cells(&t.rows, c)
                        .map(|v| text_value(name, v))
                        .collect::<Result<Vec<_>, _>>()?,
                )),
            ),
            Kind::Bool => (
                DataType::Boolean,
                Arc::new(BooleanArray::from(
                    cells(&t.rows, c)
                        .map(|v| bool_value(name, v))
                        .collect::<Result<Vec<_>, _>>()?,
                )),
            ),
        };
        fields.push(
            Field::new(name, data_type, true)
                .with_metadata(HashMap::from([(TITLE_KEY.to_string(), col.title.clone())])),
        );
        arrays.push(array);
    }
    if has_geometry(t) {
        if t.column_index(GEOMETRY_COLUMN).is_some() {
            return Err(column_error(
                GEOMETRY_COLUMN,
                "the table has a column named like its geometry column".into(),
            ));
        }
        let mut wkb: Vec<Option<Vec<u8>>> = Vec::with_capacity(t.rows.len());
        for r in 0..t.rows.len() {
            wkb.push(t.geometry.get(r).and_then(Option::as_ref).map(|g| {
                let mut out = Vec::new();
                write_wkb(g, &mut out);
                out
            }));
        }
        let wkb: BinaryArray = wkb.iter().map(|w| w.as_deref()).collect();
        fields.push(geometry_field());
        arrays.push(Arc::new(wkb));
    }
    let schema = Arc::new(Schema::new(fields));
    let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(t.rows.len()));
    RecordBatch::try_new_with_options(schema, arrays, &options)
        .map_err(|e| column_error("(all)", e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Array;

    fn sample() -> Table {
        let mut t = Table::default();
        t.column("id", Kind::Text, "settlement id");
        t.column("n", Kind::Int, "count (people)");
        t.column("x", Kind::Float, "time (min)");
        t.column("ok", Kind::Bool, "within");
        t.rows = vec![
            vec![
                Cell::Text("a".into()),
                Cell::Int(3),
                Cell::Float(1.23456, 2),
                Cell::Bool(true),
            ],
            vec![
                Cell::Null,
                Cell::Null,
                Cell::Float(f64::INFINITY, 2),
                Cell::Null,
            ],
        ];
        t.geometry = vec![Some(Geom::Point(-7.123_456_789, 29.5)), None];
        t
    }

    #[test]
    fn columns_values_titles_and_wkb() {
        let b = table_to_batch(&sample()).unwrap();
        assert_eq!(b.num_rows(), 2);
        assert_eq!(b.num_columns(), 5);
        let x = b.column(2).as_any().downcast_ref::<Float64Array>().unwrap();
        assert_eq!(x.value(0), 1.23);
        assert!(x.is_null(1));
        let s = b.schema();
        assert_eq!(s.field(2).metadata()["title"], "time (min)");
        let g = s.field(4);
        assert_eq!(g.name(), "geometry");
        assert_eq!(g.metadata()["ARROW:extension:name"], "geoarrow.wkb");
        let ext: serde_json::Value =
            serde_json::from_str(&g.metadata()["ARROW:extension:metadata"]).unwrap();
        assert_eq!(ext["crs"]["id"]["code"], "CRS84");
        let wkb = b.column(4).as_any().downcast_ref::<BinaryArray>().unwrap();
        let p = wkb.value(0);
        assert_eq!(p.len(), 21);
        assert_eq!(&p[..5], &[1, 1, 0, 0, 0]);
        let lon = f64::from_le_bytes(p[5..13].try_into().unwrap());
        assert_eq!(lon, -7.1234568);
        assert!(wkb.is_null(1));
    }

    #[test]
    fn multipolygon_wkb_layout() {
        let g = Geom::MultiPolygon(vec![vec![vec![
            (0.0, 0.0),
            (1.0, 0.0),
            (1.0, 1.0),
            (0.0, 0.0),
        ]]]);
        let mut out = Vec::new();
        write_wkb(&g, &mut out);
        // header 5 + count 4 + polygon header 5 + rings 4 + points 4 + 4·16
        assert_eq!(out.len(), 5 + 4 + 5 + 4 + 4 + 64);
        assert_eq!(&out[..9], &[1, 6, 0, 0, 0, 1, 0, 0, 0]);
        assert_eq!(&out[9..14], &[1, 3, 0, 0, 0]);
    }

    #[test]
    fn wrong_cell_type_is_an_error_naming_the_column() {
        let mut t = sample();
        t.rows[0][1] = Cell::Text("x".into());
        let e = table_to_batch(&t).unwrap_err().to_string();
        assert!(e.contains("column n"), "{e}");
        let mut t = sample();
        t.rows[0][1] = Cell::Float(2.0, 3);
        t.rows[1].clear();
        let b = table_to_batch(&t).unwrap();
        let n = b.column(1).as_any().downcast_ref::<Int64Array>().unwrap();
        assert_eq!(n.value(0), 2);
        assert!(n.is_null(1));
    }

    #[test]
    fn table_without_geometry_has_no_geometry_column() {
        let mut t = sample();
        t.geometry = vec![None, None];
        assert_eq!(table_to_batch(&t).unwrap().num_columns(), 4);
        let empty = Table::default();
        assert_eq!(table_to_batch(&empty).unwrap().num_rows(), 0);
    }
}

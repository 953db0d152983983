//! GeoPackage output through GDAL (`gdal` feature): one `.gpkg` with a layer
//! per result table (WGS 84, EPSG:4326) and the QGIS styles in the
//! `layer_styles` table, marked as default, so QGIS applies them on load,
//! and a spatial index (R-tree) per layer.
//!
//! Tables are declared with SQL so that every column keeps its type
//! (`INTEGER`, `REAL`, `TEXT`, and `BOOLEAN`, which the GeoPackage standard
//! has and GDAL's field API cannot declare); GDAL then writes the features
//! and their geometry blobs in one transaction.

use std::path::Path;

use gdal::vector::sql::Dialect;
use gdal::vector::{Feature, Geometry, LayerAccess};
use gdal::{Dataset, DatasetOptions, DriverManager, GdalOpenFlags};

use super::table::{Cell, Geom, Kind, Table};

fn sql_text(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''").replace('\0', "\u{FFFD}"))
}

fn sql_type(k: Kind) -> &'static str {
    match k {
        Kind::Int => "INTEGER",
        Kind::Float => "REAL",
        Kind::Text => "TEXT",
        Kind::Bool => "BOOLEAN",
    }
}

fn geometry_type(t: &Table) -> &'static str {
    match t.geometry.iter().flatten().next() {
        Some(Geom::MultiPolygon(_)) => "MULTIPOLYGON",
        _ => "POINT",
    }
}

fn wkt(g: &Geom) -> String {
    match g {
        Geom::Point(x, y) => format!("POINT ({x} {y})"),
        Geom::MultiPolygon(polys) => {
            let polys: Vec<String> = polys
                .iter()
                .map(|rings| {
                    let rings: Vec<String> = rings
                        .iter()
                        .map(|r| {
                            let pts: Vec<String> =
                                r.iter().map(|(x, y)| format!("{x} {y}")).collect();
                            format!("({})", pts.join(", "))
                        })
                        .collect();
                    format!("({})", rings.join(", "))
                })
                .collect();
            format!("MULTIPOLYGON ({})", polys.join(", "))
        }
    }
}

fn exec(ds: &Dataset, sql: &str) -> Result<(), String> {
    ds.execute_sql(sql, None, Dialect::DEFAULT)
        .map(|_| ())
        .map_err(|e| format!("GeoPackage SQL failed ({e}): {}", &sql[..sql.len().min(80)]))
}

/// Writes `layers` (name, table, QML style) to a new GeoPackage at `path`.
pub fn write_gpkg(path: &Path, layers: &[(&str, &Table, &String)]) -> Result<(), String> {
    let e = |e: gdal::errors::GdalError| e.to_string();
    {
        let driver = DriverManager::get_driver_by_name("GPKG").map_err(e)?;
        let ds = driver.create_vector_only(path).map_err(e)?;
        for (name, t, _) in layers {
            let mut cols = vec![
                "fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL".to_string(),
                format!("geom {}", geometry_type(t)),
            ];
            cols.extend(
                t.columns
                    .iter()
                    .map(|c| format!("\"{}\" {}", c.name, sql_type(c.kind))),
            );
            exec(
                &ds,
                &format!("CREATE TABLE \"{name}\" ({})", cols.join(", ")),
            )?;
            exec(
                &ds,
                &format!(
                    "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) \
                     VALUES ({n}, 'features', {n}, '', 4326)",
                    n = sql_text(name)
                ),
            )?;
            exec(
                &ds,
                &format!(
                    "INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m) \
                     VALUES ({}, 'geom', '{}', 4326, 0, 0)",
                    sql_text(name),
                    geometry_type(t)
                ),
            )?;
        }
        exec(
            &ds,
            "CREATE TABLE layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, \
             f_table_catalog TEXT, f_table_schema TEXT, f_table_name TEXT, f_geometry_column TEXT, \
             styleName TEXT, styleQML TEXT, styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, \
             owner TEXT, ui TEXT, update_time DATETIME)",
        )?;
        exec(
            &ds,
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) \
             VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS layer styles')",
        )?;
        for (name, _, qml) in layers {
            exec(
                &ds,
                &format!(
                    "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, \
                     f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, owner) \
                     VALUES ('', '', {n}, 'geom', {n}, {q}, '', 1, 'remoteness default style', '')",
                    n = sql_text(name),
                    q = sql_text(qml)
                ),
            )?;
        }
    }
    let mut ds = Dataset::open_ex(
        path,
        DatasetOptions {
            open_flags: GdalOpenFlags::GDAL_OF_UPDATE | GdalOpenFlags::GDAL_OF_VECTOR,
            ..Default::default()
        },
    )
    .map_err(e)?;
    let txn = ds.start_transaction().map_err(e)?;
    for (name, t, _) in layers {
        let layer = txn.layer_by_name(name).map_err(e)?;
        let idx: Vec<usize> = t
            .columns
            .iter()
            .map(|c| layer.defn().field_index(&c.name))
            .collect::<Result<_, _>>()
            .map_err(e)?;
        for (row, geom) in t.rows.iter().zip(&t.geometry) {
            let mut f = Feature::new(layer.defn()).map_err(e)?;
            for (cell, &i) in row.iter().zip(&idx) {
                match cell {
                    Cell::Null => {}
                    Cell::Int(v) => f.set_field_integer64(i, *v).map_err(e)?,
                    Cell::Float(..) => {
                        if let Some(v) = cell.to_json().as_f64() {
                            f.set_field_double(i, v).map_err(e)?;
                        }
                    }
                    // C strings end at NUL: a NUL in the text becomes U+FFFD.
                    Cell::Text(s) if s.contains('\0') => f
                        .set_field_string(i, &s.replace('\0', "\u{FFFD}"))
                        .map_err(e)?,
                    Cell::Text(s) => f.set_field_string(i, s).map_err(e)?,
                    Cell::Bool(b) => f.set_field_integer(i, *b as i32).map_err(e)?,
                }
            }
            if let Some(g) = geom {
                f.set_geometry(Geometry::from_wkt(&wkt(g)).map_err(e)?)
                    .map_err(e)?;
            }
            f.create(&layer).map_err(e)?;
        }
    }
    txn.commit().map_err(e)?;
    // An R-tree per layer (the `gpkg_rtree_index` extension), so QGIS
    // fetches only the features in view.
    for (name, _, _) in layers {
        exec(
            &ds,
            &format!("SELECT CreateSpatialIndex({}, 'geom')", sql_text(name)),
        )?;
    }
    Ok(())
}

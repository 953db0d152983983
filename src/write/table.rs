//! A flat, typed attribute table with optional geometry per row.

/// Column type (kept for writers that declare field types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Integer.
    Int,
    /// Floating point.
    Float,
    /// Text.
    Text,
    /// Boolean.
    Bool,
}

/// A column: name (with unit suffix), type and title.
#[derive(Debug, Clone)]
pub struct Column {
    /// Field name, at most [`MAX_FIELD_NAME`] characters, e.g. `hlth_min`.
    pub name: String,
    /// Type.
    pub kind: Kind,
    /// Human title with unit, e.g. `health: travel time (min)`; styles use
    /// it as the field alias.
    pub title: String,
}

/// Decimals of populations (people): enough that sums over zones stay
/// within 10⁻⁶ of the census totals they were allocated from.
pub const POP_DP: u8 = 6;

/// Longest field name: dBase (shapefile) keeps 10 characters.
pub const MAX_FIELD_NAME: usize = 10;

/// One value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Missing.
    Null,
    /// Integer.
    Int(i64),
    /// Float, rounded to `decimals` on output.
    Float(f64, u8),
    /// Text.
    Text(String),
    /// Boolean.
    Bool(bool),
}

impl Cell {
    /// A float rounded to `decimals`, or null when absent or not finite.
    pub fn float(v: Option<f64>, decimals: u8) -> Cell {
        match v {
            Some(x) if x.is_finite() => Cell::Float(x, decimals),
            _ => Cell::Null,
        }
    }

    /// `x` rounded to `d` decimals as every writer rounds it, never `-0`.
    pub(crate) fn rounded(x: f64, d: u8) -> f64 {
        let f = 10f64.powi(d as i32);
        let scaled = x * f;
        // Past 2⁵³ there is no fraction left to round (and x·f may overflow).
        let r = if scaled.abs() < 9.0e15 {
            scaled.round() / f
        } else {
            x
        };
        if r == 0.0 {
            0.0
        } else {
            r
        }
    }

    /// JSON value.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Cell::Null => serde_json::Value::Null,
            Cell::Int(i) => (*i).into(),
            Cell::Float(x, d) => serde_json::Number::from_f64(Self::rounded(*x, *d))
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Cell::Text(s) => s.clone().into(),
            Cell::Bool(b) => (*b).into(),
        }
    }

    /// CSV text.
    pub fn to_csv(&self) -> String {
        let mut s = String::new();
        self.write_csv(&mut s);
        s
    }

    /// Appends the CSV text to `out`.
    pub fn write_csv(&self, out: &mut String) {
        use std::fmt::Write as _;
        let _ = match self {
            Cell::Null => Ok(()),
            Cell::Int(i) => write!(out, "{i}"),
            Cell::Float(x, d) => write!(out, "{}", Self::rounded(*x, *d)),
            Cell::Text(s) => {
                out.push_str(s);
                Ok(())
            }
            Cell::Bool(b) => write!(out, "{b}"),
        };
    }

    /// Writes the JSON value (as [`Cell::to_json`] would give it).
    pub fn write_json(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        match self {
            Cell::Null => w.write_all(b"null"),
            Cell::Int(i) => serde_json::to_writer(w, i).map_err(std::io::Error::from),
            Cell::Float(x, d) => {
                let r = Self::rounded(*x, *d);
                if r.is_finite() {
                    serde_json::to_writer(w, &r).map_err(std::io::Error::from)
                } else {
                    w.write_all(b"null")
                }
            }
            Cell::Text(s) => serde_json::to_writer(w, s).map_err(std::io::Error::from),
            Cell::Bool(b) => w.write_all(if *b { b"true" } else { b"false" }),
        }
    }
}

/// A geometry in WGS 84 lon/lat.
#[derive(Debug, Clone)]
pub enum Geom {
    /// A point.
    Point(f64, f64),
    /// Polygons, each a list of rings of (lon, lat).
    MultiPolygon(Vec<Vec<Vec<(f64, f64)>>>),
}

/// A coordinate rounded to 10⁻⁷ degrees (about 1 cm), never `-0`.
pub(crate) fn r7(x: f64) -> f64 {
    let r = (x * 1e7).round() / 1e7;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

impl Geom {
    /// GeoJSON geometry object.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Geom::Point(x, y) => {
                serde_json::json!({"type": "Point", "coordinates": [r7(*x), r7(*y)]})
            }
            Geom::MultiPolygon(polys) => {
                let c: Vec<Vec<Vec<[f64; 2]>>> = polys
                    .iter()
                    .map(|p| {
                        p.iter()
                            .map(|ring| ring.iter().map(|(x, y)| [r7(*x), r7(*y)]).collect())
                            .collect()
                    })
                    .collect();
                serde_json::json!({"type": "MultiPolygon", "coordinates": c})
            }
        }
    }

    /// Writes the GeoJSON geometry object (as [`Geom::to_json`] gives it).
    pub fn write_json(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        let pair = |w: &mut dyn std::io::Write, x: f64, y: f64| {
            w.write_all(b"[")?;
            serde_json::to_writer(&mut *w, &r7(x))?;
            w.write_all(b",")?;
            serde_json::to_writer(&mut *w, &r7(y))?;
            w.write_all(b"]")
        };
        match self {
            Geom::Point(x, y) => {
                w.write_all(b"{\"type\":\"Point\",\"coordinates\":")?;
                pair(w, *x, *y)?;
            }
            Geom::MultiPolygon(polys) => {
                w.write_all(b"{\"type\":\"MultiPolygon\",\"coordinates\":[")?;
                for (i, p) in polys.iter().enumerate() {
                    w.write_all(if i > 0 { b",[" } else { b"[" })?;
                    for (j, ring) in p.iter().enumerate() {
                        w.write_all(if j > 0 { b",[" } else { b"[" })?;
                        for (k, (x, y)) in ring.iter().enumerate() {
                            if k > 0 {
                                w.write_all(b",")?;
                            }
                            pair(w, *x, *y)?;
                        }
                        w.write_all(b"]")?;
                    }
                    w.write_all(b"]")?;
                }
                w.write_all(b"]")?;
            }
        }
        w.write_all(b"}")
    }

    /// From a `geo` multipolygon, with exterior rings counter-clockwise and
    /// holes clockwise as RFC 7946 §3.1.6 asks.
    pub fn from_multipolygon(m: &geo_types::MultiPolygon<f64>) -> Geom {
        use geo::Winding;
        let polys =
            m.0.iter()
                .map(|p| {
                    let mut ext = p.exterior().clone();
                    ext.make_ccw_winding();
                    let mut rings = vec![ext.0.iter().map(|c| (c.x, c.y)).collect()];
                    for h in p.interiors() {
                        let mut h = h.clone();
                        h.make_cw_winding();
                        rings.push(h.0.iter().map(|c| (c.x, c.y)).collect());
                    }
                    rings
                })
                .collect();
        Geom::MultiPolygon(polys)
    }
}

/// Rows of typed cells with one optional geometry each.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Columns.
    pub columns: Vec<Column>,
    /// Rows, each with one cell per column.
    pub rows: Vec<Vec<Cell>>,
    /// Geometry per row.
    pub geometry: Vec<Option<Geom>>,
}

impl Table {
    /// Adds a column.
    pub fn column(&mut self, name: impl Into<String>, kind: Kind, title: impl Into<String>) {
        let name = name.into();
        debug_assert!(name.len() <= MAX_FIELD_NAME, "field name `{name}` too long");
        self.columns.push(Column {
            name,
            kind,
            title: title.into(),
        });
    }

    /// Index of the column called `name`.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}

//! Well-Known Binary (ISO WKB, and PostGIS's extended WKB with its Z, M and
//! SRID flags) → `geo_types::Geometry`: how geometries arrive from Arrow
//! tables (GeoArrow `geoarrow.wkb`, GeoPandas' `to_arrow`).
//!
//! Written here rather than taken from a crate: the georust `wkb` crate
//! reads into `geo-traits` objects (a second geometry model to convert
//! from), and the older `wkb` releases that return `geo-types` are
//! AGPL-licensed. The reader is small and bounded: every count is checked
//! against the bytes left before anything is allocated, and nesting is
//! limited, so a hostile blob can neither exhaust memory nor the stack.
//! Z and M values are read and dropped.

use geo_types::{
    Coord, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint, MultiPolygon,
    Point, Polygon,
};

/// Deepest nesting of collections accepted.
const MAX_DEPTH: u32 = 32;

/// Why a blob is not WKB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WkbError(pub String);

impl std::fmt::Display for WkbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn err<T>(&self, what: &str) -> Result<T, WkbError> {
        Err(WkbError(format!("{what} at byte {}", self.at)))
    }

    fn take(&mut self, n: usize) -> Result<&[u8], WkbError> {
        match self.bytes.get(self.at..self.at.saturating_add(n)) {
            Some(s) if self.at.checked_add(n).is_some() => {
                self.at += n;
                Ok(s)
            }
            _ => self.err("truncated"),
        }
    }

    fn u32(&mut self, little: bool) -> Result<u32, WkbError> {
        let b: [u8; 4] = self.take(4)?.try_into().map_err(|_| WkbError("".into()))?;
        Ok(if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    fn f64(&mut self, little: bool) -> Result<f64, WkbError> {
        let b: [u8; 8] = self.take(8)?.try_into().map_err(|_| WkbError("".into()))?;
        Ok(if little {
            f64::from_le_bytes(b)
        } else {
            f64::from_be_bytes(b)
        })
    }

    /// A count of items at least `min_bytes` long each, checked against the
    /// bytes left.
    fn count(&mut self, little: bool, min_bytes: usize) -> Result<usize, WkbError> {
        let n = self.u32(little)? as usize;
        let left = self.bytes.len() - self.at;
        if n.saturating_mul(min_bytes) > left {
            return self.err(&format!("count {n} exceeds the bytes left ({left})"));
        }
        Ok(n)
    }

    fn coords(&mut self, little: bool, dims: usize) -> Result<Vec<Coord>, WkbError> {
        let n = self.count(little, 8 * dims)?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(self.coord(little, dims)?);
        }
        Ok(out)
    }

    fn coord(&mut self, little: bool, dims: usize) -> Result<Coord, WkbError> {
        let x = self.f64(little)?;
        let y = self.f64(little)?;
        for _ in 2..dims {
            self.f64(little)?;
        }
        Ok(Coord { x, y })
    }

    fn polygon(&mut self, little: bool, dims: usize) -> Result<Polygon, WkbError> {
        let n = self.count(little, 4)?;
        let mut rings = Vec::with_capacity(n);
        for _ in 0..n {
            rings.push(LineString::new(self.coords(little, dims)?));
        }
        let mut rings = rings.into_iter();
        let exterior = rings.next().unwrap_or_else(|| LineString::new(Vec::new()));
        Ok(Polygon::new(exterior, rings.collect()))
    }

    /// A geometry with its own byte order and type word.
    fn geometry(&mut self, depth: u32) -> Result<Geometry, WkbError> {
        if depth > MAX_DEPTH {
            return self.err("collections nested too deeply");
        }
        let little = match self.take(1)?[0] {
            0 => false,
            1 => true,
            b => return self.err(&format!("byte order {b} (not 0 or 1)")),
        };
        let word = self.u32(little)?;
        // Extended WKB: high bits flag Z (0x8000_0000), M (0x4000_0000) and
        // an SRID (0x2000_0000); ISO WKB adds 1000 (Z), 2000 (M), 3000 (ZM).
        let (ewkb_z, ewkb_m) = (word & 0x8000_0000 != 0, word & 0x4000_0000 != 0);
        if word & 0x2000_0000 != 0 {
            self.u32(little)?;
        }
        let iso = word & 0x0FFF_FFFF;
        let (kind, iso_dims) = (iso % 1000, iso / 1000);
        let dims = 2 + match iso_dims {
            0 => usize::from(ewkb_z) + usize::from(ewkb_m),
            1 | 2 => 1,
            3 => 2,
            _ => return self.err(&format!("geometry type {iso}")),
        };
        Ok(match kind {
            1 => {
                let c = self.coord(little, dims)?;
                if c.x.is_nan() && c.y.is_nan() {
                    // The WKB form of an empty point.
                    Geometry::MultiPoint(MultiPoint::new(Vec::new()))
                } else {
                    Geometry::Point(Point(c))
                }
            }
            2 => Geometry::LineString(LineString::new(self.coords(little, dims)?)),
            3 => Geometry::Polygon(self.polygon(little, dims)?),
            4..=7 => {
                let n = self.count(little, 9)?;
                let mut parts = Vec::with_capacity(n);
                for _ in 0..n {
                    parts.push(self.geometry(depth + 1)?);
                }
                self.collect(kind, parts)?
            }
            _ => return self.err(&format!("geometry type {iso}")),
        })
    }

    fn collect(&self, kind: u32, parts: Vec<Geometry>) -> Result<Geometry, WkbError> {
        let wrong = |want: &str| WkbError(format!("a multi-part {want} holds another type"));
        Ok(match kind {
            4 => Geometry::MultiPoint(MultiPoint::new(
                parts
                    .into_iter()
                    .map(|g| match g {
                        Geometry::Point(p) => Ok(p),
                        _ => Err(wrong("point")),
                    })
                    .collect::<Result<_, _>>()?,
            )),
            5 => Geometry::MultiLineString(MultiLineString::new(
                parts
                    .into_iter()
                    .map(|g| match g {
                        Geometry::LineString(l) => Ok(l),
                        _ => Err(wrong("line")),
                    })
                    .collect::<Result<_, _>>()?,
            )),
            6 => Geometry::MultiPolygon(MultiPolygon::new(
                parts
                    .into_iter()
                    .map(|g| match g {
                        Geometry::Polygon(p) => Ok(p),
                        _ => Err(wrong("polygon")),
                    })
                    .collect::<Result<_, _>>()?,
            )),
            _ => Geometry::GeometryCollection(GeometryCollection::new_from(parts)),
        })
    }
}

/// Reads one WKB geometry; bytes after it are an error.
pub fn read(bytes: &[u8]) -> Result<Geometry, WkbError> {
    let mut r = Reader { bytes, at: 0 };
    let g = r.geometry(0)?;
    if r.at != bytes.len() {
        return r.err(&format!("{} bytes after the geometry", bytes.len() - r.at));
    }
    Ok(g)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn le_point(word: u32, coords: &[f64]) -> Vec<u8> {
        let mut v = vec![1];
        v.extend(word.to_le_bytes());
        for c in coords {
            v.extend(c.to_le_bytes());
        }
        v
    }

    #[test]
    fn points_in_every_dimension_and_byte_order() {
        let p = Geometry::Point(Point::new(2.0, 4.0));
        assert_eq!(read(&le_point(1, &[2.0, 4.0])).unwrap(), p);
        assert_eq!(read(&le_point(1001, &[2.0, 4.0, 9.0])).unwrap(), p);
        assert_eq!(read(&le_point(3001, &[2.0, 4.0, 9.0, 1.0])).unwrap(), p);
        assert_eq!(
            read(&le_point(0x8000_0001, &[2.0, 4.0, 9.0])).unwrap(),
            p,
            "EWKB with Z"
        );
        let mut srid = vec![1];
        srid.extend(0x2000_0001u32.to_le_bytes());
        srid.extend(4326u32.to_le_bytes());
        srid.extend(2f64.to_le_bytes());
        srid.extend(4f64.to_le_bytes());
        assert_eq!(read(&srid).unwrap(), p, "EWKB with an SRID");
        let mut be = vec![0];
        be.extend(1u32.to_be_bytes());
        be.extend(2f64.to_be_bytes());
        be.extend(4f64.to_be_bytes());
        assert_eq!(read(&be).unwrap(), p);
    }

    #[test]
    fn a_multipolygon_with_a_hole() {
        let mut v = vec![1];
        v.extend(6u32.to_le_bytes());
        v.extend(1u32.to_le_bytes());
        v.push(1);
        v.extend(3u32.to_le_bytes());
        v.extend(2u32.to_le_bytes());
        for ring in [
            &[(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 0.0)][..],
            &[(1.0, 1.0), (2.0, 1.0), (1.0, 2.0), (1.0, 1.0)][..],
        ] {
            v.extend((ring.len() as u32).to_le_bytes());
            for (x, y) in ring {
                v.extend(f64::to_le_bytes(*x));
                v.extend(f64::to_le_bytes(*y));
            }
        }
        let Geometry::MultiPolygon(mp) = read(&v).unwrap() else {
            panic!("not a multipolygon")
        };
        assert_eq!(mp.0.len(), 1);
        assert_eq!(mp.0[0].interiors().len(), 1);
        assert_eq!(mp.0[0].exterior().0[2], Coord { x: 4.0, y: 4.0 });
    }

    #[test]
    fn hostile_blobs_are_errors_not_allocations() {
        assert!(read(&[]).is_err());
        assert!(read(&[7]).is_err());
        // A line claiming 2³²−1 points in a few bytes.
        let mut v = vec![1];
        v.extend(2u32.to_le_bytes());
        v.extend(u32::MAX.to_le_bytes());
        assert!(read(&v).unwrap_err().0.contains("exceeds"));
        // Trailing bytes, unknown types, deep nesting.
        let mut p = le_point(1, &[0.0, 0.0]);
        p.push(0);
        assert!(read(&p).is_err());
        assert!(read(&le_point(17, &[0.0, 0.0])).is_err());
        let mut deep = Vec::new();
        for _ in 0..40 {
            deep.push(1);
            deep.extend(7u32.to_le_bytes());
            deep.extend(1u32.to_le_bytes());
        }
        deep.extend(le_point(1, &[0.0, 0.0]));
        assert!(read(&deep).unwrap_err().0.contains("nested"));
    }
}

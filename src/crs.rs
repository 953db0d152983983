//! Coordinate reference systems: resolving a layer's CRS and reprojecting it
//! to WGS 84 longitude/latitude, in which every later stage works (distances
//! are then geodesic, whatever the input projection).
//!
//! A CRS is given as an EPSG code (`EPSG:26191`, `26191`, an OGC URN such as
//! `urn:ogc:def:crs:EPSG::26191`), a PROJ string (`+proj=utm +zone=31 …`), or
//! WKT (a shapefile's `.prj`, OGC or ESRI flavour, WKT1 or WKT2). EPSG
//! definitions come from the `crs-definitions` table (the PROJ.4 strings of
//! the EPSG database, with their `towgs84` datum shifts); the transformation
//! is `proj4rs`, a Rust port of PROJ's.
//!
//! WKT is resolved by its EPSG authority where it has one, otherwise by name
//! against the EPSG table (ESRI names such as `Nord_Maroc` on datum
//! `GCS_Merchich`, or `WGS_1984_UTM_Zone_29N`, are normalised first). A WKT
//! that matches nothing is an error asking the user to declare the CRS: the
//! engine never guesses a datum.

use std::collections::HashMap;
use std::sync::OnceLock;

use proj4rs::proj::Proj;
use thiserror::Error;

/// Why a CRS could not be used.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum CrsError {
    /// The text is not a CRS the engine can resolve.
    #[error("cannot resolve CRS `{text}`: {reason}")]
    Unresolved {
        /// The CRS as given (shortened).
        text: String,
        /// Why.
        reason: String,
    },
    /// A coordinate failed to transform.
    #[error("coordinate ({x}, {y}) cannot be transformed from {crs}: {reason}")]
    Transform {
        /// CRS label.
        crs: String,
        /// Input easting / longitude.
        x: f64,
        /// Input northing / latitude.
        y: f64,
        /// Transformation error.
        reason: String,
    },
}

/// A resolved coordinate reference system.
#[derive(Debug, Clone)]
pub struct Crs {
    label: String,
    proj: Proj,
    geographic: bool,
    wgs84: bool,
}

fn shorten(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(80).collect::<String>())
    } else {
        s.to_string()
    }
}

fn unresolved(text: &str, reason: impl Into<String>) -> CrsError {
    CrsError::Unresolved {
        text: shorten(text),
        reason: reason.into(),
    }
}

impl Crs {
    /// WGS 84 longitude/latitude (EPSG:4326 in lon/lat order, as RFC 7946).
    pub fn wgs84() -> Crs {
        Crs::from_epsg(4326).expect("EPSG:4326 is in the table")
    }

    /// The CRS with EPSG code `code`.
    pub fn from_epsg(code: u32) -> Result<Crs, CrsError> {
        let text = format!("EPSG:{code}");
        let def = u16::try_from(code)
            .ok()
            .and_then(crs_definitions::from_code)
            .ok_or_else(|| unresolved(&text, "not in the EPSG table"))?;
        let proj = Proj::from_proj_string(def.proj4)
            .map_err(|e| unresolved(&text, format!("definition not supported: {e}")))?;
        Ok(Crs {
            geographic: proj.is_latlong(),
            wgs84: code == 4326,
            label: format!("EPSG:{code}"),
            proj,
        })
    }

    /// Parses a CRS as a user or a file gives it (see the module docs).
    pub fn parse(text: &str) -> Result<Crs, CrsError> {
        let t = text.trim().trim_start_matches('\u{feff}');
        if let Some(code) = epsg_code_of_identifier(t) {
            return Crs::from_epsg(code);
        }
        let upper = t.to_ascii_uppercase();
        if upper.ends_with("CRS84") || upper.ends_with("CRS:84") {
            return Crs::from_epsg(4326);
        }
        if t.starts_with('+') {
            // PROJ strings are ASCII (the parser slices bytes as characters).
            if let Some(c) = t.chars().find(|c| !c.is_ascii()) {
                return Err(unresolved(
                    t,
                    format!("not a usable PROJ string: it holds the non-ASCII character {c:?}"),
                ));
            }
            let proj = Proj::from_proj_string(t)
                .map_err(|e| unresolved(t, format!("not a usable PROJ string: {e}")))?;
            return Ok(Crs {
                geographic: proj.is_latlong(),
                wgs84: false,
                label: t.to_string(),
                proj,
            });
        }
        if t.contains('[') {
            return Crs::from_wkt(t);
        }
        Err(unresolved(
            t,
            "expected EPSG:<code>, a PROJ string (+proj=…) or WKT",
        ))
    }

    /// Resolves WKT (OGC or ESRI, WKT1 or WKT2) by its EPSG authority, or by
    /// its name against the EPSG table.
    pub fn from_wkt(wkt: &str) -> Result<Crs, CrsError> {
        let top = parse_wkt_top(wkt).ok_or_else(|| unresolved(wkt, "not WKT"))?;
        if let Some(code) = top.epsg {
            return Crs::from_epsg(code);
        }
        let index = name_index();
        for key in top.name_keys() {
            if let Some(&code) = index.get(&key) {
                let mut crs = Crs::from_epsg(code as u32)?;
                crs.label = format!("EPSG:{code} (matched by name `{}`)", top.name);
                return Ok(crs);
            }
        }
        Err(unresolved(
            wkt,
            format!("`{}` has no EPSG code and matches no EPSG name", top.name),
        ))
    }

    /// Short description: `EPSG:26191`, or the PROJ string.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// True for longitude/latitude CRSs.
    pub fn is_geographic(&self) -> bool {
        self.geographic
    }

    /// True for WGS 84 itself (no transformation needed).
    pub fn is_wgs84(&self) -> bool {
        self.wgs84
    }

    /// Transforms one coordinate (degrees for geographic CRSs, else the
    /// CRS's linear unit) to WGS 84 longitude/latitude in degrees.
    pub fn to_wgs84(&self, x: f64, y: f64) -> Result<(f64, f64), CrsError> {
        if self.wgs84 {
            return Ok((x, y));
        }
        let err = |reason: String| CrsError::Transform {
            crs: self.label.clone(),
            x,
            y,
            reason,
        };
        let mut p = if self.geographic {
            (x.to_radians(), y.to_radians(), 0.0)
        } else {
            (x, y, 0.0)
        };
        proj4rs::transform::transform(&self.proj, wgs84_proj(), &mut p)
            .map_err(|e| err(e.to_string()))?;
        let (lon, lat) = (p.0.to_degrees(), p.1.to_degrees());
        if lon.is_finite() && lat.is_finite() && lat.abs() <= 90.0 {
            Ok((lon, lat))
        } else {
            Err(err(format!("result ({lon}, {lat}) is not a position")))
        }
    }
    /// Transforms WGS 84 longitude/latitude (degrees) to this CRS (degrees
    /// for geographic CRSs, else the CRS's linear unit): the inverse of
    /// [`Crs::to_wgs84`].
    pub fn from_wgs84(&self, lon: f64, lat: f64) -> Result<(f64, f64), CrsError> {
        if self.wgs84 {
            return Ok((lon, lat));
        }
        let err = |reason: String| CrsError::Transform {
            crs: "EPSG:4326".into(),
            x: lon,
            y: lat,
            reason,
        };
        let mut p = (lon.to_radians(), lat.to_radians(), 0.0);
        proj4rs::transform::transform(wgs84_proj(), &self.proj, &mut p)
            .map_err(|e| err(e.to_string()))?;
        let (x, y) = if self.geographic {
            (p.0.to_degrees(), p.1.to_degrees())
        } else {
            (p.0, p.1)
        };
        if x.is_finite() && y.is_finite() {
            Ok((x, y))
        } else {
            Err(err(format!(
                "result ({x}, {y}) is not finite in {}",
                self.label
            )))
        }
    }
}

fn wgs84_proj() -> &'static Proj {
    static P: OnceLock<Proj> = OnceLock::new();
    P.get_or_init(|| {
        Proj::from_proj_string(crs_definitions::EPSG_4326.proj4).expect("WGS 84 definition")
    })
}

/// `EPSG:26191`, `epsg:26191`, `26191`, `urn:ogc:def:crs:EPSG::26191`,
/// `urn:ogc:def:crs:EPSG:6.6:26191`, `http://www.opengis.net/def/crs/EPSG/0/26191`.
fn epsg_code_of_identifier(t: &str) -> Option<u32> {
    if let Ok(c) = t.parse::<u32>() {
        return Some(c);
    }
    let lower = t.to_ascii_lowercase();
    let rest = if let Some(r) = lower.strip_prefix("epsg:") {
        r
    } else if lower.contains("epsg") && (lower.starts_with("urn:") || lower.starts_with("http")) {
        lower.rsplit([':', '/']).next()?
    } else {
        return None;
    };
    rest.trim().parse().ok()
}

/// The top-level element of a WKT string: its keyword, name and EPSG
/// authority, and the name of its geographic base.
#[derive(Debug, Default)]
struct WktTop {
    keyword: String,
    name: String,
    base_name: Option<String>,
    epsg: Option<u32>,
}

impl WktTop {
    /// Normalised names to look up: the name itself and, for projected
    /// CRSs, the base datum's name followed by it (ESRI's `Nord_Maroc` on
    /// `GCS_Merchich` is EPSG's `Merchich / Nord Maroc`).
    fn name_keys(&self) -> Vec<String> {
        let mut keys = vec![normalise_name(&self.name)];
        if let Some(base) = &self.base_name {
            if self.keyword.starts_with("PROJ") {
                keys.push(format!(
                    "{}{}",
                    normalise_name(base),
                    normalise_name(&self.name)
                ));
            }
        }
        keys
    }
}

/// Lower-case alphanumerics, with ESRI's spellings mapped to EPSG's.
fn normalise_name(name: &str) -> String {
    let mut s: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if let Some(r) = s.strip_prefix("gcs") {
        s = r.to_string();
    }
    s.replace("wgs1984", "wgs84")
}

/// Splits WKT into tokens and reads the top element: `KEYWORD["name", …]`,
/// the `AUTHORITY["EPSG","n"]` / `ID["EPSG",n]` at depth 1, and the name of
/// the first nested `GEOGCS` / `BASEGEOGCRS` / `BASEGEODCRS`.
fn parse_wkt_top(wkt: &str) -> Option<WktTop> {
    let wkt = wkt.trim();
    let open = wkt.find(['[', '('])?;
    let mut top = WktTop {
        keyword: wkt[..open].trim().to_ascii_uppercase(),
        ..Default::default()
    };
    let mut depth = 0usize;
    let mut keyword = String::new();
    let mut stack: Vec<String> = Vec::new();
    let mut chars = wkt.char_indices().peekable();
    // (keyword, depth at which its arguments are, arguments read so far)
    let mut pending_auth: Option<(usize, Vec<String>)> = None;
    while let Some((_, c)) = chars.next() {
        match c {
            '[' | '(' => {
                depth += 1;
                stack.push(std::mem::take(&mut keyword).trim().to_ascii_uppercase());
                let k = stack.last().cloned().unwrap_or_default();
                if (k == "AUTHORITY" || k == "ID") && depth == 2 {
                    pending_auth = Some((depth, Vec::new()));
                }
            }
            ']' | ')' => {
                if let Some((d, args)) = &pending_auth {
                    if *d == depth {
                        if args.first().is_some_and(|a| a.eq_ignore_ascii_case("EPSG")) {
                            top.epsg = args.get(1).and_then(|a| a.trim().parse().ok());
                        }
                        pending_auth = None;
                    }
                }
                depth = depth.checked_sub(1)?;
                stack.pop();
                keyword.clear();
            }
            '"' => {
                let mut s = String::new();
                while let Some((_, c)) = chars.next() {
                    if c == '"' {
                        if chars.peek().map(|p| p.1) == Some('"') {
                            chars.next();
                            s.push('"');
                            continue;
                        }
                        break;
                    }
                    s.push(c);
                }
                let current = stack.last().map(String::as_str).unwrap_or("");
                if depth == 1 && top.name.is_empty() {
                    top.name = s.clone();
                } else if depth == 2
                    && top.base_name.is_none()
                    && matches!(current, "GEOGCS" | "BASEGEOGCRS" | "BASEGEODCRS")
                {
                    top.base_name = Some(s.clone());
                }
                if let Some((d, args)) = &mut pending_auth {
                    if *d == depth {
                        args.push(s);
                    }
                }
            }
            ',' => {
                keyword.clear();
            }
            c => {
                if let Some((d, args)) = &mut pending_auth {
                    // Unquoted WKT2 code: ID["EPSG",26191].
                    if *d == depth && (c.is_ascii_digit()) {
                        let mut n = c.to_string();
                        while let Some(&(_, d2)) = chars.peek() {
                            if d2.is_ascii_digit() {
                                n.push(d2);
                                chars.next();
                            } else {
                                break;
                            }
                        }
                        args.push(n);
                        continue;
                    }
                }
                keyword.push(c);
            }
        }
    }
    (depth == 0 && !top.name.is_empty()).then_some(top)
}

/// Normalised EPSG names → code, built once from the EPSG table. Where two
/// codes share a name the lower one wins.
fn name_index() -> &'static HashMap<String, u16> {
    static INDEX: OnceLock<HashMap<String, u16>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut m = HashMap::new();
        for code in 0..=u16::MAX {
            let Some(def) = crs_definitions::from_code(code) else {
                continue;
            };
            // The name is the first quoted string of the top element.
            if let Some(name) = def.wkt.split('"').nth(1) {
                m.entry(normalise_name(name)).or_insert(code);
            }
        }
        m
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ESRI_26191: &str = r#"PROJCS["Nord_Maroc",GEOGCS["GCS_Merchich",DATUM["D_Merchich",SPHEROID["Clarke_1880_IGN",6378249.2,293.466021293627]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Lambert_Conformal_Conic"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",300000.0],PARAMETER["Central_Meridian",-5.4],PARAMETER["Standard_Parallel_1",33.3],PARAMETER["Scale_Factor",0.999625769],PARAMETER["Latitude_Of_Origin",33.3],UNIT["Meter",1.0]]"#;

    #[test]
    fn identifiers() {
        for t in [
            "EPSG:26191",
            "epsg:26191",
            "26191",
            "urn:ogc:def:crs:EPSG::26191",
            "http://www.opengis.net/def/crs/EPSG/0/26191",
        ] {
            assert_eq!(Crs::parse(t).unwrap().label(), "EPSG:26191", "{t}");
        }
        assert!(Crs::parse("urn:ogc:def:crs:OGC:1.3:CRS84")
            .unwrap()
            .is_wgs84());
        assert!(Crs::parse("EPSG:99999999").is_err());
        assert!(Crs::parse("Lambert").is_err());
    }

    #[test]
    fn wkt_by_authority_and_by_esri_name() {
        let ogc = crs_definitions::EPSG_30731.wkt;
        assert_eq!(Crs::parse(ogc).unwrap().label(), "EPSG:30731");
        let wkt2 = r#"PROJCRS["Merchich / Sud Maroc",BASEGEOGCRS["Merchich",DATUM["Merchich"]],CONVERSION["x",METHOD["y"]],ID["EPSG",26192]]"#;
        assert_eq!(Crs::parse(wkt2).unwrap().label(), "EPSG:26192");
        let esri = Crs::parse(ESRI_26191).unwrap();
        assert!(esri.label().starts_with("EPSG:26191"), "{}", esri.label());
        let esri_utm = r#"PROJCS["WGS_1984_UTM_Zone_29N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]]]]"#;
        assert!(Crs::parse(esri_utm)
            .unwrap()
            .label()
            .starts_with("EPSG:32629"));
        let unknown = r#"PROJCS["My_Local_Grid",GEOGCS["GCS_Nowhere"]]"#;
        let e = Crs::parse(unknown).unwrap_err().to_string();
        assert!(e.contains("My_Local_Grid"), "{e}");
    }

    #[test]
    fn nord_maroc_origin() {
        // The projection origin maps to (-5.4°, 33.3°) on Merchich; the
        // Merchich → WGS 84 shift (31, 146, 47 m) moves it by ~150 m.
        let c = Crs::from_epsg(26191).unwrap();
        let (lon, lat) = c.to_wgs84(500_000.0, 300_000.0).unwrap();
        assert!((lon - -5.398408087).abs() < 1e-8, "{lon}");
        assert!((lat - 33.297381179).abs() < 1e-8, "{lat}");
    }
}

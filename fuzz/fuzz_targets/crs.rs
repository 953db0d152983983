//! `Crs::parse` on any text (EPSG identifiers, PROJ strings, WKT); a CRS that
//! parses then transforms a few points, finite and not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use remoteness::crs::Crs;

const POINTS: &[(f64, f64)] = &[
    (0.0, 0.0),
    (-7.5, 29.7),
    (9.5, 47.1),
    (500_000.0, 300_000.0),
    (-180.0, -90.0),
    (180.0, 90.0),
    (1.0e7, -1.0e7),
    (f64::NAN, 0.0),
    (f64::INFINITY, f64::NEG_INFINITY),
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let crs = Crs::parse(&text);
    fuzz_support::report("Crs::parse", &crs);
    let Ok(crs) = crs else {
        return;
    };
    let _ = (crs.label(), crs.is_geographic(), crs.is_wgs84());
    for &(x, y) in POINTS {
        fuzz_support::report("to_wgs84", &crs.to_wgs84(x, y));
    }
});

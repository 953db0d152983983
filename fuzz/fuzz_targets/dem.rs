//! `terrain::geotiff::from_bytes` on any bytes (a GeoTIFF DEM); a DEM that
//! reads is then sampled at a few positions and a leg is timed across it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use remoteness::model::LonLat;
use remoteness::terrain::{geotiff, Terrain};
use remoteness::units::{KmPerHour, Meters};

fuzz_target!(|data: &[u8]| {
    let dem = geotiff::from_bytes(data);
    fuzz_support::report("geotiff::from_bytes", &dem);
    let Ok(dem) = dem else {
        return;
    };
    let g = dem.geotransform();
    let (w, h) = dem.size();
    let centre = (g[0] + g[1] * w as f64 / 2.0, g[3] + g[5] * h as f64 / 2.0);
    let points = [
        LonLat::new(0.0, 0.0),
        LonLat::new(-51.2, -30.05),
        LonLat::new(centre.0.clamp(-180.0, 180.0), centre.1.clamp(-90.0, 90.0)),
        LonLat::new(g[0].clamp(-180.0, 180.0), g[3].clamp(-90.0, 90.0)),
    ];
    for p in points {
        let _ = dem.elevation(p);
    }
    let t = Terrain::new(dem, 30.0);
    let _ = t.leg(KmPerHour(3.5), points[2], points[3], Meters(1000.0));
});

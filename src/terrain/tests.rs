//! Hand-worked times on synthetic DEMs, and the reader's errors.

use tiff::encoder::colortype::{Gray32Float, GrayI16};

use super::*;
use crate::geometry::EARTH_RADIUS_M;

/// Degrees of longitude per metre along the equator (haversine there is
/// exactly `R·Δλ`).
fn deg(m: f64) -> f64 {
    (m / EARTH_RADIUS_M).to_degrees()
}

/// A ramp along the equator rising 30 % eastwards from lon 0: 400 columns
/// of 10 m, 3 rows, Float32. Bilinear interpolation of a linear surface is
/// exact, so every step of a leg along the equator climbs 0.3 m per metre.
fn ramp() -> Vec<u8> {
    let (w, h) = (400u32, 3u32);
    let px = deg(10.0);
    let values: Vec<f32> = (0..h)
        .flat_map(|_| (0..w).map(|c| (0.3 * 10.0 * (c as f64 + 0.5)) as f32))
        .collect();
    let geo = [0.0, px, 0.0, 1.5 * px, 0.0, -px];
    geotiff::write::<Gray32Float>(w, h, &values, geo, 4326, None).unwrap()
}

fn on_equator(m: f64) -> LonLat {
    LonLat::new(deg(m), 0.0)
}

#[test]
fn thirty_percent_slope_by_hand() {
    let dem = geotiff::from_bytes(&ramp()).unwrap();
    assert_eq!(dem.size(), (400, 3));
    // Pixel centre 100 sits 1005 m east: 301.5 m up.
    let e = dem.elevation(on_equator(1005.0)).unwrap();
    assert!((e - 301.5).abs() < 1e-3, "{e}");
    let t = Terrain::new(dem, DEFAULT_STEP_M);
    let walk = KmPerHour(3.5);
    let (a, b) = (on_equator(1000.0), on_equator(2000.0));
    let d = Meters(1000.0);
    // Flat 3.5 km/h = 0.97222 m/s. Up 30 %: Tobler 6·e^(−3.5·0.35) =
    // 1.7625 km/h, over Tobler's flat 6·e^(−0.175) = 5.0367 km/h: ×
    // e^(−1.05) = 0.349938, so 0.340217 m/s and 1000 m in 2939.30 s.
    // Down 30 %: 6·e^(−3.5·0.25) = 2.5012 km/h, × e^(−0.7) = 0.496585,
    // so 0.482791 m/s and 1000 m in 2071.29 s.
    let up = t.leg(walk, a, b, d).0;
    let down = t.leg(walk, b, a, d).0;
    assert!((up - 2939.30).abs() < 0.05, "uphill {up}");
    assert!((down - 2071.29).abs() < 0.05, "downhill {down}");
    // The flat time, 1028.57 s, is what the leg takes without a DEM.
    assert!((walk.time_for(d).0 - 1028.57).abs() < 0.01);
    assert_eq!(t.flat_legs(), 0);
    // A walked length longer than the straight line (circuity) scales the
    // time; the slope stays the straight line's.
    let long = t.leg(walk, a, b, Meters(1500.0)).0;
    assert!((long - 1.5 * up).abs() < 1e-6);
}

#[test]
fn a_leg_leaving_the_dem_is_flat_and_counted() {
    let t = Terrain::new(geotiff::from_bytes(&ramp()).unwrap(), DEFAULT_STEP_M);
    let walk = KmPerHour(3.5);
    let (a, b) = (on_equator(3500.0), on_equator(4500.0));
    assert_eq!(
        t.leg(walk, a, b, Meters(1000.0)),
        walk.time_for(Meters(1000.0))
    );
    assert_eq!(t.flat_legs(), 1);
    // North of the raster (its rows span ±15 m of the equator).
    let north = LonLat::new(deg(1000.0), deg(100.0));
    assert_eq!(
        t.leg(walk, north, a, Meters(10.0)),
        walk.time_for(Meters(10.0))
    );
    assert_eq!(t.flat_legs(), 2);
}

#[test]
fn int16_with_nodata_and_projected_crs() {
    // UTM 29N (Tata's zone), 4 × 2 pixels of 100 m; −32768 is no data.
    let values: Vec<i16> = vec![400, 410, 420, -32768, 500, 510, 520, 530];
    let geo = [500_000.0, 100.0, 0.0, 3_300_000.0, 0.0, -100.0];
    let bytes = geotiff::write::<GrayI16>(4, 2, &values, geo, 32629, Some(-32768.0)).unwrap();
    let dem = geotiff::from_bytes(&bytes).unwrap();
    assert_eq!(dem.crs().label(), "EPSG:32629");
    assert_eq!(dem.pixel(3, 0), None);
    assert_eq!(dem.pixel(2, 1), Some(520.0));
    // The centre of pixel (1, 1) is at (500150, 3299850).
    let (lon, lat) = dem.crs().to_wgs84(500_150.0, 3_299_850.0).unwrap();
    let e = dem.elevation(LonLat::new(lon, lat)).unwrap();
    assert!((e - 510.0).abs() < 1e-3, "{e}");
}

#[test]
fn bad_files_are_errors_not_panics() {
    assert!(geotiff::from_bytes(b"").unwrap_err().contains("not a TIFF"));
    assert!(geotiff::from_bytes(b"II*\0garbage").is_err());
    let good = ramp();
    for cut in [8, 64, good.len() / 2, good.len() - 10] {
        assert!(geotiff::from_bytes(&good[..cut]).is_err(), "cut at {cut}");
    }
    // No georeferencing.
    let mut out = std::io::Cursor::new(Vec::new());
    tiff::encoder::TiffEncoder::new(&mut out)
        .unwrap()
        .write_image::<Gray32Float>(2, 2, &[1.0; 4])
        .unwrap();
    let err = geotiff::from_bytes(&out.into_inner()).unwrap_err();
    assert!(err.contains("no georeferencing"), "{err}");
}

#[test]
fn declared_sizes_are_checked_before_allocating() {
    // A 60000 × 60000 Float32 raster declared in a few hundred bytes.
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut enc = tiff::encoder::TiffEncoder::new(&mut out).unwrap();
        let img = enc.new_image::<Gray32Float>(1, 1).unwrap();
        img.write_data(&[1.0]).unwrap();
    }
    let mut bytes = out.into_inner();
    // Patch ImageWidth and ImageLength (stored inline) to 60000.
    let n = bytes.len();
    let ifd = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
    let count = u16::from_le_bytes(bytes[ifd..ifd + 2].try_into().unwrap()) as usize;
    for k in 0..count {
        let e = ifd + 2 + 12 * k;
        let tag = u16::from_le_bytes(bytes[e..e + 2].try_into().unwrap());
        if tag == 256 || tag == 257 {
            let ty = u16::from_le_bytes(bytes[e + 2..e + 4].try_into().unwrap());
            match ty {
                3 => bytes[e + 8..e + 10].copy_from_slice(&60000u16.to_le_bytes()),
                _ => bytes[e + 8..e + 12].copy_from_slice(&60000u32.to_le_bytes()),
            }
        }
    }
    assert_eq!(bytes.len(), n);
    let err = geotiff::from_bytes(&bytes).unwrap_err();
    assert!(err.contains("declares") || err.contains("cells"), "{err}");
}

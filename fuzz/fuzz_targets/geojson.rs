//! A `.geojson` layer: parse, CRS (`crs` member), reprojection, then every
//! role reader on its features.
#![no_main]

use libfuzzer_sys::fuzz_target;
use remoteness::load::formats::read_layer;

fuzz_target!(|data: &[u8]| {
    let path = fuzz_support::write("layer.geojson", data);
    let spec = fuzz_support::spec(&path, &[]);
    let layer = read_layer(&spec, None);
    fuzz_support::report("read_layer", &layer);
    if let Ok(layer) = layer {
        fuzz_support::roles(&layer.features, &path);
    }
});

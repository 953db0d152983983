//! An `.osm.pbf` extract through the OSM loader (default tag table), then
//! the seasons its passability tags give.
#![no_main]

use libfuzzer_sys::fuzz_target;
use remoteness::load::osm::read_pbf;
use remoteness::scenario::seasons_from_osm;

fuzz_target!(|data: &[u8]| {
    let path = fuzz_support::write("extract.osm.pbf", data);
    let osm = read_pbf(&path, fuzz_support::osm_tags());
    fuzz_support::report("read_pbf", &osm);
    if let Ok(osm) = osm {
        let _ = seasons_from_osm(&osm.roads);
    }
});

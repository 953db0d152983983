//! A `.csv` file as a point layer (lon/lat columns found by name), as a
//! plain table (`read_table`), and as a census table joined to zones.
#![no_main]

use libfuzzer_sys::fuzz_target;
use remoteness::config::CensusSpec;
use remoteness::load::census::join_census;
use remoteness::load::formats::{csv::read_table, read_layer};
use remoteness::load::Diagnostics;

fuzz_target!(|data: &[u8]| {
    let path = fuzz_support::write("layer.csv", data);
    let spec = fuzz_support::spec(&path, &[]);
    let layer = read_layer(&spec, None);
    fuzz_support::report("read_layer", &layer);
    if let Ok(layer) = layer {
        fuzz_support::roles(&layer.features, &path);
    }
    fuzz_support::report("read_table all", &read_table(&path, &[]));
    fuzz_support::report(
        "read_table census",
        &read_table(&path, &["code", "population_2024"]),
    );
    let census = CensusSpec {
        path: path.clone(),
        key_field: "code".into(),
        population_field: "population_2024".into(),
    };
    let zone_spec = fuzz_support::spec(&path, &[("key", "code")]);
    let mut diags = Diagnostics::default();
    fuzz_support::report(
        "join_census",
        &join_census(&mut [], &zone_spec, &census, &mut diags),
    );
});

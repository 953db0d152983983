//! A scenario file through `read_scenarios`, checked against the default
//! services and profiles and one season defined outside the file.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use remoteness::scenario::{read_scenarios, Known};

fn known() -> &'static Known {
    static KNOWN: OnceLock<Known> = OnceLock::new();
    KNOWN.get_or_init(|| {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        Known {
            services: names(&["health", "school", "water", "power"]),
            profiles: names(&["walk", "drive"]),
            seasons: names(&["wet"]),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let path = fuzz_support::write("scenarios.toml", data);
    fuzz_support::report("read_scenarios", &read_scenarios(&path, known()));
});

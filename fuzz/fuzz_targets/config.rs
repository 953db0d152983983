//! Config TOML: parse into `RawConfig`, then validate with `Settings::from_raw`.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use remoteness::config::{RawConfig, Settings};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let raw = toml::from_str::<RawConfig>(text);
    fuzz_support::report("toml", &raw);
    let Ok(raw) = raw else {
        return;
    };
    let settings = Settings::from_raw(raw, fuzz_support::scratch_dir(), Path::new("fuzz.toml"));
    fuzz_support::report("Settings::from_raw", &settings);
});

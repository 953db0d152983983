//! Integration tests, one module per area.

mod bad_input;
mod common;
mod crs;
mod determinism;
mod examples;
mod model;
mod ogr;
mod outputs;
mod peers;
mod search;
mod travel;

//! Integration tests, one module per area.

mod bad_input;
mod bounded;
mod catchment;
mod common;
mod corpus;
mod crs;
mod determinism;
mod examples;
mod fuzz_regressions;
mod gravity;
mod init;
mod measures;
mod model;
mod ogr;
mod outputs;
mod peers;
mod placement;
mod qgis;
mod reliability;
mod report;
mod scenario_file;
mod scenarios;
mod search;
mod seasons;
mod terrain;
mod travel;

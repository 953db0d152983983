//! Integration tests, one module per area.

mod bad_input;
mod bounded;
mod catchment;
mod common;
mod determinism;
mod examples;
mod gravity;
mod measures;
mod model;
mod peers;
mod search;
mod travel;

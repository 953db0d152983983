//! Shortest-path searches over a [`crate::index::Csr`] graph.
//!
//! [`multi_source`] is the one search the engine runs per (service, profile):
//! every facility seeds it at its own starting cost, so one pass yields the
//! nearest facility of every node.

pub mod access;
pub mod dijkstra;

pub use dijkstra::{multi_source, Seed, ShortestPaths, NO_SOURCE};

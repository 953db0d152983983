//! Shortest-path searches over a [`crate::index::Csr`] graph.
//!
//! [`multi_source`] is the one search the engine runs per (service, profile):
//! every facility seeds it at its own starting cost, so one pass yields the
//! nearest facility of every node. It runs Dijkstra's algorithm on a
//! two-level bucket queue ([`queue`]); [`multi_source_reference`] is the plain
//! binary-heap version, kept as the reference it is tested against (their
//! results are equal bit for bit). For many searches on one graph,
//! [`ch::Hierarchy`] answers each one in about one pass over the arcs after
//! a one-off build. Catchment and gravity cost rows run one search per
//! facility stopped at a cutoff: [`bounded`] on the whole graph, [`core`](mod@self::core)
//! on the graph's core for the settlements' exit nodes (the same times
//! there, bit for bit, for a fraction of the work).

pub mod access;
pub mod bounded;
pub mod ch;
pub mod context;
pub mod core;
pub mod dijkstra;
pub mod fast;
pub mod queue;
pub mod trip;

pub use dijkstra::{multi_source_reference, Seed, ShortestPaths, NO_SOURCE};
pub use fast::multi_source;

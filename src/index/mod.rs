//! Indices: the road network and its per-profile graphs, and R-trees for
//! snapping places to roads, nearest facilities and zone lookup.
//!
//! * [`network`] — nodes and segments shared by every profile, and the
//!   network's connected components.
//! * [`graph`] — a compact CSR graph of one profile (u32 ids; travel time and
//!   length per arc), and the same graph in the search's layout.
//! * [`snap`] — an R-tree of a profile's usable segments; snapping to the
//!   nearest point of the nearest segment.
//! * [`points`] — an R-tree of points (facilities) for straight-line queries.
//! * [`barriers`] — an R-tree of barrier edges (rivers, fences, borders,
//!   polygon rings) for crossing tests, and of barrier polygons for
//!   point-in-polygon; [`crossings`] applies them to roads (cut at closed
//!   borders, implied fords) and moves places off them.
//! * [`zones`] — an R-tree of zone bounding boxes with exact point-in-polygon.

pub mod barriers;
pub mod crossings;
pub mod graph;
pub mod network;
pub mod points;
pub mod rpoint;
pub mod snap;
pub mod zones;

pub use barriers::BarrierIndex;
pub use graph::{
    Csr, ProfileGraph, SearchArc, SearchGraph, SegmentEdit, SegmentUse, SegmentUses, SpeedChange,
};
pub use network::{RoadNetwork, Segment};
pub use points::PointIndex;
pub use snap::{SegmentIndex, Snap};
pub use zones::ZoneIndex;

//! The R-tree behind [`super::SegmentIndex`]: one entry per run of
//! consecutive segments of one road (a *chunk*, at most [`MAX_CHUNK`]
//! segments) instead of one per segment, and the walk that visits the
//! segments nearest first through it.
//!
//! An entry per segment cost about 80 bytes (the tree node that holds a
//! leaf is as wide as an inner node), for the few tens of thousands of
//! snaps a run makes over millions of segments. A chunk's entry holds its
//! bounding box and where its vertices start in one array of unit
//! vectors, so a segment costs one vertex (24 bytes) plus its share of
//! the entry.
//!
//! The walk ([`Nearest`]) yields every segment with the squared chord
//! distance rstar's `Line` gives it, in order of that distance: a segment
//! is yielded only once no chunk left in the tree can hold a nearer one,
//! as a chunk's box is no farther than any of its segments. A snap takes
//! the lowest index among the segments within a relative `1e-12` of the
//! nearest, so the order among equal distances does not show: the snaps
//! are those of a tree of single segments (the reference in the tests).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rstar::primitives::Line;
use rstar::{PointDistance, RStarInsertionStrategy, RTreeObject, RTreeParams, AABB};

use super::super::rpoint::Unit3;

/// The most segments one chunk holds. Longer chunks mean fewer entries
/// (less memory) but a looser box and more segments measured per chunk
/// a query opens.
pub const MAX_CHUNK: usize = 16;

/// Wider nodes than rstar's default (6 entries): the Liechtenstein
/// graphs-and-snap stage drops from 42 to 27 ms (64-entry nodes: 23 ms),
/// while each snap visits a few more entries per level. Results do not
/// depend on the layout (ties go to the lowest segment index).
pub struct WideNodes;

impl RTreeParams for WideNodes {
    const MIN_SIZE: usize = 8;
    const MAX_SIZE: usize = 32;
    const REINSERTION_COUNT: usize = 8;
    type DefaultInsertionStrategy = RStarInsertionStrategy;
}

/// A run of consecutive segments of one road: segment `segment + j` runs
/// from vertex `vertex + j` to vertex `vertex + j + 1` of the index's
/// vertex array, for `j < len`.
#[derive(Debug, Clone)]
pub struct Chunk {
    /// The box of its vertices.
    envelope: AABB<Unit3>,
    /// Its first segment's index in the network.
    pub segment: u32,
    /// Its first vertex in the vertex array.
    pub vertex: u32,
    /// Its number of segments (`1..=MAX_CHUNK`).
    pub len: u32,
}

impl Chunk {
    /// The chunk of the `len` segments from `segment` whose vertices start
    /// at `vertex` in `vertices`.
    pub fn new(vertices: &[Unit3], segment: u32, vertex: u32, len: u32) -> Self {
        let own = &vertices[vertex as usize..=(vertex + len) as usize];
        Chunk {
            envelope: AABB::from_points(own),
            segment,
            vertex,
            len,
        }
    }
}

impl RTreeObject for Chunk {
    type Envelope = AABB<Unit3>;

    fn envelope(&self) -> AABB<Unit3> {
        self.envelope
    }
}

impl PointDistance for Chunk {
    /// The squared distance to the box: no more than to any of its
    /// segments.
    fn distance_2(&self, point: &Unit3) -> f64 {
        self.envelope.distance_2(point)
    }
}

/// A segment met by the walk.
#[derive(Debug, Clone, Copy)]
pub struct Met {
    /// Its index in the network.
    pub segment: u32,
    /// Squared chord distance from the query point.
    pub d2: f64,
    /// Its end points' unit vectors, `a` then `b`.
    pub a: [f64; 3],
    /// See `a`.
    pub b: [f64; 3],
}

/// A measured segment waiting in the walk's heap: by distance, then index.
struct Waiting {
    d2: f64,
    segment: u32,
    vertex: u32,
}

impl PartialEq for Waiting {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Waiting {}

impl PartialOrd for Waiting {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Waiting {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.d2
            .total_cmp(&other.d2)
            .then(self.segment.cmp(&other.segment))
    }
}

/// The segments of a chunk tree nearest first from `q`: `chunks` is the
/// tree's nearest-neighbour walk over chunks (by box distance).
pub struct Nearest<'a, I> {
    chunks: std::iter::Fuse<I>,
    vertices: &'a [Unit3],
    q: Unit3,
    /// The next chunk to open, with its box distance.
    next_chunk: Option<(&'a Chunk, f64)>,
    /// Segments of the opened chunks not yet yielded.
    heap: BinaryHeap<Reverse<Waiting>>,
}

impl<'a, I: Iterator<Item = (&'a Chunk, f64)>> Nearest<'a, I> {
    /// The walk from `q` over `chunks` (nearest box first), whose vertices
    /// are `vertices`.
    pub fn new(chunks: I, vertices: &'a [Unit3], q: Unit3) -> Self {
        Nearest {
            chunks: chunks.fuse(),
            vertices,
            q,
            next_chunk: None,
            heap: BinaryHeap::new(),
        }
    }
}

impl<'a, I: Iterator<Item = (&'a Chunk, f64)>> Iterator for Nearest<'a, I> {
    type Item = Met;

    fn next(&mut self) -> Option<Met> {
        loop {
            if self.next_chunk.is_none() {
                self.next_chunk = self.chunks.next();
            }
            // The nearest measured segment goes first unless an unopened
            // chunk's box is nearer: that chunk may hold a nearer segment.
            let ready = match (self.heap.peek(), self.next_chunk) {
                (None, None) => return None,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (Some(Reverse(w)), Some((_, box_d2))) => w.d2 <= box_d2,
            };
            if ready {
                let Reverse(w) = self.heap.pop()?;
                let v = w.vertex as usize;
                return Some(Met {
                    segment: w.segment,
                    d2: w.d2,
                    a: self.vertices[v].0,
                    b: self.vertices[v + 1].0,
                });
            }
            let (chunk, _) = self.next_chunk.take()?;
            for j in 0..chunk.len {
                let v = (chunk.vertex + j) as usize;
                let line = Line::new(self.vertices[v], self.vertices[v + 1]);
                self.heap.push(Reverse(Waiting {
                    d2: line.distance_2(&self.q),
                    segment: chunk.segment + j,
                    vertex: chunk.vertex + j,
                }));
            }
        }
    }
}

//! Point-in-polygon lookup for zones: an R-tree of zone bounding boxes, then
//! an exact `geo::Contains` test on the candidates.

use geo::{BoundingRect, Contains, Intersects};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

use crate::model::{LonLat, Zone};

type BoxEntry = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// Zone polygons indexed by bounding box.
pub struct ZoneIndex<'a> {
    zones: &'a [Zone],
    tree: RTree<BoxEntry>,
}

impl<'a> ZoneIndex<'a> {
    /// Indexes `zones`.
    pub fn build(zones: &'a [Zone]) -> Self {
        let entries = zones
            .iter()
            .enumerate()
            .filter_map(|(i, z)| {
                let r = z.geometry.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i as u32,
                ))
            })
            .collect();
        ZoneIndex {
            zones,
            tree: RTree::bulk_load(entries),
        }
    }

    /// The zone containing `p` (boundary points count as inside); where zones
    /// overlap, the first in input order wins.
    pub fn locate(&self, p: LonLat) -> Option<usize> {
        let pt = geo_types::Point::new(p.lon, p.lat);
        self.tree
            .locate_in_envelope_intersecting(&AABB::from_point([p.lon, p.lat]))
            .map(|e| e.data as usize)
            .filter(|&i| {
                let g = &self.zones[i].geometry;
                g.contains(&pt) || g.intersects(&pt)
            })
            .min()
    }
}

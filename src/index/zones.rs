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

    /// Pairs of zones `(a, b)`, `a < b` in input order, whose overlap
    /// covers at least `min_share` of the smaller one's area (a zone nested
    /// in another covers all of it): where zones overlap, which zone a
    /// settlement falls in depends on their input order. Candidates come
    /// from the bounding boxes' R-tree; shared borders overlap with no area.
    pub fn overlaps(&self, min_share: f64) -> Vec<(usize, usize, f64)> {
        use geo::{Area, BooleanOps};
        use rstar::RTreeObject;
        let mut out = Vec::new();
        for e in self.tree.iter() {
            let a = e.data as usize;
            for c in self
                .tree
                .locate_in_envelope_intersecting(&e.geom().envelope())
            {
                let b = c.data as usize;
                if b <= a {
                    continue;
                }
                let (ga, gb) = (&self.zones[a].geometry, &self.zones[b].geometry);
                let smaller = ga.unsigned_area().min(gb.unsigned_area());
                if smaller <= 0.0 {
                    continue;
                }
                let share = ga.intersection(gb).unsigned_area() / smaller;
                if share >= min_share {
                    out.push((a, b, share));
                }
            }
        }
        out.sort_by_key(|&(a, b, _)| (a, b));
        out
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

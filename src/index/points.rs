//! An R-tree of points for exact great-circle nearest-neighbour queries.

use rstar::primitives::GeomWithData;
use rstar::RTree;

use crate::geometry::{chord_to_meters, meters_to_chord, to_unit};
use crate::model::LonLat;
use crate::units::Meters;

use super::rpoint::Unit3;

type PointEntry = GeomWithData<Unit3, u32>;

/// Points (facilities of one service) indexed on the unit sphere.
pub struct PointIndex {
    tree: RTree<PointEntry>,
}

impl PointIndex {
    /// Indexes `points`; query results are positions in this slice.
    pub fn build(points: &[LonLat]) -> Self {
        let entries = points
            .iter()
            .enumerate()
            .map(|(i, p)| GeomWithData::new(Unit3(to_unit(*p)), i as u32))
            .collect();
        PointIndex {
            tree: RTree::bulk_load(entries),
        }
    }

    /// Indexes the points `(index, position)`; query results are the given
    /// indices.
    pub fn from_indexed(points: impl IntoIterator<Item = (u32, LonLat)>) -> Self {
        let entries = points
            .into_iter()
            .map(|(i, p)| GeomWithData::new(Unit3(to_unit(p)), i))
            .collect();
        PointIndex {
            tree: RTree::bulk_load(entries),
        }
    }

    /// Every point that may lie within `radius` of `p` by great circle: a
    /// superset (a hair of slack against rounding), to be checked exactly
    /// by the caller.
    pub fn within(&self, p: LonLat, radius: Meters) -> impl Iterator<Item = u32> + '_ {
        let r = meters_to_chord(radius) * (1.0 + 1e-9) + 1e-12;
        self.tree
            .locate_within_distance(Unit3(to_unit(p)), r * r)
            .map(|e| e.data)
    }

    /// Every point, nearest first, with the square of its chord distance
    /// on the unit sphere (points at equal distance in the tree's order).
    pub fn nearest_first(&self, p: LonLat) -> impl Iterator<Item = (u32, f64)> + '_ {
        self.tree
            .nearest_neighbor_iter_with_distance_2(&Unit3(to_unit(p)))
            .map(|(e, d2)| (e.data, d2))
    }

    /// The nearest point and its great-circle distance; ties go to the lowest
    /// index.
    pub fn nearest(&self, p: LonLat) -> Option<(u32, Meters)> {
        let q = to_unit(p);
        let mut best: Option<(f64, u32)> = None;
        for (e, d2) in self.tree.nearest_neighbor_iter_with_distance_2(&Unit3(q)) {
            match best {
                Some((bd2, _)) if d2 > bd2 => break,
                Some((_, bi)) if e.data > bi => continue,
                _ => best = Some((d2, e.data)),
            }
        }
        best.map(|(d2, i)| (i, chord_to_meters(d2.sqrt())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::haversine;

    /// Seeded uniform numbers in [0, 1).
    fn uniform(seed: u64) -> impl FnMut() -> f64 {
        let mut rng = crate::test_rng::Lcg::new(seed);
        move || rng.unit()
    }

    #[test]
    fn nearest_matches_brute_force_at_high_latitude_spread() {
        // Points spread over 20°–60° N, where a lon/lat index would misjudge.
        let mut rnd = uniform(12345);
        let pts: Vec<LonLat> = (0..500)
            .map(|_| LonLat::new(-10.0 + 20.0 * rnd(), 20.0 + 40.0 * rnd()))
            .collect();
        let idx = PointIndex::build(&pts);
        for _ in 0..200 {
            let q = LonLat::new(-10.0 + 20.0 * rnd(), 20.0 + 40.0 * rnd());
            let (i, d) = idx.nearest(q).unwrap();
            let best = pts
                .iter()
                .map(|p| haversine(q, *p).0)
                .fold(f64::INFINITY, f64::min);
            assert!((d.0 - best).abs() < 1e-3, "{} vs {best}", d.0);
            assert!((haversine(q, pts[i as usize]).0 - best).abs() < 1e-3);
        }
    }

    #[test]
    fn within_holds_every_point_in_the_radius_and_indices_as_given() {
        let mut rnd = uniform(777);
        let pts: Vec<(u32, LonLat)> = (0..400)
            .map(|i| {
                (
                    1000 + 3 * i,
                    LonLat::new(-9.0 + 2.0 * rnd(), 29.0 + 2.0 * rnd()),
                )
            })
            .collect();
        let idx = PointIndex::from_indexed(pts.iter().copied());
        for _ in 0..50 {
            let q = LonLat::new(-9.0 + 2.0 * rnd(), 29.0 + 2.0 * rnd());
            let r = Meters(5_000.0 + 40_000.0 * rnd());
            let mut got: Vec<u32> = idx
                .within(q, r)
                .filter(|&i| {
                    let p = pts.iter().find(|x| x.0 == i).unwrap().1;
                    haversine(q, p).0 <= r.0
                })
                .collect();
            got.sort_unstable();
            let want: Vec<u32> = pts
                .iter()
                .filter(|(_, p)| haversine(q, *p).0 <= r.0)
                .map(|x| x.0)
                .collect();
            assert_eq!(got, want);
        }
    }
}

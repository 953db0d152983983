//! The node ids a pass wants and the coordinates it found for them, as
//! sorted arrays instead of hash tables.
//!
//! A national extract's roads reference some 8 million nodes. Kept in hash
//! tables (a set of the ids wanted, then a map of the coordinates found),
//! both tables were filled on one thread, one random insertion per node,
//! and took about 70 bytes a node. Here the ids are sorted in parallel and
//! deduplicated once ([`NodeIds::new`]); a node's slot is its rank, found
//! through a directory of buckets of consecutive ids and a binary search
//! inside its bucket; the coordinates are one array by rank
//! ([`NodeCoords`]). 25 bytes a node, and a block's ids (ascending in a
//! sorted file) look up memory in order.

use rayon::prelude::*;

use crate::model::LonLat;

/// Node ids, sorted and unique, with a directory to find one's rank.
#[derive(Debug, Default)]
pub(super) struct NodeIds {
    ids: Vec<i64>,
    /// `dir[b]` is the rank of the first id in bucket `b` or a later one;
    /// bucket `b` holds the ids `id` with `(id - min) >> shift == b`. One
    /// more entry than buckets.
    dir: Vec<usize>,
    shift: u32,
}

/// Ids per bucket of the directory, on average when ids are spread evenly.
const PER_BUCKET: usize = 4;

impl NodeIds {
    /// The distinct ids of `ids`, in any order and with repeats.
    pub(super) fn new(mut ids: Vec<i64>) -> Self {
        ids.par_sort_unstable();
        ids.dedup();
        let (Some(&min), Some(&max)) = (ids.first(), ids.last()) else {
            return Self::default();
        };
        // The span fits in a u64 whatever the ids (two's complement).
        let span = max.wrapping_sub(min) as u64;
        let buckets = (ids.len() / PER_BUCKET).max(1) as u64;
        let shift = (0..64).find(|&s| (span >> s) < buckets).unwrap_or(63);
        let count = (span >> shift) as usize + 1;
        let mut dir = Vec::with_capacity(count + 1);
        for (rank, &id) in ids.iter().enumerate() {
            let b = Self::bucket_of(min, shift, id);
            while dir.len() <= b {
                dir.push(rank);
            }
        }
        dir.resize(count + 1, ids.len());
        Self { ids, dir, shift }
    }

    fn bucket_of(min: i64, shift: u32, id: i64) -> usize {
        (id.wrapping_sub(min) as u64 >> shift) as usize
    }

    /// How many ids.
    pub(super) fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are none.
    pub(super) fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The rank of `id` among the ids, if it is one of them.
    pub(super) fn rank(&self, id: i64) -> Option<usize> {
        self.search(id).ok()
    }

    /// `Ok(rank)` of `id`, or `Err(rank)` of the first id above it.
    fn search(&self, id: i64) -> Result<usize, usize> {
        let (Some(&min), Some(&max)) = (self.ids.first(), self.ids.last()) else {
            return Err(0);
        };
        if id < min {
            return Err(0);
        }
        if id > max {
            return Err(self.ids.len());
        }
        let b = Self::bucket_of(min, self.shift, id);
        let (start, end) = (self.dir[b], self.dir[b + 1]);
        match self.ids[start..end].binary_search(&id) {
            Ok(k) => Ok(start + k),
            Err(k) => Err(start + k),
        }
    }

    /// A cursor for ids asked in ascending order, as a sorted file's
    /// blocks hold them.
    pub(super) fn cursor(&self) -> Cursor<'_> {
        Cursor { ids: self, at: 0 }
    }
}

/// Finds ranks from where the last one was found: an ascending run of ids
/// costs a step or two per id (galloping forward), whatever the directory's
/// buckets hold; an id below the last one is searched from scratch.
pub(super) struct Cursor<'a> {
    ids: &'a NodeIds,
    /// No id below `ids[at]` will be asked next, if ids come in order.
    at: usize,
}

impl Cursor<'_> {
    /// The rank of `id` among the ids, if it is one of them.
    pub(super) fn rank(&mut self, id: i64) -> Option<usize> {
        let ids = &self.ids.ids;
        let found = match ids.get(self.at) {
            Some(&here) if here <= id => {
                // Gallop: ids[lo] <= id, and id < ids[hi] or hi is past the end.
                let (mut lo, mut step) = (self.at, 1usize);
                let hi = loop {
                    let next = lo.saturating_add(step);
                    match ids.get(next) {
                        Some(&x) if x <= id => {
                            lo = next;
                            step = step.saturating_mul(2);
                        }
                        _ => break next.min(ids.len()),
                    }
                };
                match ids[lo..hi].binary_search(&id) {
                    Ok(k) => Ok(lo + k),
                    Err(k) => Err(lo + k),
                }
            }
            _ => self.ids.search(id),
        };
        match found {
            Ok(rank) => {
                self.at = rank;
                Some(rank)
            }
            Err(rank) => {
                self.at = rank;
                None
            }
        }
    }
}

/// Coordinates found for wanted node ids.
#[derive(Debug, Default)]
pub(super) struct NodeCoords {
    ids: NodeIds,
    /// By rank; NaN where the node was not found (a decoded position is
    /// always finite: nanodegrees as an integer, times 1e-9).
    pos: Vec<LonLat>,
}

impl NodeCoords {
    /// No coordinates yet for `ids`.
    pub(super) fn new(ids: NodeIds) -> Self {
        let pos = vec![LonLat::new(f64::NAN, f64::NAN); ids.len()];
        Self { ids, pos }
    }

    /// Whether no node is wanted.
    pub(super) fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The wanted ids, and a function that records that the node of a
    /// rank is at a position (a later record of a node replaces an
    /// earlier one).
    pub(super) fn ids_and_setter(&mut self) -> (&NodeIds, impl FnMut(usize, LonLat) + '_) {
        let pos = &mut self.pos;
        (&self.ids, move |rank: usize, p: LonLat| {
            debug_assert!(p.lon.is_finite() && p.lat.is_finite());
            pos[rank] = p;
        })
    }

    /// Where node `id` is, if it was wanted and found.
    pub(super) fn get(&self, id: i64) -> Option<LonLat> {
        let p = self.pos[self.ids.rank(id)?];
        (!p.lon.is_nan()).then_some(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rustc_hash::{FxHashMap, FxHashSet};

    /// Ids from a few clusters, as OSM ids come (batches of nodes created
    /// together), or anywhere in the i64 range.
    fn ids() -> impl Strategy<Value = Vec<i64>> {
        prop_oneof![
            prop::collection::vec(
                (0i64..4, 0i64..300).prop_map(|(c, k)| c * 10_000_000_000 + k * 7),
                0..400
            ),
            prop::collection::vec(any::<i64>(), 0..200),
            prop::collection::vec(
                prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(0i64), -3i64..3],
                0..20
            ),
        ]
    }

    proptest! {
        /// Against a hash set and a hash map filled in the same order.
        #[test]
        fn same_as_hash_tables(
            wanted in ids(),
            probes in ids(),
            found in prop::collection::vec((any::<prop::sample::Index>(), -180.0f64..180.0), 0..300),
        ) {
            let set: FxHashSet<i64> = wanted.iter().copied().collect();
            let table = NodeIds::new(wanted.clone());
            prop_assert_eq!(table.len(), set.len());
            let mut cursor = table.cursor();
            let mut ascending: Vec<i64> = probes.clone();
            ascending.sort_unstable();
            for &id in wanted.iter().chain(&probes).chain(&ascending) {
                prop_assert_eq!(table.rank(id).is_some(), set.contains(&id), "id {}", id);
                prop_assert_eq!(cursor.rank(id), table.rank(id), "id {} by cursor", id);
            }
            // Ranks are distinct and in order.
            let mut sorted: Vec<i64> = set.iter().copied().collect();
            sorted.sort_unstable();
            for (k, id) in sorted.iter().enumerate() {
                prop_assert_eq!(table.rank(*id), Some(k));
            }
            // Nodes found, some twice: the later one counts.
            let mut map: FxHashMap<i64, LonLat> = FxHashMap::default();
            let mut coords = NodeCoords::new(table);
            if !sorted.is_empty() {
                let (ids, mut set) = coords.ids_and_setter();
                for (i, lon) in &found {
                    let id = sorted[i.index(sorted.len())];
                    let p = LonLat::new(*lon, lon / 2.0);
                    map.insert(id, p);
                    set(ids.rank(id).unwrap(), p);
                }
            }
            for &id in wanted.iter().chain(&probes) {
                prop_assert_eq!(coords.get(id), map.get(&id).copied(), "id {}", id);
            }
        }
    }

    #[test]
    fn empty() {
        let t = NodeIds::new(Vec::new());
        assert!(t.is_empty());
        assert_eq!(t.rank(0), None);
        assert_eq!(NodeCoords::new(t).get(i64::MIN), None);
    }
}

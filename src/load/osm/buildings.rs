//! Settlements from buildings: H3 cells of `building=*` ways, each cell's
//! building count standing for its population (`osm.building_cells`).
//!
//! For extracts whose `place=*` nodes are too few (a city has one). A
//! building is placed at its way's first node (a building is metres across,
//! a cell at resolution 9 a few hundred), so only one node id per building
//! is kept between the passes. The count is a proxy: people per building
//! is a constant factor that scores and ranks do not see, but population
//! totals do.

use h3o::{CellIndex, LatLng, Resolution};
use rayon::prelude::*;

use super::tag;
use crate::model::{LonLat, PopulationSource, Settlement};
use crate::units::Population;

/// Whether a way is a building (`building=*` but `no`).
pub(super) fn is_building<S: AsRef<str>>(tags: &[(S, S)]) -> bool {
    tag(tags, "building").is_some_and(|v| v != "no")
}

/// One settlement per H3 cell at `resolution` holding buildings, at the
/// cell's centre, with the number of buildings as its population, in cell
/// order. Buildings at invalid positions are left out. Cells are found in
/// parallel, then sorted and counted (a national extract has millions of
/// buildings).
pub(super) fn cells(positions: Vec<LonLat>, resolution: u8) -> Vec<Settlement> {
    let res = Resolution::try_from(resolution).unwrap_or(Resolution::Nine);
    let mut found: Vec<CellIndex> = positions
        .par_iter()
        .filter(|p| p.is_valid())
        .filter_map(|p| LatLng::new(p.lat, p.lon).ok().map(|ll| ll.to_cell(res)))
        .collect();
    drop(positions);
    found.par_sort_unstable();
    found
        .chunk_by(|a, b| a == b)
        .map(|run| {
            let cell = run[0];
            let c = LatLng::from(cell);
            Settlement {
                id: format!("h3:{cell}"),
                name: String::new(),
                place: "buildings".into(),
                pos: LonLat::new(c.lng(), c.lat()),
                population: Population(run.len() as f64),
                population_source: PopulationSource::Attribute,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buildings_count_per_cell() {
        let near = [
            LonLat::new(9.5, 47.1),
            LonLat::new(9.50001, 47.10001),
            LonLat::new(9.6, 47.2),
            LonLat::new(f64::NAN, 47.0),
        ];
        let s = cells(near.to_vec(), 9);
        let mut pops: Vec<f64> = s.iter().map(|s| s.population.0).collect();
        pops.sort_by(f64::total_cmp);
        assert_eq!(pops, [1.0, 2.0]);
        assert!(s
            .iter()
            .all(|s| s.id.starts_with("h3:") && s.place == "buildings"));
    }

    /// Against a map filled one building at a time, in cell order.
    #[test]
    fn same_as_a_map_filled_in_order() {
        use std::collections::BTreeMap;
        let mut lcg = crate::test_rng::Lcg::new(7);
        let mut next = || lcg.unit();
        let positions: Vec<LonLat> = (0..20_000)
            .map(|k| match k % 97 {
                0 => LonLat::new(200.0, 10.0),
                _ => LonLat::new(9.4 + 0.05 * next(), 47.0 + 0.05 * next()),
            })
            .collect();
        let mut counts: BTreeMap<CellIndex, f64> = BTreeMap::new();
        for p in positions.iter().filter(|p| p.is_valid()) {
            let cell = LatLng::new(p.lat, p.lon).unwrap().to_cell(Resolution::Ten);
            *counts.entry(cell).or_default() += 1.0;
        }
        let got = cells(positions, 10);
        assert!(counts.len() > 100, "{}", counts.len());
        assert_eq!(got.len(), counts.len());
        for (s, (cell, n)) in got.iter().zip(&counts) {
            assert_eq!(s.id, format!("h3:{cell}"));
            assert_eq!(s.population.0, *n);
        }
    }
}

//! Settlements from buildings: H3 cells of `building=*` ways, each cell's
//! building count standing for its population (`osm.building_cells`).
//!
//! For extracts whose `place=*` nodes are too few (a city has one). A
//! building is placed at its way's first node (a building is metres across,
//! a cell at resolution 9 a few hundred), so only one node id per building
//! is kept between the passes. The count is a proxy: people per building
//! is a constant factor that scores and ranks do not see, but population
//! totals do.

use std::collections::BTreeMap;

use h3o::{CellIndex, LatLng, Resolution};

use super::tag;
use crate::model::{LonLat, PopulationSource, Settlement};
use crate::units::Population;

/// Whether a way is a building (`building=*` but `no`).
pub(super) fn is_building<S: AsRef<str>>(tags: &[(S, S)]) -> bool {
    tag(tags, "building").is_some_and(|v| v != "no")
}

/// One settlement per H3 cell at `resolution` holding buildings, at the
/// cell's centre, with the number of buildings as its population, in cell
/// order. Buildings at invalid positions are left out.
pub(super) fn cells(positions: impl Iterator<Item = LonLat>, resolution: u8) -> Vec<Settlement> {
    let res = Resolution::try_from(resolution).unwrap_or(Resolution::Nine);
    let mut counts: BTreeMap<CellIndex, f64> = BTreeMap::new();
    for p in positions.filter(LonLat::is_valid) {
        if let Ok(ll) = LatLng::new(p.lat, p.lon) {
            *counts.entry(ll.to_cell(res)).or_default() += 1.0;
        }
    }
    counts
        .into_iter()
        .map(|(cell, n)| {
            let c = LatLng::from(cell);
            Settlement {
                id: format!("h3:{cell}"),
                name: String::new(),
                place: "buildings".into(),
                pos: LonLat::new(c.lng(), c.lat()),
                population: Population(n),
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
        let s = cells(near.into_iter(), 9);
        let mut pops: Vec<f64> = s.iter().map(|s| s.population.0).collect();
        pops.sort_by(f64::total_cmp);
        assert_eq!(pops, [1.0, 2.0]);
        assert!(s
            .iter()
            .all(|s| s.id.starts_with("h3:") && s.place == "buildings"));
    }
}

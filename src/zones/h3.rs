//! H3 hexagonal zones, used when the run has no zone layer.

use std::collections::BTreeMap;

use h3o::{LatLng, Resolution};

use crate::load::LoadedSettlement;
use crate::model::Zone;

/// Builds one zone per H3 cell (at `resolution`) holding at least one valid
/// settlement, and each settlement's zone. Zones are ordered by cell index.
pub fn h3_zones(
    settlements: &[LoadedSettlement],
    resolution: u8,
) -> (Vec<Zone>, Vec<Option<usize>>) {
    let res = Resolution::try_from(resolution).unwrap_or(Resolution::Six);
    let cells: Vec<Option<h3o::CellIndex>> = settlements
        .iter()
        .map(|s| {
            s.valid
                .then(|| LatLng::new(s.settlement.pos.lat, s.settlement.pos.lon).ok())
                .flatten()
                .map(|ll| ll.to_cell(res))
        })
        .collect();
    let mut order: BTreeMap<h3o::CellIndex, usize> = BTreeMap::new();
    for c in cells.iter().flatten() {
        order.insert(*c, 0);
    }
    let mut zones = Vec::with_capacity(order.len());
    for (k, (cell, slot)) in order.iter_mut().enumerate() {
        *slot = k;
        let mut ring: Vec<(f64, f64)> = cell
            .boundary()
            .iter()
            .map(|ll| (ll.lng(), ll.lat()))
            .collect();
        if let Some(first) = ring.first().copied() {
            ring.push(first);
        }
        let poly = geo_types::Polygon::new(geo_types::LineString::from(ring), vec![]);
        zones.push(Zone {
            id: cell.to_string(),
            name: String::new(),
            geometry: geo_types::MultiPolygon(vec![poly]),
            census_population: None,
            census_key: None,
        });
    }
    let zone_of = cells.iter().map(|c| c.map(|c| order[&c])).collect();
    (zones, zone_of)
}

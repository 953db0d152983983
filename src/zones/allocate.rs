//! Allocation of zone census totals to settlements without a population.
//!
//! **Rule** (per zone with a census total `T`): settlements that carry their
//! own population keep it; the remainder `R = T − Σ own` is shared among the
//! zone's settlements *without* one in proportion to a weight by place class
//! (`population.class_weights`; default town 10, village 3, hamlet 1…),
//! equally when all weights are 0. When `R ≤ 0` those settlements get 0 and
//! the zone is reported; when the zone has no settlement to receive `R`, it
//! is reported as unallocated; when the settlements' own figures exceed
//! `T` (even with no settlement left to receive a share) the zone is
//! reported as exceeded. Differences below [`MISMATCH`] of `T` are float
//! noise and not reported. Settlements outside every zone keep no
//! population and are reported.
//!
//! In `census` mode the zone total is authoritative: `R = T` is shared among
//! *all* the zone's settlements by the same weights, replacing their own
//! figures.

use serde::Serialize;

use crate::config::{Allocation, AllocationMode};
use crate::load::LoadedSettlement;
use crate::model::{PopulationSource, Zone};
use crate::units::Population;

/// What the allocation did, for `run.json`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AllocationReport {
    /// The rule, in words.
    pub rule: String,
    /// Zones with a census total.
    pub zones_with_total: usize,
    /// Settlements that received an allocated population.
    pub settlements_allocated: usize,
    /// Population allocated.
    pub population_allocated: f64,
    /// Census population that no settlement could receive.
    pub population_unallocated: f64,
    /// Zones whose total had no settlement to go to.
    pub zones_without_settlements: Vec<String>,
    /// Zones whose own-population settlements already reach the total.
    pub zones_total_exceeded: Vec<String>,
}

/// Allocates census totals; `zone_of[i]` is settlement `i`'s zone.
pub fn allocate(
    settlements: &mut [LoadedSettlement],
    zone_of: &[Option<usize>],
    zones: &[Zone],
    weights: &Allocation,
) -> AllocationReport {
    let mut report = AllocationReport {
        rule: match weights.mode {
            AllocationMode::Fill => {
                "fill: zone census total minus settlements' own populations, \
                                     shared among the zone's settlements without one in \
                                     proportion to place-class weights"
            }
            AllocationMode::Census => {
                "census: zone census total shared among all the zone's \
                                       settlements in proportion to place-class weights"
            }
        }
        .into(),
        ..Default::default()
    };
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); zones.len()];
    for (i, z) in zone_of.iter().enumerate() {
        if let Some(z) = z {
            members[*z].push(i);
        }
    }
    for (zi, zone) in zones.iter().enumerate() {
        let Some(Population(total)) = zone.census_population else {
            continue;
        };
        report.zones_with_total += 1;
        let census = weights.mode == AllocationMode::Census;
        let own: f64 = members[zi]
            .iter()
            .map(|&i| &settlements[i].settlement)
            .filter(|s| !census && s.population_source == PopulationSource::Attribute)
            .map(|s| s.population.0)
            .sum();
        let receivers: Vec<usize> = members[zi]
            .iter()
            .copied()
            .filter(|&i| {
                census || settlements[i].settlement.population_source == PopulationSource::Missing
            })
            .collect();
        let remainder = total - own;
        // Own figures above the total are reported whether or not any
        // settlement is left to receive a share.
        if remainder < -MISMATCH * total.max(1.0) || (remainder <= 0.0 && !receivers.is_empty()) {
            report.zones_total_exceeded.push(zone.id.clone());
        }
        if receivers.is_empty() {
            if remainder > MISMATCH * total.max(1.0) {
                report.population_unallocated += remainder;
                report.zones_without_settlements.push(zone.id.clone());
            }
            continue;
        }
        let w: Vec<f64> = receivers
            .iter()
            .map(|&i| {
                let place = &settlements[i].settlement.place;
                *weights
                    .class_weights
                    .get(place)
                    .unwrap_or(&weights.default_weight)
            })
            .collect();
        let wsum: f64 = w.iter().sum();
        let share = remainder.max(0.0);
        for (k, &i) in receivers.iter().enumerate() {
            let p = if wsum > 0.0 {
                share * w[k] / wsum
            } else {
                share / receivers.len() as f64
            };
            let s = &mut settlements[i].settlement;
            s.population = Population(p);
            s.population_source = PopulationSource::Allocated;
            report.settlements_allocated += 1;
            report.population_allocated += p;
        }
    }
    report
}

/// Relative difference between a zone's census total and the sum of its
/// settlements' populations above which the zone is reported: 10⁻⁶.
pub const MISMATCH: f64 = 1e-6;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Allocation, AllocationMode};
    use crate::model::{LonLat, Settlement};

    fn settlement(pop: Option<f64>) -> LoadedSettlement {
        LoadedSettlement {
            settlement: Settlement {
                id: String::new(),
                name: String::new(),
                place: "village".into(),
                pos: LonLat::new(0.0, 0.0),
                population: Population(pop.unwrap_or(0.0)),
                population_source: if pop.is_some() {
                    PopulationSource::Attribute
                } else {
                    PopulationSource::Missing
                },
            },
            valid: true,
        }
    }

    fn zone(total: f64) -> Zone {
        Zone {
            id: "z".into(),
            name: String::new(),
            geometry: geo_types::MultiPolygon(vec![]),
            census_population: Some(Population(total)),
            census_key: None,
        }
    }

    fn run(own: &[Option<f64>], total: f64) -> (AllocationReport, Vec<f64>) {
        let mut s: Vec<LoadedSettlement> = own.iter().map(|p| settlement(*p)).collect();
        let weights = Allocation {
            mode: AllocationMode::Fill,
            class_weights: Default::default(),
            default_weight: 1.0,
        };
        let zone_of = vec![Some(0); s.len()];
        let rep = allocate(&mut s, &zone_of, &[zone(total)], &weights);
        (rep, s.iter().map(|s| s.settlement.population.0).collect())
    }

    #[test]
    fn the_census_check_fires_when_every_settlement_has_its_own_population() {
        // Own figures above the total: reported although nobody receives a share.
        let (rep, pops) = run(&[Some(80.0), Some(50.0)], 100.0);
        assert_eq!(rep.zones_total_exceeded, ["z"]);
        assert_eq!(pops, [80.0, 50.0]);
        // Below it: the rest has nowhere to go, and is reported.
        let (rep, _) = run(&[Some(30.0), Some(20.0)], 100.0);
        assert_eq!(rep.zones_without_settlements, ["z"]);
        assert_eq!(rep.population_unallocated, 50.0);
        // Equal up to float noise: silent.
        let (rep, _) = run(&[Some(0.1), Some(0.2)], 0.3);
        assert!(rep.zones_total_exceeded.is_empty() && rep.zones_without_settlements.is_empty());
    }

    #[test]
    fn shares_add_up_to_the_census_total_unrounded() {
        let (rep, pops) = run(&[Some(10.0), None, None, None], 1000.0 / 3.0);
        let sum: f64 = pops.iter().sum();
        assert!((sum - 1000.0 / 3.0).abs() < 1e-9, "{sum}");
        assert!((rep.population_allocated - (1000.0 / 3.0 - 10.0)).abs() < 1e-9);
    }
}

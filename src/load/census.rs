//! Census tables: zone totals joined to zone polygons by a key column.

use std::collections::HashMap;

use super::formats::csv::read_table;
use super::{Diagnostics, LoadError};
use crate::config::{CensusSpec, LayerSpec};
use crate::model::Zone;
use crate::units::Population;

/// Sets each zone's `census_population` from the table row with the same key.
/// Zones without a row are counted as `census_unmatched` warnings; a key
/// repeated in the table is an error (the total would be ambiguous).
pub fn join_census(
    zones: &mut [Zone],
    zone_spec: &LayerSpec,
    census: &CensusSpec,
    diags: &mut Diagnostics,
) -> Result<(), LoadError> {
    let rows = read_table(&census.path, &[&census.key_field, &census.population_field])?;
    let mut totals: HashMap<String, f64> = HashMap::new();
    for (line, row) in rows.iter().enumerate() {
        let key = row[0].trim().to_string();
        let feature = format!("row {} (key={key})", line + 2);
        let checked = row[1]
            .trim()
            .replace([' ', '\u{a0}'], "")
            .parse::<f64>()
            .map_err(|_| format!("not a number: `{}`", super::excerpt(&row[1])))
            .and_then(|v| Population::checked(v, Population::MAX_ZONE));
        let pop = match checked {
            Ok(v) => v.0,
            Err(why) => {
                diags.push(
                    "population_invalid",
                    &census.path,
                    &feature,
                    &census.population_field,
                    format!("{why}: row ignored"),
                );
                continue;
            }
        };
        if totals.insert(key.clone(), pop).is_some() {
            return Err(LoadError::DuplicateId {
                path: census.path.clone(),
                feature,
                field: census.key_field.clone(),
                id: key,
            });
        }
    }
    let key_field = zone_spec.key_field.as_deref().unwrap_or_default();
    for z in zones.iter_mut() {
        match z.census_key.as_deref().and_then(|k| totals.get(k)) {
            Some(&v) => z.census_population = Some(Population(v)),
            None => diags.push(
                "census_unmatched",
                &zone_spec.path,
                &z.id,
                key_field,
                format!(
                    "no row of {} has {} = `{}`",
                    census.path.display(),
                    census.key_field,
                    z.census_key.as_deref().unwrap_or("")
                ),
            ),
        }
    }
    Ok(())
}

//! Roles and field guesses for each file read by `init`.

use super::fields::{self, CategoryGuess, FieldStats};
use super::{coordinate_range, Entry, Guesses, Kind, LayerGuess, Read, Role};
use crate::crs::Crs;

/// A point layer counts as settlements when at least this share of its
/// features carries a place class.
const MIN_PLACE_SHARE: f64 = 0.2;

/// Guesses every file's role and keys.
pub(crate) fn roles(files: &[Read]) -> Guesses {
    let stats: Vec<Vec<FieldStats>> = files
        .iter()
        .map(|r| fields::stats(&r.raw.features))
        .collect();
    let mut layers = Vec::new();
    let zones_at = files.iter().position(|r| r.kind == Kind::Polygons);
    let census_at = files.iter().position(|r| r.kind == Kind::Table);
    for (i, r) in files.iter().enumerate() {
        let s = &stats[i];
        let n = r.raw.features.len();
        let fields_note = format!("fields: {}", fields::names(s));
        let mut g = match r.kind {
            Kind::Pbf => LayerGuess {
                path: r.path.clone(),
                role: Role::Osm,
                why: "an OpenStreetMap extract: roads, settlements (place=*) and facilities \
                      (through the OSM tag table)"
                    .into(),
                entries: Vec::new(),
                notes: Vec::new(),
            },
            Kind::Points => point_layer(r, s),
            Kind::Lines => roads(r, s),
            Kind::Polygons if Some(i) == zones_at => {
                let census = census_at.map(|c| (&files[c], stats[c].as_slice()));
                zones(r, s, census)
            }
            Kind::Table if Some(i) == census_at => {
                let zone = zones_at.map(|z| (&files[z], stats[z].as_slice()));
                census(r, s, zone)
            }
            Kind::Polygons | Kind::Table => LayerGuess {
                path: r.path.clone(),
                role: Role::Unused,
                why: format!(
                    "a second {} (only one is read); left out",
                    if r.kind == Kind::Table {
                        "table without coordinates (census)"
                    } else {
                        "polygon layer (zones)"
                    },
                ),
                entries: Vec::new(),
                notes: Vec::new(),
            },
            Kind::Empty => LayerGuess {
                path: r.path.clone(),
                role: Role::Unused,
                why: format!("{n} features, none with a geometry; left out"),
                entries: Vec::new(),
                notes: Vec::new(),
            },
        };
        if !matches!(r.kind, Kind::Pbf) {
            g.notes.insert(0, fields_note);
        }
        if let Some(layer) = &r.layer {
            g.entries
                .insert(0, Entry::guessed("layer", layer, "a layer of the source"));
            g.why = format!("layer `{layer}`: {}", g.why);
        }
        if matches!(
            g.role,
            Role::Settlements | Role::Facilities | Role::Zones | Role::Roads
        ) {
            crs(r, &mut g);
        }
        layers.push(g);
    }
    Guesses { layers }
}

fn count(r: &Read, what: &str) -> String {
    format!("{} {what}", r.raw.features.len())
}

/// `id_field` and `name_field`, or why not.
fn id_and_name(s: &[FieldStats], entries: &mut Vec<Entry>, prefer_id: Option<&str>) {
    let id = prefer_id
        .and_then(|k| s.iter().find(|f| f.name == k && f.unique))
        .or_else(|| fields::id_field(s));
    entries.push(match id {
        Some(f) => Entry::guessed("id_field", &f.name, "unique in every feature"),
        None => Entry::missing(
            "id_field",
            "no field unique in every feature is named like an identifier (id, osm_id, code…); \
             the feature number is used",
        ),
    });
    entries.push(match fields::name_field(s) {
        Some(f) => Entry::guessed("name_field", &f.name, format!("e.g. {}", f.sample(2))),
        None => Entry::missing(
            "name_field",
            "no text field is named like a name (name, nom, NAME_FR, libelle…)",
        ),
    });
}

fn population_entry(s: &[FieldStats]) -> Entry {
    match fields::population_field(s) {
        Some(f) => Entry::guessed(
            "population_field",
            &f.name,
            format!("numeric in {} features", f.present),
        ),
        None => Entry::missing(
            "population_field",
            "no numeric field looked like a population: POP, POPULATION, pop_2024, habitants…",
        ),
    }
}

/// Settlements or facilities, from the values of a point layer.
fn point_layer(r: &Read, s: &[FieldStats]) -> LayerGuess {
    let feats = &r.raw.features;
    let place = fields::place_field(s, feats);
    let category = fields::category(s, feats);
    let place_share = place.as_ref().map_or(0.0, |p| p.1);
    let cat_share = category.as_ref().map_or(0.0, |c| c.1);
    let stem = r
        .path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string();
    let by_name = fields::category_from_file_name(&stem);
    let settlements = if place_share >= MIN_PLACE_SHARE && place_share >= cat_share {
        true
    } else if cat_share > 0.0 || by_name.is_some() {
        false
    } else {
        fields::population_field(s).is_some() || !looks_like_facilities(&stem)
    };
    let mut entries = Vec::new();
    if settlements {
        id_and_name(s, &mut entries, None);
        let why = match &place {
            Some((f, share)) if *share > 0.0 => {
                entries.push(Entry::guessed(
                    "place_field",
                    &f.name,
                    format!("place classes: {}", f.sample(4)),
                ));
                format!(
                    "{}; {:.0}% carry a place class in `{}`",
                    count(r, "points"),
                    share * 100.0,
                    f.name
                )
            }
            _ => {
                entries.push(Entry::missing(
                    "place_field",
                    "no field holds OSM place classes (town, village, hamlet…); every \
                     settlement then weighs the same when the census is shared out",
                ));
                format!("{} with no facility category", count(r, "points"))
            }
        };
        entries.push(population_entry(s));
        return LayerGuess {
            path: r.path.clone(),
            role: Role::Settlements,
            why,
            entries,
            notes: Vec::new(),
        };
    }
    id_and_name(s, &mut entries, None);
    let why = match (&category, by_name) {
        (Some((CategoryGuess::Tags { key, value }, share)), _) => {
            entries.push(Entry::guessed(
                "osm_key_field",
                key,
                "OSM keys (amenity, power…)",
            ));
            entries.push(Entry::guessed(
                "osm_value_field",
                value,
                "OSM values, mapped to categories by the tag table",
            ));
            format!(
                "{}; {:.0}% map to a category through `{key}`=`{value}`",
                count(r, "points"),
                share * 100.0
            )
        }
        (Some((CategoryGuess::Field(f), share)), _) => {
            entries.push(Entry::guessed(
                "category_field",
                f,
                "values name categories (health, school, water, power)",
            ));
            format!(
                "{}; {:.0}% name a category in `{f}`",
                count(r, "points"),
                share * 100.0
            )
        }
        (None, Some(c)) => {
            entries.push(Entry::guessed(
                "category",
                c,
                format!("from the file name `{stem}`"),
            ));
            format!("{}; category from the file name", count(r, "points"))
        }
        (None, None) => {
            entries.push(Entry::missing(
                "category",
                "no field maps to a facility category (OSM key/value fields such as \
                 TAG=amenity, VALUE=school; or values health, school, water, power): set \
                 `category` for the whole layer, or `category_field`, or \
                 `osm_key_field` and `osm_value_field`",
            ));
            format!("{} with no place class", count(r, "points"))
        }
    };
    if let Some(f) = s.iter().find(|f| {
        f.is_numeric()
            && ["capacity", "capacite", "beds", "lits", "nb_lits"]
                .contains(&f.name.to_lowercase().as_str())
    }) {
        entries.push(Entry::guessed(
            "capacity_field",
            &f.name,
            "facility capacity",
        ));
    }
    LayerGuess {
        path: r.path.clone(),
        role: Role::Facilities,
        why,
        entries,
        notes: Vec::new(),
    }
}

fn looks_like_facilities(stem: &str) -> bool {
    let s = stem.to_lowercase();
    ["facilit", "equipement", "amenit", "service", "poi"]
        .iter()
        .any(|w| s.contains(w))
}

fn roads(r: &Read, s: &[FieldStats]) -> LayerGuess {
    let mut entries = Vec::new();
    match fields::class_field(s) {
        Some(f) if f.name == "highway" => {}
        Some(f) => entries.push(Entry::guessed(
            "class_field",
            &f.name,
            format!("road classes: {}", f.sample(4)),
        )),
        None => entries.push(Entry::missing(
            "class_field",
            "no field holds OSM highway classes (primary, track…); speeds are set by class",
        )),
    }
    for key in ["oneway", "maxspeed"] {
        if fields::named(s, key).is_none() {
            continue;
        }
        let f = fields::named(s, key)
            .map(|f| f.name.clone())
            .unwrap_or_default();
        if f != key {
            let k = if key == "oneway" {
                "oneway_field"
            } else {
                "maxspeed_field"
            };
            entries.push(Entry::guessed(k, &f, ""));
        }
    }
    LayerGuess {
        path: r.path.clone(),
        role: Role::Roads,
        why: count(r, "lines"),
        entries,
        notes: Vec::new(),
    }
}

fn zones(r: &Read, s: &[FieldStats], census: Option<(&Read, &[FieldStats])>) -> LayerGuess {
    let n = r.raw.features.len();
    let key = census.and_then(|(_, c)| fields::join_key(s, n, c));
    let mut entries = Vec::new();
    id_and_name(s, &mut entries, key.map(|k| k.0.name.as_str()));
    match (census, key) {
        (Some(_), Some((z, c, shared))) => entries.push(Entry::guessed(
            "key_field",
            &z.name,
            format!("{shared} of {n} zones match the census column `{}`", c.name),
        )),
        (Some((t, _)), None) => entries.push(Entry::missing(
            "key_field",
            format!(
                "no field shares the values of a column of {} for at least half of the zones",
                t.path.display()
            ),
        )),
        (None, _) => {
            if let Some(f) = fields::population_field(s) {
                entries.push(Entry::guessed(
                    "population_field",
                    &f.name,
                    "zone totals shared out among their settlements",
                ));
            }
        }
    }
    LayerGuess {
        path: r.path.clone(),
        role: Role::Zones,
        why: count(r, "polygons"),
        entries,
        notes: Vec::new(),
    }
}

fn census(r: &Read, s: &[FieldStats], zone: Option<(&Read, &[FieldStats])>) -> LayerGuess {
    let mut entries = Vec::new();
    let key = zone.and_then(|(z, zs)| fields::join_key(zs, z.raw.features.len(), s));
    entries.push(match (zone, key) {
        (_, Some((z, c, _))) => Entry::guessed(
            "key_field",
            &c.name,
            format!("the zone codes (zone field `{}`)", z.name),
        ),
        (Some(_), None) => Entry::missing(
            "key_field",
            "no column shares the values of a zone field for at least half of the zones",
        ),
        (None, None) => Entry::missing(
            "key_field",
            "no zone layer (polygons) given to join the table to",
        ),
    });
    entries.push(population_entry(s));
    LayerGuess {
        path: r.path.clone(),
        role: Role::Census,
        why: format!("{} rows, no coordinates", r.raw.features.len()),
        entries,
        notes: Vec::new(),
    }
}

/// The CRS: as the file declares it, or guessed from the coordinates.
fn crs(r: &Read, g: &mut LayerGuess) {
    let (first, all_degrees) = coordinate_range(&r.raw.features);
    let implicit = matches!(super::ext_of(&r.path).as_str(), "geojson" | "json" | "csv");
    match &r.raw.crs {
        Some((text, source)) => match Crs::parse(text) {
            Ok(c) => g.notes.push(format!("CRS {}, from {source}", c.label())),
            Err(e) => g.entries.push(Entry::missing(
                "crs",
                format!(
                    "{source} declares a CRS that cannot be resolved ({e}); give its EPSG code"
                ),
            )),
        },
        None if first.is_none() => {}
        None if all_degrees && implicit => g
            .notes
            .push("CRS WGS 84 (longitude/latitude, the format's default)".into()),
        None if all_degrees => g.entries.push(Entry::guessed(
            "crs",
            "EPSG:4326",
            "no .prj; the coordinates are in degrees, read as WGS 84",
        )),
        None => {
            let (x, y) = first.unwrap_or_default();
            g.entries.push(Entry::missing(
                "crs",
                format!(
                    "the file declares no CRS and its coordinates look projected (metres, \
                     first {x:.0}, {y:.0}): give the CRS they are in, e.g. \"EPSG:26191\" \
                     (Merchich / Nord Maroc) or \"EPSG:26192\" (Merchich / Sud Maroc)"
                ),
            ))
        }
    }
}

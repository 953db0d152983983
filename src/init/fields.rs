//! What a layer's fields hold, and the field guesses drawn from it: names
//! and values, never the row order.

use std::collections::BTreeSet;

use crate::config::{DRIVE_SPEEDS_KMH, FACILITY_TAGS, PLACE_VALUES, WALK_SPEEDS_KMH};
use crate::load::formats::Feature;

/// Distinct values kept per field (enough to match codes between a zone
/// layer and a census table of a few thousand communes).
const MAX_VALUES: usize = 50_000;

/// One field of a layer, summarised.
#[derive(Debug, Clone)]
pub struct FieldStats {
    /// Field name as written in the file.
    pub name: String,
    /// Features where the field is present and not blank.
    pub present: usize,
    /// Features where it holds a finite number (or text reading as one).
    pub numeric: usize,
    /// Distinct values as text (at most `MAX_VALUES`).
    pub values: BTreeSet<String>,
    /// Whether every feature has a value and no two share one.
    pub unique: bool,
}

impl FieldStats {
    /// Whether every present value is a number.
    pub fn is_numeric(&self) -> bool {
        self.present > 0 && self.numeric == self.present
    }

    /// A few values, for comments (`town, village, hamlet…`).
    pub fn sample(&self, n: usize) -> String {
        let mut v: Vec<&str> = self.values.iter().map(String::as_str).take(n).collect();
        if self.values.len() > n {
            v.push("…");
        }
        v.join(", ")
    }
}

/// Summarises every field of `features`, in the order they first appear.
pub fn stats(features: &[Feature]) -> Vec<FieldStats> {
    let mut names: Vec<String> = Vec::new();
    for f in features {
        for k in f.properties.keys() {
            if !names.iter().any(|n| n == k) {
                names.push(k.clone());
            }
        }
    }
    // Shapefile records come in no fixed order: sort, for stable guesses.
    names.sort_by_key(|n| (n.to_lowercase(), n.clone()));
    names
        .into_iter()
        .map(|name| {
            let (mut present, mut numeric, mut count) = (0, 0, 0usize);
            let mut values = BTreeSet::new();
            for f in features {
                let Some(t) = f.text(&name) else { continue };
                // A dBase null number (`****`, or NaN): blank too.
                if t.chars().all(|c| c == '*') || t.parse::<f64>().is_ok_and(|v| !v.is_finite()) {
                    continue;
                }
                present += 1;
                if matches!(f.number(&name), Ok(Some(_))) {
                    numeric += 1;
                }
                if values.len() < MAX_VALUES && values.insert(t) {
                    count += 1;
                }
            }
            let unique = present == features.len() && count == present && present > 0;
            FieldStats {
                name,
                present,
                numeric,
                values,
                unique,
            }
        })
        .collect()
}

/// The field's name, lower case, for matching.
fn low(f: &FieldStats) -> String {
    f.name.to_lowercase()
}

/// The best-scoring field (ties: the first), when its score is positive.
fn best(fields: &[FieldStats], score: impl Fn(&FieldStats) -> i64) -> Option<&FieldStats> {
    let mut top: Option<(&FieldStats, i64)> = None;
    for f in fields {
        let s = score(f);
        if s > 0 && top.is_none_or(|(_, t)| s > t) {
            top = Some((f, s));
        }
    }
    top.map(|(f, _)| f)
}

/// An identifier: unique in every feature, named like one.
pub fn id_field(fields: &[FieldStats]) -> Option<&FieldStats> {
    best(fields, |f| {
        if !f.unique {
            return 0;
        }
        let n = low(f);
        if [
            "id",
            "osm_id",
            "osm_node_id",
            "osm_node_i",
            "fid",
            "gid",
            "objectid",
        ]
        .contains(&n.as_str())
        {
            5
        } else if n.ends_with("_id") || n.starts_with("id_") || n.ends_with("id") {
            4
        } else if n.contains("code") || n.starts_with("cod") {
            3
        } else {
            0
        }
    })
}

/// A name: text (not numbers), named like a name.
pub fn name_field(fields: &[FieldStats]) -> Option<&FieldStats> {
    best(fields, |f| {
        if f.present == 0 || f.is_numeric() {
            return 0;
        }
        let n = low(f);
        let s = match n.as_str() {
            "name" | "nom" | "name_fr" | "nom_fr" | "libelle" | "label" => 6,
            "commune" | "nom_commune" | "douar" | "localite" | "locality" => 5,
            _ if n.starts_with("name") || n.starts_with("nom") => 4,
            _ if n.contains("name") || n.contains("nom") || n.contains("libel") => 3,
            _ => 0,
        };
        // Among equals, the fuller field.
        s * 1_000_000 + f.present as i64
    })
}

/// Whether a lower-case field name reads as a population count.
fn population_like(n: &str) -> bool {
    let words: Vec<&str> = n.split(|c: char| !c.is_ascii_alphabetic()).collect();
    n.starts_with("pop")
        || n.contains("population")
        || n.contains("habitant")
        || n.contains("inhabitant")
        || words
            .iter()
            .any(|w| ["hab", "nbhab", "pop", "sukkan"].contains(w))
}

/// The latest year written in a field name (`population_2024` → 2024).
fn year_of(n: &str) -> i64 {
    n.split(|c: char| !c.is_ascii_digit())
        .filter_map(|d| d.parse::<i64>().ok())
        .filter(|y| (1900..=2100).contains(y))
        .max()
        .unwrap_or(0)
}

/// A population: numeric, named like one; the latest year first.
pub fn population_field(fields: &[FieldStats]) -> Option<&FieldStats> {
    best(fields, |f| {
        let n = low(f);
        if !f.is_numeric() || !population_like(&n) {
            return 0;
        }
        1 + year_of(&n) * 1_000_000 + f.present as i64
    })
}

/// A place class: text whose values are OSM place classes; with the share
/// of features they cover.
pub fn place_field<'a>(
    fields: &'a [FieldStats],
    features: &[Feature],
) -> Option<(&'a FieldStats, f64)> {
    let hits = |f: &FieldStats| {
        features
            .iter()
            .filter(|x| {
                x.text(&f.name)
                    .is_some_and(|v| PLACE_VALUES.contains(&v.to_lowercase().as_str()))
            })
            .count()
    };
    let f = best(fields, |f| hits(f) as i64)?;
    Some((f, share(hits(f), features.len())))
}

fn share(n: usize, of: usize) -> f64 {
    if of == 0 {
        0.0
    } else {
        n as f64 / of as f64
    }
}

/// Facility categories of the default services.
pub const CATEGORIES: &[&str] = &["health", "school", "water", "power"];

/// How a facility layer's category is read.
#[derive(Debug, Clone)]
pub enum CategoryGuess {
    /// OSM key and value fields (`TAG`, `VALUE`) through the tag table.
    Tags {
        /// Key field.
        key: String,
        /// Value field.
        value: String,
    },
    /// A field whose values are category names.
    Field(String),
}

/// The category source covering most features, with that share.
pub fn category(fields: &[FieldStats], features: &[Feature]) -> Option<(CategoryGuess, f64)> {
    let text: Vec<&FieldStats> = fields
        .iter()
        .filter(|f| f.present > 0 && !f.is_numeric())
        .collect();
    let mut top: Option<(CategoryGuess, usize)> = None;
    for k in &text {
        // A key field holds few distinct values, OSM keys among them.
        let keys = FACILITY_TAGS
            .iter()
            .filter_map(|(t, _)| t.split_once('=').map(|(k, _)| k))
            .collect::<BTreeSet<_>>();
        if !k.values.iter().any(|v| keys.contains(v.as_str())) {
            continue;
        }
        for v in &text {
            if v.name == k.name {
                continue;
            }
            let n = features
                .iter()
                .filter(|x| match (x.text(&k.name), x.text(&v.name)) {
                    (Some(kv), Some(vv)) => FACILITY_TAGS
                        .iter()
                        .any(|(t, _)| *t == format!("{kv}={vv}") || *t == format!("{kv}=*")),
                    _ => false,
                })
                .count();
            if n > 0 && top.as_ref().is_none_or(|(_, t)| n > *t) {
                let guess = CategoryGuess::Tags {
                    key: k.name.clone(),
                    value: v.name.clone(),
                };
                top = Some((guess, n));
            }
        }
    }
    for f in &text {
        let n = features
            .iter()
            .filter(|x| {
                x.text(&f.name)
                    .is_some_and(|v| CATEGORIES.contains(&v.to_lowercase().as_str()))
            })
            .count();
        if n > 0 && top.as_ref().is_none_or(|(_, t)| n > *t) {
            top = Some((CategoryGuess::Field(f.name.clone()), n));
        }
    }
    top.map(|(g, n)| (g, share(n, features.len())))
}

/// A road class: text whose values are `highway` classes.
pub fn class_field(fields: &[FieldStats]) -> Option<&FieldStats> {
    best(fields, |f| {
        f.values
            .iter()
            .filter(|v| {
                DRIVE_SPEEDS_KMH
                    .iter()
                    .chain(WALK_SPEEDS_KMH)
                    .any(|(c, _)| c == v)
            })
            .count() as i64
    })
}

/// A field named `name`, any case.
pub fn named<'a>(fields: &'a [FieldStats], name: &str) -> Option<&'a FieldStats> {
    fields.iter().find(|f| f.name.eq_ignore_ascii_case(name))
}

/// The zone field and census column sharing most values, with how many of
/// the zones match; at least half of them must.
pub fn join_key<'a>(
    zones: &'a [FieldStats],
    zone_count: usize,
    census: &'a [FieldStats],
) -> Option<(&'a FieldStats, &'a FieldStats, usize)> {
    let mut top: Option<(&FieldStats, &FieldStats, usize)> = None;
    for z in zones.iter().filter(|f| f.present > 0) {
        for c in census.iter().filter(|f| f.present > 0) {
            let n = z.values.intersection(&c.values).count();
            if n > top.map_or(0, |t| t.2) {
                top = Some((z, c, n));
            }
        }
    }
    top.filter(|t| 2 * t.2 >= zone_count.max(1))
}

/// The field names, for comments (`NAME, POP, …`).
pub fn names(fields: &[FieldStats]) -> String {
    let v: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    if v.is_empty() {
        "(none)".into()
    } else {
        v.join(", ")
    }
}

/// A category named in a file name (`ecoles.shp` → school), for facility
/// layers whose fields say nothing.
pub fn category_from_file_name(stem: &str) -> Option<&'static str> {
    let s = stem.to_lowercase();
    let table: &[(&[&str], &str)] = &[
        (
            &[
                "health", "sante", "hopital", "hospital", "clinic", "dispens",
            ],
            "health",
        ),
        (&["school", "ecole", "college", "lycee", "educ"], "school"),
        (&["water", "eau", "puits", "well", "fontaine"], "water"),
        (&["power", "electri", "energ", "grid"], "power"),
    ];
    table
        .iter()
        .find(|(words, _)| words.iter().any(|w| s.contains(w)))
        .map(|(_, c)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn population_names() {
        for n in [
            "pop",
            "population",
            "pop_2024",
            "nb_hab",
            "habitants",
            "POP_TOTAL",
        ] {
            assert!(population_like(&n.to_lowercase()), "{n}");
        }
        for n in ["popularity_rank_x", "households", "code", "name"] {
            assert!(!population_like(n) || n.starts_with("pop"), "{n}");
        }
        assert_eq!(year_of("population_2024"), 2024);
        assert_eq!(year_of("pop"), 0);
    }

    #[test]
    fn file_name_categories() {
        assert_eq!(category_from_file_name("Ecoles_Tata"), Some("school"));
        assert_eq!(category_from_file_name("equipements"), None);
    }
}

//! The facility tag table: `"key=value"` (or `"key=*"`) → category, and an
//! index by key then value, so that a look-up borrows the tag's strings
//! instead of formatting `"key=value"` for each of the extract's tags.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

/// `"key=value"` or `"key=*"` → category, as configured; serialised (in
/// `run.json`) as that map.
#[derive(Clone, Default, PartialEq)]
pub struct FacilityTags {
    entries: BTreeMap<String, String>,
    /// The same entries by key, then value. An entry is filed under every
    /// split of its text at an `=`, so that `(key, value)` finds it exactly
    /// when `"{key}={value}"` is its text, whatever `=` the key or value
    /// holds.
    by_key: BTreeMap<String, BTreeMap<String, String>>,
}

impl FacilityTags {
    /// The configured entries, `"key=value"` → category.
    pub fn entries(&self) -> &BTreeMap<String, String> {
        &self.entries
    }

    /// The category of the tag `key=value`: the entry `"key=value"`, else
    /// `"key=*"`.
    pub fn category(&self, key: &str, value: &str) -> Option<&str> {
        let values = self.by_key.get(key)?;
        values
            .get(value)
            .or_else(|| values.get("*"))
            .map(String::as_str)
    }
}

impl FromIterator<(String, String)> for FacilityTags {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        let entries: BTreeMap<String, String> = iter.into_iter().collect();
        let mut by_key: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for (text, category) in &entries {
            for (at, _) in text.match_indices('=') {
                by_key
                    .entry(text[..at].to_string())
                    .or_default()
                    .insert(text[at + 1..].to_string(), category.clone());
            }
        }
        FacilityTags { entries, by_key }
    }
}

impl std::fmt::Debug for FacilityTags {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.entries.fmt(f)
    }
}

impl Serialize for FacilityTags {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.entries.serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The look-up it replaces: the formatted text, exact then `key=*`.
    fn by_text(t: &FacilityTags, key: &str, value: &str) -> Option<String> {
        t.entries()
            .get(&format!("{key}={value}"))
            .or_else(|| t.entries().get(&format!("{key}=*")))
            .cloned()
    }

    #[test]
    fn index_agrees_with_the_formatted_text() {
        let t: FacilityTags = [
            ("amenity=school", "school"),
            ("amenity=*", "any"),
            ("a=b=c", "eq"),
            ("a=*", "a-any"),
            ("x==", "empty-key-eq"),
            ("=v", "no-key"),
            ("k=", "no-value"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let words = [
            "", "a", "b", "c", "=", "*", "b=c", "a=b", "amenity", "school", "k", "v", "x", "x=",
        ];
        for k in words {
            for v in words {
                assert_eq!(
                    t.category(k, v).map(str::to_string),
                    by_text(&t, k, v),
                    "{k:?} {v:?}"
                );
            }
        }
        assert_eq!(t.category("amenity", "school"), Some("school"));
        assert_eq!(t.category("amenity", "bank"), Some("any"));
        assert_eq!(t.category("shop", "bank"), None);
    }
}

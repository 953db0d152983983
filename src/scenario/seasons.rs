//! Named seasons from OpenStreetMap passability tags.
//!
//! [`seasons_from_osm`] reads each road's [`Road::passability`] tags and
//! closes it in the seasons the table below gives. A season is one
//! [`RoadEdit::Close`] selecting the closed roads by id (sorted, without
//! duplicates); a season that closes nothing is omitted.
//!
//! The `seasonal=*` values follow the OSM wiki (`Key:seasonal`): a value
//! names the season(s) in which the feature is *usable*, so a road is closed
//! in the seasons it does not name. `;` separates several values.
//!
//! | tag on the road | closed in |
//! |---|---|
//! | `ford=*` (any value but `no`), also a `ford=yes` node on the way | `wet` |
//! | `intermittent=yes` | `wet` |
//! | `seasonal=yes` (season not given; assumed the rains) | `wet` |
//! | `seasonal=dry_season` (usable in the dry season only) | `wet` |
//! | `seasonal=wet_season` (usable in the wet season only) | `dry` |
//! | `seasonal=S₁;…` with `Sᵢ ∈ {spring, summer, autumn, winter}`, winter ∉ S | `winter` |
//! | the same, summer ∉ S (e.g. `seasonal=winter`, a winter road) | `summer` |
//! | `K:conditional = no @ (C)` or `private @ (C)` | season of `C`, below |
//!
//! with `K ∈ {access, motor_vehicle, vehicle}`, several restrictions separated
//! by `;`. A condition `C` gives a season when it is exactly:
//!
//! * `winter`, `summer`, `wet_season` or `dry_season` → that season;
//! * a comma-separated list of month ranges (`Nov-Mar`, `Dec 15-Feb 28`,
//!   `Jan`) → `winter` when one range covers 15 January, `summer` when one
//!   covers 15 July (both possible).
//!
//! Anything else — other values (`destination`, `delivery`), times of day,
//! weekdays, `AND` combinations, years, unparseable text — is ignored, never
//! an error: the table only closes a road when the tag clearly says so.
//! Values are compared case-insensitively after trimming.
//!
//! A closure applies to every profile, including walking, even when the tag
//! only restricts motor vehicles (`motor_vehicle:conditional`): the edit
//! model has no per-profile closure. Roads crossing `waterway=*` ways tagged
//! `intermittent=yes` without a ford tag are not detected (that needs a
//! geometric intersection with the waterways, which are not loaded).

use std::collections::{BTreeMap, BTreeSet};

use super::model::{RoadEdit, RoadSelection};
use crate::model::Road;

/// Season closing fords and roads usable in the dry season only.
pub const WET: &str = "wet";
/// Season closing roads usable in the wet season only.
pub const DRY: &str = "dry";
/// Season closing roads closed in winter (conditional restrictions, or
/// `seasonal` naming only other temperate seasons).
pub const WINTER: &str = "winter";
/// Season closing roads usable in winter only (winter roads).
pub const SUMMER: &str = "summer";

/// The seasons the OSM passability tags of `roads` define: season name →
/// one [`RoadEdit::Close`] of the roads closed then (ids sorted, unique).
/// Seasons that close no road are left out. See the module docs for the
/// table.
pub fn seasons_from_osm(roads: &[Road]) -> BTreeMap<String, Vec<RoadEdit>> {
    let mut closed: BTreeMap<&'static str, BTreeSet<&str>> = BTreeMap::new();
    for road in roads {
        for season in road_seasons(&road.passability) {
            closed.entry(season).or_default().insert(road.id.as_str());
        }
    }
    closed
        .into_iter()
        .filter(|(_, ids)| !ids.is_empty())
        .map(|(name, ids)| {
            let select = RoadSelection {
                ids: ids.into_iter().map(str::to_string).collect(),
                ..RoadSelection::default()
            };
            (name.to_string(), vec![RoadEdit::Close(select)])
        })
        .collect()
}

/// The seasons in which a road with these tags is closed (sorted, unique).
pub fn road_seasons(tags: &[(String, String)]) -> BTreeSet<&'static str> {
    let mut out = BTreeSet::new();
    for (key, value) in tags {
        let value = value.trim().to_ascii_lowercase();
        match key.as_str() {
            "ford" if !value.is_empty() && value != "no" => {
                out.insert(WET);
            }
            "intermittent" if value == "yes" => {
                out.insert(WET);
            }
            "seasonal" => seasonal(&value, &mut out),
            "access:conditional" | "motor_vehicle:conditional" | "vehicle:conditional" => {
                for restriction in split_outside_parens(&value) {
                    conditional(restriction, &mut out);
                }
            }
            _ => {}
        }
    }
    out
}

/// `seasonal=*`: the road is usable in the seasons named, closed in the
/// others (see the table).
fn seasonal(value: &str, out: &mut BTreeSet<&'static str>) {
    let parts: Vec<&str> = value.split(';').map(str::trim).collect();
    if parts == ["yes"] {
        out.insert(WET);
        return;
    }
    let has = |s: &str| parts.contains(&s);
    let tropical = has("wet_season") || has("dry_season");
    let temperate = ["spring", "summer", "autumn", "winter"]
        .iter()
        .any(|s| has(s));
    if tropical {
        if !has("wet_season") {
            out.insert(WET);
        }
        if !has("dry_season") {
            out.insert(DRY);
        }
    }
    if temperate {
        if !has("winter") {
            out.insert(WINTER);
        }
        if !has("summer") {
            out.insert(SUMMER);
        }
    }
}

/// Splits `a @ (x; y); b` at the `;` that are outside parentheses.
fn split_outside_parens(value: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in value.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = (depth - 1).max(0),
            ';' if depth == 0 => {
                parts.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&value[start..]);
    parts
}

/// One `value @ condition` restriction.
fn conditional(restriction: &str, out: &mut BTreeSet<&'static str>) {
    let Some((value, condition)) = restriction.split_once('@') else {
        return;
    };
    if !matches!(value.trim(), "no" | "private") {
        return;
    }
    let condition = condition.trim();
    let condition = condition
        .strip_prefix('(')
        .and_then(|c| c.strip_suffix(')'))
        .unwrap_or(condition)
        .trim();
    match condition {
        "winter" => {
            out.insert(WINTER);
        }
        "summer" => {
            out.insert(SUMMER);
        }
        "wet_season" => {
            out.insert(WET);
        }
        "dry_season" => {
            out.insert(DRY);
        }
        _ => {
            let Some(ranges) = month_ranges(condition) else {
                return;
            };
            if ranges.iter().any(|r| covers(*r, (1, 15))) {
                out.insert(WINTER);
            }
            if ranges.iter().any(|r| covers(*r, (7, 15))) {
                out.insert(SUMMER);
            }
        }
    }
}

/// A day of the year as (month 1–12, day 1–31).
type Day = (u32, u32);

/// Parses `Nov-Mar, Jun 01-Jun 15, Aug` into inclusive day ranges; `None`
/// unless every item is a month range.
fn month_ranges(condition: &str) -> Option<Vec<(Day, Day)>> {
    condition
        .split(',')
        .map(|item| {
            let item = item.trim();
            match item.split_once('-') {
                Some((a, b)) => Some((month_day(a, true)?, month_day(b, false)?)),
                None => Some((month_day(item, true)?, month_day(item, false)?)),
            }
        })
        .collect()
}

/// `Nov` or `Nov 15`; a month alone is its first day when `start`, else its
/// last (31: a day past the month's end changes nothing for coverage).
fn month_day(text: &str, start: bool) -> Option<Day> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let mut words = text.split_whitespace();
    let month = words.next()?;
    let month = MONTHS.iter().position(|m| *m == month)? as u32 + 1;
    let day = match words.next() {
        None => {
            if start {
                1
            } else {
                31
            }
        }
        Some(d) => d.parse::<u32>().ok().filter(|d| (1..=31).contains(d))?,
    };
    if words.next().is_some() {
        return None;
    }
    Some((month, day))
}

/// Whether the inclusive range `from..=to` covers `day`; a range whose end
/// comes before its start wraps over the new year.
fn covers((from, to): (Day, Day), day: Day) -> bool {
    if from <= to {
        from <= day && day <= to
    } else {
        day >= from || day <= to
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{LonLat, Oneway};

    fn road(id: &str, tags: &[(&str, &str)]) -> Road {
        Road {
            id: id.into(),
            class: "track".into(),
            oneway: Oneway::No,
            maxspeed: None,
            vertices: vec![
                (None, LonLat::new(0.0, 0.0)),
                (None, LonLat::new(0.001, 0.0)),
            ],
            passability: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            joinable: true,
        }
    }

    fn seasons(tags: &[(&str, &str)]) -> Vec<&'static str> {
        road_seasons(&road("r", tags).passability)
            .into_iter()
            .collect()
    }

    fn ids(edits: &[RoadEdit]) -> Vec<String> {
        match edits {
            [RoadEdit::Close(s)] => {
                assert!(s.within.is_none() && s.crossing.is_none() && s.classes.is_empty());
                s.ids.clone()
            }
            other => panic!("expected one Close, got {other:?}"),
        }
    }

    #[test]
    fn fords_and_intermittent_close_in_the_wet_season() {
        assert_eq!(seasons(&[("ford", "yes")]), [WET]);
        assert_eq!(seasons(&[("ford", "stepping_stones")]), [WET]);
        assert_eq!(seasons(&[("ford", " Yes ")]), [WET]);
        assert_eq!(seasons(&[("ford", "no")]), Vec::<&str>::new());
        assert_eq!(seasons(&[("ford", "")]), Vec::<&str>::new());
        assert_eq!(seasons(&[("intermittent", "yes")]), [WET]);
        assert_eq!(seasons(&[("intermittent", "no")]), Vec::<&str>::new());
    }

    #[test]
    fn seasonal_names_the_seasons_a_road_is_usable_in() {
        assert_eq!(seasons(&[("seasonal", "yes")]), [WET]);
        assert_eq!(seasons(&[("seasonal", "no")]), Vec::<&str>::new());
        assert_eq!(seasons(&[("seasonal", "dry_season")]), [WET]);
        assert_eq!(seasons(&[("seasonal", "wet_season")]), [DRY]);
        assert_eq!(
            seasons(&[("seasonal", "wet_season;dry_season")]),
            Vec::<&str>::new()
        );
        assert_eq!(seasons(&[("seasonal", "summer")]), [WINTER]);
        assert_eq!(seasons(&[("seasonal", "spring; summer; autumn")]), [WINTER]);
        assert_eq!(seasons(&[("seasonal", "winter")]), [SUMMER]);
        assert_eq!(seasons(&[("seasonal", "spring;autumn")]), [SUMMER, WINTER]);
        assert_eq!(seasons(&[("seasonal", "christmas")]), Vec::<&str>::new());
    }

    #[test]
    fn conditional_restrictions_by_season_or_month_range() {
        let c = |v: &str| seasons(&[("motor_vehicle:conditional", v)]);
        assert_eq!(c("no @ (winter)"), [WINTER]);
        assert_eq!(c("no @ winter"), [WINTER]);
        assert_eq!(c("No @ (Nov-Mar)"), [WINTER]);
        assert_eq!(c("no @ (Dec 15-Feb 28)"), [WINTER]);
        assert_eq!(c("no @ (Jan)"), [WINTER]);
        assert_eq!(c("no @ (Jan 20-Mar 01)"), Vec::<&str>::new());
        assert_eq!(c("no @ (Jun-Aug)"), [SUMMER]);
        assert_eq!(c("no @ (Jan-Dec)"), [SUMMER, WINTER]);
        assert_eq!(c("no @ (Apr-May, Dec-Jan)"), [WINTER]);
        assert_eq!(c("private @ (wet_season)"), [WET]);
        assert_eq!(c("no @ (dry_season)"), [DRY]);
        assert_eq!(c("destination @ (Nov-Mar)"), Vec::<&str>::new());
        assert_eq!(c("delivery @ (08:00-11:00); no @ (Nov-Mar)"), [WINTER]);
        assert_eq!(
            seasons(&[("access:conditional", "no @ (Nov 01-Apr 30)")]),
            [WINTER]
        );
        assert_eq!(
            seasons(&[("vehicle:conditional", "no @ (Nov-Mar; Jul)")]),
            Vec::<&str>::new(),
            "`;` inside the parentheses is not a month list"
        );
        // Not seasonal, or more than a season: ignored.
        assert_eq!(c("no @ (Mo-Fr 07:00-19:00)"), Vec::<&str>::new());
        assert_eq!(c("no @ (Nov-Mar AND weight>7.5)"), Vec::<&str>::new());
        assert_eq!(c("no @ (2019 Nov-2020 Mar)"), Vec::<&str>::new());
        assert_eq!(c("no @ (Nov-Mar Sa,Su)"), Vec::<&str>::new());
        // Other keys are not passability tags.
        assert_eq!(
            seasons(&[("hgv:conditional", "no @ (winter)")]),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn garbage_conditions_are_ignored_without_panicking() {
        for v in [
            "",
            "@",
            "@@@",
            "no @",
            "no @ ()",
            "no @ (",
            "no @ )",
            "no @ ((winter",
            "no @ (Nov-)",
            "no @ (-Mar)",
            "no @ (Nov--Mar)",
            "no @ (Nov 0-Mar)",
            "no @ (Nov 32-Mar)",
            "no @ (Nov 99999999999999999999-Mar)",
            "no @ (Nov-Mar-Jan)",
            "no @ (,)",
            ";;;",
            "no @ (ÿ-Mär)",
            "no @ (Jän–Mär)",
            "\u{0}\u{1f600}@(winter",
            "yes",
            "no",
        ] {
            let _ = seasons(&[("access:conditional", v)]);
            let _ = seasons(&[("seasonal", v)]);
            let _ = seasons(&[("ford", v)]);
        }
        assert_eq!(
            seasons(&[("access:conditional", "no @ (ÿ-Mär)")]),
            Vec::<&str>::new()
        );
        // Unbalanced: the closing parenthesis is missing, the condition is
        // then `(winter`, unknown.
        assert_eq!(
            seasons(&[("access:conditional", "no @ (winter")]),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn seasons_collect_sorted_unique_ids_and_omit_empty_ones() {
        let roads = [
            road("osm:way/3", &[("ford", "yes")]),
            road("osm:way/1", &[("seasonal", "yes"), ("ford", "yes")]),
            road("osm:way/2#1", &[("access:conditional", "no @ (Nov-Mar)")]),
            road("osm:way/2#0", &[("access:conditional", "no @ (Nov-Mar)")]),
            road("osm:way/1", &[("ford", "yes")]),
            road("osm:way/4", &[("access:conditional", "garbage")]),
            road("osm:way/5", &[]),
        ];
        let s = seasons_from_osm(&roads);
        assert_eq!(s.keys().collect::<Vec<_>>(), [WET, WINTER]);
        assert_eq!(ids(&s[WET]), ["osm:way/1", "osm:way/3"]);
        assert_eq!(ids(&s[WINTER]), ["osm:way/2#0", "osm:way/2#1"]);
        assert!(seasons_from_osm(&[]).is_empty());
        let only_fords = seasons_from_osm(&roads[4..]);
        assert_eq!(only_fords.keys().collect::<Vec<_>>(), [WET]);
        assert_eq!(ids(&only_fords[WET]), ["osm:way/1"]);
    }
}

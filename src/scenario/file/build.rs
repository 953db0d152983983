//! One raw modification to the typed model: the kind's keys read, every
//! value checked, selections required where an empty one would select all.

use std::collections::BTreeSet;

use geo_types::{Coord, LineString};

use super::fields::{
    change, check_known, known_name, lat_problem, line, list_or_none, lon_problem, missing_for,
    nonempty_text_list, number, polygon, required_text, text_list,
};
use super::raw::{kind_list, kind_of, Kind, RawModification};
use super::{Cx, Known, Result};
use crate::model::LonLat;
use crate::scenario::model::{
    FacilitySelection, Modification, NewFacility, NewRoad, RoadEdit, RoadSelection,
};

/// `join_m` when not given, metres.
const DEFAULT_JOIN_M: f64 = 25.0;

/// A modification of a scenario.
pub(super) fn modification(
    m: &RawModification,
    cx: &Cx,
    known: &Known,
    seasons: &BTreeSet<&str>,
) -> Result<Modification> {
    let kind = kind_of(m, cx)?;
    Ok(match kind {
        Kind::AddFacility => {
            let service = known_name(cx, "service", m.service.as_deref(), kind, &known.services)?;
            let id = required_text(cx, "id", m.id.as_deref(), kind)?;
            let lon = m.lon.ok_or_else(|| cx.err("lon", missing_for(kind)))?;
            let lat = m.lat.ok_or_else(|| cx.err("lat", missing_for(kind)))?;
            lon_problem(lon).map_err(|e| cx.err("lon", e))?;
            lat_problem(lat).map_err(|e| cx.err("lat", e))?;
            let capacity = match m.capacity {
                Some(c) => number(cx, "capacity", c, true)?,
                None => 1.0,
            };
            Modification::AddFacility(NewFacility {
                id,
                name: m.name.clone().unwrap_or_default(),
                service,
                pos: LonLat::new(lon, lat),
                capacity,
            })
        }
        Kind::RemoveFacilities => Modification::RemoveFacilities(facility_selection(m, cx, known)?),
        Kind::Capacity => Modification::Capacity {
            select: facility_selection(m, cx, known)?,
            change: change(cx, ("set", m.set), ("scale", m.scale), false)?,
        },
        Kind::CloseRoads | Kind::RoadSpeed | Kind::UpgradeRoads | Kind::AddRoad => {
            Modification::Road(road_edit(kind, m, cx, known)?)
        }
        Kind::Season => {
            let name = required_text(cx, "name", m.name.as_deref(), kind)?;
            if !seasons.contains(name.as_str()) {
                return Err(cx.err(
                    "name",
                    format!(
                        "unknown season `{name}` (known: {}): define it in a [season.{name}] table",
                        list_or_none(seasons.iter().copied())
                    ),
                ));
            }
            Modification::Season(name)
        }
        Kind::Population => {
            let zones = match &m.zones {
                Some(z) => text_list(cx, "zones", z)?,
                None => Vec::new(),
            };
            Modification::Population {
                zones,
                change: change(cx, ("set", m.set), ("scale", m.scale), false)?,
            }
        }
    })
}

/// A modification of a season table: road edits only.
pub(super) fn season_edit(m: &RawModification, cx: &Cx, known: &Known) -> Result<RoadEdit> {
    let kind = kind_of(m, cx)?;
    road_edit(kind, m, cx, known)
}

pub(super) fn road_edit(
    kind: Kind,
    m: &RawModification,
    cx: &Cx,
    known: &Known,
) -> Result<RoadEdit> {
    Ok(match kind {
        Kind::CloseRoads => RoadEdit::Close(road_selection(m, cx, "close every road")?),
        Kind::RoadSpeed => {
            let select = road_selection(m, cx, "change the speed on every road")?;
            let profile = match &m.profile {
                Some(p) => Some(check_known(cx, "profile", p.clone(), &known.profiles)?),
                None => None,
            };
            RoadEdit::Speed {
                select,
                profile,
                change: change(cx, ("kmh", m.kmh), ("factor", m.factor), true)?,
            }
        }
        Kind::UpgradeRoads => RoadEdit::Upgrade {
            select: road_selection(m, cx, "upgrade every road")?,
            class: required_text(cx, "class", m.class.as_deref(), kind)?,
        },
        Kind::AddRoad => {
            let id = required_text(cx, "id", m.id.as_deref(), kind)?;
            let class = required_text(cx, "class", m.class.as_deref(), kind)?;
            let written = m
                .line
                .as_ref()
                .ok_or_else(|| cx.err("line", missing_for(kind)))?;
            let line = line(cx, "line", written)?;
            let join_m = match m.join_m {
                Some(j) => number(cx, "join_m", j, false)?,
                None => DEFAULT_JOIN_M,
            };
            RoadEdit::Add(NewRoad {
                id,
                class,
                line,
                join_m,
            })
        }
        other => {
            return Err(cx.err(
                "kind",
                format!(
                    "`{}` cannot be part of a season: a season holds road edits only ({})",
                    other.name(),
                    kind_list(true)
                ),
            ))
        }
    })
}

/// `ids`, `service`, `polygon`: at least one.
pub(super) fn facility_selection(
    m: &RawModification,
    cx: &Cx,
    known: &Known,
) -> Result<FacilitySelection> {
    let ids = match &m.ids {
        Some(ids) => nonempty_text_list(cx, "ids", ids)?,
        None => Vec::new(),
    };
    let service = match &m.service {
        Some(s) => Some(check_known(cx, "service", s.clone(), &known.services)?),
        None => None,
    };
    let within = match &m.polygon {
        Some(p) => Some(polygon(cx, "polygon", p)?),
        None => None,
    };
    if ids.is_empty() && service.is_none() && within.is_none() {
        return Err(cx.err(
            "ids/service/polygon",
            "select facilities with at least one of `ids`, `service`, `polygon`".into(),
        ));
    }
    Ok(FacilitySelection {
        ids,
        service,
        within,
    })
}

/// `ids`, `polygon`, `crossing` (at least one), narrowed by `classes`;
/// `what` says what `classes` alone would do.
pub(super) fn road_selection(m: &RawModification, cx: &Cx, what: &str) -> Result<RoadSelection> {
    let ids = match &m.ids {
        Some(ids) => nonempty_text_list(cx, "ids", ids)?,
        None => Vec::new(),
    };
    let within = match &m.polygon {
        Some(p) => Some(polygon(cx, "polygon", p)?),
        None => None,
    };
    let crossing = match &m.crossing {
        Some(l) => Some(LineString::from(
            line(cx, "crossing", l)?
                .into_iter()
                .map(|p| Coord { x: p.lon, y: p.lat })
                .collect::<Vec<_>>(),
        )),
        None => None,
    };
    let classes = match &m.classes {
        Some(c) => nonempty_text_list(cx, "classes", c)?,
        None => Vec::new(),
    };
    if ids.is_empty() && within.is_none() && crossing.is_none() {
        return Err(if classes.is_empty() {
            cx.err(
                "ids/polygon/crossing",
                "select roads with at least one of `ids`, `polygon`, `crossing`".into(),
            )
        } else {
            cx.err(
                "classes",
                format!(
                    "`classes` alone would {what} of class {} everywhere: narrow it with `ids`, `polygon` or `crossing`",
                    classes.join(", ")
                ),
            )
        });
    }
    Ok(RoadSelection {
        ids,
        within,
        crossing,
        classes,
    })
}

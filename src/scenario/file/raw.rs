//! The scenario file as written (every key optional, unknown keys rejected
//! by the parser), and the kinds of modification with the keys each accepts.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Cx, Result};

/// The file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    /// `[[scenario]]` tables, in file order.
    #[serde(default)]
    pub(super) scenario: Vec<RawScenario>,
    /// `[season.NAME]` tables.
    #[serde(default)]
    pub(super) season: BTreeMap<String, RawSeason>,
}

/// `[[scenario]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScenario {
    /// Name.
    pub(super) name: Option<String>,
    /// Free text.
    pub(super) description: Option<String>,
    /// `[[scenario.modification]]` tables.
    #[serde(default)]
    pub(super) modification: Vec<RawModification>,
}

/// `[season.NAME]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSeason {
    /// `[[season.NAME.modification]]` tables.
    #[serde(default)]
    pub(super) modification: Vec<RawModification>,
}

/// Points as written: `[[lon, lat], …]`.
pub(super) type RawPoints = Vec<Vec<f64>>;

/// One modification as written: the keys of every kind, all optional; which
/// keys a kind accepts is checked in validation ([`Kind::keys`]).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawModification {
    pub(super) kind: Option<String>,
    pub(super) service: Option<String>,
    pub(super) id: Option<String>,
    pub(super) name: Option<String>,
    pub(super) lon: Option<f64>,
    pub(super) lat: Option<f64>,
    pub(super) capacity: Option<f64>,
    pub(super) ids: Option<Vec<String>>,
    pub(super) polygon: Option<RawPoints>,
    pub(super) set: Option<f64>,
    pub(super) scale: Option<f64>,
    pub(super) crossing: Option<RawPoints>,
    pub(super) classes: Option<Vec<String>>,
    pub(super) profile: Option<String>,
    pub(super) kmh: Option<f64>,
    pub(super) factor: Option<f64>,
    pub(super) class: Option<String>,
    pub(super) line: Option<RawPoints>,
    pub(super) join_m: Option<f64>,
    pub(super) zones: Option<Vec<String>>,
}

impl RawModification {
    /// The keys given (other than `kind`), in declaration order.
    pub(super) fn present(&self) -> Vec<&'static str> {
        [
            ("service", self.service.is_some()),
            ("id", self.id.is_some()),
            ("name", self.name.is_some()),
            ("lon", self.lon.is_some()),
            ("lat", self.lat.is_some()),
            ("capacity", self.capacity.is_some()),
            ("ids", self.ids.is_some()),
            ("polygon", self.polygon.is_some()),
            ("set", self.set.is_some()),
            ("scale", self.scale.is_some()),
            ("crossing", self.crossing.is_some()),
            ("classes", self.classes.is_some()),
            ("profile", self.profile.is_some()),
            ("kmh", self.kmh.is_some()),
            ("factor", self.factor.is_some()),
            ("class", self.class.is_some()),
            ("line", self.line.is_some()),
            ("join_m", self.join_m.is_some()),
            ("zones", self.zones.is_some()),
        ]
        .into_iter()
        .filter(|(_, given)| *given)
        .map(|(k, _)| k)
        .collect()
    }
}

/// The `kind` of a modification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    AddFacility,
    RemoveFacilities,
    Capacity,
    CloseRoads,
    RoadSpeed,
    UpgradeRoads,
    AddRoad,
    Season,
    Population,
}

impl Kind {
    pub(super) const ALL: [Kind; 9] = [
        Kind::AddFacility,
        Kind::RemoveFacilities,
        Kind::Capacity,
        Kind::CloseRoads,
        Kind::RoadSpeed,
        Kind::UpgradeRoads,
        Kind::AddRoad,
        Kind::Season,
        Kind::Population,
    ];

    pub(super) fn name(self) -> &'static str {
        match self {
            Kind::AddFacility => "add_facility",
            Kind::RemoveFacilities => "remove_facilities",
            Kind::Capacity => "capacity",
            Kind::CloseRoads => "close_roads",
            Kind::RoadSpeed => "road_speed",
            Kind::UpgradeRoads => "upgrade_roads",
            Kind::AddRoad => "add_road",
            Kind::Season => "season",
            Kind::Population => "population",
        }
    }

    /// Keys this kind accepts besides `kind`.
    pub(super) fn keys(self) -> &'static [&'static str] {
        match self {
            Kind::AddFacility => &["service", "id", "name", "lon", "lat", "capacity"],
            Kind::RemoveFacilities => &["ids", "service", "polygon"],
            Kind::Capacity => &["ids", "service", "polygon", "set", "scale"],
            Kind::CloseRoads => &["ids", "polygon", "crossing", "classes"],
            Kind::RoadSpeed => &[
                "ids", "polygon", "crossing", "classes", "profile", "kmh", "factor",
            ],
            Kind::UpgradeRoads => &["ids", "polygon", "crossing", "classes", "class"],
            Kind::AddRoad => &["id", "class", "line", "join_m"],
            Kind::Season => &["name"],
            Kind::Population => &["zones", "set", "scale"],
        }
    }

    pub(super) fn is_road(self) -> bool {
        matches!(
            self,
            Kind::CloseRoads | Kind::RoadSpeed | Kind::UpgradeRoads | Kind::AddRoad
        )
    }
}

pub(super) fn kind_list(road_only: bool) -> String {
    Kind::ALL
        .iter()
        .filter(|k| !road_only || k.is_road())
        .map(|k| k.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The kind of `m`, after checking that every key given belongs to it.
pub(super) fn kind_of(m: &RawModification, cx: &Cx) -> Result<Kind> {
    let Some(written) = &m.kind else {
        return Err(cx.err("kind", format!("missing: give one of {}", kind_list(false))));
    };
    let Some(kind) = Kind::ALL.into_iter().find(|k| k.name() == written) else {
        return Err(cx.err(
            "kind",
            format!(
                "unknown kind `{written}` (valid kinds: {})",
                kind_list(false)
            ),
        ));
    };
    if let Some(key) = m.present().into_iter().find(|k| !kind.keys().contains(k)) {
        return Err(cx.err(
            key,
            format!(
                "`{key}` does not apply to `{}` (its keys: {})",
                kind.name(),
                kind.keys().join(", ")
            ),
        ));
    }
    Ok(kind)
}

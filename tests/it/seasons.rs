//! Seasonal passability tags read from `.osm.pbf` and the seasons they give.

use remoteness::config::Settings;
use remoteness::load::osm::read_pbf;
use remoteness::scenario::{seasons_from_osm, RoadEdit};

use crate::common::fixture;
use crate::pbf::Pbf;

fn table() -> remoteness::config::OsmTags {
    Settings::load(&fixture("liechtenstein/liechtenstein.toml"))
        .expect("fixture config is valid")
        .osm
}

fn closed_ids(edits: &[RoadEdit]) -> Vec<String> {
    match edits {
        [RoadEdit::Close(s)] => s.ids.clone(),
        other => panic!("expected one Close, got {other:?}"),
    }
}

fn pairs(tags: &[(&str, &str)]) -> Vec<(String, String)> {
    tags.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Liechtenstein 2015 has one way with a seasonal passability tag: a path
/// over a weir (`ford=yes`, way 318892952), and no ford node. (Bridges,
/// tunnels and culverts are kept too, for barriers, and left out here.)
#[test]
fn liechtenstein_has_one_ford_way() {
    let data = read_pbf(&fixture("liechtenstein/liechtenstein.osm.pbf"), &table()).unwrap();
    let crossing = ["bridge", "tunnel", "culvert"];
    let tagged: Vec<_> = data
        .roads
        .iter()
        .map(|r| {
            let seasonal: Vec<(String, String)> = r
                .passability
                .iter()
                .filter(|(k, _)| !crossing.contains(&k.as_str()))
                .cloned()
                .collect();
            (r.id.as_str(), seasonal)
        })
        .filter(|(_, tags)| !tags.is_empty())
        .collect();
    assert_eq!(tagged, [("osm:way/318892952", pairs(&[("ford", "yes")]))]);
    let seasons = seasons_from_osm(&data.roads);
    assert_eq!(seasons.keys().collect::<Vec<_>>(), ["wet"]);
    assert_eq!(closed_ids(&seasons["wet"]), ["osm:way/318892952"]);
}

#[test]
fn ford_nodes_and_way_tags_reach_the_roads() {
    let mut pbf = Pbf::new();
    pbf.node(1, 9.5, 47.1, &[("ford", "yes")]);
    pbf.node(2, 9.501, 47.1, &[]);
    pbf.node(3, 9.502, 47.1, &[]);
    pbf.node(4, 9.5, 47.101, &[]);
    pbf.node(5, 9.503, 47.1, &[("ford", "stepping_stones")]);
    // Passes the ford node: gets ("ford", "yes").
    pbf.way(10, &[1, 2], &[("highway", "track")]);
    // Its own tags only, in tag order; other tags are dropped.
    pbf.way(
        11,
        &[2, 3],
        &[
            ("name", "Alpstrasse"),
            ("motor_vehicle:conditional", "no @ (Nov-Mar)"),
            ("highway", "unclassified"),
            ("seasonal", "no"),
        ],
    );
    // An own ford tag wins over the node.
    pbf.way(12, &[4, 1], &[("highway", "path"), ("ford", "no")]);
    // Only `ford=yes` nodes count.
    pbf.way(13, &[3, 5], &[("highway", "track")]);
    // Not a road.
    pbf.way(
        14,
        &[2, 4],
        &[("waterway", "stream"), ("intermittent", "yes")],
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.osm.pbf");
    std::fs::write(&path, pbf.bytes()).unwrap();
    let data = read_pbf(&path, &table()).unwrap();
    let got: Vec<_> = data
        .roads
        .iter()
        .map(|r| (r.id.as_str(), r.passability.clone()))
        .collect();
    assert_eq!(
        got,
        [
            ("osm:way/10", pairs(&[("ford", "yes")])),
            (
                "osm:way/11",
                pairs(&[
                    ("motor_vehicle:conditional", "no @ (Nov-Mar)"),
                    ("seasonal", "no")
                ])
            ),
            ("osm:way/12", pairs(&[("ford", "no")])),
            ("osm:way/13", pairs(&[])),
        ]
    );
    let seasons = seasons_from_osm(&data.roads);
    assert_eq!(seasons.keys().collect::<Vec<_>>(), ["wet", "winter"]);
    assert_eq!(closed_ids(&seasons["wet"]), ["osm:way/10"]);
    assert_eq!(closed_ids(&seasons["winter"]), ["osm:way/11"]);
}

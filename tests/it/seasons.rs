//! Seasonal passability tags read from `.osm.pbf` and the seasons they give.

use remoteness::config::Settings;
use remoteness::load::osm::read_pbf;
use remoteness::scenario::{seasons_from_osm, RoadEdit};

use crate::common::fixture;

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

/// Liechtenstein 2015 has one way with a passability tag: a path over a weir
/// (`ford=yes`, way 318892952), and no ford node.
#[test]
fn liechtenstein_has_one_ford_way() {
    let data = read_pbf(&fixture("liechtenstein/liechtenstein.osm.pbf"), &table()).unwrap();
    let tagged: Vec<_> = data
        .roads
        .iter()
        .filter(|r| !r.passability.is_empty())
        .map(|r| (r.id.as_str(), r.passability.clone()))
        .collect();
    assert_eq!(tagged, [("osm:way/318892952", pairs(&[("ford", "yes")]))]);
    let seasons = seasons_from_osm(&data.roads);
    assert_eq!(seasons.keys().collect::<Vec<_>>(), ["wet"]);
    assert_eq!(closed_ids(&seasons["wet"]), ["osm:way/318892952"]);
}

// A minimal uncompressed `.osm.pbf` written field by field (protobuf wire
// format), with plain (not dense) nodes.

fn varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn field_bytes(field: u32, bytes: &[u8], out: &mut Vec<u8>) {
    varint(u64::from(field << 3 | 2), out);
    varint(bytes.len() as u64, out);
    out.extend_from_slice(bytes);
}

fn field_varint(field: u32, v: u64, out: &mut Vec<u8>) {
    varint(u64::from(field << 3), out);
    varint(v, out);
}

fn packed(values: impl IntoIterator<Item = u64>) -> Vec<u8> {
    let mut out = Vec::new();
    for v in values {
        varint(v, &mut out);
    }
    out
}

/// A blob (raw data) with its header, as it appears in the file.
fn file_block(kind: &str, data: &[u8]) -> Vec<u8> {
    let mut blob = Vec::new();
    field_bytes(1, data, &mut blob);
    field_varint(2, data.len() as u64, &mut blob);
    let mut header = Vec::new();
    field_bytes(1, kind.as_bytes(), &mut header);
    field_varint(3, blob.len() as u64, &mut header);
    let mut out = (header.len() as u32).to_be_bytes().to_vec();
    out.extend(header);
    out.extend(blob);
    out
}

struct Pbf {
    strings: Vec<String>,
    nodes: Vec<u8>,
    ways: Vec<u8>,
}

impl Pbf {
    fn new() -> Self {
        Pbf {
            strings: vec![String::new()],
            nodes: Vec::new(),
            ways: Vec::new(),
        }
    }

    fn string(&mut self, s: &str) -> u64 {
        match self.strings.iter().position(|x| x == s) {
            Some(i) => i as u64,
            None => {
                self.strings.push(s.to_string());
                (self.strings.len() - 1) as u64
            }
        }
    }

    fn keys_vals(&mut self, tags: &[(&str, &str)], out: &mut Vec<u8>) {
        if tags.is_empty() {
            return;
        }
        let k: Vec<u64> = tags.iter().map(|(k, _)| self.string(k)).collect();
        let v: Vec<u64> = tags.iter().map(|(_, v)| self.string(v)).collect();
        field_bytes(2, &packed(k), out);
        field_bytes(3, &packed(v), out);
    }

    fn node(&mut self, id: i64, lon: f64, lat: f64, tags: &[(&str, &str)]) {
        let mut n = Vec::new();
        field_varint(1, zigzag(id), &mut n);
        self.keys_vals(tags, &mut n);
        field_varint(8, zigzag((lat * 1e7).round() as i64), &mut n);
        field_varint(9, zigzag((lon * 1e7).round() as i64), &mut n);
        field_bytes(1, &n, &mut self.nodes);
    }

    fn way(&mut self, id: i64, refs: &[i64], tags: &[(&str, &str)]) {
        let mut w = Vec::new();
        field_varint(1, id as u64, &mut w);
        self.keys_vals(tags, &mut w);
        let mut last = 0;
        let deltas: Vec<u64> = refs
            .iter()
            .map(|r| {
                let d = zigzag(r - last);
                last = *r;
                d
            })
            .collect();
        field_bytes(8, &packed(deltas), &mut w);
        field_bytes(3, &w, &mut self.ways);
    }

    fn bytes(&self) -> Vec<u8> {
        let mut header = Vec::new();
        field_bytes(4, b"OsmSchema-V0.6", &mut header);
        let mut table = Vec::new();
        for s in &self.strings {
            field_bytes(1, s.as_bytes(), &mut table);
        }
        let mut block = Vec::new();
        field_bytes(1, &table, &mut block);
        field_bytes(2, &self.nodes, &mut block);
        field_bytes(2, &self.ways, &mut block);
        let mut file = file_block("OSMHeader", &header);
        file.extend(file_block("OSMData", &block));
        file
    }
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

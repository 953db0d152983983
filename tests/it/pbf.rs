//! A minimal uncompressed `.osm.pbf` written field by field (protobuf wire
//! format), with plain (not dense) nodes, ways and relations.

use std::path::{Path, PathBuf};

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

/// An extract built element by element.
pub struct Pbf {
    strings: Vec<String>,
    nodes: Vec<u8>,
    ways: Vec<u8>,
    relations: Vec<u8>,
}

impl Pbf {
    /// An empty extract.
    pub fn new() -> Self {
        Pbf {
            strings: vec![String::new()],
            nodes: Vec::new(),
            ways: Vec::new(),
            relations: Vec::new(),
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

    /// Adds a node (plain, not dense).
    pub fn node(&mut self, id: i64, lon: f64, lat: f64, tags: &[(&str, &str)]) {
        let mut n = Vec::new();
        field_varint(1, zigzag(id), &mut n);
        self.keys_vals(tags, &mut n);
        field_varint(8, zigzag((lat * 1e7).round() as i64), &mut n);
        field_varint(9, zigzag((lon * 1e7).round() as i64), &mut n);
        field_bytes(1, &n, &mut self.nodes);
    }

    /// Adds a way.
    pub fn way(&mut self, id: i64, refs: &[i64], tags: &[(&str, &str)]) {
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

    /// Adds a relation; members are `(type, id, role)` with type `n`, `w`
    /// or `r` (any other: the undefined member type 7).
    pub fn relation(&mut self, id: i64, members: &[(char, i64, &str)], tags: &[(&str, &str)]) {
        let mut r = Vec::new();
        field_varint(1, id as u64, &mut r);
        self.keys_vals(tags, &mut r);
        let roles: Vec<u64> = members.iter().map(|m| self.string(m.2)).collect();
        field_bytes(8, &packed(roles), &mut r);
        let mut last = 0;
        let ids: Vec<u64> = members
            .iter()
            .map(|m| {
                let d = zigzag(m.1 - last);
                last = m.1;
                d
            })
            .collect();
        field_bytes(9, &packed(ids), &mut r);
        let types = members.iter().map(|m| match m.0 {
            'n' => 0,
            'w' => 1,
            'r' => 2,
            _ => 7,
        });
        field_bytes(10, &packed(types), &mut r);
        field_bytes(4, &r, &mut self.relations);
    }

    /// Writes the extract to `dir/name` and returns its path.
    pub fn write(&self, dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, self.bytes()).expect("a writable temporary folder");
        path
    }

    /// The file's bytes: a header block and one data block.
    pub fn bytes(&self) -> Vec<u8> {
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
        if !self.relations.is_empty() {
            field_bytes(2, &self.relations, &mut block);
        }
        let mut file = file_block("OSMHeader", &header);
        file.extend(file_block("OSMData", &block));
        file
    }
}

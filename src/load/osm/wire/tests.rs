//! The block decoder against `osmpbf` and against malformed input.

use super::*;

#[test]
fn malformed_messages_are_errors_not_panics() {
    for bytes in [
        &[0x08][..],
        &[0x0a, 0x05, 0x01],
        &[0xff; 12],
        &[0x0b],
        &[0x22, 0x03, 0x52, 0x01],
    ] {
        let mut out = Vec::new();
        let _ = block_relations(bytes, &|_: &Tags| true, &mut out);
        let _ = block_nodes(bytes, Some, &mut Vec::new());
        let _ = block_tagged(bytes, &table(""));
        for strict in [false, true] {
            let _ = blob_header(bytes, strict);
            let _ = blob_data(bytes, strict);
        }
    }
}

/// Every node of an extract, with its position to the bit, in the
/// order `osmpbf` gives them (the oracle).
#[test]
fn nodes_read_as_osmpbf_reads_them() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/liechtenstein/liechtenstein.osm.pbf");
    let bits = |id: i64, p: LonLat| (id, p.lon.to_bits(), p.lat.to_bits());
    let mut expected = Vec::new();
    let plan = super::super::file::for_each_block(
        &path,
        |b| {
            let mut v = Vec::new();
            for g in b.groups() {
                v.extend(
                    g.nodes()
                        .map(|n| bits(n.id(), LonLat::new(n.lon(), n.lat()))),
                );
                v.extend(
                    g.dense_nodes()
                        .map(|n| bits(n.id(), LonLat::new(n.lon(), n.lat()))),
                );
            }
            v
        },
        |v| expected.extend(v),
    )
    .unwrap();
    let mut read = Vec::new();
    let offsets = plan.offsets(super::super::file::NODES);
    read_nodes(
        &path,
        &offsets,
        || Some,
        |v| read.extend(v.into_iter().map(|(id, p)| bits(id, p))),
    )
    .unwrap();
    assert!(expected.len() > 100_000, "{}", expected.len());
    assert!(read == expected);
    // Kept by id.
    let mut odd = Vec::new();
    read_nodes(
        &path,
        &offsets,
        || |id| (id % 2 == 1).then_some(id),
        |v| odd.extend(v),
    )
    .unwrap();
    assert!(odd
        .iter()
        .map(|(id, p)| bits(*id, *p))
        .eq(expected.iter().copied().filter(|n| n.0 % 2 == 1)));
}

/// The tag tables of a config with `extra` appended.
fn table(extra: &str) -> OsmTags {
    let text = format!("[inputs]\nosm = \"x.osm.pbf\"\n{extra}");
    let raw = crate::config::parse_raw(&text, Path::new("t.toml")).unwrap();
    crate::config::Settings::from_raw(raw, Path::new("/base"), Path::new("t.toml"))
        .unwrap()
        .osm
}

/// Pass 1 read here gives what it gives read by `osmpbf` (the oracle),
/// element by element (ids, positions to the bit, tags, node
/// references), with the same plan; with settlements from places and
/// from buildings.
#[test]
fn pass_one_reads_as_osmpbf_reads_it() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/liechtenstein/liechtenstein.osm.pbf");
    type Node = (i64, u64, u64, Tags);
    type Way = (i64, Tags, Vec<i64>);
    type Seen = (Vec<Node>, Vec<Way>, Vec<i64>, Vec<i64>);
    let seen = |t: &Tagged| -> Seen {
        (
            t.nodes
                .iter()
                .map(|(id, p, tags)| (*id, p.lon.to_bits(), p.lat.to_bits(), tags.clone()))
                .collect(),
            t.ways
                .iter()
                .map(|w| (w.id, w.tags.clone(), w.refs.clone()))
                .collect(),
            t.ford_nodes.clone(),
            t.building_nodes.clone(),
        )
    };
    for extra in ["", "[osm]\nbuilding_cells = 8\n"] {
        let table = table(extra);
        let (read, plan) = read_tagged(&path, &table).unwrap();
        let (mut expected, mut blocks) = (Tagged::default(), 0);
        let oracle = super::super::file::for_each_block(
            &path,
            |b| Tagged::block(b, &table),
            |t| {
                expected.append(t);
                blocks += 1;
            },
        )
        .unwrap();
        assert!(read.bad_tags.0.is_none() && expected.bad_tags.0.is_none());
        assert_eq!(read.any_relation, expected.any_relation);
        assert!(read.ways.len() > 1000 && !read.nodes.is_empty());
        assert_eq!(extra.is_empty(), read.building_nodes.is_empty());
        assert!(seen(&read) == seen(&expected));
        for kinds in [NODES, WAYS, RELATIONS, NODES | WAYS] {
            assert_eq!(plan.offsets(kinds), oracle.offsets(kinds));
        }
        assert_eq!(plan.offsets(7).len(), blocks);
    }
}

/// A block `osmpbf` reads otherwise (here: a second string table, which
/// it merges into the first) is refused, for `osmpbf` to read.
#[test]
fn pass_one_refuses_what_osmpbf_reads_otherwise() {
    let t = table("");
    // Two string tables of one string each.
    let block = [0x0a, 0x03, 0x0a, 0x01, b'a', 0x0a, 0x03, 0x0a, 0x01, b'b'];
    assert!(block_tagged(&block, &t).is_err());
    assert!(block_tagged(&block[..5], &t).is_ok());
    // A node without coordinates (required fields).
    let node = [0x0a, 0x00, 0x12, 0x04, 0x0a, 0x02, 0x08, 0x02];
    assert!(block_tagged(&node, &t).is_err());
    // An overlong varint.
    let mut c = Cursor::new(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]);
    assert!(c.varint().is_none());
}

#[test]
fn zigzag_decodes() {
    assert_eq!(zigzag(0), 0);
    assert_eq!(zigzag(1), -1);
    assert_eq!(zigzag(2), 1);
    assert_eq!(zigzag(u64::MAX), i64::MIN);
}

/// A packed field decoded one varint at a time, with the cursor alone: the
/// oracle of [`repeated`]'s one-byte fast path.
fn packed_by_cursor(b: &[u8]) -> Result<Vec<u64>, ()> {
    let mut c = proto::Cursor::new(b);
    let mut out = Vec::new();
    while !c.at_end() {
        out.push(c.varint().ok_or(())?);
    }
    Ok(out)
}

proptest::proptest! {
    /// Packed fields of mostly short varints, some overlong or cut short.
    #[test]
    fn packed_fields_decode_and_validate_as_one_varint_at_a_time(
        bytes in proptest::collection::vec(
            proptest::prop_oneof![0u8..0x80, 0x80u8..=0xff, proptest::strategy::Just(1u8)],
            0..40,
        ),
    ) {
        let mut fast = Vec::new();
        let got = repeated(&Value::Bytes(&bytes), &mut fast).map(|()| fast);
        proptest::prop_assert_eq!(&got, &packed_by_cursor(&bytes));
        for kind in [Scalar::Any, Scalar::U32, Scalar::I32, Scalar::Bool] {
            let mut kept = Vec::new();
            let by_values = repeated_of(&Value::Bytes(&bytes), kind, &mut kept);
            proptest::prop_assert_eq!(repeated_valid(&Value::Bytes(&bytes), kind), by_values);
        }
    }
}

#[test]
fn single_values_validate_as_repeated_of_reads_them() {
    for v in [
        0,
        1,
        2,
        127,
        128,
        u64::from(u32::MAX),
        u64::from(u32::MAX) + 1,
        u64::MAX,
    ] {
        for kind in [Scalar::Any, Scalar::U32, Scalar::I32, Scalar::Bool] {
            let by_values = repeated_of(&Value::Varint(v), kind, &mut Vec::new());
            assert_eq!(repeated_valid(&Value::Varint(v), kind), by_values, "{v}");
        }
    }
    assert!(repeated_valid(&Value::Fixed, Scalar::Any).is_err());
}

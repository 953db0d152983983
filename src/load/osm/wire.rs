//! Relations and node coordinates read from the file's blocks with a small
//! protobuf decoder of our own.
//!
//! `osmpbf` decodes a relation's member types with a panicking `unwrap`, so
//! a member of an unknown type (a corrupt or hostile file) would abort the
//! run. This reader decodes only what relations need (the string table and
//! each relation's id, tags and members), keeps the relations `keep` accepts
//! and their way members, and turns every inconsistency into an error.
//!
//! The pass for node coordinates reads nodes here too: `osmpbf` parses
//! every field of a block into vectors of its own (ids, coordinates, tags,
//! metadata) before its iterators walk them, where this reader decodes the
//! packed ids and coordinates in place and allocates for the nodes kept
//! only; about twice as fast on the node blocks, which are most of an
//! extract. Coordinates are computed as `osmpbf` computes them.
//!
//! Both run after `osmpbf` has read the whole file once, so a file they see
//! is already known to be a well-formed extract. Blocks are read in
//! batches, inflated and decoded in parallel, and what they give kept in
//! file order.

use std::io::{Read, Seek};
use std::path::Path;

use rayon::prelude::*;

use super::Tags;
use crate::load::LoadError;
use crate::model::LonLat;

/// Largest `BlobHeader` the format allows (64 KiB).
const MAX_HEADER: usize = 64 * 1024;
/// Largest blob, compressed or not, the format allows (32 MiB).
const MAX_BLOB: usize = 32 * 1024 * 1024;

/// A relation with its way members (`(way id, role)`, in member order).
pub(super) struct RawRelation {
    /// Relation id.
    pub id: i64,
    /// Tags.
    pub tags: Tags,
    /// Way members with their roles.
    pub ways: Vec<(i64, String)>,
}

/// A protobuf message being read.
struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

/// A field's value: a varint, a length-delimited slice, or a fixed-width
/// value (skipped).
enum Value<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed,
}

impl<'a> Cursor<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Cursor { buf, pos: 0 }
    }

    fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self.buf.get(self.pos)?;
            self.pos += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Some(v);
            }
        }
        None
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }

    /// The next field, `None` at the end; `Err` when malformed.
    fn field(&mut self) -> Result<Option<(u64, Value<'a>)>, ()> {
        if self.pos >= self.buf.len() {
            return Ok(None);
        }
        let key = self.varint().ok_or(())?;
        let value = match key & 7 {
            0 => Value::Varint(self.varint().ok_or(())?),
            1 => self.take(8).map(|_| Value::Fixed).ok_or(())?,
            2 => {
                let n = usize::try_from(self.varint().ok_or(())?).map_err(|_| ())?;
                Value::Bytes(self.take(n).ok_or(())?)
            }
            5 => self.take(4).map(|_| Value::Fixed).ok_or(())?,
            _ => return Err(()),
        };
        Ok(Some((key >> 3, value)))
    }
}

/// The values of a repeated integer field, packed or not, appended to `out`.
fn repeated(value: &Value, out: &mut Vec<u64>) -> Result<(), ()> {
    match value {
        Value::Varint(v) => out.push(*v),
        Value::Bytes(b) => {
            let mut c = Cursor::new(b);
            while c.pos < b.len() {
                out.push(c.varint().ok_or(())?);
            }
        }
        Value::Fixed => return Err(()),
    }
    Ok(())
}

fn zigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// Reads the relations of the extract at `path` that `keep` accepts (by
/// their tags), with their way members.
/// Only the blocks starting at `offsets` (those a first pass found
/// relations in) are read.
pub(super) fn read_relations(
    path: &Path,
    offsets: &[u64],
    keep: impl Fn(&Tags) -> bool + Sync,
) -> Result<Vec<RawRelation>, LoadError> {
    let mut out = Vec::new();
    for_each_block(
        path,
        offsets,
        |data| {
            let mut rels = Vec::new();
            block_relations(data, &keep, &mut rels).map_err(|()| "a bad relation")?;
            Ok(rels)
        },
        |rels| out.extend(rels),
    )?;
    Ok(out)
}

/// Calls `merge` on the nodes of the blocks starting at `offsets` whose id
/// `keep` accepts, as `(id, position)` in file order (plain nodes, then
/// dense ones, in each group, as `osmpbf` iterates them).
pub(super) fn read_nodes(
    path: &Path,
    offsets: &[u64],
    keep: impl Fn(i64) -> bool + Sync,
    merge: impl FnMut(Vec<(i64, LonLat)>),
) -> Result<(), LoadError> {
    for_each_block(
        path,
        offsets,
        |data| {
            let mut nodes = Vec::new();
            block_nodes(data, &keep, &mut nodes).map_err(|()| "a bad node")?;
            Ok(nodes)
        },
        merge,
    )
}

/// Reads the data blocks starting at `offsets` in batches, inflates and
/// decodes them with `decode` in parallel, and calls `merge` on what each
/// gave, in file order.
fn for_each_block<T: Send>(
    path: &Path,
    offsets: &[u64],
    decode: impl Fn(&[u8]) -> Result<T, &'static str> + Sync,
    mut merge: impl FnMut(T),
) -> Result<(), LoadError> {
    let fail = |what: &str| LoadError::Format {
        path: path.to_path_buf(),
        message: format!("not a valid .osm.pbf (corrupt or truncated): {what}"),
    };
    let mut file = std::io::BufReader::new(crate::files::open(path)?);
    let mut offsets = offsets.iter();
    let batch_len = super::file::BATCH_PER_THREAD * rayon::current_num_threads().max(1);
    loop {
        // Data blocks read ahead, and the reading error that stopped the
        // batch: it comes after the blocks read before it.
        let mut batch: Vec<Vec<u8>> = Vec::with_capacity(batch_len);
        let (mut stop, mut bytes) = (None, 0u64);
        while batch.len() < batch_len && bytes < super::file::BATCH_BYTES {
            let Some(&at) = offsets.next() else {
                stop = Some(Ok(()));
                break;
            };
            if let Err(e) = file.seek(std::io::SeekFrom::Start(at)) {
                stop = Some(Err(LoadError::Io {
                    path: path.to_path_buf(),
                    source: e,
                }));
                break;
            }
            match next_blob(&mut file, &fail, path) {
                Ok(Some((true, blob))) => {
                    bytes += blob.len() as u64;
                    batch.push(blob);
                }
                Ok(Some((false, _))) => {}
                Ok(None) => {
                    stop = Some(Ok(()));
                    break;
                }
                Err(e) => {
                    stop = Some(Err(e));
                    break;
                }
            }
        }
        let decoded: Vec<Result<T, &str>> = batch
            .par_iter()
            .map(|blob| {
                let data = blob_data(blob).ok_or("a block that cannot be decompressed")?;
                decode(&data)
            })
            .collect();
        drop(batch);
        for t in decoded {
            merge(t.map_err(fail)?);
        }
        match stop {
            None => {}
            Some(Ok(())) => return Ok(()),
            Some(Err(e)) => return Err(e),
        }
    }
}

/// The next block: whether it is an `OSMData` block, and its bytes; `None`
/// at the end of the file.
fn next_blob(
    file: &mut impl Read,
    fail: &impl Fn(&str) -> LoadError,
    path: &Path,
) -> Result<Option<(bool, Vec<u8>)>, LoadError> {
    let mut len = [0u8; 4];
    match file.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => {
            return Err(LoadError::Io {
                path: path.to_path_buf(),
                source: e,
            })
        }
    }
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_HEADER {
        return Err(fail("a block header is larger than 64 KiB"));
    }
    let header = read_exact(file, len).ok_or_else(|| fail("a truncated block header"))?;
    let (kind, size) = blob_header(&header).ok_or_else(|| fail("a bad block header"))?;
    if size > MAX_BLOB {
        return Err(fail("a block is larger than 32 MiB"));
    }
    let blob = read_exact(file, size).ok_or_else(|| fail("a truncated block"))?;
    Ok(Some((kind == b"OSMData", blob)))
}

fn read_exact(r: &mut impl Read, n: usize) -> Option<Vec<u8>> {
    let mut buf = vec![0; n];
    r.read_exact(&mut buf).ok()?;
    Some(buf)
}

/// A `BlobHeader`'s type and data size.
fn blob_header(buf: &[u8]) -> Option<(&[u8], usize)> {
    let mut c = Cursor::new(buf);
    let (mut kind, mut size) = (None, None);
    while let Some((field, value)) = c.field().ok()? {
        match (field, value) {
            (1, Value::Bytes(b)) => kind = Some(b),
            (3, Value::Varint(v)) => size = usize::try_from(v).ok(),
            _ => {}
        }
    }
    Some((kind?, size?))
}

/// A `Blob`'s bytes: raw, or zlib-inflated (at most 32 MiB) into a buffer
/// of the size the blob announces (`raw_size`), when it does.
fn blob_data(buf: &[u8]) -> Option<Vec<u8>> {
    let mut c = Cursor::new(buf);
    let (mut raw_size, mut zlib) = (0, None);
    while let Some((field, value)) = c.field().ok()? {
        match (field, value) {
            (1, Value::Bytes(b)) => return Some(b.to_vec()),
            (2, Value::Varint(n)) => raw_size = usize::try_from(n).unwrap_or(0).min(MAX_BLOB),
            (3, Value::Bytes(b)) => {
                zlib = Some(b);
                break;
            }
            _ => {}
        }
    }
    let mut out = Vec::with_capacity(raw_size);
    flate2::read::ZlibDecoder::new(zlib?)
        .take(MAX_BLOB as u64 + 1)
        .read_to_end(&mut out)
        .ok()?;
    (out.len() <= MAX_BLOB).then_some(out)
}

/// The kept relations of one `PrimitiveBlock`.
fn block_relations(
    buf: &[u8],
    keep: &impl Fn(&Tags) -> bool,
    out: &mut Vec<RawRelation>,
) -> Result<(), ()> {
    let mut strings: Vec<&[u8]> = Vec::new();
    let mut groups: Vec<&[u8]> = Vec::new();
    let mut c = Cursor::new(buf);
    while let Some((field, value)) = c.field()? {
        match (field, value) {
            (1, Value::Bytes(table)) => {
                let mut t = Cursor::new(table);
                while let Some((f, v)) = t.field()? {
                    if let (1, Value::Bytes(s)) = (f, v) {
                        strings.push(s);
                    }
                }
            }
            (2, Value::Bytes(g)) => groups.push(g),
            _ => {}
        }
    }
    let text = |i: u64| -> Result<String, ()> {
        let s = usize::try_from(i)
            .ok()
            .and_then(|i| strings.get(i))
            .ok_or(())?;
        std::str::from_utf8(s).map(str::to_string).map_err(|_| ())
    };
    for g in groups {
        let mut gc = Cursor::new(g);
        while let Some((field, value)) = gc.field()? {
            let (4, Value::Bytes(r)) = (field, value) else {
                continue;
            };
            let mut rc = Cursor::new(r);
            let (mut id, mut keys, mut vals) = (0i64, Vec::new(), Vec::new());
            let (mut roles, mut ids, mut types) = (Vec::new(), Vec::new(), Vec::new());
            while let Some((f, v)) = rc.field()? {
                match f {
                    1 => match v {
                        Value::Varint(x) => id = x as i64,
                        _ => return Err(()),
                    },
                    2 => repeated(&v, &mut keys)?,
                    3 => repeated(&v, &mut vals)?,
                    8 => repeated(&v, &mut roles)?,
                    9 => repeated(&v, &mut ids)?,
                    10 => repeated(&v, &mut types)?,
                    _ => {}
                }
            }
            if keys.len() != vals.len() {
                return Err(());
            }
            let tags: Tags = keys
                .iter()
                .zip(&vals)
                .map(|(k, v)| Ok((text(*k)?, text(*v)?)))
                .collect::<Result<_, ()>>()?;
            if !keep(&tags) {
                continue;
            }
            if roles.len() != ids.len() || ids.len() != types.len() {
                return Err(());
            }
            let mut member = 0i64;
            let mut ways = Vec::new();
            for ((role, delta), kind) in roles.iter().zip(&ids).zip(&types) {
                member = member.wrapping_add(zigzag(*delta));
                if *kind == 1 {
                    // A role is an int32 string index; a bad one reads as no
                    // role (an outer way).
                    ways.push((member, text(u64::from(*role as u32)).unwrap_or_default()));
                }
            }
            out.push(RawRelation { id, tags, ways });
        }
    }
    Ok(())
}

/// The nodes of one `PrimitiveBlock` whose id `keep` accepts, appended to
/// `out` as `(id, position)`: each group's plain nodes, then its dense
/// ones (ids and coordinates delta-coded).
fn block_nodes(
    buf: &[u8],
    keep: &impl Fn(i64) -> bool,
    out: &mut Vec<(i64, LonLat)>,
) -> Result<(), ()> {
    let mut groups: Vec<&[u8]> = Vec::new();
    let (mut granularity, mut lat_offset, mut lon_offset) = (100i64, 0i64, 0i64);
    let mut c = Cursor::new(buf);
    while let Some((field, value)) = c.field()? {
        match (field, value) {
            (2, Value::Bytes(g)) => groups.push(g),
            // An int32 and two int64s, as varints.
            (17, Value::Varint(v)) => granularity = i64::from(v as i32),
            (19, Value::Varint(v)) => lat_offset = v as i64,
            (20, Value::Varint(v)) => lon_offset = v as i64,
            _ => {}
        }
    }
    // Degrees as `osmpbf` computes them: nanodegrees from the block's
    // offset and granularity (wrapping, as its release build does), times
    // 1e-9.
    let degrees =
        |offset: i64, v: i64| 1e-9 * offset.wrapping_add(granularity.wrapping_mul(v)) as f64;
    let pos = |lon: i64, lat: i64| LonLat::new(degrees(lon_offset, lon), degrees(lat_offset, lat));
    let (mut ids, mut lats, mut lons) = (Vec::new(), Vec::new(), Vec::new());
    for g in groups {
        ids.clear();
        lats.clear();
        lons.clear();
        let mut gc = Cursor::new(g);
        while let Some((field, value)) = gc.field()? {
            match (field, value) {
                (1, Value::Bytes(node)) => {
                    let (mut id, mut lat, mut lon) = (0, 0, 0);
                    let mut nc = Cursor::new(node);
                    while let Some((f, v)) = nc.field()? {
                        match (f, v) {
                            (1, Value::Varint(x)) => id = zigzag(x),
                            (8, Value::Varint(x)) => lat = zigzag(x),
                            (9, Value::Varint(x)) => lon = zigzag(x),
                            _ => {}
                        }
                    }
                    if keep(id) {
                        out.push((id, pos(lon, lat)));
                    }
                }
                (2, Value::Bytes(dense)) => {
                    let mut dc = Cursor::new(dense);
                    while let Some((f, v)) = dc.field()? {
                        match f {
                            1 => repeated(&v, &mut ids)?,
                            8 => repeated(&v, &mut lats)?,
                            9 => repeated(&v, &mut lons)?,
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        let (mut id, mut lat, mut lon) = (0i64, 0i64, 0i64);
        for ((did, dlat), dlon) in ids.iter().zip(&lats).zip(&lons) {
            id = id.wrapping_add(zigzag(*did));
            lat = lat.wrapping_add(zigzag(*dlat));
            lon = lon.wrapping_add(zigzag(*dlon));
            if keep(id) {
                out.push((id, pos(lon, lat)));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
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
            let _ = block_nodes(bytes, &|_| true, &mut Vec::new());
            let _ = blob_header(bytes);
            let _ = blob_data(bytes);
        }
    }

    /// Every node of an extract, with its position to the bit, in the
    /// order `osmpbf` gives them (the oracle).
    #[test]
    fn nodes_read_as_osmpbf_reads_them() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/liechtenstein/liechtenstein.osm.pbf");
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
            |_| true,
            |v| read.extend(v.into_iter().map(|(id, p)| bits(id, p))),
        )
        .unwrap();
        assert!(expected.len() > 100_000, "{}", expected.len());
        assert!(read == expected);
        // Kept by id.
        let mut odd = Vec::new();
        read_nodes(&path, &offsets, |id| id % 2 == 1, |v| odd.extend(v)).unwrap();
        assert!(odd
            .iter()
            .map(|(id, p)| bits(*id, *p))
            .eq(expected.iter().copied().filter(|n| n.0 % 2 == 1)));
    }

    #[test]
    fn zigzag_decodes() {
        assert_eq!(zigzag(0), 0);
        assert_eq!(zigzag(1), -1);
        assert_eq!(zigzag(2), 1);
        assert_eq!(zigzag(u64::MAX), i64::MIN);
    }
}

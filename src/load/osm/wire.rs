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
//! The first pass (tagged nodes and ways, the file's plan) reads here too,
//! strictly: a file is accepted only when `osmpbf` reads it without error
//! and gives the same elements (see [`read_tagged`]); any other is read
//! again with `osmpbf`, which reports what is wrong as before. So the
//! passes for relations and coordinates see a file already known to be a
//! well-formed extract. Blocks are read in batches, inflated and decoded
//! in parallel, and what they give kept in file order.

use std::io::{Read, Seek};
use std::path::Path;

use rayon::prelude::*;

use super::file::{Plan, NODES, RELATIONS, WAYS};
use super::scan::Tagged;
use super::{relations, Tags};
use crate::config::OsmTags;
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
            // The tenth byte holds the last bit: more is an overlong varint.
            if shift == 63 && b > 1 {
                return None;
            }
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
        // A key is a 32-bit varint; there is no field 0.
        if key > u64::from(u32::MAX) || key >> 3 == 0 {
            return Err(());
        }
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
        Blocks::At(offsets),
        |data| {
            let mut rels = Vec::new();
            block_relations(data, &keep, &mut rels).map_err(|()| "a bad relation")?;
            Ok(rels)
        },
        |_, rels| out.extend(rels),
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
    mut merge: impl FnMut(Vec<(i64, LonLat)>) + Send,
) -> Result<(), LoadError> {
    for_each_block(
        path,
        Blocks::At(offsets),
        |data| {
            let mut nodes = Vec::new();
            block_nodes(data, &keep, &mut nodes).map_err(|()| "a bad node")?;
            Ok(nodes)
        },
        |_, nodes| merge(nodes),
    )
}

/// Pass 1 ([`scan::tagged`]) read here: every block in order, each
/// decoded by [`block_tagged`], with the file's [`Plan`].
///
/// Only a file encoded as `osmpbf` reads it without error, warning or
/// loss is accepted; on anything else (a protobuf field of the wrong type
/// or out of its type's range, a missing required field, a tag that cannot
/// be decoded, tag keys and values of different counts, dense node arrays
/// of different lengths, a block compressed otherwise than with zlib...)
/// this returns an error, and the caller reads the file with `osmpbf`,
/// which gives the errors and diagnostics a file gets. On the files it
/// accepts, what it gives is what `osmpbf` gives, element by element.
/// Cost: one pass over the protobuf bytes, allocating for the elements
/// kept only, where `osmpbf` first decodes every field of a block into
/// vectors (metadata included).
pub(super) fn read_tagged(path: &Path, table: &OsmTags) -> Result<(Tagged, Plan), LoadError> {
    let (mut all, mut plan) = (Tagged::default(), Plan::default());
    for_each_block(
        path,
        Blocks::All,
        |data| block_tagged(data, table).map_err(|()| "an element osmpbf reads otherwise"),
        |at, (t, kinds)| {
            plan.record(at, kinds);
            all.append(t);
        },
    )?;
    Ok((all, plan))
}

/// The blocks a pass reads.
#[derive(Clone, Copy)]
enum Blocks<'a> {
    /// The data blocks starting at these offsets.
    At(&'a [u64]),
    /// Every block of the file, in order, strictly: the file must end after
    /// its last block, hold no header block but its first, and each block
    /// must be encoded as `osmpbf` reads it without error (see
    /// [`read_tagged`]).
    All,
}

/// Reads the data blocks of `blocks` in batches, inflates and decodes them
/// with `decode` in parallel, and calls `merge` on what each gave, with the
/// block's offset, in file order. A batch is merged (on one thread) while
/// the next decodes; the first error met in file order is returned.
fn for_each_block<T: Send>(
    path: &Path,
    blocks: Blocks,
    decode: impl Fn(&[u8]) -> Result<T, &'static str> + Sync,
    mut merge: impl FnMut(u64, T) + Send,
) -> Result<(), LoadError> {
    let fail = |what: &str| LoadError::Format {
        path: path.to_path_buf(),
        message: format!("not a valid .osm.pbf (corrupt or truncated): {what}"),
    };
    let io = |e: std::io::Error| LoadError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    let file = crate::files::open(path)?;
    let len = file.metadata().map_err(io)?.len();
    let mut file = std::io::BufReader::new(file);
    let strict = matches!(blocks, Blocks::All);
    let mut offsets = match blocks {
        Blocks::At(offsets) => offsets.iter(),
        Blocks::All => [].iter(),
    };
    // Where the next block starts, when reading them all.
    let mut pos = 0u64;
    let mut pending: Decoded<T> = Vec::new();
    let batch_len = super::file::BATCH_PER_THREAD * rayon::current_num_threads().max(1);
    loop {
        // Data blocks read ahead (with their offsets), and the reading
        // error that stopped the batch: it comes after the blocks read
        // before it.
        let mut batch: Vec<(u64, Vec<u8>)> = Vec::with_capacity(batch_len);
        let (mut stop, mut bytes) = (None, 0u64);
        while batch.len() < batch_len && bytes < super::file::BATCH_BYTES {
            let at = if strict {
                pos
            } else {
                let Some(&at) = offsets.next() else {
                    stop = Some(Ok(()));
                    break;
                };
                if let Err(e) = file.seek(std::io::SeekFrom::Start(at)) {
                    stop = Some(Err(io(e)));
                    break;
                }
                at
            };
            match next_blob(&mut file, &fail, path, strict) {
                Ok(Some((kind, blob, read))) => {
                    pos += read;
                    match kind {
                        Kind::Data => {
                            bytes += blob.len() as u64;
                            batch.push((at, blob));
                        }
                        Kind::Header if !strict || at == 0 => {}
                        _ => {
                            stop = Some(Err(fail("a header or unknown block among data blocks")));
                            break;
                        }
                    }
                }
                Ok(None) if strict && (pos != len || pos == 0) => {
                    stop = Some(Err(fail("bytes after the last block")));
                    break;
                }
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
        // The previous batch is merged while this one decodes.
        let (decoded, merged) = rayon::join(
            || {
                batch
                    .par_iter()
                    .map(|(at, blob)| {
                        let data =
                            blob_data(blob, strict).ok_or("a block that cannot be decompressed")?;
                        Ok((*at, decode(&data)?))
                    })
                    .collect::<Vec<_>>()
            },
            || merge_all(&mut pending, &mut merge, &fail),
        );
        merged?;
        drop(batch);
        pending = decoded;
        match stop {
            None => {}
            Some(end) => {
                merge_all(&mut pending, &mut merge, &fail)?;
                return end;
            }
        }
    }
}

/// Blocks decoded, with their offsets, and not yet merged.
type Decoded<T> = Vec<Result<(u64, T), &'static str>>;

/// Calls `merge` on the blocks of `decoded`, in order, up to the first
/// that could not be decoded.
fn merge_all<T>(
    decoded: &mut Decoded<T>,
    merge: &mut impl FnMut(u64, T),
    fail: &impl Fn(&str) -> LoadError,
) -> Result<(), LoadError> {
    for block in decoded.drain(..) {
        let (at, t) = block.map_err(fail)?;
        merge(at, t);
    }
    Ok(())
}

/// What a block holds, by its header's type.
enum Kind {
    /// `OSMData`.
    Data,
    /// `OSMHeader`.
    Header,
    /// Anything else.
    Other,
}

/// The next block: what it holds, its bytes, and the bytes read; `None`
/// at the end of the file. `strict` as [`Blocks::All`].
fn next_blob(
    file: &mut impl Read,
    fail: &impl Fn(&str) -> LoadError,
    path: &Path,
    strict: bool,
) -> Result<Option<(Kind, Vec<u8>, u64)>, LoadError> {
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
    // `osmpbf` refuses a header of exactly 64 KiB too.
    if len > MAX_HEADER || (strict && len == MAX_HEADER) {
        return Err(fail("a block header is larger than 64 KiB"));
    }
    let header = read_exact(file, len).ok_or_else(|| fail("a truncated block header"))?;
    let (kind, size) = blob_header(&header, strict).ok_or_else(|| fail("a bad block header"))?;
    if size > MAX_BLOB {
        return Err(fail("a block is larger than 32 MiB"));
    }
    let blob = read_exact(file, size).ok_or_else(|| fail("a truncated block"))?;
    let kind = match kind {
        b"OSMData" => Kind::Data,
        b"OSMHeader" => Kind::Header,
        _ => Kind::Other,
    };
    Ok(Some((kind, blob, 4 + len as u64 + size as u64)))
}

fn read_exact(r: &mut impl Read, n: usize) -> Option<Vec<u8>> {
    let mut buf = vec![0; n];
    r.read_exact(&mut buf).ok()?;
    Some(buf)
}

/// Whether varint `v` is a valid value of a field of protobuf type `kind`
/// as `rust-protobuf` (under `osmpbf`) reads it: 32-bit types must fit,
/// booleans are 0 or 1 (stricter than it).
fn fits(kind: Scalar, v: u64) -> bool {
    match kind {
        Scalar::Any => true,
        Scalar::U32 => v <= u64::from(u32::MAX),
        Scalar::I32 => i32::try_from(v as i64).is_ok(),
        Scalar::Bool => v <= 1,
    }
}

/// Protobuf varint types by the values they accept: `int64`, `sint64`
/// (any); `uint32`, `sint32` (32 bits); `int32` and enums (sign-extended
/// 32 bits); `bool`.
#[derive(Clone, Copy)]
enum Scalar {
    Any,
    U32,
    I32,
    Bool,
}

/// A single varint field of type `kind`.
fn single(value: &Value, kind: Scalar) -> Result<u64, ()> {
    match value {
        Value::Varint(v) if fits(kind, *v) => Ok(*v),
        _ => Err(()),
    }
}

/// [`repeated`], for a field of type `kind`.
fn repeated_of(value: &Value, kind: Scalar, out: &mut Vec<u64>) -> Result<(), ()> {
    let from = out.len();
    repeated(value, out)?;
    if matches!(kind, Scalar::Any) || out[from..].iter().all(|v| fits(kind, *v)) {
        Ok(())
    } else {
        Err(())
    }
}

/// Checks a message of which nothing is read: its fields numbered as in
/// `schema` (number, type, repeated) must be of that type; others are
/// skipped.
fn check(buf: &[u8], schema: &[(u64, Scalar, bool)]) -> Result<(), ()> {
    let mut c = Cursor::new(buf);
    let mut values = Vec::new();
    while let Some((field, value)) = c.field()? {
        if let Some(&(_, kind, many)) = schema.iter().find(|s| s.0 == field) {
            if many {
                values.clear();
                repeated_of(&value, kind, &mut values)?;
            } else {
                single(&value, kind)?;
            }
        }
    }
    Ok(())
}

/// `Info`: version, timestamp, changeset, uid, user_sid, visible.
const INFO: &[(u64, Scalar, bool)] = &[
    (1, Scalar::I32, false),
    (2, Scalar::Any, false),
    (3, Scalar::Any, false),
    (4, Scalar::I32, false),
    (5, Scalar::U32, false),
    (6, Scalar::Bool, false),
];

/// `DenseInfo`: as [`INFO`], packed (uid and user_sid are `sint32`).
const DENSE_INFO: &[(u64, Scalar, bool)] = &[
    (1, Scalar::I32, true),
    (2, Scalar::Any, true),
    (3, Scalar::Any, true),
    (4, Scalar::U32, true),
    (5, Scalar::U32, true),
    (6, Scalar::Bool, true),
];

/// A `BlobHeader`'s type and data size. `strict` as [`Blocks::All`]: the
/// known fields of their protobuf types (the size an `int32`).
fn blob_header(buf: &[u8], strict: bool) -> Option<(&[u8], usize)> {
    let mut c = Cursor::new(buf);
    let (mut kind, mut size) = (None, None);
    while let Some((field, value)) = c.field().ok()? {
        match (field, value) {
            (1, Value::Bytes(b)) => kind = Some(b),
            (3, Value::Varint(v)) if !strict || fits(Scalar::I32, v) => {
                size = usize::try_from(v).ok()
            }
            (2, Value::Bytes(_)) => {}
            (1..=3, _) if strict => return None,
            _ => {}
        }
    }
    Some((kind?, size?))
}

/// A `Blob`'s bytes: raw, or zlib-inflated (at most 32 MiB) into a buffer
/// of the size the blob announces (`raw_size`), when it does. `strict` as
/// [`Blocks::All`]: exactly one of raw or zlib data (`osmpbf` reads the
/// last), no other compression, `raw_size` an `int32`, and less than 32
/// MiB of data (`osmpbf` truncates at 32 MiB).
fn blob_data(buf: &[u8], strict: bool) -> Option<Vec<u8>> {
    let mut c = Cursor::new(buf);
    let (mut raw_size, mut raw, mut zlib) = (0, None, None);
    while let Some((field, value)) = c.field().ok()? {
        match (field, value) {
            (1, Value::Bytes(b)) if raw.is_none() && zlib.is_none() => {
                raw = Some(b);
                if !strict {
                    break;
                }
            }
            (2, Value::Varint(n)) if !strict || fits(Scalar::I32, n) => {
                raw_size = usize::try_from(n).unwrap_or(0).min(MAX_BLOB)
            }
            (3, Value::Bytes(b)) if raw.is_none() && zlib.is_none() => {
                zlib = Some(b);
                if !strict {
                    break;
                }
            }
            (1..=7, _) if strict => return None,
            _ => {}
        }
    }
    if let Some(b) = raw {
        return (!strict || b.len() < MAX_BLOB).then(|| b.to_vec());
    }
    let mut out = Vec::with_capacity(raw_size);
    flate2::read::ZlibDecoder::new(zlib?)
        .take(MAX_BLOB as u64 + 1)
        .read_to_end(&mut out)
        .ok()?;
    (out.len() < MAX_BLOB || (!strict && out.len() == MAX_BLOB)).then_some(out)
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

/// The tags of an element from its key and value string indices, into
/// `tags`; an error when their counts differ or one cannot be decoded.
fn tags_of<'a>(
    keys: &[u64],
    vals: &[u64],
    text: &impl Fn(u64) -> Option<&'a str>,
    tags: &mut Vec<(&'a str, &'a str)>,
) -> Result<(), ()> {
    if keys.len() != vals.len() {
        return Err(());
    }
    tags.clear();
    for (k, v) in keys.iter().zip(vals) {
        tags.push((text(*k).ok_or(())?, text(*v).ok_or(())?));
    }
    Ok(())
}

/// What one `PrimitiveBlock` gives pass 1, and what it holds (a bit per
/// kind, as [`Plan`] records them), decoded strictly (see
/// [`read_tagged`]). In each group, as `osmpbf` iterates them: plain
/// nodes, dense nodes (a node's tags run in `keys_vals` to a 0, as
/// `osmpbf` splits them), ways, relations. Ids, coordinates and node
/// references are delta-decoded with wrapping arithmetic, as `osmpbf`'s
/// release build does.
fn block_tagged(buf: &[u8], table: &OsmTags) -> Result<(Tagged, u8), ()> {
    let (mut string_table, mut groups) = (None, Vec::new());
    let (mut granularity, mut lat_offset, mut lon_offset) = (100i64, 0i64, 0i64);
    let mut c = Cursor::new(buf);
    while let Some((field, value)) = c.field()? {
        match (field, value) {
            (1, Value::Bytes(t)) if string_table.is_none() => string_table = Some(t),
            (2, Value::Bytes(g)) => groups.push(g),
            (17, v) => granularity = i64::from(single(&v, Scalar::I32)? as i32),
            (18, v) => {
                single(&v, Scalar::I32)?;
            }
            (19, v) => lat_offset = single(&v, Scalar::Any)? as i64,
            (20, v) => lon_offset = single(&v, Scalar::Any)? as i64,
            (1 | 2, _) => return Err(()),
            _ => {}
        }
    }
    let mut strings: Vec<&str> = Vec::new();
    let mut t = Cursor::new(string_table.ok_or(())?);
    while let Some((field, value)) = t.field()? {
        match (field, value) {
            (1, Value::Bytes(s)) => strings.push(std::str::from_utf8(s).map_err(|_| ())?),
            (1, _) => return Err(()),
            _ => {}
        }
    }
    // A string index: `uint32`, or `int32` in dense nodes (negative reads
    // as no string).
    let text = |i: u64| {
        usize::try_from(i as i64)
            .ok()
            .and_then(|i| strings.get(i).copied())
    };
    let degrees =
        |offset: i64, v: i64| 1e-9 * offset.wrapping_add(granularity.wrapping_mul(v)) as f64;
    let pos = |lon: i64, lat: i64| LonLat::new(degrees(lon_offset, lon), degrees(lat_offset, lat));
    let (mut out, mut kinds) = (Tagged::default(), 0u8);
    let mut tags: Vec<(&str, &str)> = Vec::new();
    let (mut nodes, mut ways, mut rels) = (Vec::new(), Vec::new(), Vec::new());
    let (mut keys, mut vals, mut refs, mut other) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut ids, mut lats, mut lons, mut keys_vals) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    // The fields common to ways and relations: id, tags, metadata.
    let common =
        |f: u64, v: &Value, id: &mut Option<i64>, keys: &mut Vec<u64>, vals: &mut Vec<u64>| {
            match (f, v) {
                (1, v) => *id = Some(single(v, Scalar::Any)? as i64),
                (2, v) => repeated_of(v, Scalar::U32, keys)?,
                (3, v) => repeated_of(v, Scalar::U32, vals)?,
                (4, Value::Bytes(info)) => check(info, INFO)?,
                (4, _) => return Err(()),
                _ => {}
            }
            Ok(())
        };
    for g in groups {
        nodes.clear();
        ways.clear();
        rels.clear();
        let mut dense = None;
        let mut gc = Cursor::new(g);
        while let Some((field, value)) = gc.field()? {
            match (field, value) {
                (1, Value::Bytes(n)) => nodes.push(n),
                (2, Value::Bytes(d)) if dense.is_none() => dense = Some(d),
                (3, Value::Bytes(w)) => ways.push(w),
                (4, Value::Bytes(r)) => rels.push(r),
                // Changesets, and the other known fields when not messages
                // or repeated.
                (1..=5, _) => return Err(()),
                _ => {}
            }
        }
        for n in &nodes {
            kinds |= NODES;
            let (mut id, mut lat, mut lon) = (None, None, None);
            keys.clear();
            vals.clear();
            let mut nc = Cursor::new(n);
            while let Some((f, v)) = nc.field()? {
                match f {
                    1 => id = Some(zigzag(single(&v, Scalar::Any)?)),
                    8 => lat = Some(zigzag(single(&v, Scalar::Any)?)),
                    9 => lon = Some(zigzag(single(&v, Scalar::Any)?)),
                    _ => common(f, &v, &mut None, &mut keys, &mut vals)?,
                }
            }
            let (Some(id), Some(lat), Some(lon)) = (id, lat, lon) else {
                return Err(());
            };
            tags_of(&keys, &vals, &text, &mut tags)?;
            if !tags.is_empty() {
                out.node(id, pos(lon, lat), &tags, table);
            }
        }
        if let Some(d) = dense {
            ids.clear();
            lats.clear();
            lons.clear();
            keys_vals.clear();
            let mut dc = Cursor::new(d);
            while let Some((f, v)) = dc.field()? {
                match (f, v) {
                    (1, v) => repeated_of(&v, Scalar::Any, &mut ids)?,
                    (5, Value::Bytes(info)) => check(info, DENSE_INFO)?,
                    (5, _) => return Err(()),
                    (8, v) => repeated_of(&v, Scalar::Any, &mut lats)?,
                    (9, v) => repeated_of(&v, Scalar::Any, &mut lons)?,
                    (10, v) => repeated_of(&v, Scalar::I32, &mut keys_vals)?,
                    _ => {}
                }
            }
            if ids.len() != lats.len() || ids.len() != lons.len() {
                return Err(());
            }
            if !ids.is_empty() {
                kinds |= NODES;
            }
            let (mut id, mut lat, mut lon, mut at) = (0i64, 0i64, 0i64, 0usize);
            for ((did, dlat), dlon) in ids.iter().zip(&lats).zip(&lons) {
                id = id.wrapping_add(zigzag(*did));
                lat = lat.wrapping_add(zigzag(*dlat));
                lon = lon.wrapping_add(zigzag(*dlon));
                // Pairs up to a 0 (or a lone last index), which is skipped.
                let start = at;
                let mut end = at;
                for pair in keys_vals[at..].chunks(2) {
                    if pair[0] != 0 && pair.len() == 2 {
                        end += 2;
                        at += 2;
                    } else {
                        at += 1;
                        break;
                    }
                }
                if end > start {
                    tags.clear();
                    for pair in keys_vals[start..end].chunks_exact(2) {
                        tags.push((text(pair[0]).ok_or(())?, text(pair[1]).ok_or(())?));
                    }
                    out.node(id, pos(lon, lat), &tags, table);
                }
            }
        }
        for w in &ways {
            kinds |= WAYS;
            let mut id = None;
            keys.clear();
            vals.clear();
            refs.clear();
            let mut wc = Cursor::new(w);
            while let Some((f, v)) = wc.field()? {
                match f {
                    8 => repeated_of(&v, Scalar::Any, &mut refs)?,
                    9 | 10 => {
                        other.clear();
                        repeated_of(&v, Scalar::Any, &mut other)?;
                    }
                    _ => common(f, &v, &mut id, &mut keys, &mut vals)?,
                }
            }
            tags_of(&keys, &vals, &text, &mut tags)?;
            let node_ids = refs.iter().scan(0i64, |at, d| {
                *at = at.wrapping_add(zigzag(*d));
                Some(*at)
            });
            out.way(id.ok_or(())?, node_ids, &tags, table);
        }
        for r in &rels {
            kinds |= RELATIONS;
            let mut id = None;
            keys.clear();
            vals.clear();
            let mut rc = Cursor::new(r);
            while let Some((f, v)) = rc.field()? {
                other.clear();
                match f {
                    8 | 10 => repeated_of(&v, Scalar::I32, &mut other)?,
                    9 => repeated_of(&v, Scalar::Any, &mut other)?,
                    _ => common(f, &v, &mut id, &mut keys, &mut vals)?,
                }
            }
            id.ok_or(())?;
            tags_of(&keys, &vals, &text, &mut tags)?;
            out.any_relation |= relations::wanted(&tags, table);
        }
    }
    Ok((out, kinds))
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
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/liechtenstein/liechtenstein.osm.pbf");
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
}

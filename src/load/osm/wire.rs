//! Relations read from the file's blocks with a small protobuf decoder of
//! our own.
//!
//! `osmpbf` decodes a relation's member types with a panicking `unwrap`, so
//! a member of an unknown type (a corrupt or hostile file) would abort the
//! run. This reader decodes only what relations need (the string table and
//! each relation's id, tags and members), keeps the relations `keep` accepts
//! and their way members, and turns every inconsistency into an error. It
//! runs after `osmpbf` has read the whole file once, so a file it sees is
//! already known to be a well-formed extract. Blocks are read in batches,
//! inflated and decoded in parallel, and their relations kept in file
//! order.

use std::io::{Read, Seek};
use std::path::Path;

use rayon::prelude::*;

use super::Tags;
use crate::load::LoadError;

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
    let fail = |what: &str| LoadError::Format {
        path: path.to_path_buf(),
        message: format!("not a valid .osm.pbf (corrupt or truncated): {what}"),
    };
    let mut file = std::io::BufReader::new(crate::files::open(path)?);
    let mut offsets = offsets.iter();
    let mut out = Vec::new();
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
        let decoded: Vec<Result<Vec<RawRelation>, &str>> = batch
            .par_iter()
            .map(|blob| {
                let data = blob_data(blob).ok_or("a block that cannot be decompressed")?;
                let mut rels = Vec::new();
                block_relations(&data, &keep, &mut rels).map_err(|()| "a bad relation")?;
                Ok(rels)
            })
            .collect();
        for rels in decoded {
            out.extend(rels.map_err(fail)?);
        }
        match stop {
            None => {}
            Some(Ok(())) => return Ok(out),
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
    let mut buf = Vec::new();
    r.take(n as u64).read_to_end(&mut buf).ok()?;
    (buf.len() == n).then_some(buf)
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

/// A `Blob`'s bytes: raw, or zlib-inflated (at most 32 MiB).
fn blob_data(buf: &[u8]) -> Option<Vec<u8>> {
    let mut c = Cursor::new(buf);
    while let Some((field, value)) = c.field().ok()? {
        match (field, value) {
            (1, Value::Bytes(b)) => return Some(b.to_vec()),
            (3, Value::Bytes(b)) => {
                let mut out = Vec::new();
                flate2::read::ZlibDecoder::new(b)
                    .take(MAX_BLOB as u64 + 1)
                    .read_to_end(&mut out)
                    .ok()?;
                return (out.len() <= MAX_BLOB).then_some(out);
            }
            _ => {}
        }
    }
    None
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
            let _ = blob_header(bytes);
            let _ = blob_data(bytes);
        }
    }

    #[test]
    fn zigzag_decodes() {
        assert_eq!(zigzag(0), 0);
        assert_eq!(zigzag(1), -1);
        assert_eq!(zigzag(2), 1);
        assert_eq!(zigzag(u64::MAX), i64::MIN);
    }
}

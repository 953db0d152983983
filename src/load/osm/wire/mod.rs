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

mod blocks;
mod proto;
#[cfg(test)]
mod tests;

use blocks::*;
use proto::*;
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
/// maps to a key, as `(key, position)` in file order (plain nodes, then
/// dense ones, in each group, as `osmpbf` iterates them). `keep` makes the
/// map afresh for each block, so that it may remember where it was.
pub(super) fn read_nodes<K: Send, F: FnMut(i64) -> Option<K>>(
    path: &Path,
    offsets: &[u64],
    keep: impl Fn() -> F + Sync,
    mut merge: impl FnMut(Vec<(K, LonLat)>) + Send,
) -> Result<(), LoadError> {
    for_each_block(
        path,
        Blocks::At(offsets),
        |data| {
            let mut nodes = Vec::new();
            block_nodes(data, keep(), &mut nodes).map_err(|()| "a bad node")?;
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
pub(super) enum Blocks<'a> {
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
pub(super) fn for_each_block<T: Send>(
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
pub(super) type Decoded<T> = Vec<Result<(u64, T), &'static str>>;

/// Calls `merge` on the blocks of `decoded`, in order, up to the first
/// that could not be decoded.
pub(super) fn merge_all<T>(
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
pub(super) enum Kind {
    /// `OSMData`.
    Data,
    /// `OSMHeader`.
    Header,
    /// Anything else.
    Other,
}

/// The next block: what it holds, its bytes, and the bytes read; `None`
/// at the end of the file. `strict` as [`Blocks::All`].
pub(super) fn next_blob(
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

pub(super) fn read_exact(r: &mut impl Read, n: usize) -> Option<Vec<u8>> {
    let mut buf = vec![0; n];
    r.read_exact(&mut buf).ok()?;
    Some(buf)
}

/// A `BlobHeader`'s type and data size. `strict` as [`Blocks::All`]: the
/// known fields of their protobuf types (the size an `int32`).
pub(super) fn blob_header(buf: &[u8], strict: bool) -> Option<(&[u8], usize)> {
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
pub(super) fn blob_data(buf: &[u8], strict: bool) -> Option<Vec<u8>> {
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
